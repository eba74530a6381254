//! TestApp: the real router over a fresh database, and a cookie-keeping client.

use std::{collections::HashMap, net::SocketAddr};

use axum::{
    Router,
    body::Body,
    extract::ConnectInfo,
    http::{HeaderMap, Method, Request, StatusCode, header},
};
use cakap::{AppState, Config, app::router, auth::session, seed};
use sqlx::PgPool;
use tower::ServiceExt as _;

pub const PW: &str = seed::DEMO_PASSWORD;

/// Count the SQL statements sqlx runs while `f` runs on this thread (sqlx logs each one as a
/// `sqlx::query` tracing event). One global subscriber counts into a thread-local slot, so
/// tests running side by side do not disturb each other.
pub async fn count_queries<F: std::future::Future>(f: F) -> (F::Output, usize) {
    use std::cell::Cell;

    use tracing::subscriber::Interest;
    use tracing_subscriber::{Layer, layer::SubscriberExt as _};

    thread_local! {
        static COUNT: Cell<Option<usize>> = const { Cell::new(None) };
    }
    struct Counter;
    impl<S: tracing::Subscriber> Layer<S> for Counter {
        fn register_callsite(&self, m: &'static tracing::Metadata<'static>) -> Interest {
            if m.target() == "sqlx::query" { Interest::always() } else { Interest::never() }
        }
        fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
            if event.metadata().target() == "sqlx::query" {
                COUNT.with(|c| c.set(c.get().map(|n| n + 1)));
            }
        }
    }
    static INIT: std::sync::Once = std::sync::Once::new();
    INIT.call_once(|| {
        let _ = tracing::subscriber::set_global_default(tracing_subscriber::registry().with(Counter));
    });
    COUNT.with(|c| c.set(Some(0)));
    let out = f.await;
    let n = COUNT.with(|c| c.replace(None)).unwrap_or(0);
    (out, n)
}

pub struct TestApp {
    pub pool: PgPool,
    pub state: AppState,
    pub router: Router,
}

pub fn test_config(pool: &PgPool) -> Config {
    let opts = pool.connect_options();
    let db = opts.get_database().unwrap_or("postgres");
    let host = opts.get_host();
    let port = opts.get_port();
    let user = opts.get_username();
    Config::for_tests(&format!("postgres://{user}@{host}:{port}/{db}"))
}

/// The migrations, the seed code and the rules, hashed: a template made from other code is not
/// reused. The rules are hashed as this build embeds them (a file edited after the build would
/// name a template holding rules this build does not apply).
fn template_name() -> String {
    use sha2::{Digest as _, Sha256};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    // Every file under these folders, the seed's subfolders (`seed/development/` …) too.
    fn walk(dir: &std::path::Path, files: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).expect("read dir").flatten() {
            let path = e.path();
            if path.is_dir() { walk(&path, files) } else { files.push(path) }
        }
    }
    let mut files: Vec<std::path::PathBuf> = vec![];
    for dir in ["migrations", "src/seed"] {
        walk(&root.join(dir), &mut files);
    }
    files.sort();
    let mut h = Sha256::new();
    for f in files {
        let name = f.strip_prefix(root).unwrap_or(&f);
        h.update(name.as_os_str().as_encoded_bytes());
        h.update(std::fs::read(&f).expect("read file"));
    }
    for (name, sql) in cakap::app::rules::RULES {
        h.update(name.as_bytes());
        h.update(sql.as_bytes());
    }
    let hex: String = h.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect();
    format!("cakap_tpl_{hex}")
}

