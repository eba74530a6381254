//! Closing the gaps: the mentor assignment for a unit, the budget-constrained training plan with
//! its budget frontier and the simple greedy plan beside it, and accepting a plan (the AKPK in
//! `akpk.rs` comes from the plan accepted last).

use std::{collections::HashMap, time::Duration};

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
    assign::{self, Edge},
    db::{self, GapSettings, TrainingOption},
    plan::{self, Input, Offer, Plan, Training},
    routes::pick_unit,
};
use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        chart::{self, Bar},
        context::Val,
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    development::{
        db as dev_db,
        model::{Rupiah, jp_text, rupiah},
    },
    units::db::UnitOption,
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];
/// How long one plan may take before the best found so far is shown with its bound.
const PLAN_LIMIT: Duration = Duration::from_secs(5);
/// Each point of the budget frontier.
const FRONTIER_LIMIT: Duration = Duration::from_secs(1);
/// Mentors considered per gap (see `route_to_mentors`).
const MENTOR_CANDIDATES: usize = 12;

pub fn routes() -> Routes {
    Routes::new()
        .get("/gaps/mentors", Access::AnyOf(HR_HEAD), mentors)
        .get("/gaps/plan", Access::AnyOf(HR_HEAD), plan_page)
        .post("/gaps/plan", Access::AnyOf(HR_HEAD), accept)
}

/// One gap of one person in the unit.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct NeedRow {
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub unit_id: i64,
    pub competency_id: i64,
    pub code: String,
    pub competency: String,
    pub kind: String,
    pub required_level: i16,
    pub current_level: i16,
    pub gap: i16,
    pub priority: String,
    pub weight: f64,
}

impl NeedRow {
    pub fn value(&self) -> f64 {
        f64::from(self.gap) * self.weight
    }
}

/// Every gap of active staff under `path` (`only_flagged`: of the staff the analysis flags).
async fn needs(
    conn: &mut PgConnection,
    today: chrono::NaiveDate,
    path: &str,
    en: bool,
    only_flagged: bool,
) -> sqlx::Result<Vec<NeedRow>> {
    sqlx::query_as(
        "select g.employee_id, e.nip, employee_display_name(e.front_title, e.name, e.back_title) as name, e.unit_id,
                g.competency_id, c.code, case when $3 then c.name_en else c.name_id end as competency, c.kind,
                g.required_level, g.current_level, g.gap, g.priority, g.weight
         from requirement_gaps g join employees e on e.id = g.employee_id join units u on u.id = e.unit_id
         join competencies c on c.id = g.competency_id
         where u.path like $2 || '%' and g.gap > 0
           and (not $4 or g.employee_id in (
             select s.employee_id from gap_summary($1, $2) s where s.flagged))
         order by g.gap * g.weight desc, e.name, c.code",
    )
    .bind(today)
    .bind(path)
    .bind(en)
    .bind(only_flagged)
    .fetch_all(conn)
    .await
}

/// A colleague who holds a competency: (employee, competency, level, unit, name, nip, unit name).
#[derive(sqlx::FromRow, Clone, Debug)]
struct Holder {
    employee_id: i64,
    competency_id: i64,
    level: i16,
    unit_id: i64,
    name: String,
    nip: String,
    unit: String,
}

