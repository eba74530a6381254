//! The exact plan: the MILP built for CBC, solved within a time limit, rounded to a feasible plan.

use super::*;

/// Above this many (person, training) pairs a model is large (see `optimal`).
pub(super) const LARGE: usize = 2000;

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
    // CBC's serial search (its default, no `threads`): with "threads" = 1 it runs its threaded
    // search with one worker, which now and then sat idle until the time limit after finishing
    // (a model of a few pairs took the whole 10 s limit, unproven, in about one run in two of
    // the brute-force test; plan runs took their whole wall-time limit).
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
