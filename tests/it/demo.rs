//! The demo department is believable enough to judge the gap analysis on: names fit the sex in
//! the NIP and are not repeated, about 80 % of the standards' requirements are assessed within the
//! validity period with bidang that differ, JP are spread as in a working department, a year has
//! 15–25 trainings, what waits for a decision arrived over weeks, and `pegawai` is young.
//! Everything is measured relative to the day the demo was seeded (the database's date).

use cakap::seed::names;
use sqlx::PgPool;

use crate::helpers::TestApp;

#[sqlx::test]
async fn demo_names_fit_the_sex_in_the_nip_and_are_not_repeated(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (male, male_family) = names::for_sex(false);
    let (female, female_family) = names::for_sex(true);
    // The NIP's 15th digit: 1 male, 2 female; the recorded sex, the first and the second name agree.
    let wrong: Vec<(String, String, String)> = sqlx::query_as(
        "select nip, sex::text, name from employees
         where not case substr(nip, 15, 1)
                     when '1' then sex = 'L' and split_part(name, ' ', 1) = any($1) and split_part(name, ' ', 2) = any($2)
                     when '2' then sex = 'P' and split_part(name, ' ', 1) = any($3) and split_part(name, ' ', 2) = any($4)
                     else false end
            or split_part(name, ' ', 3) <> ''
         order by nip",
    )
    .bind(male)
    .bind(&male_family)
    .bind(female)
    .bind(&female_family)
    .fetch_all(&app.pool)
    .await
    .expect("names");
    assert!(wrong.is_empty(), "names that do not fit the sex in the NIP: {wrong:?}");
    let (staff, women): (i64, i64) =
        sqlx::query_as("select count(*), count(*) filter (where sex = 'P') from employees")
            .fetch_one(&app.pool)
            .await
            .expect("n");
    assert!((100..=140).contains(&staff), "a department of about 120: {staff}");
    assert!(women * 100 / staff >= 30 && women * 100 / staff <= 70, "men and women: {women} of {staff}");
    let repeated: Vec<String> =
        sqlx::query_scalar("select name from employees group by name having count(*) > 1 order by name")
            .fetch_all(&app.pool)
            .await
            .expect("repeated");
    assert!(repeated.is_empty(), "the same full name twice in the department: {repeated:?}");
}

/// Per requirement of an active employee's standard: assessed when a validated level of it is
/// dated within the last 24 months (older levels no longer count), and met when that level
/// reaches the requirement.
const REQUIREMENTS: &str = "
    create temporary view demo_requirements as
    select e.id as employee_id, u.path, c.kind, ps.required_level,
           (select a.level from assessments a
            where a.employee_id = e.id and a.competency_id = ps.competency_id and a.status = 'validated'
              and a.assessed_on > current_date - interval '24 months'
            order by a.assessed_on desc, a.id desc limit 1) as level
    from employees e join units u on u.id = e.unit_id
    join position_standards ps on ps.position_id = e.position_id join competencies c on c.id = ps.competency_id
    where e.active";

