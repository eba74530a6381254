//! Next year's plan as a job bounded by wall time, and `/gaps/mentors` as the plan's mentor part:
//! a solver that writes a result and then hangs is stopped at the limit and its result kept; a
//! real run with a short limit answers in time with every frontier point feasible, never falling,
//! proven or bounded; the mentors page names the plan's mentor for every gap.

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use cakap::gaps::{
    plan,
    plan_run::{self, PlanResult, Solved},
};
use sqlx::PgPool;

use crate::helpers::TestApp;

/// The demo's Bidang Aplikasi, next year, and the budget its plan page uses (what remains).
async fn aplikasi(app: &TestApp) -> (i64, String, i32) {
    let (unit, path): (i64, String) =
        sqlx::query_as("select id, path from units where code = 'APT'").fetch_one(&app.pool).await.expect("APT");
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive()) + 1;
    (unit, path, year)
}

/// Every frontier point and the main plan re-checked against the constraints of the records the
/// run read: budget, seats, classes and per-person caps, scored from its choices, never falling,
/// a bound at or above what it closes, proven points unmarked.
async fn recheck(app: &TestApp, path: &str, r: &PlanResult) {
    let agency = app.state.settings.get(&app.pool).await.expect("settings");
    let today = app.state.clock.today(agency.time_zone);
    let mut conn = app.pool.acquire().await.expect("conn");
    let inputs = plan_run::read_inputs(&mut conn, path, r.year, r.budget, today).await.expect("inputs");
    let (input, _) = plan_run::model(&inputs);
    let main = (r.budget, r.optimal.clone());
    for (b, p) in r.frontier.iter().chain(std::iter::once(&main)) {
        let mut i = input.clone();
        i.budget = *b;
        assert!(plan::feasible(&i, &p.chosen), "point at {b} breaks a limit");
        assert_eq!(plan::cost(&i, &p.chosen), p.cost, "point at {b}: its cost");
        assert!(p.cost <= *b, "point at {b} costs {}", p.cost);
        let (score, _) = plan::evaluate(&i, &p.chosen);
        assert!((score - p.objective).abs() < 1e-6, "point at {b}: scored {score}, shown {}", p.objective);
        assert!(p.bound + 1e-9 >= p.objective, "point at {b}: bound {} below {}", p.bound, p.objective);
        assert!(p.bound <= plan::upper_bound(&i) + 1e-6, "point at {b}: bound above what any plan can close");
    }
    let mut last = f64::NEG_INFINITY;
    for (b, p) in &r.frontier {
        assert!(p.objective + 1e-9 >= last, "the frontier falls at {b}");
        last = p.objective;
    }
}

/// A stand-in solver: writes `lines` (each a line of its standard output), then hangs.
fn hanging_solver(dir: &std::path::Path, lines: &[String]) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let out = dir.join("out.jsonl");
    std::fs::write(&out, lines.concat()).expect("lines");
    let script = dir.join("solver.sh");
    std::fs::write(&script, format!("#!/bin/sh\ncat '{}'\nexec sleep 60\n", out.display())).expect("script");
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    script
}

