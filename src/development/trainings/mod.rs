//! Trainings (formal, klasikal development): the list, the form, and the page of one training
//! with what it develops, its budget, participants, evaluations and measured effect.

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgConnection;

use super::{
    db::{self, BudgetFigures, Opt},
    model::{Jp, ParticipantStatus, Rupiah, TrainingForm, TrainingStatus, jp_plain, jp_text, rupiah},
};
use crate::app::context::Val;
use crate::siasn::refs;
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        edit::{self, EditState},
        export::{self, Table},
        form::{FieldErrors, clean_text, contains_pattern, required_text},
        paging::{PER_PAGE, Pager, query_string},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    competencies::model::Level,
    employees::{db::competency_options, form::parse_date},
    units::db::{UnitOption, options as unit_options},
};

mod detail;
mod form;
mod list;
mod record;
mod targets;

pub use detail::*;
use form::*;
pub use list::*;
use record::*;
use targets::*;

const HR: &[Role] = &[Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .nav(35, |_| Some(("/trainings".into(), "nav.trainings")))
        .get("/trainings", Access::SignedIn, list)
        .get("/trainings/new", Access::AnyOf(HR), new_form)
        .post("/trainings", Access::AnyOf(HR), edit::create::<TrainingRecord>)
        .get("/trainings/{id}", Access::SignedIn, detail)
        .get("/trainings/{id}/edit", Access::AnyOf(HR), edit::edit_page::<TrainingRecord>)
        .post("/trainings/{id}", Access::AnyOf(HR), edit::update::<TrainingRecord>)
        .post("/trainings/{id}/competencies", Access::AnyOf(HR), add_competency)
        .post("/trainings/{id}/competencies/remove", Access::AnyOf(HR), remove_competency)
}

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct TrainingInput {
    title: String,
    form: String,
    jenis_diklat: String,
    siasn_ref: String,
    provider: String,
    place: String,
    online: String,
    starts_on: String,
    ends_on: String,
    jp: String,
    cost_per_participant: String,
    fixed_cost: String,
    budget_year: String,
    budget_unit: String,
    budget_line: String,
    quota: String,
    status: String,
    // The competencies a new training develops, on the same form (rows 1–4: competency, level).
    tc1: String,
    tl1: String,
    tc2: String,
    tl2: String,
    tc3: String,
    tl3: String,
    tc4: String,
    tl4: String,
}

/// How many target competencies the new-training form offers (more are added on its page).
pub const TARGET_ROWS: usize = 4;

impl TrainingInput {
    /// Target row `i` (1-based): the competency and level as typed.
    pub fn target(&self, i: impl Val<usize>) -> (&str, &str) {
        match i.val() {
            1 => (&self.tc1, &self.tl1),
            2 => (&self.tc2, &self.tl2),
            3 => (&self.tc3, &self.tl3),
            _ => (&self.tc4, &self.tl4),
        }
    }

    pub fn target_rows(&self) -> std::ops::RangeInclusive<usize> {
        1..=TARGET_ROWS
    }
}

struct TrainingRow {
    version: i64,
    title: String,
    form: String,
    jenis_diklat: i16,
    siasn_ref: String,
    provider_id: Option<i64>,
    place: String,
    online: bool,
    starts_on: chrono::NaiveDate,
    ends_on: chrono::NaiveDate,
    jp: f64,
    cost_per_participant: i64,
    fixed_cost: i64,
    budget_year: i32,
    budget_unit_id: i64,
    budget_line: String,
    quota: i32,
    status: String,
}

/// A training's fields, checked.
struct Checked {
    title: String,
    form: TrainingForm,
    jenis: i16,
    siasn_ref: String,
    provider: Option<i64>,
    place: String,
    online: bool,
    starts_on: chrono::NaiveDate,
    ends_on: chrono::NaiveDate,
    jp: Jp,
    cpp: Rupiah,
    fixed: Rupiah,
    year: i32,
    unit: i64,
    line: String,
    quota: i32,
    status: TrainingStatus,
}