#[sqlx::test]
async fn demo_standards_are_mostly_assessed_and_the_bidang_differ(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut conn = app.pool.acquire().await.expect("conn");
    sqlx::query(REQUIREMENTS).execute(&mut *conn).await.expect("view");
    let (overall, managerial): (f64, f64) = sqlx::query_as(
        "select (100.0 * count(level) / count(*))::float8,
                (100.0 * count(level) filter (where kind <> 'teknis') / count(*) filter (where kind <> 'teknis'))::float8
         from demo_requirements",
    )
    .fetch_one(&mut *conn)
    .await
    .expect("overall");
    assert!((70.0..=90.0).contains(&overall), "requirements assessed within 24 months: {overall:.1} %");
    assert!(managerial >= 70.0, "managerial competencies assessed for most: {managerial:.1} %");
    // Per bidang: the share assessed, and the share of assessed technical requirements met.
    let bidang: Vec<(String, f64, f64)> = sqlx::query_as(
        "select b.code, (100.0 * count(r.level) / count(*))::float8,
                coalesce(100.0 * count(*) filter (where r.kind = 'teknis' and r.level >= r.required_level)
                  / nullif(count(r.level) filter (where r.kind = 'teknis'), 0), 0)::float8
         from units b join demo_requirements r on r.path like b.path || '%'
         where b.kind = 'bidang' group by b.code order by b.code",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("bidang");
    let shares: Vec<f64> = bidang.iter().map(|b| b.1).collect();
    let (max, min) = (shares.iter().copied().fold(0.0, f64::max), shares.iter().copied().fold(100.0, f64::min));
    assert!(max - min >= 30.0, "the bidang differ in how much is assessed: {bidang:?}");
    assert!(min < 40.0, "one bidang is mostly not assessed: {bidang:?}");
    assert!(
        bidang.iter().any(|b| b.1 >= 90.0 && b.2 >= 70.0),
        "one bidang is assessed throughout and mostly meets its standard: {bidang:?}"
    );
    assert!(
        bidang.iter().any(|b| b.1 >= 80.0 && b.2 <= 55.0),
        "one bidang is assessed and often falls short: {bidang:?}"
    );
}

#[sqlx::test]
async fn demo_jp_are_spread_as_in_a_working_department(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // JP of the last twelve months (the calendar year when the demo is seeded in December; the
    // same spread whenever it is seeded), formal and informal, per active employee.
    let jp: Vec<f64> = sqlx::query_scalar(
        "select (coalesce((select sum(t.jp) from training_jp t where t.employee_id = e.id and t.on_date > current_date - 365), 0)
               + coalesce((select sum(a.jp) from activity_jp a where a.employee_id = e.id and a.on_date > current_date - 365), 0))::float8
         from employees e where e.active order by 1",
    )
    .fetch_all(&app.pool)
    .await
    .expect("jp");
    let n = jp.len() as f64;
    let under = jp.iter().filter(|j| **j < 20.0).count() as f64 * 100.0 / n;
    let zero = jp.iter().filter(|j| **j == 0.0).count();
    let within = jp.iter().filter(|j| (10.0..=40.0).contains(*j)).count() as f64 * 100.0 / n;
    let median = jp[jp.len() / 2];
    assert!((15.0..=30.0).contains(&under), "under the minimum of 20 JP: {under:.1} % ({jp:?})");
    assert!((15.0..=40.0).contains(&median), "median JP: {median} ({jp:?})");
    assert!(zero * 100 <= 5 * jp.len(), "few without any JP: {zero}");
    assert!(within >= 50.0, "most between 10 and 40 JP: {within:.1} %");
    // Informal learning counts for many, not only trainings.
    let informal = app
        .scalar("select count(distinct employee_id) from activity_jp where on_date > current_date - 365 and jp > 0")
        .await;
    assert!(informal as f64 >= n / 2.0, "informal learning for many: {informal}");
}

#[sqlx::test]
async fn demo_years_have_their_trainings_and_waiting_items_arrived_over_weeks(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let this_year = app
        .scalar("select count(*) from trainings where extract(year from starts_on) = extract(year from current_date)")
        .await;
    assert!((15..=25).contains(&this_year), "trainings this year: {this_year}");
    let last_year = app
        .scalar(
            "select count(*) from trainings where extract(year from starts_on) = extract(year from current_date) - 1",
        )
        .await;
    assert!((15..=25).contains(&last_year), "trainings last year: {last_year}");
    let ahead = app.scalar("select count(*) from trainings where status in ('open', 'planned')").await;
    assert!(ahead >= 2, "some trainings are still open or planned: {ahead}");
    // Past trainings are completed with results: nobody is left merely approved for them.
    let unresolved = app
        .scalar(
            "select count(*) from training_participants tp join trainings t on t.id = tp.training_id
             where t.status = 'completed' and tp.status not in ('passed', 'failed', 'absent', 'attended', 'rejected')",
        )
        .await;
    assert_eq!(unresolved, 0, "completed trainings have results");
    let results = app
        .scalar(
            "select count(*) from training_participants tp join trainings t on t.id = tp.training_id
             where t.status = 'completed' and extract(year from t.ends_on) = extract(year from current_date) - 1 and tp.status = 'passed'",
        )
        .await;
    assert!(results >= 50, "last year's trainings were passed by many: {results}");
    // Everything waiting for a decision (HR's view of the whole department), by the day it came.
    let (items, days, busiest): (i64, i64, i64) = sqlx::query_as(
        "select coalesce(sum(n), 0)::bigint, count(*), coalesce(max(n), 0) from (
           select (since at time zone 'Asia/Jakarta')::date, count(*) as n
           from waiting_decisions(true, -1, null) group by 1) d",
    )
    .fetch_one(&app.pool)
    .await
    .expect("waiting");
    assert!(items >= 20, "decisions wait: {items}");
    assert!(days >= 14, "what waits arrived on {days} days");
    assert!(busiest * 4 <= items, "no single day brought a quarter of it: {busiest} of {items}");
    let (oldest, newest): (i64, i64) = sqlx::query_as(
        "select max(current_date - (since at time zone 'Asia/Jakarta')::date)::bigint,
                min(current_date - (since at time zone 'Asia/Jakarta')::date)::bigint
         from waiting_decisions(true, -1, null)",
    )
    .fetch_one(&app.pool)
    .await
    .expect("ages");
    assert!(oldest <= 60 && newest >= 0, "waiting since the last weeks: {newest}–{oldest} days");
    // The 3-month re-assessments due fell due on different days, most of them done.
    let (due, due_days): (i64, i64) = sqlx::query_as(
        "select count(*), count(distinct due_on) from reassessments_due(true, null, null, current_date)",
    )
    .fetch_one(&app.pool)
    .await
    .expect("due");
    assert!(due <= 60 && due_days >= 4, "re-assessments due: {due} on {due_days} days");
}

