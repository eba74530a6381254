//! Closing the gaps: the mentor assignment for a unit, the budget-constrained plan for a year
//! (computed as a job, `plan_run`) with its budget frontier and the simple greedy plan beside it,
//! and accepting exactly the plan shown (the AKPK in `akpk.rs` comes from the plan accepted last).

use std::collections::HashSet;

use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;
use serde_json::json;

use super::{
    db::{self, GapSettings},
    plan_run::{self, BudgetFigures, NeedRow, PlanResult, RunRow},
    routes::pick_unit,
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        chart::{self, Bar},
        context::Val,
        render::{FlashKind, fragment, redirect_flash, render, render_status},
        versioned,
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    development::model::{Rupiah, jp_text, rupiah},
    units::db::UnitOption,
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .get("/gaps/mentors", Access::AnyOf(HR_HEAD), mentors)
        .get("/gaps/plan", Access::AnyOf(HR_HEAD), plan_page)
        .post("/gaps/plan", Access::AnyOf(HR_HEAD), accept)
        .post("/gaps/plan/compute", Access::AnyOf(HR_HEAD), compute)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitQuery {
    unit: String,
    budget: String,
    year: String,
    format: String,
    /// `1`: list what changed in the unit's gaps since the plan shown was computed.
    changes: String,
    /// `/gaps/mentors`: the mentor part of this run (the plan page links to it), else of the
    /// unit's latest run.
    run: String,
}

#[derive(askama::Template)]
#[template(path = "gaps/mentors.html")]
struct MentorsPage<'a> {
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
async fn mentors(
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

/// What changed in the unit's gaps since a run read them: (new or changed, gone or changed).
#[derive(Clone, Debug, Default)]
pub struct Drift {
    pub added: Vec<NeedRow>,
    pub gone: Vec<NeedRow>,
}

impl crate::app::versioned::Weigh for Drift {
    fn bytes(&self) -> usize {
        use crate::app::versioned::rows_bytes;
        rows_bytes(&self.added, 400) + rows_bytes(&self.gone, 400)
    }
}

#[derive(askama::Template)]
#[template(path = "gaps/plan.html")]
struct PlanPage<'a> {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    units: Vec<UnitOption>,
    year: i32,
    budget: i64,
    budget_text: String,
    budget_error: Option<&'static str>,
    figures: BudgetFigures,
    run: Option<&'a RunRow>,
    v: Option<&'a PlanResult>,
    pending: Option<RunRow>,
    /// The records moved since the run shown was computed; what changed in the unit's gaps.
    outdated: bool,
    /// Asked for (`changes=1`): the unit's gaps now against the run's.
    drift: Option<Drift>,
    /// The run's part of the page (`PlanBody`), drawn once per run and language.
    body: &'a str,
}

impl PlanPage<'_> {
    fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    /// Computing again is offered when nothing is waiting (or the last attempt failed).
    fn can_recompute(&self) -> bool {
        match &self.pending {
            None => true,
            Some(p) => p.status == "failed",
        }
    }

    /// Whether the run's time ran out before some point of the frontier was solved.
    fn cut_short(&self, v: &PlanResult) -> bool {
        v.optimal.not_reached || v.frontier.iter().any(|(_, p)| p.not_reached)
    }

    fn wall_seconds(&self) -> String {
        self.ctx.decimal(plan_run::PLAN_WALL.as_secs_f64())
    }
}

/// What the plan page shows of a run: its figures, classes, lines, mentors and frontier. It
/// depends only on the run and the language, so it is drawn once (`PlanResult::drawn`) and a view
/// after a write, which never changes a run, draws only the page around it.
#[derive(askama::Template)]
#[template(path = "gaps/plan_body.html")]
struct PlanBody<'a> {
    ctx: &'a Ctx,
    unit_id: i64,
    run_id: i64,
    v: &'a PlanResult,
    frontier_chart: String,
}

impl PlanBody<'_> {
    fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }

    fn scheduled(&self, v: &PlanResult) -> usize {
        v.choices.iter().filter(|c| !c.is_programme()).count()
    }

    /// A plan's quality in words: proven optimal, or at most this far from the best possible
    /// (rounded up, so a plan not proven never reads as 0 %), or not proven at all.
    fn quality(&self, p: &crate::gaps::plan::Plan) -> String {
        if p.optimal {
            self.ctx.t("plan.optimal").to_string()
        } else if p.bound.is_finite() {
            self.ctx.t("plan.within").replace("{pct}", &gap_text(p.gap(), self.ctx.lang))
        } else {
            self.ctx.t("plan.unproven").to_string()
        }
    }

    fn any_unproven(&self, v: &PlanResult) -> bool {
        v.frontier.iter().any(|(_, p)| !p.optimal)
    }
}

