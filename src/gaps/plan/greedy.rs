//! The simple plan to compare with: the best move per rupiah while it fits.

use super::*;

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
pub(super) struct MoveKey(f64, f64, usize);

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
