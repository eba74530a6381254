//! Several people at once: no silent lost update, no double decision, no double record. The
//! interleavings are made deterministic with the database's own locks (a test transaction holds
//! the row; the requests are known to wait on it before it is released), never with sleeps.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{Client, Resp, TestApp, Waiting, hidden, waiting_of_each_kind};

/// The fields of an employee edit form as loaded (values of its inputs and selects).
async fn open_edit(c: &mut Client, id: i64) -> (Vec<(String, String)>, String) {
    let page = c.get(&format!("/employees/{id}/edit")).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut fields = vec![];
    for name in ["nip", "name", "front_title", "back_title", "birth_date", "education_field", "email", "phone"] {
        fields.push((name.to_string(), hidden(&page.body, name)));
    }
    let selected = |name: &str| {
        let sel =
            page.body.split(&format!("name=\"{name}\"")).nth(1).and_then(|s| s.split("</select>").next()).unwrap_or("");
        sel.split("<option")
            .find(|o| o.contains(" selected"))
            .and_then(|o| o.split("value=\"").nth(1))
            .and_then(|v| v.split('"').next())
            .unwrap_or("")
            .to_string()
    };
    for name in ["status", "sex", "rank", "position", "education_level"] {
        fields.push((name.to_string(), selected(name)));
    }
    fields.push(("version".into(), hidden(&page.body, "version")));
    fields.push(("base".into(), hidden(&page.body, "base")));
    (fields, page.body)
}

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    for (k, v) in fields.iter_mut() {
        if k == name {
            *v = value.to_string();
        }
    }
}

async fn post(c: &mut Client, path: &str, fields: &[(String, String)]) -> Resp {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post(path, &f).await
}

async fn employee(app: &TestApp) -> i64 {
    let id = app
        .scalar("select id from employees where status = 'PNS' and position_id is not null order by id limit 1")
        .await;
    sqlx::query("update employees set phone = '081100000000', email = 'awal@bandungkab.go.id' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("set");
    id
}

async fn field(app: &TestApp, id: i64, col: &str) -> String {
    sqlx::query_scalar(&format!("select coalesce({col}, '') from employees where id = $1"))
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("field")
}

#[sqlx::test]
async fn two_officers_editing_different_fields_both_keep_their_change(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let id = employee(&app).await;
    let mut a = app.as_user("kepegawaian").await;
    let mut b = app.as_user("kepegawaian").await;
    let (mut fa, _) = open_edit(&mut a, id).await;
    let (mut fb, _) = open_edit(&mut b, id).await;
    set(&mut fa, "phone", "082200000000");
    set(&mut fb, "email", "baru@bandungkab.go.id");
    assert_eq!(post(&mut a, &format!("/employees/{id}"), &fa).await.status, StatusCode::SEE_OTHER);
    let r = post(&mut b, &format!("/employees/{id}"), &fb).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "merged: {}", r.body);
    assert!(b.get(r.location()).await.body.contains("perubahan mereka dipertahankan"), "the merge is said");
    assert_eq!(field(&app, id, "phone").await, "082200000000", "A's phone is not lost");
    assert_eq!(field(&app, id, "email").await, "baru@bandungkab.go.id");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where entity = 'employee' and entity_id = '{id}' and action = 'update'"
        ))
        .await,
        2
    );
}

#[sqlx::test]
async fn the_same_field_changed_twice_is_shown_not_overwritten(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let id = employee(&app).await;
    let mut a = app.as_user("kepegawaian").await;
    let mut b = app.as_user("kepegawaian").await;
    let (mut fa, _) = open_edit(&mut a, id).await;
    let (mut fb, _) = open_edit(&mut b, id).await;
    set(&mut fa, "phone", "082200000000");
    set(&mut fb, "phone", "083300000000");
    assert_eq!(post(&mut a, &format!("/employees/{id}"), &fa).await.status, StatusCode::SEE_OTHER);
    let r = post(&mut b, &format!("/employees/{id}"), &fb).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Data ini diubah orang lain"));
    let table = r.body.split("id=\"edit-conflict\"").nth(1).unwrap_or("");
    assert!(
        table.contains("081100000000") && table.contains("082200000000") && table.contains("083300000000"),
        "opened, theirs, mine"
    );
    assert!(r.body.contains("value=\"083300000000\""), "what B typed stays in the form");
    assert_eq!(field(&app, id, "phone").await, "082200000000", "nothing applied");
    // B applies their value on top of the latest version: the form now carries it.
    let mut again = fb.clone();
    set(&mut again, "version", &hidden(&r.body, "version"));
    set(&mut again, "base", &hidden(&r.body, "base"));
    assert_eq!(post(&mut b, &format!("/employees/{id}"), &again).await.status, StatusCode::SEE_OTHER);
    assert_eq!(field(&app, id, "phone").await, "083300000000");
}

