//! Health check, error pages, security headers, static files, graceful shutdown, the binary's
//! start-up errors, the demo seed and the project-local PostgreSQL bring-up.

use std::{
    io::{BufRead as _, BufReader, Read as _},
    process::{Command, Stdio},
    time::Duration,
};

use axum::{Router, http::StatusCode, routing::get};
use cakap::{AppState, Config, app::router, seed};
use sqlx::PgPool;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use crate::helpers::{TestApp, test_config};

/// An app whose database is not there (nothing listens on port 1).
fn app_without_database() -> TestApp {
    let config = Config::for_tests("postgres://postgres@127.0.0.1:1/nothing");
    let pool = cakap::app::db::pool_options(&config)
        .acquire_timeout(Duration::from_millis(500))
        .connect_lazy(&config.database_url)
        .expect("lazy pool");
    let state = AppState::new(pool.clone(), config);
    TestApp { router: router::build(state.clone()), pool, state }
}

#[sqlx::test]
async fn healthz_is_ok_when_the_database_answers(pool: PgPool) {
    let app = TestApp::fresh(pool).await;
    let r = app.client().get("/healthz").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body, "ok");
}

#[tokio::test]
async fn healthz_is_503_and_pages_are_friendly_without_database() {
    let app = app_without_database();
    let mut c = app.client();
    let r = c.get("/healthz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    // A signed-in page needs the database to load the session: the friendly page, no SQL.
    c.cookies.insert("cakap_session".into(), "whatever".into());
    let r = c.get("/").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.body.contains("Layanan sedang tidak tersedia"), "{}", r.body);
    assert!(!r.body.to_lowercase().contains("sqlx") && !r.body.contains("127.0.0.1:1"));
    let r = c.get_json("/").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["error"], "service_unavailable");
}

#[sqlx::test]
async fn unknown_pages_get_a_friendly_404_in_both_languages_and_json(pool: PgPool) {
    let app = TestApp::fresh(pool).await;
    let mut c = app.client();
    let r = c.get("/tidak-ada").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.headers["content-type"].to_str().unwrap_or("").starts_with("text/html"));
    assert!(r.body.contains("Halaman tidak ditemukan"));
    assert!(r.body.contains("lang=\"id\""));
    let r = c.get("/lang/en?next=/tidak-ada").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/tidak-ada");
    let r = c.get("/tidak-ada").await;
    assert!(r.body.contains("Page not found") && r.body.contains("lang=\"en\""));
    let r = c.get_json("/tidak-ada").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    let v: serde_json::Value = serde_json::from_str(&r.body).expect("json");
    assert_eq!(v["error"], "not_found");
    // The language switch only follows local paths.
    let r = c.get("/lang/id?next=//evil.example").await;
    assert_eq!(r.location(), "/");
}

