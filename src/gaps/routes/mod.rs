//! Gap pages: the unit summary with its charts, the skills matrix, an employee's gap card with
//! recommendations, and HR's thresholds.

use std::{collections::HashMap, sync::OnceLock};

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use serde::{Deserialize, Serialize};

use super::db::{
    self, CompetencyGap, GapLine, GapSettings, MentorOption, SinglePoint, StaffGap, TrainingOption, UnitReadiness,
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        chart::{self, Bar},
        edit::{self, Begin, EditState, Versioned},
        export::{self, Table},
        form::FieldErrors,
        paging::{PER_PAGE, Pager, query_string},
        pdf::{self, Block},
        render::{FlashKind, fragment, redirect_flash, render, render_status},
        versioned,
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    development::model::{jp_text, rupiah},
    employees::db::{self as emp_db, Detail},
    units::db::UnitOption,
};

mod card;
mod charts;
mod matrix;
mod settings;
mod summary;

pub use card::*;
pub use charts::ChartTitles;
use charts::*;
pub use matrix::*;
use settings::*;
pub use summary::*;

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .nav(37, |u| (u.has(Role::Hr) || u.has(Role::Head)).then(|| ("/gaps".into(), "nav.gaps")))
        .get("/gaps", Access::AnyOf(HR_HEAD), summary)
        .get("/gaps/matrix", Access::AnyOf(HR_HEAD), matrix)
        .get("/employees/{id}/gaps", Access::SignedIn, card)
        .get("/gaps/settings", Access::AnyOf(HR_HEAD), settings_form)
        .post("/gaps/settings", Access::AnyOf(&[Role::Hr]), save_settings)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitQuery {
    unit: String,
    flagged: String,
    /// `all`: the summary lists every part of the unit, not only the least ready.
    parts: String,
    format: String,
    page: Option<i64>,
}

/// The unit the reader asked for (or their own), within their scope; 404 outside it.
pub async fn pick_unit(state: &AppState, user: &CurrentUser, unit: &str) -> AppResult<(i64, String, String)> {
    let asked =
        if unit.trim().is_empty() { None } else { Some(unit.trim().parse::<i64>().map_err(|_| AppError::NotFound)?) };
    // Which unit, by the reader's scope: kept per version of the records (units and heads are
    // records), so a gap page does not spend its first round trips finding its unit.
    let scope = user.scope();
    let key = format!(
        "gaps.unit:{asked:?}:{}:{:?}:{:?}",
        scope.all,
        scope.unit_patterns,
        user.head_units.first().map(|u| u.id)
    );
    let user = user.clone();
    let found = state
        .versions
        .get(&state.pool, key, move |conn| Box::pin(async move { db::unit_in_scope(conn, asked, &user).await }))
        .await?;
    found.as_ref().clone().ok_or(AppError::NotFound)
}