static TEMPLATE: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();
static CLONES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// The migrated, demo-seeded template database: made once (per change of migrations or seed),
/// then cloned for each test, which is far quicker than seeding every test's database.
async fn template(admin: &PgPool) -> String {
    TEMPLATE
        .get_or_init(|| async {
            let name = template_name();
            let mut conn = admin.acquire().await.expect("admin connection");
            // One test process at a time makes the template; stale clones of an earlier run go.
            sqlx::query("select pg_advisory_lock(727099)").execute(&mut *conn).await.expect("lock");
            let stale: Vec<String> = sqlx::query_scalar(
                "select datname from pg_database where datname like 'cakap_clone_%' or (datname like 'cakap_tpl_%' and datname <> $1)",
            )
            .bind(&name)
            .fetch_all(&mut *conn)
            .await
            .expect("list");
            for db in stale {
                let _ = sqlx::query(&format!("drop database if exists \"{db}\" with (force)")).execute(&mut *conn).await;
            }
            let exists: bool = sqlx::query_scalar("select exists(select 1 from pg_database where datname = $1)")
                .bind(&name)
                .fetch_one(&mut *conn)
                .await
                .expect("exists");
            if !exists {
                let building = format!("{name}_building");
                let _ = sqlx::query(&format!("drop database if exists \"{building}\" with (force)")).execute(&mut *conn).await;
                sqlx::query(&format!("create database \"{building}\"")).execute(&mut *conn).await.expect("create template");
                let opts = admin.connect_options().as_ref().clone().database(&building);
                let tpl = sqlx::postgres::PgPoolOptions::new().max_connections(2).connect_with(opts).await.expect("connect");
                cakap::app::db::migrate(&tpl).await.expect("migrate template");
                seed::demo(&tpl).await.expect("seed template");
                tpl.close().await;
                sqlx::query(&format!("alter database \"{building}\" rename to \"{name}\""))
                    .execute(&mut *conn)
                    .await
                    .expect("rename template");
            }
            sqlx::query("select pg_advisory_unlock(727099)").execute(&mut *conn).await.expect("unlock");
            name
        })
        .await
        .clone()
}

impl TestApp {
    /// The router over a fresh copy of the seeded demo department (cloned from a template
    /// database; `pool` only tells which server to use).
    pub async fn seeded(pool: PgPool) -> Self {
        let admin_opts = pool.connect_options().as_ref().clone().database("postgres");
        let admin =
            sqlx::postgres::PgPoolOptions::new().max_connections(1).connect_with(admin_opts).await.expect("admin");
        let tpl = template(&admin).await;
        let n = CLONES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let clone = format!("cakap_clone_{}_{n}", std::process::id());
        // A template cannot be copied while anyone is connected to it; retry briefly if so.
        let mut tries = 0;
        loop {
            match sqlx::query(&format!("create database \"{clone}\" template \"{tpl}\"")).execute(&admin).await {
                Ok(_) => break,
                Err(e) if tries < 50 => {
                    tries += 1;
                    tracing::debug!(error = %e, "template busy");
                    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                }
                Err(e) => panic!("clone template: {e}"),
            }
        }
        admin.close().await;
        let opts = pool.connect_options().as_ref().clone().database(&clone);
        let cloned =
            sqlx::postgres::PgPoolOptions::new().max_connections(8).connect_with(opts).await.expect("connect clone");
        pool.close().await;
        Self::bare(cloned)
    }

    /// The router over the empty database `#[sqlx::test]` made: sqlx ran the migrations, this adds
    /// the rules (`db/rules/`), as every start of the portal does.
    pub async fn fresh(pool: PgPool) -> Self {
        cakap::app::rules::apply(&pool).await.expect("apply the rules");
        Self::bare(pool)
    }

    /// The router over a database that is ready (migrated, with the rules).
    pub fn bare(pool: PgPool) -> Self {
        let config = test_config(&pool);
        Self::with_config(pool, config)
    }

    /// The router over a ready database with its own configuration (a setting under test).
    pub fn with_config(pool: PgPool, config: cakap::app::config::Config) -> Self {
        let state = AppState::new(pool.clone(), config);
        let router = router::build(state.clone());
        Self { pool, state, router }
    }

    /// `with_config` of the test configuration with sessions reused for `reuse` (as the portal
    /// does), where the tests otherwise read every session afresh.
    pub fn reusing_sessions(pool: PgPool, reuse: std::time::Duration) -> Self {
        let mut config = test_config(&pool);
        config.session_reuse = reuse;
        Self::with_config(pool, config)
    }

    pub fn client(&self) -> Client {
        Client { router: self.router.clone(), cookies: HashMap::new(), ip: "10.0.0.1".into() }
    }

