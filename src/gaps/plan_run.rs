//! Next year's plan, computed as a job: what the plan draws on (the unit's gaps, the trainings
//! scheduled in the year, the programme catalogue's classes, colleagues who can mentor), read in
//! one snapshot; the solve, off the async runtime; and the queue of runs in PostgreSQL that every
//! node's worker takes from (`for update skip locked`). A page shows the last run at once and
//! says when the records have moved since; nothing a user writes starts a solve by itself.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::{
    db::{self, GapSettings},
    plan::{self, Input, MentorEdge, Offer, Plan, Training},
};
use crate::app::{AppError, AppState};

/// The main plan's time limit (wall time, as every limit here). At ~400 staff CBC's first LP
/// alone takes 4–5 s (measured on the benchmark's dinas of 324–352, and CBC checks the time only
/// after it); the plan rounded from it is within 0.1 % of its bound.
pub const PLAN_LIMIT: Duration = Duration::from_millis(4000);
/// At most this for each other point of the budget frontier (less when the time left, shared
/// among the points not solved yet, is shorter).
pub const FRONTIER_LIMIT: Duration = Duration::from_millis(1500);
/// A run's whole wall time, from starting its solver to taking its answer. The solver (a child
/// process, `cakap plan-solve`) writes the whole result after each solve (the greedy frontier,
/// then the main plan, then each other point); at this limit it is stopped and the last result
/// it wrote is kept: the points it had not reached keep their starting plans (the greedy plan,
/// or the plan of the budget below), marked unproven, with the bound a larger budget proves.
pub const PLAN_WALL: Duration = Duration::from_secs(9);
/// What the solver keeps of the run's wall time to write its last result.
const WRITE_MARGIN: Duration = Duration::from_millis(700);
/// How the run's wall time is passed to the child (milliseconds).
const WALL_ENV: &str = "CAKAP_PLAN_WALL_MS";
/// The frontier's budgets, as shares of the budget chosen.
pub const FRONTIER_SHARES: [f64; 8] = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0];

/// The levels a colleague's mentoring closes in a year.
pub const MENTOR_LEVELS: f64 = 1.0;

/// One gap of one person in the unit.
#[derive(sqlx::FromRow, Clone, Debug, Serialize, Deserialize)]
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
    /// What closing the whole gap is worth: the priority's weight times each level closed,
    /// the deepest level counting most (a gap of 2 closed is worth 2 + 1, not 2 × 1).
    pub fn value(&self) -> f64 {
        self.levels_value(f64::from(self.gap))
    }

    /// What a colleague's mentoring is worth: the first level of the gap (a mentor at the
    /// required level brings one level in a year; a deeper gap needs a training for the rest).
    pub fn mentor_value(&self) -> f64 {
        self.levels_value(MENTOR_LEVELS)
    }

    /// What closing `levels` of the gap from the current level up is worth.
    pub fn levels_value(&self, levels: f64) -> f64 {
        let g = f64::from(self.gap);
        let l = levels.clamp(0.0, g);
        self.weight * (l * g - l * (l - 1.0) / 2.0)
    }
}

/// Every gap of active staff under `path` (`only_flagged`: of the staff the analysis flags).
pub async fn needs(
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

/// A colleague who holds a competency.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Holder {
    pub employee_id: i64,
    pub competency_id: i64,
    pub level: i16,
    pub unit_id: i64,
    pub name: String,
    pub nip: String,
    pub unit: String,
}

