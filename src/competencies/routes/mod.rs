use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use serde::Deserialize;
use sqlx::PgConnection;

use super::model::{Area, CompetencyCode, CompetencyKind};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        edit::{self, EditState},
        export::{self, Table},
        form::{FieldErrors, clean_text},
        render::{render, render_status},
    },
    auth::Role,
};

mod detail;
mod form;
mod list;

pub use detail::*;
pub use form::*;
pub use list::*;

const HR: &[Role] = &[Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .nav(70, |_| Some(("/competencies".into(), "nav.catalog")))
        .get("/competencies", Access::SignedIn, list)
        .get("/competencies/new", Access::AnyOf(HR), new_form)
        .post("/competencies", Access::AnyOf(HR), edit::create::<Competency>)
        .get("/competencies/{id}", Access::SignedIn, detail)
        .get("/competencies/{id}/edit", Access::AnyOf(HR), edit::edit_page::<Competency>)
        .post("/competencies/{id}", Access::AnyOf(HR), edit::update::<Competency>)
}
