//! Mentor assignment as one optimisation, not first come first served: every gap (a mentee in a
//! competency, worth its weighted gap) may go to one colleague who holds the competency at the
//! required level or above; each mentor takes at most their remaining capacity. The assignment
//! maximises the total weighted gap covered. It is a maximum-weight b-matching, solved exactly as
//! a minimum-cost flow by successive shortest paths (Bellman–Ford on the residual graph, so the
//! negative costs need no potentials); it stops at the first path that would not add value, which
//! is optimal because the cost of the best k-unit flow is convex in k.

/// One gap to cover: its value (weighted gap, plus any preference such as the same unit).
#[derive(Clone, Debug)]
pub struct Edge {
    pub need: usize,
    pub mentor: usize,
    pub value: f64,
}

/// For each need, the index of the mentor it is assigned to, if any.
pub fn assign(needs: usize, capacities: &[u32], edges: &[Edge]) -> Vec<Option<usize>> {
    let m = capacities.len();
    // Nodes: 0 source, 1..=needs, then mentors, then the sink.
    let source = 0;
    let sink = needs + m + 1;
    let mut g = Graph::new(sink + 1);
    for n in 0..needs {
        g.add(source, 1 + n, 1, 0.0);
    }
    let mut edge_ids = Vec::with_capacity(edges.len());
    for e in edges {
        if e.need < needs && e.mentor < m && e.value > 0.0 {
            edge_ids.push(Some(g.add(1 + e.need, 1 + needs + e.mentor, 1, -e.value)));
        } else {
            edge_ids.push(None);
        }
    }
    for (i, c) in capacities.iter().enumerate() {
        if *c > 0 {
            g.add(1 + needs + i, sink, *c as i64, 0.0);
        }
    }
    // Potentials from one Bellman–Ford pass, then Dijkstra on reduced costs for every path.
    let mut potential = g.bellman_ford(source);
    while let Some((path, cost)) = g.dijkstra(source, sink, &mut potential) {
        if cost >= -1e-9 {
            break;
        }
        for e in path {
            g.push(e, 1);
        }
    }
    let mut out = vec![None; needs];
    for (e, id) in edges.iter().zip(edge_ids) {
        if let Some(id) = id
            && g.flow(id) > 0
        {
            out[e.need] = Some(e.mentor);
        }
    }
    out
}

struct Arc {
    to: usize,
    cap: i64,
    cost: f64,
}

struct Graph {
    arcs: Vec<Arc>,
    out: Vec<Vec<usize>>,
}

impl Graph {
    fn new(n: usize) -> Self {
        Self { arcs: vec![], out: vec![vec![]; n] }
    }

    /// An arc and its residual twin; returns the arc's index.
    fn add(&mut self, from: usize, to: usize, cap: i64, cost: f64) -> usize {
        let id = self.arcs.len();
        self.arcs.push(Arc { to, cap, cost });
        self.out[from].push(id);
        self.arcs.push(Arc { to: from, cap: 0, cost: -cost });
        self.out[to].push(id + 1);
        id
    }

    fn push(&mut self, id: usize, f: i64) {
        self.arcs[id].cap -= f;
        self.arcs[id ^ 1].cap += f;
    }

    fn flow(&self, id: usize) -> i64 {
        self.arcs[id ^ 1].cap
    }

    /// Distances from `s` over arcs with residual capacity, negative costs allowed (the first
    /// potentials; unreachable nodes get 0).
    fn bellman_ford(&self, s: usize) -> Vec<f64> {
        self.shortest_path(s, s)
            .map(|(_, _, dist)| dist)
            .unwrap_or_default()
            .into_iter()
            .map(|d| if d.is_finite() { d } else { 0.0 })
            .collect()
    }

    /// The cheapest path with residual capacity by Dijkstra on costs reduced by `potential`
    /// (non-negative once potentials are shortest distances); updates the potentials. Returns the
    /// path and its cost in the original costs.
    fn dijkstra(&self, s: usize, t: usize, potential: &mut [f64]) -> Option<(Vec<usize>, f64)> {
        let n = self.out.len();
        let mut dist = vec![f64::INFINITY; n];
        let mut via: Vec<Option<usize>> = vec![None; n];
        let mut done = vec![false; n];
        let mut heap = std::collections::BinaryHeap::new();
        dist[s] = 0.0;
        heap.push(Near(0.0, s));
        while let Some(Near(d, u)) = heap.pop() {
            if done[u] {
                continue;
            }
            done[u] = true;
            for &id in &self.out[u] {
                let a = &self.arcs[id];
                if a.cap <= 0 {
                    continue;
                }
                // Reduced cost; rounding may leave it a hair below zero.
                let reduced = (a.cost + potential[u] - potential[a.to]).max(0.0);
                if d + reduced < dist[a.to] - 1e-12 {
                    dist[a.to] = d + reduced;
                    via[a.to] = Some(id);
                    heap.push(Near(dist[a.to], a.to));
                }
            }
        }
        if !dist[t].is_finite() {
            return None;
        }
        let cost = dist[t] + potential[t] - potential[s];
        for v in 0..n {
            if dist[v].is_finite() {
                potential[v] += dist[v];
            }
        }
        Some((self.path(&via, s, t)?, cost))
    }

    /// The arcs from `s` to `t` along `via` (each node's arc in), last first.
    fn path(&self, via: &[Option<usize>], s: usize, t: usize) -> Option<Vec<usize>> {
        let mut path = vec![];
        let mut v = t;
        while v != s {
            let id = via[v]?;
            path.push(id);
            v = self.arcs[id ^ 1].to;
        }
        Some(path)
    }