/// Mentor candidates for these needs, and each mentor's capacity left in the period.
async fn holders(
    conn: &mut PgConnection,
    needs: &[NeedRow],
    unit_path: &str,
    today: chrono::NaiveDate,
    s: &GapSettings,
) -> sqlx::Result<(Vec<Holder>, HashMap<i64, u32>)> {
    let comps: Vec<i64> = needs.iter().map(|n| n.competency_id).collect();
    let levels: Vec<i16> = needs.iter().map(|n| n.required_level).collect();
    let holders: Vec<Holder> = sqlx::query_as(
        "with need as (select competency_id, min(level) as level from unnest($1::bigint[], $2::smallint[]) as n(competency_id, level)
                       group by competency_id)
         select cl.employee_id, cl.competency_id, cl.level, e.unit_id,
                employee_display_name(e.front_title, e.name, e.back_title) as name, e.nip, u.name as unit
         from need n join current_levels cl on cl.competency_id = n.competency_id and cl.level >= n.level
         join employees e on e.id = cl.employee_id and e.active join units u on u.id = e.unit_id
         -- Mentors come from the unit's agency: its nearest dinas (itself included), else the unit.
         where u.path like coalesce((select a.path from units a where a.kind = 'dinas' and $3 like a.path || '%'
                                     order by length(a.path) desc limit 1), $3) || '%'
         order by cl.employee_id, cl.competency_id",
    )
    .bind(&comps)
    .bind(&levels)
    .bind(unit_path)
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<i64> = holders.iter().map(|h| h.employee_id).collect();
    let load: Vec<(i64, i64)> = sqlx::query_as(
        "select a.mentor_id, count(distinct l.employee_id) from activities a join activity_learners l on l.activity_id = a.id
         where a.mentor_id = any($1) and a.status <> 'rejected' and a.held_on > $2::date - $3::int group by a.mentor_id",
    )
    .bind(&ids)
    .bind(today)
    .bind(i32::from(s.mentor_period_days))
    .fetch_all(&mut *conn)
    .await?;
    let load: HashMap<i64, i64> = load.into_iter().collect();
    let caps = ids
        .iter()
        .map(|id| (*id, (i64::from(s.mentor_cap) - load.get(id).copied().unwrap_or(0)).max(0) as u32))
        .collect();
    Ok((holders, caps))
}

/// A need routed to a mentor.
#[derive(Clone, Debug)]
pub struct MentorMatch {
    pub need: NeedRow,
    pub mentor_id: i64,
    pub mentor: String,
    pub mentor_nip: String,
    pub mentor_unit: String,
    pub mentor_level: i16,
    pub same_unit: bool,
}

/// The optimal assignment of these needs to mentors (and the value first-come-first-served
/// would reach on the same data, for comparison).
fn route_to_mentors(needs: &[NeedRow], holders: &[Holder], caps: &HashMap<i64, u32>) -> (Vec<MentorMatch>, f64, f64) {
    let mut mentor_ids: Vec<i64> = holders.iter().map(|h| h.employee_id).collect();
    mentor_ids.sort_unstable();
    mentor_ids.dedup();
    let index: HashMap<i64, usize> = mentor_ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let capacities: Vec<u32> = mentor_ids.iter().map(|id| caps.get(id).copied().unwrap_or(0)).collect();
    // Holders by competency; each need considers its best MENTOR_CANDIDATES (the same unit
    // first, then the most capacity left), which keeps a regency-sized pool tractable.
    let mut by_comp: HashMap<i64, Vec<&Holder>> = HashMap::new();
    let mut by_comp_unit: HashMap<(i64, i64), Vec<&Holder>> = HashMap::new();
    for h in holders {
        by_comp.entry(h.competency_id).or_default().push(h);
        by_comp_unit.entry((h.competency_id, h.unit_id)).or_default().push(h);
    }
    let spare = |h: &&Holder| (std::cmp::Reverse(capacities[index[&h.employee_id]]), h.employee_id);
    for list in by_comp.values_mut().chain(by_comp_unit.values_mut()) {
        list.sort_by_key(spare);
    }
    let mut edges = vec![];
    let mut per_need: Vec<Vec<usize>> = vec![vec![]; needs.len()];
    for (n, need) in needs.iter().enumerate() {
        let fits = |h: &&&Holder| h.level >= need.required_level && h.employee_id != need.employee_id;
        let same_unit = by_comp_unit.get(&(need.competency_id, need.unit_id)).into_iter().flatten().filter(fits);
        let elsewhere =
            by_comp.get(&need.competency_id).into_iter().flatten().filter(fits).filter(|h| h.unit_id != need.unit_id);
        let candidates: Vec<&&Holder> = same_unit.chain(elsewhere).take(MENTOR_CANDIDATES).collect();
        for h in candidates.into_iter().take(MENTOR_CANDIDATES) {
            // The same unit first: a small preference that never outweighs a larger gap.
            let bonus = if h.unit_id == need.unit_id { 0.01 } else { 0.0 };
            per_need[n].push(edges.len());
            edges.push(Edge { need: n, mentor: index[&h.employee_id], value: need.value() + bonus });
        }
    }
    let chosen = assign::assign(needs.len(), &capacities, &edges);
    let optimal: f64 = chosen.iter().enumerate().filter(|(_, m)| m.is_some()).map(|(n, _)| needs[n].value()).sum();
    // First come, first served: each need in turn takes the best mentor still free.
    let mut left = capacities.clone();
    let mut first_come = 0.0;
    for (n, need) in needs.iter().enumerate() {
        let best = per_need[n]
            .iter()
            .map(|&i| &edges[i])
            .filter(|e| left[e.mentor] > 0)
            .max_by(|a, b| a.value.total_cmp(&b.value));
        if let Some(e) = best {
            left[e.mentor] -= 1;
            first_come += need.value();
        }
    }
    let matches = chosen
        .iter()
        .enumerate()
        .filter_map(|(n, m)| {
            let m = (*m)?;
            let id = mentor_ids[m];
            let h = by_comp.get(&needs[n].competency_id)?.iter().find(|h| h.employee_id == id)?;
            Some(MentorMatch {
                need: needs[n].clone(),
                mentor_id: id,
                mentor: h.name.clone(),
                mentor_nip: h.nip.clone(),
                mentor_unit: h.unit.clone(),
                mentor_level: h.level,
                same_unit: h.unit_id == needs[n].unit_id,
            })
        })
        .collect();
    (matches, optimal, first_come)
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

async fn mentors(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &q.unit).await?;
    let mut conn = state.pool.acquire().await?;
    let settings = db::settings(&mut conn).await?;
    let needs = needs(&mut conn, ctx.today, &path, ctx.lang.is_en(), false).await?;
    let (holders, caps) = holders(&mut conn, &needs, &path, ctx.today, &settings).await?;
    let (matches, optimal, first_come) = route_to_mentors(&needs, &holders, &caps);
    let covered: Vec<(i64, i64)> = matches.iter().map(|m| (m.need.employee_id, m.need.competency_id)).collect();
    let total: f64 = needs.iter().map(NeedRow::value).sum();
    let uncovered: Vec<NeedRow> =
        needs.into_iter().filter(|n| !covered.contains(&(n.employee_id, n.competency_id))).collect();
    let units = db::unit_options(&state, &mut conn, &user, unit_id).await?;
    render(&MentorsPage { ctx, unit_id, unit_name, units, matches, uncovered, optimal, first_come, total, settings })
}

