use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;

use super::{FunctionalLevel, PositionKind};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        edit::{self, EditState},
        export::{self, Table},
        form::{FieldErrors, required_text},
        paging::{PER_PAGE, Pager, query_string},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor, Table as AuditTable},
    auth::Role,
    competencies::model::{Level, Priority},
    employees::db::{Opt, PositionChoice, competency_options},
    units::db::{UnitOption, options as unit_options},
};

mod detail;
mod form;
mod list;
mod search;
mod standard;

pub use detail::*;
use form::*;
pub use list::*;
use standard::*;

const HR: &[Role] = &[Role::Hr];
const READERS: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .nav(60, |u| (u.has(Role::Hr) || u.has(Role::Head)).then(|| ("/positions".into(), "nav.positions")))
        .get("/positions", Access::AnyOf(READERS), list)
        .get("/positions/new", Access::AnyOf(HR), new_form)
        .get("/positions/search", Access::SignedIn, search::search)
        .post("/positions", Access::AnyOf(HR), edit::create::<Position>)
        .get("/positions/{id}", Access::AnyOf(READERS), detail)
        .get("/positions/{id}/edit", Access::AnyOf(HR), edit::edit_page::<Position>)
        .post("/positions/{id}", Access::AnyOf(HR), edit::update::<Position>)
        .post("/positions/{id}/standard", Access::AnyOf(HR), set_standard)
        .post("/positions/{id}/standard/remove", Access::AnyOf(HR), remove_standard)
        .post("/positions/{id}/standard/copy", Access::AnyOf(HR), copy_standard)
}
