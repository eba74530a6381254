#!/usr/bin/env python3
"""Writes through the portal's own routes, for scripts/bench (Python's standard library only).

  bench-writes.py BASE DB_URL rate R SECS [READY]     R writes a second, spread over units, for SECS
  bench-writes.py BASE DB_URL writers N SECS          N writers (processes) as fast as they can

READY: a file written once the writer has set up and signed in, before its first write (the
benchmark measures pages only from then on: the setup itself writes).

The writes are what people do in working hours, each as a browser sends it (session, CSRF token,
form token, the record's version): HR enters an assessment for someone (a campaign's
self-assessments as HR keys them in), HR validates a pending self-assessment (a decision), and HR
edits someone's phone number (a versioned profile edit). Each picks a random active employee of
the whole organisation, so the writes spread over its units. Prints one line of JSON.
"""

import html.parser
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid

PASSWORD = "demo-cakap-2026"


class Form(html.parser.HTMLParser):
    """The fields of the first form posting to `action` (inputs, selected options, textareas)."""

    def __init__(self, action):
        super().__init__()
        self.action, self.inside, self.fields, self.select, self.textarea = action, False, {}, None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("action") == self.action and not self.fields:
            self.inside = True
        if not self.inside:
            return
        if tag == "input" and a.get("name") and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "select" and a.get("name"):
            self.select = a["name"]
            self.fields.setdefault(self.select, "")
        elif tag == "option" and self.select and "selected" in a:
            self.fields[self.select] = a.get("value") or ""
        elif tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.fields[self.textarea] = ""

    def handle_data(self, data):
        if self.textarea:
            self.fields[self.textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "form" and self.inside:
            self.inside = False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Session:
    def __init__(self, base, username):
        self.base = base
        self.jar = urllib.request.HTTPCookieProcessor()
        self.opener = urllib.request.build_opener(self.jar, NoRedirect())
        page = self.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]*)"', page).group(1)
        status = self.post("/login", {"csrf_token": token, "username": username, "password": PASSWORD, "next": "/"})
        if status != 303 or not any(c.name == "cakap_session" for c in self.jar.cookiejar):
            raise SystemExit(f"bench-writes: signing in as {username} failed ({status})")

    def send(self, path, data=None, headers=None):
        req = urllib.request.Request(self.base + path, data=data, headers={"Origin": self.base, **(headers or {})})
        try:
            with self.opener.open(req, timeout=30) as r:
                return r.status, r.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as e:
            # A redirect to the sign-in page (a lost session) or to the password change (an
            # account that must change it first) is not a write done.
            if e.code == 303 and (e.headers.get("Location") or "").startswith(("/login", "/password")):
                return 401, ""
            return e.code, e.read().decode("utf-8", "replace")

    def get(self, path):
        return self.send(path)[1]

    def post(self, path, fields):
        return self.send(path, urllib.parse.urlencode(fields).encode())[0]

    def post_multipart(self, path, fields):
        boundary = uuid.uuid4().hex
        body = b"".join(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
        ) + f"--{boundary}--\r\n".encode()
        return self.send(path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}", "X-CSRF-Token": self.csrf()})[0]

    def csrf(self):
        for c in self.jar.cookiejar:
            if c.name == "cakap_csrf":
                return c.value
        return ""


