//! End to end in Chromium (issue 25, items 1 and 3): an employee logs a mentoring session she
//! received by picking the mentor by name from her gap card (and by typing a name into the
//! picker); a head decides from the queue without opening anyone's profile. Screenshots of the
//! gap card and the queue at 1366 px and 390 px: `target/screenshots/e2e-{gapcard,queue}-{desktop,phone}.png`.

use fantoccini::Locator;
use serde_json::json;
use sqlx::PgPool;

use crate::{
    browser::{Browser, open},
    helpers::{PW, TestApp, many_positions, many_units, test_position},
};

/// Run a script on the page and return its value.
async fn js(b: &Browser, script: &str, args: Vec<serde_json::Value>) -> serde_json::Value {
    b.client.execute(script, args).await.expect("script")
}

/// The page has no horizontal scroll at the current window size.
async fn fits(b: &Browser, what: &str) {
    let v = js(
        b,
        "return [document.documentElement.scrollWidth, window.innerWidth, document.querySelector('main').scrollWidth];",
        vec![],
    )
    .await;
    let (page, view) = (v[0].as_i64().unwrap_or(0), v[1].as_i64().unwrap_or(0));
    assert!(page <= view, "{what}: the page is {page} px wide in a {view} px window");
}

/// Wait until `css` matches something visible (a script's answer), up to 10 s.
async fn wait_visible(b: &Browser, css: &str) {
    for _ in 0..100 {
        if b.visible(css).await {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{css} never showed: {}", b.text("main").await);
}

#[sqlx::test]
async fn an_employee_logs_a_mentoring_session_she_received_by_picking_the_mentor_by_name(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own: i64 = sqlx::query_scalar("select employee_id from accounts where username = 'pegawai'")
        .fetch_one(&app.pool)
        .await
        .expect("own");
    let Some(b) = open(&app).await else { return };
    b.client.set_window_size(1366, 768).await.expect("resize");
    b.login("pegawai", PW).await;

    // Her gap card names the colleagues who hold what she lacks, each with "log a session".
    b.goto(&format!("/employees/{own}/gaps")).await;
    assert!(b.text("main").await.contains("Catat sesi mentoring"), "{}", b.text("main").await);
    let to_mentors = "const a = document.querySelector('a.log-session'); if (a) { a.closest('td').scrollIntoView({block: 'center'}); }";
    js(&b, to_mentors, vec![]).await;
    b.shot("e2e-gapcard-desktop").await;
    b.client.set_window_size(390, 844).await.expect("resize");
    b.goto(&format!("/employees/{own}/gaps")).await;
    js(&b, to_mentors, vec![]).await;
    b.shot("e2e-gapcard-phone").await;
    b.client.set_window_size(1366, 768).await.expect("resize");
    b.goto(&format!("/employees/{own}/gaps")).await;
    let href = b
        .client
        .find(Locator::Css("a.log-session"))
        .await
        .expect("a mentor option")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    let mentor: i64 = href.split("mentor_id=").nth(1).and_then(|s| s.parse().ok()).expect("the mentor's id");
    let (mentor_name, mentor_nip): (String, String) =
        sqlx::query_as("select employee_display_name(front_title, name, back_title), nip from employees where id = $1")
            .bind(mentor)
            .fetch_one(&app.pool)
            .await
            .expect("mentor");
    b.click("a.log-session").await;
    assert!(b.path().await.starts_with("/activities/new"), "{}", b.path().await);
    // The form opens with the mentor chosen, by name, and the competency of that gap.
    let chosen = b.text("#mentor-picked").await;
    assert!(chosen.contains(&mentor_name), "the mentor is filled in: {chosen}");
    assert!(!b.text("main").await.contains(&mentor_nip), "no colleague's NIP on her page");
    let ticked = js(&b, "return document.querySelector('#mentor-picked input[name=mentor_id]').checked;", vec![]).await;
    assert_eq!(ticked, json!(true));
    assert_ne!(js(&b, "return document.getElementById('competency').value;", vec![]).await, json!(""));
    b.fill("#minutes", "150").await;
    b.fill("#topic", "Pendampingan menyusun uji otomatis layanan").await;
    b.shot("e2e-activity-from-gapcard").await;
    b.click("main form button[type=submit]").await;
    assert!(b.text(".flash").await.contains("menunggu konfirmasi"), "{}", b.text("main").await);
    let (got_mentor, minutes, status): (Option<i64>, i32, String) = sqlx::query_as(
        "select a.mentor_id, a.minutes, a.status from activities a join activity_learners l on l.activity_id = a.id
         where a.topic = 'Pendampingan menyusun uji otomatis layanan' and l.employee_id = $1",
    )
    .bind(own)
    .fetch_one(&app.pool)
    .await
    .expect("the session is saved");
    assert_eq!((got_mentor, minutes, status.as_str()), (Some(mentor), 150, "pending"));

    // Typing part of a name: the picker offers matches; choosing one fills it in.
    let (yayan, yayan_name): (i64, String) = sqlx::query_as(
        "select id, employee_display_name(front_title, name, back_title) from employees
         where active and name like 'Yayan %' and id <> $1 order by id limit 1",
    )
    .bind(own)
    .fetch_one(&app.pool)
    .await
    .expect("a Yayan");
    b.goto("/activities/new").await;
    let comp: i64 = sqlx::query_scalar("select id from competencies where code = 'APL-02'")
        .fetch_one(&app.pool)
        .await
        .expect("comp");
    js(
        &b,
        "const s = document.getElementById('competency'); s.value = arguments[0]; s.dispatchEvent(new Event('change'));",
        vec![json!(comp.to_string())],
    )
    .await;
    b.fill("#mentor", "Yayan").await;
    wait_visible(&b, &format!("#mentor-results button.pick[data-id='{yayan}']")).await;
    let offered = b.text("#mentor-results").await;
    assert!(offered.contains(&yayan_name), "{offered}");
    b.shot("e2e-picker-matches").await;
    b.tap(&format!("#mentor-results button.pick[data-id='{yayan}']")).await;
    assert!(b.text("#mentor-picked").await.contains(&yayan_name));
    assert_eq!(js(&b, "return document.getElementById('mentor').value;", vec![]).await, json!(""));
    b.fill("#minutes", "90").await;
    b.fill("#topic", "Belajar merancang basis data dari Yayan").await;
    b.click("main form button[type=submit]").await;
    assert!(b.text(".flash").await.contains("menunggu konfirmasi"), "{}", b.text("main").await);
    let got: Option<i64> =
        sqlx::query_scalar("select mentor_id from activities where topic = 'Belajar merancang basis data dari Yayan'")
            .fetch_one(&app.pool)
            .await
            .expect("saved");
    assert_eq!(got, Some(yayan));

    // In English the same form speaks English.
    b.click("nav.lang a[lang=en]").await;
    b.goto("/activities/new").await;
    assert!(b.text("main").await.contains("Mentor or coach"));
    b.click("nav.lang a[lang=id]").await;
    b.close().await;
}

#[sqlx::test]
async fn a_head_decides_from_the_queue_without_opening_the_profile(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // A colleague of head A at level 2 claims level 3, with evidence; two informal sessions wait.
    let (emp, comp, code, name): (i64, i64, String, String) = sqlx::query_as(
        "select cl.employee_id, cl.competency_id, c.code, employee_display_name(e.front_title, e.name, e.back_title)
         from current_levels cl join employees e on e.id = cl.employee_id
         join units u on u.id = e.unit_id join competencies c on c.id = cl.competency_id
         where u.code like 'APT-%' and cl.level = 2 and not exists (select 1 from accounts a where a.employee_id = e.id)
         order by e.id, c.code limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a level 2");
    let q = |sql: String| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(&sql).fetch_one(&pool).await.expect("insert") }
    };
    let ev = q(format!(
        "insert into evidence_files (employee_id, filename, content_type, size_bytes, sha256, data)
         values ({emp}, 'sertifikat.pdf', 'application/pdf', 15, 'x', '%PDF-1.4\n%%EOF\n'::bytea) returning id"
    ))
    .await;
    let asm = q(format!(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status, note, evidence_id)
         values ({emp}, {comp}, 3, current_date, 'self', 'pending', 'Memimpin uji penetrasi aplikasi', {ev}) returning id"
    ))
    .await;
    let act1 = q(format!(
        "with a as (insert into activities (kind, competency_id, held_on, minutes, topic, status)
                    values ('mentoring', {comp}, current_date, 150, 'Sesi tinjauan kode', 'pending') returning id)
         insert into activity_learners select id, {emp} from a returning activity_id"
    ))
    .await;
    let act2 = q(format!(
        "with a as (insert into activities (kind, competency_id, held_on, minutes, topic, report, status)
                    values ('belajar_mandiri', {comp}, current_date, 120, 'Belajar OWASP', 'Membaca panduan OWASP Top 10 dan mencoba contohnya', 'pending') returning id)
         insert into activity_learners select id, {emp} from a returning activity_id"
    ))
    .await;
    let Some(b) = open(&app).await else { return };
    b.client.set_window_size(1366, 768).await.expect("resize");
    b.login("kabid.aptika", PW).await;
    b.click("nav.sidenav a[href='/approvals']").await;
    let queue = b.text("main").await;
    for words in [
        format!("Penilaian mandiri {code}: level 3 (saat ini 2)"),
        "Mentoring 150 menit".to_string(),
        "Belajar mandiri 120 menit".to_string(),
        "Memimpin uji penetrasi aplikasi".to_string(),
        "Membaca panduan OWASP Top 10".to_string(),
        "Lihat bukti".to_string(),
    ] {
        assert!(queue.contains(&words), "{words} in {queue}");
    }
    assert!(!queue.contains("belajar_mandiri") && !queue.contains("150 min\n"), "no raw codes: {queue}");
    fits(&b, "the queue at 1366 px").await;
    b.shot("e2e-queue-desktop").await;
    // The evidence opens from the queue itself.
    let ev_href = b
        .client
        .find(Locator::Css(&format!("#item-assessment-{asm} a[href='/evidence/{ev}']")))
        .await
        .expect("the evidence link")
        .attr("href")
        .await
        .expect("href");
    assert_eq!(ev_href.as_deref(), Some(&*format!("/evidence/{ev}")));

    // Approve the claim right there.
    b.click(&format!("button[name=one][value='approve:assessment:{asm}']")).await;
    assert!(b.text(".flash").await.contains("Usulan disetujui"), "{}", b.text("main").await);
    assert_eq!(b.path().await, "/approvals");
    let level: i16 =
        sqlx::query_scalar("select level from current_levels where employee_id = $1 and competency_id = $2")
            .bind(emp)
            .bind(comp)
            .fetch_one(&app.pool)
            .await
            .expect("level");
    assert_eq!(level, 3);

    // Tick both sessions and reject them without a reason: the error, and both still ticked.
    for act in [act1, act2] {
        b.tap(&format!("#it-activity-{act}")).await;
    }
    b.click("button[name=decision][value=reject]").await;
    assert!(b.text("main").await.contains("Tuliskan alasan penolakan"), "{}", b.text("main").await);
    let ticks = js(
        &b,
        "return [arguments[0], arguments[1]].map(id => document.getElementById('it-activity-' + id).checked);",
        vec![json!(act1), json!(act2)],
    )
    .await;
    assert_eq!(ticks, json!([true, true]), "the ticked items stay ticked");
    b.shot("e2e-queue-reason-missing").await;

    // Reject one with its own reason, right there.
    b.fill(&format!("#reason-activity-{act1}"), "Tanggal sesi tidak sesuai jadwal mentor").await;
    b.click(&format!("button[name=one][value='reject:activity:{act1}']")).await;
    assert!(b.text(".flash").await.contains("Usulan ditolak"), "{}", b.text("main").await);
    let (status, reason): (String, String) =
        sqlx::query_as("select status, decision_reason from activities where id = $1")
            .bind(act1)
            .fetch_one(&app.pool)
            .await
            .expect("decided");
    assert_eq!((status.as_str(), reason.as_str()), ("rejected", "Tanggal sesi tidak sesuai jadwal mentor"));
    let left: String = sqlx::query_scalar("select status from activities where id = $1")
        .bind(act2)
        .fetch_one(&app.pool)
        .await
        .expect("act2");
    assert_eq!(left, "pending", "only the one decided");
    assert!(b.text("main").await.contains(&name));

    // On a phone: cards, no horizontal scroll.
    b.client.set_window_size(390, 844).await.expect("resize");
    b.goto("/approvals").await;
    fits(&b, "the queue at 390 px").await;
    b.shot("e2e-queue-phone").await;
    b.client.set_window_size(1366, 768).await.expect("resize");

    // In English: the same claims in English words.
    b.click("nav.lang a[lang=en]").await;
    let queue = b.text("main").await;
    assert!(queue.contains("Self-study 120 minutes"), "{queue}");
    b.click("nav.lang a[lang=id]").await;
    b.close().await;
}