/// A training chosen for a person, with what it closes.
#[derive(Clone, Debug)]
pub struct PlanLine {
    pub employee_id: i64,
    pub name: String,
    pub nip: String,
    pub training: TrainingOption,
    /// (need, levels closed, measured effect used)
    pub closes: Vec<(NeedRow, f64, bool)>,
    pub cost: i64,
}

/// Everything the plan page shows, computed the same way for the page and for accepting it.
pub struct PlanView {
    pub budget: i64,
    pub remaining: i64,
    pub year: i32,
    pub optimal: Plan,
    pub greedy: Plan,
    pub lines: Vec<PlanLine>,
    pub mentors: Vec<MentorMatch>,
    pub uncovered: Vec<NeedRow>,
    pub total_gap: f64,
    pub frontier: Vec<(i64, Plan)>,
    pub people: usize,
    pub trainings: usize,
}

/// Build the model from the unit's flagged staff and the planned and open trainings, and solve it.
async fn build(
    conn: &mut PgConnection,
    ctx: &Ctx,
    path: &str,
    budget: i64,
    remaining: i64,
    year: i32,
    with_frontier: bool,
) -> AppResult<PlanView> {
    let settings = db::settings(conn).await?;
    let needs = needs(conn, ctx.today, path, ctx.lang.is_en(), true).await?;
    let comps: Vec<i64> = {
        let mut c: Vec<i64> = needs.iter().map(|n| n.competency_id).collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    let options: Vec<TrainingOption> =
        db::training_options(conn, &comps).await?.into_iter().filter(|t| t.seats_left > 0).collect();
    let mut training_ids: Vec<i64> = options.iter().map(|t| t.training_id).collect();
    training_ids.sort_unstable();
    training_ids.dedup();
    let mut people: Vec<i64> = needs.iter().map(|n| n.employee_id).collect();
    people.sort_unstable();
    people.dedup();
    let person = |id: i64| people.binary_search(&id).unwrap_or(0);
    let trainings: Vec<Training> = training_ids
        .iter()
        .filter_map(|id| options.iter().find(|o| o.training_id == *id))
        .map(|o| Training {
            cost_per_participant: o.cost_per_participant,
            fixed_cost: o.fixed_due,
            seats: o.seats_left.max(0) as u32,
        })
        .collect();
    let min_n = i64::from(settings.effect_min_participants);
    // What a training closes of a need: its measured gain where enough participants back it,
    // else up to its declared target level.
    let closes = |n: &NeedRow, o: &TrainingOption| -> (f64, bool) {
        match o.measured_gain {
            Some(g) if o.measured_n >= min_n => (g.max(0.0).min(f64::from(n.gap)), true),
            _ => ((f64::from(o.target_level.min(n.required_level)) - f64::from(n.current_level)).max(0.0), false),
        }
    };
    let mut offers = vec![];
    for (i, n) in needs.iter().enumerate() {
        for o in options.iter().filter(|o| o.competency_id == n.competency_id) {
            let (levels, _) = closes(n, o);
            if levels > 0.0 {
                let t = training_ids.binary_search(&o.training_id).unwrap_or(0);
                offers.push(Offer { need: i, training: t, value: levels * n.weight });
            }
        }
    }
    let input = Input {
        people: people.len(),
        trainings,
        needs: needs.iter().map(|n| plan::Need { person: person(n.employee_id) }).collect(),
        offers,
        per_person: settings.trainings_per_person.max(1) as u32,
        budget,
    };
    let budgets: Vec<i64> = if with_frontier {
        let top = budget.max(10_000_000);
        [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0].iter().map(|f| (top as f64 * f) as i64).collect()
    } else {
        vec![]
    };
    let solved = tokio::task::spawn_blocking(move || {
        let optimal = plan::optimal(&input, PLAN_LIMIT);
        let greedy = plan::greedy(&input);
        let frontier: Vec<(i64, Plan)> = budgets
            .into_iter()
            .map(|b| {
                let mut i = input.clone();
                i.budget = b;
                (b, plan::optimal(&i, FRONTIER_LIMIT))
            })
            .collect();
        (optimal, greedy, frontier)
    })
    .await
    .map_err(|e| anyhow::anyhow!("plan solver: {e}"))?;
    let (optimal, greedy, frontier) = solved;
    // Lines: per chosen (person, training), the needs it is credited with (the best of the
    // person's chosen trainings for each need).
    let mut lines: Vec<PlanLine> = vec![];
    let mut covered: Vec<usize> = vec![];
    for (p, t) in &optimal.chosen {
        let tid = training_ids[*t];
        let mut closes_here = vec![];
        for (i, n) in needs.iter().enumerate().filter(|(_, n)| person(n.employee_id) == *p) {
            let best = optimal
                .chosen
                .iter()
                .filter(|(pp, _)| pp == p)
                .filter_map(|(_, tt)| {
                    let o = options
                        .iter()
                        .find(|o| o.training_id == training_ids[*tt] && o.competency_id == n.competency_id)?;
                    let (levels, measured) = closes(n, o);
                    Some((*tt, levels, measured))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1));
            if let Some((tt, levels, measured)) = best
                && tt == *t
                && levels > 0.0
            {
                closes_here.push((n.clone(), levels, measured));
                if levels + 1e-9 >= f64::from(n.gap) {
                    covered.push(i);
                }
            }
        }
        let Some(o) = options.iter().find(|o| o.training_id == tid) else { continue };
        let first = needs.iter().find(|n| person(n.employee_id) == *p);
        lines.push(PlanLine {
            employee_id: first.map(|n| n.employee_id).unwrap_or_default(),
            name: first.map(|n| n.name.clone()).unwrap_or_default(),
            nip: first.map(|n| n.nip.clone()).unwrap_or_default(),
            training: o.clone(),
            closes: closes_here,
            cost: o.cost_per_participant,
        });
    }
    // What no chosen training closes goes to mentors.
    let covered: std::collections::HashSet<usize> = covered.into_iter().collect();
    let rest: Vec<NeedRow> =
        needs.iter().enumerate().filter(|(i, _)| !covered.contains(i)).map(|(_, n)| n.clone()).collect();
    let (holders, caps) = holders(conn, &rest, path, ctx.today, &settings).await?;
    let (mentors, _, _) = route_to_mentors(&rest, &holders, &caps);
    let routed: std::collections::HashSet<(i64, i64)> =
        mentors.iter().map(|m| (m.need.employee_id, m.need.competency_id)).collect();
    let uncovered = rest.into_iter().filter(|n| !routed.contains(&(n.employee_id, n.competency_id))).collect();
    Ok(PlanView {
        budget,
        remaining,
        year,
        total_gap: needs.iter().map(NeedRow::value).sum(),
        people: people.len(),
        trainings: training_ids.len(),
        optimal,
        greedy,
        lines,
        mentors,
        uncovered,
        frontier,
    })
}

#[derive(askama::Template)]
#[template(path = "gaps/plan.html")]
struct PlanPage<'a> {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    units: Vec<UnitOption>,
    budget_text: String,
    budget_error: Option<&'static str>,
    v: &'a PlanView,
    frontier_chart: &'a str,
}