/// Mentor candidates for these needs (the unit's agency: its nearest dinas, itself included),
/// and each mentor's capacity left in the period.
pub async fn holders(
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
         where u.path like coalesce((select a.path from units a where a.kind = 'dinas' and $3 like a.path || '%'
                                     order by length(a.path) desc limit 1), $3) || '%'
         order by cl.employee_id, cl.competency_id",
    )
    .bind(&comps)
    .bind(&levels)
    .bind(unit_path)
    .fetch_all(&mut *conn)
    .await?;
    let mut ids: Vec<i64> = holders.iter().map(|h| h.employee_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let load: Vec<(i64, i64)> =
        sqlx::query_as("select mentor_id, mentees from mentor_load($2::date) where mentor_id = any($1)")
            .bind(&ids)
            .bind(today)
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
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MentorMatch {
    pub need: NeedRow,
    pub mentor_id: i64,
    pub mentor: String,
    pub mentor_nip: String,
    pub mentor_unit: String,
    pub mentor_level: i16,
    pub same_unit: bool,
}

/// The mentors and their edges for these needs: every holder at the required level or above
/// (the whole candidate graph), the same unit marked.
fn mentor_graph(
    needs: &[NeedRow],
    holders: &[Holder],
    caps: &HashMap<i64, u32>,
) -> (Vec<i64>, Vec<u32>, Vec<MentorEdge>) {
    let mut ids: Vec<i64> = holders.iter().map(|h| h.employee_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let capacities: Vec<u32> = ids.iter().map(|id| caps.get(id).copied().unwrap_or(0)).collect();
    let mut by_comp: HashMap<i64, Vec<&Holder>> = HashMap::new();
    for h in holders {
        by_comp.entry(h.competency_id).or_default().push(h);
    }
    let mut edges = vec![];
    for (n, need) in needs.iter().enumerate() {
        for h in by_comp.get(&need.competency_id).into_iter().flatten() {
            if h.level >= need.required_level
                && h.employee_id != need.employee_id
                && capacities[index[&h.employee_id]] > 0
            {
                edges.push(MentorEdge { need: n, mentor: index[&h.employee_id], same_unit: h.unit_id == need.unit_id });
            }
        }
    }
    (ids, capacities, edges)
}

/// The matches of a routing, with the mentor's details.
fn matches(needs: &[NeedRow], holders: &[Holder], ids: &[i64], routed: &[(usize, usize)]) -> Vec<MentorMatch> {
    let by_key: HashMap<(i64, i64), &Holder> = holders.iter().map(|h| ((h.employee_id, h.competency_id), h)).collect();
    routed
        .iter()
        .filter_map(|(n, m)| {
            let need = &needs[*n];
            let h = by_key.get(&(ids[*m], need.competency_id))?;
            Some(MentorMatch {
                need: need.clone(),
                mentor_id: h.employee_id,
                mentor: h.name.clone(),
                mentor_nip: h.nip.clone(),
                mentor_unit: h.unit.clone(),
                mentor_level: h.level,
                same_unit: h.unit_id == need.unit_id,
            })
        })
        .collect()
}

/// Something the plan may send people to: a training scheduled in the year, or a class of a
/// catalogue programme offered that year.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Choice {
    /// `training` or `programme`.
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub provider: String,
    pub jenis_diklat: i16,
    pub jp: f64,
    pub starts_on: Option<chrono::NaiveDate>,
    pub cost_per_participant: i64,
    /// Paid once if anybody goes: a scheduled training's fixed cost not yet paid, a class's cost.
    pub fixed_cost: i64,
    pub seats: i64,
    pub min_class: i64,
    /// (competency, declared target level, participants measured, mean gain measured).
    pub develops: Vec<(i64, i16, i64, Option<f64>)>,
}

impl Choice {
    pub fn is_programme(&self) -> bool {
        self.kind == "programme"
    }

    /// The levels it closes of a need: the measured gain where enough participants back it,
    /// else up to its declared level; never past the declared level, never past the gap.
    pub fn closes(&self, n: &NeedRow, min_measured: i64) -> Option<(f64, bool)> {
        let (_, target, measured_n, gain) = self.develops.iter().find(|d| d.0 == n.competency_id)?;
        let declared = (f64::from((*target).min(n.required_level)) - f64::from(n.current_level)).max(0.0);
        Some(match gain {
            Some(g) if *measured_n >= min_measured => (g.max(0.0).min(declared), true),
            _ => (declared, false),
        })
    }
}

#[derive(sqlx::FromRow)]
struct ChoiceRow {
    kind: String,
    id: i64,
    title: String,
    provider: String,
    jenis_diklat: i16,
    jp: f64,
    starts_on: Option<chrono::NaiveDate>,
    cost_per_participant: i64,
    fixed_cost: i64,
    seats: i64,
    min_class: i64,
    competency_id: i64,
    target_level: i16,
    measured_n: i64,
    measured_gain: Option<f64>,
}

/// What the plan may choose from for these competencies in `year`: trainings planned or open
/// that year, charged to the unit's subtree (or free), with seats left; and the catalogue's
/// programmes offered that year. Effects are measured on completed runs (a programme's runs,
/// or a training's earlier runs of the same title), from participants whose level before was
/// known.
async fn choices(conn: &mut PgConnection, competencies: &[i64], year: i32, path: &str) -> sqlx::Result<Vec<Choice>> {
    let rows: Vec<ChoiceRow> = sqlx::query_as(
        "with fx as (
           select coalesce(past.programme_id::text, 't:' || past.title) as run_of, e.competency_id, count(*) as n,
                  avg(e.after_level - e.before_level)::float8 as gain
           from training_effect e join trainings past on past.id = e.training_id
           where e.after_level is not null and e.before_level > 0 and e.competency_id = any($1)
           group by 1, 2)
         select 'training' as kind, t.id, t.title, coalesce(p.name, '') as provider, t.jenis_diklat, t.jp::float8 as jp,
                t.starts_on, t.cost_per_participant,
                case when tcost.paid_participants > 0 then 0 else t.fixed_cost end as fixed_cost,
                (t.quota - (select count(*) from training_participants x where x.training_id = t.id and x.status <> 'rejected'))::bigint as seats,
                1::bigint as min_class, tc.competency_id, tc.target_level, coalesce(fx.n, 0) as measured_n, fx.gain as measured_gain
         from trainings t join training_competencies tc on tc.training_id = t.id
         join training_costs tcost on tcost.training_id = t.id
         join units bu on bu.id = t.budget_unit_id
         left join providers p on p.id = t.provider_id
         left join fx on fx.run_of = coalesce(t.programme_id::text, 't:' || t.title) and fx.competency_id = tc.competency_id
         where t.status in ('planned', 'open') and t.budget_year = $2 and tc.competency_id = any($1)
           and (bu.path like $3 || '%' or (t.cost_per_participant = 0 and t.fixed_cost = 0))
         union all
         select 'programme', g.id, g.title, coalesce(p.name, ''), g.jenis_diklat, g.jp::float8, null::date,
                g.cost_per_participant, g.cost_per_class, g.max_class::bigint, g.min_class::bigint,
                gc.competency_id, gc.target_level, coalesce(fx.n, 0), fx.gain
         from programmes g join programme_competencies gc on gc.programme_id = g.id
         left join providers p on p.id = g.provider_id
         left join fx on fx.run_of = g.id::text and fx.competency_id = gc.competency_id
         where g.active and $2 between g.offered_from and g.offered_to and gc.competency_id = any($1)
         order by 1 desc, 2, 12",
    )
    .bind(competencies)
    .bind(year)
    .bind(path)
    .fetch_all(conn)
    .await?;
    let mut out: Vec<Choice> = vec![];
    for r in rows {
        if r.seats <= 0 {
            continue;
        }
        match out.last_mut() {
            Some(c) if c.kind == r.kind && c.id == r.id => {
                c.develops.push((r.competency_id, r.target_level, r.measured_n, r.measured_gain));
            }
            _ => out.push(Choice {
                kind: r.kind,
                id: r.id,
                title: r.title,
                provider: r.provider,
                jenis_diklat: r.jenis_diklat,
                jp: r.jp,
                starts_on: r.starts_on,
                cost_per_participant: r.cost_per_participant,
                fixed_cost: r.fixed_cost,
                seats: r.seats,
                min_class: r.min_class,
                develops: vec![(r.competency_id, r.target_level, r.measured_n, r.measured_gain)],
            }),
        }
    }
    Ok(out)
}