#[sqlx::test]
async fn security_headers_and_static_files(pool: PgPool) {
    let app = TestApp::fresh(pool).await;
    let mut c = app.client();
    let r = c.get("/login").await;
    assert_eq!(r.status, StatusCode::OK);
    let csp = r.headers["content-security-policy"].to_str().unwrap_or("");
    assert!(
        csp.contains("default-src 'self'") && !csp.contains("unsafe-inline") && csp.contains("frame-ancestors 'none'")
    );
    assert_eq!(r.headers["x-content-type-options"], "nosniff");
    assert_eq!(r.headers["x-frame-options"], "DENY");
    assert_eq!(r.headers["referrer-policy"], "same-origin");
    assert!(!r.body.contains("<script>") && !r.body.contains("style=\""), "no inline script or style");
    let css = c.get("/static/css/app.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(css.headers["cache-control"].to_str().unwrap_or("").contains("max-age"));
    assert!(css.body.contains("--accent"));
    assert_eq!(c.get("/static/js/app.js").await.status, StatusCode::OK);
    // Pages link fingerprinted names, cached for a year and sent gzip-compressed once made.
    let fingerprinted = r
        .body
        .split("href=\"")
        .filter_map(|p| p.split('"').next())
        .find(|h| h.starts_with("/static/css/app.") && h.ends_with(".css") && h != &"/static/css/app.css")
        .expect("a fingerprinted stylesheet link")
        .to_string();
    let css = c.get(&fingerprinted).await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.headers["cache-control"], "public, max-age=31536000, immutable");
    assert!(css.body.contains("--accent"));
    let req = axum::http::Request::get(&fingerprinted)
        .header("accept-encoding", "gzip, br")
        .body(axum::body::Body::empty())
        .expect("request");
    let zipped = c.send(req).await;
    assert_eq!(zipped.headers["content-encoding"], "gzip");
    let etag = css.headers["etag"].to_str().expect("etag").to_string();
    let req = axum::http::Request::get(&fingerprinted)
        .header("if-none-match", &etag)
        .body(axum::body::Body::empty())
        .expect("r");
    assert_eq!(c.send(req).await.status, StatusCode::NOT_MODIFIED);
    assert_eq!(c.get("/static/css/nothing.css").await.status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn oversized_and_malformed_bodies_are_refused_cleanly(pool: PgPool) {
    let mut app = TestApp::fresh(pool).await;
    let mut config = (*app.state.config).clone();
    config.max_body_bytes = 1024;
    app.state = AppState::new(app.pool.clone(), config);
    app.router = router::build(app.state.clone());
    let mut c = app.client();
    c.prime().await;
    let big = format!("csrf_token={}&username={}", c.csrf(), "a".repeat(5000));
    let r = c.post_raw("/login", "application/x-www-form-urlencoded", big.into_bytes()).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.body.contains("terlalu besar"), "{}", r.body);
    let mut bad = format!("csrf_token={}&username=", c.csrf()).into_bytes();
    bad.extend_from_slice(&[0xff, 0xfe, 0x80]);
    bad.extend_from_slice(b"&password=x");
    let r = c.post_raw("/login", "application/x-www-form-urlencoded", bad).await;
    assert!(r.status.is_client_error(), "{}", r.status);
    assert!(r.body.contains("<html"));
}

#[sqlx::test]
async fn demo_seed_runs_once(pool: PgPool) {
    assert!(seed::demo(&pool).await.expect("first seed"));
    let count = |p: PgPool| async move {
        sqlx::query_scalar::<_, i64>("select (select count(*) from employees) + (select count(*) from accounts) * 1000")
            .fetch_one(&p)
            .await
            .expect("count")
    };
    let before = count(pool.clone()).await;
    assert!(!seed::demo(&pool).await.expect("second seed"));
    assert_eq!(count(pool.clone()).await, before);
    let employees: i64 = sqlx::query_scalar("select count(*) from employees").fetch_one(&pool).await.expect("n");
    assert!((100..=150).contains(&employees), "about 120 employees, got {employees}");
    // Every NIP has 18 digits and a real birth date that matches the record.
    let bad: i64 = sqlx::query_scalar(
        "select count(*) from employees where nip !~ '^[0-9]{18}$' or to_char(birth_date, 'YYYYMMDD') <> substr(nip, 1, 8)",
    )
    .fetch_one(&pool)
    .await
    .expect("n");
    assert_eq!(bad, 0);
    let units: Vec<String> =
        sqlx::query_scalar("select name from units order by path").fetch_all(&pool).await.expect("units");
    for u in ["Sekretariat", "Bidang Infrastruktur TIK", "Bidang Persandian dan Keamanan Informasi", "Bidang Statistik"]
    {
        assert!(units.iter().any(|n| n == u), "unit {u}");
    }
}

#[sqlx::test]
async fn graceful_shutdown_finishes_requests_in_flight(pool: PgPool) {
    let app = TestApp::fresh(pool).await;
    let (addr, tx, server) = serve_with_slow_page(&app, Duration::from_millis(600)).await;
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    stream.write_all(b"GET /slow HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").await.expect("write");
    tokio::time::sleep(Duration::from_millis(150)).await;
    let _ = tx.send(());
    let mut buf = String::new();
    stream.read_to_string(&mut buf).await.expect("read");
    assert!(buf.starts_with("HTTP/1.1 200"), "{buf}");
    assert!(buf.ends_with("done"));
    let res = tokio::time::timeout(Duration::from_secs(5), server).await.expect("server stops");
    assert!(res.expect("join").is_ok());
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no longer listening");
}

fn cakap() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cakap"));
    c.env_remove("CAKAP_SEED_DEMO").env("RUST_LOG", "warn").stdin(Stdio::null());
    c
}

fn http_get(addr: &str, path: &str) -> String {
    use std::io::Write as _;
    let mut s = std::net::TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(10))).ok();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n").expect("write");
    let mut out = String::new();
    s.read_to_string(&mut out).ok();
    out
}

