//! The IDP pages: one employee's plan (made from the gap card, edited line by line, approved by the
//! head) and a unit's IDPs with their progress (PDF, XLSX, CSV).

use std::collections::HashMap;

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use chrono::{Datelike as _, NaiveDate};
use serde::Deserialize;
use serde_json::json;

use super::{
    db::{self, Idp, Line, NextStep, UnitRow},
    model::{IdpRoute, IdpStatus, idp_percent, state_class, state_key, year_end},
};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx,
        export::{self, Columns, Kind, Table},
        form::{FieldErrors, clean_text},
        paging::{PER_PAGE, Pager},
        pdf::{self, Block},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::CurrentUser,
    competencies::model::Level,
    development::model::{Jp, jp_text},
    employees::{
        db::{self as emp_db, Detail},
        form::parse_date,
    },
    gaps::db::{MentorOption, TrainingOption, mentor_options, training_options},
    units::db::UnitOption,
};

mod lines;
mod make;
mod show;
mod unit;

pub(super) use lines::*;
pub use make::*;
pub use show::*;
pub use unit::*;

/// The JP expected of a mentored or self-study line, per level of gap (editable per line, named
/// on the page): what the agency's JP rules give a planned mentoring (`planned_jp`, the rule the
/// plan counts a mentored need with).
pub async fn jp_per_level_informal(conn: &mut sqlx::PgConnection) -> Result<f64, sqlx::Error> {
    sqlx::query_scalar!(r#"select coalesce(planned_jp('mentoring'), 0) as "jp!""#).fetch_one(conn).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct YearQuery {
    year: String,
    unit: String,
    format: String,
    page: Option<i64>,
}

/// A line's form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct LineForm {
    pub goal_level: String,
    pub target_date: String,
    pub route: String,
    pub programme: String,
    pub training: String,
    pub mentor: String,
    pub expected_jp: String,
    pub note: String,
}

impl LineForm {
    fn of(l: &Line) -> Self {
        let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        Self {
            goal_level: l.goal_level.to_string(),
            target_date: l.target_date.to_string(),
            route: l.route.as_str().into(),
            programme: id(l.programme_id),
            training: id(l.training_id),
            mentor: id(l.mentor_id),
            expected_jp: jp_text(l.expected_jp, true),
            note: l.note.clone(),
        }
    }

    pub fn is(&self, field: &str, id: &i64) -> bool {
        let v = match field {
            "programme" => &self.programme,
            "training" => &self.training,
            _ => &self.mentor,
        };
        v.trim() == id.to_string()
    }
}
