//! The plan page: the last run for a year and budget, and whether the records have moved since.

use super::*;

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
pub(super) struct PlanPage<'a> {
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
    /// The run's parts of the page (`PlanBody`, head and tail), drawn once per run and language.
    body: &'a (String, String),
    /// The page of the run's lines asked for (`PlanLines`), drawn once per run, language and page.
    lines: &'a str,
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

/// What the plan page shows of a run: its figures and classes (`head`), then its mentors and
/// frontier. It depends only on the run and the language, so it is drawn once
/// (`PlanResult::drawn`) and a view after a write, which never changes a run, draws only the page
/// around it.
#[derive(askama::Template)]
#[template(path = "gaps/plan_body.html")]
struct PlanBody<'a> {
    ctx: &'a Ctx,
    unit_id: i64,
    run_id: i64,
    v: &'a PlanResult,
    frontier_chart: &'a str,
    head: bool,
}

/// One page of a run's lines (a plan for a dinas has hundreds: drawn all at once they made a
/// 260 KB page).
#[derive(askama::Template)]
#[template(path = "gaps/plan_lines.html")]
struct PlanLines<'a> {
    ctx: &'a Ctx,
    v: &'a PlanResult,
    lines: &'a [plan_run::PlanLine],
    pager: crate::app::paging::Pager,
}

impl PlanLines<'_> {
    fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }
}

/// The page of a run's lines asked for (the last when past it), drawn once per language.
fn lines_page<'v>(ctx: &Ctx, r: &RunRow, v: &'v PlanResult, page: Option<i64>) -> AppResult<&'v str> {
    use crate::app::paging::{PER_PAGE, Pager, query_string};
    let total = v.lines.len() as i64;
    let pages = ((total + PER_PAGE - 1) / PER_PAGE).max(1);
    let page = page.unwrap_or(1).clamp(1, pages);
    let cells = v.lines_drawn.get_or_init(|| (0..pages).map(|_| Default::default()).collect());
    let Some(cell) = cells.get((page - 1) as usize) else { return Ok("") };
    let drawn = versioned::once(&cell[usize::from(ctx.lang.is_en())], || {
        let from = ((page - 1) * PER_PAGE) as usize;
        let lines = &v.lines[from.min(v.lines.len())..(from + PER_PAGE as usize).min(v.lines.len())];
        let (unit, year, budget) = (r.unit_id.to_string(), r.year.to_string(), r.budget.to_string());
        let query = query_string(&[("unit", &unit), ("year", &year), ("budget", &budget)]);
        fragment(&PlanLines { ctx, v, lines, pager: Pager::new(Some(page), total, query) })
    })?;
    Ok(drawn.as_str())
}

impl PlanBody<'_> {
    fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
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
pub(super) fn gap_text(gap: f64, lang: crate::i18n::Lang) -> String {
    let tenths = (gap * 1000.0 - 1e-9).ceil().max(1.0);
    crate::app::num::fixed(tenths / 10.0, 1, lang)
}

/// The year a plan is for: the one asked, else next year (an AKPK is written the year before).
pub(super) fn plan_year(ctx: &Ctx, q: &str) -> i32 {
    q.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or(ctx.today.year() + 1)
}

/// The unit's budget figures for the year (its subtree's budgets), the budget asked (or what
/// remains), and the problem with the figure typed, if any.
pub(super) async fn parameters(
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
pub(super) async fn drift(
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
pub(super) fn compare(now: &[NeedRow], v: &PlanResult) -> Drift {
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

pub(super) async fn plan_page(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &q.unit).await?;
    let year = plan_year(&ctx, &q.year);
    let (figures, budget, budget_error) = parameters(&state, unit_id, &path, year, &q.budget).await?;
    // The runs as read within the last second (a finished run shows within it), unless this
    // reader just asked for one. A connection only when they are read.
    let runs = state
        .recent
        .get(plan_run::runs_key(unit_id, year, budget), crate::app::recent::RUNS_TTL, ctx.recent_write, || async {
            let mut conn = state.pool.acquire().await?;
            plan_run::latest(&state.plan_results, &mut conn, unit_id, year, budget).await
        })
        .await?;
    let (done, mut pending) = (*runs).clone();
    let version = versioned::page_version(&state.pool, &versioned::Depends::Unit(path.clone())).await?;
    // The first reader of these parameters queues the first run; after that only "compute
    // again" does (writes never start a solve by themselves).
    if done.is_none() && pending.is_none() && budget_error.is_none() {
        plan_run::enqueue(&state, unit_id, year, budget, Some(user.account_id)).await?;
        let mut conn = state.pool.acquire().await?;
        pending = plan_run::latest(&state.plan_results, &mut conn, unit_id, year, budget).await?.1;
    }
    // The page's version may be a moment behind a run just computed: older is not outdated.
    let outdated = done.as_ref().is_some_and(|(r, _)| r.data_version.is_none_or(|d| d < version));
    let drift = match &done {
        Some((r, v)) if outdated && q.changes == "1" => {
            Some(drift(&state, &ctx, &path, r.id, v.clone()).await?.as_ref().clone())
        }
        _ => None,
    };
    static NONE: (String, String) = (String::new(), String::new());
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
            let part = |head| {
                fragment(&PlanBody { ctx: &ctx, unit_id, run_id: r.id, v, frontier_chart: &frontier_chart, head })
            };
            Ok::<_, AppError>((part(true)?, part(false)?))
        })?,
        None => &NONE,
    };
    let lines = match &done {
        Some((r, v)) => lines_page(&ctx, r, v, q.page)?,
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
            lines,
        },
    )
}
