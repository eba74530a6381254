//! Closing the gaps: the mentor assignment for a unit, the budget-constrained plan for a year
//! (computed as a job, `plan_run`) with its budget frontier and the simple greedy plan beside it,
//! accepting exactly the plan shown, and the AKPK (the yearly competency-development needs
//! analysis) exported from the accepted plan.

use std::{collections::HashSet, sync::OnceLock};

use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;

use super::{
    db::{self, GapSettings},
    plan_run::{self, BudgetFigures, MentorMatch, NeedRow, PlanResult, RunRow},
    routes::pick_unit,
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        chart::{self, Bar},
        context::Val,
        export::{self, Table},
        pdf::{self, Block},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    development::model::{Rupiah, jenis_name, jp_text, rupiah},
    units::db::UnitOption,
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .get("/gaps/mentors", Access::AnyOf(HR_HEAD), mentors)
        .get("/gaps/plan", Access::AnyOf(HR_HEAD), plan_page)
        .post("/gaps/plan", Access::AnyOf(HR_HEAD), accept)
        .post("/gaps/plan/compute", Access::AnyOf(HR_HEAD), compute)
        .get("/gaps/akpk", Access::AnyOf(HR_HEAD), akpk)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitQuery {
    unit: String,
    budget: String,
    year: String,
    format: String,
}

#[derive(askama::Template)]
#[template(path = "gaps/mentors.html")]
struct MentorsPage {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    units: Vec<UnitOption>,
    matches: Vec<MentorMatch>,
    uncovered: Vec<NeedRow>,
    optimal: f64,
    first_come: f64,
    total: f64,
    settings: GapSettings,
}

/// Every gap of the unit routed to colleagues: the exact assignment on the whole candidate graph
/// (the same routine the plan routes what its trainings leave with), off the async runtime.
async fn mentors(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &q.unit).await?;
    let mut conn = state.pool.acquire().await?;
    let settings = db::settings(&mut conn).await?;
    let needs = plan_run::needs(&mut conn, ctx.today, &path, ctx.lang.is_en(), false).await?;
    let (holders, caps) = plan_run::holders(&mut conn, &needs, &path, ctx.today, &settings).await?;
    let units = db::unit_options(&state, &mut conn, &user, unit_id).await?;
    drop(conn);
    let (needs, (matches, optimal, first_come)) = tokio::task::spawn_blocking(move || {
        let routed = plan_run::route_to_mentors(&needs, &holders, &caps);
        (needs, routed)
    })
    .await
    .map_err(|e| AppError::Other(anyhow::anyhow!("mentor routing: {e}")))?;
    let covered: HashSet<(i64, i64)> = matches.iter().map(|m| (m.need.employee_id, m.need.competency_id)).collect();
    let total: f64 = needs.iter().map(NeedRow::mentor_value).sum();
    let uncovered: Vec<NeedRow> =
        needs.into_iter().filter(|n| !covered.contains(&(n.employee_id, n.competency_id))).collect();
    render(&MentorsPage { ctx, unit_id, unit_name, units, matches, uncovered, optimal, first_come, total, settings })
}

/// What changed in the unit's gaps since a run read them: (new or changed, gone or changed).
#[derive(Clone, Debug, Default)]
pub struct Drift {
    pub added: Vec<NeedRow>,
    pub gone: Vec<NeedRow>,
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
    drift: Drift,
    frontier_chart: String,
}

