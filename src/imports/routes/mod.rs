use axum::{
    extract::{Multipart, Path, State},
    http::StatusCode,
    response::Response,
};
use serde_json::json;

use super::{
    file,
    validate::{self, HeaderError, Kind, Mapped, MappedRow, RowResult},
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        export::{self, Table},
        form::read_multipart,
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::Actor,
    auth::{CurrentUser, Role},
};

mod batch;
mod upload;
mod write;

use batch::*;
use upload::*;
use write::*;

const HR: &[Role] = &[Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .nav(80, |u| u.has(Role::Hr).then(|| ("/imports".into(), "nav.imports")))
        .get("/imports", Access::AnyOf(HR), index)
        .get("/imports/templates/{file}", Access::AnyOf(HR), template)
        .post("/imports/{kind}", Access::AnyOf(HR), upload)
        .get("/imports/batches/{id}", Access::AnyOf(HR), preview)
        .post("/imports/batches/{id}/apply", Access::AnyOf(HR), apply)
}

#[derive(askama::Template)]
#[template(path = "imports/index.html")]
struct IndexPage {
    ctx: Ctx,
    error: Option<(&'static str, String)>,
    kind: &'static str,
    max_rows: usize,
    max_mib: u64,
}

impl IndexPage {
    fn new(ctx: Ctx, error: Option<(&'static str, String)>, kind: &'static str) -> Self {
        Self { ctx, error, kind, max_rows: file::MAX_ROWS, max_mib: file::MAX_XLSX_UNCOMPRESSED / (1024 * 1024) }
    }
}

async fn index(ctx: Ctx) -> AppResult<Response> {
    render(&IndexPage::new(ctx, None, ""))
}
