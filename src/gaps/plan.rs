//! The budget-constrained development plan: which under-skilled staff go to which training so that
//! the weighted gap closed is the largest possible within the money available.
//!
//! Model (a mixed-integer linear programme):
//! - `x[p,t]` ∈ {0,1}: person p goes to training t (only pairs where t develops one of p's gaps);
//! - `y[t]` ∈ {0,1}: training t is used (its fixed cost is paid), for trainings with a fixed cost
//!   not yet paid;
//!   not yet paid, and for classes from the catalogue (opened only when filled to their minimum);
//! - `w[n,t]` ∈ [0,1]: need n (a person's gap in a competency) is credited to training t;
//! - `z[n,m]` ∈ [0,1]: need n is routed to colleague m, who holds the level (mentoring is free,
//!   brings one level in a year, and each mentor takes at most their capacity left).
//!
//! maximise Σ value[n,t]·w[n,t] + Σ by_mentor[n]·z[n,m] subject to w[n,t] ≤ x[p(n),t];
//! Σ_t w[n,t] + Σ_m z[n,m] ≤ 1 (a participant's gain in a competency is the best of their routes,
//! gains do not add up); Σ_n z[n,m] ≤ capacity[m]; Σ_p x[p,t] ≤ seats[t]; x[p,t] ≤ y[t];
//! Σ_p x[p,t] ≥ minimum class[t]·y[t]; Σ_t x[p,t] ≤ trainings left for p (the cap less what they
//! are already enrolled in); Σ cost·x + Σ fixed·y ≤ budget.
//!
//! For fixed trainings the rest is a bipartite matching (totally unimodular), so the mentors of a
//! plan are recomputed exactly from its trainings (`evaluate`, by `assign::by_need_value` on the
//! whole candidate graph) and every figure shown is scored from the choices, never from the
//! solver's fractional credits. Every plan is checked against every limit (`feasible`) before it
//! is shown; a solve stopped by its time limit (wall time) answers with the best of the plan it
//! was started from and the solver's state rounded to a feasible plan, with the solver's bound.
//!
//! Solver: CBC (COIN-OR) through `coin_cbc`, linked to Debian's `coinor-libcbc-dev`. Measured on
//! the same instances as the alternatives (see `scripts/bench-plan` and the README): HiGHS through
//! `good_lp` solves them as fast but builds from source for about 8 minutes per profile, which the
//! README's 5-minute run command cannot afford; the pure-Rust `microlp` did not finish 100 staff ×
//! 10 trainings in two minutes. CBC builds in seconds, is exact, takes a time limit, and reports
//! its best bound, so a plan cut short says how far from optimal it can be at most.

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use super::assign;

/// A training the plan may use: a scheduled one, or a class of a catalogue programme.
#[derive(Clone, Debug)]
pub struct Training {
    pub cost_per_participant: i64,
    /// Paid once if anybody goes (0 when already paid: it has approved participants; the class
    /// cost for a catalogue programme).
    pub fixed_cost: i64,
    pub seats: u32,
    /// Opened only with at least this many participants (1: no minimum).
    pub min_class: u32,
}

/// One gap of one person.
#[derive(Clone, Debug)]
pub struct Need {
    pub person: usize,
    /// What a colleague's mentoring is worth for it (a mentor brings one level in a year).
    pub by_mentor: f64,
}

/// What training `training` is worth for need `need` (weight × levels it closes).
#[derive(Clone, Debug)]
pub struct Offer {
    pub need: usize,
    pub training: usize,
    pub value: f64,
}

/// A colleague who may mentor need `need`: `mentor` indexes `Input::mentors`; `same_unit` is
/// preferred among equals.
#[derive(Clone, Debug)]
pub struct MentorEdge {
    pub need: usize,
    pub mentor: usize,
    pub same_unit: bool,
}

#[derive(Clone, Debug)]
pub struct Input {
    pub people: usize,
    pub trainings: Vec<Training>,
    pub needs: Vec<Need>,
    pub offers: Vec<Offer>,
    /// Each mentor's capacity left in the period.
    pub mentors: Vec<u32>,
    pub mentor_edges: Vec<MentorEdge>,
    /// Trainings each person may still be given (the cap less their enrolments that year).
    pub per_person: Vec<u32>,
    pub budget: i64,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// (person, training) pairs chosen.
    pub chosen: Vec<(usize, usize)>,
    /// (need, mentor) routes, exact for the trainings chosen.
    pub mentored: Vec<(usize, usize)>,
    /// The weighted gap closed.
    pub objective: f64,
    /// An upper bound on the best possible objective (equal to `objective` when proven optimal;
    /// infinite when nothing is proven, stored as null).
    #[serde(deserialize_with = "null_is_unbounded")]
    pub bound: f64,
    pub optimal: bool,
    pub cost: i64,
    /// The time limit was reached.
    pub timed_out: bool,
    /// The solver's own plan broke a limit or was worse than the plan it started from, which is
    /// shown instead.
    pub fell_back: bool,
    /// The run's time ran out before this budget was solved: the plan is its starting plan.
    #[serde(default)]
    pub not_reached: bool,
    pub seconds: f64,
}

/// A bound stored as null (JSON has no infinity) is no bound at all.
fn null_is_unbounded<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::INFINITY))
}

impl Plan {
    /// How far from optimal the plan can be at most, as a share of the bound.
    pub fn gap(&self) -> f64 {
        if self.optimal || self.bound <= 1e-9 { 0.0 } else { ((self.bound - self.objective) / self.bound).max(0.0) }
    }
}

/// The (person, training) pairs worth considering, in a stable order.
fn pairs(input: &Input) -> Vec<(usize, usize)> {
    let mut p: Vec<(usize, usize)> = input
        .offers
        .iter()
        .filter(|o| o.value > 0.0)
        .map(|o| (input.needs[o.need].person, o.training))
        .filter(|(p, _)| input.per_person.get(*p).copied().unwrap_or(0) > 0)
        .collect();
    p.sort_unstable();
    p.dedup();
    p
}