/// The money a plan for a unit may spend in a year: the budgets of the unit and every unit
/// under it, less what is committed or spent from them.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BudgetFigures {
    pub allocated: i64,
    pub used: i64,
    /// (unit, amount) of each budget counted, when there are several.
    pub parts: Vec<(String, i64)>,
}

impl crate::app::versioned::Weigh for BudgetFigures {}

impl BudgetFigures {
    pub fn remaining(&self) -> i64 {
        (self.allocated - self.used).max(0)
    }
}

pub async fn budget(conn: &mut PgConnection, year: i32, path: &str) -> sqlx::Result<BudgetFigures> {
    let parts: Vec<(String, i64, i64)> = sqlx::query_as(
        "select u.name, f.allocated, f.committed + f.spent
         from units u join budget_figures($1) f on f.unit_id = u.id
         where u.path like $2 || '%' and f.recorded
         order by u.path",
    )
    .bind(year)
    .bind(path)
    .fetch_all(conn)
    .await?;
    let with_money: Vec<(String, i64)> = parts.iter().filter(|p| p.1 > 0).map(|p| (p.0.clone(), p.1)).collect();
    Ok(BudgetFigures {
        allocated: parts.iter().map(|p| p.1).sum(),
        used: parts.iter().map(|p| p.2).sum(),
        parts: if with_money.len() > 1 { with_money } else { vec![] },
    })
}

/// Everything a run reads, in one snapshot.
pub struct Inputs {
    pub year: i32,
    pub budget: i64,
    pub settings: GapSettings,
    pub needs: Vec<NeedRow>,
    pub choices: Vec<Choice>,
    pub holders: Vec<Holder>,
    pub caps: HashMap<i64, u32>,
    /// Each person's enrolments in the year, and the (person, scheduled training) pairs taken.
    pub enrolled: HashMap<i64, u32>,
    pub taken: HashSet<(i64, i64)>,
    /// The records' version the inputs were read at.
    pub data_version: i64,
}

/// The version of the records a plan for the unit under `path` depends on: its scope (a
/// bidang's plan is not outdated by a write in another bidang) and what concerns everyone.
pub async fn plan_version(conn: &mut PgConnection, path: &str) -> Result<i64, sqlx::Error> {
    crate::app::versioned::version_of(conn, &crate::app::versioned::Depends::Unit(path.to_string())).await
}

/// Read what a plan for the unit under `path` draws on, at one version of the records.
pub async fn read_inputs(
    conn: &mut PgConnection,
    path: &str,
    year: i32,
    budget: i64,
    today: chrono::NaiveDate,
) -> Result<Inputs, sqlx::Error> {
    let data_version = plan_version(&mut *conn, path).await?;
    let settings = db::settings(&mut *conn).await?;
    let needs = needs(&mut *conn, today, path, false, true).await?;
    let mut comps: Vec<i64> = needs.iter().map(|n| n.competency_id).collect();
    comps.sort_unstable();
    comps.dedup();
    let choices = choices(&mut *conn, &comps, year, path).await?;
    let (holders, caps) = holders(&mut *conn, &needs, path, today, &settings).await?;
    let mut people: Vec<i64> = needs.iter().map(|n| n.employee_id).collect();
    people.sort_unstable();
    people.dedup();
    let rows: Vec<(i64, i64, bool)> = sqlx::query_as(
        "select p.employee_id, p.training_id, t.budget_year = $2 from training_participants p join trainings t on t.id = p.training_id
         where p.employee_id = any($1) and p.status <> 'rejected' and t.status <> 'cancelled'
           and (t.budget_year = $2 or t.status in ('planned', 'open'))",
    )
    .bind(&people)
    .bind(year)
    .fetch_all(&mut *conn)
    .await?;
    let mut enrolled: HashMap<i64, u32> = HashMap::new();
    let mut taken = HashSet::new();
    for (e, t, this_year) in rows {
        if this_year {
            *enrolled.entry(e).or_default() += 1;
        }
        taken.insert((e, t));
    }
    Ok(Inputs { year, budget, settings, needs, choices, holders, caps, enrolled, taken, data_version })
}

/// A choice made for a person, with what it closes and what this line costs in whole rupiah (a
/// class's or a training's fixed cost shared among its participants, the remainder on the first).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanLine {
    pub employee_id: i64,
    pub name: String,
    pub nip: String,
    pub choice: usize,
    /// (need, levels closed, measured effect used)
    pub closes: Vec<(NeedRow, f64, bool)>,
    pub cost: i64,
}