impl PlanPage<'_> {
    fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    fn percent(&self, v: impl Val<f64>) -> String {
        let s = format!("{:.1}", v.val() * 100.0);
        if self.ctx.lang.is_en() { s } else { s.replace('.', ",") }
    }

    fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }

    /// Computing again is offered when nothing is waiting (or the last attempt failed).
    fn can_recompute(&self) -> bool {
        match &self.pending {
            None => true,
            Some(p) => p.status == "failed",
        }
    }

    fn scheduled(&self, v: &PlanResult) -> usize {
        v.choices.iter().filter(|c| !c.is_programme()).count()
    }

    /// A plan's quality in words: proven optimal, or at most this far from the best possible.
    fn quality(&self, p: &crate::gaps::plan::Plan) -> String {
        if p.optimal {
            self.ctx.t("plan.optimal").to_string()
        } else if p.bound.is_finite() {
            self.ctx.t("plan.within").replace("{pct}", &self.percent(p.gap()))
        } else {
            self.ctx.t("plan.unproven").to_string()
        }
    }
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
        .get(&state.pool, format!("plan.budget:{unit_id}:{year}"), move |conn| {
            Box::pin(async move { plan_run::budget(conn, year, &p).await })
        })
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

/// The unit's gaps now against those a run read: what is new or changed, what is gone.
async fn drift(state: &AppState, ctx: &Ctx, path: &str, v: &PlanResult) -> AppResult<Drift> {
    let mut conn = state.pool.acquire().await?;
    let now = plan_run::needs(&mut conn, ctx.today, path, ctx.lang.is_en(), true).await?;
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
    let added = now.into_iter().filter(|n| !then_keys.contains(&key(n))).collect();
    Ok(Drift { added, gone })
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
    let (done, mut pending) = plan_run::latest(&mut conn, unit_id, year, budget).await?;
    let version = crate::app::versioned::version(&mut conn).await?;
    drop(conn);
    // The first reader of these parameters queues the first run; after that only "compute
    // again" does (writes never start a solve by themselves).
    if done.is_none() && pending.is_none() && budget_error.is_none() {
        plan_run::enqueue(&state, unit_id, year, budget, Some(user.account_id)).await?;
        let mut conn = state.pool.acquire().await?;
        pending = plan_run::latest(&mut conn, unit_id, year, budget).await?.1;
    }
    let outdated = done.as_ref().is_some_and(|(r, _)| r.data_version != Some(version));
    let drift = match &done {
        Some((_, v)) if outdated => drift(&state, &ctx, &path, v).await?,
        _ => Drift::default(),
    };
    let frontier_chart = match &done {
        Some((_, v)) => {
            let max = v.frontier.iter().map(|(_, p)| p.objective).fold(0.0, f64::max).max(1.0);
            chart::bars(
                "frontier",
                ctx.t("plan.frontier"),
                &v.frontier
                    .iter()
                    .map(|(b, p)| Bar { label: rupiah(*b), value: p.objective, text: ctx.decimal(p.objective) })
                    .collect::<Vec<_>>(),
                max,
            )
        }
        None => String::new(),
    };
    let units = db::unit_options(&state, &state.pool, &user, unit_id).await?;
    let budget_text = if budget_error.is_some() { q.budget.clone() } else { rupiah(budget) };
    let status = if budget_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let (run, v) = match &done {
        Some((r, v)) => (Some(r), Some(&v.0)),
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
            frontier_chart,
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
    let Some((run, result)) = plan_run::by_id(&mut conn, run_id).await? else { return Err(AppError::NotFound) };
    drop(conn);
    // The run's unit must be in the reader's scope.
    let (unit_id, unit_name, _) = pick_unit(&state, &user, &run.unit_id.to_string()).await?;
    let v = &result.0;
    let back = format!("/gaps/plan?unit={unit_id}&year={}&budget={}", run.year, run.budget);
    let mut tx = state.pool.begin().await?;
    let version = crate::app::versioned::version(&mut tx).await?;
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
    let mentoring_jp: f64 = sqlx::query_scalar(
        "select coalesce(fixed_jp, coalesce(max_jp_per_session, 2) * 2)::float8 from jp_rules where kind = 'mentoring'",
    )
    .fetch_optional(&mut *tx)
    .await?
    .unwrap_or(4.0);
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

/// One AKPK row.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct AkpkRow {
    pub nip: String,
    pub name: String,
    pub position: String,
    pub unit: String,
    pub kind: String,
    pub code: String,
    pub competency: String,
    pub required_level: i16,
    pub current_level: i16,
    pub priority: String,
    pub route: String,
    pub jenis_diklat: i16,
    pub programme: String,
    pub provider: String,
    pub jp: f64,
    pub estimated_cost: i64,
    pub funding: String,
    pub status: Option<String>,
}

impl AkpkRow {
    pub fn gap(&self) -> i16 {
        (self.required_level - self.current_level).max(0)
    }
}

#[derive(askama::Template)]
#[template(path = "gaps/akpk.html")]
struct AkpkPage<'a> {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    year: i32,
    plan: Option<AcceptedPlan>,
    rows: &'a [AkpkRow],
}