def busy_ticks():
    """The machine's busy CPU time so far (all cores, every process: client, portal, database), in
    clock ticks: /proc/stat's first line without idle and iowait."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]


def psql(db_url, sql):
    out = subprocess.run(["psql", "-X", "-qtA", db_url, "-c", sql], check=True, capture_output=True, text=True)
    return [line.split("|") for line in out.stdout.splitlines() if line]


def main():
    base, db_url, mode, n, secs = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
    employees = [int(r[0]) for r in psql(db_url, "select id from employees where active order by random() limit 2000")]
    comps = [int(r[0]) for r in psql(db_url, "select id from competencies where active")]
    # Pending self-assessments to decide, spread over the organisation: topped up to 3 000, so
    # repeated runs on a kept database do not pile up a queue no office has (each run decides
    # only some of them).
    psql(
        db_url,
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)"
        " select e.id, (select id from competencies where active order by random() + e.id * 0 limit 1), 3,"
        " current_date, 'self', 'pending' from employees e where e.active order by random()"
        " limit greatest(0, 3000 - (select count(*) from assessments where status = 'pending'))",
    )
    pending = [int(r[0]) for r in psql(db_url, "select id from assessments where status = 'pending' order by random()")]
    lock = threading.Lock()
    today = time.strftime("%Y-%m-%d")

    def assess(s):
        emp, comp = random.choice(employees), random.choice(comps)
        form = s.get(f"/employees/{emp}/assessments/new?competency={comp}")
        m = re.search(r'name="form_token" value="([^"]*)"', form)
        fields = {"form_token": m.group(1) if m else "", "csrf_token": s.csrf(), "competency": comp,
                  "level": random.randint(1, 5), "assessed_on": today, "source": "supervisor"}
        return s.post_multipart(f"/employees/{emp}/assessments", fields) == 303

    def decide(s):
        with lock:
            if not pending:
                return assess(s)
            a = pending.pop()
        return s.post(f"/assessments/{a}/validate", {"csrf_token": s.csrf()}) == 303

    def edit(s):
        emp = random.choice(employees)
        f = Form(f"/employees/{emp}")
        f.feed(s.get(f"/employees/{emp}/edit"))
        if "version" not in f.fields:
            return False
        f.fields["phone"] = "08" + str(random.randint(10**9, 10**10 - 1))
        return s.post(f"/employees/{emp}", f.fields) == 303

    kinds = [assess, decide, edit]
    done, failed, took, failures = [0], [0], [], {}

    def one(s):
        t = time.perf_counter()
        kind = random.choice(kinds)
        ok = kind(s)
        dt = time.perf_counter() - t
        with lock:
            took.append(dt)
            done[0] += ok
            failed[0] += not ok
            if not ok:
                failures[kind.__name__] = failures.get(kind.__name__, 0) + 1

    ready = sys.argv[6] if len(sys.argv) > 6 else None
    if mode == "rate":
        s = Session(base, "kepegawaian")
        if ready:
            open(ready, "w").write("ready\n")
        start = time.perf_counter()
        interval, k = 1.0 / n, 0
        while time.perf_counter() - start < secs:
            threading.Thread(target=one, args=(s,), daemon=True).start()
            k += 1
            time.sleep(max(0.0, start + k * interval - time.perf_counter()))
        time.sleep(1)
    else:
        # One process per writer, as N browsers are: threads of one Python process would queue on
        # its interpreter lock and measure the client, not the portal.
        import multiprocessing

        mp = multiprocessing.get_context("fork")
        writers = int(n)
        results = mp.Queue()
        go = mp.Event()

        # Signed in one after another (sign-in throttling refuses a burst of them), before the
        # processes start.
        sessions = [Session(base, "kepegawaian") for _ in range(writers)]

        def writer(i):
            s = sessions[i]
            mine = pending[i::writers]
            pending.clear()
            pending.extend(mine)
            results.put("ready")
            go.wait()
            t0 = time.perf_counter()
            while time.perf_counter() - t0 < secs:
                one(s)
            results.put((done[0], failed[0], took, failures))

        procs = [mp.Process(target=writer, args=(i,)) for i in range(writers)]
        for p in procs:
            p.start()
        for _ in procs:
            results.get()
        start, ticks0 = time.perf_counter(), busy_ticks()
        go.set()
        for _ in procs:
            d, f, t, fs = results.get()
            done[0] += d
            failed[0] += f
            took.extend(t)
            for k, v in fs.items():
                failures[k] = failures.get(k, 0) + v
        ticks1 = busy_ticks()
        for p in procs:
            p.join()
    wall = time.perf_counter() - start
    took.sort()
    p = lambda q: round(took[min(len(took) - 1, int(q * len(took)))] * 1000) if took else 0
    out = {"writes": done[0], "failed": failed[0], "failures": failures, "per_s": round(done[0] / wall, 1), "p50_ms": p(0.5), "p99_ms": p(0.99)}
    if mode != "rate" and done[0]:
        # What one write costs the machine (client included), and how many cores were busy: with
        # every core busy, writes/s cannot exceed cores / cpu_ms_per_write.
        secs_busy = (ticks1 - ticks0) / os.sysconf("SC_CLK_TCK")
        out["cpu_ms_per_write"] = round(secs_busy * 1000 / done[0], 1)
        out["busy_cores"] = round(secs_busy / wall, 2)
        out["cores"] = os.cpu_count()
    print(json.dumps(out))


if __name__ == "__main__":
    main()