/// What a set of (person, training) pairs closes, with the mentors it leaves to route: per need
/// the best offer among its trainings, then the exact routing of what is left to colleagues.
pub fn evaluate(input: &Input, chosen: &[(usize, usize)]) -> (f64, Vec<(usize, usize)>) {
    let mut best = vec![0.0f64; input.needs.len()];
    let mut picked: Vec<(usize, usize)> = chosen.to_vec();
    picked.sort_unstable();
    for o in &input.offers {
        if picked.binary_search(&(input.needs[o.need].person, o.training)).is_ok() {
            best[o.need] = best[o.need].max(o.value);
        }
    }
    let rest: Vec<f64> = input.needs.iter().zip(&best).map(|(n, b)| (n.by_mentor - b).max(0.0)).collect();
    let edges: Vec<(usize, usize, bool)> = input.mentor_edges.iter().map(|e| (e.need, e.mentor, e.same_unit)).collect();
    let routed = assign::by_need_value(&rest, &input.mentors, &edges);
    let mentored: Vec<(usize, usize)> = routed.iter().enumerate().filter_map(|(n, m)| Some((n, (*m)?))).collect();
    let total = best.iter().sum::<f64>() + mentored.iter().map(|(n, _)| rest[*n]).sum::<f64>();
    (total, mentored)
}

/// What a set of pairs costs: seats plus the fixed cost of every training used.
pub fn cost(input: &Input, chosen: &[(usize, usize)]) -> i64 {
    let mut used = vec![false; input.trainings.len()];
    let mut total = 0;
    for (_, t) in chosen {
        total += input.trainings[*t].cost_per_participant;
        if !used[*t] {
            used[*t] = true;
            total += input.trainings[*t].fixed_cost;
        }
    }
    total
}

/// Whether a set of pairs keeps every limit: seats, minimum classes, trainings per person, the
/// budget, each pair once and only pairs that develop something.
pub fn feasible(input: &Input, chosen: &[(usize, usize)]) -> bool {
    let mut sorted = chosen.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    if sorted.len() != chosen.len() {
        return false;
    }
    let candidates = pairs(input);
    if chosen.iter().any(|p| candidates.binary_search(p).is_err()) {
        return false;
    }
    let classes_ok = input.trainings.iter().enumerate().all(|(t, tr)| {
        let n = chosen.iter().filter(|(_, x)| *x == t).count() as u32;
        n <= tr.seats && (n == 0 || n >= tr.min_class)
    });
    let person_ok = (0..input.people).all(|p| {
        chosen.iter().filter(|(x, _)| *x == p).count() as u32 <= input.per_person.get(p).copied().unwrap_or(0)
    });
    classes_ok && person_ok && cost(input, chosen) <= input.budget
}

/// A plan scored from its choices.
fn scored(input: &Input, chosen: Vec<(usize, usize)>, started: Instant) -> Plan {
    let (objective, mentored) = evaluate(input, &chosen);
    Plan {
        cost: cost(input, &chosen),
        chosen,
        mentored,
        objective,
        // Nothing is proven of a plan scored from its choices alone.
        bound: f64::INFINITY,
        seconds: started.elapsed().as_secs_f64(),
        ..Default::default()
    }
}

/// Above this many (person, training) pairs a model is large (see `optimal`).
const LARGE: usize = 2000;

