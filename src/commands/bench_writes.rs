//! The benchmark's writers (`cakap bench-writes`): writes through the portal's own routes, each
//! as a browser sends it (session, CSRF token, form token, the record's version), for
//! `scripts/bench`.
//!
//! It replaced a Python client that parsed every form with the standard library's HTML parser:
//! on the benchmark's two cores the client's own CPU then competed with the portal and the
//! database it measured (a browser runs on the user's machine, not the server's). This one costs
//! the machine little, so the writer figures are the portal's.
//!
//! The writes are what people do in working hours: HR enters an assessment for someone (a
//! campaign's self-assessments as HR keys them in), HR validates a pending self-assessment (a
//! decision), and HR edits someone's phone number (a versioned profile edit). Each picks a random
//! active employee of the whole organisation, so the writes spread over its units. Prints one
//! line of JSON.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use anyhow::{Context as _, bail};
use rand::{Rng as _, seq::SliceRandom as _};
use reqwest::{StatusCode, header};

const PASSWORD: &str = "demo-cakap-2026";

/// How the writers write: `rate` writes a second from one signed-in HR account for `secs`, or
/// `writers` concurrent writers as fast as they can.
#[derive(Clone, Copy, Debug, clap::ValueEnum)]
pub enum Mode {
    Rate,
    Writers,
}

pub struct Args {
    pub base: String,
    pub mode: Mode,
    pub n: f64,
    pub secs: f64,
    pub ready: Option<std::path::PathBuf>,
}

/// One signed-in browser: its cookies, kept by hand (no redirects followed, as a form post's 303
/// is the answer being measured).
struct Session {
    base: String,
    http: reqwest::Client,
    cookies: Mutex<Vec<(String, String)>>,
}

enum Answer {
    Status(StatusCode),
    /// Sent back to sign in or to change the password: not a write done.
    SignedOut,
}

impl Session {
    async fn sign_in(base: &str, username: &str) -> anyhow::Result<Session> {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(30))
            .pool_max_idle_per_host(1)
            .build()?;
        let s = Session { base: base.to_string(), http, cookies: Mutex::new(Vec::new()) };
        let page = s.get("/login").await?;
        let token = attr_after(&page, r#"name="csrf_token" value=""#).context("no csrf_token on /login")?;
        let form = [("csrf_token", token.as_str()), ("username", username), ("password", PASSWORD), ("next", "/")];
        let body = serde_urlencoded::to_string(form)?;
        let status = s.post(s.request("/login").body(body), "application/x-www-form-urlencoded").await?;
        if !matches!(status, Answer::Status(StatusCode::SEE_OTHER)) || s.cookie("cakap_session").is_none() {
            bail!("bench-writes: signing in as {username} failed");
        }
        Ok(s)
    }

    fn cookie(&self, name: &str) -> Option<String> {
        let jar = self.cookies.lock().unwrap_or_else(|e| e.into_inner());
        jar.iter().find(|(n, _)| n == name).map(|(_, v)| v.clone())
    }

    fn cookie_header(&self) -> String {
        let jar = self.cookies.lock().unwrap_or_else(|e| e.into_inner());
        jar.iter().map(|(n, v)| format!("{n}={v}")).collect::<Vec<_>>().join("; ")
    }

    fn keep_cookies(&self, headers: &header::HeaderMap) {
        let mut jar = self.cookies.lock().unwrap_or_else(|e| e.into_inner());
        for set in headers.get_all(header::SET_COOKIE) {
            let Ok(set) = set.to_str() else { continue };
            let first = set.split(';').next().unwrap_or("");
            let Some((name, value)) = first.split_once('=') else { continue };
            let (name, value) = (name.trim().to_string(), value.trim().to_string());
            let gone = value.is_empty() || set.to_ascii_lowercase().contains("max-age=0");
            jar.retain(|(n, _)| *n != name);
            if !gone {
                jar.push((name, value));
            }
        }
    }

