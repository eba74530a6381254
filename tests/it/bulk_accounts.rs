//! Accounts for everyone: bulk creation (preview, one transaction, idempotent), one-time sign-in
//! codes (letters, e-mail, single use, expiry, throttling), the first password, an account that
//! follows its employee, and names that are names.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::{
    digest::Sink,
    helpers::{Client, PW, TestApp, employee_fields},
};

pub const NEW_PASSWORD: &str = "sawah-hijau-di-ciparay";

pub async fn unit_id(app: &TestApp, code: &str) -> i64 {
    sqlx::query_scalar("select id from units where code = $1").bind(code).fetch_one(&app.pool).await.expect("unit")
}

/// Active employees of unit `code` and its sub-units without an account.
async fn without_account(app: &TestApp, code: &str) -> i64 {
    sqlx::query_scalar(
        "select count(*) from employees e join units u on u.id = e.unit_id
         where e.active and u.path like (select path from units where code = $1) || '%'
           and not exists (select 1 from accounts a where a.employee_id = e.id)",
    )
    .bind(code)
    .fetch_one(&app.pool)
    .await
    .expect("count")
}

/// Create the accounts of unit `code` with its sub-units as HR; returns the batch id.
pub async fn create_for_unit(app: &TestApp, hr: &mut Client, code: &str) -> i64 {
    let unit = unit_id(app, code).await.to_string();
    let r = hr.post("/accounts/bulk", &[("scope", "unit"), ("unit", &unit), ("subunits", "on")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let to = r.location().to_string();
    to.trim_start_matches("/accounts/batches/").parse().expect("batch id in the redirect")
}

/// The codes a letters PDF carries, per page in order.
pub fn codes_in(pdf: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(pdf);
    text.split("(Kode masuk: ").skip(1).filter_map(|s| s.split(')').next()).map(str::to_string).collect()
}

/// The NIPs a letters PDF names (the username line), in order.
pub fn usernames_in(pdf: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(pdf);
    text.split("(Nama pengguna \\(NIP\\): ").skip(1).filter_map(|s| s.split(')').next()).map(str::to_string).collect()
}

#[sqlx::test]
async fn hr_previews_then_creates_a_units_accounts_in_one_go_and_again_creates_nobody(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let apt = unit_id(&app, "APT").await;
    let expected = without_account(&app, "APT").await;
    assert!(expected > 5, "the demo's bidang has staff without accounts: {expected}");
    let heads: i64 = sqlx::query_scalar(
        "select count(*) from employees e join units u on u.id = e.unit_id join positions p on p.id = e.position_id
         where e.active and p.is_unit_head and u.path like (select path from units where code = 'APT') || '%'
           and not exists (select 1 from accounts a where a.employee_id = e.id)",
    )
    .fetch_one(&app.pool)
    .await
    .expect("heads");

    // The preview says who gets one and who has one; nothing is written.
    let p = hr.get(&format!("/accounts/bulk?scope=unit&unit={apt}&subunits=on")).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains(&format!("{expected} akun akan dibuat.")), "{}", p.body);
    assert!(p.body.contains(&format!("{heads} di antaranya kepala unit")));
    assert!(p.body.contains("kabid.aptika") && p.body.contains("id=\"bulk-have\""), "existing accounts listed");
    assert!(p.body.contains(&format!("Buat {expected} akun")));
    assert_eq!(app.scalar("select count(*) from account_batches").await, 0);
    // Without sub-units only the bidang's own staff.
    let own = hr.get(&format!("/accounts/bulk?scope=unit&unit={apt}")).await;
    let own_n: i64 = sqlx::query_scalar(
        "select count(*) from employees e where e.active and e.unit_id = $1
           and not exists (select 1 from accounts a where a.employee_id = e.id)",
    )
    .bind(apt)
    .fetch_one(&app.pool)
    .await
    .expect("own");
    assert!(own.body.contains(&format!("{own_n} akun akan dibuat.")));
    // Bad choices are said next to the field.
    let bad = hr.get("/accounts/bulk?scope=unit&unit=999999").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Pilih unit kerja yang masih aktif.") && bad.body.contains("id=\"unit-err\""));
    let bad = hr.post("/accounts/bulk", &[("scope", "sebagian")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Pilih untuk siapa akun dibuat."));

    // Create: every one of them, username = NIP, employee role, head role for head positions.
    let batch = create_for_unit(&app, &mut hr, "APT").await;
    let made = app.scalar(&format!("select count(*) from accounts where batch_id = {batch}")).await;
    assert_eq!(made, expected);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from accounts a join employees e on e.id = a.employee_id
             where a.batch_id = {batch} and a.username = e.nip and a.must_change_password and a.password_hash = ''"
        ))
        .await,
        expected
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from account_roles r join accounts a on a.id = r.account_id
             where a.batch_id = {batch} and r.role = 'employee'"
        ))
        .await,
        expected
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from account_roles r join accounts a on a.id = r.account_id
             join employees e on e.id = a.employee_id join positions p on p.id = e.position_id
             where a.batch_id = {batch} and r.role = 'head' and r.unit_id = p.unit_id and p.is_unit_head"
        ))
        .await,
        heads
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where entity = 'account' and action = 'create' and (after->>'batch_id')::bigint = {batch}"
        ))
        .await,
        expected,
        "one audit row per account"
    );
    let page = hr.get(&format!("/accounts/batches/{batch}")).await;
    assert!(page.body.contains(&format!("Cetak surat (PDF, {expected} halaman)")), "{}", page.body);

    // Again: nobody twice, no empty batch.
    let again = hr.post("/accounts/bulk", &[("scope", "unit"), ("unit", &apt.to_string()), ("subunits", "on")]).await;
    assert_eq!(again.location(), "/accounts/bulk");
    assert_eq!(app.scalar("select count(*) from account_batches").await, 1);
    assert_eq!(app.scalar(&format!("select count(*) from accounts where batch_id = {batch}")).await, expected);
    let p = hr.get(&format!("/accounts/bulk?scope=unit&unit={apt}&subunits=on")).await;
    assert!(p.body.contains("0 akun akan dibuat.") && p.body.contains("id=\"bulk-nothing\""));

    // All active staff: the rest of the department; nobody who has left.
    sqlx::query("update employees set active = false, deactivated_on = current_date where id = (select min(e.id) from employees e join units u on u.id = e.unit_id where u.code = 'INF-JPD' and not exists (select 1 from accounts a where a.employee_id = e.id))")
        .execute(&app.pool)
        .await
        .expect("someone left");
    let r = hr.post("/accounts/bulk", &[("scope", "all")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar("select count(*) from employees e where e.active and not exists (select 1 from accounts a where a.employee_id = e.id)")
            .await,
        0
    );
    assert_eq!(
        app.scalar("select count(*) from employees e where not e.active and exists (select 1 from accounts a where a.employee_id = e.id and a.batch_id is not null)")
            .await,
        0
    );
    // English too.
    hr.get("/lang/en").await;
    let p = hr.get(&format!("/accounts/bulk?scope=unit&unit={apt}")).await;
    assert!(p.body.contains("0 accounts will be created.") && p.body.contains("Create accounts in bulk"));
}