/// The optimal plan (or the best found within `limit` of wall time, with its proven bound); when the solver's plan is worse than `start` (a feasible plan: the
/// greedy one, or the plan of a smaller budget) or breaks a limit, `start` is returned, marked.
pub fn optimal(input: &Input, limit: Duration, start: Option<&Plan>) -> Plan {
    use coin_cbc::{Model, Sense};
    let started = Instant::now();
    let start: Option<&Plan> = start.filter(|s| feasible(input, &s.chosen));
    let pairs = pairs(input);
    let routable = input.mentor_edges.iter().any(|e| input.mentors.get(e.mentor).copied().unwrap_or(0) > 0);
    if input.budget < 0 || (pairs.is_empty() && !routable) {
        let mut p = scored(input, vec![], started);
        p.optimal = input.budget >= 0 && pairs.is_empty();
        if p.optimal {
            p.bound = p.objective;
        }
        return p;
    }
    let mut m = Model::default();
    m.set_log_level(0);
    // Wall time, not the process's CPU time (CBC's default), which a busy machine stretches.
    m.set_parameter("timeMode", "elapsed");
    m.set_parameter("sec", &format!("{:.3}", limit.as_secs_f64().max(0.05)));
    m.set_parameter("threads", "1");
    // At regency scale (thousands of pairs) the first LP takes most of the time and is nearly
    // integral: the plan is rounded from it below. The feasibility pump would then run past the
    // limit (CBC checks the time only between its passes: 9.4 s for a 6.5 s limit, measured).
    if pairs.len() > LARGE {
        m.set_parameter("feasibilityPump", "off");
    }
    m.set_obj_sense(Sense::Maximize);
    // Among plans closing the same gap, the cheapest: every rupiah (and every seat) costs a little,
    // at most PENALTY in all, far below any difference in the weighted gap.
    const PENALTY: f64 = 1e-4;
    let money: f64 = pairs.iter().map(|(_, t)| input.trainings[*t].cost_per_participant as f64).sum::<f64>()
        + input.trainings.iter().map(|t| t.fixed_cost as f64).sum::<f64>()
        + pairs.len() as f64;
    let per_rupiah = PENALTY / money.max(1.0);
    let x: Vec<_> = pairs
        .iter()
        .map(|(_, t)| {
            let c = m.add_binary();
            m.set_obj_coeff(c, -per_rupiah * (input.trainings[*t].cost_per_participant as f64 + 1.0));
            c
        })
        .collect();
    let index = |p: usize, t: usize| pairs.binary_search(&(p, t)).ok();
    let y: Vec<Option<_>> = input
        .trainings
        .iter()
        .map(|t| {
            (t.fixed_cost > 0 || t.min_class > 1).then(|| {
                let c = m.add_binary();
                m.set_obj_coeff(c, -per_rupiah * t.fixed_cost as f64);
                c
            })
        })
        .collect();
    // Credits by trainings and by mentors, at most one per need.
    let mut per_need: Vec<Vec<coin_cbc::Col>> = vec![vec![]; input.needs.len()];
    for o in input.offers.iter().filter(|o| o.value > 0.0) {
        let Some(i) = index(input.needs[o.need].person, o.training) else { continue };
        let w = m.add_col();
        m.set_col_upper(w, 1.0);
        m.set_obj_coeff(w, o.value);
        let r = m.add_row();
        m.set_weight(r, w, 1.0);
        m.set_weight(r, x[i], -1.0);
        m.set_row_upper(r, 0.0);
        per_need[o.need].push(w);
    }
    // Mentoring, aggregated exactly: needs with the same candidate mentors form a class; u[n] says
    // need n is mentored, f[m,k] how many of class k mentor m takes. Σ_{n∈k} u[n] ≤ Σ_m f[m,k] and
    // Σ_k f[m,k] ≤ capacity[m]: any such flow is an assignment (every mentor of a class may take any
    // of its needs), with a column per (mentor, class) instead of one per (need, mentor).
    let mut candidates: Vec<Vec<usize>> = vec![vec![]; input.needs.len()];
    for e in &input.mentor_edges {
        if input.mentors.get(e.mentor).copied().unwrap_or(0) > 0 && e.need < input.needs.len() {
            candidates[e.need].push(e.mentor);
        }
    }
    let mut classes: std::collections::HashMap<Vec<usize>, Vec<usize>> = std::collections::HashMap::new();
    for (n, c) in candidates.iter_mut().enumerate() {
        c.sort_unstable();
        c.dedup();
        if !c.is_empty() && input.needs[n].by_mentor > 0.0 {
            classes.entry(c.clone()).or_default().push(n);
        }
    }
    let mut classes: Vec<(Vec<usize>, Vec<usize>)> = classes.into_iter().collect();
    classes.sort();
    let mut per_mentor: Vec<Vec<coin_cbc::Col>> = vec![vec![]; input.mentors.len()];
    for (mentors, needs) in &classes {
        let row = m.add_row();
        for n in needs {
            let u = m.add_col();
            m.set_col_upper(u, 1.0);
            m.set_obj_coeff(u, input.needs[*n].by_mentor);
            m.set_weight(row, u, 1.0);
            per_need[*n].push(u);
        }
        for mentor in mentors {
            let f = m.add_col();
            m.set_col_upper(f, f64::from(input.mentors[*mentor].min(needs.len() as u32)));
            m.set_weight(row, f, -1.0);
            per_mentor[*mentor].push(f);
        }
        m.set_row_upper(row, 0.0);
    }
    for ws in per_need.iter().filter(|ws| ws.len() > 1) {
        let r = m.add_row();
        for w in ws {
            m.set_weight(r, *w, 1.0);
        }
        m.set_row_upper(r, 1.0);
    }
    for (mentor, fs) in per_mentor.iter().enumerate() {
        if fs.len() > 1 {
            let r = m.add_row();
            for f in fs {
                m.set_weight(r, *f, 1.0);
            }
            m.set_row_upper(r, f64::from(input.mentors[mentor]));
        }
    }
    // Seats, fixed costs and minimum classes, trainings per person.
    for (t, tr) in input.trainings.iter().enumerate() {
        let seat = m.add_row();
        for (i, (_, pt)) in pairs.iter().enumerate() {
            if *pt == t {
                m.set_weight(seat, x[i], 1.0);
                if let Some(yt) = y[t] {
                    let link = m.add_row();
                    m.set_weight(link, x[i], 1.0);
                    m.set_weight(link, yt, -1.0);
                    m.set_row_upper(link, 0.0);
                }
            }
        }
        m.set_row_upper(seat, f64::from(tr.seats));
        // A class opens with its minimum: Σx − min·y ∈ [0, seats − min] (with y = 0 the links
        // above hold every x at 0); a class that can never reach its minimum stays closed.
        if let Some(yt) = y[t].filter(|_| tr.min_class > 1) {
            if tr.min_class > tr.seats {
                m.set_col_upper(yt, 0.0);
            } else {
                m.set_weight(seat, yt, -f64::from(tr.min_class));
                m.set_row_lower(seat, 0.0);
                m.set_row_upper(seat, f64::from(tr.seats - tr.min_class));
            }
        }
    }
    for p in 0..input.people {
        let idx: Vec<usize> = pairs.iter().enumerate().filter(|(_, (pp, _))| *pp == p).map(|(i, _)| i).collect();
        let cap = input.per_person.get(p).copied().unwrap_or(0);
        if idx.len() as u32 > cap {
            let r = m.add_row();
            for i in idx {
                m.set_weight(r, x[i], 1.0);
            }
            m.set_row_upper(r, f64::from(cap));
        }
    }
    let budget = m.add_row();
    for (i, (_, t)) in pairs.iter().enumerate() {
        m.set_weight(budget, x[i], input.trainings[*t].cost_per_participant as f64);
    }
    for (t, yt) in y.iter().enumerate() {
        if let Some(yt) = yt {
            m.set_weight(budget, *yt, input.trainings[t].fixed_cost as f64);
        }
    }
    m.set_row_upper(budget, input.budget as f64);
    // No MIP start: at regency scale CBC 2.10 reported a partial start as proven optimal after a
    // fraction of a second (measured on a 400-staff dinas); `start` is only the fallback below.
    let sol = m.solve();
    let raw = sol.raw();
    let chosen: Vec<(usize, usize)> =
        pairs.iter().enumerate().filter(|(i, _)| sol.col(x[*i]) > 0.5).map(|(_, p)| *p).collect();
    // Proven only when the plan scored from its choices reaches the solver's own value (the
    // mentoring part is integral for fixed trainings; a fractional credit would show here).
    let proven = raw.is_proven_optimal();
    let solver_value = raw.obj_value();
    // CBC's bound is on the penalised objective; the gap closed is at most that plus the penalty.
    let solver_bound = raw.best_possible_value() + PENALTY;
    let timed_out = raw.is_seconds_limit_reached();
    // The start is already scored: it stands in when the solver's plan breaks a limit or is worse.
    let mut plan = if feasible(input, &chosen) {
        scored(input, chosen, started)
    } else {
        Plan { fell_back: true, ..start.cloned().unwrap_or_else(|| scored(input, vec![], started)) }
    };
    // Stopped by its limit: what the solver holds (its plan, or the relaxation it stopped in; at
    // regency scale the first LP takes most of the time and is nearly integral) rounded: the
    // pairs it holds whole (classes below their minimum closed), then those it holds in part
    // while they fit, then grown greedily with the money left. Feasible by construction
    // (checked), so it stands when it closes more.
    if !proven {
        let whole: Vec<(usize, usize)> =
            pairs.iter().enumerate().filter(|(i, _)| sol.col(x[*i]) > 1.0 - 1e-6).map(|(_, p)| *p).collect();
        let mut size = vec![0u32; input.trainings.len()];
        for (_, t) in &whole {
            size[*t] += 1;
        }
        let mut kept: Vec<(usize, usize)> =
            whole.into_iter().filter(|(_, t)| size[*t] >= input.trainings[*t].min_class).collect();
        // Then the pairs it holds in part, the most first, each while it fits: a seat in a class
        // kept open or a training without a minimum, within seats, caps and the money left.
        let mut used = vec![0u32; input.trainings.len()];
        let mut per = vec![0u32; input.people];
        for (p, t) in &kept {
            used[*t] += 1;
            per[*p] += 1;
        }
        let mut spent = cost(input, &kept);
        let mut part: Vec<(f64, (usize, usize))> = pairs
            .iter()
            .enumerate()
            .map(|(i, p)| (sol.col(x[i]), *p))
            .filter(|(v, _)| *v > 0.05 && *v <= 1.0 - 1e-6)
            .collect();
        part.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        for (_, (p, t)) in part {
            let tr = &input.trainings[t];
            let add = tr.cost_per_participant + if used[t] == 0 { tr.fixed_cost } else { 0 };
            if (used[t] == 0 && tr.min_class > 1)
                || used[t] >= tr.seats
                || per[p] >= input.per_person.get(p).copied().unwrap_or(0)
                || spent + add > input.budget
            {
                continue;
            }
            used[t] += 1;
            per[p] += 1;
            spent += add;
            kept.push((p, t));
        }
        if feasible(input, &kept) {
            let grown = greedy_from(input, &kept);
            if grown.objective > plan.objective + 1e-9 {
                plan = Plan { fell_back: false, ..grown };
            }
        }
    }
    if let Some(s) = start
        && s.objective > plan.objective + 1e-9
    {
        plan = Plan { fell_back: true, ..s.clone() };
    }
    plan.optimal = proven && !plan.fell_back && plan.objective + 2.0 * PENALTY + 1e-6 >= solver_value;
    plan.bound = if plan.optimal {
        plan.objective
    } else if solver_bound.is_finite() && (proven || timed_out) {
        solver_bound.max(plan.objective)
    } else {
        f64::INFINITY
    };
    plan.timed_out = timed_out;
    plan.seconds = started.elapsed().as_secs_f64();
    plan
}