/// The plan accepted last: id, when, budget, whether it was the optimal one.
type AcceptedPlan = (i64, chrono::DateTime<chrono::Utc>, i64, bool);

/// A unit's AKPK for a year at one version of the records (in the key's language): the plan
/// accepted last, its lines, and each file once made (an XLSX took longer to make than any
/// page to draw).
struct AkpkData {
    plan: Option<AcceptedPlan>,
    rows: Vec<AkpkRow>,
    csv: OnceLock<export::File>,
    xlsx: OnceLock<export::File>,
}

impl AkpkPage<'_> {
    fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }

    fn jenis(&self, j: impl Val<i16>) -> String {
        format!("{} {}", j.val(), jenis_name(j.val()))
    }

    fn status_label(&self, r: &AkpkRow) -> &'static str {
        match &r.status {
            Some(s) => self.ctx.tv("pstatus", s),
            None => self.ctx.t("akpk.proposed"),
        }
    }
}

/// The AKPK of a unit for a year: the plan accepted last and its lines, in the language asked.
async fn akpk_data(conn: &mut PgConnection, unit_id: i64, year: i32, en: bool) -> Result<AkpkData, sqlx::Error> {
    let plan: Option<AcceptedPlan> = sqlx::query_as(
        "select id, accepted_at, budget, optimal from dev_plans where unit_id = $1 and year = $2 order by accepted_at desc, id desc limit 1",
    )
    .bind(unit_id)
    .bind(year)
    .fetch_optional(&mut *conn)
    .await?;
    let rows: Vec<AkpkRow> = match plan {
        Some((id, ..)) => {
            sqlx::query_as(
                "select e.nip, employee_display_name(e.front_title, e.name, e.back_title) as name, coalesce(p.name, '') as position,
                        u.name as unit, c.kind, c.code, case when $2 then c.name_en else c.name_id end as competency,
                        i.required_level, i.current_level, i.priority, i.route, i.jenis_diklat, i.programme, i.provider,
                        i.jp::float8 as jp, i.estimated_cost, i.funding, tp.status
                 from dev_plan_items i join employees e on e.id = i.employee_id join units u on u.id = e.unit_id
                 left join positions p on p.id = e.position_id join competencies c on c.id = i.competency_id
                 left join training_participants tp on tp.training_id = i.training_id and tp.employee_id = i.employee_id
                 where i.plan_id = $1 order by e.name, c.code, i.id",
            )
            .bind(id)
            .bind(en)
            .fetch_all(&mut *conn)
            .await?
        }
        None => vec![],
    };
    Ok(AkpkData { plan, rows, csv: OnceLock::new(), xlsx: OnceLock::new() })
}

