//! Unknown is not a gap: a requirement nobody assessed, or whose level is no longer valid, is
//! "belum dinilai" on every page, never level 0; coverage apart from readiness; flags in tiers.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::TestApp;

/// (required, assessed, met, below) of one employee straight from the records, by the rule:
/// the latest validated level counts while it is within its competency's validity.
async fn truth(app: &TestApp, employee: i64) -> (i64, i64, i64, i64) {
    sqlx::query_as(
        "select count(*), count(a.level), count(*) filter (where a.level >= ps.required_level),
                count(*) filter (where a.level < ps.required_level)
         from employees e join position_standards ps on ps.position_id = e.position_id
         join competencies c on c.id = ps.competency_id
         left join lateral (
           select x.level, x.assessed_on from assessments x
           where x.employee_id = e.id and x.competency_id = ps.competency_id and x.status = 'validated'
           order by x.assessed_on desc, x.id desc limit 1) l on true
         left join lateral (select l.level where l.assessed_on > current_date - make_interval(months => c.validity_months)) a on true
         where e.id = $1",
    )
    .bind(employee)
    .fetch_one(&app.pool)
    .await
    .expect("truth")
}

/// Give `employee` a known state: every requirement unassessed except the first three, which are
/// met, one short by one, and one assessed so long ago that it no longer counts.
async fn arrange(app: &TestApp, employee: i64) -> Vec<(i64, i16)> {
    let reqs: Vec<(i64, i16)> = sqlx::query_as(
        "select ps.competency_id, ps.required_level from employees e join position_standards ps on ps.position_id = e.position_id
         where e.id = $1 order by ps.competency_id",
    )
    .bind(employee)
    .fetch_all(&app.pool)
    .await
    .expect("reqs");
    assert!(reqs.len() >= 5, "the employee's position has a standard");
    let mut tx = app.pool.begin().await.expect("tx");
    sqlx::query("delete from assessments where employee_id = $1")
        .bind(employee)
        .execute(&mut *tx)
        .await
        .expect("clear");
    let rows = [
        (reqs[0].0, reqs[0].1, "current_date - 30"),
        (reqs[1].0, (reqs[1].1 - 1).max(1), "current_date - 60"),
        (reqs[2].0, reqs[2].1, "current_date - 900"),
    ];
    for (competency, level, on) in rows {
        sqlx::query(&format!(
            "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
             values ($1, $2, $3, {on}, 'supervisor', 'validated')"
        ))
        .bind(employee)
        .bind(competency)
        .bind(level)
        .execute(&mut *tx)
        .await
        .expect("insert");
    }
    tx.commit().await.expect("commit");
    reqs
}

#[sqlx::test]
async fn every_page_gives_the_same_answer_and_unknown_is_not_level_zero(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let id: i64 = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let reqs = arrange(&app, id).await;
    let (required, assessed, met, below) = truth(&app, id).await;
    assert_eq!(required, reqs.len() as i64);
    // The one assessed 900 days ago (over 24 months) no longer counts.
    assert_eq!(assessed, 2, "an expired level is not assessed");
    let short_one = i64::from(reqs[1].1 > 1);
    assert_eq!((met, below), (2 - short_one, short_one));
    let unknown = required - assessed;

    // The employee's home.
    let mut me = app.as_user("pegawai").await;
    let home = me.get("/").await.body;
    assert!(home.contains(&format!("<span class=\"tile-num\">{met} / {required}</span>")), "home: met / required");
    assert!(home.contains(&format!("<span class=\"tile-num\">{unknown}</span>")), "home: not assessed");
    assert!(home.contains("1 tingkat kompetensi Anda sudah melewati masa berlakunya"), "home: asked to re-assess");

    // The gap card: every unknown line says so, none says "Saat ini 0" or "kurang".
    let card = me.get(&format!("/employees/{id}/gaps")).await;
    assert_eq!(card.status, StatusCode::OK);
    assert_eq!(card.body.matches("class=\"gap-unknown\"").count() as i64, unknown, "card: unknown lines");
    assert_eq!(card.body.matches("class=\"gap-met\"").count() as i64, met, "card: met lines");
    let short = card.body.matches("class=\"gap-1\"").count() + card.body.matches("class=\"gap-2\"").count();
    assert_eq!(short as i64, below, "card: lines short");
    assert!(card.body.contains(&format!("{unknown} belum dinilai")), "card: the count of unknowns");
    let coverage = (assessed as f64 * 100.0 / required as f64).round() as i64;
    assert!(card.body.contains(&format!("<strong>{coverage}%</strong>")), "card: coverage {coverage}%");

    // The department summary's staff list (HR), all staff.
    let mut hr = app.as_user("kepegawaian").await;
    let csv = hr.get("/gaps?flagged=0&format=csv").await.body;
    let nip: String =
        sqlx::query_scalar("select nip from employees where id = $1").bind(id).fetch_one(&app.pool).await.expect("nip");
    let row = csv.lines().find(|l| l.contains(&nip)).expect("the employee's row in the export");
    let readiness = (met as f64 * 100.0 / assessed as f64).round() as i64;
    assert!(row.contains(&format!(",{readiness}%,{coverage}%,")), "summary export: readiness and coverage: {row}");
    if below == 0 {
        assert!(!row.contains("di bawah standar") && !row.contains("kurang"), "{row}");
    }

    // The skills matrix: the employee's unknown cells are shown as unknown, not as short.
    let unit: i64 = app.scalar(&format!("select unit_id from employees where id = {id}")).await;
    let matrix = hr.get(&format!("/gaps/matrix?unit={unit}&sort=name")).await.body;
    let start = matrix.find(&format!("/employees/{id}/gaps")).expect("the employee's matrix row");
    let row_html = &matrix[start..start + matrix[start..].find("</tr>").expect("row end")];
    assert_eq!(row_html.matches("cell-unknown").count() as i64, unknown, "matrix: unknown cells");
}