/// A point of the frontier: a budget and its plan.
pub type Point = (i64, Plan);

/// How long a frontier may take. Every limit is wall time: CBC is told to count elapsed time
/// (`timeMode elapsed`), and no solve starts past `deadline` or runs beyond it.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// At most this for the main budget's solve.
    pub main: Duration,
    /// At most this for each other point (less when the time left, shared among the points not
    /// solved yet, is shorter).
    pub point: Duration,
    /// No solve runs past this instant; points not reached keep their starting plans.
    pub deadline: Instant,
}

/// Below this much time left a solve is not started (CBC would only read the model).
const MIN_SOLVE: Duration = Duration::from_millis(100);

/// What no plan can exceed, whatever the budget: per need the best of its offers (for a person
/// who may still be given a training) and its mentoring (when a mentor with capacity may take
/// it): a need is credited with the best of its routes, never their sum.
pub fn upper_bound(input: &Input) -> f64 {
    let mut best = vec![0.0f64; input.needs.len()];
    for o in input.offers.iter().filter(|o| o.value > 0.0) {
        if input.per_person.get(input.needs[o.need].person).copied().unwrap_or(0) > 0 {
            best[o.need] = best[o.need].max(o.value);
        }
    }
    for e in &input.mentor_edges {
        if input.mentors.get(e.mentor).copied().unwrap_or(0) > 0 && e.need < best.len() {
            best[e.need] = best[e.need].max(input.needs[e.need].by_mentor);
        }
    }
    best.iter().sum()
}

/// The frontier as it stands: each point its solved plan, or (not solved yet) its starting plan,
/// marked unproven. Then the points never fall (a plan for less money is feasible for more, and
/// stands in, marked), no point loses to its greedy plan, and every bound is tightened by the
/// bound of a larger budget (the best plan never gains from less money) and by `upper_bound`;
/// a point whose bound meets its plan is proven.
fn assemble(budgets: &[i64], starts: &[Plan], solved: &[Option<Plan>], ceiling: f64) -> Vec<(i64, Plan)> {
    let mut out: Vec<(i64, Plan)> = budgets
        .iter()
        .zip(starts)
        .zip(solved)
        .map(|((b, g), s)| {
            let p = match s {
                Some(p) => p.clone(),
                None => Plan {
                    optimal: false,
                    bound: f64::INFINITY,
                    fell_back: true,
                    timed_out: true,
                    not_reached: true,
                    ..g.clone()
                },
            };
            (*b, p)
        })
        .collect();
    for k in 1..out.len() {
        if out[k].1.objective + 1e-9 < out[k - 1].1.objective {
            let prev = out[k - 1].1.clone();
            let p = &mut out[k].1;
            let (bound, timed_out, not_reached) = (p.bound, p.timed_out, p.not_reached);
            *p = Plan {
                optimal: false,
                fell_back: true,
                timed_out,
                not_reached,
                bound: bound.max(prev.objective),
                ..prev
            };
        }
    }
    for k in (0..out.len()).rev() {
        let above = if k + 1 < out.len() { out[k + 1].1.bound } else { f64::INFINITY };
        let p = &mut out[k].1;
        let limit = above.min(ceiling);
        if limit < p.bound {
            p.bound = limit.max(p.objective);
        }
        // The solver's bound carries the tie-breaking penalty (at most 1e-4): within it is proven.
        if !p.optimal && p.bound - p.objective <= 1e-3 {
            p.bound = p.objective;
            p.optimal = true;
        }
    }
    out
}