/// How far from optimal a plan not proven can be at most, in percent with one decimal, rounded
/// up: a gap of 0.004 % reads "0,1", never "0,0".
fn gap_text(gap: f64, lang: crate::i18n::Lang) -> String {
    let tenths = (gap * 1000.0 - 1e-9).ceil().max(1.0);
    crate::app::num::fixed(tenths / 10.0, 1, lang)
}

/// The year a plan is for: the one asked, else next year (an AKPK is written the year before).
fn plan_year(ctx: &Ctx, q: &str) -> i32 {
    q.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or(ctx.today.year() + 1)
}

/// The unit's budget figures for the year (its subtree's budgets), the budget asked (or what
/// remains), and the problem with the figure typed, if any.
async fn parameters(
    state: &AppState,
    unit_id: i64,
    path: &str,
    year: i32,
    typed: &str,
) -> AppResult<(BudgetFigures, i64, Option<&'static str>)> {
    let p = path.to_string();
    let figures = state
        .versions
        .get_in(
            crate::app::versioned::Depends::Unit(path.to_string()),
            &state.pool,
            format!("plan.budget:{unit_id}:{year}"),
            move |conn| Box::pin(async move { plan_run::budget(conn, year, &p).await }),
        )
        .await?;
    let figures = figures.as_ref().clone();
    let remaining = figures.remaining();
    if typed.trim().is_empty() {
        return Ok((figures, remaining, None));
    }
    match Rupiah::parse(typed) {
        Ok(b) => Ok((figures, b.get(), None)),
        Err(k) => Ok((figures, remaining, Some(k))),
    }
}

/// The unit's gaps now against those a run read: what is new or changed, what is gone (kept per
/// version of the records).
async fn drift(
    state: &AppState,
    ctx: &Ctx,
    path: &str,
    run: i64,
    v: std::sync::Arc<PlanResult>,
) -> AppResult<std::sync::Arc<Drift>> {
    let (today, en, path) = (ctx.today, ctx.lang.is_en(), path.to_string());
    let key = format!("plan.drift:{run}:{en}:{today}");
    let kept = state
        .versions
        .get_in(crate::app::versioned::Depends::Unit(path.clone()), &state.pool, key, move |conn| {
            Box::pin(async move {
                let now = plan_run::needs(conn, today, &path, en, true).await?;
                Ok::<_, sqlx::Error>(compare(&now, &v))
            })
        })
        .await?;
    Ok(kept)
}

/// What changed between the gaps a run read and the gaps now.
fn compare(now: &[NeedRow], v: &PlanResult) -> Drift {
    let key = |n: &NeedRow| (n.employee_id, n.competency_id, n.current_level, n.required_level);
    let mut then: Vec<&NeedRow> = v.lines.iter().flat_map(|l| l.closes.iter().map(|c| &c.0)).collect();
    then.extend(v.mentors.iter().map(|m| &m.need));
    then.extend(v.uncovered.iter());
    let then_keys: HashSet<_> = then.iter().map(|n| key(n)).collect();
    let now_keys: HashSet<_> = now.iter().map(key).collect();
    let mut gone: Vec<NeedRow> = vec![];
    let mut seen = HashSet::new();
    for n in then {
        if !now_keys.contains(&key(n)) && seen.insert(key(n)) {
            gone.push(n.clone());
        }
    }
    let added = now.iter().filter(|n| !then_keys.contains(&key(n))).cloned().collect();
    Drift { added, gone }
}

