//! The mentor assignment of a unit (`/gaps/mentors`): the mentor part of the plan's last run.

use super::*;

#[derive(askama::Template)]
#[template(path = "gaps/mentors.html")]
pub(super) struct MentorsPage<'a> {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    units: Vec<UnitOption>,
    /// The unit's latest computed plan, whose mentor part this page shows.
    run: Option<&'a RunRow>,
    v: Option<&'a PlanResult>,
    /// A run of the unit waiting or running.
    pending: Option<RunRow>,
    /// The records moved since that plan was computed.
    outdated: bool,
    /// What computing (again) asks for: the plan's year and budget, else next year and what remains.
    year: i32,
    budget: String,
    settings: GapSettings,
}

impl MentorsPage<'_> {
    fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }
}

/// The mentor part of the unit's latest computed plan: one result with `/gaps/plan`, so both name
/// the same mentor for the same gap (the exact routing, on the whole candidate graph, of what the
/// plan's trainings leave). Nothing is solved here: without a plan, or with an outdated one, the
/// page says so and offers to compute it.
pub(super) async fn mentors(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let asked = match q.run.trim().parse::<i64>() {
        Ok(id) => Some(plan_run::by_id(&state.plan_results, &mut conn, id).await?.ok_or(AppError::NotFound)?),
        Err(_) => None,
    };
    // A run's page is its unit's (in the reader's scope, or 404).
    let unit = asked.as_ref().map(|(r, _)| r.unit_id.to_string()).unwrap_or_else(|| q.unit.clone());
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &unit).await?;
    let settings = db::settings(&mut conn).await?;
    let (latest, pending) = plan_run::latest_for_unit(&state.plan_results, &mut conn, unit_id).await?;
    let done = asked.or(latest);
    let version = plan_run::plan_version(&mut conn, &path).await?;
    let units = db::unit_options(&state, &mut conn, &user, unit_id).await?;
    drop(conn);
    let outdated = done.as_ref().is_some_and(|(r, _)| r.data_version != Some(version));
    let (run, v) = match &done {
        Some((r, v)) => (Some(r), Some(v.as_ref())),
        None => (None, None),
    };
    let (year, budget) = match run {
        Some(r) => (r.year, r.budget.to_string()),
        None => (plan_year(&ctx, ""), String::new()),
    };
    render(&MentorsPage { ctx, unit_id, unit_name, units, run, v, pending, outdated, year, budget, settings })
}
