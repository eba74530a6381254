//! Assessment campaigns through the real router: opening (bad input, scope), progress moving with
//! the existing self-assessment and the one approval queue, the employee's home and notifications,
//! the reminder near the deadline, closing and who never answered.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{Client, Resp, TestApp, many_units};

/// A unit's id by its code.
async fn unit(app: &TestApp, code: &str) -> String {
    sqlx::query_scalar::<_, i64>("select id from units where code = $1")
        .bind(code)
        .fetch_one(&app.pool)
        .await
        .expect("unit")
        .to_string()
}

async fn competency(app: &TestApp, code: &str) -> String {
    sqlx::query_scalar::<_, i64>("select id from competencies where code = $1")
        .bind(code)
        .fetch_one(&app.pool)
        .await
        .expect("competency")
        .to_string()
}

async fn employee_of(app: &TestApp, username: &str) -> i64 {
    sqlx::query_scalar("select employee_id from accounts where username = $1")
        .bind(username)
        .fetch_one(&app.pool)
        .await
        .expect("employee")
}

fn in_days(days: i64) -> String {
    (chrono::Utc::now().with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("WIB")).date_naive()
        + chrono::Duration::days(days))
    .format("%Y-%m-%d")
    .to_string()
}

/// Open a campaign as `c` (a fresh form token each time).
async fn open(c: &mut Client, fields: &[(&str, &str)]) -> Resp {
    let token = format!("camp-token-{}", rand_suffix());
    let mut all = fields.to_vec();
    all.push(("form_token", &token));
    c.post("/campaigns", &all).await
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{:08}{}", N.fetch_add(1, Ordering::Relaxed), std::process::id())
}

/// The campaign id a successful opening redirects to.
fn opened(r: &Resp) -> i64 {
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location().trim_start_matches("/campaigns/").parse().expect("campaign id in the redirect")
}

/// The figures of the progress table's total row: staff, not started, submitted, validated.
fn totals(body: &str) -> [i64; 4] {
    let foot = body.split("<tfoot>").nth(1).and_then(|s| s.split("</tfoot>").next()).expect("progress totals");
    let nums: Vec<i64> = foot
        .split("<td class=\"num\">")
        .skip(1)
        .filter_map(|s| s.split('<').next())
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    [nums[0], nums[1], nums[2], nums[3]]
}

/// The part of the page listing who never answered.
fn unanswered(body: &str) -> &str {
    body.split("id=\"unanswered\"").nth(1).and_then(|s| s.split("</table>").next()).unwrap_or("")
}

async fn self_assess(c: &mut Client, employee: i64, comp: &str, level: &str) -> Resp {
    let today = in_days(0);
    let token = format!("asm-token-{}", rand_suffix());
    c.post_multipart(
        &format!("/employees/{employee}/assessments"),
        &[
            ("competency", comp),
            ("level", level),
            ("assessed_on", &today),
            ("source", "self"),
            ("note", "Kampanye"),
            ("form_token", &token),
        ],
        None,
    )
    .await
}

