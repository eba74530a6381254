//! The budget frontier: the plan at each of several budgets within one wall-time deadline.

use super::*;

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
pub(super) const MIN_SOLVE: Duration = Duration::from_millis(100);

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
pub(super) fn assemble(budgets: &[i64], starts: &[Plan], solved: &[Option<Plan>], ceiling: f64) -> Vec<(i64, Plan)> {
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