/// A computed plan: what the page shows and what accepting stores.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PlanResult {
    pub year: i32,
    pub budget: i64,
    pub choices: Vec<Choice>,
    pub optimal: Plan,
    pub greedy: Plan,
    pub lines: Vec<PlanLine>,
    pub mentors: Vec<MentorMatch>,
    pub uncovered: Vec<NeedRow>,
    pub total_gap: f64,
    pub frontier: Vec<(i64, Plan)>,
    pub people: usize,
    /// The run's wall time (from starting its solver to taking its answer).
    pub seconds: f64,
    /// The mentors' part of the plan in figures (absent from runs stored before it was kept).
    #[serde(default)]
    pub mentor_figures: Option<MentorFigures>,
    /// The page's part that depends only on this run, drawn once per language by its first
    /// reader (`planning::PlanBody`; Indonesian, then English). Never stored.
    #[serde(skip)]
    pub drawn: [std::sync::OnceLock<String>; 2],
}

/// The mentors' part of a plan: what the trainings leave to colleagues (each need's first level,
/// less what its training closes), what the exact routing covers on the whole candidate graph,
/// and what first come, first served would cover on the same data.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct MentorFigures {
    pub left: f64,
    pub covered: f64,
    pub first_come: f64,
}

impl PlanResult {
    /// Classes the plan opens from the catalogue: (choice, participants).
    pub fn classes(&self) -> Vec<(&Choice, usize)> {
        let mut out: Vec<(&Choice, usize)> = vec![];
        for l in &self.lines {
            let c = &self.choices[l.choice];
            if !c.is_programme() {
                continue;
            }
            match out.iter_mut().find(|(x, _)| std::ptr::eq(*x, c)) {
                Some(e) => e.1 += 1,
                None => out.push((c, 1)),
            }
        }
        out
    }
}

/// The model of these inputs: people, choices, offers (what each choice closes of each need,
/// never for a person already enrolled in it), mentors, the cap less enrolments.
pub fn model(i: &Inputs) -> (Input, Vec<i64>) {
    let mut people: Vec<i64> = i.needs.iter().map(|n| n.employee_id).collect();
    people.sort_unstable();
    people.dedup();
    let person = |id: i64| people.binary_search(&id).unwrap_or(0);
    let min_n = i64::from(i.settings.effect_min_participants);
    let mut offers = vec![];
    for (k, n) in i.needs.iter().enumerate() {
        for (t, c) in i.choices.iter().enumerate() {
            if !c.is_programme() && i.taken.contains(&(n.employee_id, c.id)) {
                continue;
            }
            if let Some((levels, _)) = c.closes(n, min_n)
                && levels > 0.0
            {
                offers.push(Offer { need: k, training: t, value: n.levels_value(levels) });
            }
        }
    }
    let (ids, capacities, edges) = mentor_graph(&i.needs, &i.holders, &i.caps);
    let cap = i.settings.trainings_per_person.max(1) as u32;
    let input = Input {
        people: people.len(),
        trainings: i
            .choices
            .iter()
            .map(|c| Training {
                cost_per_participant: c.cost_per_participant,
                fixed_cost: c.fixed_cost,
                seats: c.seats.clamp(0, 100_000) as u32,
                min_class: c.min_class.clamp(1, 100_000) as u32,
            })
            .collect(),
        needs: i
            .needs
            .iter()
            .map(|n| plan::Need { person: person(n.employee_id), by_mentor: n.mentor_value() })
            .collect(),
        offers,
        mentors: capacities,
        mentor_edges: edges,
        per_person: people.iter().map(|p| cap.saturating_sub(i.enrolled.get(p).copied().unwrap_or(0))).collect(),
        budget: i.budget,
    };
    (input, ids)
}

/// The frontier's budgets for a chosen budget: 0–300 % of it (of Rp10 juta when it is zero).
pub fn frontier_budgets(budget: i64) -> Vec<i64> {
    let top = if budget > 0 { budget } else { 10_000_000 };
    FRONTIER_SHARES.iter().map(|f| (top as f64 * f).round() as i64).chain(std::iter::once(budget)).collect()
}

/// Solve within `deadline` (wall time): the frontier (the chosen budget among its points, solved
/// first with the longer limit), the greedy plan beside it, and the lines of the chosen budget's
/// plan. `emit` receives the whole result after each solve (first with every point at its
/// greedy plan), each one complete and checked, so a run stopped at any moment keeps the last.
/// CPU-bound: call off the runtime.
pub fn solve(i: &Inputs, deadline: Instant, emit: &mut dyn FnMut(&PlanResult)) -> PlanResult {
    let started = Instant::now();
    let (input, mentor_ids) = model(i);
    let greedy = plan::greedy(&input);
    let limits = plan::Limits { main: PLAN_LIMIT, point: FRONTIER_LIMIT, deadline };
    let frontier = plan::frontier(&input, &frontier_budgets(i.budget), i.budget, limits, &mut |f| {
        emit(&result_of(i, &input, &mentor_ids, f, &greedy, started));
    });
    result_of(i, &input, &mentor_ids, &frontier, &greedy, started)
}