/// The plan at each budget, within `limits` of wall time. Every budget first gets a starting
/// plan: the better of its greedy plan and the plan of the budget below (feasible for a larger
/// budget) grown greedily with the money added. The main budget is solved first, then the
/// others, lowest first, each started from the best plan known for it, each with the time left
/// shared among the points not solved yet (at most `limits.point`); the starting plans above a
/// solved point grow again from it. After each step `emit` receives the whole frontier as it stands
/// (`assemble`): every point a feasible plan, the points never falling, each proven or with its
/// true bound, so a run cut short at any moment keeps the last frontier emitted.
pub fn frontier(
    input: &Input,
    budgets: &[i64],
    main: i64,
    limits: Limits,
    emit: &mut dyn FnMut(&[Point]),
) -> Vec<(i64, Plan)> {
    let mut budgets = budgets.to_vec();
    budgets.sort_unstable();
    budgets.dedup();
    let at = |b: i64| {
        let mut i = input.clone();
        i.budget = b;
        i
    };
    let ceiling = upper_bound(input);
    // Each budget's starting plan: the better of its greedy plan and the plan below it (solved,
    // or itself a starting plan) extended greedily with the money added; `base[k]` is what the
    // plan below closed when budget k was last extended from it.
    let mut starts: Vec<Plan> = budgets.iter().map(|b| greedy(&at(*b))).collect();
    let mut base = vec![f64::NEG_INFINITY; budgets.len()];
    let mut solved: Vec<Option<Plan>> = vec![None; budgets.len()];
    let extend = |starts: &mut Vec<Plan>, base: &mut Vec<f64>, solved: &[Option<Plan>]| {
        for k in 1..budgets.len() {
            let below = solved[k - 1].as_ref().unwrap_or(&starts[k - 1]).clone();
            if solved[k].is_some() || below.objective <= base[k] + 1e-9 {
                continue;
            }
            base[k] = below.objective;
            let grown = greedy_from(&at(budgets[k]), &below.chosen);
            if grown.objective > starts[k].objective + 1e-9 {
                starts[k] = grown;
            }
        }
    };
    extend(&mut starts, &mut base, &solved);
    let mut current = assemble(&budgets, &starts, &solved, ceiling);
    emit(&current);
    let left = || limits.deadline.saturating_duration_since(Instant::now());
    // The main budget first, then the others from the lowest.
    let mut order: Vec<usize> = (0..budgets.len()).filter(|k| budgets[*k] != main).collect();
    if let Some(k) = budgets.iter().position(|b| *b == main) {
        order.insert(0, k);
    }
    for (n, k) in order.iter().copied().enumerate() {
        let time = left();
        if time < MIN_SOLVE {
            break;
        }
        let i = at(budgets[k]);
        let limit =
            if budgets[k] == main { limits.main.min(time) } else { limits.point.min(time / (order.len() - n) as u32) };
        // The best feasible plan known for this budget: its starting plan, or a point below as
        // it stands.
        let mut start = starts[k].clone();
        for p in current[..k].iter().map(|(_, p)| p) {
            if p.objective > start.objective + 1e-9 && feasible(&i, &p.chosen) {
                start = p.clone();
            }
        }
        start.optimal = false;
        start.not_reached = false;
        solved[k] = Some(optimal(&i, limit.max(MIN_SOLVE), Some(&start)));
        extend(&mut starts, &mut base, &solved);
        current = assemble(&budgets, &starts, &solved, ceiling);
        emit(&current);
    }
    current
}

/// The simple plan to compare with: repeatedly take the move that closes the most weighted gap
/// per rupiah while it fits, a move being one seat in a class already open or a scheduled
/// training, or opening a class with the minimum number of its best candidates. Mentors then
/// take what is left, as in every plan.
pub fn greedy(input: &Input) -> Plan {
    greedy_from(input, &[])
}

/// A training's best move as a heap key: (gain per rupiah, gain, training), greater first; among
/// equal moves the lower training first.
#[derive(Clone, Copy, Debug)]
struct MoveKey(f64, f64, usize);

impl PartialEq for MoveKey {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == std::cmp::Ordering::Equal
    }
}

impl Eq for MoveKey {}

impl PartialOrd for MoveKey {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}

impl Ord for MoveKey {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.total_cmp(&o.0).then(self.1.total_cmp(&o.1)).then(o.2.cmp(&self.2))
    }
}

