//! Login, logout, sessions, CSRF, throttling and passwords.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{PW, TestApp};

#[sqlx::test]
async fn login_with_username_or_nip_rotates_the_session(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.client();
    c.cookies.insert("cakap_session".into(), "stale-token-from-before".into());
    let r = c.login("pegawai", PW).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/");
    let set: Vec<String> =
        r.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap_or("").to_string()).collect();
    let session = set.iter().find(|s| s.starts_with("cakap_session=")).expect("session cookie");
    assert!(session.contains("HttpOnly") && session.contains("SameSite=Lax"));
    assert!(!session.contains("stale-token-from-before"));
    let home = c.get("/").await;
    assert_eq!(home.status, StatusCode::OK);
    assert!(home.body.contains("Data saya"));
    assert_eq!(app.audit_count("login").await, 1);

    let nip: String = sqlx::query_scalar(
        "select e.nip from accounts a join employees e on e.id = a.employee_id where a.username = 'kadis'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("nip");
    let mut c2 = app.client();
    assert_eq!(c2.login(&nip, PW).await.location(), "/");
    assert!(c2.get("/").await.body.contains("Unit yang saya pimpin"));
}

#[sqlx::test]
async fn failed_login_says_nothing_about_the_username(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.client();
    let known = c.login("pegawai", "wrong-password").await;
    let unknown = c.login("nobody.here", "wrong-password").await;
    assert_eq!(known.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);
    assert!(known.body.contains("Nama pengguna atau kata sandi salah"));
    assert!(unknown.body.contains("Nama pengguna atau kata sandi salah"));
    assert!(unknown.body.contains("value=\"nobody.here\""), "username kept");
    assert_eq!(app.audit_count("login_failed").await, 2);
    // Markup and SQL in the field are shown as text, never run.
    let r = c.login("<script>alert(1)</script>' or 1=1 --", "x").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("&#60;script&#62;") || r.body.contains("&lt;script&gt;"));
    assert!(!r.body.contains("<script>alert"));
    let r = c.login("", "").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Isi nama pengguna dan kata sandi"));
}

#[sqlx::test]
async fn repeated_failures_lock_the_username_known_or_not(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    for user in ["pegawai", "ghost.user"] {
        let mut c = app.client();
        c.ip = format!("10.1.{}.1", user.len());
        for _ in 0..5 {
            assert_eq!(c.login(user, "wrong-password").await.status, StatusCode::UNAUTHORIZED);
        }
        let r = c.login(user, PW).await;
        assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "{user} locked");
        assert!(r.body.contains("Terlalu banyak percobaan"));
    }
    let lockouts: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'lockout' and after->>'username' = 'pegawai'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(lockouts, 1, "exactly one lockout row");
    // Another account is not affected.
    let mut other = app.client();
    assert_eq!(other.login("kadis", PW).await.location(), "/");
    // After the window the lock lifts.
    sqlx::query("update login_attempts set at = at - interval '16 minutes'").execute(&app.pool).await.expect("age");
    let mut c = app.client();
    assert_eq!(c.login("pegawai", PW).await.location(), "/");
}

#[sqlx::test]
async fn many_failures_from_one_address_lock_that_address(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.client();
    c.ip = "10.9.9.9".into();
    for i in 0..30 {
        c.login(&format!("guess{i}"), "wrong-password").await;
    }
    assert_eq!(c.login("kadis", PW).await.status, StatusCode::TOO_MANY_REQUESTS);
    let mut elsewhere = app.client();
    elsewhere.ip = "10.9.9.10".into();
    assert_eq!(elsewhere.login("kadis", PW).await.location(), "/");
}