/// HR moves someone to another position by typing part of its name where there are too many
/// positions to list: the matches appear as buttons, the chosen one is ticked, the form saves it.
#[sqlx::test]
async fn hr_moves_someone_to_a_position_found_by_typing(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    many_positions(&app).await;
    let emp: i64 = sqlx::query_scalar("select employee_id from accounts where username = 'pegawai'")
        .fetch_one(&app.pool)
        .await
        .expect("pegawai");
    let (target, _) = test_position(&app, 142, "APT").await;
    let Some(b) = open(&app).await else { return };
    b.client.set_window_size(1366, 768).await.expect("resize");
    b.login("kepegawaian", PW).await;
    b.goto(&format!("/employees/{emp}/edit")).await;
    assert!(!b.visible("select#position").await, "no list of every position");
    b.fill("#position", "uji sistem 142").await;
    wait_visible(&b, &format!("#position-results button.pick[data-id='{target}']")).await;
    js(&b, "document.getElementById('position-results').scrollIntoView({block: 'center'});", vec![]).await;
    b.shot("e2e-position-matches").await;
    b.tap(&format!("#position-results button.pick[data-id='{target}']")).await;
    let ticked = js(
        &b,
        "const r = document.querySelector('#position-picked input[name=position]:checked'); return r ? r.value : null;",
        vec![],
    )
    .await;
    assert_eq!(ticked, json!(target.to_string()), "the chosen position is ticked");
    assert_eq!(js(&b, "return document.getElementById('position').value;", vec![]).await, json!(""));
    b.click("main form button[type=submit]").await;
    assert!(b.path().await.starts_with(&format!("/employees/{emp}")), "{}", b.text("main").await);
    let got: i64 = sqlx::query_scalar("select position_id from employees where id = $1")
        .bind(emp)
        .fetch_one(&app.pool)
        .await
        .expect("saved");
    assert_eq!(got, target);

    // Her gap card compares against another position found the same way.
    let (other, _) = test_position(&app, 137, "INF").await;
    b.goto(&format!("/employees/{emp}/gaps")).await;
    b.fill("#position", "uji sistem 137").await;
    wait_visible(&b, &format!("#position-results button.pick[data-id='{other}']")).await;
    b.tap(&format!("#position-results button.pick[data-id='{other}']")).await;
    b.shot("e2e-card-position-matches").await;
    b.click("form.filters button[type=submit]").await;
    assert!(b.path().await.contains(&format!("position={other}")), "{}", b.path().await);
    assert!(b.text("main").await.contains("Analis Uji Sistem 137"), "{}", b.text("main").await);

    // HR's other pages that choose among every position find it the same way: a key position
    // marked, and an IDP template's position.
    let (key, _) = test_position(&app, 151, "APT").await;
    b.goto("/talent/pool").await;
    assert!(!b.visible("select#position").await, "no list of every position");
    b.fill("#position", "uji sistem 151").await;
    wait_visible(&b, &format!("#position-results button.pick[data-id='{key}']")).await;
    b.tap(&format!("#position-results button.pick[data-id='{key}']")).await;
    b.click("form.filters[action='/talent/pool/key'] button[type=submit]").await;
    let marked: bool = sqlx::query_scalar("select is_key from positions where id = $1")
        .bind(key)
        .fetch_one(&app.pool)
        .await
        .expect("key");
    assert!(marked, "{}", b.text("main").await);
    b.goto("/idp/templates").await;
    b.fill("#position", "uji sistem 142").await;
    wait_visible(&b, &format!("#position-results button.pick[data-id='{target}']")).await;
    b.tap(&format!("#position-results button.pick[data-id='{target}']")).await;
    b.click("form.filters button[type=submit]").await;
    assert!(b.path().await.contains(&format!("position={target}")), "{}", b.path().await);
    assert!(b.text("main").await.contains("Analis Uji Sistem 142"), "{}", b.text("main").await);
    b.close().await;
}