/// The greedy plan grown from `start` (a feasible plan: kept whole, its classes open), as
/// `greedy` does from nothing: the plan of a smaller budget, extended with what more money buys.
///
/// Lazily: each training's move is kept in a heap by the key it had when last computed. A move's
/// key never rises until its own training is taken (gains only fall as needs are closed and
/// people reach their cap; its cost stays), and a move that no longer fits never fits again (the
/// money spent only grows), so the top move, computed again and still at least the next key, is
/// the best move of all: the same choice as computing every move at every step.
pub fn greedy_from(input: &Input, start: &[(usize, usize)]) -> Plan {
    use std::collections::{BinaryHeap, HashMap, HashSet};
    let started = Instant::now();
    // The offers of each (person, training) pair, and the pairs of each training.
    let mut by_pair: HashMap<(usize, usize), Vec<(usize, f64)>> = HashMap::new();
    for o in input.offers.iter().filter(|o| o.value > 0.0) {
        by_pair.entry((input.needs[o.need].person, o.training)).or_default().push((o.need, o.value));
    }
    let mut of_training: Vec<Vec<usize>> = vec![vec![]; input.trainings.len()];
    for (p, t) in pairs(input) {
        of_training[t].push(p);
    }
    struct State {
        chosen: Vec<(usize, usize)>,
        picked: HashSet<(usize, usize)>,
        seated: Vec<u32>,
        taken: Vec<u32>,
        best: Vec<f64>,
        spent: i64,
    }
    let mut st = State {
        chosen: vec![],
        picked: HashSet::new(),
        seated: vec![0; input.trainings.len()],
        taken: vec![0; input.people],
        best: vec![0.0; input.needs.len()],
        spent: 0,
    };
    let take = |st: &mut State, group: &[(usize, usize)]| {
        for &(p, t) in group {
            st.chosen.push((p, t));
            st.picked.insert((p, t));
            st.seated[t] += 1;
            st.taken[p] += 1;
            for (n, v) in by_pair.get(&(p, t)).into_iter().flatten() {
                st.best[*n] = st.best[*n].max(*v);
            }
        }
    };
    if feasible(input, start) {
        st.spent = cost(input, start);
        take(&mut st, start);
    }
    // The best move of training t now: (key, the pairs of the move, its cost), if one fits.
    let best_move = |st: &State, t: usize| {
        let tr = &input.trainings[t];
        if st.seated[t] >= tr.seats {
            return None;
        }
        let mut candidates: Vec<(f64, usize)> = of_training[t]
            .iter()
            .filter(|p| st.taken[**p] < input.per_person[**p] && !st.picked.contains(&(**p, t)))
            .map(|p| {
                let gain: f64 =
                    by_pair.get(&(*p, t)).into_iter().flatten().map(|(n, v)| (v - st.best[*n]).max(0.0)).sum();
                (gain, *p)
            })
            .filter(|(g, _)| *g > 0.0)
            .collect();
        let size = if st.seated[t] == 0 { tr.min_class.max(1) as usize } else { 1 };
        if candidates.len() < size || st.seated[t] + size as u32 > tr.seats {
            return None;
        }
        candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        let group: Vec<(usize, usize)> = candidates[..size].iter().map(|(_, p)| (*p, t)).collect();
        let gain: f64 = candidates[..size].iter().map(|(g, _)| g).sum();
        let c = tr.cost_per_participant * size as i64 + if st.seated[t] == 0 { tr.fixed_cost } else { 0 };
        if st.spent + c > input.budget {
            return None;
        }
        let ratio = if c == 0 { f64::INFINITY } else { gain / c as f64 };
        Some((MoveKey(ratio, gain, t), group, c))
    };
    let mut heap: BinaryHeap<MoveKey> =
        (0..input.trainings.len()).filter_map(|t| best_move(&st, t).map(|m| m.0)).collect();
    while let Some(top) = heap.pop() {
        // Gone for good: no candidate left, no seat, or it no longer fits.
        let Some((key, group, c)) = best_move(&st, top.2) else { continue };
        if heap.peek().is_some_and(|next| key < *next) {
            heap.push(key);
            continue;
        }
        st.spent += c;
        take(&mut st, &group);
        if let Some((again, _, _)) = best_move(&st, top.2) {
            heap.push(again);
        }
    }
    scored(input, st.chosen, started)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Rng;

    /// The best routing of the rest to mentors, by enumerating every assignment.
    fn brute_mentors(input: &Input, rest: &[f64], n: usize, caps: &mut Vec<u32>) -> f64 {
        if n == rest.len() {
            return 0.0;
        }
        let mut best = brute_mentors(input, rest, n + 1, caps);
        if rest[n] > 0.0 {
            for e in input.mentor_edges.iter().filter(|e| e.need == n) {
                if caps[e.mentor] > 0 {
                    caps[e.mentor] -= 1;
                    best = best.max(rest[n] + brute_mentors(input, rest, n + 1, caps));
                    caps[e.mentor] += 1;
                }
            }
        }
        best
    }

    /// Every subset of the candidate pairs and every routing of the rest: the best feasible
    /// objective, computed without `evaluate` or the assignment.
    fn brute(input: &Input) -> f64 {
        let pairs = pairs(input);
        assert!(pairs.len() <= 14, "small instances only");
        let mut best = 0.0f64;
        for mask in 0u32..(1 << pairs.len()) {
            let chosen: Vec<(usize, usize)> =
                pairs.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, p)| *p).collect();
            if !feasible(input, &chosen) {
                continue;
            }
            let mut credit = vec![0.0f64; input.needs.len()];
            for o in &input.offers {
                if chosen.contains(&(input.needs[o.need].person, o.training)) {
                    credit[o.need] = credit[o.need].max(o.value);
                }
            }
            let rest: Vec<f64> = input.needs.iter().zip(&credit).map(|(n, c)| (n.by_mentor - c).max(0.0)).collect();
            let total = credit.iter().sum::<f64>() + brute_mentors(input, &rest, 0, &mut input.mentors.clone());
            best = best.max(total);
        }
        best
    }

    /// A small organisation: scheduled trainings and catalogue classes with a minimum size and a
    /// class cost, a few mentors with little capacity, people already enrolled elsewhere.
    fn random(rng: &mut Rng) -> Input {
        let people = rng.range(1, 5) as usize;
        let trainings: Vec<Training> = (0..rng.range(1, 4))
            .map(|_| {
                let class = rng.range(0, 2) == 0;
                Training {
                    cost_per_participant: rng.range(0, 5) * 1_000_000,
                    fixed_cost: if class || rng.range(0, 2) == 0 { rng.range(0, 6) * 1_000_000 } else { 0 },
                    seats: rng.range(1, 4) as u32,
                    min_class: if class { rng.range(1, 4) as u32 } else { 1 },
                }
            })
            .collect();
        let mut needs = vec![];
        let mut offers = vec![];
        for p in 0..people {
            for _ in 0..rng.range(1, 3) {
                let n = needs.len();
                let full = rng.range(1, 7) as f64;
                needs.push(Need { person: p, by_mentor: full.min(rng.range(1, 4) as f64) });
                for t in 0..trainings.len() {
                    // Overlapping trainings: several may develop the same need, some only partly.
                    if rng.range(0, 2) > 0 {
                        offers.push(Offer { need: n, training: t, value: full.min(rng.range(1, 7) as f64) });
                    }
                }
            }
        }
        let mentors: Vec<u32> = (0..rng.range(0, 3)).map(|_| rng.range(0, 3) as u32).collect();
        let mut mentor_edges = vec![];
        for n in 0..needs.len() {
            for m in 0..mentors.len() {
                if rng.range(0, 3) == 0 {
                    mentor_edges.push(MentorEdge { need: n, mentor: m, same_unit: rng.range(0, 2) == 0 });
                }
            }
        }
        Input {
            people,
            trainings,
            needs,
            offers,
            mentors,
            mentor_edges,
            per_person: (0..people).map(|_| rng.range(0, 3) as u32).collect(),
            budget: rng.range(0, 14) * 1_000_000,
        }
    }

    #[test]
    fn the_plan_is_optimal_against_brute_force() {
        let mut rng = Rng::new(7);
        let (mut greedy_worse, mut classes, mut mentored, mut checked) = (0, 0, 0, 0);
        for case in 0..900 {
            let input = random(&mut rng);
            if pairs(&input).len() > 12 {
                continue;
            }
            checked += 1;
            let plan = optimal(&input, Duration::from_secs(10), None);
            assert!(plan.optimal, "case {case}: proven optimal");
            assert!(feasible(&input, &plan.chosen), "case {case}: within seats, classes, caps and budget");
            let want = brute(&input);
            assert!(
                (plan.objective - want).abs() < 1e-6,
                "case {case}: plan {} vs brute force {want}: {input:?}",
                plan.objective
            );
            assert!(plan.cost <= input.budget);
            if plan.chosen.iter().any(|(_, t)| input.trainings[*t].min_class > 1) {
                classes += 1;
            }
            if !plan.mentored.is_empty() {
                mentored += 1;
            }
            let g = greedy(&input);
            assert!(feasible(&input, &g.chosen), "case {case}: the greedy plan keeps the limits");
            assert!(g.objective <= want + 1e-9);
            if g.objective < want - 1e-9 {
                greedy_worse += 1;
            }
        }
        assert!(checked > 500, "enough instances: {checked}");
        assert!(classes > 10, "classes opened from the catalogue with their minimum: {classes}");
        assert!(mentored > 10, "needs routed to mentors: {mentored}");
        assert!(greedy_worse > 0, "on some cases the greedy plan is worse than the optimal one");
    }

    /// Each point of a frontier re-checked against the constraints of its budget: budget, seats,
    /// classes and caps (`feasible`), scored from its choices, never falling, its bound never
    /// below the true optimum (brute force), proven only when it is the optimum.
    fn check_points(input: &Input, points: &[(i64, Plan)], what: &str) {
        let mut last = -1.0;
        for (b, p) in points {
            let mut i = input.clone();
            i.budget = *b;
            assert!(feasible(&i, &p.chosen), "{what}: point at {b} breaks a limit");
            assert!(p.cost <= *b && p.cost == cost(&i, &p.chosen), "{what}: point at {b} costs {}", p.cost);
            let (score, _) = evaluate(&i, &p.chosen);
            assert!((score - p.objective).abs() < 1e-9, "{what}: point at {b} scored {score}, shown {}", p.objective);
            assert!(p.objective + 1e-9 >= last, "{what}: the frontier falls at {b}");
            assert!(p.bound + 1e-9 >= p.objective);
            last = p.objective;
            if pairs(&i).len() <= 12 {
                let best = brute(&i);
                assert!(p.bound + 1e-6 >= best, "{what}: point at {b}: bound {} below the optimum {best}", p.bound);
                assert!(!p.optimal || (p.objective - best).abs() < 1e-6, "{what}: point at {b} proven but not optimal");
            }
        }
    }

    /// Every frontier point is a feasible plan, and more money never closes less: the frontier
    /// solved in full (every point optimal), every frontier emitted on the way (what a run cut
    /// short by its wall-time limit keeps: solved points and starting plans), and a frontier
    /// whose deadline has passed before any solve (greedy plans and the plans below, unproven).
    #[test]
    fn the_frontier_is_feasible_and_monotone() {
        let mut rng = Rng::new(99);
        let budgets: Vec<i64> = [0, 1, 2, 3, 4, 6, 8, 12].iter().map(|k| k * 1_000_000).collect();
        let (mut cut_unproven, mut cut_bounded) = (0, 0);
        for case in 0..60 {
            let mut input = random(&mut rng);
            input.budget = 6_000_000;
            let limits = Limits {
                main: Duration::from_secs(5),
                point: Duration::from_secs(2),
                deadline: Instant::now() + Duration::from_secs(600),
            };
            let mut emitted: Vec<Vec<(i64, Plan)>> = vec![];
            let points = frontier(&input, &budgets, input.budget, limits, &mut |f| emitted.push(f.to_vec()));
            assert_eq!(emitted.len(), budgets.len() + 1, "case {case}: the greedy frontier, then one per solve");
            assert_eq!(emitted.last(), Some(&points));
            check_points(&input, &points, &format!("case {case}"));
            for (b, p) in &points {
                let mut i = input.clone();
                i.budget = *b;
                if pairs(&i).len() <= 12 {
                    assert!(p.optimal, "case {case}: point at {b} proven");
                }
            }
            for (k, f) in emitted.iter().enumerate() {
                check_points(&input, f, &format!("case {case}, emitted {k}"));
            }
            // Cut short before any solve.
            let past = Limits { deadline: Instant::now(), ..limits };
            let mut n = 0;
            let cut = frontier(&input, &budgets, input.budget, past, &mut |_| n += 1);
            assert_eq!(n, 1, "case {case}: only the starting frontier");
            check_points(&input, &cut, &format!("case {case}, cut short"));
            for (_, p) in &cut {
                if !p.optimal {
                    cut_unproven += 1;
                    cut_bounded += usize::from(p.bound.is_finite());
                }
            }
        }
        assert!(
            cut_unproven > 0 && cut_bounded > 0,
            "unproven points, with their bound: {cut_unproven}, {cut_bounded}"
        );
    }

    /// The greedy plan as first written: every move computed again at every step.
    fn exhaustive_greedy(input: &Input) -> Plan {
        let started = Instant::now();
        // The offers of each (person, training) pair, and the pairs of each training.
        let mut by_pair: std::collections::HashMap<(usize, usize), Vec<(usize, f64)>> =
            std::collections::HashMap::new();
        for o in input.offers.iter().filter(|o| o.value > 0.0) {
            by_pair.entry((input.needs[o.need].person, o.training)).or_default().push((o.need, o.value));
        }
        let mut of_training: Vec<Vec<usize>> = vec![vec![]; input.trainings.len()];
        for (p, t) in pairs(input) {
            of_training[t].push(p);
        }
        let mut chosen: Vec<(usize, usize)> = vec![];
        let mut picked: std::collections::HashSet<(usize, usize)> = std::collections::HashSet::new();
        let mut seated = vec![0u32; input.trainings.len()];
        let mut taken = vec![0u32; input.people];
        let mut best = vec![0.0f64; input.needs.len()];
        let mut spent = 0i64;
        loop {
            // (gain per rupiah, gain, the pairs of the move, its cost)
            type Move = (f64, f64, Vec<(usize, usize)>, i64);
            let mut pick: Option<Move> = None;
            for (t, tr) in input.trainings.iter().enumerate() {
                if seated[t] >= tr.seats {
                    continue;
                }
                let mut candidates: Vec<(f64, usize)> = of_training[t]
                    .iter()
                    .filter(|p| !picked.contains(&(**p, t)) && taken[**p] < input.per_person[**p])
                    .map(|p| {
                        let gain: f64 =
                            by_pair.get(&(*p, t)).into_iter().flatten().map(|(n, v)| (v - best[*n]).max(0.0)).sum();
                        (gain, *p)
                    })
                    .filter(|(g, _)| *g > 0.0)
                    .collect();
                let size = if seated[t] == 0 { tr.min_class.max(1) as usize } else { 1 };
                if candidates.len() < size || seated[t] + size as u32 > tr.seats {
                    continue;
                }
                candidates.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                let group: Vec<(usize, usize)> = candidates[..size].iter().map(|(_, p)| (*p, t)).collect();
                let gain: f64 = candidates[..size].iter().map(|(g, _)| g).sum();
                let c = tr.cost_per_participant * size as i64 + if seated[t] == 0 { tr.fixed_cost } else { 0 };
                if spent + c > input.budget {
                    continue;
                }
                let ratio = if c == 0 { f64::INFINITY } else { gain / c as f64 };
                if pick.as_ref().is_none_or(|(r, g, _, _)| ratio > *r || (ratio == *r && gain > *g)) {
                    pick = Some((ratio, gain, group, c));
                }
            }
            let Some((_, _, group, c)) = pick else { break };
            spent += c;
            for (p, t) in group {
                chosen.push((p, t));
                picked.insert((p, t));
                seated[t] += 1;
                taken[p] += 1;
                for (n, v) in by_pair.get(&(p, t)).into_iter().flatten() {
                    best[*n] = best[*n].max(*v);
                }
            }
        }
        scored(input, chosen, started)
    }

    /// The lazy greedy plan takes the same moves as computing every move at every step, on small
    /// instances and on larger ones (many people, trainings with classes); grown from a smaller
    /// budget's plan it keeps that plan and stays feasible.
    #[test]
    fn the_lazy_greedy_plan_is_the_greedy_plan() {
        let mut rng = Rng::new(5);
        for case in 0..400 {
            let mut input = random(&mut rng);
            if case >= 300 {
                // Larger: 40 people, 8 trainings.
                let mut big = random(&mut rng);
                for _ in 0..12 {
                    let more = random(&mut rng);
                    let (people, needs, trainings) = (big.people, big.needs.len(), big.trainings.len());
                    big.people += more.people;
                    big.per_person.extend(more.per_person);
                    big.needs.extend(more.needs.iter().map(|n| Need { person: n.person + people, ..n.clone() }));
                    big.offers.extend(more.offers.iter().map(|o| Offer {
                        need: o.need + needs,
                        training: o.training % (trainings.max(1)),
                        value: o.value,
                    }));
                }
                big.budget *= 4;
                input = big;
            }
            let lazy = greedy(&input);
            let every = exhaustive_greedy(&input);
            assert_eq!(lazy.chosen, every.chosen, "case {case}");
            assert!((lazy.objective - every.objective).abs() < 1e-9);
            let mut more = input.clone();
            more.budget += 5_000_000;
            let grown = greedy_from(&more, &lazy.chosen);
            assert!(feasible(&more, &grown.chosen), "case {case}: grown plan feasible");
            assert!(lazy.chosen.iter().all(|p| grown.chosen.contains(p)), "case {case}: the plan it grew from is kept");
            assert!(grown.objective + 1e-9 >= lazy.objective);
        }
    }

    /// A solve stopped by its limit (here at once) still answers with a feasible plan no worse
    /// than the one it started from, whatever it held when stopped, and an honest bound.
    #[test]
    fn a_solve_stopped_at_once_is_feasible_and_no_worse_than_its_start() {
        let mut rng = Rng::new(17);
        for case in 0..40 {
            let mut big = random(&mut rng);
            for _ in 0..15 {
                let more = random(&mut rng);
                let (people, needs, trainings) = (big.people, big.needs.len(), big.trainings.len());
                big.people += more.people;
                big.per_person.extend(more.per_person);
                big.needs.extend(more.needs.iter().map(|n| Need { person: n.person + people, ..n.clone() }));
                big.offers.extend(more.offers.iter().map(|o| Offer {
                    need: o.need + needs,
                    training: o.training % trainings.max(1),
                    value: o.value,
                }));
            }
            big.budget *= 5;
            let start = greedy(&big);
            let p = optimal(&big, Duration::from_millis(1), Some(&start));
            assert!(feasible(&big, &p.chosen), "case {case}: feasible");
            assert!(p.objective + 1e-9 >= start.objective, "case {case}: no worse than its start");
            let (score, _) = evaluate(&big, &p.chosen);
            assert!((score - p.objective).abs() < 1e-9, "case {case}: scored from its choices");
            assert!(p.bound + 1e-9 >= p.objective);
            let full = optimal(&big, Duration::from_secs(20), None);
            assert!(p.bound + 1e-6 >= full.objective, "case {case}: bound {} below a plan {}", p.bound, full.objective);
        }
    }

    #[test]
    fn gains_do_not_add_up_and_fixed_costs_count_once() {
        // One person, one need worth 4 from either training; two trainings are no better than one.
        let input = Input {
            people: 1,
            trainings: vec![
                Training { cost_per_participant: 1_000_000, fixed_cost: 0, seats: 5, min_class: 1 },
                Training { cost_per_participant: 1_000_000, fixed_cost: 0, seats: 5, min_class: 1 },
            ],
            needs: vec![Need { person: 0, by_mentor: 2.0 }],
            offers: vec![Offer { need: 0, training: 0, value: 4.0 }, Offer { need: 0, training: 1, value: 3.0 }],
            mentors: vec![],
            mentor_edges: vec![],
            per_person: vec![2],
            budget: 10_000_000,
        };
        let plan = optimal(&input, Duration::from_secs(5), None);
        assert_eq!(plan.objective, 4.0);
        assert_eq!(plan.chosen, vec![(0, 0)]);
        assert_eq!(plan.cost, 1_000_000);
        // A fixed cost of 3 million shared by two people fits a 5 million budget only once.
        let input = Input {
            people: 2,
            trainings: vec![Training {
                cost_per_participant: 1_000_000,
                fixed_cost: 3_000_000,
                seats: 5,
                min_class: 1,
            }],
            needs: vec![Need { person: 0, by_mentor: 2.0 }, Need { person: 1, by_mentor: 2.0 }],
            offers: vec![Offer { need: 0, training: 0, value: 2.0 }, Offer { need: 1, training: 0, value: 2.0 }],
            mentors: vec![],
            mentor_edges: vec![],
            per_person: vec![1, 1],
            budget: 5_000_000,
        };
        let plan = optimal(&input, Duration::from_secs(5), None);
        assert_eq!((plan.objective, plan.cost), (4.0, 5_000_000));
        // A class of at least three opens for three, not for two; a mentor takes the third's gap
        // for free, so the money goes to the class only when it pays.
        let mut input = Input {
            people: 3,
            trainings: vec![Training { cost_per_participant: 0, fixed_cost: 1_000_000, seats: 10, min_class: 3 }],
            needs: (0..3).map(|p| Need { person: p, by_mentor: 3.0 }).collect(),
            offers: (0..3).map(|n| Offer { need: n, training: 0, value: 3.0 }).collect(),
            mentors: vec![1],
            mentor_edges: vec![MentorEdge { need: 2, mentor: 0, same_unit: true }],
            per_person: vec![1, 1, 0],
            budget: 1_000_000,
        };
        let plan = optimal(&input, Duration::from_secs(5), None);
        assert!(plan.chosen.is_empty(), "two may go, three are needed: {plan:?}");
        assert_eq!((plan.objective, plan.mentored.clone()), (3.0, vec![(2, 0)]));
        input.per_person = vec![1, 1, 1];
        let plan = optimal(&input, Duration::from_secs(5), None);
        assert_eq!(plan.chosen.len(), 3);
        assert_eq!(plan.objective, 9.0);
    }
}