/// The result shown for a frontier: its chosen budget's plan with its lines, mentors and what
/// is left uncovered, the greedy plan, the frontier's shown points.
fn result_of(
    i: &Inputs,
    input: &Input,
    mentor_ids: &[i64],
    frontier: &[(i64, Plan)],
    greedy: &Plan,
    started: Instant,
) -> PlanResult {
    let optimal =
        frontier.iter().find(|(b, _)| *b == i.budget).map(|(_, p)| p.clone()).unwrap_or_else(|| greedy.clone());
    let frontier: Vec<(i64, Plan)> = {
        let shown = frontier_budgets(i.budget);
        frontier.iter().filter(|(b, _)| shown[..FRONTIER_SHARES.len()].contains(b)).cloned().collect()
    };
    let min_n = i64::from(i.settings.effect_min_participants);
    let mut people: Vec<i64> = i.needs.iter().map(|n| n.employee_id).collect();
    people.sort_unstable();
    people.dedup();
    // Lines: per chosen (person, choice), the needs it is credited with (the best of the
    // person's chosen choices for each need).
    let mut lines: Vec<PlanLine> = vec![];
    let mut credited: HashMap<usize, f64> = HashMap::new();
    for (p, t) in &optimal.chosen {
        let c = &i.choices[*t];
        let mut closes_here = vec![];
        for (k, n) in i.needs.iter().enumerate().filter(|(_, n)| n.employee_id == people[*p]) {
            let best = optimal
                .chosen
                .iter()
                .filter(|(pp, _)| pp == p)
                .filter_map(|(_, tt)| {
                    let (levels, measured) = i.choices[*tt].closes(n, min_n)?;
                    Some((*tt, levels, measured))
                })
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            if let Some((tt, levels, measured)) = best
                && tt == *t
                && levels > 0.0
            {
                closes_here.push((n.clone(), levels, measured));
                credited.insert(k, levels);
            }
        }
        let first = i.needs.iter().find(|n| n.employee_id == people[*p]);
        lines.push(PlanLine {
            employee_id: people[*p],
            name: first.map(|n| n.name.clone()).unwrap_or_default(),
            nip: first.map(|n| n.nip.clone()).unwrap_or_default(),
            choice: *t,
            closes: closes_here,
            cost: c.cost_per_participant,
        });
    }
    // Fixed costs shared in whole rupiah, the remainder on the first lines.
    for t in 0..i.choices.len() {
        let idx: Vec<usize> = lines.iter().enumerate().filter(|(_, l)| l.choice == t).map(|(k, _)| k).collect();
        let fixed = i.choices[t].fixed_cost;
        if idx.is_empty() || fixed == 0 {
            continue;
        }
        let n = idx.len() as i64;
        for (j, k) in idx.iter().enumerate() {
            lines[*k].cost += fixed / n + i64::from((j as i64) < fixed % n);
        }
    }
    lines.sort_by(|a, b| a.name.cmp(&b.name).then(a.employee_id.cmp(&b.employee_id)).then(a.choice.cmp(&b.choice)));
    let mentors = matches(&i.needs, &i.holders, mentor_ids, &optimal.mentored);
    let routed: HashSet<usize> = optimal.mentored.iter().map(|(n, _)| *n).collect();
    let uncovered: Vec<NeedRow> = i
        .needs
        .iter()
        .enumerate()
        .filter(|(k, _)| !routed.contains(k) && !credited.contains_key(k))
        .map(|(_, n)| n.clone())
        .collect();
    PlanResult {
        year: i.year,
        budget: i.budget,
        choices: i.choices.clone(),
        total_gap: i.needs.iter().map(NeedRow::value).sum(),
        people: people.len(),
        mentor_figures: Some(mentor_figures(input, &optimal)),
        optimal,
        greedy: greedy.clone(),
        lines,
        mentors,
        uncovered,
        frontier,
        seconds: started.elapsed().as_secs_f64(),
        drawn: Default::default(),
    }
}

/// What a plan's trainings leave to mentors, what its routing covers, and what first come, first
/// served (each need in turn, the largest first, takes the first candidate with room) would.
fn mentor_figures(input: &Input, p: &Plan) -> MentorFigures {
    let mut credit = vec![0.0f64; input.needs.len()];
    let mut chosen = p.chosen.clone();
    chosen.sort_unstable();
    for o in &input.offers {
        if chosen.binary_search(&(input.needs[o.need].person, o.training)).is_ok() {
            credit[o.need] = credit[o.need].max(o.value);
        }
    }
    let rest: Vec<f64> = input.needs.iter().zip(&credit).map(|(n, c)| (n.by_mentor - c).max(0.0)).collect();
    let mut per_need: Vec<Vec<usize>> = vec![vec![]; input.needs.len()];
    for e in &input.mentor_edges {
        per_need[e.need].push(e.mentor);
    }
    let mut room = input.mentors.clone();
    let mut first_come = 0.0;
    for (n, ms) in per_need.iter().enumerate() {
        if rest[n] <= 0.0 {
            continue;
        }
        if let Some(m) = ms.iter().find(|m| room[**m] > 0) {
            room[*m] -= 1;
            first_come += rest[n];
        }
    }
    MentorFigures { left: rest.iter().sum(), covered: p.mentored.iter().map(|(n, _)| rest[*n]).sum(), first_come }
}

/// A run of the plan, as the page reads it.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct RunRow {
    pub id: i64,
    pub unit_id: i64,
    pub year: i32,
    pub budget: i64,
    pub status: String,
    pub requested_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub data_version: Option<i64>,
    pub error: String,
}

