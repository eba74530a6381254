//! The budget-constrained development plan: which under-skilled staff go to which training so that
//! the weighted gap closed is the largest possible within the money available.
//!
//! Model (a mixed-integer linear programme):
//! - `x[p,t]` ∈ {0,1}: person p goes to training t (only pairs where t develops one of p's gaps);
//! - `y[t]` ∈ {0,1}: training t is used (its fixed cost is paid), for trainings with a fixed cost
//!   not yet paid;
//! - `w[n,t]` ∈ [0,1]: need n (a person's gap in a competency) is credited to training t.
//!
//! maximise Σ value[n,t]·w[n,t] subject to w[n,t] ≤ x[p(n),t]; Σ_t w[n,t] ≤ 1 (a participant's gain
//! in a competency is the best of their chosen trainings, gains do not add up); Σ_p x[p,t] ≤ seats[t];
//! x[p,t] ≤ y[t]; Σ_t x[p,t] ≤ trainings per person; Σ cost·x + Σ fixed·y ≤ budget.
//!
//! Solver: CBC (COIN-OR) through `coin_cbc`, linked to Debian's `coinor-libcbc-dev`. Measured on
//! the same instances as the alternatives (see `scripts/bench-plan` and the README): HiGHS through
//! `good_lp` solves them as fast but builds from source for about 8 minutes per profile, which the
//! README's 5-minute run command cannot afford; the pure-Rust `microlp` did not finish 100 staff ×
//! 10 trainings in two minutes. CBC builds in seconds, is exact, takes a time limit, and reports
//! its best bound, so a plan cut short says how far from optimal it can be at most.

use std::time::{Duration, Instant};

/// A training the plan may use.
#[derive(Clone, Debug)]
pub struct Training {
    pub cost_per_participant: i64,
    /// Paid once if anybody goes (0 when already paid: it has approved participants).
    pub fixed_cost: i64,
    pub seats: u32,
}

/// One gap of one person.
#[derive(Clone, Debug)]
pub struct Need {
    pub person: usize,
}

/// What training `training` is worth for need `need` (weight × levels it closes).
#[derive(Clone, Debug)]
pub struct Offer {
    pub need: usize,
    pub training: usize,
    pub value: f64,
}

#[derive(Clone, Debug)]
pub struct Input {
    pub people: usize,
    pub trainings: Vec<Training>,
    pub needs: Vec<Need>,
    pub offers: Vec<Offer>,
    pub per_person: u32,
    pub budget: i64,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    /// (person, training) pairs chosen.
    pub chosen: Vec<(usize, usize)>,
    /// The weighted gap closed.
    pub objective: f64,
    /// An upper bound on the best possible objective (equal to `objective` when proven optimal).
    pub bound: f64,
    pub optimal: bool,
    pub cost: i64,
    /// The time limit was reached.
    pub timed_out: bool,
    pub seconds: f64,
}

impl Plan {
    /// How far from optimal the plan can be at most, as a share of the bound.
    pub fn gap(&self) -> f64 {
        if self.bound <= 1e-9 { 0.0 } else { ((self.bound - self.objective) / self.bound).max(0.0) }
    }
}

/// The (person, training) pairs worth considering, in a stable order.
fn pairs(input: &Input) -> Vec<(usize, usize)> {
    let mut p: Vec<(usize, usize)> =
        input.offers.iter().filter(|o| o.value > 0.0).map(|o| (input.needs[o.need].person, o.training)).collect();
    p.sort_unstable();
    p.dedup();
    p
}

