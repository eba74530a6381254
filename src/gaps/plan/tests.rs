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
    assert!(cut_unproven > 0 && cut_bounded > 0, "unproven points, with their bound: {cut_unproven}, {cut_bounded}");
}

/// The greedy plan as first written: every move computed again at every step.
fn exhaustive_greedy(input: &Input) -> Plan {
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
        trainings: vec![Training { cost_per_participant: 1_000_000, fixed_cost: 3_000_000, seats: 5, min_class: 1 }],
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