#[sqlx::test]
async fn units_and_settings_refuse_lost_updates(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut a = app.as_user("kepegawaian").await;
    let mut b = app.as_user("kepegawaian").await;
    let unit = app.scalar("select id from units where code = 'APT-PA'").await;
    let parent = app.scalar(&format!("select parent_id from units where id = {unit}")).await.to_string();
    // A renames the unit; B, from the same version, renames it differently.
    let ra = a
        .post_edit(
            &format!("/units/{unit}/edit"),
            &format!("/units/{unit}"),
            &[("code", "APT-PA"), ("name", "Seksi A"), ("kind", "seksi"), ("parent", &parent)],
        )
        .await;
    assert_eq!(ra.status, StatusCode::SEE_OTHER);
    let stale_version = (app.scalar(&format!("select version from units where id = {unit}")).await - 1).to_string();
    let base =
        serde_json::json!({"code": "APT-PA", "name": "Seksi Pengembangan Aplikasi", "kind": "seksi", "parent": parent})
            .to_string();
    let r = b
        .post(
            &format!("/units/{unit}"),
            &[
                ("code", "APT-PA"),
                ("name", "Seksi B"),
                ("kind", "seksi"),
                ("parent", &parent),
                ("version", &stale_version),
                ("base", &base),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Seksi A") && r.body.contains("value=\"Seksi B\""));
    assert_eq!(
        sqlx::query_scalar::<_, String>("select name from units where id = $1")
            .bind(unit)
            .fetch_one(&app.pool)
            .await
            .expect("n"),
        "Seksi A"
    );

    // Settings: two admins change different settings: both kept.
    let mut x = app.as_user("admin").await;
    let mut y = app.as_user("admin").await;
    let px = x.get("/settings").await;
    let py = y.get("/settings").await;
    let post_settings = async |c: &mut Client, page: &Resp, name: &str, jp: &str| {
        c.post(
            "/settings",
            &[
                ("department_name", name),
                ("jp_per_year", jp),
                ("time_zone", "Asia/Jakarta"),
                ("version", &hidden(&page.body, "version")),
                ("base", &hidden(&page.body, "base")),
            ],
        )
        .await
    };
    let current_name = hidden(&px.body, "department_name");
    assert_eq!(post_settings(&mut x, &px, "Diskominfo Baru", "20").await.status, StatusCode::SEE_OTHER);
    assert_eq!(post_settings(&mut y, &py, &current_name, "24").await.status, StatusCode::SEE_OTHER);
    let s = cakap::settings::AgencySettings::load(&app.pool).await.expect("settings");
    assert_eq!((s.department_name.as_str(), s.jp_per_year), ("Diskominfo Baru", 24.0));
    // And the same setting twice: the second is shown the first.
    let p1 = x.get("/settings").await;
    let p2 = y.get("/settings").await;
    assert_eq!(post_settings(&mut x, &p1, "Nama X", "24").await.status, StatusCode::SEE_OTHER);
    let r = post_settings(&mut y, &p2, "Nama Y", "24").await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Nama X") && r.body.contains("value=\"Nama Y\""));
}

