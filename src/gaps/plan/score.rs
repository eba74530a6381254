//! Scoring a plan from its choices: the mentors recomputed exactly, its cost, and every limit checked.

use super::*;

/// The (person, training) pairs worth considering, in a stable order.
pub(super) fn pairs(input: &Input) -> Vec<(usize, usize)> {
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
pub(super) fn scored(input: &Input, chosen: Vec<(usize, usize)>, started: Instant) -> Plan {
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