/// Every field of a competency's edit form as it is stored.
async fn competency_fields(app: &TestApp, id: i64) -> Vec<(String, String)> {
    let (code, kind, area, name_id, name_en, d_id, d_en, fw, active): (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        bool,
    ) = sqlx::query_as(
        "select code, kind, area, name_id, name_en, description_id, description_en, framework_ref, active
         from competencies where id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("competency");
    let mut out = vec![
        ("code".to_string(), code),
        ("kind".into(), kind),
        ("area".into(), area),
        ("name_id".into(), name_id),
        ("name_en".into(), name_en),
        ("description_id".into(), d_id),
        ("description_en".into(), d_en),
        ("framework_ref".into(), fw),
    ];
    if active {
        out.push(("active".into(), "on".into()));
    }
    let levels: Vec<(i16, String, String)> = sqlx::query_as(
        "select level, descriptor_id, descriptor_en from competency_levels where competency_id = $1 order by level",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .expect("levels");
    for (n, a, b) in levels {
        out.push((format!("l{n}_id"), a));
        out.push((format!("l{n}_en"), b));
    }
    out
}

#[sqlx::test]
async fn hr_sets_how_long_a_level_stays_valid(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let id: i64 = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let reqs = arrange(&app, id).await;
    let (_, assessed, _, _) = truth(&app, id).await;
    assert_eq!(assessed, 2);
    let mut hr = app.as_user("kepegawaian").await;
    let path = format!("/competencies/{}", reqs[2].0);
    let mut fields = competency_fields(&app, reqs[2].0).await;
    fields.push(("validity_months".into(), "0".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = hr.post_edit(&format!("{path}/edit"), &path, &pairs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("antara 1 dan 120"), "a clear message");
    assert!(r.body.contains("value=\"0\""), "input kept");
    fields.pop();
    fields.push(("validity_months".into(), "36".into()));
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = hr.post_edit(&format!("{path}/edit"), &path, &pairs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body.split("<main").nth(1).unwrap_or(""));
    assert_eq!(truth(&app, id).await.1, 3, "a 900-day-old level counts again under 36 months");
    let kept: i32 = sqlx::query_scalar("select assessed from employee_gap_facts where employee_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("kept");
    assert_eq!(kept, 3, "the kept facts follow the new validity at commit");
}

#[sqlx::test]
async fn levels_that_expire_with_time_are_refreshed_by_the_hourly_job(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let id: i64 = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    arrange(&app, id).await;
    // As if a day passed and one of the employee's levels stopped counting since the facts were kept.
    sqlx::query("update employee_gap_facts set next_expiry = current_date, assessed = 99 where employee_id = $1")
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("age");
    let before = app.scalar("select records_version(null)").await;
    sqlx::query("delete from app_meta where key = 'job.housekeeping'").execute(&app.pool).await.expect("due");
    cakap::app::jobs::housekeeping(&app.pool).await.expect("job").expect("claimed");
    let kept: i32 = sqlx::query_scalar("select assessed from employee_gap_facts where employee_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("kept");
    assert_eq!(kept, 2, "recomputed from the records");
    assert!(app.scalar("select records_version(null)").await > before, "kept pages are recomputed too");
}

#[sqlx::test]
async fn the_top_tier_comes_first_and_unknown_staff_are_not_flagged(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let r = hr.get("/gaps?flagged=0&format=csv").await;
    assert_eq!(r.status, StatusCode::OK);
    let tiers: Vec<i16> = sqlx::query_scalar(
        "select s.tier from gap_summary(current_date, '/') s
         order by s.critical_big is not null desc, s.score desc, s.sort_name, s.employee_id",
    )
    .fetch_all(&app.pool)
    .await
    .expect("tiers");
    let first_other = tiers.iter().position(|t| *t != 1).unwrap_or(tiers.len());
    assert!(tiers[first_other..].iter().all(|t| *t != 1), "tier 1 first");
    // Someone nobody assessed is "not yet assessed", never flagged as under-skilled.
    let id: i64 = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    sqlx::query("delete from assessments where employee_id = $1").bind(id).execute(&app.pool).await.expect("clear");
    let (tier, flagged, score): (i16, bool, f64) =
        sqlx::query_as("select tier, flagged, score from gap_summary(current_date, '/', $1)")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("row");
    assert_eq!((tier, flagged, score), (3, false, 0.0));
}

#[sqlx::test]
async fn a_level_from_a_certificate_counts_until_the_certificate_expires(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let id: i64 = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let reqs = arrange(&app, id).await;
    let counted = || async {
        sqlx::query_scalar::<_, i32>("select assessed from employee_gap_facts where employee_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .expect("kept")
    };
    assert_eq!(counted().await, 2);
    for (until, expected) in [("current_date + 30", 3), ("current_date - 1", 2)] {
        sqlx::query(&format!(
            "insert into assessments (employee_id, competency_id, level, assessed_on, source, status, valid_until)
             values ($1, $2, 3, current_date - 10, 'certification', 'validated', {until})"
        ))
        .bind(id)
        .bind(reqs[3].0)
        .execute(&app.pool)
        .await
        .expect("certified level");
        assert_eq!(counted().await, expected, "valid until {until}");
    }
    // The kept level carries the certificate's end itself: correcting it on the assessment moves it.
    sqlx::query(
        "update assessments set valid_until = current_date + 60
         where id = (select max(id) from assessments where employee_id = $1 and competency_id = $2)",
    )
    .bind(id)
    .bind(reqs[3].0)
    .execute(&app.pool)
    .await
    .expect("certificate corrected");
    assert_eq!(counted().await, 3, "certificate extended");
    let until: bool = sqlx::query_scalar(
        "select valid_until = current_date + 60 from current_levels where employee_id = $1 and competency_id = $2",
    )
    .bind(id)
    .bind(reqs[3].0)
    .fetch_one(&app.pool)
    .await
    .expect("current level");
    assert!(until, "the current level ends with its certificate");
}

/// On the demo the summary separates: at most 40 % of staff in the top tier, units whose readiness
/// differs by 20 points or more, and coverage beside readiness.
#[sqlx::test]
async fn the_demo_summary_tells_whom_to_develop_first(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let today = app.state.clock.today(cakap::app::clock::TimeZone::Wib);
    let (root, path): (i64, String) =
        sqlx::query_as("select id, path from units where parent_id is null").fetch_one(&app.pool).await.expect("root");
    let mut conn = app.pool.acquire().await.expect("conn");
    let parts = cakap::gaps::db::readiness(&mut conn, today, root, &path).await.expect("readiness");
    let whole = &parts[0];
    assert!(whole.top_tier * 100 <= 40 * whole.staff, "top tier {} of {}", whole.top_tier, whole.staff);
    assert!(whole.flagged * 100 < 80 * whole.staff, "flagged {} of {}", whole.flagged, whole.staff);
    let readiness: Vec<i64> = parts.iter().skip(1).filter(|p| p.staff > 0).filter_map(|p| p.percent()).collect();
    let spread = readiness.iter().max().unwrap_or(&0) - readiness.iter().min().unwrap_or(&0);
    assert!(spread >= 20, "unit readiness differs by {spread} points: {readiness:?}");
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get("/gaps").await.body;
    assert!(page.contains("Cakupan penilaian") && page.contains("Kesiapan") && page.contains("Tindak sekarang"));
    let coverage: Vec<i64> = parts.iter().skip(1).filter(|p| p.staff > 0).map(|p| p.coverage_percent()).collect();
    assert!(coverage.iter().any(|c| *c < 50), "a mostly unassessed unit: {coverage:?}");
}

/// The home's "act now" routes respect each mentor's capacity (the cap of `/settings/gaps`, as
/// `/gaps/mentors` does): with a cap of one, no colleague is named twice.
#[sqlx::test]
async fn the_home_never_books_a_mentor_past_the_cap(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    fn mentors(body: &str) -> Vec<String> {
        body.split("belajar dari ").skip(1).map(|s| s.split('<').next().unwrap_or("").trim().to_string()).collect()
    }
    let mut seen_any = false;
    for head in ["kadis", "kabid.aptika", "kabid.infra", "kepegawaian"] {
        let r = app.as_user(head).await.get("/").await;
        if r.status != StatusCode::OK {
            continue;
        }
        seen_any |= !mentors(&r.body).is_empty();
    }
    assert!(seen_any, "with the demo's cap some home suggests a colleague");
    sqlx::query("update gap_settings set mentor_cap = 1, version = version + 1").execute(&app.pool).await.expect("cap");
    for head in ["kadis", "kabid.aptika", "kabid.infra", "kepegawaian"] {
        let r = app.as_user(head).await.get("/").await;
        let names = mentors(&r.body);
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{head}: a mentor named twice with a cap of one: {names:?}");
    }
}