#[sqlx::test]
async fn the_demo_employee_is_young(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (nip, sex, birth, age, position): (String, String, chrono::NaiveDate, i32, String) = sqlx::query_as(
        "select e.nip, e.sex::text, e.birth_date, extract(year from age(current_date, e.birth_date))::int, p.name
         from accounts a join employees e on e.id = a.employee_id join positions p on p.id = e.position_id
         where a.username = 'pegawai'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("pegawai");
    assert!(age < 30, "pegawai is {age}");
    assert_eq!((sex.as_str(), position.as_str()), ("P", "Pranata Komputer Ahli Pertama"));
    // The NIP: her birth date, an appointment after her 18th birthday, the female digit.
    assert_eq!(&nip[..8], birth.format("%Y%m%d").to_string());
    let appointed: i32 = nip[8..12].parse().expect("year");
    assert!(appointed - chrono::Datelike::year(&birth) >= 18, "{nip}");
    assert_eq!(&nip[14..15], "2");
}

/// Next year's plan on the demo helps a head decide: for Bidang Aplikasi, more money closes more
/// gap up to a visible knee, the optimal plan beats the greedy one, it opens catalogue classes,
/// and every frontier point is within its budget.
#[sqlx::test]
async fn the_demo_plan_shows_what_money_buys(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut head = app.as_user("kabid.aptika").await;
    let first = head.get("/gaps/plan").await;
    assert_eq!(first.status, axum::http::StatusCode::OK);
    assert!(first.body.contains("Rencana sedang dihitung"), "the first view queues the plan");
    assert_eq!(cakap::gaps::plan_run::run_queued(&app.state).await.expect("runs"), 1);
    let (budget, result): (i64, serde_json::Value) =
        sqlx::query_as("select budget, result from plan_runs where status = 'done'")
            .fetch_one(&app.pool)
            .await
            .expect("run");
    assert!(budget > 0, "next year's budget is there");
    let frontier: Vec<(i64, f64, i64, bool)> = result["frontier"]
        .as_array()
        .expect("frontier")
        .iter()
        .map(|p| {
            (
                p[0].as_i64().unwrap_or(-1),
                p[1]["objective"].as_f64().unwrap_or(-1.0),
                p[1]["cost"].as_i64().unwrap_or(-1),
                p[1]["optimal"].as_bool().unwrap_or(false),
            )
        })
        .collect();
    assert_eq!(frontier.len(), 8, "{frontier:?}");
    for w in frontier.windows(2) {
        assert!(w[1].1 >= w[0].1, "never falls: {frontier:?}");
    }
    for (b, _, cost, proven) in &frontier {
        assert!(cost <= b && *proven, "within budget and proven: {frontier:?}");
    }
    let distinct = frontier.windows(2).filter(|w| w[1].1 > w[0].1 + 1e-9).count();
    assert!(distinct >= 2, "more money closes more, step by step: {frontier:?}");
    assert!((frontier[7].1 - frontier[6].1).abs() < 1e-9, "and stops helping at a knee below 300 %: {frontier:?}");
    let optimal = result["optimal"]["objective"].as_f64().unwrap_or(0.0);
    let greedy = result["greedy"]["objective"].as_f64().unwrap_or(0.0);
    assert!(optimal > greedy * 1.05, "optimal {optimal} beats greedy {greedy}");
    let page = head.get("/gaps/plan").await.body;
    assert!(
        page.contains("Kelas baru dari katalog") && page.contains("kelas baru"),
        "classes opened from the catalogue"
    );
    assert!(page.contains("optimal (terbukti)") && page.contains("id=\"frontier\""));
}