/// HR opens a campaign for units found by typing (a regency's units are too many to list): Enter
/// on the only match chooses it without sending the form, a second unit is picked from the
/// matches, and the campaign asks both. The form fits a phone.
#[sqlx::test]
async fn hr_opens_a_campaign_for_units_found_by_typing(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    many_units(&app).await;
    let unit = |code: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("select id from units where code = $1")
                .bind(code)
                .fetch_one(&pool)
                .await
                .expect("unit")
        }
    };
    let (pa, leg) = (unit("APT-PA").await, unit("APT-LEG").await);
    let Some(b) = open(&app).await else { return };
    b.client.set_window_size(390, 844).await.expect("resize");
    b.login("kepegawaian", PW).await;
    b.goto("/campaigns/new").await;
    assert!(!b.visible(&format!("input[name=unit][value='{pa}']")).await, "no list of every unit");
    b.fill("#name", "Pemetaan Aplikasi").await;
    b.fill("#unit_q", "pengembangan aplikasi").await;
    wait_visible(&b, &format!("#unit_q-results button.pick[data-id='{pa}']")).await;
    b.client.find(Locator::Css("#unit_q")).await.expect("field").send_keys("\u{E007}").await.expect("enter");
    wait_visible(&b, &format!("#unit_q-picked input[name=unit][value='{pa}']")).await;
    assert!(b.path().await.starts_with("/campaigns/new"), "Enter did not send the form");
    assert_eq!(js(&b, "return document.getElementById('unit_q').value;", vec![]).await, json!(""));
    b.fill("#unit_q", "layanan e-gov").await;
    wait_visible(&b, &format!("#unit_q-results button.pick[data-id='{leg}']")).await;
    b.shot("e2e-campaign-unit-search-phone").await;
    fits(&b, "the campaign form with the unit search").await;
    b.tap(&format!("#unit_q-results button.pick[data-id='{leg}']")).await;
    let ticked = js(
        &b,
        "return Array.from(document.querySelectorAll('#unit_q-picked input[name=unit]:checked')).map(c => c.value);",
        vec![],
    )
    .await;
    assert_eq!(ticked, json!([pa.to_string(), leg.to_string()]), "both units chosen");
    assert!(!b.visible(".none-yet").await, "'none chosen yet' is gone");
    b.tap("input[name=scope][value=standard]").await;
    b.click("main form button[type=submit]").await;
    let path = b.path().await;
    let main = b.text("main").await;
    let id: i64 = path.trim_start_matches("/campaigns/").parse().unwrap_or_else(|_| panic!("{path}: {main}"));
    let units: Vec<i64> =
        sqlx::query_scalar("select unit_id from campaign_units where campaign_id = $1 order by unit_id")
            .bind(id)
            .fetch_all(&app.pool)
            .await
            .expect("units");
    let mut want = vec![pa, leg];
    want.sort();
    assert_eq!(units, want);
    b.close().await;
}
