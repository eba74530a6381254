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
//! is shown; a solve stopped by its time limit without a feasible plan falls back to the plan it
//! was started from.
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

/// The optimal plan (or the best found within `limit` of the process's CPU time, CBC's own limit,
/// with its proven bound); when the solver's plan is worse than `start` (a feasible plan: the
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
    m.set_parameter("sec", &format!("{:.3}", limit.as_secs_f64().max(0.05)));
    m.set_parameter("threads", "1");
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

/// The plan at each budget. The main budget is solved first with `main_limit`, started from the
/// greedy plan; then the others, lowest first, each started from the best of its greedy plan and
/// the plan of the budget below (feasible for a larger budget), with `limit` each while the
/// whole stays within `deadline`. A point reached after the deadline is the best of those
/// starting plans, shown unproven. The points never fall (a plan for less money stands for a
/// larger budget), never lose to the greedy plan, and a bound is tightened by the bound of a
/// larger budget (the best plan never gains from less money).
pub fn frontier(
    input: &Input,
    budgets: &[i64],
    main: i64,
    (main_limit, limit, deadline): (Duration, Duration, Duration),
) -> Vec<(i64, Plan)> {
    let started = Instant::now();
    let mut budgets = budgets.to_vec();
    budgets.sort_unstable();
    budgets.dedup();
    let at = |b: i64| {
        let mut i = input.clone();
        i.budget = b;
        i
    };
    let better = |a: Plan, b: Plan| if b.objective > a.objective + 1e-9 { b } else { a };
    let main_plan = budgets.contains(&main).then(|| {
        let i = at(main);
        optimal(&i, main_limit, Some(&greedy(&i)))
    });
    let mut out: Vec<(i64, Plan)> = vec![];
    for b in budgets {
        if b == main
            && let Some(p) = &main_plan
        {
            out.push((b, p.clone()));
            continue;
        }
        let i = at(b);
        let mut start = greedy(&i);
        let below = out.last().map(|(_, p)| p.clone()).into_iter();
        let main_below = main_plan.clone().filter(|_| main < b).into_iter();
        for p in below.chain(main_below) {
            if feasible(&i, &p.chosen) {
                start = better(start, p);
            }
        }
        let plan = if started.elapsed() + limit <= deadline {
            optimal(&i, limit, Some(&start))
        } else {
            Plan { optimal: false, bound: f64::INFINITY, fell_back: true, ..start }
        };
        out.push((b, plan));
    }
    // Never falling: a plan for less money stands for more.
    for k in 1..out.len() {
        if out[k].1.objective + 1e-9 < out[k - 1].1.objective {
            let prev = out[k - 1].1.clone();
            let p = &mut out[k].1;
            let bound = p.bound;
            *p = Plan { optimal: false, fell_back: true, bound: bound.max(prev.objective), ..prev };
        }
    }
    for k in (0..out.len().saturating_sub(1)).rev() {
        let above = out[k + 1].1.bound;
        let p = &mut out[k].1;
        if above < p.bound {
            p.bound = above.max(p.objective);
        }
        // The solver's bound carries the tie-breaking penalty (at most 1e-4): within it is proven.
        if !p.optimal && p.bound - p.objective <= 1e-3 {
            p.bound = p.objective;
            p.optimal = true;
        }
    }
    out
}

/// The simple plan to compare with: repeatedly take the move that closes the most weighted gap
/// per rupiah while it fits, a move being one seat in a class already open or a scheduled
/// training, or opening a class with the minimum number of its best candidates. Mentors then
/// take what is left, as in every plan.
pub fn greedy(input: &Input) -> Plan {
    let started = Instant::now();
    // The offers of each (person, training) pair, and the pairs of each training.
    let mut by_pair: std::collections::HashMap<(usize, usize), Vec<(usize, f64)>> = std::collections::HashMap::new();
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

    /// Every frontier point is a feasible plan, and more money never closes less.
    #[test]
    fn the_frontier_is_feasible_and_monotone() {
        let mut rng = Rng::new(99);
        for case in 0..60 {
            let mut input = random(&mut rng);
            input.budget = 6_000_000;
            let budgets: Vec<i64> = [0, 1, 2, 3, 4, 6, 8, 12].iter().map(|k| k * 1_000_000).collect();
            let points = frontier(
                &input,
                &budgets,
                input.budget,
                (Duration::from_secs(5), Duration::from_secs(2), Duration::from_secs(600)),
            );
            let mut last = -1.0;
            for (b, p) in &points {
                let mut i = input.clone();
                i.budget = *b;
                assert!(feasible(&i, &p.chosen), "case {case}: point at {b} breaks a limit");
                assert!(p.cost <= *b);
                assert!(p.objective + 1e-9 >= last, "case {case}: the frontier falls at {b}");
                assert!(p.bound + 1e-9 >= p.objective);
                last = p.objective;
                if pairs(&i).len() <= 12 {
                    assert!((p.objective - brute(&i)).abs() < 1e-6, "case {case}: point at {b} not optimal");
                }
            }
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
