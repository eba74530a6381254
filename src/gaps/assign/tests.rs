use super::*;

/// Every assignment of needs to one of their candidate mentors (or none), within capacities.
fn brute(needs: usize, caps: &[u32], edges: &[Edge]) -> f64 {
    fn go(i: usize, needs: usize, caps: &mut Vec<u32>, edges: &[Edge], acc: f64, best: &mut f64) {
        if i == needs {
            *best = best.max(acc);
            return;
        }
        go(i + 1, needs, caps, edges, acc, best);
        for e in edges.iter().filter(|e| e.need == i) {
            if caps[e.mentor] > 0 {
                caps[e.mentor] -= 1;
                go(i + 1, needs, caps, edges, acc + e.value, best);
                caps[e.mentor] += 1;
            }
        }
    }
    let mut best = 0.0;
    go(0, needs, &mut caps.to_vec(), edges, 0.0, &mut best);
    best
}

/// The fast assignment (by need value) against brute force and against the minimum-cost flow
/// on the same full candidate graph, on random instances with scarce mentors.
#[test]
fn by_need_value_is_exact_on_the_full_graph() {
    let mut rng = crate::seed::Rng::new(11);
    for case in 0..400 {
        let needs = rng.range(1, if case < 300 { 8 } else { 60 }) as usize;
        let mentors = rng.range(1, if case < 300 { 4 } else { 12 }) as usize;
        let caps: Vec<u32> = (0..mentors).map(|_| rng.range(0, 3) as u32).collect();
        let values: Vec<f64> = (0..needs).map(|_| rng.range(1, 9) as f64).collect();
        let mut edges = vec![];
        let mut flow_edges = vec![];
        for (n, value) in values.iter().enumerate() {
            for m in 0..mentors {
                if rng.range(0, 3) == 0 {
                    edges.push((n, m, rng.range(0, 2) == 0));
                    flow_edges.push(Edge { need: n, mentor: m, value: *value });
                }
            }
        }
        let a = by_need_value(&values, &caps, &edges);
        for (m, cap) in caps.iter().enumerate() {
            assert!(a.iter().filter(|x| **x == Some(m)).count() as u32 <= *cap, "case {case}: capacity");
        }
        for (n, x) in a.iter().enumerate() {
            if let Some(m) = x {
                assert!(edges.iter().any(|e| e.0 == n && e.1 == *m), "case {case}: only candidates");
            }
        }
        let got: f64 = a.iter().enumerate().filter(|(_, x)| x.is_some()).map(|(n, _)| values[n]).sum();
        let flow = value(&assign(needs, &caps, &flow_edges), &flow_edges);
        assert!((got - flow).abs() < 1e-9, "case {case}: by need value {got} vs min-cost flow {flow}");
        if needs <= 7 {
            let want = brute(needs, &caps, &flow_edges);
            assert!((got - want).abs() < 1e-9, "case {case}: {got} vs brute force {want}");
        }
    }
}

#[test]
fn greedy_would_be_wrong_here() {
    // Need 0 can go to mentor 0 or 1, need 1 only to mentor 0; both mentors take one.
    // First come first served gives need 0 to mentor 0 and leaves need 1 uncovered.
    let edges = vec![
        Edge { need: 0, mentor: 0, value: 5.0 },
        Edge { need: 0, mentor: 1, value: 4.0 },
        Edge { need: 1, mentor: 0, value: 3.0 },
    ];
    let a = assign(2, &[1, 1], &edges);
    assert_eq!(a, vec![Some(1), Some(0)]);
    assert_eq!(value(&a, &edges), 7.0);
}

#[test]
fn matches_brute_force_on_random_instances() {
    let mut rng = crate::seed::Rng::new(42);
    for _ in 0..300 {
        let needs = rng.range(1, 7) as usize;
        let mentors = rng.range(1, 4) as usize;
        let caps: Vec<u32> = (0..mentors).map(|_| rng.range(0, 3) as u32).collect();
        let mut edges = vec![];
        for n in 0..needs {
            for m in 0..mentors {
                if rng.range(0, 2) > 0 {
                    edges.push(Edge { need: n, mentor: m, value: rng.range(1, 12) as f64 });
                }
            }
        }
        let a = assign(needs, &caps, &edges);
        for (m, cap) in caps.iter().enumerate() {
            assert!(a.iter().filter(|x| **x == Some(m)).count() as u32 <= *cap);
        }
        for (n, x) in a.iter().enumerate() {
            if let Some(m) = x {
                assert!(edges.iter().any(|e| e.need == n && e.mentor == *m), "only candidate mentors");
            }
        }
        let got = value(&a, &edges);
        let want = brute(needs, &caps, &edges);
        assert!((got - want).abs() < 1e-9, "assignment {got} vs brute force {want}: {caps:?} {edges:?}");
    }
}
