//! Account management by admin and HR, and the audit log.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{self, PW, TestApp};

async fn free_employee(app: &TestApp) -> (i64, String) {
    sqlx::query_as("select id, nip from employees e where not exists (select 1 from accounts a where a.employee_id = e.id) order by id limit 1")
        .fetch_one(&app.pool)
        .await
        .expect("an employee without account")
}

#[sqlx::test]
async fn hr_creates_an_account_with_a_one_time_password(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (emp, nip) = free_employee(&app).await;
    let mut hr = app.as_user("kepegawaian").await;
    assert!(hr.get("/accounts/new").await.body.contains("name=\"nip\""));
    let r = hr.post("/accounts", &[("username", "Budi.Baru"), ("nip", &nip), ("role_employee", "on")]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let pw = r
        .body
        .split("id=\"ot-password\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("one-time password")
        .to_string();
    assert_eq!(pw.len(), 14);
    let row: (i64, bool) =
        sqlx::query_as("select employee_id, must_change_password from accounts where username = 'budi.baru'")
            .fetch_one(&app.pool)
            .await
            .expect("account");
    assert_eq!(row, (emp, true));
    let audit: (serde_json::Value,) = sqlx::query_as("select after from audit_log where action = 'create' and entity = 'account' and after->>'username' = 'budi.baru'")
        .fetch_one(&app.pool)
        .await
        .expect("one audit row");
    assert_eq!(audit.0["roles"][0]["role"], "employee");
    let n: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where action = 'create' and after->>'username' = 'budi.baru'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    assert_eq!(n, 1, "exactly one audit row");
    // First login must change the password before anything else.
    let mut user = app.client();
    assert_eq!(user.login("budi.baru", &pw).await.location(), "/");
    assert_eq!(user.get("/").await.location(), "/password");
    let new = "ciwidey-hujan-sore";
    assert_eq!(user.post("/password", &[("current", &pw), ("new", new), ("confirm", new)]).await.location(), "/");
    assert_eq!(user.get("/").await.status, StatusCode::OK);
}

#[sqlx::test]
async fn account_form_errors_keep_the_input(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let r = hr.post("/accounts", &[("username", "x"), ("nip", "123"), ("role_employee", "on")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Nama pengguna harus 3–40 karakter"));
    assert!(r.body.contains("Tidak ada pegawai aktif dengan NIP ini"));
    assert!(r.body.contains("value=\"123\""), "input kept");
    let r = hr.post("/accounts", &[("username", "pegawai"), ("nip", ""), ("role_employee", "on")]).await;
    assert!(r.body.contains("sudah dipakai"));
    assert!(r.body.contains("memerlukan NIP"));
    let r = hr.post("/accounts", &[("username", "<script>alert(1)</script>")]).await;
    assert!(r.body.contains("Pilih minimal satu peran"));
    assert!(!r.body.contains("<script>alert"));
    let (_, nip) = free_employee(&app).await;
    let r = hr.post("/accounts", &[("username", "calon.admin"), ("nip", &nip), ("role_admin", "on")]).await;
    assert!(r.body.contains("Hanya admin yang dapat"), "HR cannot grant admin");
    let r = hr.post("/accounts", &[("username", "calon.kepala"), ("nip", &nip), ("head_unit", "999999")]).await;
    assert!(r.body.contains("Pilih unit kerja yang masih aktif"));
    let n: i64 = sqlx::query_scalar("select count(*) from accounts").fetch_one(&app.pool).await.expect("n");
    assert_eq!(n, 6, "nothing written");
}

#[sqlx::test]
async fn reset_disable_enable_and_roles_are_audited(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let target: i64 = sqlx::query_scalar("select id from accounts where username = 'pegawai'")
        .fetch_one(&app.pool)
        .await
        .expect("id");
    let mut victim = app.client();
    victim.login("pegawai", PW).await;
    let mut hr = app.as_user("kepegawaian").await;

    let r = hr.post(&format!("/accounts/{target}/reset-password"), &[]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("ot-password"));
    assert_eq!(app.audit_count("password_reset").await, 1);
    assert!(victim.get("/").await.location().starts_with("/login"), "sessions ended by reset");
    assert_eq!(app.client().login("pegawai", PW).await.status, StatusCode::UNAUTHORIZED);

    let r = hr.post(&format!("/accounts/{target}/disable"), &[]).await;
    assert_eq!(r.location(), format!("/accounts/{target}"));
    let (before, after): (serde_json::Value, serde_json::Value) =
        sqlx::query_as("select before, after from audit_log where action = 'disable'")
            .fetch_one(&app.pool)
            .await
            .expect("row");
    assert_eq!(before["disabled"], false);
    assert_eq!(after["disabled"], true);
    hr.post(&format!("/accounts/{target}/disable"), &[]).await;
    assert_eq!(app.audit_count("disable").await, 1, "no change, no second row");
    hr.post(&format!("/accounts/{target}/enable"), &[]).await;
    assert_eq!(app.audit_count("enable").await, 1);

    let apt: i64 =
        sqlx::query_scalar("select id from units where code = 'APT-PA'").fetch_one(&app.pool).await.expect("unit");
    let r = hr
        .post_edit(
            &format!("/accounts/{target}"),
            &format!("/accounts/{target}/roles"),
            &[("role_employee", "on"), ("head_unit", &apt.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (before, after): (serde_json::Value, serde_json::Value) =
        sqlx::query_as("select before, after from audit_log where action = 'roles_change'")
            .fetch_one(&app.pool)
            .await
            .expect("row");
    assert_eq!(before["roles"].as_array().map(Vec::len), Some(1));
    assert_eq!(after["roles"][1]["role"], "head");
    assert_eq!(after["roles"][1]["unit_id"], apt);
    assert_eq!(app.audit_count("roles_change").await, 1);
    // HR may not touch the admin account; admin may not disable itself.
    let admin_id: i64 =
        sqlx::query_scalar("select id from accounts where username = 'admin'").fetch_one(&app.pool).await.expect("id");
    assert_eq!(hr.post(&format!("/accounts/{admin_id}/reset-password"), &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(hr.post(&format!("/accounts/{admin_id}/disable"), &[]).await.status, StatusCode::FORBIDDEN);
    let mut admin = app.as_user("admin").await;
    admin.post(&format!("/accounts/{admin_id}/disable"), &[]).await;
    let disabled: bool = sqlx::query_scalar("select disabled_at is not null from accounts where id = $1")
        .bind(admin_id)
        .fetch_one(&app.pool)
        .await
        .expect("row");
    assert!(!disabled);
}

#[sqlx::test]
async fn audit_log_is_browsable_filterable_and_append_only(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut c = app.client();
    c.login("pegawai", "bad-password-1").await;
    c.login("pegawai", PW).await;
    let mut admin = app.as_user("admin").await;
    let r = admin.get("/audit?action=login_failed").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("<td>Gagal masuk</td>") && r.body.contains("10.0.0.1"), "the action in words");
    let r = admin.get("/audit?action=login&actor=pegawai").await;
    assert!(r.body.contains("<td>Masuk</td>"));
    assert!(!r.body.contains("<td>Gagal masuk</td>"));
    let r = admin.get("/audit?from=32/13/2026").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Tanggal tidak valid"));
    let err = sqlx::query("update audit_log set action = 'x'").execute(&app.pool).await;
    assert!(err.is_err(), "updates refused");
    let err = sqlx::query("delete from audit_log").execute(&app.pool).await;
    assert!(err.is_err(), "deletes refused");
}

#[sqlx::test]
async fn admin_keeps_the_settings(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut admin = app.as_user("admin").await;
    let r = admin.get("/settings").await;
    assert!(r.body.contains("value=\"20\""));
    // JP come from the JP rules per form of learning: no minutes-per-JP setting is offered.
    assert!(!r.body.contains("jp_minutes"));
    let r = admin.post_edit("/settings", "/settings", &[("department_name", ""), ("jp_per_year", "banyak")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Wajib diisi") && r.body.contains("1 sampai 500"));
    assert!(r.body.contains("value=\"banyak\""), "input kept");
    let r = admin
        .post_edit(
            "/settings",
            "/settings",
            &[("department_name", "Diskominfo Kab. Bandung"), ("jp_per_year", "24,5"), ("time_zone", "Asia/Makassar")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let v: String = sqlx::query_scalar("select value from settings where key = 'jp_per_year'")
        .fetch_one(&app.pool)
        .await
        .expect("v");
    assert_eq!(v, "24.5");
    let (b, a): (serde_json::Value, serde_json::Value) =
        sqlx::query_as("select before, after from audit_log where entity = 'settings'")
            .fetch_one(&app.pool)
            .await
            .expect("audit");
    assert_eq!(b["jp_per_year"], "20");
    assert_eq!(a["jp_per_year"], "24.5");
    assert_eq!((b["time_zone"].as_str(), a["time_zone"].as_str()), (Some("Asia/Jakarta"), Some("Asia/Makassar")));
    // The agency's name is the one on the settings page: top bar and title, at once.
    let page = admin.get("/settings").await;
    assert!(page.body.contains("<span class=\"dept\">Diskominfo Kab. Bandung</span>"), "top bar");
    assert!(page.body.contains("· Diskominfo Kab. Bandung</title>"), "title");
    assert!(page.body.contains("value=\"Asia/Makassar\" selected"));
    let r = admin
        .post_edit(
            "/settings",
            "/settings",
            &[("department_name", "X"), ("jp_per_year", "20"), ("time_zone", "Europe/Paris")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Pilih WIB, WITA atau WIT"));
}

#[sqlx::test]
async fn an_employee_who_leaves_can_no_longer_sign_in(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut user = app.client();
    user.login("pegawai", PW).await;
    assert_eq!(user.get("/").await.status, StatusCode::OK);
    let emp: i64 = sqlx::query_scalar("select employee_id from accounts where username = 'pegawai'")
        .fetch_one(&app.pool)
        .await
        .expect("id");
    let mut hr = app.as_user("kepegawaian").await;
    assert_eq!(hr.post(&format!("/employees/{emp}/deactivate"), &[]).await.status, StatusCode::SEE_OTHER);
    assert!(user.get("/").await.location().starts_with("/login"), "session ended");
    assert_eq!(app.client().login("pegawai", PW).await.status, StatusCode::UNAUTHORIZED);
    let (before, after): (serde_json::Value, serde_json::Value) =
        sqlx::query_as("select before, after from audit_log where entity = 'account' and action = 'disable'")
            .fetch_one(&app.pool)
            .await
            .expect("audit");
    assert_eq!(before["disabled"], false);
    assert_eq!(after["reason"], "employee deactivated");
}

/// Two officers saving one account's roles at the same moment through the real router: the same
/// field has one winner and the other is shown the clash (409); different fields are merged; the
/// audit log has one entry per saved change.
#[sqlx::test]
async fn two_officers_saving_one_accounts_roles_at_once_leave_one_winner_per_field(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let target = app.scalar("select id from accounts where username = 'pegawai'").await;
    let (page, path) = (format!("/accounts/{target}"), format!("/accounts/{target}/roles"));
    let unit = |code: &'static str| {
        let app = &app;
        async move { app.scalar(&format!("select id from units where code = '{code}'")).await.to_string() }
    };
    let (u1, u2, u3) = (unit("APT-PA").await, unit("INF").await, unit("UPT-CC").await);
    let head = || async {
        app.scalar(&format!(
            "select coalesce(max(unit_id), 0) from account_roles where account_id = {target} and role = 'head'"
        ))
        .await
        .to_string()
    };
    let mut a = app.as_user("kepegawaian").await;
    let mut b = app.as_user("kepegawaian").await;
    let stamp = |body: &str| (helpers::hidden(body, "version"), helpers::hidden(body, "base"));
    // Both make the employee head of a unit, a different one, at the same moment.
    let (va, ba) = stamp(&a.get(&page).await.body);
    let (vb, bb) = stamp(&b.get(&page).await.body);
    let fa = [("role_employee", "on"), ("head_unit", u1.as_str()), ("version", &va), ("base", &ba)];
    let fb = [("role_employee", "on"), ("head_unit", u2.as_str()), ("version", &vb), ("base", &bb)];
    let (ra, rb) = tokio::join!(a.post(&path, &fa), b.post(&path, &fb));
    let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 409], "one winner: {} / {}", ra.body, rb.body);
    let (winner, loser) = if ra.status == StatusCode::SEE_OTHER { (&u1, &rb) } else { (&u2, &ra) };
    assert!(loser.body.contains("Data ini diubah orang lain"), "the other sees the clash");
    assert_eq!(&head().await, winner);
    assert_eq!(app.audit_count("roles_change").await, 1, "one audit entry for the one save");
    // Different fields at the same moment: one moves the head role, the other takes away the
    // employee role; both kept.
    let (va, ba) = stamp(&a.get(&page).await.body);
    let (vb, bb) = stamp(&b.get(&page).await.body);
    let fa = [("role_employee", "on"), ("head_unit", u3.as_str()), ("version", &va), ("base", &ba)];
    let fb = [("head_unit", winner.as_str()), ("version", &vb), ("base", &bb)];
    let (ra, rb) = tokio::join!(a.post(&path, &fa), b.post(&path, &fb));
    assert_eq!((ra.status, rb.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER), "{} / {}", ra.body, rb.body);
    assert_eq!(head().await, u3);
    let employee_role = app
        .scalar(&format!("select count(*) from account_roles where account_id = {target} and role = 'employee'"))
        .await;
    assert_eq!(employee_role, 0);
    assert_eq!(app.audit_count("roles_change").await, 3, "one audit entry per saved change");
}
