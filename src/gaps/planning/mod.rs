//! Closing the gaps: the mentor assignment for a unit, the budget-constrained plan for a year
//! (computed as a job, `plan_run`) with its budget frontier and the simple greedy plan beside it,
//! and accepting exactly the plan shown (the AKPK in `akpk` comes from the plan accepted last).

use std::collections::HashSet;

use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;
use serde_json::json;

use super::{
    db::{self, GapSettings},
    plan_run::{self, BudgetFigures, NeedRow, PlanResult, RunRow},
    routes::pick_unit,
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        chart::{self, Bar},
        context::Val,
        render::{FlashKind, fragment, redirect_flash, render, render_status},
        versioned,
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    development::model::{Rupiah, jp_text, rupiah},
    units::db::UnitOption,
};

mod accept;
mod mentors;
mod page;

use accept::*;
use mentors::*;
pub use page::*;

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .get("/gaps/mentors", Access::AnyOf(HR_HEAD), mentors)
        .get("/gaps/plan", Access::AnyOf(HR_HEAD), plan_page)
        .post("/gaps/plan", Access::AnyOf(HR_HEAD), accept)
        .post("/gaps/plan/compute", Access::AnyOf(HR_HEAD), compute)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitQuery {
    unit: String,
    budget: String,
    year: String,
    format: String,
    /// `1`: list what changed in the unit's gaps since the plan shown was computed.
    changes: String,
    /// `/gaps/mentors`: the mentor part of this run (the plan page links to it), else of the
    /// unit's latest run.
    run: String,
    /// The page of the plan's lines.
    page: Option<i64>,
}

#[cfg(test)]
mod tests;