#[sqlx::test]
async fn binary_serves_and_stops_on_sigterm(pool: PgPool) {
    let url = test_config(&pool).database_url;
    let mut child = cakap()
        .args(["serve", "--demo"])
        .env("DATABASE_URL", &url)
        .env("CAKAP_BIND", "127.0.0.1:0")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    let first = lines.next().expect("a line").expect("utf8");
    assert!(first.contains("running at http://"), "{first}");
    let addr = first.split("http://").nth(1).and_then(|s| s.split('/').next()).expect("address").to_string();
    let rest: Vec<String> = (0..7).filter_map(|_| lines.next().and_then(Result::ok)).collect();
    assert!(rest.iter().any(|l| l.contains("kepegawaian")), "demo logins printed: {rest:?}");
    let a = addr.clone();
    let health = tokio::task::spawn_blocking(move || http_get(&a, "/healthz")).await.expect("join");
    assert!(health.starts_with("HTTP/1.1 200") && health.ends_with("ok"), "{health}");
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().expect("kill").success());
    let status = tokio::task::spawn_blocking(move || child.wait()).await.expect("join").expect("wait");
    assert!(status.success(), "clean exit on SIGTERM: {status:?}");
    let tail: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(tail.iter().any(|l| l.contains("Cakap stopped")), "{tail:?}");
    // Seeded once: a second start does not seed again.
    let out = cakap().arg("seed-demo").env("DATABASE_URL", &url).output().expect("run");
    assert!(String::from_utf8_lossy(&out.stdout).contains("already seeded"));
}

fn assert_one_clear_line(out: &std::process::Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "must fail");
    assert!(err.contains(needle), "stderr: {err}");
    assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "no panic: {err}");
    assert_eq!(err.lines().filter(|l| l.starts_with("cakap:")).count(), 1, "{err}");
}

#[sqlx::test]
async fn port_in_use_wrong_url_and_unknown_migration_fail_clearly(pool: PgPool) {
    let url = test_config(&pool).database_url;
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = cakap().arg("serve").env("DATABASE_URL", &url).env("CAKAP_BIND", &addr).output().expect("run");
    assert_one_clear_line(&out, "already in use");

    let out =
        cakap().arg("migrate").env("DATABASE_URL", "postgres://postgres@127.0.0.1:1/nothing").output().expect("run");
    assert_one_clear_line(&out, "cannot connect to the database");

    let out = cakap().arg("migrate").env("DATABASE_URL", "not a url").output().expect("run");
    assert_one_clear_line(&out, "cannot connect to the database");

    let out = cakap().arg("migrate").env_remove("DATABASE_URL").output().expect("run");
    assert_one_clear_line(&out, "DATABASE_URL is not set");

    sqlx::query(
        "insert into _sqlx_migrations (version, description, success, checksum, execution_time)
         values (29991231000000, 'from the future', true, '\\x00', 0)",
    )
    .execute(&pool)
    .await
    .expect("fake migration");
    let out = cakap().arg("migrate").env("DATABASE_URL", &url).output().expect("run");
    assert_one_clear_line(&out, "does not know it");
}

