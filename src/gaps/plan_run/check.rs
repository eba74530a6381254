//! `cakap plan-check`: a unit's plan computed as a run would, every figure checked independently.

use super::*;

/// Compute the plan of the unit with this code as a run would, print its sizes and timings, and
/// check every figure the page would show against independent checks. Returns whether all hold.
pub async fn check(
    pool: &sqlx::PgPool,
    unit_code: &str,
    year: Option<i32>,
    budget: Option<i64>,
) -> anyhow::Result<bool> {
    let started = Instant::now();
    let settings = crate::settings::SettingsCache::default().get(pool).await?;
    let today = crate::app::clock::Clock::default().today(settings.time_zone);
    let year = year.unwrap_or(chrono::Datelike::year(&today) + 1);
    let (unit_id, path): (i64, String) = sqlx::query!("select id, path from units where code = $1", unit_code)
        .fetch_optional(pool)
        .await?
        .map(|r| (r.id, r.path))
        .ok_or_else(|| anyhow::anyhow!("no unit with code {unit_code}"))?;
    let mut conn = pool.acquire().await?;
    let staff: i64 = sqlx::query_scalar!(
        r#"select count(*) as "n!" from employees e join units u on u.id = e.unit_id where e.active and u.path like $1 || '%'"#,
        &path,
    )
    .fetch_one(&mut *conn)
    .await?;
    let budget = match budget {
        Some(b) => b,
        None => super::budget(&mut conn, year, &path).await?.remaining(),
    };
    let read_started = Instant::now();
    let inputs = read_inputs(&mut conn, &path, year, budget, today).await?;
    let read = read_started.elapsed();
    drop(conn);
    let (input, _) = model(&inputs);
    let programmes = inputs.choices.iter().filter(|c| c.is_programme()).count();
    println!(
        "unit {unit_code} (id {unit_id}): {staff} active staff, year {year}, budget {}",
        crate::development::model::rupiah(budget)
    );
    println!(
        "model: {} flagged staff, {} gaps, {} scheduled trainings + {} catalogue programmes, {} offers, {} mentors, {} mentor edges",
        input.people,
        input.needs.len(),
        inputs.choices.len() - programmes,
        programmes,
        input.offers.len(),
        input.mentors.len(),
        input.mentor_edges.len()
    );
    // The run as the worker computes it: in a child process (unless CAKAP_PLAN_IN_PROCESS=1),
    // within its wall time, the last complete result kept.
    let config = crate::app::config::Config::from_env()?;
    let how = if config.plan_solver.is_some() { "a child process" } else { "in process" };
    let state = AppState::new(pool.clone(), config);
    let run_started = Instant::now();
    let (r, version) = compute(&state, unit_id, year, budget).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let run = run_started.elapsed();
    if version != inputs.data_version {
        println!("the records changed while checking: the checks below may not hold");
    }
    println!(
        "read {:.2} s; the run ({how}, wall-time limit {:.1} s) {:.2} s wall, main plan {:.2} s; whole check {:.2} s",
        read.as_secs_f64(),
        PLAN_WALL.as_secs_f64(),
        run.as_secs_f64(),
        r.optimal.seconds,
        started.elapsed().as_secs_f64()
    );
    let quality = |p: &Plan| {
        if p.optimal {
            "proven optimal".to_string()
        } else if p.bound.is_finite() {
            format!("within {:.2} % of the bound {:.1}", p.gap() * 100.0, p.bound)
        } else {
            "not proven".to_string()
        }
    };
    let how = |p: &Plan| if p.not_reached { " (its starting plan: not solved in time)" } else { "" };
    println!(
        "plan: closes {:.1} of {:.1} for {} ({}); greedy closes {:.1} for {} ({:+.1} % for the optimal); {} classes opened, {} lines, {} to mentors, {} left",
        r.optimal.objective,
        r.total_gap,
        crate::development::model::rupiah(r.optimal.cost),
        quality(&r.optimal),
        r.greedy.objective,
        crate::development::model::rupiah(r.greedy.cost),
        if r.greedy.objective > 0.0 { (r.optimal.objective / r.greedy.objective - 1.0) * 100.0 } else { 0.0 },
        r.classes().len(),
        r.lines.len(),
        r.mentors.len(),
        r.uncovered.len()
    );
    let mut ok = true;
    let mut last = f64::NEG_INFINITY;
    for (b, p) in &r.frontier {
        let mut i = input.clone();
        i.budget = *b;
        let feasible = plan::feasible(&i, &p.chosen);
        let (rescored, _) = plan::evaluate(&i, &p.chosen);
        let monotone = p.objective + 1e-9 >= last;
        let honest = (rescored - p.objective).abs() < 1e-6 && p.bound + 1e-9 >= p.objective;
        println!(
            "  frontier {:>16}: closes {:>8.1}, costs {:>16}, {:.2} s, {}{}{}{}{}",
            crate::development::model::rupiah(*b),
            p.objective,
            crate::development::model::rupiah(p.cost),
            p.seconds,
            quality(p),
            how(p),
            if feasible { "" } else { "  INFEASIBLE" },
            if monotone { "" } else { "  FALLS" },
            if honest { "" } else { "  SCORE DIFFERS" }
        );
        ok &= feasible && monotone && honest;
        last = p.objective;
    }
    println!(
        "frontier: {} of {} points proven optimal, the others shown with their gap to a proven bound or as not proven",
        r.frontier.iter().filter(|(_, p)| p.optimal).count(),
        r.frontier.len()
    );
    // The mentors of the plan against an independent exact method (minimum-cost flow) on the
    // same whole candidate graph, given the plan's trainings.
    let mut credit = vec![0.0f64; input.needs.len()];
    for o in &input.offers {
        if r.optimal.chosen.contains(&(input.needs[o.need].person, o.training)) {
            credit[o.need] = credit[o.need].max(o.value);
        }
    }
    let edges: Vec<crate::gaps::assign::Edge> = input
        .mentor_edges
        .iter()
        .map(|e| crate::gaps::assign::Edge {
            need: e.need,
            mentor: e.mentor,
            value: (input.needs[e.need].by_mentor - credit[e.need]).max(0.0),
        })
        .collect();
    let flow_started = Instant::now();
    let flow =
        crate::gaps::assign::value(&crate::gaps::assign::assign(input.needs.len(), &input.mentors, &edges), &edges);
    let flow_time = flow_started.elapsed();
    let ours: f64 = r.optimal.mentored.iter().map(|(n, _)| (input.needs[*n].by_mentor - credit[*n]).max(0.0)).sum();
    let same = (flow - ours).abs() < 1e-6;
    println!(
        "mentors: {ours:.1} by need value, {flow:.1} by minimum-cost flow ({:.2} s) on {} edges{}",
        flow_time.as_secs_f64(),
        edges.len(),
        if same { "" } else { "  DIFFER" }
    );
    ok &= same;
    println!("{}", if ok { "every check holds" } else { "A CHECK FAILED" });
    Ok(ok)
}