    /// Shortest distances from `s` with negative costs (SPFA, a queue-based Bellman–Ford), and the
    /// path to `t`.
    fn shortest_path(&self, s: usize, t: usize) -> Option<(Vec<usize>, f64, Vec<f64>)> {
        let n = self.out.len();
        let mut dist = vec![f64::INFINITY; n];
        let mut via: Vec<Option<usize>> = vec![None; n];
        let mut queued = vec![false; n];
        let mut queue = std::collections::VecDeque::new();
        dist[s] = 0.0;
        queue.push_back(s);
        queued[s] = true;
        while let Some(u) = queue.pop_front() {
            queued[u] = false;
            for &id in &self.out[u] {
                let a = &self.arcs[id];
                if a.cap > 0 && dist[u] + a.cost < dist[a.to] - 1e-12 {
                    dist[a.to] = dist[u] + a.cost;
                    via[a.to] = Some(id);
                    if !queued[a.to] {
                        queued[a.to] = true;
                        queue.push_back(a.to);
                    }
                }
            }
        }
        if !dist[t].is_finite() {
            return None;
        }
        let cost = dist[t];
        Some((self.path(&via, s, t)?, cost, dist))
    }
}

/// A node and its distance, nearest first in a max-heap.
struct Near(f64, usize);

impl PartialEq for Near {
    fn eq(&self, other: &Self) -> bool {
        self.0.total_cmp(&other.0).is_eq()
    }
}

impl Eq for Near {}

impl PartialOrd for Near {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Near {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.0.total_cmp(&self.0)
    }
}

/// The optimal assignment when a gap is worth the same whichever colleague takes it (`values`
/// per need), on the whole candidate graph, fast enough for a regency.
///
/// Sets of needs that can be covered together form a transversal matroid, so taking the needs
/// in decreasing value and keeping each one that still fits (an augmenting path moves others
/// to free capacity) is optimal. A search that finds no path marks every mentor it reached as
/// full for good: later paths only add load, so nothing entering that set can leave it; each
/// mentor is searched through at most once after it fills. Among mentors, `preferred` edges
/// (the same unit) are tried first, which breaks ties and never lowers the value.
pub fn by_need_value(values: &[f64], capacities: &[u32], edges: &[(usize, usize, bool)]) -> Vec<Option<usize>> {
    let needs = values.len();
    let m = capacities.len();
    let mut adj: Vec<Vec<(bool, usize)>> = vec![vec![]; needs];
    for &(n, mentor, preferred) in edges {
        if n < needs && mentor < m && capacities[mentor] > 0 {
            adj[n].push((!preferred, mentor));
        }
    }
    for a in &mut adj {
        a.sort_unstable();
        a.dedup_by_key(|(_, mentor)| *mentor);
    }
    let mut order: Vec<usize> = (0..needs).filter(|n| values[*n] > 1e-12 && !adj[*n].is_empty()).collect();
    order.sort_by(|a, b| values[*b].total_cmp(&values[*a]).then(a.cmp(b)));
    let mut used = vec![0u32; m];
    let mut holds: Vec<Vec<usize>> = vec![vec![]; m];
    let mut matched: Vec<Option<usize>> = vec![None; needs];
    let mut dead = vec![false; m];
    let mut seen = vec![usize::MAX; m];
    // (mentor reached from, need moved) for each mentor reached in the current search.
    let mut from: Vec<Option<(usize, usize)>> = vec![None; m];
    for (round, &n) in order.iter().enumerate() {
        if let Some(&(_, f)) = adj[n].iter().find(|(_, f)| used[*f] < capacities[*f]) {
            used[f] += 1;
            holds[f].push(n);
            matched[n] = Some(f);
            continue;
        }
        let mut queue = std::collections::VecDeque::new();
        let mut reached = vec![];
        for &(_, f) in &adj[n] {
            if !dead[f] && seen[f] != round {
                seen[f] = round;
                from[f] = None;
                queue.push_back(f);
                reached.push(f);
            }
        }
        let mut free = None;
        'search: while let Some(f) = queue.pop_front() {
            for &k in &holds[f] {
                for &(_, g) in &adj[k] {
                    if dead[g] || seen[g] == round {
                        continue;
                    }
                    seen[g] = round;
                    from[g] = Some((f, k));
                    reached.push(g);
                    if used[g] < capacities[g] {
                        free = Some(g);
                        break 'search;
                    }
                    queue.push_back(g);
                }
            }
        }
        match free {
            Some(g) => {
                used[g] += 1;
                let mut cur = g;
                while let Some((f, k)) = from[cur] {
                    if let Some(i) = holds[f].iter().position(|x| *x == k) {
                        holds[f].swap_remove(i);
                    }
                    holds[cur].push(k);
                    matched[k] = Some(cur);
                    cur = f;
                }
                holds[cur].push(n);
                matched[n] = Some(cur);
            }
            None => {
                for f in reached {
                    dead[f] = true;
                }
            }
        }
    }
    matched
}

/// The total value of an assignment.
pub fn value(assignment: &[Option<usize>], edges: &[Edge]) -> f64 {
    edges.iter().filter(|e| assignment.get(e.need).copied().flatten() == Some(e.mentor)).map(|e| e.value).sum()
}

#[cfg(test)]
mod tests;