/// What a set of (person, training) pairs closes: per need, the best offer among its trainings.
pub fn objective(input: &Input, chosen: &[(usize, usize)]) -> f64 {
    let mut best = vec![0.0f64; input.needs.len()];
    for o in &input.offers {
        if chosen.contains(&(input.needs[o.need].person, o.training)) {
            best[o.need] = best[o.need].max(o.value);
        }
    }
    best.iter().sum()
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

/// Whether a set of pairs keeps every limit.
pub fn feasible(input: &Input, chosen: &[(usize, usize)]) -> bool {
    let seats_ok = input
        .trainings
        .iter()
        .enumerate()
        .all(|(t, tr)| chosen.iter().filter(|(_, x)| *x == t).count() as u32 <= tr.seats);
    let person_ok =
        (0..input.people).all(|p| chosen.iter().filter(|(x, _)| *x == p).count() as u32 <= input.per_person);
    seats_ok && person_ok && cost(input, chosen) <= input.budget
}

/// The optimal plan (or the best found within `limit`, with its proven bound).
pub fn optimal(input: &Input, limit: Duration) -> Plan {
    use coin_cbc::{Model, Sense};
    let started = Instant::now();
    let pairs = pairs(input);
    if pairs.is_empty() || input.budget < 0 {
        return Plan { optimal: true, seconds: started.elapsed().as_secs_f64(), ..Default::default() };
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
            (t.fixed_cost > 0).then(|| {
                let c = m.add_binary();
                m.set_obj_coeff(c, -per_rupiah * t.fixed_cost as f64);
                c
            })
        })
        .collect();
    // Credits, and at most one per need.
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
    for ws in per_need.iter().filter(|ws| ws.len() > 1) {
        let r = m.add_row();
        for w in ws {
            m.set_weight(r, *w, 1.0);
        }
        m.set_row_upper(r, 1.0);
    }
    // Seats, fixed costs, trainings per person.
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
    }
    for p in 0..input.people {
        let idx: Vec<usize> = pairs.iter().enumerate().filter(|(_, (pp, _))| *pp == p).map(|(i, _)| i).collect();
        if idx.len() as u32 > input.per_person {
            let r = m.add_row();
            for i in idx {
                m.set_weight(r, x[i], 1.0);
            }
            m.set_row_upper(r, f64::from(input.per_person));
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

    let sol = m.solve();
    let raw = sol.raw();
    let chosen: Vec<(usize, usize)> =
        pairs.iter().enumerate().filter(|(i, _)| sol.col(x[*i]) > 0.5).map(|(_, p)| *p).collect();
    // Score the plan from its choices (never trust a fractional credit).
    let objective = objective(input, &chosen);
    let optimal = raw.is_proven_optimal();
    // CBC's bound is on the penalised objective; the gap closed is at most that plus the penalty.
    let bound = if optimal { objective } else { (raw.best_possible_value() + PENALTY).max(objective) };
    let cost = cost(input, &chosen);
    Plan {
        chosen,
        objective,
        bound,
        optimal,
        cost,
        timed_out: raw.is_seconds_limit_reached(),
        seconds: started.elapsed().as_secs_f64(),
    }
}

/// The simple plan to compare with: repeatedly take the pair that closes the most weighted gap per
/// rupiah (its seat, plus the fixed cost if the training is not used yet) while it fits.
pub fn greedy(input: &Input) -> Plan {
    let started = Instant::now();
    let pairs = pairs(input);
    let mut chosen: Vec<(usize, usize)> = vec![];
    let mut best = vec![0.0f64; input.needs.len()];
    let mut spent = 0i64;
    loop {
        let mut pick: Option<(f64, usize, f64, i64)> = None;
        for (i, (p, t)) in pairs.iter().enumerate() {
            if chosen.contains(&(*p, *t))
                || chosen.iter().filter(|(_, x)| x == t).count() as u32 >= input.trainings[*t].seats
                || chosen.iter().filter(|(x, _)| x == p).count() as u32 >= input.per_person
            {
                continue;
            }
            let used = chosen.iter().any(|(_, x)| x == t);
            let c = input.trainings[*t].cost_per_participant + if used { 0 } else { input.trainings[*t].fixed_cost };
            if spent + c > input.budget {
                continue;
            }
            let gain: f64 = input
                .offers
                .iter()
                .filter(|o| o.training == *t && input.needs[o.need].person == *p)
                .map(|o| (o.value - best[o.need]).max(0.0))
                .sum();
            if gain <= 0.0 {
                continue;
            }
            let ratio = if c == 0 { f64::INFINITY } else { gain / c as f64 };
            if pick.is_none_or(|(r, _, g, _)| ratio > r || (ratio == r && gain > g)) {
                pick = Some((ratio, i, gain, c));
            }
        }
        let Some((_, i, _, c)) = pick else { break };
        let (p, t) = pairs[i];
        chosen.push((p, t));
        spent += c;
        for o in input.offers.iter().filter(|o| o.training == t && input.needs[o.need].person == p) {
            best[o.need] = best[o.need].max(o.value);
        }
    }
    let objective = objective(input, &chosen);
    Plan {
        cost: cost(input, &chosen),
        chosen,
        objective,
        bound: objective,
        optimal: false,
        timed_out: false,
        seconds: started.elapsed().as_secs_f64(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seed::Rng;

    /// Every subset of the candidate pairs: the best feasible objective.
    fn brute(input: &Input) -> f64 {
        let pairs = pairs(input);
        assert!(pairs.len() <= 16, "small instances only");
        let mut best = 0.0f64;
        for mask in 0u32..(1 << pairs.len()) {
            let chosen: Vec<(usize, usize)> =
                pairs.iter().enumerate().filter(|(i, _)| mask & (1 << i) != 0).map(|(_, p)| *p).collect();
            if feasible(input, &chosen) {
                best = best.max(objective(input, &chosen));
            }
        }
        best
    }

    fn random(rng: &mut Rng) -> Input {
        let people = rng.range(1, 4) as usize;
        let trainings: Vec<Training> = (0..rng.range(1, 4))
            .map(|_| Training {
                cost_per_participant: rng.range(0, 5) * 1_000_000,
                fixed_cost: if rng.range(0, 2) == 0 { 0 } else { rng.range(1, 6) * 1_000_000 },
                seats: rng.range(1, 3) as u32,
            })
            .collect();
        let mut needs = vec![];
        let mut offers = vec![];
        for p in 0..people {
            for _ in 0..rng.range(1, 3) {
                let n = needs.len();
                needs.push(Need { person: p });
                for t in 0..trainings.len() {
                    // Overlapping trainings: several may develop the same need.
                    if rng.range(0, 2) > 0 {
                        offers.push(Offer { need: n, training: t, value: rng.range(1, 6) as f64 });
                    }
                }
            }
        }
        Input {
            people,
            trainings,
            needs,
            offers,
            per_person: rng.range(1, 2) as u32,
            budget: rng.range(0, 12) * 1_000_000,
        }
    }

    #[test]
    fn the_plan_is_optimal_against_brute_force() {
        let mut rng = Rng::new(7);
        let mut greedy_worse = 0;
        for case in 0..250 {
            let input = random(&mut rng);
            if pairs(&input).len() > 14 {
                continue;
            }
            let plan = optimal(&input, Duration::from_secs(10));
            assert!(plan.optimal, "case {case}: proven optimal");
            assert!(feasible(&input, &plan.chosen), "case {case}: within seats, per-person cap and budget");
            let want = brute(&input);
            assert!(
                (plan.objective - want).abs() < 1e-6,
                "case {case}: plan {} vs brute force {want}: {input:?}",
                plan.objective
            );
            let g = greedy(&input);
            assert!(feasible(&input, &g.chosen));
            assert!(g.objective <= want + 1e-9);
            if g.objective < want - 1e-9 {
                greedy_worse += 1;
            }
        }
        assert!(greedy_worse > 0, "on some cases the greedy plan is worse than the optimal one");
    }

    #[test]
    fn gains_do_not_add_up_and_fixed_costs_count_once() {
        // One person, one need worth 4 from either training; two trainings are no better than one.
        let input = Input {
            people: 1,
            trainings: vec![
                Training { cost_per_participant: 1_000_000, fixed_cost: 0, seats: 5 },
                Training { cost_per_participant: 1_000_000, fixed_cost: 0, seats: 5 },
            ],
            needs: vec![Need { person: 0 }],
            offers: vec![Offer { need: 0, training: 0, value: 4.0 }, Offer { need: 0, training: 1, value: 3.0 }],
            per_person: 2,
            budget: 10_000_000,
        };
        let plan = optimal(&input, Duration::from_secs(5));
        assert_eq!(plan.objective, 4.0);
        assert_eq!(plan.chosen, vec![(0, 0)]);
        assert_eq!(plan.cost, 1_000_000);
        // A fixed cost of 3 million shared by two people fits a 5 million budget only once.
        let input = Input {
            people: 2,
            trainings: vec![Training { cost_per_participant: 1_000_000, fixed_cost: 3_000_000, seats: 5 }],
            needs: vec![Need { person: 0 }, Need { person: 1 }],
            offers: vec![Offer { need: 0, training: 0, value: 2.0 }, Offer { need: 1, training: 0, value: 2.0 }],
            per_person: 1,
            budget: 5_000_000,
        };
        let plan = optimal(&input, Duration::from_secs(5));
        assert_eq!((plan.objective, plan.cost), (4.0, 5_000_000));
    }
}