#[sqlx::test]
async fn create_user_cli_makes_a_first_admin(pool: PgPool) {
    let url = test_config(&pool).database_url;
    let out = cakap()
        .args(["create-user", "--username", "root.admin", "--role", "admin"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("run");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let password =
        stdout.split("One-time password: ").nth(1).and_then(|s| s.split_whitespace().next()).expect("password shown");
    let app = TestApp::bare(pool.clone());
    let mut c = app.client();
    let r = c.login("root.admin", password).await;
    assert_eq!(r.location(), "/");
    assert_eq!(c.get("/").await.location(), "/password", "must change the one-time password first");
    let out = cakap()
        .args(["create-user", "--username", "root.admin", "--role", "admin"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("run");
    assert_one_clear_line(&out, "already exists");
    let out = cakap()
        .args(["create-user", "--username", "x", "--role", "boss"])
        .env("DATABASE_URL", &url)
        .output()
        .expect("run");
    assert_one_clear_line(&out, "unknown role");
}

/// Each test's own server listens on a port below the kernel's ephemeral range (32768 and up):
/// there, a port picked for a server could already be the local end of some other test's
/// connection, and `pg.sh up` failed now and then under the full suite.
///
/// scripts/pg.sh for a server of a test's own (data in `dir`, on `port`, database `db`).
fn local_pg(dir: std::path::PathBuf, port: u16, db: &'static str) -> impl Fn(&[&str]) -> std::process::Output + Clone {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/pg.sh");
    move |args: &[&str]| {
        Command::new("bash")
            .arg(script)
            .args(args)
            .env("CAKAP_PGDIR", dir.clone())
            .env("CAKAP_PGPORT", port.to_string())
            .env("CAKAP_PGDB", db)
            .output()
            .expect("pg.sh runs")
    }
}

/// The real router plus a `/slow` page (`delay`), served on a port until `tx` is sent.
async fn serve_with_slow_page(
    app: &TestApp,
    delay: Duration,
) -> (std::net::SocketAddr, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<anyhow::Result<()>>) {
    let slow = Router::new().route(
        "/slow",
        get(move || async move {
            tokio::time::sleep(delay).await;
            "done"
        }),
    );
    let router = slow.merge(app.router.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(cakap::app::server::serve(listener, router, async {
        let _ = rx.await;
    }));
    (addr, tx, server)
}

/// scripts/pg.sh: a project-local server, data kept across restarts; the portal's pool
/// recovers by itself when the server comes back.
#[tokio::test]
async fn local_postgres_bring_up_keeps_data_and_portal_recovers() {
    let dir = std::env::temp_dir().join(format!("cakap-pg-it-{}", std::process::id()));
    let port = 21000 + (std::process::id() % 1000) as u16;
    let run = local_pg(dir.clone(), port, "bringup");
    let pg = |cmd: &str| run(&[cmd]);
    let up = pg("up");
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    let url = String::from_utf8_lossy(&up.stdout).trim().trim_start_matches("export DATABASE_URL=").to_string();
    assert!(url.starts_with("postgres://"), "{url}");

    let config = Config::for_tests(&url);
    let pool = cakap::app::db::connect(&config).await.expect("connect");
    cakap::app::db::migrate(&pool).await.expect("migrate");
    assert!(seed::demo(&pool).await.expect("seed"));
    let state = AppState::new(pool.clone(), config.clone());
    let app = TestApp { router: router::build(state.clone()), pool: pool.clone(), state };

    assert!(pg("down").status.success());
    let r = app.client().get("/healthz").await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);

    let again = pg("up");
    assert!(again.status.success(), "{}", String::from_utf8_lossy(&again.stderr));
    let mut ok = false;
    for _ in 0..20 {
        if app.client().get("/healthz").await.status == StatusCode::OK {
            ok = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    assert!(ok, "the portal recovers without a restart");
    assert!(!seed::demo(&pool).await.expect("seed again"), "nothing re-seeded");
    let n: i64 = sqlx::query_scalar("select count(*) from employees").fetch_one(&pool).await.expect("count");
    assert!(n > 100, "data kept");
    pool.close().await;
    let gone = pg("destroy");
    assert!(gone.status.success());
    assert!(!dir.exists());
}

#[sqlx::test]
async fn a_synthetic_organisation_is_valid_and_deterministic(pool: PgPool) {
    let r = cakap::seed::synthetic::seed(&pool, 950, 7).await.expect("seed");
    assert_eq!(r.employees, 950);
    assert_eq!(r.units, 3 * (1 + 4 + 12), "three dinas of 4 bidang with 3 seksi each");
    assert!(r.assessments > 950 * 15, "assessment histories: {}", r.assessments);
    // Every synthetic NIP is a valid PNS NIP whose birth date and sex match the record.
    let rows: Vec<(String, chrono::NaiveDate, String)> = sqlx::query_as(
        "select nip, birth_date, sex from employees where unit_id in (select id from units where code like 'SYN-%')",
    )
    .fetch_all(&pool)
    .await
    .expect("rows");
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 24).expect("date");
    for (nip, birth, sex) in &rows {
        let n = cakap::employees::model::Nip::parse(nip, cakap::employees::model::EmployeeStatus::Pns, today)
            .unwrap_or_else(|e| panic!("{nip}: {e:?}"));
        assert_eq!(n.birth_date(), Some(*birth));
        assert_eq!(n.sex().map(|s| s.as_str().to_string()), Some(sex.clone()));
    }
    let standards: i64 = sqlx::query_scalar(
        "select min(n) from (select count(*) as n from position_standards s join positions p on p.id = s.position_id
         join units u on u.id = p.unit_id where u.code like 'SYN-%' group by p.id) t",
    )
    .fetch_one(&pool)
    .await
    .expect("standards");
    assert_eq!(standards, 20);
    // Development: three years of eighteen trainings per dinas, twenty participants each,
    // evaluations for those who passed, mentoring for one in ten, budgets; consistent with the
    // gap queries.
    let (trainings, participants, evaluated, learners, budgets): (i64, i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from trainings where title like 'Pelatihan Sintetis %'),
                (select count(*) from training_participants tp join trainings t on t.id = tp.training_id where t.title like 'Pelatihan Sintetis %'),
                (select count(*) from training_evaluations),
                (select count(*) from activity_learners l join activities a on a.id = l.activity_id where a.topic like 'Mentoring sintetis #%'),
                (select count(*) from unit_budgets b join units u on u.id = b.unit_id where u.code like 'SYN-%')",
    )
    .fetch_one(&pool)
    .await
    .expect("development");
    // Budgets: three years and next year's, for the plan.
    assert_eq!((trainings, participants, budgets), (3 * 3 * 18, 3 * 3 * 18 * 20, 3 * 4));
    assert!(evaluated > 0 && learners > 50, "evaluations {evaluated}, mentees {learners}");
    let (summarised, staff): (i64, i64) = sqlx::query_as(
        "select (select count(*) from gap_summary(current_date, (select path from units where code = 'SYN-1'))),
                (select count(*) from employees e join units u on u.id = e.unit_id
                  where e.active and u.path like (select path from units where code = 'SYN-1') || '%')",
    )
    .fetch_one(&pool)
    .await
    .expect("gap summary");
    assert!(staff > 0);
    assert_eq!(summarised, staff, "the gap queries see every employee of a dinas");
    let fingerprint = |pool: PgPool| async move {
        sqlx::query_scalar::<_, String>(
            "select md5(string_agg(nip || name || coalesce(rank_code, ''), ',' order by nip)) from employees
             where unit_id in (select id from units where code like 'SYN-%')",
        )
        .fetch_one(&pool)
        .await
        .expect("fingerprint")
    };
    let first = fingerprint(pool.clone()).await;
    // A second run on the same database is refused, not doubled.
    assert!(cakap::seed::synthetic::seed(&pool, 10, 7).await.is_err());
    // The same N and seed on another fresh database give the same people.
    let opts = pool.connect_options().as_ref().clone().database("postgres");
    let admin = sqlx::PgPool::connect_with(opts).await.expect("admin");
    let name = format!("cakap_clone_syn_{}", std::process::id());
    sqlx::query(&format!("drop database if exists \"{name}\"")).execute(&admin).await.expect("drop");
    sqlx::query(&format!("create database \"{name}\"")).execute(&admin).await.expect("create");
    let other =
        sqlx::PgPool::connect_with(pool.connect_options().as_ref().clone().database(&name)).await.expect("other");
    cakap::app::db::migrate(&other).await.expect("migrate");
    cakap::seed::synthetic::seed(&other, 950, 7).await.expect("seed again");
    assert_eq!(fingerprint(other.clone()).await, first);
    other.close().await;
    sqlx::query(&format!("drop database if exists \"{name}\" with (force)")).execute(&admin).await.expect("drop");
}

#[sqlx::test]
async fn a_connection_terminated_by_the_server_answers_503(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    hr.get("/").await;
    // What a PostgreSQL restart does to a session: terminated "due to administrator command".
    let mut conn = app.pool.acquire().await.expect("conn");
    let pid: i32 = sqlx::query_scalar("select pg_backend_pid()").fetch_one(&mut *conn).await.expect("pid");
    let killer = app.pool.clone();
    sqlx::query("select pg_terminate_backend($1)").bind(pid).execute(&killer).await.expect("terminate");
    let err = sqlx::query("select 1").execute(&mut *conn).await.expect_err("terminated");
    assert!(cakap::app::error::is_unavailable(&err), "{err:?}");
    assert_eq!(cakap::app::AppError::Db(err).meta().kind, cakap::app::error::ErrorKind::Unavailable);
}

#[sqlx::test]
async fn two_portal_nodes_on_one_database_behave_as_one(pool: PgPool) {
    let a = TestApp::seeded(pool).await;
    // A second node: its own state (pool, settings cache, clock) and router, the same database.
    let b = TestApp::bare(a.pool.clone());
    let mut on_a = a.client();
    let r = on_a.login("kepegawaian", crate::helpers::PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "signed in on node A");
    // The same browser, now served by node B: the session, CSRF token and flash all hold.
    let mut on_b = on_a.via(&b);
    assert!(on_b.get("/employees").await.body.contains("Pegawai"), "signed in on node B");
    let unit = a.scalar("select id from units where code = 'INF'").await.to_string();
    let page = on_b.get("/units/new").await;
    let token = crate::helpers::hidden(&page.body, "form_token");
    let unit_form = [
        ("code", "DUA-NODE"),
        ("name", "Seksi Dua Node"),
        ("kind", "seksi"),
        ("parent", &unit),
        ("form_token", &token),
    ];
    let r = on_b.post("/units", &unit_form).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    // The flash message set by B shows on A.
    let mut back_on_a = on_b.via(&a);
    assert!(back_on_a.get(r.location()).await.body.contains("disimpan"), "flash across nodes");
    // The same form sent again to the other node creates nothing more.
    back_on_a.post("/units", &unit_form).await;
    assert_eq!(a.scalar("select count(*) from units where code = 'DUA-NODE'").await, 1);
    // Login throttling counts failures on both nodes together.
    let mut x = a.client();
    let mut y = x.via(&b);
    for i in 0..5 {
        let c = if i % 2 == 0 { &mut x } else { &mut y };
        c.login("pegawai", "salah-sekali").await;
    }
    let r = y.login("pegawai", crate::helpers::PW).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "locked across nodes");
    let r = x.login("pegawai", crate::helpers::PW).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    // Logging out on one node ends the session on the other.
    back_on_a.post("/logout", &[]).await;
    assert!(on_b.get("/employees").await.location().starts_with("/login"), "the old cookie no longer works on B");
}

/// The restart drill: eight officers keep saving assessments while PostgreSQL restarts, first
/// cleanly (fast: "terminating connection due to administrator command"), then as a crash
/// (immediate: WAL recovery). Every save that was answered with success is in the database
/// afterwards; every other answer is a clear 503 page, never a 500; the portal recovers by itself.
#[tokio::test]
async fn no_acknowledged_write_is_lost_when_postgres_restarts() {
    let dir = std::env::temp_dir().join(format!("cakap-pg-drill-{}", std::process::id()));
    let port = 22000 + (std::process::id() % 1000) as u16;
    let pg = local_pg(dir, port, "drill");
    let up = pg(&["up"]);
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    let url = String::from_utf8_lossy(&up.stdout).trim().trim_start_matches("export DATABASE_URL=").to_string();
    let mut config = Config::for_tests(&url);
    config.db_max_connections = 10;
    let pool = cakap::app::db::connect(&config).await.expect("connect");
    cakap::app::db::migrate(&pool).await.expect("migrate");
    seed::demo(&pool).await.expect("seed");
    let state = AppState::new(pool.clone(), config.clone());
    let app = TestApp { router: router::build(state.clone()), pool: pool.clone(), state };
    let emp: i64 =
        sqlx::query_scalar("select id from employees order by id limit 1").fetch_one(&pool).await.expect("emp");
    let comp: i64 =
        sqlx::query_scalar("select id from competencies where code = 'APL-01'").fetch_one(&pool).await.expect("comp");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut writers = vec![];
    for w in 0..8 {
        let mut hr = app.as_user("kepegawaian").await;
        hr.prime().await;
        let stop = stop.clone();
        writers.push(tokio::spawn(async move {
            let mut answers = vec![];
            let mut i = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let note = format!("drill-{w}-{i}");
                let r = hr
                    .post_multipart(
                        &format!("/employees/{emp}/assessments"),
                        &[
                            ("competency", &comp.to_string()),
                            ("level", "3"),
                            ("assessed_on", "2026-11-01"),
                            ("source", "supervisor"),
                            ("note", &note),
                        ],
                        None,
                    )
                    .await;
                answers.push((note, r.status, r.body.contains("Layanan sedang tidak tersedia")));
                i += 1;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            answers
        }));
    }
    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = tokio::task::spawn_blocking({
        let pg = pg.clone();
        move || pg(&["restart", "fast"])
    })
    .await
    .expect("join");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    tokio::time::sleep(Duration::from_millis(600)).await;
    let r = tokio::task::spawn_blocking({
        let pg = pg.clone();
        move || pg(&["restart", "immediate"])
    })
    .await
    .expect("join");
    assert!(r.status.success(), "{}", String::from_utf8_lossy(&r.stderr));
    tokio::time::sleep(Duration::from_millis(800)).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let mut answers = vec![];
    for w in writers {
        answers.extend(w.await.expect("writer"));
    }
    let acknowledged: Vec<String> =
        answers.iter().filter(|(_, s, _)| *s == StatusCode::SEE_OTHER).map(|(n, _, _)| n.clone()).collect();
    let refused: Vec<&(String, StatusCode, bool)> =
        answers.iter().filter(|(_, s, _)| *s != StatusCode::SEE_OTHER).collect();
    assert!(acknowledged.len() > 20, "the drill wrote: {} acknowledged", acknowledged.len());
    for (note, status, clear) in &refused {
        assert_eq!(*status, StatusCode::SERVICE_UNAVAILABLE, "{note}: a failed save is a 503, never a 500");
        assert!(clear, "{note}: with the friendly page");
    }
    let stored: Vec<String> = sqlx::query_scalar("select note from assessments where note like 'drill-%'")
        .fetch_all(&pool)
        .await
        .expect("stored");
    let stored: std::collections::HashSet<String> = stored.into_iter().collect();
    let lost: Vec<&String> = acknowledged.iter().filter(|n| !stored.contains(*n)).collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    eprintln!("restart drill: {} acknowledged, {} refused with 503, none lost", acknowledged.len(), refused.len());
    assert_eq!(app.client().get("/healthz").await.status, StatusCode::OK, "recovered by itself");
    pool.close().await;
    assert!(pg(&["destroy"]).status.success());
}

/// A streaming replica (scripts/pg.sh replica-up: pg_basebackup -R) serves the lists; a user's
/// own write is read back from the primary; a replica that lags or is gone is not read from.
#[tokio::test]
async fn a_read_replica_serves_lists_without_hiding_anyone_s_own_writes() {
    let dir = std::env::temp_dir().join(format!("cakap-pg-replica-{}", std::process::id()));
    let port = 23000 + (std::process::id() % 1000) as u16 * 2;
    let pg = local_pg(dir, port, "replicated");
    let up = pg(&["up"]);
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));
    let url = String::from_utf8_lossy(&up.stdout).trim().trim_start_matches("export DATABASE_URL=").to_string();
    let mut config = Config::for_tests(&url);
    let pool = cakap::app::db::connect(&config).await.expect("connect");
    cakap::app::db::migrate(&pool).await.expect("migrate");
    seed::demo(&pool).await.expect("seed");
    let replica_up = pg(&["replica-up"]);
    assert!(replica_up.status.success(), "{}", String::from_utf8_lossy(&replica_up.stderr));
    let read_url = String::from_utf8_lossy(&replica_up.stdout)
        .trim()
        .trim_start_matches("export CAKAP_DATABASE_READ_URL=")
        .to_string();
    config.read_url = Some(read_url.clone());
    config.replica_max_lag = Duration::from_secs(3);
    let state = AppState::new(pool.clone(), config.clone());
    let app = TestApp { router: router::build(state.clone()), pool: pool.clone(), state };
    let replica = app.state.replica.clone().expect("replica configured");
    let replica_db = sqlx::PgPool::connect(&read_url).await.expect("replica connects");
    // Wait until the replica has replayed a fresh write (its replay time is now).
    sqlx::query("update settings set value = value where key = 'jp_per_year'").execute(&pool).await.expect("touch");
    let mut healthy = false;
    for _ in 0..100 {
        replica.recheck();
        let h = app.client().get("/healthz").await.body;
        if h.contains("replica: ok (lag 0.0 s)") {
            healthy = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(healthy, "the replica catches up");
    sqlx::query("select pg_wal_replay_pause()").execute(&replica_db).await.expect("pause replay");

    // Officer A renames a unit (a write to the primary) while the replica stands still.
    let mut a = app.as_user("kepegawaian").await;
    let mut b = app.as_user("kepegawaian").await;
    let unit = app.scalar("select id from units where code = 'APT-PA'").await;
    let parent = app.scalar(&format!("select parent_id from units where id = {unit}")).await.to_string();
    let r = a
        .post_edit(
            &format!("/units/{unit}/edit"),
            &format!("/units/{unit}"),
            &[("code", "APT-PA"), ("name", "Seksi Dari Primer"), ("kind", "seksi"), ("parent", &parent)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    replica.recheck();
    // The audit log is read from the replica on every view (the unit tree is a kept result, which
    // a reader may be served newer than the replica).
    assert!(a.get("/audit").await.body.contains("Seksi Dari Primer"), "A sees their own write (primary)");
    assert!(!b.get("/audit").await.body.contains("Seksi Dari Primer"), "B's list comes from the replica");
    // The replica falls behind more than the allowed lag: everyone reads the primary.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    replica.recheck();
    assert!(b.get("/audit").await.body.contains("Seksi Dari Primer"), "lagging replica not read");
    assert!(app.client().get("/healthz").await.body.contains("replica: lagging"));
    // The replica goes away: reads fall back to the primary, /healthz says so.
    sqlx::query("select pg_wal_replay_resume()").execute(&replica_db).await.expect("resume");
    replica_db.close().await;
    assert!(pg(&["replica-down"]).status.success());
    replica.recheck();
    let h = app.client().get("/healthz").await;
    assert_eq!(h.status, StatusCode::OK);
    assert!(h.body.contains("replica: unreachable"), "{}", h.body);
    let r = b.get("/employees").await;
    assert_eq!(r.status, StatusCode::OK, "lists still work from the primary");
    pool.close().await;
    assert!(pg(&["destroy"]).status.success());
}

#[sqlx::test]
async fn a_scheduled_job_runs_once_whatever_the_number_of_nodes(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let account = app.scalar("select id from accounts where username = 'pegawai'").await;
    sqlx::query(
        "insert into sessions (token_hash, account_id, expires_at, last_seen_at) values ('\\x01', $1, now() - interval '3 days', now() - interval '3 days')",
    )
    .bind(account)
    .execute(&app.pool)
    .await
    .expect("old session");
    sqlx::query("insert into login_attempts (username_key, ip, success, at) values ('x', '1.2.3.4', false, now() - interval '40 days')")
        .execute(&app.pool)
        .await
        .expect("old attempt");
    // Four nodes wake at the same moment.
    let runs = futures_join4(&app.pool).await;
    assert_eq!(runs.iter().filter(|r| r.is_some()).count(), 1, "exactly one node ran it: {runs:?}");
    assert_eq!(runs.iter().flatten().sum::<u64>(), 2, "the expired session and the old attempt are gone");
    assert_eq!(app.scalar("select count(*) from sessions where token_hash = '\\x01'").await, 0);
    // Within the period nobody runs it again.
    assert_eq!(cakap::app::jobs::housekeeping(&app.pool).await.expect("again"), None);
}

async fn futures_join4(pool: &PgPool) -> Vec<Option<u64>> {
    let run = |p: PgPool| tokio::spawn(async move { cakap::app::jobs::housekeeping(&p).await.expect("job") });
    let hs = [run(pool.clone()), run(pool.clone()), run(pool.clone()), run(pool.clone())];
    let mut out = vec![];
    for h in hs {
        out.push(h.await.expect("join"));
    }
    out
}

#[sqlx::test]
async fn graceful_shutdown_under_load_drops_no_request(pool: PgPool) {
    let app = TestApp::fresh(pool).await;
    let (addr, tx, server) = serve_with_slow_page(&app, Duration::from_millis(300)).await;
    // Sixteen requests in flight (slow page and the health check) when the stop signal comes.
    let mut clients = vec![];
    for i in 0..16 {
        let path = if i % 2 == 0 { "/slow" } else { "/healthz" };
        clients.push(tokio::spawn(async move {
            let mut s = tokio::net::TcpStream::connect(addr).await.expect("connect");
            s.write_all(format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n").as_bytes())
                .await
                .expect("write");
            let mut buf = String::new();
            s.read_to_string(&mut buf).await.expect("read");
            buf
        }));
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    let _ = tx.send(());
    for c in clients {
        let answer = c.await.expect("client");
        assert!(answer.starts_with("HTTP/1.1 200"), "an in-flight request was dropped: {answer:?}");
    }
    let res = tokio::time::timeout(Duration::from_secs(5), server).await.expect("server stops");
    assert!(res.expect("join").is_ok());
    assert!(tokio::net::TcpStream::connect(addr).await.is_err(), "no longer listening");
}

#[sqlx::test]
async fn backup_and_restore_give_the_same_records_evidence_included(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let emp = app.scalar("select id from employees order by id limit 1").await;
    let comp = app.scalar("select id from competencies where code = 'APL-02'").await.to_string();
    let pdf: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n";
    let r = hr
        .post_multipart(
            &format!("/employees/{emp}/assessments"),
            &[("competency", &comp), ("level", "4"), ("assessed_on", "2026-10-01"), ("source", "certification")],
            Some(("evidence", "sertifikat.pdf", pdf)),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let url = test_config(&app.pool).database_url;
    let file = std::env::temp_dir().join(format!("cakap-backup-{}.dump", std::process::id()));
    let out = cakap().args(["backup", "--file"]).arg(&file).env("DATABASE_URL", &url).output().expect("backup");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let target =
        format!("{}/cakap_clone_restore_{}", url.rsplit_once('/').map(|(a, _)| a).unwrap_or(&url), std::process::id());
    let out = cakap().args(["restore", "--file"]).arg(&file).env("DATABASE_URL", &target).output().expect("restore");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let restored = sqlx::PgPool::connect(&target).await.expect("restored db");
    let fingerprint = "select concat_ws('|',
        (select count(*) from employees), (select count(*) from units), (select count(*) from positions),
        (select count(*) from position_standards), (select count(*) from assessments), (select count(*) from accounts),
        (select count(*) from audit_log), (select md5(string_agg(md5(data) || filename, ',' order by id)) from evidence_files),
        (select md5(string_agg(nip || name, ',' order by id)) from employees),
        (select string_agg(path, ',' order by id) from units))";
    let before: String = sqlx::query_scalar(fingerprint).fetch_one(&app.pool).await.expect("before");
    let after: String = sqlx::query_scalar(fingerprint).fetch_one(&restored).await.expect("after");
    assert_eq!(before, after, "the same records");
    assert!(before.split('|').nth(7).is_some_and(|h| !h.is_empty()), "evidence files are in the backup");
    // The restored database works: a new unit gets a fresh id, the audit log stays append-only.
    let append_only = sqlx::query("delete from audit_log").execute(&restored).await;
    assert!(append_only.is_err(), "triggers restored");
    sqlx::query("insert into units (parent_id, code, name, kind) select id, 'BARU-RST', 'Baru', 'seksi' from units where parent_id is null limit 1")
        .execute(&restored)
        .await
        .expect("identity sequences restored");
    // Restoring over a database that has data is refused, in one line.
    let out = cakap().args(["restore", "--file"]).arg(&file).env("DATABASE_URL", &target).output().expect("again");
    assert!(!out.status.success());
    assert_one_clear_line(&out, "not empty");
    restored.close().await;
    let _ = std::fs::remove_file(&file);
}