#[sqlx::test]
async fn opening_with_bad_input_shows_each_message_and_keeps_the_input(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let form = hr.get("/campaigns/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"unit\"") && form.body.contains("name=\"competency\""));

    // Nothing filled in.
    let r = open(&mut hr, &[("deadline", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in ["Wajib diisi", "Pilih setidaknya satu unit kerja", "Pilih kompetensi yang dinilai"] {
        assert!(r.body.contains(msg), "{msg}: {}", r.body);
    }
    // A past deadline, picked competencies without any ticked; the typed name is kept.
    let apt_pa = unit(&app, "APT-PA").await;
    let r =
        open(&mut hr, &[("name", "Pemetaan APL"), ("unit", &apt_pa), ("scope", "picked"), ("deadline", &in_days(-1))])
            .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Batas waktu harus setelah hari ini"), "{}", r.body);
    assert!(r.body.contains("Centang setidaknya satu kompetensi"));
    assert!(r.body.contains("value=\"Pemetaan APL\""), "the name is kept");
    assert!(r.body.contains(&format!("value=\"{apt_pa}\" checked")), "the unit stays ticked");
    // Whole standards with competencies ticked, an unknown unit, a date that is not one.
    let comp = competency(&app, "APL-01").await;
    let r = open(
        &mut hr,
        &[("name", "X"), ("unit", "abc"), ("scope", "standard"), ("competency", &comp), ("deadline", "31/02/2027")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in ["Unit kerja tidak dikenal", "memilih seluruh standar jabatan", "Tanggal tidak valid"] {
        assert!(r.body.contains(msg), "{msg}");
    }
    // Too far ahead; and a unit where nobody has anything to assess (only unknowns of a picked
    // competency everyone there already has).
    let r = open(
        &mut hr,
        &[("name", "X"), ("unit", &apt_pa), ("scope", "picked"), ("competency", &comp), ("deadline", &in_days(400))],
    )
    .await;
    assert!(r.body.contains("paling lama satu tahun"));
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status, validated_at)
         select e.id, $1, 2, current_date, 'supervisor', 'validated', now() from employees e
         join units u on u.id = e.unit_id where u.code = 'APT-PA'",
    )
    .bind(comp.parse::<i64>().expect("id"))
    .execute(&app.pool)
    .await
    .expect("everyone assessed");
    let r = open(
        &mut hr,
        &[
            ("name", "X"),
            ("unit", &apt_pa),
            ("scope", "picked"),
            ("competency", &comp),
            ("only_unknown", "on"),
            ("deadline", &in_days(10)),
        ],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Tidak ada pegawai aktif di unit ini"), "{}", r.body);
    assert_eq!(app.scalar("select count(*) from campaigns").await, 0, "nothing was opened");
    assert_eq!(app.scalar("select count(*) from campaign_items").await, 0);
    // In English too.
    hr.get("/lang/en").await;
    let r = open(&mut hr, &[]).await;
    assert!(r.body.contains("Choose at least one unit"));
}

/// A regency's units are too many to tick from a list: the form offers a search (the chosen units
/// ticked, each shown with the units above it), `/units/search` finds within the reader's reach,
/// and a unit typed and sent without choosing is resolved when the form is sent: one match is
/// taken, several are offered to tick with the text kept, none is refused beside the field.
#[sqlx::test]
async fn a_regencys_units_are_searched_and_typed_not_listed(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // 160 more sections under Aplikasi, and one more "Seksi Uji 001" under Infrastruktur.
    many_units(&app).await;
    let (apt_pa, apt_leg) = (unit(&app, "APT-PA").await, unit(&app, "APT-LEG").await);
    let deadline = in_days(14);
    let mut hr = app.as_user("kepegawaian").await;
    let form = hr.get("/campaigns/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"unit_q\"") && form.body.contains("data-search=\"/units/search?\""));
    assert!(!form.body.contains("Seksi Uji 150"), "the units are not listed");
    assert!(form.body.contains("Belum ada unit yang dipilih"));

    // The search: matches with the units above them; more than it lists says so.
    let found = hr.get_json("/units/search?q=seksi%20uji%20001").await;
    assert_eq!(found.status, StatusCode::OK);
    let v: serde_json::Value = serde_json::from_str(&found.body).expect("json");
    let people = v["people"].as_array().expect("list");
    assert_eq!(people.len(), 2, "{v}");
    assert!(people.iter().any(|p| p["unit"].as_str().is_some_and(|u| u.ends_with("Bidang Infrastruktur TIK"))), "{v}");
    assert!(people.iter().all(|p| p["unit"].as_str().is_some_and(|u| u.starts_with("Dinas Komunikasi"))), "{v}");
    let v: serde_json::Value = serde_json::from_str(&hr.get_json("/units/search?q=uji").await.body).expect("json");
    assert_eq!(v["more"], serde_json::json!(true), "{v}");
    // A head finds only within their own units; an employee may not search.
    let mut kabid = app.as_user("kabid.aptika").await;
    let v: serde_json::Value =
        serde_json::from_str(&kabid.get_json("/units/search?q=seksi%20uji%20001").await.body).expect("json");
    assert_eq!(v["people"].as_array().map(Vec::len), Some(1), "not Infrastruktur's: {v}");
    let v: serde_json::Value =
        serde_json::from_str(&kabid.get_json("/units/search?q=jaringan").await.body).expect("json");
    assert_eq!(v["people"].as_array().map(Vec::len), Some(0), "{v}");
    assert_eq!(app.as_user("pegawai").await.get_json("/units/search?q=uji").await.status, StatusCode::FORBIDDEN);

    // Typed and sent without choosing: nothing matches.
    let base = [("name", "Pemetaan"), ("scope", "standard"), ("deadline", deadline.as_str())];
    let r = open(&mut hr, &[&base[..], &[("unit_q", "tidak ada unit begini")]].concat()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Tidak ada unit terbuka dalam cakupan Anda"), "{}", r.body);
    assert!(r.body.contains("value=\"tidak ada unit begini\""), "the text is kept");
    // Several match: offered to tick, the ticked unit kept, the text kept, nothing opened.
    let r = open(&mut hr, &[&base[..], &[("unit", &apt_leg), ("unit_q", "Seksi Uji 001")]].concat()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Beberapa unit cocok"), "{}", r.body);
    assert!(r.body.contains("“Seksi Uji 001” cocok dengan beberapa unit"));
    assert!(r.body.contains(&format!("name=\"unit\" value=\"{apt_leg}\" checked")), "{}", r.body);
    assert!(r.body.contains("Seksi Layanan e-Government"), "the chosen unit by name");
    assert!(r.body.contains("value=\"Seksi Uji 001\""));
    assert_eq!(app.scalar("select count(*) from campaigns").await, 0);
    // A unit chosen before that is among the matches does not settle what was typed: only a
    // tick among the offered matches does.
    let uji_1 = unit(&app, "UJI-1").await;
    let r = open(&mut hr, &[&base[..], &[("unit", &uji_1), ("unit_q", "Seksi Uji 001")]].concat()).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Beberapa unit cocok"), "{}", r.body);
    // More match than are offered: the form says to type more.
    let r = open(&mut hr, &[&base[..], &[("unit", &apt_leg), ("unit_q", "Seksi Uji")]].concat()).await;
    assert!(r.body.contains("Masih ada unit lain yang cocok"), "{}", r.body);
    assert_eq!(r.body.matches("name=\"unit_pick\"").count(), 15);
    // One offered match ticked (the text still there): it is taken with the unit ticked before.
    let ujx = unit(&app, "UJX-1").await;
    let r =
        open(&mut hr, &[&base[..], &[("unit", &apt_leg), ("unit_pick", &ujx), ("unit_q", "Seksi Uji 001")]].concat())
            .await;
    let picked = opened(&r);
    let n = app.scalar(&format!("select count(*) from campaign_units where campaign_id = {picked}")).await;
    assert_eq!(n, 2, "Layanan e-Government and the ticked Seksi Uji 001");
    // A whole code names one unit; its staff are asked with those of the ticked unit.
    let r = open(&mut hr, &[&base[..], &[("unit", &apt_leg), ("unit_q", "apt-pa")]].concat()).await;
    let id = opened(&r);
    assert_ne!(id, picked);
    let units: Vec<i64> =
        sqlx::query_scalar("select unit_id from campaign_units where campaign_id = $1 order by unit_id")
            .bind(id)
            .fetch_all(&app.pool)
            .await
            .expect("units");
    let mut want: Vec<i64> = [&apt_pa, &apt_leg].iter().map(|u| u.parse().expect("id")).collect();
    want.sort();
    assert_eq!(units, want);
    // Another field wrong: the typed unit comes back chosen, the text cleared.
    let r = open(&mut hr, &[("name", ""), ("scope", "standard"), ("deadline", &deadline), ("unit_q", "apt-pa")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(&format!("name=\"unit\" value=\"{apt_pa}\" checked")), "{}", r.body);
    assert!(r.body.contains("name=\"unit_q\" value=\"\""));
}

#[sqlx::test]
async fn heads_open_only_for_their_units_and_see_only_their_staff(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (apt, inf, dkis) = (unit(&app, "APT").await, unit(&app, "INF").await, unit(&app, "DKIS").await);
    let deadline = in_days(14);

    // An employee cannot open one, nor see the list.
    let mut emp = app.as_user("pegawai").await;
    assert_eq!(emp.get("/campaigns").await.status, StatusCode::FORBIDDEN);
    assert_eq!(emp.get("/campaigns/new").await.status, StatusCode::FORBIDDEN);
    let r = open(&mut emp, &[("name", "X"), ("unit", &apt), ("scope", "standard"), ("deadline", &deadline)]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);

    // The head of Aplikasi cannot open one for Infrastruktur (nor for the whole department).
    let mut kabid_a = app.as_user("kabid.aptika").await;
    let form = kabid_a.get("/campaigns/new").await;
    assert!(!form.body.contains(&format!("name=\"unit\" value=\"{inf}\"")), "other bidang are not offered");
    for other in [&inf, &dkis] {
        let r =
            open(&mut kabid_a, &[("name", "X"), ("unit", other), ("scope", "standard"), ("deadline", &deadline)]).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("hanya dapat membuka kampanye untuk unit yang Anda pimpin"), "{}", r.body);
    }
    assert_eq!(app.scalar("select count(*) from campaigns").await, 0);

    // Their own bidang: every active employee there, with every competency of their own standard.
    let r = open(
        &mut kabid_a,
        &[("name", "Pemetaan Aplikasi"), ("unit", &apt), ("scope", "standard"), ("deadline", &deadline)],
    )
    .await;
    let own_campaign = opened(&r);
    let expected = app
        .scalar(
            "select count(*) from employees e join units u on u.id = e.unit_id
             join position_standards ps on ps.position_id = e.position_id join competencies k on k.id = ps.competency_id
             where e.active and k.active and u.path like (select path from units where code = 'APT') || '%'",
        )
        .await;
    assert_eq!(
        app.scalar(&format!("select count(*) from campaign_items where campaign_id = {own_campaign}")).await,
        expected
    );
    let audited = app
        .scalar(&format!("select count(*) from audit_log where entity = 'campaign' and entity_id = '{own_campaign}'"))
        .await;
    assert_eq!(audited, 1);

    // The other head does not see it (404), not even to close it.
    let mut kabid_i = app.as_user("kabid.infra").await;
    assert_eq!(kabid_i.get(&format!("/campaigns/{own_campaign}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(kabid_i.post(&format!("/campaigns/{own_campaign}/close"), &[]).await.status, StatusCode::NOT_FOUND);
    assert!(!kabid_i.get("/campaigns").await.body.contains("Pemetaan Aplikasi"));

    // HR opens one for the whole department: each head sees it with their own staff only, and
    // may not close what HR opened.
    let mut hr = app.as_user("kepegawaian").await;
    let r =
        open(&mut hr, &[("name", "Pemetaan Dinas"), ("unit", &dkis), ("scope", "standard"), ("deadline", &deadline)])
            .await;
    let all = opened(&r);
    let pegawai_name: String = sqlx::query_scalar(
        "select e.name from accounts a join employees e on e.id = a.employee_id where a.username = 'pegawai'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("name");
    let inf_name: String = sqlx::query_scalar(
        "select e.name from employees e join units u on u.id = e.unit_id where u.code like 'INF-%' and e.active order by e.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("name");
    let seen_by_i = kabid_i.get(&format!("/campaigns/{all}")).await;
    assert_eq!(seen_by_i.status, StatusCode::OK);
    assert!(seen_by_i.body.contains(&inf_name) && !seen_by_i.body.contains(&pegawai_name));
    let seen_by_hr = hr.get(&format!("/campaigns/{all}")).await;
    // The staff list comes in pages of 50; its export has every row.
    let hr_csv = hr.get(&format!("/campaigns/{all}?format=csv")).await;
    assert!(hr_csv.body.contains(&pegawai_name) && hr_csv.body.contains(&inf_name), "HR sees everyone");
    let i_csv = kabid_i.get(&format!("/campaigns/{all}?format=csv")).await;
    assert!(i_csv.body.contains(&inf_name) && !i_csv.body.contains(&pegawai_name), "a head's export is their staff");
    assert!(totals(&seen_by_hr.body)[0] > totals(&seen_by_i.body)[0]);
    assert_eq!(kabid_i.post(&format!("/campaigns/{all}/close"), &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(kabid_i.get(&format!("/campaigns/{all}/edit")).await.status, StatusCode::FORBIDDEN);
    assert!(!seen_by_i.body.contains(&format!("/campaigns/{all}/close")), "no close button for them");
}

#[sqlx::test]
async fn progress_moves_when_staff_self_assess_and_the_head_validates(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt_pa = unit(&app, "APT-PA").await;
    let comp = competency(&app, "APL-04").await;
    let own = employee_of(&app, "pegawai").await;
    let staff = app
        .scalar(
            "select count(*) from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA' and e.active",
        )
        .await;
    let mut hr = app.as_user("kepegawaian").await;
    let r = open(
        &mut hr,
        &[
            ("name", "Pemetaan APL-04"),
            ("unit", &apt_pa),
            ("scope", "picked"),
            ("competency", &comp),
            ("deadline", &in_days(20)),
        ],
    )
    .await;
    let id = opened(&r);
    let page = hr.get(&format!("/campaigns/{id}")).await;
    assert_eq!(totals(&page.body), [staff, staff, 0, 0], "everyone not started");

    // The employee sees what to assess by when on their home, linking to the existing form.
    let mut me = app.as_user("pegawai").await;
    let home = me.get("/").await;
    assert!(home.body.contains("Pemetaan APL-04"), "{}", home.body);
    let link = format!("/employees/{own}/assessments/new?competency={comp}");
    assert!(home.body.contains(&link), "the home links to the self-assessment form");
    assert_eq!(me.get(&link).await.status, StatusCode::OK);

    // A self-assessment made before the campaign does not count; one made now does.
    let r = self_assess(&mut me, own, &comp, "3").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = hr.get(&format!("/campaigns/{id}")).await;
    assert_eq!(totals(&page.body), [staff, staff - 1, 1, 0]);
    let home = me.get("/").await;
    assert!(!home.body.contains(&link), "nothing left to assess for them");
    assert!(home.body.contains("1 menunggu validasi"), "{}", home.body);

    // The head validates it in the one approval queue.
    let asm = app
        .scalar(&format!(
            "select id from assessments where employee_id = {own} and competency_id = {comp} and status = 'pending'"
        ))
        .await;
    let mut head = app.as_user("kabid.aptika").await;
    let r = head.post("/approvals", &[("item", &format!("assessment:{asm}")), ("decision", "approve")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let page = head.get(&format!("/campaigns/{id}")).await;
    assert_eq!(totals(&page.body), [staff, staff - 1, 0, 1]);
    // A colleague answers and is rejected: back to not started.
    let colleague: i64 = app
        .scalar(&format!(
            "select min(e.id) from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA' and e.id <> {own}
               and not exists (select 1 from accounts a where a.employee_id = e.id)"
        ))
        .await;
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
         values ($1, $2, 2, current_date, 'self', 'pending')",
    )
    .bind(colleague)
    .bind(comp.parse::<i64>().expect("id"))
    .execute(&app.pool)
    .await
    .expect("colleague answers");
    assert_eq!(totals(&head.get(&format!("/campaigns/{id}")).await.body), [staff, staff - 2, 1, 1]);
    let asm2 = app.scalar(&format!("select id from assessments where employee_id = {colleague} and status = 'pending' and competency_id = {comp}")).await;
    let r = head
        .post(
            "/approvals",
            &[("item", &format!("assessment:{asm2}")), ("decision", "reject"), ("reason", "Bukti kurang")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(totals(&head.get(&format!("/campaigns/{id}")).await.body), [staff, staff - 1, 0, 1]);
    // The list page says the same, and the staff list exports.
    let list = hr.get("/campaigns").await;
    assert!(list.body.contains("Pemetaan APL-04"));
    let csv = hr.get(&format!("/campaigns/{id}?format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.lines().count() as i64, staff + 1);
}

#[sqlx::test]
async fn whole_standards_of_only_the_unknowns(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt_pa = unit(&app, "APT-PA").await;
    let mut hr = app.as_user("kepegawaian").await;
    let r = open(
        &mut hr,
        &[
            ("name", "Yang belum dinilai"),
            ("unit", &apt_pa),
            ("scope", "standard"),
            ("only_unknown", "on"),
            ("deadline", &in_days(7)),
        ],
    )
    .await;
    let id = opened(&r);
    // Hand-computed: every requirement of the seksi's active staff without a current level.
    let unknown = app
        .scalar(
            "select count(*) from employees e join units u on u.id = e.unit_id
             join position_standards ps on ps.position_id = e.position_id join competencies k on k.id = ps.competency_id and k.active
             where u.code = 'APT-PA' and e.active
               and not exists (select 1 from current_levels cl where cl.employee_id = e.id and cl.competency_id = ps.competency_id)",
        )
        .await;
    assert!(unknown > 0, "the demo has unknowns");
    assert_eq!(app.scalar(&format!("select count(*) from campaign_items where campaign_id = {id}")).await, unknown);
    let page = hr.get(&format!("/campaigns/{id}")).await;
    assert_eq!(totals(&page.body)[1], unknown);
}

#[sqlx::test]
async fn closing_lists_who_never_answered_and_fixes_it(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt_pa = unit(&app, "APT-PA").await;
    let comp = competency(&app, "APL-04").await;
    let own = employee_of(&app, "pegawai").await;
    let mut head = app.as_user("kabid.aptika").await;
    let r = open(
        &mut head,
        &[
            ("name", "Pemetaan seksi"),
            ("unit", &apt_pa),
            ("scope", "picked"),
            ("competency", &comp),
            ("deadline", &in_days(5)),
        ],
    )
    .await;
    let id = opened(&r);
    // The deadline moves (the edit checks the version it was loaded from).
    let r = head
        .post_edit(
            &format!("/campaigns/{id}/edit"),
            &format!("/campaigns/{id}"),
            &[("name", "Pemetaan seksi PA"), ("deadline", &in_days(9))],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // Someone else changed the name meanwhile: a stale form with another name clashes.
    let stale = head.get(&format!("/campaigns/{id}/edit")).await;
    sqlx::query("update campaigns set name = 'Nama lain' where id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("other");
    let version = crate::helpers::hidden(&stale.body, "version");
    let base = crate::helpers::hidden(&stale.body, "base");
    let r = head
        .post(
            &format!("/campaigns/{id}"),
            &[("name", "Nama saya"), ("deadline", &in_days(9)), ("version", &version), ("base", &base)],
        )
        .await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
    assert!(r.body.contains("Nama lain"));

    let mut me = app.as_user("pegawai").await;
    assert_eq!(self_assess(&mut me, own, &comp, "2").await.status, StatusCode::SEE_OTHER);
    let r = head.post(&format!("/campaigns/{id}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = head.get(&format!("/campaigns/{id}")).await;
    assert!(page.body.contains("Belum menjawab semua"));
    let list = unanswered(&page.body).to_string();
    let (own_name, others): (String, Vec<String>) = {
        let own_name: String = sqlx::query_scalar("select name from employees where id = $1")
            .bind(own)
            .fetch_one(&app.pool)
            .await
            .expect("name");
        let others: Vec<String> = sqlx::query_scalar(
            "select e.name from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA' and e.active and e.id <> $1",
        )
        .bind(own)
        .fetch_all(&app.pool)
        .await
        .expect("others");
        (own_name, others)
    };
    assert!(!list.contains(&own_name), "who answered is not listed");
    for o in &others {
        assert!(list.contains(o.as_str()), "{o} never answered: {list}");
    }
    assert!(!page.body.contains(&format!("/campaigns/{id}/close")), "closed: no close button");
    let csv = head.get(&format!("/campaigns/{id}?list=unanswered&format=csv")).await;
    assert_eq!(csv.body.lines().count(), others.len() + 1);
    assert!(
        csv.headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").contains("belum-menjawab")
    );
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where entity = 'campaign' and entity_id = '{id}' and action = 'close'"
        ))
        .await,
        1
    );
    // Closing again changes nothing; editing a closed campaign is refused.
    let r = head.post(&format!("/campaigns/{id}/close"), &[]).await;
    assert!(r.headers.get_all("set-cookie").iter().any(|v| v.to_str().unwrap_or("").contains("already_closed")));
    let r = head.post(&format!("/campaigns/{id}"), &[("name", "x"), ("deadline", &in_days(9))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.scalar(&format!("select count(*) from audit_log where entity = 'campaign' and entity_id = '{id}'")).await,
        3
    );
    // An answer after closing does not change who never answered; the home no longer asks.
    let late = app
        .scalar(&format!(
            "select min(e.id) from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA' and e.id <> {own}"
        ))
        .await;
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
         values ($1, $2, 2, current_date, 'self', 'pending')",
    )
    .bind(late)
    .bind(comp.parse::<i64>().expect("id"))
    .execute(&app.pool)
    .await
    .expect("late answer");
    let again = head.get(&format!("/campaigns/{id}")).await;
    assert_eq!(unanswered(&again.body), list);
    assert!(!me.get("/").await.body.contains("Pemetaan seksi"));
}

#[sqlx::test]
async fn employees_are_told_and_reminded_near_the_deadline(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt_pa = unit(&app, "APT-PA").await;
    let comp = competency(&app, "APL-04").await;
    let own = employee_of(&app, "pegawai").await;
    let mut hr = app.as_user("kepegawaian").await;
    let r = open(
        &mut hr,
        &[
            ("name", "Pemetaan pengingat"),
            ("unit", &apt_pa),
            ("scope", "picked"),
            ("competency", &comp),
            ("deadline", &in_days(10)),
        ],
    )
    .await;
    let _id = opened(&r);
    let mut me = app.as_user("pegawai").await;
    let notes = me.get("/notifications").await;
    assert!(notes.body.contains("Kampanye penilaian") && notes.body.contains("Pemetaan pengingat"), "{}", notes.body);
    assert!(!notes.body.contains("Pengingat: kampanye"), "no reminder ten days ahead");
    // Eight days on (two days before the deadline): the reminder is there, and unread.
    let later = chrono::Utc::now() + chrono::Duration::days(8);
    app.state.clock.set(Some(later));
    let notes = me.get("/notifications").await;
    assert!(notes.body.contains("Pengingat: kampanye"), "{}", notes.body);
    // The digest reads the same notifications.
    let user = cakap::auth::session::load_account(
        &app.pool,
        app.scalar("select id from accounts where username = 'pegawai'").await,
    )
    .await
    .expect("load")
    .expect("account");
    let mut conn = app.pool.acquire().await.expect("conn");
    let today = later.with_timezone(&chrono::FixedOffset::east_opt(7 * 3600).expect("WIB")).date_naive();
    let lines = cakap::notifications::notes(&mut conn, &user, later, today, 20.0).await.expect("notes");
    let kinds: Vec<&str> = lines.iter().map(|n| n.kind.as_str()).collect();
    assert!(kinds.contains(&"campaign_reminder") && kinds.contains(&"campaign_open"), "{kinds:?}");
    let text = cakap::notifications::note_text(
        cakap::i18n::Lang::En,
        lines.iter().find(|n| n.kind == "campaign_reminder").expect("reminder"),
    );
    assert!(text.starts_with("Reminder: the campaign \"Pemetaan pengingat\" ends on"), "{text}");
    // Someone else in the unit is reminded too; once the employee answers, they are not.
    assert_eq!(self_assess(&mut me, own, &comp, "3").await.status, StatusCode::SEE_OTHER);
    let notes = me.get("/notifications").await;
    assert!(
        !notes.body.contains("Pengingat: kampanye") && !notes.body.contains("Pemetaan pengingat"),
        "{}",
        notes.body
    );
    let home = me.get("/").await;
    assert!(home.body.contains("Pemetaan pengingat"), "the home still shows the campaign, waiting for validation");
}

/// Two campaigns of the demo's seksi Pengembangan Aplikasi (APL-04, opened by the head of
/// Aplikasi): one open, one closed with everyone still not started. For the page checks.
pub async fn demo_campaigns(pool: &PgPool) -> (i64, i64) {
    let mut ids = vec![];
    for (name, closed) in [("Pemetaan APL-04", false), ("Pemetaan yang ditutup", true)] {
        let id: i64 = sqlx::query_scalar(
            "with c as (insert into campaigns (name, scope, deadline, opened_by)
                        select $1, 'picked', current_date + 2, id from accounts where username = 'kabid.aptika' returning id),
                  u as (insert into campaign_units (campaign_id, unit_id) select c.id, u.id from c, units u where u.code = 'APT-PA'),
                  k as (insert into campaign_competencies (campaign_id, competency_id)
                        select c.id, k.id from c, competencies k where k.code = 'APL-04')
             insert into campaign_items (campaign_id, employee_id, competency_id, closed_state)
             select c.id, e.id, k.id, case when $2 then 'not_started' end
             from c, employees e join units u on u.id = e.unit_id, competencies k
             where u.code = 'APT-PA' and e.active and k.code = 'APL-04' returning campaign_id",
        )
        .bind(name)
        .bind(closed)
        .fetch_all(pool)
        .await
        .expect("campaign")[0];
        if closed {
            sqlx::query(
                "update campaigns set closed_at = now(), closed_by = (select id from accounts where username = 'kepegawaian')
                 where id = $1",
            )
            .bind(id)
            .execute(pool)
            .await
            .expect("close");
        }
        ids.push(id);
    }
    (ids[0], ids[1])
}

/// In Chromium: HR opens a campaign for a seksi; two of its staff self-assess from the block on
/// their home; the head validates both in the one queue; the progress page and the home block
/// move; HR closes it and the page lists who never answered. Every campaign page passes axe and
/// the Nu HTML Checker. Screenshots: `target/screenshots/campaign-*.png`.
#[sqlx::test]
async fn a_campaign_runs_end_to_end_in_the_browser(pool: PgPool) {
    use fantoccini::Locator;

    use crate::browser::{Checks, open as open_browser};

    let app = TestApp::seeded(pool).await;
    let apt_pa = unit(&app, "APT-PA").await;
    let comp = competency(&app, "APL-04").await;
    let own = employee_of(&app, "pegawai").await;
    // A second account in the seksi, with the demo password.
    let (colleague, colleague_name): (i64, String) = sqlx::query_as(
        "select e.id, e.name from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA' and e.active
           and not exists (select 1 from accounts a where a.employee_id = e.id) order by e.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("colleague");
    let hash: String = sqlx::query_scalar("select password_hash from accounts where username = 'pegawai'")
        .fetch_one(&app.pool)
        .await
        .expect("hash");
    let mut conn = app.pool.acquire().await.expect("conn");
    cakap::accounts::create_account(
        &mut conn,
        &cakap::audit::Actor::system("test"),
        "staf.pa",
        Some(colleague),
        &hash,
        false,
        &[cakap::auth::Role::Employee],
        None,
    )
    .await
    .expect("account");
    drop(conn);
    let own_name: String = sqlx::query_scalar("select name from employees where id = $1")
        .bind(own)
        .fetch_one(&app.pool)
        .await
        .expect("name");
    let never: String = sqlx::query_scalar(
        "select e.name from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA' and e.active
           and e.id not in ($1, $2) order by e.id limit 1",
    )
    .bind(own)
    .bind(colleague)
    .fetch_one(&app.pool)
    .await
    .expect("never");
    let staff = app
        .scalar(
            "select count(*) from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA' and e.active",
        )
        .await;
    let Some(b) = open_browser(&app).await else { return };
    let mut checks = Checks::new();
    let pw = crate::helpers::PW;

    // ---- HR opens the campaign; a first try without a deadline shows the message by the field.
    b.login("kepegawaian", pw).await;
    b.click("nav.sidenav a[href='/campaigns']").await;
    checks.page(&b, "campaign list").await;
    b.click("main a[href='/campaigns/new']").await;
    checks.page(&b, "campaign form").await;
    b.fill("#name", "Pemetaan APL-04 seksi PA").await;
    b.tap(&format!("input[name=unit][value='{apt_pa}']")).await;
    b.tap("input[name=scope][value=picked]").await;
    b.tap(&format!("input[name=competency][value='{comp}']")).await;
    // Everyone, not only those who never had APL-04 validated (the default).
    b.tap("input[name=only_unknown]").await;
    b.client.execute("document.getElementById('deadline').value = '';", vec![]).await.expect("clear date");
    b.click("main form button[type=submit]").await;
    assert!(b.text("#deadline-err").await.contains("Wajib diisi"), "{}", b.text("main").await);
    assert_eq!(
        b.client.find(Locator::Css("#name")).await.expect("name").prop("value").await.expect("value").as_deref(),
        Some("Pemetaan APL-04 seksi PA"),
        "input kept"
    );
    checks.posted_page(&b, "campaign form with errors").await;
    b.shot("campaign-form-errors").await;
    b.client
        .execute("document.getElementById('deadline').value = arguments[0];", vec![serde_json::json!(in_days(10))])
        .await
        .expect("date");
    b.click("main form button[type=submit]").await;
    assert!(b.text(".flash").await.contains("Kampanye dibuka"), "{}", b.text("main").await);
    let id: i64 = sqlx::query_scalar("select id from campaigns where name = 'Pemetaan APL-04 seksi PA'")
        .fetch_one(&app.pool)
        .await
        .expect("opened");
    assert_eq!(b.path().await, format!("/campaigns/{id}"));
    assert_eq!(totals(&b.client.source().await.expect("html")), [staff, staff, 0, 0]);
    b.logout_here().await;

    // ---- Two employees self-assess from the block on their home.
    for (user, level) in [("pegawai", "3"), ("staf.pa", "2")] {
        b.login(user, pw).await;
        let block = b.text("#kampanye").await;
        assert!(block.contains("Pemetaan APL-04 seksi PA") && block.contains("10 hari lagi"), "{block}");
        if user == "pegawai" {
            checks.page(&b, "employee home with a campaign").await;
            b.shot("campaign-home-employee-before").await;
        }
        b.click("#kampanye a[href*='/assessments/new?competency=']").await;
        b.tap(&format!("input[name=level][value='{level}']")).await;
        b.click("main form button[type=submit]").await;
        assert!(b.text(".flash").await.contains("menunggu validasi"), "{}", b.text("main").await);
        b.goto("/").await;
        assert!(
            b.text("#kampanye").await.contains("0 belum dijawab, 1 menunggu validasi"),
            "{}",
            b.text("#kampanye").await
        );
        b.logout_here().await;
    }

    // ---- The head validates both in the queue; the progress page moves.
    b.login("kabid.aptika", pw).await;
    b.click("nav.sidenav a[href='/approvals']").await;
    for who in [&own_name, &colleague_name] {
        b.client
            .find(Locator::XPath(&format!("//li[contains(@class, 'claim') and contains(., 'APL-04') and contains(., '{who}')]//input[@name='item']")))
            .await
            .expect("queue row")
            .click()
            .await
            .expect("tick");
    }
    b.click("button[name=decision][value=approve]").await;
    assert!(b.text(".flash").await.contains("disetujui"), "{}", b.text("main").await);
    b.goto(&format!("/campaigns/{id}")).await;
    assert_eq!(totals(&b.client.source().await.expect("html")), [staff, staff - 2, 0, 2]);
    checks.page(&b, "campaign page (head)").await;
    b.shot("campaign-progress-head").await;
    b.logout_here().await;

    b.login("pegawai", pw).await;
    assert!(b.text("#kampanye").await.contains("1 tervalidasi dari 1"), "{}", b.text("#kampanye").await);
    b.shot("campaign-home-employee-after").await;
    b.logout_here().await;

    // ---- HR closes it: who never answered is listed.
    b.login("kepegawaian", pw).await;
    b.goto(&format!("/campaigns/{id}")).await;
    b.client.execute("window.confirm = function () { return true; };", vec![]).await.expect("confirm");
    b.click(&format!("form[action='/campaigns/{id}/close'] button[type=submit]")).await;
    assert!(b.text(".flash").await.contains("Kampanye ditutup"), "{}", b.text("main").await);
    let list = b.text("#unanswered").await;
    assert!(list.contains(&never), "{list}");
    assert!(!list.contains(&own_name) && !list.contains(&colleague_name), "{list}");
    checks.page(&b, "closed campaign").await;
    b.shot("campaign-closed").await;
    b.click("nav.lang a[lang=en]").await;
    assert!(b.text("main").await.contains("Did not answer everything"));
    checks.page(&b, "closed campaign [en]").await;
    b.goto(&format!("/campaigns/{id}/edit")).await;
    assert!(b.text(".flash").await.contains("closed"));
    b.close().await;
    let problems = checks.finish();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

impl crate::browser::Browser {
    /// Log out from the user menu of any page.
    async fn logout_here(&self) {
        self.goto("/").await;
        self.tap("details.usermenu summary").await;
        self.click("details.usermenu button[type=submit]").await;
    }
}

/// The head who opened a campaign and HR saving its name or deadline at the same moment through
/// the real router: the same field has one winner and the other is shown the clash (409);
/// different fields are merged; the audit log has one entry per saved change.
#[sqlx::test]
async fn two_people_changing_one_campaign_at_once_leave_one_winner_per_field(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (apt_pa, comp) = (unit(&app, "APT-PA").await, competency(&app, "APL-04").await);
    let mut head = app.as_user("kabid.aptika").await;
    let fields = [("name", "Serentak"), ("unit", &apt_pa), ("scope", "picked"), ("competency", &comp)];
    let deadline = in_days(5);
    let id = opened(&open(&mut head, &[fields.as_slice(), &[("deadline", deadline.as_str())]].concat()).await);
    let mut hr = app.as_user("kepegawaian").await;
    let (edit, path) = (format!("/campaigns/{id}/edit"), format!("/campaigns/{id}"));
    let updates = || async {
        app.scalar(&format!(
            "select count(*) from audit_log where entity = 'campaign' and entity_id = '{id}' and action = 'update'"
        ))
        .await
    };
    let name = || async {
        sqlx::query_scalar::<_, String>("select name from campaigns where id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("name")
    };
    let stamp = |body: &str| (crate::helpers::hidden(body, "version"), crate::helpers::hidden(body, "base"));
    // Both rename it, differently, at the same moment.
    let (va, ba) = stamp(&head.get(&edit).await.body);
    let (vb, bb) = stamp(&hr.get(&edit).await.body);
    let fa = [("name", "Nama kepala"), ("deadline", deadline.as_str()), ("version", &va), ("base", &ba)];
    let fb = [("name", "Nama SDM"), ("deadline", deadline.as_str()), ("version", &vb), ("base", &bb)];
    let (ra, rb) = tokio::join!(head.post(&path, &fa), hr.post(&path, &fb));
    let mut statuses = [ra.status.as_u16(), rb.status.as_u16()];
    statuses.sort();
    assert_eq!(statuses, [303, 409], "one winner: {} / {}", ra.body, rb.body);
    let (winner, loser) = if ra.status == StatusCode::SEE_OTHER { ("Nama kepala", &rb) } else { ("Nama SDM", &ra) };
    assert!(loser.body.contains("Data ini diubah orang lain"), "the other sees the clash");
    assert_eq!(name().await, winner);
    assert_eq!(updates().await, 1, "one audit entry for the one save");
    // One renames it, the other moves the deadline, at the same moment: both kept.
    let later = in_days(12);
    let (va, ba) = stamp(&head.get(&edit).await.body);
    let (vb, bb) = stamp(&hr.get(&edit).await.body);
    let fa = [("name", "Nama akhir"), ("deadline", deadline.as_str()), ("version", &va), ("base", &ba)];
    let fb = [("name", winner), ("deadline", later.as_str()), ("version", &vb), ("base", &bb)];
    let (ra, rb) = tokio::join!(head.post(&path, &fa), hr.post(&path, &fb));
    assert_eq!((ra.status, rb.status), (StatusCode::SEE_OTHER, StatusCode::SEE_OTHER), "{} / {}", ra.body, rb.body);
    assert_eq!(name().await, "Nama akhir");
    let saved: String = sqlx::query_scalar("select deadline::text from campaigns where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("deadline");
    assert_eq!(saved, later);
    assert_eq!(updates().await, 3, "one audit entry per saved change");
}
