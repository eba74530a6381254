//! The model of a run's inputs, the solve within its wall time, and the result the page shows.

use super::*;

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
    /// The page's parts that depend only on this run (head and tail), drawn once per language by its first
    /// reader (`planning::PlanBody`; Indonesian, then English). Never stored.
    #[serde(skip)]
    pub drawn: [std::sync::OnceLock<(String, String)>; 2],
    /// Each page of its lines (`planning::PlanLines`), drawn once per language by its first
    /// reader. Never stored.
    #[serde(skip)]
    pub lines_drawn: std::sync::OnceLock<Vec<[std::sync::OnceLock<String>; 2]>>,
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
pub(super) fn result_of(
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
        lines_drawn: Default::default(),
    }
}

/// What a plan's trainings leave to mentors, what its routing covers, and what first come, first
/// served (each need in turn, the largest first, takes the first candidate with room) would.
pub(super) fn mentor_figures(input: &Input, p: &Plan) -> MentorFigures {
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