impl PlanPage<'_> {
    fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    fn percent(&self, v: impl Val<f64>) -> String {
        let s = format!("{:.2}", v.val() * 100.0);
        if self.ctx.lang.is_en() { s } else { s.replace('.', ",") }
    }

    fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }
}

/// The unit's budget for the year (or the figure typed), the page's parameters (the budget's
/// figures are kept per version of the records).
async fn parameters(
    state: &AppState,
    ctx: &Ctx,
    unit_id: i64,
    q: &UnitQuery,
) -> AppResult<(i32, i64, i64, Option<&'static str>)> {
    let year = q.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or(ctx.today.year());
    let figures = state
        .versions
        .get(&state.pool, format!("budget:{unit_id}:{year}"), move |conn| {
            Box::pin(async move { dev_db::budget(conn, year, unit_id).await })
        })
        .await?;
    let remaining = figures.remaining().max(0);
    if q.budget.trim().is_empty() {
        return Ok((year, remaining, remaining, None));
    }
    match Rupiah::parse(&q.budget) {
        Ok(b) => Ok((year, b.get(), remaining, None)),
        Err(k) => Ok((year, remaining, remaining, Some(k))),
    }
}

async fn plan_page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &q.unit).await?;
    let (year, budget, remaining, budget_error) = parameters(&state, &ctx, unit_id, &q).await?;
    // Solved (and its frontier drawn) once per version of the records and budget; reused by
    // every reader until then.
    let key = format!("gaps.plan:{unit_id}:{budget}:{remaining}:{year}:{}:{}", ctx.lang.is_en(), ctx.today);
    let (c, p) = (ctx.clone(), path.clone());
    let kept = state
        .versions
        .get(&state.pool, key, move |conn| {
            Box::pin(async move {
                let v = build(conn, &c, &p, budget, remaining, year, true).await?;
                let max = v.frontier.iter().map(|(_, p)| p.objective).fold(0.0, f64::max).max(1.0);
                let chart = chart::bars(
                    "frontier",
                    c.t("plan.frontier"),
                    &v.frontier
                        .iter()
                        .map(|(b, p)| Bar {
                            label: rupiah(*b),
                            value: p.objective,
                            text: format!("{:.1}", p.objective),
                        })
                        .collect::<Vec<_>>(),
                    max,
                );
                Ok::<_, crate::app::AppError>((v, chart))
            })
        })
        .await?;
    let (v, frontier_chart) = (&kept.0, kept.1.as_str());
    let units = db::unit_options(&state, &state.pool, &user, unit_id).await?;
    let budget_text = if budget_error.is_some() { q.budget.clone() } else { rupiah(budget) };
    let status = if budget_error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    render_status(status, &PlanPage { ctx, unit_id, unit_name, units, budget_text, budget_error, v, frontier_chart })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AcceptForm {
    unit: String,
    budget: String,
    year: String,
}