async fn akpk(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, _) = pick_unit(&state, &user, &q.unit).await?;
    let year = q.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or(ctx.today.year());
    let (en, today) = (ctx.lang.is_en(), ctx.today);
    let key = format!("gaps.akpk:{unit_id}:{year}:{en}:{today}");
    let data = state.versions.get(&state.pool, key, move |conn| Box::pin(akpk_data(conn, unit_id, year, en))).await?;
    let (plan, rows) = (data.plan, &data.rows);
    if q.format == "pdf" {
        let page = AkpkPage { ctx: ctx.clone(), unit_id, unit_name: unit_name.clone(), year, plan, rows: &[] };
        let t = |k: &str| ctx.t(k).to_string();
        let table = Block::Table {
            headers: vec![
                t("col.nip"),
                t("col.name"),
                t("col.competency"),
                t("std.required"),
                t("std.current"),
                t("col.gap"),
                t("col.route"),
                t("col.programme"),
                "JP".into(),
                t("col.estimated_cost"),
                t("col.funding"),
                t("col.status"),
            ],
            widths: vec![1.7, 2.0, 2.4, 0.7, 0.7, 0.7, 1.6, 2.4, 0.5, 1.2, 1.6, 1.0],
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.nip.clone(),
                        format!("{} ({})", r.name, r.position),
                        format!("{} {} · {}", r.code, r.competency, ctx.tv("prio", &r.priority)),
                        r.required_level.to_string(),
                        r.current_level.to_string(),
                        r.gap().to_string(),
                        format!("{} · {}", r.route, page.jenis(r.jenis_diklat)),
                        format!("{} {}", r.programme, r.provider),
                        jp_text(r.jp, ctx.lang.is_en()),
                        rupiah(r.estimated_cost),
                        r.funding.clone(),
                        page.status_label(r).to_string(),
                    ]
                })
                .collect(),
        };
        let intro = match plan {
            Some((_, at, budget, _)) => {
                ctx.t("akpk.from_plan").replace("{when}", &ctx.date_time(at)).replace("{budget}", &rupiah(budget))
            }
            None => ctx.t("akpk.none").to_string(),
        };
        let meta = pdf::meta(&ctx, format!("AKPK {year}: {unit_name}"), true);
        return Ok(pdf::response(&format!("akpk-{year}"), pdf::render(&meta, &[Block::Para(intro), table])));
    }
    if export::wanted(&q.format) {
        let cell = if q.format == "xlsx" { &data.xlsx } else { &data.csv };
        let file = crate::app::versioned::once(cell, || {
            let page = AkpkPage { ctx: ctx.clone(), unit_id, unit_name: unit_name.clone(), year, plan, rows: &[] };
            let table = Table {
                name: "akpk",
                headers: export::keys(&[
                    "col.nip",
                    "col.name",
                    "col.position",
                    "col.unit",
                    "col.competency_type",
                    "col.competency",
                    "col.level_required",
                    "col.level_current",
                    "col.gap",
                    "col.priority",
                    "col.route",
                    "col.siasn_type",
                    "col.programme",
                    "col.provider",
                    "col.year",
                    "col.jp",
                    "col.estimated_cost",
                    "col.funding",
                    "col.status",
                ]),
                rows: rows
                    .iter()
                    .map(|r| {
                        vec![
                            r.nip.clone(),
                            r.name.clone(),
                            r.position.clone(),
                            r.unit.clone(),
                            ctx.tv("comp.kind", &r.kind).to_string(),
                            format!("{} {}", r.code, r.competency),
                            r.required_level.to_string(),
                            r.current_level.to_string(),
                            r.gap().to_string(),
                            ctx.tv("prio", &r.priority).to_string(),
                            r.route.clone(),
                            page.jenis(r.jenis_diklat),
                            r.programme.clone(),
                            r.provider.clone(),
                            year.to_string(),
                            jp_text(r.jp, ctx.lang.is_en()),
                            rupiah(r.estimated_cost),
                            r.funding.clone(),
                            page.status_label(r).to_string(),
                        ]
                    })
                    .collect(),
            };
            export::file(&ctx, &q.format, &table)
        })?;
        return Ok(axum::response::IntoResponse::into_response(file.clone()));
    }
    render(&AkpkPage { ctx, unit_id, unit_name, year, plan, rows })
}