async fn plan_page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &q.unit).await?;
    let year = plan_year(&ctx, &q.year);
    let (figures, budget, budget_error) = parameters(&state, unit_id, &path, year, &q.budget).await?;
    let mut conn = state.pool.acquire().await?;
    let (done, mut pending) = plan_run::latest(&state.plan_results, &mut conn, unit_id, year, budget).await?;
    let version = plan_run::plan_version(&mut conn, &path).await?;
    drop(conn);
    // The first reader of these parameters queues the first run; after that only "compute
    // again" does (writes never start a solve by themselves).
    if done.is_none() && pending.is_none() && budget_error.is_none() {
        plan_run::enqueue(&state, unit_id, year, budget, Some(user.account_id)).await?;
        let mut conn = state.pool.acquire().await?;
        pending = plan_run::latest(&state.plan_results, &mut conn, unit_id, year, budget).await?.1;
    }
    let outdated = done.as_ref().is_some_and(|(r, _)| r.data_version != Some(version));
    let drift = match &done {
        Some((r, v)) if outdated && q.changes == "1" => {
            Some(drift(&state, &ctx, &path, r.id, v.clone()).await?.as_ref().clone())
        }
        _ => None,
    };
    let body = match &done {
        Some((r, v)) => versioned::once(&v.drawn[usize::from(ctx.lang.is_en())], || {
            let max = v.frontier.iter().map(|(_, p)| p.objective).fold(0.0, f64::max).max(1.0);
            let frontier_chart = chart::bars(
                "frontier",
                ctx.t("plan.frontier"),
                &v.frontier
                    .iter()
                    .map(|(b, p)| Bar {
                        label: rupiah(*b),
                        value: p.objective,
                        text: format!("{}{}", ctx.decimal(p.objective), if p.optimal { "" } else { "*" }),
                    })
                    .collect::<Vec<_>>(),
                max,
            );
            fragment(&PlanBody { ctx: &ctx, unit_id, run_id: r.id, v, frontier_chart })
        })?
        .as_str(),
        None => "",
    };
    let units = db::unit_options(&state, &state.pool, &user, unit_id).await?;
    let budget_text = if budget_error.is_some() { q.budget.clone() } else { rupiah(budget) };
    let status = if budget_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (run, v) = match &done {
        Some((r, v)) => (Some(r), Some(v.as_ref())),
        None => (None, None),
    };
    render_status(
        status,
        &PlanPage {
            ctx,
            unit_id,
            unit_name,
            units,
            year,
            budget,
            budget_text,
            budget_error,
            figures,
            run,
            v,
            pending,
            outdated,
            drift,
            body,
        },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ComputeForm {
    unit: String,
    budget: String,
    year: String,
}

/// Compute the plan again (the records changed, or a run failed): queued for a worker.
async fn compute(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<ComputeForm>,
) -> AppResult<Response> {
    let (unit_id, _, path) = pick_unit(&state, &user, &f.unit).await?;
    let year = plan_year(&ctx, &f.year);
    let (_, budget, problem) = parameters(&state, unit_id, &path, year, &f.budget).await?;
    let back = format!("/gaps/plan?unit={unit_id}&year={year}&budget={budget}");
    if problem.is_some() {
        return Ok(redirect_flash(&format!("/gaps/plan?unit={unit_id}&year={year}"), FlashKind::Err, "dev.err.money"));
    }
    plan_run::enqueue(&state, unit_id, year, budget, Some(user.account_id)).await?;
    Ok(redirect_flash(&back, FlashKind::Ok, "flash.plan_queued"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AcceptForm {
    run: String,
    /// Ticked when the page said the records had changed since the plan was computed.
    seen_changes: String,
}

/// Accept exactly the plan shown (the run named by the page), stored with its items in one
/// transaction; the AKPK reads it, never a new solve.
async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<AcceptForm>,
) -> AppResult<Response> {
    let Ok(run_id) = f.run.trim().parse::<i64>() else {
        return Ok(redirect_flash("/gaps/plan", FlashKind::Err, "plan.err.no_run"));
    };
    let mut conn = state.pool.acquire().await?;
    let Some((run, result)) = plan_run::by_id(&state.plan_results, &mut conn, run_id).await? else {
        return Err(AppError::NotFound);
    };
    drop(conn);
    // The run's unit must be in the reader's scope.
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &run.unit_id.to_string()).await?;
    let v = result.as_ref();
    let back = format!("/gaps/plan?unit={unit_id}&year={}&budget={}", run.year, run.budget);
    let mut tx = state.pool.begin().await?;
    let version = plan_run::plan_version(&mut tx, &path).await?;
    if run.data_version != Some(version) && f.seen_changes != "1" {
        return Ok(redirect_flash(&back, FlashKind::Err, "plan.err.see_changes"));
    }
    let already: Option<i64> =
        sqlx::query_scalar("select id from dev_plans where run_id = $1").bind(run_id).fetch_optional(&mut *tx).await?;
    if already.is_some() {
        return Ok(redirect_flash(
            &format!("/gaps/akpk?unit={unit_id}&year={}", run.year),
            FlashKind::Err,
            "plan.err.already_accepted",
        ));
    }
    // A mentored need counts for what the agency's JP rules give a planned mentoring (`planned_jp`).
    let mentoring_jp: f64 =
        sqlx::query_scalar("select coalesce(planned_jp('mentoring'), 0)").fetch_one(&mut *tx).await?;
    let plan_id: i64 = sqlx::query_scalar(
        "insert into dev_plans (unit_id, year, budget, objective, bound, optimal, accepted_by, run_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (run_id) do nothing returning id",
    )
    .bind(unit_id)
    .bind(run.year)
    .bind(run.budget)
    .bind(v.optimal.objective)
    .bind(if v.optimal.bound.is_finite() { v.optimal.bound } else { v.optimal.objective })
    .bind(v.optimal.optimal)
    .bind(user.account_id)
    .bind(run_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::Conflict("plan.err.already_accepted"))?;
    // Items: one per need closed by a training or class (the line's whole rupiah shared, the
    // remainder on the first), and one per need routed to a mentor.
    let mut items: Vec<Item> = vec![];
    for l in &v.lines {
        let c = &v.choices[l.choice];
        let n = l.closes.len().max(1) as i64;
        for (j, (need, _, _)) in l.closes.iter().enumerate() {
            items.push(Item {
                need: need.clone(),
                route: "klasikal",
                jenis: c.jenis_diklat,
                training: (!c.is_programme()).then_some(c.id),
                programme_id: c.is_programme().then_some(c.id),
                mentor: None,
                programme: c.title.clone(),
                provider: c.provider.clone(),
                jp: c.jp,
                cost: l.cost / n + i64::from((j as i64) < l.cost % n),
                funding: if l.cost == 0 {
                    ctx.t("akpk.no_cost").to_string()
                } else {
                    format!("APBD {} — {unit_name}", run.year)
                },
            });
        }
    }
    for m in &v.mentors {
        items.push(Item {
            need: m.need.clone(),
            route: "nonklasikal",
            jenis: 15,
            training: None,
            programme_id: None,
            mentor: Some(m.mentor_id),
            programme: format!("Mentoring: {}", m.mentor),
            provider: m.mentor_unit.clone(),
            jp: mentoring_jp,
            cost: 0,
            funding: ctx.t("akpk.no_cost").to_string(),
        });
    }
    // One statement for every item (arrays), not one round trip each.
    sqlx::query(
        "insert into dev_plan_items (plan_id, employee_id, competency_id, required_level, current_level, priority, route,
                                     jenis_diklat, training_id, programme_id, mentor_id, programme, provider, jp, estimated_cost, funding)
         select $1, i.* from unnest($2::bigint[], $3::bigint[], $4::smallint[], $5::smallint[], $6::text[], $7::text[],
                                    $8::smallint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::text[],
                                    $14::numeric[], $15::bigint[], $16::text[]) as i",
    )
    .bind(plan_id)
    .bind(items.iter().map(|i| i.need.employee_id).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.need.competency_id).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.need.required_level).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.need.current_level).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.need.priority.clone()).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.route.to_string()).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.jenis).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.training).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.programme_id).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.mentor).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.programme.clone()).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.provider.clone()).collect::<Vec<_>>())
    .bind(items.iter().map(|i| format!("{:.1}", i.jp)).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.cost).collect::<Vec<_>>())
    .bind(items.iter().map(|i| i.funding.clone()).collect::<Vec<_>>())
    .execute(&mut *tx)
    .await?;
    let total: i64 = items.iter().map(|i| i.cost).sum();
    let after = json!({"unit_id": unit_id, "year": run.year, "budget": run.budget, "run": run_id,
                       "objective": v.optimal.objective, "optimal": v.optimal.optimal, "items": items.len(), "cost": total});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "dev_plan", plan_id, "accept", None, Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/gaps/akpk?unit={unit_id}&year={}", run.year), FlashKind::Ok, "flash.plan_accepted"))
}

/// One line of an accepted plan, as stored.
struct Item {
    need: NeedRow,
    route: &'static str,
    jenis: i16,
    training: Option<i64>,
    programme_id: Option<i64>,
    mentor: Option<i64>,
    programme: String,
    provider: String,
    jp: f64,
    cost: i64,
    funding: String,
}

#[cfg(test)]
mod tests {
    use super::gap_text;
    use crate::i18n::Lang;

    /// A plan not proven never reads "0,0 %" from the optimum: its gap is rounded up.
    #[test]
    fn a_gap_is_rounded_up() {
        assert_eq!(gap_text(0.00004, Lang::Id), "0,1");
        assert_eq!(gap_text(0.0, Lang::En), "0.1");
        assert_eq!(gap_text(0.0123, Lang::En), "1.3");
        assert_eq!(gap_text(0.012, Lang::En), "1.2");
        assert_eq!(gap_text(0.25, Lang::Id), "25,0");
    }
}
