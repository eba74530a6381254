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
//! is shown; a solve stopped by its time limit (wall time) answers with the best of the plan it
//! was started from and the solver's state rounded to a feasible plan, with the solver's bound.
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

mod frontier;
mod greedy;
mod milp;
mod score;

pub use frontier::*;
pub use greedy::*;
pub use milp::*;
pub use score::*;

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
    /// The run's time ran out before this budget was solved: the plan is its starting plan.
    #[serde(default)]
    pub not_reached: bool,
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

#[cfg(test)]
mod tests;