/// Computed plans by run id, parsed once per node: a finished run never changes.
pub type ResultCache = Arc<std::sync::Mutex<HashMap<i64, Arc<PlanResult>>>>;

/// A finished run's plan.
pub async fn result(cache: &ResultCache, conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Arc<PlanResult>>> {
    if let Some(r) = cache.lock().ok().and_then(|m| m.get(&id).cloned()) {
        return Ok(Some(r));
    }
    let found: Option<sqlx::types::Json<PlanResult>> =
        sqlx::query_scalar("select result from plan_runs where id = $1 and status = 'done'")
            .bind(id)
            .fetch_optional(conn)
            .await?;
    let Some(found) = found else { return Ok(None) };
    let r = Arc::new(found.0);
    if let Ok(mut m) = cache.lock() {
        // A few units' plans at a time; a full map starts again.
        if m.len() >= 64 {
            m.clear();
        }
        m.insert(id, r.clone());
    }
    Ok(Some(r))
}

/// The last finished run for these parameters with its plan, and the run waiting, running or
/// failed after it, if any.
pub async fn latest(
    cache: &ResultCache,
    conn: &mut PgConnection,
    unit_id: i64,
    year: i32,
    budget: i64,
) -> sqlx::Result<(Option<(RunRow, Arc<PlanResult>)>, Option<RunRow>)> {
    let runs: Vec<RunRow> = sqlx::query_as(
        "(select id, unit_id, year, budget, status, requested_at, finished_at, data_version, error from plan_runs
          where unit_id = $1 and year = $2 and budget = $3 and status = 'done' order by id desc limit 1)
         union all
         (select id, unit_id, year, budget, status, requested_at, finished_at, data_version, error from plan_runs
          where unit_id = $1 and year = $2 and budget = $3 and status <> 'done' order by id desc limit 1)",
    )
    .bind(unit_id)
    .bind(year)
    .bind(budget)
    .fetch_all(&mut *conn)
    .await?;
    let done_id = runs.iter().find(|r| r.status == "done").map(|r| r.id);
    let pending = runs.iter().find(|r| r.status != "done" && done_id.is_none_or(|d| r.id > d)).cloned();
    let done = match runs.into_iter().find(|r| r.status == "done") {
        Some(run) => result(cache, &mut *conn, run.id).await?.map(|v| (run, v)),
        None => None,
    };
    Ok((done, pending))
}

/// The unit's latest finished run, whatever its year and budget (what `/gaps/mentors` shows: the
/// mentor part of the plan), and a run of the unit waiting or running after it, if any.
pub async fn latest_for_unit(
    cache: &ResultCache,
    conn: &mut PgConnection,
    unit_id: i64,
) -> sqlx::Result<(Option<(RunRow, Arc<PlanResult>)>, Option<RunRow>)> {
    let runs: Vec<RunRow> = sqlx::query_as(
        "(select id, unit_id, year, budget, status, requested_at, finished_at, data_version, error from plan_runs
          where unit_id = $1 and status = 'done' order by finished_at desc nulls last, id desc limit 1)
         union all
         (select id, unit_id, year, budget, status, requested_at, finished_at, data_version, error from plan_runs
          where unit_id = $1 and status in ('queued', 'running') order by id desc limit 1)",
    )
    .bind(unit_id)
    .fetch_all(&mut *conn)
    .await?;
    let pending = runs.iter().find(|r| r.status != "done").cloned();
    let done = match runs.into_iter().find(|r| r.status == "done") {
        Some(run) => result(cache, &mut *conn, run.id).await?.map(|v| (run, v)),
        None => None,
    };
    Ok((done, pending))
}

/// One finished run by id (what the page showed).
pub async fn by_id(
    cache: &ResultCache,
    conn: &mut PgConnection,
    id: i64,
) -> sqlx::Result<Option<(RunRow, Arc<PlanResult>)>> {
    let run: Option<RunRow> = sqlx::query_as(
        "select id, unit_id, year, budget, status, requested_at, finished_at, data_version, error from plan_runs
         where id = $1 and status = 'done'",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(run) = run else { return Ok(None) };
    Ok(result(cache, &mut *conn, id).await?.map(|v| (run, v)))
}

/// Queue a run for these parameters unless one is already waiting or running; returns its id.
pub async fn enqueue(
    state: &AppState,
    unit_id: i64,
    year: i32,
    budget: i64,
    account: Option<i64>,
) -> sqlx::Result<i64> {
    let mut tx = state.pool.begin().await?;
    // One request per parameters at a time, whatever the node.
    sqlx::query("select pg_advisory_xact_lock(727200, hashtext($1::bigint::text || '/' || $2::int::text || '/' || $3::bigint::text))")
        .bind(unit_id)
        .bind(year)
        .bind(budget)
        .execute(&mut *tx)
        .await?;
    let waiting: Option<i64> = sqlx::query_scalar(
        "select id from plan_runs where unit_id = $1 and year = $2 and budget = $3 and status in ('queued', 'running')
         order by id desc limit 1",
    )
    .bind(unit_id)
    .bind(year)
    .bind(budget)
    .fetch_optional(&mut *tx)
    .await?;
    let id = match waiting {
        Some(id) => id,
        None => {
            sqlx::query_scalar(
                "insert into plan_runs (unit_id, year, budget, requested_by) values ($1, $2, $3, $4) returning id",
            )
            .bind(unit_id)
            .bind(year)
            .bind(budget)
            .bind(account)
            .fetch_one(&mut *tx)
            .await?
        }
    };
    tx.commit().await?;
    wake().notify_one();
    Ok(id)
}

/// Wakes this node's worker when a run is queued here (other nodes' runs are found by polling).
fn wake() -> &'static tokio::sync::Notify {
    static WAKE: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    WAKE.get_or_init(tokio::sync::Notify::new)
}