#[sqlx::test]
async fn approve_and_reject_at_the_same_moment_records_one_decision(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let pending: Vec<i64> = sqlx::query_scalar(
        "select a.id from assessments a join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
         where a.status = 'pending' order by a.id limit 3",
    )
    .fetch_all(&app.pool)
    .await
    .expect("pending");
    assert!(!pending.is_empty(), "the demo has pending self-assessments");
    for id in pending {
        let mut hr = app.as_user("kepegawaian").await;
        let mut head = app.as_user("kadis").await;
        hr.prime().await;
        head.prime().await;
        // Hold the row so both decisions arrive while it is busy, then let them race.
        let mut hold = app.pool.begin().await.expect("tx");
        sqlx::query("select id from assessments where id = $1 for update")
            .bind(id)
            .execute(&mut *hold)
            .await
            .expect("lock");
        let one = tokio::spawn(async move { hr.post(&format!("/assessments/{id}/validate"), &[]).await });
        let two = tokio::spawn(async move {
            head.post(&format!("/assessments/{id}/reject"), &[("reason", "Belum ada bukti")]).await
        });
        app.wait_for_locks(2).await;
        hold.commit().await.expect("release");
        let (r1, r2) = (one.await.expect("join"), two.await.expect("join"));
        let mut statuses = [r1.status.as_u16(), r2.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [303, 409], "exactly one decision");
        let loser = if r1.status == StatusCode::CONFLICT { &r1 } else { &r2 };
        assert!(loser.body.contains("sudah diputuskan lebih dulu"), "the other is told");
        assert!(
            loser.body.contains("Disetujui") || loser.body.contains("Ditolak") || loser.body.contains("Divalidasi"),
            "how"
        );
        let decisions = app
            .scalar(&format!("select count(*) from audit_log where entity = 'assessment' and entity_id = '{id}' and action in ('validate', 'reject')"))
            .await;
        assert_eq!(decisions, 1, "one decision audited");
    }
}

#[sqlx::test]
async fn a_double_submit_creates_one_record(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get("/units/new").await;
    let token = hidden(&page.body, "form_token");
    assert!(token.len() >= 16, "the create form carries a one-time token");
    let parent = app.scalar("select id from units where code = 'INF'").await.to_string();
    let fields = [
        ("code", "SEK-BARU"),
        ("name", "Seksi Baru"),
        ("kind", "seksi"),
        ("parent", parent.as_str()),
        ("form_token", token.as_str()),
    ];
    let (r1, r2) = tokio::join!(
        async {
            let mut c = hr.clone_session();
            c.post("/units", &fields).await
        },
        async {
            let mut c = hr.clone_session();
            c.post("/units", &fields).await
        }
    );
    assert!(r1.status.is_redirection() && r2.status.is_redirection(), "{} {}", r1.status, r2.status);
    assert_eq!(app.scalar("select count(*) from units where code = 'SEK-BARU'").await, 1);
    // Positions too, sent one after the other (a retried request).
    let page = hr.get("/positions/new").await;
    let token = hidden(&page.body, "form_token");
    let fields = [
        ("name", "Analis Baru"),
        ("kind", "pelaksana"),
        ("unit", parent.as_str()),
        ("active", "on"),
        ("form_token", token.as_str()),
    ];
    let first = hr.post("/positions", &fields).await;
    let second = hr.post("/positions", &fields).await;
    assert_eq!(first.status, StatusCode::SEE_OTHER);
    assert_eq!(second.location(), first.location(), "the retry lands on the same record");
    assert_eq!(app.scalar("select count(*) from positions where name = 'Analis Baru'").await, 1);
}