    fn request(&self, path: &str) -> reqwest::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .header(header::ORIGIN, &self.base)
            .header(header::COOKIE, self.cookie_header())
    }

    async fn answer(&self, req: reqwest::RequestBuilder) -> anyhow::Result<(Answer, String)> {
        let res = req.send().await?;
        self.keep_cookies(res.headers());
        let status = res.status();
        let to = res.headers().get(header::LOCATION).and_then(|l| l.to_str().ok()).unwrap_or("").to_string();
        let body = res.text().await?;
        if status == StatusCode::SEE_OTHER && (to.starts_with("/login") || to.starts_with("/password")) {
            return Ok((Answer::SignedOut, body));
        }
        Ok((Answer::Status(status), body))
    }

    async fn get(&self, path: &str) -> anyhow::Result<String> {
        let req = self.http.get(format!("{}{path}", self.base)).header(header::COOKIE, self.cookie_header());
        Ok(self.answer(req).await?.1)
    }

    async fn post(&self, req: reqwest::RequestBuilder, content_type: &str) -> anyhow::Result<Answer> {
        Ok(self.answer(req.header(header::CONTENT_TYPE, content_type)).await?.0)
    }

    async fn post_form(&self, path: &str, fields: &[(String, String)]) -> anyhow::Result<bool> {
        let body = serde_urlencoded::to_string(fields)?;
        let answer = self.post(self.request(path).body(body), "application/x-www-form-urlencoded").await?;
        Ok(matches!(answer, Answer::Status(StatusCode::SEE_OTHER)))
    }

    async fn post_multipart(&self, path: &str, fields: Vec<(&'static str, String)>) -> anyhow::Result<bool> {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k, v);
        }
        let req =
            self.request(path).header("X-CSRF-Token", self.cookie("cakap_csrf").unwrap_or_default()).multipart(form);
        let answer = self.answer(req).await?.0;
        Ok(matches!(answer, Answer::Status(StatusCode::SEE_OTHER)))
    }
}

/// The (unescaped) value that follows `prefix` up to the closing quote.
fn attr_after(page: &str, prefix: &str) -> Option<String> {
    let start = page.find(prefix)? + prefix.len();
    let end = page[start..].find('"')? + start;
    Some(unescape(&page[start..end]))
}

/// Undoes askama's HTML escaping (and any numeric character reference).
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let Some(end) = rest.find(';').filter(|e| *e <= 10) else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let entity = &rest[1..end];
        let ch = match entity {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            _ => entity
                .strip_prefix("#x")
                .or_else(|| entity.strip_prefix("#X"))
                .and_then(|h| u32::from_str_radix(h, 16).ok())
                .or_else(|| entity.strip_prefix('#').and_then(|d| d.parse().ok()))
                .and_then(char::from_u32),
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// One tag: its lower-case name (with a leading `/` when it closes) and attributes.
struct Tag<'a> {
    name: String,
    attrs: Vec<(String, Option<&'a str>)>,
}

impl Tag<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.attrs.iter().find(|(n, _)| n == name).map(|(_, v)| v.map(unescape).unwrap_or_default())
    }
    fn has(&self, name: &str) -> bool {
        self.attrs.iter().any(|(n, _)| n == name)
    }
}