#[sqlx::test]
async fn posts_without_a_valid_csrf_token_are_refused_and_change_nothing(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.as_user("admin").await;
    c.prime().await;
    let target: i64 = sqlx::query_scalar("select id from accounts where username = 'pegawai'")
        .fetch_one(&app.pool)
        .await
        .expect("id");
    let path = format!("/accounts/{target}/disable");
    let r = c.post_raw(&path, "application/x-www-form-urlencoded", b"".to_vec()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(r.body.contains("Formulir kedaluwarsa"));
    let r = c
        .post_raw(
            &path,
            "application/x-www-form-urlencoded",
            b"csrf_token=forged-token-forged-token-forged-token-xx".to_vec(),
        )
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // A token for another browser does not work either.
    let mut other = app.client();
    other.prime().await;
    let body = format!("csrf_token={}", other.csrf());
    let r = c.post_raw(&path, "application/x-www-form-urlencoded", body.into_bytes()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    // Multipart without a token in the query or header.
    let r = c.post_raw(&path, "multipart/form-data; boundary=x", b"--x--".to_vec()).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let disabled: bool = sqlx::query_scalar("select disabled_at is not null from accounts where id = $1")
        .bind(target)
        .fetch_one(&app.pool)
        .await
        .expect("row");
    assert!(!disabled);
    assert_eq!(app.audit_count("disable").await, 0);
    // Login form too.
    let mut anon = app.client();
    let r = anon
        .post_raw("/login", "application/x-www-form-urlencoded", b"username=pegawai&password=demo-cakap-2026".to_vec())
        .await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert!(!anon.cookies.contains_key("cakap_session"));
    // With the token it works.
    assert_eq!(c.post(&path, &[]).await.status, StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn cross_site_origin_is_refused(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.client();
    c.prime().await;
    let body = format!("csrf_token={}&username=pegawai&password={PW}", c.csrf());
    let req = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("origin", "https://evil.example")
        .header("host", "localhost")
        .body(axum::body::Body::from(body))
        .expect("req");
    assert_eq!(c.send(req).await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn logout_ends_the_session_on_the_server(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.client();
    c.login("pegawai", PW).await;
    let token = c.cookies.get("cakap_session").cloned().expect("session");
    let r = c.post("/logout", &[]).await;
    assert_eq!(r.location(), "/login");
    let sessions: i64 = sqlx::query_scalar("select count(*) from sessions").fetch_one(&app.pool).await.expect("n");
    assert_eq!(sessions, 0);
    let mut replay = app.client();
    replay.cookies.insert("cakap_session".into(), token);
    let r = replay.get("/").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(r.location().starts_with("/login"));
    assert_eq!(app.audit_count("logout").await, 1);
}

#[sqlx::test]
async fn idle_and_absolute_expiry_end_sessions(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.as_user("pegawai").await;
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    sqlx::query("update sessions set last_seen_at = now() - interval '31 minutes'")
        .execute(&app.pool)
        .await
        .expect("idle");
    let r = c.get("/").await;
    assert!(r.location().starts_with("/login?next="), "idle session ends");

    let mut c = app.as_user("pegawai").await;
    assert_eq!(c.get("/").await.status, StatusCode::OK);
    sqlx::query("update sessions set expires_at = now() - interval '1 second', last_seen_at = now()")
        .execute(&app.pool)
        .await
        .expect("abs");
    assert!(c.get("/").await.location().starts_with("/login"), "absolute expiry");
}

#[sqlx::test]
async fn changing_the_password(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.client();
    c.login("pegawai", PW).await;
    let r = c.post("/password", &[("current", "wrong"), ("new", "short"), ("confirm", "other")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Kata sandi saat ini salah"));
    assert!(r.body.contains("minimal 12 karakter"));
    assert!(r.body.contains("tidak sama"));
    let r = c.post("/password", &[("current", PW), ("new", "password1234"), ("confirm", "password1234")]).await;
    assert!(r.body.contains("terlalu umum"));
    let new = "teh-manis-di-soreang";
    let r = c.post("/password", &[("current", PW), ("new", new), ("confirm", new)]).await;
    assert_eq!(r.location(), "/");
    assert_eq!(app.audit_count("password_change").await, 1);
    assert_eq!(c.get("/").await.status, StatusCode::OK, "current session kept");
    let mut again = app.client();
    assert_eq!(again.login("pegawai", PW).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(again.login("pegawai", new).await.location(), "/");
}

#[sqlx::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_recorded(pool: PgPool) {
    let mut app = TestApp::seeded(pool).await;
    let plain = TestApp::bare(app.pool.clone());
    let mut config = (*app.state.config).clone();
    config.trust_proxy = true;
    app.state = cakap::AppState::new(app.pool.clone(), config);
    app.router = cakap::app::router::build(app.state.clone());
    for (which, ip) in [(&app, "203.0.113.7"), (&plain, "203.0.113.8")] {
        let mut c = which.client();
        c.prime().await;
        let body = format!("csrf_token={}&username=pegawai&password=salah-sekali", c.csrf());
        let req = axum::http::Request::post("/login")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("x-forwarded-for", format!("10.0.0.1, {ip}"))
            .body(axum::body::Body::from(body))
            .expect("req");
        assert_eq!(c.send(req).await.status, StatusCode::UNAUTHORIZED);
    }
    let ips: Vec<String> = sqlx::query_scalar("select ip from audit_log where action = 'login_failed' order by id")
        .fetch_all(&app.pool)
        .await
        .expect("rows");
    assert_eq!(ips, vec!["203.0.113.7".to_string(), "10.0.0.1".to_string()], "the header counts only when trusted");
    // Only its right-most entry (what the proxy saw): what the client wrote before it is ignored.
    let mut c = app.client();
    c.prime().await;
    let body = format!("csrf_token={}&username=pegawai&password=salah-sekali", c.csrf());
    let req = axum::http::Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("x-forwarded-for", "198.51.100.99, 203.0.113.9")
        .body(axum::body::Body::from(body))
        .expect("req");
    assert_eq!(c.send(req).await.status, StatusCode::UNAUTHORIZED);
    let last: String =
        sqlx::query_scalar("select ip from audit_log where action = 'login_failed' order by id desc limit 1")
            .fetch_one(&app.pool)
            .await
            .expect("row");
    assert_eq!(last, "203.0.113.9");
}