/// The parent keeps the last complete result its child wrote, stops the child at the wall-time
/// limit, and fails (no plan shown) when nothing came in time.
#[sqlx::test]
async fn a_solver_stopped_at_the_limit_leaves_its_last_result(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (unit, path, year) = aplikasi(&app).await;
    let budget = 50_000_000;
    let (result, version) = plan_run::compute(&app.state, unit, year, budget).await.expect("computed here");
    recheck(&app, &path, &result).await;
    let url = app.state.config.database_url.clone();
    let dir = std::env::temp_dir().join(format!("cakap-plan-{}-{unit}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let line =
        |r: &PlanResult| format!("{}\n", serde_json::to_string(&Solved { result: r.clone(), version }).expect("json"));
    // An earlier result, the last one, then half a line (cut off as it was written).
    let mut earlier = result.clone();
    earlier.optimal.objective = 0.0;
    let script = hanging_solver(&dir, &[line(&earlier), line(&result), "{\"result\": {\"year\"".into()]);
    let started = Instant::now();
    let (got, got_version) =
        plan_run::solve_in_child(&script, &url, unit, year, budget, Instant::now() + Duration::from_millis(1500))
            .await
            .expect("the last result");
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(1400) && took < Duration::from_secs(4), "stopped at the limit: {took:?}");
    assert_eq!(got_version, version);
    assert_eq!(got.optimal, result.optimal, "the last complete line");
    assert_eq!(got.frontier, result.frontier);
    // Nothing written by the limit: the run fails, in time.
    let silent = hanging_solver(&dir, &[]);
    let started = Instant::now();
    let err = plan_run::solve_in_child(&silent, &url, unit, year, budget, Instant::now() + Duration::from_millis(800))
        .await
        .expect_err("no result");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(err.to_string().contains("no result within"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The real child (`cakap plan-solve`) under a short wall-time limit answers by then: whatever it
/// reached, every point shown is feasible, never falls and is proven or bounded honestly.
#[sqlx::test]
async fn a_run_under_a_short_limit_answers_in_time_with_a_checked_frontier(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (unit, path, year) = aplikasi(&app).await;
    let exe = std::path::PathBuf::from(env!("CARGO_BIN_EXE_cakap"));
    let url = app.state.config.database_url.clone();
    for (budget, wall) in [(75_000_000, 1500), (20_000_000, 600), (150_000_000, 9000)] {
        let started = Instant::now();
        let outcome =
            plan_run::solve_in_child(&exe, &url, unit, year, budget, Instant::now() + Duration::from_millis(wall))
                .await;
        let took = started.elapsed();
        assert!(took < Duration::from_millis(wall + 1500), "answered by its limit ({wall} ms): {took:?}");
        match outcome {
            Ok((r, _)) => {
                assert_eq!(r.frontier.len(), plan_run::FRONTIER_SHARES.len());
                recheck(&app, &path, &r).await;
                if wall >= 9000 {
                    assert!(r.frontier.iter().all(|(_, p)| p.optimal), "the demo is proven in full in time");
                }
            }
            // Too short for the child to read the records and write its first result.
            Err(e) => assert!(wall < 1000 && e.to_string().contains("no result within"), "{wall} ms: {e}"),
        }
    }
}

/// The pairs (need, mentor) a page names: `data-need` and `data-mentor` of each row.
fn named_pairs(body: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = body
        .split("data-need=\"")
        .skip(1)
        .map(|s| {
            let need = s.split('"').next().unwrap_or("").to_string();
            let mentor = s.split("data-mentor=\"").nth(1).and_then(|m| m.split('"').next()).unwrap_or("").to_string();
            (need, mentor)
        })
        .collect();
    out.sort();
    out
}

/// `/gaps/mentors` is the mentor part of the plan: for every gap it names the mentor the plan
/// names (the stored run, its page, and the mentors page agree); before any plan it offers to
/// compute one; a run asked by id is shown as it is.
#[sqlx::test]
async fn the_mentors_page_names_the_plans_mentor_for_each_gap(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (unit, _, year) = aplikasi(&app).await;
    let mut head = app.as_user("kabid.aptika").await;
    let m = head.get(&format!("/gaps/mentors?unit={unit}")).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.body.contains("id=\"no-plan\"") && m.body.contains("action=\"/gaps/plan/compute\""), "{}", m.body);
    assert!(named_pairs(&m.body).is_empty(), "no mentors before a plan");
    let plan_url = format!("/gaps/plan?unit={unit}&year={year}&budget=30000000");
    assert_eq!(head.get(&plan_url).await.status, StatusCode::OK, "the first view queues the plan");
    let m = head.get(&format!("/gaps/mentors?unit={unit}")).await;
    assert!(m.body.contains("id=\"plan-pending\""), "the plan is being computed");
    assert_eq!(plan_run::run_queued(&app.state).await.expect("runs"), 1);
    let (run, stored): (i64, serde_json::Value) =
        sqlx::query_as("select id, result from plan_runs where status = 'done'")
            .fetch_one(&app.pool)
            .await
            .expect("run");
    let result: PlanResult = serde_json::from_value(stored).expect("result");
    let mut want: Vec<(String, String)> = result
        .mentors
        .iter()
        .map(|m| (format!("{}:{}", m.need.employee_id, m.need.competency_id), m.mentor_id.to_string()))
        .collect();
    want.sort();
    assert!(want.len() >= 5, "the demo plan routes gaps to mentors: {want:?}");
    let mut needs = want.iter().map(|(n, _)| n).collect::<Vec<_>>();
    needs.dedup();
    assert_eq!(needs.len(), want.len(), "one mentor per gap");
    let page = head.get(&plan_url).await;
    let on_plan = named_pairs(&page.body);
    assert_eq!(on_plan.len(), want.len().min(50), "the first 50 mentors, the rest on the mentors page");
    assert!(on_plan.iter().all(|p| want.contains(p)), "the plan page names the run's mentors");
    assert!(page.body.contains(&format!("/gaps/mentors?unit={unit}&amp;run={run}")));
    let m = head.get(&format!("/gaps/mentors?unit={unit}")).await;
    assert!(!m.body.contains("id=\"no-plan\"") && !m.body.contains("id=\"plan-outdated\""), "{}", m.body);
    assert_eq!(named_pairs(&m.body), want, "the same mentor for the same gap as the plan");
    assert!(m.body.contains("budget=30000000"), "it links to the plan it comes from");
    let covered = result.mentor_figures.as_ref().expect("figures").covered;
    assert!(covered > 0.0 && m.body.contains(&format!("<strong>{}</strong>", fmt_id(covered))), "{covered}");
    // Another budget computed later: the page shows the latest plan; the first stays reachable.
    let other = format!("/gaps/plan?unit={unit}&year={year}&budget=0");
    head.get(&other).await;
    assert_eq!(plan_run::run_queued(&app.state).await.expect("runs"), 1);
    let latest: serde_json::Value =
        sqlx::query_scalar("select result from plan_runs where status = 'done' and budget = 0")
            .fetch_one(&app.pool)
            .await
            .expect("latest");
    let latest: PlanResult = serde_json::from_value(latest).expect("result");
    let mut latest_pairs: Vec<(String, String)> = latest
        .mentors
        .iter()
        .map(|m| (format!("{}:{}", m.need.employee_id, m.need.competency_id), m.mentor_id.to_string()))
        .collect();
    latest_pairs.sort();
    assert_eq!(named_pairs(&head.get(&format!("/gaps/mentors?unit={unit}")).await.body), latest_pairs);
    assert_eq!(named_pairs(&head.get(&format!("/gaps/mentors?unit={unit}&run={run}")).await.body), want);
    // A write since: the mentors page says the plan is outdated and offers to compute again.
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
         select g.employee_id, g.competency_id, g.required_level, current_date, 'supervisor', 'validated'
         from requirement_gaps g join employees e on e.id = g.employee_id where e.unit_id in
           (select id from units where path like (select path from units where id = $1) || '%') and g.gap > 0 limit 1",
    )
    .bind(unit)
    .execute(&app.pool)
    .await
    .expect("a new level");
    let m = head.get(&format!("/gaps/mentors?unit={unit}")).await;
    assert!(m.body.contains("id=\"plan-outdated\"") && m.body.contains("action=\"/gaps/plan/compute\""), "{}", m.body);
    // A plan with many lines shows them 50 a page, each line once, with the page's figures.
    let first = result.lines.first().expect("the demo plan has lines").clone();
    let mut many = result.clone();
    many.lines = (0..120).map(|_| first.clone()).collect();
    for (i, l) in many.lines.iter_mut().enumerate() {
        l.name = format!("Baris {i:03}");
    }
    sqlx::query(
        "insert into plan_runs (unit_id, year, budget, status, finished_at, data_version, seconds, result)
         values ($1, $2, 30000001, 'done', now(), records_version(null), 1, $3)",
    )
    .bind(unit)
    .bind(year)
    .bind(serde_json::to_value(&many).expect("json"))
    .execute(&app.pool)
    .await
    .expect("a run with many lines");
    let lines = |body: &str| -> Vec<String> {
        body.split(">Baris ").skip(1).map(|s| s.split('<').next().unwrap_or("").to_string()).collect()
    };
    let paged = format!("/gaps/plan?unit={unit}&year={year}&budget=30000001");
    let p1 = head.get(&paged).await;
    assert_eq!(lines(&p1.body), (0..50).map(|i| format!("{i:03}")).collect::<Vec<_>>());
    assert!(p1.body.contains("rel=\"next\"") && p1.body.contains("budget=30000001&#38;page=2"), "{}", p1.body);
    assert!(p1.body.contains("<span class=\"chip\">120</span>"), "the whole count");
    let p3 = head.get(&format!("{paged}&page=3")).await;
    assert_eq!(lines(&p3.body), (100..120).map(|i| format!("{i:03}")).collect::<Vec<_>>());
    assert_eq!(lines(&head.get(&format!("{paged}&page=9")).await.body), lines(&p3.body), "past the end: the last");
    head.get("/lang/en?next=/").await;
    let en = head.get(&format!("{paged}&page=2")).await.body;
    assert_eq!(lines(&en), (50..100).map(|i| format!("{i:03}")).collect::<Vec<_>>());
    assert!(en.contains("Page 2 / 3"), "drawn in the reader's language: {en}");
    head.get("/lang/id?next=/").await;
    // Out of scope: another bidang's head cannot read this run.
    let mut other_head = app.as_user("kabid.infra").await;
    let r = other_head.get(&format!("/gaps/mentors?unit={unit}&run={run}")).await;
    assert_ne!(r.status, StatusCode::OK, "a run of another bidang");
}

/// A figure as the Indonesian pages print it (one decimal, comma).
fn fmt_id(v: f64) -> String {
    cakap::app::num::fixed(v, 1, cakap::i18n::Lang::Id)
}