/// Reads the tag starting at `page[at]` (a `<`); returns it and where it ends.
fn read_tag(page: &str, at: usize) -> Option<(Tag<'_>, usize)> {
    let b = page.as_bytes();
    let mut i = at + 1;
    let name_start = i;
    while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' && !(b[i] == b'/' && i > name_start) {
        i += 1;
    }
    let name = page[name_start..i].to_ascii_lowercase();
    let mut attrs = Vec::new();
    loop {
        while i < b.len() && (b[i].is_ascii_whitespace() || b[i] == b'/') {
            i += 1;
        }
        if i >= b.len() {
            return None;
        }
        if b[i] == b'>' {
            return Some((Tag { name, attrs }, i + 1));
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && !matches!(b[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let attr = page[start..i].to_ascii_lowercase();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            let value = if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let end = page[i + 1..].bytes().position(|c| c == q)? + i + 1;
                let v = &page[i + 1..end];
                i = end + 1;
                v
            } else {
                let s = i;
                while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'>' {
                    i += 1;
                }
                &page[s..i]
            };
            attrs.push((attr, Some(value)));
        } else {
            attrs.push((attr, None));
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Held {
    Nothing,
    First,
    Selected,
}

/// The fields of the first form posting to `action` as a browser would send them unchanged:
/// inputs (checked ones only for boxes and radios), selected options, textareas.
fn form_fields(page: &str, action: &str) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    // A select's field: its index, and whether it holds an option's value yet (the first
    // option's, sent when none is selected, as a browser does) or the selected one's.
    let mut inside = false;
    let mut select: Option<(usize, Held)> = None;
    // A textarea's name and where its text starts.
    let mut textarea: Option<(String, usize)> = None;
    let mut at = 0;
    while let Some(off) = page[at..].find('<') {
        let lt = at + off;
        if page[lt..].starts_with("<!--") {
            at = page[lt..].find("-->").map_or(page.len(), |e| lt + e + 3);
            continue;
        }
        let Some((tag, end)) = read_tag(page, lt) else { break };
        at = end;
        match tag.name.as_str() {
            "form" if !inside && fields.is_empty() && tag.get("action").as_deref() == Some(action) => inside = true,
            "/form" if inside => break,
            "script" | "style" => {
                let close = format!("</{}", tag.name);
                at = page[at..].find(&close).map_or(page.len(), |e| at + e);
            }
            _ if !inside => {}
            "input" => {
                let kind = tag.get("type").unwrap_or_default();
                let Some(name) = tag.get("name") else { continue };
                if matches!(kind.as_str(), "submit" | "button" | "file")
                    || (matches!(kind.as_str(), "checkbox" | "radio") && !tag.has("checked"))
                {
                    continue;
                }
                fields.push((name, tag.get("value").unwrap_or_default()));
            }
            "select" => {
                if let Some(name) = tag.get("name") {
                    fields.push((name, String::new()));
                    select = Some((fields.len() - 1, Held::Nothing));
                }
            }
            "/select" => select = None,
            "option" => {
                if let Some((i, held)) = &mut select {
                    let now = if tag.has("selected") { Held::Selected } else { Held::First };
                    if *held == Held::Nothing || now == Held::Selected {
                        fields[*i].1 = tag.get("value").unwrap_or_default();
                        *held = now.max(*held);
                    }
                }
            }
            "textarea" => {
                if let Some(name) = tag.get("name") {
                    textarea = Some((name, end));
                }
            }
            "/textarea" => {
                if let Some((name, from)) = textarea.take() {
                    let text = page[from..lt].strip_prefix('\n').unwrap_or(&page[from..lt]);
                    fields.push((name, unescape(text)));
                }
            }
            _ => {}
        }
    }
    fields
}

/// What the writers share: whom to write about and the pending self-assessments to decide.
struct Work {
    employees: Vec<i64>,
    competencies: Vec<i64>,
    pending: Mutex<Vec<i64>>,
    today: String,
}

#[derive(Default)]
struct Tally {
    done: u64,
    failed: u64,
    took: Vec<Duration>,
    failures: HashMap<&'static str, u64>,
}

async fn assess(s: &Session, w: &Work) -> anyhow::Result<bool> {
    let (emp, comp, level) = {
        let mut rng = rand::thread_rng();
        (
            *w.employees.choose(&mut rng).context("no employees")?,
            *w.competencies.choose(&mut rng).context("no competencies")?,
            rng.gen_range(1..=5),
        )
    };
    let form = s.get(&format!("/employees/{emp}/assessments/new?competency={comp}")).await?;
    let token = attr_after(&form, r#"name="form_token" value=""#).unwrap_or_default();
    let fields = vec![
        ("form_token", token),
        ("csrf_token", s.cookie("cakap_csrf").unwrap_or_default()),
        ("competency", comp.to_string()),
        ("level", level.to_string()),
        ("assessed_on", w.today.clone()),
        ("source", "supervisor".to_string()),
    ];
    s.post_multipart(&format!("/employees/{emp}/assessments"), fields).await
}

async fn decide(s: &Session, w: &Work) -> anyhow::Result<bool> {
    let next = w.pending.lock().unwrap_or_else(|e| e.into_inner()).pop();
    let Some(a) = next else { return assess(s, w).await };
    let csrf = s.cookie("cakap_csrf").unwrap_or_default();
    s.post_form(&format!("/assessments/{a}/validate"), &[("csrf_token".to_string(), csrf)]).await
}

async fn edit(s: &Session, w: &Work) -> anyhow::Result<bool> {
    let (emp, phone) = {
        let mut rng = rand::thread_rng();
        (
            *w.employees.choose(&mut rng).context("no employees")?,
            format!("08{}", rng.gen_range(1_000_000_000u64..10_000_000_000)),
        )
    };
    let page = s.get(&format!("/employees/{emp}/edit")).await?;
    let mut fields = form_fields(&page, &format!("/employees/{emp}"));
    if !fields.iter().any(|(n, _)| n == "version") {
        return Ok(false);
    }
    match fields.iter_mut().find(|(n, _)| n == "phone") {
        Some(f) => f.1 = phone,
        None => fields.push(("phone".to_string(), phone)),
    }
    s.post_form(&format!("/employees/{emp}"), &fields).await
}

async fn one(s: &Session, w: &Work, tally: &Mutex<Tally>) {
    let kind = rand::thread_rng().gen_range(0..3);
    let t = Instant::now();
    let (name, ok) = match kind {
        0 => ("assess", assess(s, w).await),
        1 => ("decide", decide(s, w).await),
        _ => ("edit", edit(s, w).await),
    };
    let ok = ok.unwrap_or(false);
    let dt = t.elapsed();
    let mut tally = tally.lock().unwrap_or_else(|e| e.into_inner());
    tally.took.push(dt);
    if ok {
        tally.done += 1;
    } else {
        tally.failed += 1;
        *tally.failures.entry(name).or_default() += 1;
    }
}

/// The machine's busy CPU time so far (all cores, every process: client, portal, database), in
/// clock ticks: /proc/stat's first line without idle and iowait.
fn busy_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let v: Vec<u64> = stat.lines().next()?.split_whitespace().skip(1).filter_map(|x| x.parse().ok()).collect();
    Some(v.iter().sum::<u64>() - v.get(3)? - v.get(4)?)
}

/// This process's own CPU time so far (user + system), in clock ticks.
fn own_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = &stat[stat.rfind(')')? + 2..];
    let v: Vec<&str> = after.split_whitespace().collect();
    Some(v.get(11)?.parse::<u64>().ok()? + v.get(12)?.parse::<u64>().ok()?)
}

const CLOCK_TICKS_PER_SECOND: f64 = 100.0;

pub async fn run(pool: &sqlx::PgPool, args: Args) -> anyhow::Result<()> {
    let employees: Vec<i64> = sqlx::query_scalar("select id from employees where active order by random() limit 2000")
        .fetch_all(pool)
        .await?;
    let competencies: Vec<i64> = sqlx::query_scalar("select id from competencies where active").fetch_all(pool).await?;
    // Pending self-assessments to decide, spread over the organisation: topped up to 3 000, so
    // repeated runs on a kept database do not pile up a queue no office has (each run decides
    // only some of them).
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
         select e.id, (select id from competencies where active order by random() + e.id * 0 limit 1), 3,
                current_date, 'self', 'pending' from employees e where e.active order by random()
         limit greatest(0, 3000 - (select count(*) from assessments where status = 'pending'))",
    )
    .execute(pool)
    .await?;
    let mut pending: Vec<i64> =
        sqlx::query_scalar("select id from assessments where status = 'pending' order by random()")
            .fetch_all(pool)
            .await?;
    let today = chrono::Local::now().date_naive().to_string();
    let tally = Arc::new(Mutex::new(Tally::default()));
    let (start, ticks0, own0);
    match args.mode {
        Mode::Rate => {
            let work = Arc::new(Work { employees, competencies, pending: Mutex::new(pending), today });
            let s = Arc::new(Session::sign_in(&args.base, "kepegawaian").await?);
            if let Some(ready) = &args.ready {
                std::fs::write(ready, "ready\n")?;
            }
            (start, ticks0, own0) = (Instant::now(), busy_ticks(), own_ticks());
            let interval = Duration::from_secs_f64(1.0 / args.n.max(0.001));
            let mut next = start;
            while start.elapsed().as_secs_f64() < args.secs {
                let (s, w, t) = (s.clone(), work.clone(), tally.clone());
                tokio::spawn(async move { one(&s, &w, &t).await });
                // Behind (the benchmark pauses this process between the measurements of its
                // rate): go on from now, never a burst to catch up.
                let now = Instant::now();
                next = if next + interval < now { now + interval } else { next + interval };
                tokio::time::sleep_until(next.into()).await;
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        Mode::Writers => {
            let writers = args.n.max(1.0) as usize;
            // Signed in one after another (sign-in throttling refuses a burst of them).
            let mut sessions = Vec::with_capacity(writers);
            for _ in 0..writers {
                sessions.push(Session::sign_in(&args.base, "kepegawaian").await?);
            }
            // Each writer decides its own share of the pending assessments.
            let mut shares: Vec<Vec<i64>> = vec![Vec::new(); writers];
            for (i, a) in pending.drain(..).enumerate() {
                shares[i % writers].push(a);
            }
            (start, ticks0, own0) = (Instant::now(), busy_ticks(), own_ticks());
            let mut tasks = Vec::with_capacity(writers);
            for (s, share) in sessions.into_iter().zip(shares) {
                let work = Work {
                    employees: employees.clone(),
                    competencies: competencies.clone(),
                    pending: Mutex::new(share),
                    today: today.clone(),
                };
                let (t, secs) = (tally.clone(), args.secs);
                tasks.push(tokio::spawn(async move {
                    while start.elapsed().as_secs_f64() < secs {
                        one(&s, &work, &t).await;
                    }
                }));
            }
            for t in tasks {
                t.await?;
            }
        }
    }
    let wall = start.elapsed().as_secs_f64();
    let (ticks1, own1) = (busy_ticks(), own_ticks());
    let mut tally = std::mem::take(&mut *tally.lock().unwrap_or_else(|e| e.into_inner()));
    tally.took.sort();
    let pct = |q: f64| {
        if tally.took.is_empty() {
            return 0;
        }
        let i = ((q * tally.took.len() as f64) as usize).min(tally.took.len() - 1);
        tally.took[i].as_millis()
    };
    let mut out = serde_json::json!({
        "writes": tally.done,
        "failed": tally.failed,
        "failures": tally.failures,
        "per_s": (tally.done as f64 / wall * 10.0).round() / 10.0,
        "p50_ms": pct(0.5),
        "p99_ms": pct(0.99),
    });
    if matches!(args.mode, Mode::Writers)
        && tally.done > 0
        && let (Some(t0), Some(t1), Some(o0), Some(o1)) = (ticks0, ticks1, own0, own1)
    {
        // What one write costs the machine (this client included, shown apart), and how many
        // cores were busy: with every core busy, writes/s cannot exceed cores / cpu per write.
        let busy = (t1 - t0) as f64 / CLOCK_TICKS_PER_SECOND;
        let client = (o1 - o0) as f64 / CLOCK_TICKS_PER_SECOND;
        out["cpu_ms_per_write"] = serde_json::json!((busy * 10_000.0 / tally.done as f64).round() / 10.0);
        out["client_cpu_ms_per_write"] = serde_json::json!((client * 10_000.0 / tally.done as f64).round() / 10.0);
        out["busy_cores"] = serde_json::json!((busy / wall * 100.0).round() / 100.0);
        out["cores"] = serde_json::json!(std::thread::available_parallelism().map_or(1, |n| n.get()));
    }
    println!("{out}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_form_is_read_as_a_browser_sends_it() {
        let page = r#"<form action="/other"><input name="x" value="no"></form>
            <!-- <form action="/employees/7"> -->
            <form method="post" action="/employees/7">
              <input type="hidden" name="version" value="3">
              <input name="name" value="Dewi &amp; &quot;Ani&quot; &#39;x&#39;">
              <input type="checkbox" name="roles" value="hr" checked><input type="checkbox" name="roles" value="admin">
              <input type="radio" name="kind" value="a"><input type="radio" name="kind" value="b" checked/>
              <select name="unit"><option value="1">A</option><option value="2" selected>B &gt; C</option></select>
              <select name="grade"><option value="IV">IV</option><option value="III/a">III/a</option></select>
              <textarea name="note">
line &lt;one&gt;</textarea>
              <input type="submit" name="go" value="Simpan">
            </form><input name="after" value="no">"#;
        let fields = form_fields(page, "/employees/7");
        let want: Vec<(String, String)> = [
            ("version", "3"),
            ("name", "Dewi & \"Ani\" 'x'"),
            ("roles", "hr"),
            ("kind", "b"),
            ("unit", "2"),
            ("grade", "IV"),
            ("note", "line <one>"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(fields, want);
        assert_eq!(unescape("a &#x41;&#66; &bogus c & d"), "a AB &bogus c & d");
    }
}