    /// A client already signed in as `username` (a session made directly, no password check).
    pub async fn as_user(&self, username: &str) -> Client {
        let mut c = self.client();
        let id: i64 = sqlx::query_scalar("select id from accounts where username = $1")
            .bind(username)
            .fetch_one(&self.pool)
            .await
            .expect("account exists");
        let mut conn = self.pool.acquire().await.expect("conn");
        let token = session::create(&mut conn, &self.state, id, "10.0.0.1", "test").await.expect("session");
        c.cookies.insert(session::SESSION_COOKIE.into(), token);
        c
    }

    /// Wait until `n` statements of this test's database wait for a lock: the requests under test
    /// are known to be blocked before the test releases what it holds (no sleeps guessing it).
    pub async fn wait_for_locks(&self, n: i64) {
        for _ in 0..250 {
            let waiting = self
                .scalar(
                    "select count(*) from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
                )
                .await;
            if waiting >= n {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        panic!("the requests never waited for the lock");
    }

    /// One number from the database (ids and counts in assertions).
    pub async fn scalar(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql).fetch_one(&self.pool).await.expect(sql)
    }

    pub async fn audit_count(&self, action: &str) -> i64 {
        sqlx::query_scalar("select count(*) from audit_log where action = $1")
            .bind(action)
            .fetch_one(&self.pool)
            .await
            .expect("count")
    }
}

pub struct Client {
    router: Router,
    pub cookies: HashMap<String, String>,
    pub ip: String,
}

#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: String,
    /// The body as sent (files: XLSX, PDF).
    pub bytes: axum::body::Bytes,
}

