//! Sign-in under attack: guesses sent at once, hostile `next` targets and bytes, HSTS, the
//! password policy in both languages.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{PW, TestApp, hidden};

/// Send these sign-ins (username, password, address) at once, each from its own client: every
/// client is ready (its form token in hand) before any is let go, together, by a barrier.
async fn at_once(app: &TestApp, attempts: Vec<(String, String, String)>) -> Vec<StatusCode> {
    let barrier = std::sync::Arc::new(tokio::sync::Barrier::new(attempts.len()));
    let mut clients = vec![];
    for (username, password, ip) in attempts {
        let mut c = app.client();
        c.ip = ip;
        c.prime().await;
        clients.push((c, username, password));
    }
    let mut tasks = vec![];
    for (mut c, username, password) in clients {
        let barrier = barrier.clone();
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            c.login(&username, &password).await.status
        }));
    }
    let mut out = vec![];
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

#[sqlx::test]
async fn fifty_guesses_at_once_check_five_and_the_right_password_is_refused(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let guesses = (0..50).map(|i| ("pegawai".to_string(), format!("salah-{i}"), format!("10.7.{i}.1"))).collect();
    let statuses = at_once(&app, guesses).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!((checked, refused), (5, 45), "only five guesses are ever checked: {statuses:?}");
    let mut c = app.client();
    c.ip = "10.7.200.1".into();
    let r = c.login("pegawai", PW).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "the right password is refused while locked");
    assert!(r.body.contains("Terlalu banyak percobaan"));
    let lockouts: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'lockout' and after->>'username' = 'pegawai'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(lockouts, 1, "the audit log shows the lockout once");
    assert_eq!(app.audit_count("login_failed").await, 5);
    assert_eq!(app.audit_count("login_blocked").await, 46);
}

#[sqlx::test]
async fn the_right_password_among_guesses_is_at_most_one_of_five_checked(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut attempts: Vec<(String, String, String)> =
        (0..24).map(|i| ("kadis".to_string(), format!("tebakan-{i}"), format!("10.8.{i}.1"))).collect();
    attempts.insert(12, ("kadis".into(), PW.into(), "10.8.99.1".into()));
    let statuses = at_once(&app, attempts).await;
    let signed_in = statuses[12] == StatusCode::SEE_OTHER;
    assert!(signed_in || statuses[12] == StatusCode::TOO_MANY_REQUESTS, "the right password: {statuses:?}");
    // Five wrong guesses at most are checked before the right one is refused; a success (when the
    // right one got one of the five slots) starts the count again, as the account's owner would.
    let wrong_checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert!(wrong_checked <= if signed_in { 9 } else { 5 }, "{statuses:?}");
    assert_eq!(statuses.len(), 25);
    let sessions: i64 = app.scalar("select count(*) from sessions").await;
    assert_eq!(sessions, i64::from(signed_in));
}