#[sqlx::test]
async fn bulk_creation_is_one_transaction_and_two_officers_take_turns(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt = unit_id(&app, "APT").await.to_string();
    // One row refused half-way (a head role): nothing at all is written.
    for sql in [
        "create function refuse_head() returns trigger language plpgsql as $$
         begin raise exception 'refused for the test'; end $$",
        "create trigger refuse_head before insert on account_roles for each row
           when (new.role = 'head') execute function refuse_head()",
    ] {
        sqlx::query(sql).execute(&app.pool).await.expect("trigger");
    }
    let before = app.scalar("select count(*) from accounts").await;
    let audits = app.scalar("select count(*) from audit_log").await;
    let mut hr = app.as_user("kepegawaian").await;
    let r = hr.post("/accounts/bulk", &[("scope", "unit"), ("unit", &apt), ("subunits", "on")]).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!r.body.contains("refused for the test"), "no SQL leaks");
    assert_eq!(app.scalar("select count(*) from accounts").await, before);
    assert_eq!(
        app.scalar(
            "select count(*) from account_roles r where not exists (select 1 from accounts a where a.id = r.account_id)"
        )
        .await,
        0
    );
    assert_eq!(app.scalar("select count(*) from account_batches").await, 0);
    assert_eq!(app.scalar("select count(*) from audit_log").await, audits);
    sqlx::query("drop trigger refuse_head on account_roles").execute(&app.pool).await.expect("drop");

    // Two officers at once: each account made once.
    let expected = without_account(&app, "APT").await;
    let mut a = app.as_user("kepegawaian").await;
    let mut b = app.as_user("admin").await;
    let fields = [("scope", "unit"), ("unit", apt.as_str()), ("subunits", "on")];
    let (ra, rb) = tokio::join!(a.post("/accounts/bulk", &fields), b.post("/accounts/bulk", &fields));
    let locations = [ra.location().to_string(), rb.location().to_string()];
    assert!(locations.iter().any(|l| l == "/accounts/bulk"), "one found nothing left to do: {locations:?}");
    assert!(locations.iter().any(|l| l.starts_with("/accounts/batches/")), "{locations:?}");
    assert_eq!(app.scalar("select count(*) from accounts where batch_id is not null").await, expected);
}