impl Resp {
    pub fn location(&self) -> &str {
        self.headers.get(header::LOCATION).and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

impl Client {
    /// The same browser (cookies) talking to another portal node.
    pub fn via(&self, node: &TestApp) -> Client {
        Client { router: node.router.clone(), cookies: self.cookies.clone(), ip: self.ip.clone() }
    }

    /// A second client with the same session and cookies (two tabs of one browser).
    pub fn clone_session(&self) -> Client {
        Client { router: self.router.clone(), cookies: self.cookies.clone(), ip: self.ip.clone() }
    }

    pub fn csrf(&self) -> String {
        self.cookies.get("cakap_csrf").cloned().unwrap_or_default()
    }

    pub async fn send(&mut self, mut req: Request<Body>) -> Resp {
        let cookie: Vec<String> = self.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
        if !cookie.is_empty() {
            req.headers_mut().insert(header::COOKIE, cookie.join("; ").parse().expect("cookie header"));
        }
        if let Ok(addr) = format!("{}:40000", self.ip).parse::<SocketAddr>() {
            req.extensions_mut().insert(ConnectInfo(addr));
        }
        let res = self.router.clone().oneshot(req).await.expect("infallible");
        for v in res.headers().get_all(header::SET_COOKIE) {
            let s = v.to_str().unwrap_or("");
            let first = s.split(';').next().unwrap_or("");
            if let Some((k, val)) = first.split_once('=') {
                if s.contains("Max-Age=0") || val.is_empty() {
                    self.cookies.remove(k);
                } else {
                    self.cookies.insert(k.to_string(), val.to_string());
                }
            }
        }
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("body");
        Resp { status, headers, body: String::from_utf8_lossy(&bytes).into_owned(), bytes }
    }

    pub async fn get(&mut self, path: &str) -> Resp {
        let req = Request::get(path).body(Body::empty()).expect("request");
        self.send(req).await
    }

    pub async fn get_json(&mut self, path: &str) -> Resp {
        let req = Request::get(path).header(header::ACCEPT, "application/json").body(Body::empty()).expect("request");
        self.send(req).await
    }

    /// Make sure the CSRF cookie exists (as a browser would after any page).
    pub async fn prime(&mut self) {
        if self.csrf().is_empty() {
            self.get("/healthz").await;
        }
    }

    /// Post a form with the CSRF token added.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Resp {
        self.prime().await;
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        let token = self.csrf();
        all.push(("csrf_token", &token));
        let body = serde_urlencoded::to_string(&all).expect("form");
        self.post_raw(path, "application/x-www-form-urlencoded", body.into_bytes()).await
    }

    pub async fn post_raw(&mut self, path: &str, content_type: &str, body: Vec<u8>) -> Resp {
        let req = Request::builder()
            .method(Method::POST)
            .uri(path)
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .expect("request");
        self.send(req).await
    }

    /// Post a multipart form (the CSRF token goes in the query string, as the pages do).
    pub async fn post_multipart(
        &mut self,
        path: &str,
        fields: &[(&str, &str)],
        file: Option<(&str, &str, &[u8])>,
    ) -> Resp {
        self.prime().await;
        let boundary = "cakapTestBoundary7MA4YWxk";
        let mut body: Vec<u8> = vec![];
        for (k, v) in fields {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        if let Some((name, filename, bytes)) = file {
            body.extend(
                format!(
                    "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            );
            body.extend(bytes);
            body.extend(b"\r\n");
        }
        body.extend(format!("--{boundary}--\r\n").as_bytes());
        let sep = if path.contains('?') { '&' } else { '?' };
        let url = format!("{path}{sep}csrf_token={}", self.csrf());
        self.post_raw(&url, &format!("multipart/form-data; boundary={boundary}"), body).await
    }

    /// Open an edit form (`form_path`) and post `fields` to `path` with the version and values it
    /// was loaded with, as a browser submitting that form does.
    pub async fn post_edit(&mut self, form_path: &str, path: &str, fields: &[(&str, &str)]) -> Resp {
        let page = self.get(form_path).await;
        let version = hidden(&page.body, "version");
        let base = hidden(&page.body, "base");
        let mut all: Vec<(&str, &str)> = fields.to_vec();
        all.push(("version", &version));
        all.push(("base", &base));
        self.post(path, &all).await
    }

    /// Upload a file to import and follow to its preview.
    pub async fn upload(&mut self, kind: &str, name: &str, bytes: &[u8]) -> Resp {
        let r = self.post_multipart(&format!("/imports/{kind}"), &[], Some(("file", name, bytes))).await;
        if r.status == StatusCode::SEE_OTHER {
            let to = r.location().to_string();
            return self.get(&to).await;
        }
        r
    }

    pub async fn login(&mut self, username: &str, password: &str) -> Resp {
        self.post("/login", &[("username", username), ("password", password), ("next", "/")]).await
    }
}

/// The value of an input (hidden or not) in a page, unescaped.
pub fn hidden(body: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\"");
    let tag = body.split(&marker).nth(1).and_then(|s| s.split('>').next()).unwrap_or("");
    let raw = tag.split("value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("");
    raw.replace("&#34;", "\"")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&#60;", "<")
        .replace("&gt;", ">")
        .replace("&#62;", ">")
        .replace("&amp;", "&")
        .replace("&#38;", "&")
}

/// One item waiting for a decision: its audit entity, the table of its row, its id, the paths
/// that approve and reject it, and the audit actions of a decision on it.
pub struct Waiting {
    pub entity: &'static str,
    pub table: &'static str,
    pub id: i64,
    pub approve: String,
    pub reject: String,
    pub actions: &'static [&'static str],
}

/// One item of each kind that waits for a decision, for the staff member `pegawai` (whom HR and
/// the head of Aptika decide for): a self-assessment, a training request, an informal activity
/// and a nomination to a free 2031 training charged to Aptika.
pub async fn waiting_of_each_kind(app: &TestApp) -> Vec<Waiting> {
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let comp = app.scalar("select id from competencies where code = 'APL-02'").await;
    let asm = app
        .scalar(&format!(
            "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
             values ({own}, {comp}, 3, current_date, 'self', 'pending') returning id"
        ))
        .await;
    let req = app
        .scalar(&format!(
            "insert into training_requests (employee_id, competency_id, target_level, reason)
             values ({own}, {comp}, 3, 'Perlu') returning id"
        ))
        .await;
    let act = app
        .scalar(&format!(
            "with a as (insert into activities (kind, competency_id, held_on, minutes, topic, status)
                        values ('mentoring', {comp}, current_date, 60, 'Bersamaan', 'pending') returning id)
             insert into activity_learners select id, {own} from a returning activity_id"
        ))
        .await;
    let t = app
        .scalar(
            "insert into trainings (title, form, jenis_diklat, starts_on, ends_on, jp, cost_per_participant, budget_year,
                                    budget_unit_id, quota, place, status)
             select 'Bersamaan', 'teknis', 3, '2031-05-01', '2031-05-02', 16, 0, 2031, id, 3, 'Bandung', 'open'
             from units where code = 'APT' returning id",
        )
        .await;
    let part = app
        .scalar(&format!(
            "insert into training_participants (training_id, employee_id) values ({t}, {own}) returning id"
        ))
        .await;
    let item = |entity, table, id, approve: &str, actions| Waiting {
        entity,
        table,
        id,
        approve: approve.to_string(),
        reject: format!("{}/reject", approve.rsplit_once('/').map_or("", |(base, _)| base)),
        actions,
    };
    vec![
        item(
            "assessment",
            "assessments",
            asm,
            &format!("/assessments/{asm}/validate"),
            &["validate", "reject", "confirm_instead"],
        ),
        item(
            "training_request",
            "training_requests",
            req,
            &format!("/training-requests/{req}/approve"),
            &["approve", "reject"],
        ),
        item("activity", "activities", act, &format!("/activities/{act}/confirm"), &["confirm", "reject"]),
        item(
            "participant",
            "training_participants",
            part,
            &format!("/participants/{part}/approve"),
            &["approve", "approve_over_budget", "reject"],
        ),
    ]
}

/// The fields of an employee's edit form as stored, with `position` replaced.
pub async fn employee_fields(app: &TestApp, id: i64, position: i64) -> Vec<(String, String)> {
    let v: Vec<String> = sqlx::query_scalar(
        "select array[nip, status, front_title, name, back_title, sex, birth_date::text, coalesce(rank_code, ''),
                      coalesce(education_level, ''), education_field, coalesce(email, ''), coalesce(phone, '')]
         from employees where id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("employee");
    let keys = [
        "nip",
        "status",
        "front_title",
        "name",
        "back_title",
        "sex",
        "birth_date",
        "rank",
        "education_level",
        "education_field",
        "email",
        "phone",
    ];
    let mut fields: Vec<(String, String)> = keys.iter().zip(v).map(|(k, v)| (k.to_string(), v)).collect();
    fields.push(("position".into(), position.to_string()));
    fields
}

/// 400 more active positions ("Analis Uji Sistem 1" … "200" in the bidang APT and INF), so that
/// the demo agency has more than the employee form lists (`POSITION_LIST_MAX`).
pub async fn many_positions(app: &TestApp) {
    sqlx::query(
        "insert into positions (unit_id, name, kind)
         select u.id, 'Analis Uji Sistem ' || g, 'pelaksana' from generate_series(1, 200) g
         cross join (select id from units where code in ('APT', 'INF')) u",
    )
    .execute(&app.pool)
    .await
    .expect("positions");
}

/// 160 more sections under Aplikasi ("Seksi Uji 001" … "160", codes UJI-1 … UJI-160) and one
/// more "Seksi Uji 001" under Infrastruktur (UJX-1), so that the demo agency has more open units
/// than the campaign form lists.
pub async fn many_units(app: &TestApp) {
    sqlx::query(
        "insert into units (parent_id, code, name, kind)
         select (select id from units where code = 'APT'), 'UJI-' || g, 'Seksi Uji ' || lpad(g::text, 3, '0'), 'seksi'
         from generate_series(1, 160) g
         union all select (select id from units where code = 'INF'), 'UJX-1', 'Seksi Uji 001', 'seksi'",
    )
    .execute(&app.pool)
    .await
    .expect("units");
}

/// One of `many_positions`: "Analis Uji Sistem {n}" of unit `code`, its id and its unit's name.
pub async fn test_position(app: &TestApp, n: i64, code: &str) -> (i64, String) {
    sqlx::query_as(
        "select p.id, u.name from positions p join units u on u.id = p.unit_id
         where p.name = 'Analis Uji Sistem ' || $1 and u.code = $2",
    )
    .bind(n.to_string())
    .bind(code)
    .fetch_one(&app.pool)
    .await
    .expect("a test position")
}