#[sqlx::test]
async fn an_import_applied_while_someone_edits_sees_the_edit(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let (id, nip, name, position, unit): (i64, String, String, String, String) = sqlx::query_as(
        "select e.id, e.nip, e.name, p.name, u.code from employees e join positions p on p.id = e.position_id
         join units u on u.id = e.unit_id where e.status = 'PNS' order by e.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("row");
    let csv = format!("NIP,Nama,Status,Jabatan,Unit Kerja\n{nip},{name} Impor,PNS,{position},{unit}\n");
    let r = hr.post_multipart("/imports/employees", &[], Some(("file", "a.csv", csv.as_bytes()))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let batch = app.scalar("select max(id) from import_batches").await;
    // An edit is being saved (row locked, changed, not committed) when the import is applied.
    let mut edit = app.pool.begin().await.expect("tx");
    sqlx::query("update employees set name = 'Disunting' where id = $1")
        .bind(id)
        .execute(&mut *edit)
        .await
        .expect("edit");
    let apply = tokio::spawn(async move { hr.post(&format!("/imports/batches/{batch}/apply"), &[]).await });
    app.wait_for_locks(1).await;
    edit.commit().await.expect("commit");
    let r = apply.await.expect("join");
    assert_eq!(r.status, StatusCode::CONFLICT, "the import sees the edit and asks again");
    assert!(r.body.contains("Disunting → "));
    assert_eq!(field(&app, id, "name").await, "Disunting", "the edit is not overwritten silently");
    // Two imports of the same file applied at once: one writes, the other finds nothing to do.
    let mut c1 = app.as_user("kepegawaian").await;
    let mut c2 = app.as_user("kepegawaian").await;
    let csv = "NIP,Nama,Status,Jenis Kelamin,Tanggal Lahir,Golongan,Jabatan,Unit Kerja\n\
               700000000000000001,Kembar Satu,PPPK,P,01/02/1995,IX,Teknisi Jaringan,UPT-CC\n";
    c1.post_multipart("/imports/employees", &[], Some(("file", "k.csv", csv.as_bytes()))).await;
    let b1 = app.scalar("select max(id) from import_batches").await;
    c2.post_multipart("/imports/employees", &[], Some(("file", "k.csv", csv.as_bytes()))).await;
    let b2 = app.scalar("select max(id) from import_batches").await;
    let (p1, p2) = (format!("/imports/batches/{b1}/apply"), format!("/imports/batches/{b2}/apply"));
    let (r1, r2) = tokio::join!(c1.post(&p1, &[]), c2.post(&p2, &[]));
    let mut statuses = [r1.status.as_u16(), r2.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 409], "the second apply sees the first one's row");
    assert_eq!(app.scalar("select count(*) from employees where nip = '700000000000000001'").await, 1);
    assert_eq!(app.scalar("select count(*) from audit_log where entity = 'employee' and action = 'create' and after->>'nip' = '700000000000000001'").await, 1);
}

#[sqlx::test]
async fn a_standard_changed_meanwhile_is_not_overwritten(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let (pos, comp): (i64, i64) = sqlx::query_as(
        "select position_id, competency_id from position_standards order by position_id, competency_id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("line");
    let page = hr.get(&format!("/positions/{pos}")).await;
    let seen = hidden(&page.body, "seen");
    assert!(seen.starts_with('['), "the page carries the standard it shows");
    // Another officer changes this line's level meanwhile.
    sqlx::query("update position_standards set required_level = 5 where position_id = $1 and competency_id = $2")
        .bind(pos)
        .bind(comp)
        .execute(&app.pool)
        .await
        .expect("other");
    let (c, s) = (comp.to_string(), seen.clone());
    let r = hr
        .post(
            &format!("/positions/{pos}/standard"),
            &[("competency", &c), ("level", "2"), ("priority", "useful"), ("seen", &s)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Orang lain mengubah kebutuhan kompetensi ini"));
    let level = app
        .scalar(&format!(
            "select required_level::bigint from position_standards where position_id = {pos} and competency_id = {comp}"
        ))
        .await;
    assert_eq!(level, 5, "their change stays");
    // Removing or copying over the changed standard is refused the same way.
    let r = hr.post(&format!("/positions/{pos}/standard/remove"), &[("competency", &c), ("seen", &s)]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    // A line nobody touched can still be changed from the same page.
    let other = app
        .scalar(&format!("select id from competencies where id not in (select competency_id from position_standards where position_id = {pos}) order by id limit 1"))
        .await
        .to_string();
    let r = hr
        .post(
            &format!("/positions/{pos}/standard"),
            &[("competency", &other), ("level", "2"), ("priority", "useful"), ("seen", &s)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
}

#[sqlx::test]
async fn deactivating_or_disabling_twice_at_once_is_one_change(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let id = app.scalar("select id from employees where active order by id desc limit 1").await;
    let mut a = app.as_user("kepegawaian").await;
    let mut b = app.as_user("kepegawaian").await;
    a.prime().await;
    b.prime().await;
    let mut hold = app.pool.begin().await.expect("tx");
    sqlx::query("select id from employees where id = $1 for update").bind(id).execute(&mut *hold).await.expect("lock");
    let one = tokio::spawn(async move { a.post(&format!("/employees/{id}/deactivate"), &[("date", "")]).await });
    let two = tokio::spawn(async move { b.post(&format!("/employees/{id}/deactivate"), &[("date", "")]).await });
    app.wait_for_locks(2).await;
    hold.commit().await.expect("release");
    let (r1, r2) = (one.await.expect("join"), two.await.expect("join"));
    let mut statuses = [r1.status.as_u16(), r2.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 409]);
    let loser = if r1.status == StatusCode::CONFLICT { &r1 } else { &r2 };
    assert!(loser.body.contains("pegawai dinonaktifkan") && loser.body.contains("kepegawaian"), "what and by whom");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where entity = 'employee' and entity_id = '{id}' and action = 'deactivate'"
        ))
        .await,
        1
    );
    // Disabling an account twice: the second is told, one audit row.
    let acc = app.scalar("select id from accounts where username = 'pegawai'").await;
    let mut hr = app.as_user("kepegawaian").await;
    assert_eq!(hr.post(&format!("/accounts/{acc}/disable"), &[]).await.status, StatusCode::SEE_OTHER);
    let r = hr.post(&format!("/accounts/{acc}/disable"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("akun dinonaktifkan"));
}

/// The kept current level stays right when two assessments of one pair are written at once: the
/// later writer waits for the earlier and recomputes with its row visible.
#[sqlx::test]
async fn two_assessments_at_once_keep_the_right_current_level(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let emp = app.scalar("select id from employees order by id limit 1").await;
    let comp = app.scalar("select id from competencies where code = 'SEC-04'").await;
    sqlx::query("delete from assessments where employee_id = $1 and competency_id = $2")
        .bind(emp)
        .bind(comp)
        .execute(&app.pool)
        .await
        .expect("clean");
    let insert = "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
                  values ($1, $2, $3, $4::date, 'supervisor', 'validated')";
    let mut newer = app.pool.begin().await.expect("tx");
    sqlx::query(insert).bind(emp).bind(comp).bind(4i16).bind("2026-06-01").execute(&mut *newer).await.expect("newer");
    let pool = app.pool.clone();
    let older = tokio::spawn(async move {
        let mut tx = pool.begin().await.expect("tx");
        sqlx::query(insert).bind(emp).bind(comp).bind(2i16).bind("2025-01-01").execute(&mut *tx).await.expect("older");
        tx.commit().await.expect("commit");
    });
    app.wait_for_locks(1).await;
    newer.commit().await.expect("commit");
    older.await.expect("join");
    let level = app
        .scalar(&format!(
            "select level::bigint from current_levels where employee_id = {emp} and competency_id = {comp}"
        ))
        .await;
    assert_eq!(level, 4, "the newer assessment is the current level, whichever committed last");
    sqlx::query("delete from assessments where employee_id = $1 and competency_id = $2 and level = 4")
        .bind(emp)
        .bind(comp)
        .execute(&app.pool)
        .await
        .expect("delete");
    let level = app
        .scalar(&format!(
            "select level::bigint from current_levels where employee_id = {emp} and competency_id = {comp}"
        ))
        .await;
    assert_eq!(level, 2, "removing it falls back to the one before");
}

#[sqlx::test]
async fn two_officers_saving_one_employee_at_once_leave_one_winner_per_field(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let id = employee(&app).await;
    let path = format!("/employees/{id}");
    let updates = || async {
        app.scalar(&format!(
            "select count(*) from audit_log where entity = 'employee' and entity_id = '{id}' and action = 'update'"
        ))
        .await
    };
    let mut a = app.as_user("kepegawaian").await;
    let mut b = app.as_user("kepegawaian").await;
    // The same field, sent at the same moment: one saves, the other is shown both values.
    let (mut fa, _) = open_edit(&mut a, id).await;
    let (mut fb, _) = open_edit(&mut b, id).await;
    set(&mut fa, "phone", "082200000000");
    set(&mut fb, "phone", "083300000000");
    set(&mut fb, "email", "bersamaan@bandungkab.go.id");
    let (ra, rb) = tokio::join!(post(&mut a, &path, &fa), post(&mut b, &path, &fb));
    let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 409], "one winner: {} / {}", ra.body, rb.body);
    let (winner, loser) =
        if ra.status == StatusCode::SEE_OTHER { ("082200000000", &rb) } else { ("083300000000", &ra) };
    assert!(loser.body.contains("Data ini diubah orang lain"), "the other sees the clash");
    assert_eq!(field(&app, id, "phone").await, winner);
    let email = if winner == "083300000000" { "bersamaan@bandungkab.go.id" } else { "awal@bandungkab.go.id" };
    assert_eq!(field(&app, id, "email").await, email, "nothing of the loser's form applied");
    assert_eq!(updates().await, 1, "one audit entry for the one save");
    // Different fields at the same moment: both kept, one of them told of the merge.
    let (mut fa, _) = open_edit(&mut a, id).await;
    let (mut fb, _) = open_edit(&mut b, id).await;
    set(&mut fa, "phone", "084400000000");
    set(&mut fb, "email", "gabung@bandungkab.go.id");
    let (ra, rb) = tokio::join!(post(&mut a, &path, &fa), post(&mut b, &path, &fb));
    assert_eq!((ra.status, rb.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER), "{} / {}", ra.body, rb.body);
    assert_eq!(field(&app, id, "phone").await, "084400000000");
    assert_eq!(field(&app, id, "email").await, "gabung@bandungkab.go.id");
    assert_eq!(updates().await, 3, "one audit entry per saved change");
}

/// Every kind decided through the one decide workflow: HR approves and the head rejects the same
/// item at the same moment; exactly one decision is recorded and audited, the other is told
/// (409) that it was decided first.
#[sqlx::test]
async fn each_kind_decided_twice_at_once_records_one_decision(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    for Waiting { entity, table, id, approve, reject, actions } in waiting_of_each_kind(&app).await {
        let mut hr = app.as_user("kepegawaian").await;
        let mut head = app.as_user("kabid.aptika").await;
        hr.prime().await;
        head.prime().await;
        // Hold the item's row so both decisions arrive while it is busy, then let them race.
        let mut hold = app.pool.begin().await.expect("tx");
        sqlx::query(&format!("select id from {table} where id = $1 for update"))
            .bind(id)
            .execute(&mut *hold)
            .await
            .expect("lock");
        let (r1, r2, ()) =
            tokio::join!(hr.post(&approve, &[]), head.post(&reject, &[("reason", "Belum perlu")]), async {
                app.wait_for_locks(2).await;
                hold.commit().await.expect("release");
            });
        let mut statuses = [r1.status.as_u16(), r2.status.as_u16()];
        statuses.sort();
        assert_eq!(statuses, [303, 409], "{entity}: exactly one decision ({} / {})", r1.body, r2.body);
        let loser = if r1.status == StatusCode::CONFLICT { &r1 } else { &r2 };
        assert!(loser.body.contains("sudah diputuskan"), "{entity}: the other is told: {}", loser.body);
        let decisions = app
            .scalar(&format!(
                "select count(*) from audit_log where entity = '{entity}' and entity_id = '{id}'
                 and action = any(array[{}])",
                actions.iter().map(|a| format!("'{a}'")).collect::<Vec<_>>().join(", ")
            ))
            .await;
        assert_eq!(decisions, 1, "{entity}: one decision audited");
        let waiting = app
            .scalar(&format!("select count(*) from {table} where id = {id} and status in ('pending', 'nominated')"))
            .await;
        assert_eq!(waiting, 0, "{entity}: decided");
    }
}