/// Claim the oldest queued run (or one left running by a node that stopped), compute it and
/// store the result. Returns whether there was one.
pub async fn run_one(state: &AppState) -> Result<bool, AppError> {
    let worker = format!("{}:{}", hostname(), std::process::id());
    let claimed: Option<(i64, i64, i32, i64)> = sqlx::query_as(
        "update plan_runs r set status = 'running', started_at = now(), worker = $1
         where r.id = (select id from plan_runs
                       where status = 'queued' or (status = 'running' and started_at < now() - interval '15 minutes')
                       order by requested_at, id for update skip locked limit 1)
         returning r.id, r.unit_id, r.year, r.budget",
    )
    .bind(&worker)
    .fetch_optional(&state.pool)
    .await?;
    let Some((id, unit_id, year, budget)) = claimed else { return Ok(false) };
    let outcome = compute(state, unit_id, year, budget).await;
    match outcome {
        Ok((result, version)) => {
            sqlx::query(
                "update plan_runs set status = 'done', finished_at = now(), data_version = $2, seconds = $3, result = $4
                 where id = $1 and worker = $5",
            )
            .bind(id)
            .bind(version)
            .bind(result.seconds)
            .bind(sqlx::types::Json(&result))
            .bind(&worker)
            .execute(&state.pool)
            .await?;
        }
        Err(e) => {
            tracing::error!(run = id, error = %e, "plan run failed");
            sqlx::query("update plan_runs set status = 'failed', finished_at = now(), error = $2 where id = $1")
                .bind(id)
                .bind(e.to_string())
                .execute(&state.pool)
                .await?;
        }
    }
    Ok(true)
}

fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|s| s.trim().to_string()).unwrap_or_else(|_| "node".into())
}

/// Compute a run within `PLAN_WALL` of wall time: in a child process of this binary when one is
/// configured (`Config::plan_solver`, the portal's default), so CBC's memory (~270 MB for a
/// dinas of 400 with 134 000 mentor edges, measured) is returned to the system when the solve
/// ends instead of staying in the portal's heap; else here, off the async runtime. Either way
/// the answer is the last complete result written by the limit.
pub async fn compute(state: &AppState, unit_id: i64, year: i32, budget: i64) -> Result<(PlanResult, i64), AppError> {
    let started = Instant::now();
    let deadline = started + PLAN_WALL;
    let (mut result, version) = match state.config.plan_solver.clone() {
        Some(exe) => solve_in_child(&exe, &state.config.database_url, unit_id, year, budget, deadline).await?,
        None => compute_here(state, unit_id, year, budget, deadline).await?,
    };
    result.seconds = started.elapsed().as_secs_f64();
    Ok((result, version))
}

/// Solve in a child process (`cakap plan-solve`), reading each result it writes as it comes; at
/// `deadline` the child is stopped and its last complete result is the answer.
pub async fn solve_in_child(
    exe: &std::path::Path,
    database_url: &str,
    unit_id: i64,
    year: i32,
    budget: i64,
    deadline: Instant,
) -> Result<(PlanResult, i64), AppError> {
    use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _};
    let wall = deadline.saturating_duration_since(Instant::now());
    let failed = |what: String| AppError::Other(anyhow::anyhow!("plan solver {}: {what}", exe.display()));
    let mut child = tokio::process::Command::new(exe)
        .args(["plan-solve", "--unit-id", &unit_id.to_string(), "--year", &year.to_string()])
        .args(["--budget", &budget.to_string()])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .env(WALL_ENV, wall.as_millis().to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed(e.to_string()))?;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().ok_or_else(|| failed("no stdout".into()))?).lines();
    let mut stderr = child.stderr.take().ok_or_else(|| failed("no stderr".into()))?;
    let errors = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mut last: Option<Solved> = None;
    let mut stopped = false;
    loop {
        match tokio::time::timeout_at(deadline.into(), lines.next_line()).await {
            Ok(Ok(Some(line))) => {
                if let Ok(solved) = serde_json::from_str::<Solved>(&line) {
                    last = Some(solved);
                }
            }
            Ok(Ok(None)) => break,
            Ok(Err(e)) => return Err(failed(e.to_string())),
            Err(_) => {
                stopped = true;
                break;
            }
        }
    }
    if stopped {
        // Its time is up: what it wrote last stands.
        let _ = child.start_kill();
    }
    let status = child.wait().await.map_err(|e| failed(e.to_string()))?;
    let errors = errors.await.unwrap_or_default();
    match last {
        Some(s) => {
            if stopped {
                tracing::info!(
                    unit = unit_id,
                    year,
                    budget,
                    "plan solver stopped at its wall-time limit; its last result kept"
                );
            } else if !status.success() {
                tracing::warn!(unit = unit_id, %status, errors = %errors.trim(), "plan solver failed after a result; its last result kept");
            }
            Ok((s.result, s.version))
        }
        None if stopped => Err(failed(format!("no result within {:.1} s", wall.as_secs_f64()))),
        None => Err(failed(format!("exited with {status}: {}", errors.trim()))),
    }
}