#[sqlx::test]
async fn the_username_and_the_nip_share_one_count_and_so_does_the_password_page(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let nip: String = sqlx::query_scalar(
        "select e.nip from accounts a join employees e on e.id = a.employee_id where a.username = 'pegawai'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("nip");
    let mut c = app.client();
    for i in 0..5 {
        let who = if i % 2 == 0 { "pegawai" } else { nip.as_str() };
        c.ip = format!("10.6.{i}.1");
        assert_eq!(c.login(who, "salah-sekali").await.status, StatusCode::UNAUTHORIZED);
    }
    c.ip = "10.6.9.1".into();
    assert_eq!(c.login(&nip, PW).await.status, StatusCode::TOO_MANY_REQUESTS, "five in all, by name or NIP");
    // The password page's current-password check counts for the account too.
    let mut k = app.as_user("kadis").await;
    for _ in 0..5 {
        let r = k
            .post(
                "/password",
                &[("current", "bukan-sandinya"), ("new", "teh-manis-hangat-77"), ("confirm", "teh-manis-hangat-77")],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let r = k
        .post("/password", &[("current", PW), ("new", "teh-manis-hangat-77"), ("confirm", "teh-manis-hangat-77")])
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Terlalu banyak percobaan"), "locked after five wrong current passwords");
    let mut fresh = app.client();
    assert_eq!(fresh.login("kadis", PW).await.status, StatusCode::TOO_MANY_REQUESTS);
}

#[sqlx::test]
async fn sixty_guesses_from_one_address_at_once_check_thirty(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let guesses = (0..60).map(|i| (format!("orang{i}"), "salah-sekali".to_string(), "10.9.1.1".to_string())).collect();
    let statuses = at_once(&app, guesses).await;
    let checked = statuses.iter().filter(|s| **s == StatusCode::UNAUTHORIZED).count();
    assert_eq!(checked, 30, "the address limit holds at once: {statuses:?}");
    let n: i64 =
        app.scalar("select count(*) from audit_log where action = 'lockout' and after->>'ip' = '10.9.1.1'").await;
    assert_eq!(n, 1);
}

/// `next` values that must never leave this origin nor answer 500.
const HOSTILE_NEXT: &[&str] = &[
    "/%09/127.0.0.1:18199/",
    "%09/127.0.0.1:18199/",
    "/%0d%0a",
    "/%0d%0aSet-Cookie:%20x=1",
    "//evil.example",
    "/%5cevil.example",
    "/%5c%5cevil.example",
    "%2f%2fevil.example",
    "%2F%2Fevil.example/x",
    "https://evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
    "/%01evil",
    "/%7f",
    "/%20/evil.example",
    "/%c3%bc",
    "evil.example",
    "",
];

#[sqlx::test]
async fn hostile_next_lands_on_this_origin(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.client();
    for next in HOSTILE_NEXT {
        let r = c.get(&format!("/lang/en?next={next}")).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "lang next={next:?}");
        assert_eq!(r.location(), "/", "lang next={next:?}");
        let r = c.get(&format!("/login?next={next}")).await;
        assert_eq!(r.status, StatusCode::OK, "login page next={next:?}");
        assert_eq!(hidden(&r.body, "next"), "/", "login page next={next:?}");
    }
    // The sign-in form's own `next` (decoded once by the form): each lands on `/` after signing in.
    for next in HOSTILE_NEXT {
        let decoded = percent_decode(next);
        let mut c = app.client();
        let r = c.post("/login", &[("username", "kadis"), ("password", PW), ("next", &decoded)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "login next={next:?}");
        assert_eq!(r.location(), "/", "login next={next:?}");
    }
    // A local path is kept.
    let r = c.get("/lang/id?next=/employees%3Fq%3Dbudi%2520santoso").await;
    assert_eq!(r.location(), "/employees?q=budi%20santoso");
    let mut c = app.client();
    let r = c.post("/login", &[("username", "kadis"), ("password", PW), ("next", "/gaps?unit=2")]).await;
    assert_eq!(r.location(), "/gaps?unit=2");
}

fn percent_decode(s: &str) -> String {
    let mut out = vec![];
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[sqlx::test]
async fn nul_in_a_multipart_field_is_a_400_and_writes_nothing(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.as_user("pegawai").await;
    let before = app.scalar("select count(*) from activities").await;
    for field in ["mentor", "learners", "topic"] {
        let fields = [
            ("role", "learner"),
            ("kind", "mentoring"),
            ("held_on", "2026-11-02"),
            ("minutes", "90"),
            (field, "19920315\u{0}201903"),
        ];
        let r = c.post_multipart("/activities", &fields, None).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}");
        assert!(r.body.contains("NUL"), "{field}: a clear message");
    }
    // In a file name too, and on the import upload.
    let r =
        c.post_multipart("/activities", &[("role", "learner")], Some(("evidence", "a\u{0}.pdf", b"%PDF-1.4"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let mut hr = app.as_user("kepegawaian").await;
    let r = hr.post_multipart("/imports/employees", &[], Some(("file", "x\u{0}.csv", b"nip\n"))).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(app.scalar("select count(*) from activities").await, before);
}

#[sqlx::test]
async fn hsts_only_over_https(pool: PgPool) {
    let mut app = TestApp::seeded(pool).await;
    let mut c = app.client();
    let r = c.get("/login").await;
    assert!(r.headers.get("strict-transport-security").is_none(), "plain http: no HSTS");
    let mut config = (*app.state.config).clone();
    config.public_url = "https://cakap.example.go.id".into();
    config.hsts_max_age_secs = 86_400;
    config.max_body_bytes = 1000;
    app.state = cakap::AppState::new(app.pool.clone(), config);
    app.router = cakap::app::router::build(app.state.clone());
    let mut c = app.client();
    for path in ["/login", "/static/app.css", "/tidak-ada"] {
        let r = c.get(path).await;
        let v = r.headers.get("strict-transport-security").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert_eq!(v, "max-age=86400", "{path}");
    }
    // A refusal made before the router (the body limit) carries it too.
    let r = c.post_raw("/login", "application/x-www-form-urlencoded", vec![b'a'; 5000]).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.headers.get("strict-transport-security").and_then(|v| v.to_str().ok()), Some("max-age=86400"));
}

#[sqlx::test]
async fn password_policy_in_both_languages(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.as_user("kepegawaian").await;
    let cases_id = [
        ("kepegawaian1", "tidak boleh memuat nama pengguna"),
        ("Persib2026!!", "terlalu umum"),
        ("pendek-11ch", "minimal 12 karakter"),
        ("123456789012", "terlalu umum"),
    ];
    for (new, message) in cases_id {
        let r = c.post("/password", &[("current", PW), ("new", new), ("confirm", new)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        assert!(r.body.contains(message), "{new}: {message}");
    }
    c.get("/lang/en?next=/").await;
    let cases_en = [
        ("kepegawaian1", "must not contain your username"),
        ("Persib2026!!", "too common"),
        ("pendek-11ch", "at least 12 characters"),
    ];
    for (new, message) in cases_en {
        let r = c.post("/password", &[("current", PW), ("new", new), ("confirm", new)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        assert!(r.body.contains(message), "{new}: {message}");
    }
    // The employee's own name and NIP.
    let (nip, name): (String, String) = sqlx::query_as(
        "select e.nip, e.name from accounts a join employees e on e.id = a.employee_id where a.username = 'pegawai'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("pegawai");
    let mut p = app.as_user("pegawai").await;
    let with_nip = format!("kopi-{nip}");
    let r = p.post("/password", &[("current", PW), ("new", &with_nip), ("confirm", &with_nip)]).await;
    assert!(r.body.contains("tidak boleh memuat NIP"), "NIP");
    let longest = name.split_whitespace().max_by_key(|p| p.len()).unwrap_or_default();
    let with_name = format!("{longest}-ceria-2026").to_lowercase();
    let r = p.post("/password", &[("current", PW), ("new", &with_name), ("confirm", &with_name)]).await;
    assert!(r.body.contains("tidak boleh memuat nama Anda"), "name {with_name}");
    let good = "teh-manis-hangat-77";
    assert_eq!(p.post("/password", &[("current", PW), ("new", good), ("confirm", good)]).await.location(), "/");
}

#[sqlx::test]
async fn outside_a_demo_the_published_password_must_be_changed(pool: PgPool) {
    let mut app = TestApp::seeded(pool).await;
    let mut config = (*app.state.config).clone();
    config.seed_demo = false;
    app.state = cakap::AppState::new(app.pool.clone(), config);
    app.router = cakap::app::router::build(app.state.clone());
    let mut c = app.client();
    assert_eq!(c.login("kadis", PW).await.location(), "/");
    assert_eq!(c.get("/").await.location(), "/password", "forced to change it first");
    let r = c.post("/password", &[("current", PW), ("new", PW), ("confirm", PW)]).await;
    assert!(r.body.contains("Kata sandi demo yang dipublikasikan"));
    let good = "teh-manis-hangat-77";
    assert_eq!(c.post("/password", &[("current", PW), ("new", good), ("confirm", good)]).await.location(), "/");
    assert_eq!(c.get("/").await.status, StatusCode::OK);
}