#[sqlx::test]
async fn a_letter_code_signs_in_once_forces_a_password_and_expires(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let batch = create_for_unit(&app, &mut hr, "APT-PA").await;
    let n = app.scalar(&format!("select count(*) from accounts where batch_id = {batch}")).await as usize;
    assert!(n >= 3, "{n}");

    // The letters: a PDF, one page per person, each with its own code, the address and the NIP.
    let r = hr.post(&format!("/accounts/batches/{batch}/letters"), &[("who", "all")]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.headers["content-type"], "application/pdf");
    assert!(r.bytes.starts_with(b"%PDF-1.4"));
    let text = String::from_utf8_lossy(&r.bytes).into_owned();
    assert_eq!(text.matches("/Type /Page ").count(), n, "one page each");
    let codes = codes_in(&r.bytes);
    let names = usernames_in(&r.bytes);
    assert_eq!((codes.len(), names.len()), (n, n));
    assert!(text.contains("/login/code") && text.contains("(Cara masuk pertama kali) Tj"));
    let mut unique = codes.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), n, "every code differs");
    // Only hashes are kept; the batch page says a code went out but never shows one.
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from sign_in_codes c join accounts a on a.id = c.account_id
             where a.batch_id = {batch} and c.code_hash like '$argon2id$%' and c.used_at is null and c.revoked_at is null
               and c.expires_at between now() + interval '13 days' and now() + interval '15 days'"
        ))
        .await,
        n as i64
    );
    let page = hr.get(&format!("/accounts/batches/{batch}")).await;
    assert!(page.body.contains("Kode lewat surat"), "{}", page.body);
    assert!(codes.iter().all(|c| !page.body.contains(c.as_str())));
    assert_eq!(app.audit_count("code_issue").await, n as i64);
    // The audit log reads in words: the action, the delivery, no raw value.
    let log = hr.get("/audit?action=code_issue").await;
    assert!(log.body.contains("Menerbitkan kode masuk") && log.body.contains("surat"), "{}", log.body);
    assert!(!log.body.contains(">letter<") && !log.body.contains("code_issue<"));

    // A code-only account has no password to guess.
    let mut guess = app.client();
    assert_eq!(guess.login(&names[0], "").await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(guess.login(&names[0], "x").await.status, StatusCode::UNAUTHORIZED);

    // The first person signs in with NIP and code (typed in capitals with spaces), must choose a
    // password before anything else, without an old one, and lands on the home.
    let mut user = app.client();
    let typed = codes[0].to_uppercase().replace('-', " ");
    let r = user.post("/login/code", &[("username", &names[0]), ("code", &typed)]).await;
    assert_eq!(r.location(), "/password", "{}", r.body);
    assert_eq!(user.get("/").await.location(), "/password");
    assert_eq!(user.get("/development").await.location(), "/password");
    let form = user.get("/password").await;
    assert!(!form.body.contains("name=\"current\"") && form.body.contains("id=\"first-password\""));
    // The policy holds: the NIP or a common password is refused, said next to the field.
    let weak = user.post("/password", &[("new", &names[0]), ("confirm", &names[0])]).await;
    assert_eq!(weak.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(weak.body.contains("id=\"new-err\""));
    let r = user.post("/password", &[("new", NEW_PASSWORD), ("confirm", NEW_PASSWORD)]).await;
    assert_eq!(r.location(), "/", "{}", r.body);
    assert_eq!(user.get("/").await.status, StatusCode::OK);
    assert_eq!(app.audit_count("login_code").await, 1);
    // The code worked once: used, and refused the second time.
    let mut again = app.client();
    let r = again.post("/login/code", &[("username", &names[0]), ("code", &codes[0])]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("NIP atau kode salah, atau kode sudah dipakai."));
    // From now on the password.
    assert_eq!(again.login(&names[0], NEW_PASSWORD).await.location(), "/");
    // The password page asks for the old one again (the code's session is over).
    assert!(again.get("/password").await.body.contains("name=\"current\""));

    // An expired code says so (and does not sign in).
    sqlx::query(
        "update sign_in_codes set issued_at = now() - interval '15 days', expires_at = now() - interval '1 day'
         where account_id = (select id from accounts where username = $1) and used_at is null",
    )
    .bind(&names[1])
    .execute(&app.pool)
    .await
    .expect("expire");
    let mut late = app.client();
    let r = late.post("/login/code", &[("username", &names[1]), ("code", &codes[1])]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body.contains("Kode ini sudah kedaluwarsa."), "{}", r.body);
    assert_eq!(late.get("/").await.location(), "/login?next=%2F");

    // Re-issued for one person: the old code stops working, the new one works.
    let third = app.scalar(&format!("select id from accounts where username = '{}'", names[2])).await;
    let r = hr.post(&format!("/accounts/{third}/code-letter"), &[]).await;
    assert_eq!(r.headers["content-type"], "application/pdf");
    let fresh = codes_in(&r.bytes);
    assert_eq!(fresh.len(), 1);
    let detail = hr.get(&format!("/accounts/{third}")).await;
    assert!(detail.body.contains("id=\"sign-in-code\"") && detail.body.contains("Kode lewat surat"));
    assert!(!detail.body.contains(fresh[0].as_str()), "the code is never shown on a page");
    let mut old = app.client();
    assert_eq!(
        old.post("/login/code", &[("username", &names[2]), ("code", &codes[2])]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let mut new = app.client();
    assert_eq!(new.post("/login/code", &[("username", &names[2]), ("code", &fresh[0])]).await.location(), "/password");
    // Printing the batch again skips who already signed in.
    let r = hr.post(&format!("/accounts/batches/{batch}/letters"), &[("who", "all")]).await;
    let again_names = usernames_in(&r.bytes);
    assert!(!again_names.contains(&names[0]) && !again_names.contains(&names[2]));
    assert_eq!(again_names.len(), n - 2);
    // An account given the HR role since is an admin's to re-issue, not HR's.
    sqlx::query("insert into account_roles (account_id, role) select id, 'hr' from accounts where username = $1")
        .bind(&names[3])
        .execute(&app.pool)
        .await
        .expect("hr role");
    let r = hr.post(&format!("/accounts/batches/{batch}/letters"), &[("who", "all")]).await;
    assert!(!usernames_in(&r.bytes).contains(&names[3]));
    let fourth = app.scalar(&format!("select id from accounts where username = '{}'", names[3])).await;
    assert_eq!(hr.post(&format!("/accounts/{fourth}/code-letter"), &[]).await.status, StatusCode::FORBIDDEN);
    let mut admin = app.as_user("admin").await;
    let r = admin.post(&format!("/accounts/batches/{batch}/letters"), &[("who", "all")]).await;
    assert!(usernames_in(&r.bytes).contains(&names[3]));
    // English pages.
    let mut en = app.client();
    en.get("/lang/en").await;
    let page = en.get("/login/code").await;
    assert!(page.body.contains("Sign in with a code") && page.body.contains("NIP or username"));
}

#[sqlx::test]
async fn code_guesses_count_with_password_guesses(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let batch = create_for_unit(&app, &mut hr, "APT-PA").await;
    let r = hr.post(&format!("/accounts/batches/{batch}/letters"), &[("who", "all")]).await;
    let (codes, names) = (codes_in(&r.bytes), usernames_in(&r.bytes));
    let mut attacker = app.client();
    // Three wrong codes and two wrong passwords: the account is locked, for both ways in.
    for _ in 0..3 {
        let r = attacker.post("/login/code", &[("username", &names[0]), ("code", "aaaa-bbbb-cccc")]).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    for _ in 0..2 {
        assert_eq!(attacker.login(&names[0], "salah-sekali-lagi").await.status, StatusCode::UNAUTHORIZED);
    }
    let mut owner = app.client();
    owner.ip = "10.0.0.9".into();
    let r = owner.post("/login/code", &[("username", &names[0]), ("code", &codes[0])]).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS, "locked even with the right code");
    assert!(r.body.contains("login") || r.body.contains("15"));
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from sign_in_codes c join accounts a on a.id = c.account_id
             where a.username = '{}' and c.used_at is null and c.revoked_at is null",
            names[0]
        ))
        .await,
        1,
        "the code is still unused"
    );
    // An unknown NIP is answered like a wrong code, and counted.
    let r = attacker.post("/login/code", &[("username", "199001012015011999"), ("code", &codes[1])]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Another person's code does not open this account.
    let mut mix = app.client();
    mix.ip = "10.0.0.7".into();
    let r = mix.post("/login/code", &[("username", &names[2]), ("code", &codes[1])]).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    // Empty fields are said, not counted.
    let r = mix.post("/login/code", &[("username", ""), ("code", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Isi NIP dan kode masuk."));
}

#[sqlx::test]
async fn codes_by_e_mail_go_through_the_outbox(pool: PgPool) {
    let seeded = TestApp::seeded(pool).await;
    let sink = Sink::start().await;
    let mut config = (*seeded.state.config).clone();
    config.smtp_url = Some(format!("smtp://{}", sink.addr));
    let app = TestApp::with_config(seeded.pool, config);
    let mailer = cakap::notifications::digest::Mailer::from_config(&app.state.config).expect("ok").expect("set");
    let mut hr = app.as_user("kepegawaian").await;
    let batch = create_for_unit(&app, &mut hr, "APT-PA").await;
    // One person without an address gets a letter only.
    let no_mail: String = sqlx::query_scalar(
        "update employees set email = null where id = (select employee_id from accounts where batch_id = $1 order by id limit 1)
         returning nip",
    )
    .bind(batch)
    .fetch_one(&app.pool)
    .await
    .expect("no address");
    let n = app.scalar(&format!("select count(*) from accounts where batch_id = {batch}")).await;
    let page = hr.get(&format!("/accounts/batches/{batch}")).await;
    assert!(page.body.contains(&format!("Kirim lewat e-mail ({} orang)", n - 1)), "{}", page.body);
    let r = hr.post(&format!("/accounts/batches/{batch}/email"), &[]).await;
    assert_eq!(r.location(), format!("/accounts/batches/{batch}"));
    assert_eq!(app.scalar("select count(*) from mail_outbox where sent_at is null").await, n - 1);
    assert_eq!(app.scalar("select count(*) from sign_in_codes").await, 0, "no code before the mail goes");
    let round = cakap::accounts::codes::send_outbox(&app.state, &mailer).await.expect("sent");
    assert_eq!(round.sent as i64, n - 1);
    assert_eq!(sink.count() as i64, n - 1);
    assert_eq!(app.scalar("select count(*) from mail_outbox where sent_at is null").await, 0);
    // Nothing twice.
    assert_eq!(cakap::accounts::codes::send_outbox(&app.state, &mailer).await.expect("none").sent, 0);
    // The mail carries the code; it signs in.
    let (nip, email): (String, String) = sqlx::query_as(
        "select e.nip, e.email from accounts a join employees e on e.id = a.employee_id
         where a.batch_id = $1 and e.email is not null order by a.id limit 1",
    )
    .bind(batch)
    .fetch_one(&app.pool)
    .await
    .expect("one with mail");
    let mails = sink.to(&email);
    assert_eq!(mails.len(), 1);
    let code =
        mails[0].data.split("Kode masuk: ").nth(1).and_then(|s| s.split_whitespace().next()).expect("code").to_string();
    assert!(mails[0].data.contains(&nip) && mails[0].data.contains("/login/code"));
    let mut user = app.client();
    assert_eq!(user.post("/login/code", &[("username", &nip), ("code", &code)]).await.location(), "/password");
    assert!(sink.mails.lock().expect("mails").iter().all(|m| !m.data.contains(&no_mail)));
    assert_eq!(
        app.scalar("select count(*) from sign_in_codes where delivery = 'email' and code_hash like '$argon2id$%'")
            .await,
        n - 1
    );
}

async fn head_units(app: &TestApp, username: &str) -> Vec<i64> {
    sqlx::query_scalar(
        "select r.unit_id from account_roles r join accounts a on a.id = r.account_id
         where a.username = $1 and r.role = 'head' order by r.unit_id",
    )
    .bind(username)
    .fetch_all(&app.pool)
    .await
    .expect("heads")
}

#[sqlx::test]
async fn an_account_follows_its_employee(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let (emp, own_position): (i64, i64) =
        sqlx::query_as("select e.id, e.position_id from accounts a join employees e on e.id = a.employee_id where a.username = 'pegawai'")
            .fetch_one(&app.pool)
            .await
            .expect("pegawai");
    let (head_pos, head_unit): (i64, i64) = sqlx::query_as(
        "select p.id, p.unit_id from positions p join units u on u.id = p.unit_id where u.code = 'APT-LEG' and p.is_unit_head",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a seksi's head position");
    assert!(head_units(&app, "pegawai").await.is_empty());
    let mut pegawai = app.as_user("pegawai").await;
    assert_eq!(pegawai.get("/approvals").await.status, StatusCode::FORBIDDEN);

    // Moved to a head position: she gains the head role of that unit, audited.
    let f = employee_fields(&app, emp, head_pos).await;
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = hr.post_edit(&format!("/employees/{emp}/edit"), &format!("/employees/{emp}"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(head_units(&app, "pegawai").await, vec![head_unit]);
    let (before, after): (serde_json::Value, serde_json::Value) = sqlx::query_as(
        "select before, after from audit_log where action = 'roles_follow_position' order by id desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("audited");
    assert_eq!(before["roles"].as_array().map(Vec::len), Some(1));
    assert_eq!(after["roles"][1]["role"], "head");
    assert_eq!(after["roles"][1]["unit_id"], head_unit);
    assert_eq!(pegawai.get("/approvals").await.status, StatusCode::OK, "the role counts at once");
    // Saving again without a move changes nothing.
    let audits = app.audit_count("roles_follow_position").await;
    let r = hr.post_edit(&format!("/employees/{emp}/edit"), &format!("/employees/{emp}"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.audit_count("roles_follow_position").await, audits);

    // The position stops being the unit's head: she loses the role.
    let (name, kind, class): (String, String, Option<i16>) =
        sqlx::query_as("select name, kind, class_grade from positions where id = $1")
            .bind(head_pos)
            .fetch_one(&app.pool)
            .await
            .expect("position");
    let class = class.map(|c| c.to_string()).unwrap_or_default();
    let unit = head_unit.to_string();
    let pf = [
        ("name", name.as_str()),
        ("kind", kind.as_str()),
        ("class_grade", class.as_str()),
        ("unit", unit.as_str()),
        ("active", "on"),
    ];
    let r = hr.post_edit(&format!("/positions/{head_pos}/edit"), &format!("/positions/{head_pos}"), &pf).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(head_units(&app, "pegawai").await.is_empty());
    // …and gains it back when it is again.
    let mut pf2 = pf.to_vec();
    pf2.push(("is_unit_head", "on"));
    let r = hr.post_edit(&format!("/positions/{head_pos}/edit"), &format!("/positions/{head_pos}"), &pf2).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(head_units(&app, "pegawai").await, vec![head_unit]);

    // Moved back to her own position: the head role goes.
    let f = employee_fields(&app, emp, own_position).await;
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = hr.post_edit(&format!("/employees/{emp}/edit"), &format!("/employees/{emp}"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(head_units(&app, "pegawai").await.is_empty());

    // A head who leaves: the account is disabled and the head role ends, both audited.
    let kabid: i64 = app.scalar("select employee_id from accounts where username = 'kabid.infra'").await;
    let mut kabid_session = app.as_user("kabid.infra").await;
    assert_eq!(kabid_session.get("/").await.status, StatusCode::OK);
    let r = hr.post(&format!("/employees/{kabid}/deactivate"), &[("date", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.scalar("select count(*) from accounts where username = 'kabid.infra' and disabled_at is not null").await,
        1
    );
    assert!(head_units(&app, "kabid.infra").await.is_empty());
    assert_eq!(kabid_session.get("/").await.location(), "/login?next=%2F", "signed out at once");
    let mut c = app.client();
    assert_eq!(c.login("kabid.infra", PW).await.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.scalar(
            "select count(*) from audit_log where entity = 'account' and entity_id = (select id::text from accounts where username = 'kabid.infra')
               and action in ('disable', 'roles_follow_position')"
        )
        .await,
        2
    );

    // The import moves people too: a new position in the file moves the head role.
    let nip: String = sqlx::query_scalar("select nip from employees where id = $1")
        .bind(emp)
        .fetch_one(&app.pool)
        .await
        .expect("nip");
    let row: (String, String, String, String) = sqlx::query_as(
        "select e.status, e.name, p.name, u.code from employees e, positions p join units u on u.id = p.unit_id
         where e.id = $1 and p.id = $2",
    )
    .bind(emp)
    .bind(head_pos)
    .fetch_one(&app.pool)
    .await
    .expect("row");
    let csv = format!("NIP;Nama;Status;Jabatan;Unit Kerja\n{nip};{};{};{};{}\n", row.1, row.0, row.2, row.3);
    let preview = hr.upload("employees", "pindah.csv", csv.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    let batch =
        preview.body.split("/imports/batches/").nth(1).and_then(|s| s.split('/').next()).expect("batch").to_string();
    let r = hr.post(&format!("/imports/batches/{batch}/apply"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(head_units(&app, "pegawai").await, vec![head_unit]);
}

#[sqlx::test]
async fn names_and_titles_refuse_markup_and_formulas_everywhere(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let before = app.scalar("select count(*) from employees").await;
    // The import: each bad name or title is a row error, nothing is written.
    let (status, position, unit): (String, String, String) = sqlx::query_as(
        "select 'PNS', p.name, u.code from positions p join units u on u.id = p.unit_id where u.code = 'APT-PA' and not p.is_unit_head limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("position");
    let csv = format!(
        "NIP;Nama;Gelar Depan;Status;Jabatan;Unit Kerja\n\
         199001012015012001;<script>alert(1)</script>;;{status};{position};{unit}\n\
         199001022015012002;=HYPERLINK(\"http://x\");;{status};{position};{unit}\n\
         199001032015012003;Siti Aminah;@Dr.;{status};{position};{unit}\n\
         299001042015012004;Dewi Lestari;;{status};{position};{unit}\n\
         199001052015012005;Rina Marlina;;{status};{position};{unit}\n"
    );
    let preview = hr.upload("employees", "nama.csv", csv.as_bytes()).await;
    assert_eq!(preview.status, StatusCode::OK, "{}", preview.body);
    assert!(preview.body.contains("Tidak boleh berisi tanda &#60; atau &#62; (kode HTML)."), "{}", preview.body);
    assert_eq!(
        preview.body.matches("Tidak boleh diawali =, +, -, @, tab atau baris baru (rumus spreadsheet).").count(),
        2
    );
    assert!(preview.body.contains("Tanggal lahir di NIP di masa depan."));
    assert!(!preview.body.contains("<script>alert"), "escaped");
    assert!(!preview.body.contains("/apply"), "a file with row errors cannot be applied");
    assert_eq!(app.scalar("select count(*) from employees").await, before, "nothing written");

    // The form: the error next to the field, the input kept.
    let pos: i64 = sqlx::query_scalar("select p.id from positions p join units u on u.id = p.unit_id where u.code = 'APT-PA' and not p.is_unit_head limit 1")
        .fetch_one(&app.pool)
        .await
        .expect("pos");
    let pos = pos.to_string();
    let new = hr.get("/employees/new").await;
    let token = crate::helpers::hidden(&new.body, "form_token");
    let r = hr
        .post(
            "/employees",
            &[
                ("form_token", &token),
                ("nip", "199001062015012006"),
                ("status", "PNS"),
                ("name", "+Budi Santoso"),
                ("back_title", "S.Kom.<b>"),
                ("position", &pos),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"name-err\"") && r.body.contains("id=\"back_title-err\""), "{}", r.body);
    assert!(r.body.contains("value=\"+Budi Santoso\""), "input kept");
    let r = hr
        .post(
            "/employees",
            &[
                ("form_token", &token),
                ("nip", "209901062015012006"),
                ("status", "PNS"),
                ("name", "Budi"),
                ("position", &pos),
            ],
        )
        .await;
    assert!(r.body.contains("Tanggal lahir di NIP di masa depan."));
    hr.get("/lang/en").await;
    let r = hr
        .post(
            "/employees",
            &[
                ("form_token", &token),
                ("nip", "209901062015012006"),
                ("status", "PNS"),
                ("name", "=1+1"),
                ("position", &pos),
            ],
        )
        .await;
    assert!(r.body.contains("The birth date in the NIP is in the future."));
    assert!(r.body.contains("Must not start with =, +, -, @, a tab or a line break (a spreadsheet formula)."));
    assert_eq!(app.scalar("select count(*) from employees").await, before);
}