/// Accept the plan for the unit and year: the same computation, stored with its items in one
/// transaction (the AKPK comes from the latest accepted plan).
async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<AcceptForm>,
) -> AppResult<Response> {
    let (unit_id, _, path) = pick_unit(&state, &user, &f.unit).await?;
    let q = UnitQuery { unit: f.unit.clone(), budget: f.budget.clone(), year: f.year.clone(), format: String::new() };
    let (year, budget, remaining, problem) = parameters(&state, &ctx, unit_id, &q).await?;
    let mut conn = state.pool.acquire().await?;
    if problem.is_some() {
        return Ok(redirect_flash(&format!("/gaps/plan?unit={unit_id}"), FlashKind::Err, "dev.err.money"));
    }
    let v = build(&mut conn, &ctx, &path, budget, remaining, year, false).await?;
    drop(conn);
    let mentoring_jp: f64 = sqlx::query_scalar(
        "select coalesce(fixed_jp, coalesce(max_jp_per_session, 2) * 2)::float8 from jp_rules where kind = 'mentoring'",
    )
    .fetch_optional(&state.pool)
    .await?
    .unwrap_or(4.0);
    let unit_name: String =
        sqlx::query_scalar("select name from units where id = $1").bind(unit_id).fetch_one(&state.pool).await?;
    let mut tx = state.pool.begin().await?;
    let plan_id: i64 = sqlx::query_scalar(
        "insert into dev_plans (unit_id, year, budget, objective, bound, optimal, accepted_by) values ($1, $2, $3, $4, $5, $6, $7) returning id",
    )
    .bind(unit_id)
    .bind(year)
    .bind(budget)
    .bind(v.optimal.objective)
    .bind(v.optimal.bound)
    .bind(v.optimal.optimal)
    .bind(user.account_id)
    .fetch_one(&mut *tx)
    .await?;
    // Items: one per need closed by a training, and one per need routed to a mentor.
    let mut items: Vec<Item> = vec![];
    for l in &v.lines {
        let share = l.cost / l.closes.len().max(1) as i64;
        for (n, _, _) in &l.closes {
            items.push(Item {
                need: n.clone(),
                route: "klasikal",
                jenis: l.training.jenis_diklat,
                training: Some(l.training.training_id),
                mentor: None,
                programme: l.training.title.clone(),
                provider: l.training.provider.clone(),
                jp: l.training.jp,
                cost: share,
                funding: format!("APBD {year} — {unit_name}"),
            });
        }
    }
    for m in &v.mentors {
        items.push(Item {
            need: m.need.clone(),
            route: "nonklasikal",
            jenis: 15,
            training: None,
            mentor: Some(m.mentor_id),
            programme: format!("Mentoring: {}", m.mentor),
            provider: m.mentor_unit.clone(),
            jp: mentoring_jp,
            cost: 0,
            funding: ctx.t("akpk.no_cost").to_string(),
        });
    }
    for it in &items {
        sqlx::query(
            "insert into dev_plan_items (plan_id, employee_id, competency_id, required_level, current_level, priority, route,
                                         jenis_diklat, training_id, mentor_id, programme, provider, jp, estimated_cost, funding)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, round($13::numeric, 1), $14, $15)",
        )
        .bind(plan_id)
        .bind(it.need.employee_id)
        .bind(it.need.competency_id)
        .bind(it.need.required_level)
        .bind(it.need.current_level)
        .bind(&it.need.priority)
        .bind(it.route)
        .bind(it.jenis)
        .bind(it.training)
        .bind(it.mentor)
        .bind(&it.programme)
        .bind(&it.provider)
        .bind(it.jp)
        .bind(it.cost)
        .bind(&it.funding)
        .execute(&mut *tx)
        .await?;
    }
    let after = json!({"unit_id": unit_id, "year": year, "budget": budget, "objective": v.optimal.objective,
                       "optimal": v.optimal.optimal, "items": items.len()});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "dev_plan", plan_id, "accept", None, Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/gaps/akpk?unit={unit_id}&year={year}"), FlashKind::Ok, "flash.plan_accepted"))
}

/// One line of an accepted plan, as stored.
struct Item {
    need: NeedRow,
    route: &'static str,
    jenis: i16,
    training: Option<i64>,
    mentor: Option<i64>,
    programme: String,
    provider: String,
    jp: f64,
    cost: i64,
    funding: String,
}
