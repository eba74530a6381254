//! The assessment pages: recording one (`form`), what waits for validation (`pending`), deciding
//! and withdrawing (`decision`), and the evidence files.

use axum::{
    extract::{Multipart, Path, Query, State},
    response::Response,
};
use serde_json::json;

use super::{
    db::PendingRow,
    model::{Evidence, Source, Status},
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        decide::{self, Applied, Decidable, Decision, Outcome, Prior, Refusal, StatusChange, Way},
        edit,
        export::{self, Table},
        form::{FieldErrors, clean_text, read_multipart},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    competencies::model::Level,
    employees::{
        db::{self as emp_db, Detail, Opt},
        form::parse_date,
    },
};

mod decision;
mod form;
mod pending;

pub(crate) use decision::Assessment;
use decision::*;
use form::*;
use pending::*;

pub fn routes() -> Routes {
    Routes::new()
        .get("/employees/{id}/assessments/new", Access::SignedIn, new_form)
        .post("/employees/{id}/assessments", Access::SignedIn, create)
        .get("/assessments/pending", Access::AnyOf(&[Role::Hr, Role::Head]), pending)
        .post("/assessments/{id}/validate", Access::AnyOf(&[Role::Hr, Role::Head]), decide::post::<Assessment, true>)
        .post("/assessments/{id}/reject", Access::AnyOf(&[Role::Hr, Role::Head]), decide::post::<Assessment, false>)
        .get("/evidence/{id}", Access::SignedIn, evidence)
        .post("/assessments/{id}/withdraw", Access::SignedIn, withdraw)
}

/// Who may record what for this employee: `None` = nothing; `Some(true)` = a self-assessment
/// (pending); `Some(false)` = an assessment by HR or the head (validated at once).
fn mode(user: &CurrentUser, e: &Detail) -> Option<bool> {
    if user.employee_id == Some(e.id) {
        Some(true)
    } else if e.decides {
        Some(false)
    } else {
        None
    }
}

/// An evidence file, only to those who may see the employee.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct EvidenceQuery {
    download: String,
}

/// Opens in the browser (PDF and images are shown inline); `?download=1` saves it.
async fn evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<EvidenceQuery>,
) -> AppResult<Response> {
    let scope = user.scope();
    let row: Option<(String, String, Vec<u8>)> = sqlx::query!(
        "select f.filename, f.content_type, f.data from evidence_files f join employees e on e.id = f.employee_id
         join units u on u.id = e.unit_id where f.id = $1 and scope_sees($2, $3, $4, e.id, u.path)",
        id,
        scope.all,
        scope.own,
        &scope.unit_patterns,
    )
    .fetch_optional(&state.pool)
    .await?
    .map(|f| (f.filename, f.content_type, f.data));
    let (filename, content_type, data) = row.ok_or(AppError::NotFound)?;
    Ok(crate::app::render::stored_file(&filename, content_type, data, q.download.is_empty()))
}
