//! Next year's plan, computed as a job: what the plan draws on (the unit's gaps, the trainings
//! scheduled in the year, the programme catalogue's classes, colleagues who can mentor), read in
//! one snapshot; the solve, off the async runtime; and the queue of runs in PostgreSQL that every
//! node's worker takes from (`for update skip locked`). A page shows the last run at once and
//! says when the records have moved since; nothing a user writes starts a solve by itself.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
    time::{Duration, Instant},
};

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::{
    db::{self, GapSettings},
    plan::{self, Input, MentorEdge, Offer, Plan, Training},
};
use crate::app::{AppError, AppState};

mod check;
mod inputs;
mod needs;
mod runs;
mod solve;
mod worker;

pub use check::*;
pub use inputs::*;
pub use needs::*;
pub use runs::*;
pub use solve::*;
pub use worker::*;

/// The main plan's time limit (wall time, as every limit here). At ~400 staff CBC's first LP
/// alone takes 4–5 s (measured on the benchmark's dinas of 324–352, and CBC checks the time only
/// after it); the plan rounded from it is within 0.1 % of its bound.
pub const PLAN_LIMIT: Duration = Duration::from_millis(4000);
/// At most this for each other point of the budget frontier (less when the time left, shared
/// among the points not solved yet, is shorter).
pub const FRONTIER_LIMIT: Duration = Duration::from_millis(1500);
/// A run's whole wall time, from starting its solver to taking its answer. The solver (a child
/// process, `cakap plan-solve`) writes the whole result after each solve (the greedy frontier,
/// then the main plan, then each other point); at this limit it is stopped and the last result
/// it wrote is kept: the points it had not reached keep their starting plans (the greedy plan,
/// or the plan of the budget below), marked unproven, with the bound a larger budget proves.
pub const PLAN_WALL: Duration = Duration::from_secs(9);
/// What the solver keeps of the run's wall time to write its last result.
const WRITE_MARGIN: Duration = Duration::from_millis(700);
/// How the run's wall time is passed to the child (milliseconds).
const WALL_ENV: &str = "CAKAP_PLAN_WALL_MS";
/// The frontier's budgets, as shares of the budget chosen.
pub const FRONTIER_SHARES: [f64; 8] = [0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0];

/// The levels a colleague's mentoring closes in a year.
pub const MENTOR_LEVELS: f64 = 1.0;