/// What `cakap plan-solve` prints: the run's result and the records' version it was read at.
#[derive(Serialize, Deserialize)]
pub struct Solved {
    pub result: PlanResult,
    pub version: i64,
}

/// `cakap plan-solve`: one run computed in this process within the wall time the parent gives
/// (`CAKAP_PLAN_WALL_MS`, else `PLAN_WALL`), the whole result printed as one line of JSON on
/// standard output after each solve (the parent keeps the last line it has when time is up).
pub async fn solve_to_stdout(state: &AppState, unit_id: i64, year: i32, budget: i64) -> Result<(), AppError> {
    let started = Instant::now();
    let wall = std::env::var(WALL_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(PLAN_WALL);
    let deadline = started + wall.saturating_sub(WRITE_MARGIN);
    let inputs = snapshot(state, unit_id, year, budget).await?;
    let version = inputs.data_version;
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        solve(&inputs, deadline, &mut |result| {
            let mut out = std::io::stdout().lock();
            // A result that cannot be written (the parent has gone) is not worth more work.
            let written = serde_json::to_writer(&mut out, &SolvedRef { result, version })
                .map_err(std::io::Error::from)
                .and_then(|_| out.write_all(b"\n"))
                .and_then(|_| out.flush());
            if written.is_err() {
                std::process::exit(1);
            }
        });
    })
    .await
    .map_err(|e| AppError::Other(anyhow::anyhow!("plan solver: {e}")))?;
    Ok(())
}

/// `Solved`, written without copying the result.
#[derive(Serialize)]
struct SolvedRef<'a> {
    result: &'a PlanResult,
    version: i64,
}

/// Read what a run draws on in one read-only snapshot and release the connection.
async fn snapshot(state: &AppState, unit_id: i64, year: i32, budget: i64) -> Result<Inputs, AppError> {
    let agency = state.settings.get(&state.pool).await?;
    let today = state.clock.today(agency.time_zone);
    let mut tx = state.pool.begin().await?;
    sqlx::query("set transaction isolation level repeatable read, read only").execute(&mut *tx).await?;
    let path: String =
        sqlx::query_scalar("select path from units where id = $1").bind(unit_id).fetch_one(&mut *tx).await?;
    let inputs = read_inputs(&mut tx, &path, year, budget, today).await?;
    tx.commit().await?;
    Ok(inputs)
}

/// Read the inputs in one snapshot, solve off the runtime; at `deadline` the last complete result
/// is the answer (the solving thread, whose own limits end with the deadline, finishes alone).
async fn compute_here(
    state: &AppState,
    unit_id: i64,
    year: i32,
    budget: i64,
    deadline: Instant,
) -> Result<(PlanResult, i64), AppError> {
    let inputs = snapshot(state, unit_id, year, budget).await?;
    let version = inputs.data_version;
    let last: Arc<std::sync::Mutex<Option<PlanResult>>> = Arc::default();
    let kept = last.clone();
    let solver_deadline = deadline.checked_sub(WRITE_MARGIN).unwrap_or(deadline);
    let solving = tokio::task::spawn_blocking(move || {
        solve(&inputs, solver_deadline, &mut |r| {
            if let Ok(mut l) = kept.lock() {
                *l = Some(r.clone());
            }
        })
    });
    let result = match tokio::time::timeout_at(deadline.into(), solving).await {
        Ok(done) => done.map_err(|e| AppError::Other(anyhow::anyhow!("plan solver: {e}")))?,
        Err(_) => last
            .lock()
            .ok()
            .and_then(|mut l| l.take())
            .ok_or_else(|| AppError::Other(anyhow::anyhow!("plan solver: no result within its time")))?,
    };
    Ok((result, version))
}

/// Run every queued run now (tests and the benchmark; the server's worker does this itself).
pub async fn run_queued(state: &AppState) -> Result<usize, AppError> {
    let mut n = 0;
    while run_one(state).await? {
        n += 1;
    }
    Ok(n)
}

/// The worker every node runs: one run at a time (CBC solves one model per process at a time
/// anyway), woken when this node queues one, else polling for other nodes' runs.
pub async fn worker(state: AppState) {
    loop {
        match run_one(&state).await {
            Ok(true) => continue,
            Ok(false) => {
                let _ = tokio::time::timeout(Duration::from_secs(3), wake().notified()).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "plan worker: will retry");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}

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
    let (unit_id, path): (i64, String) = sqlx::query_as("select id, path from units where code = $1")
        .bind(unit_code)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| anyhow::anyhow!("no unit with code {unit_code}"))?;
    let mut conn = pool.acquire().await?;
    let staff: i64 = sqlx::query_scalar(
        "select count(*) from employees e join units u on u.id = e.unit_id where e.active and u.path like $1 || '%'",
    )
    .bind(&path)
    .fetch_one(&mut *conn)
    .await?;
    let budget = match budget {
        Some(b) => b,
        None => self::budget(&mut conn, year, &path).await?.remaining(),
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
    let edges: Vec<super::assign::Edge> = input
        .mentor_edges
        .iter()
        .map(|e| super::assign::Edge {
            need: e.need,
            mentor: e.mentor,
            value: (input.needs[e.need].by_mentor - credit[e.need]).max(0.0),
        })
        .collect();
    let flow_started = Instant::now();
    let flow = super::assign::value(&super::assign::assign(input.needs.len(), &input.mentors, &edges), &edges);
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
