//! A training's participants: nominated → approved (their head or HR, within quota and budget) →
//! attended → passed / failed / absent, with certificate and JP; then the participant's
//! evaluation. Every decision is one atomic change under a row lock; every budget check runs
//! under the budget's lock, so two approvals cannot both spend the last rupiah.

use axum::{
    Form,
    extract::{Multipart, Path, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use serde_json::json;

use super::{
    db,
    model::{Jp, ParticipantStatus, TrainingStatus, rating, rupiah},
    trainings::detail_page,
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        decide::{self, Applied, Decidable, Decision, Outcome, Refusal, StatusChange, Way},
        form::{FieldErrors, clean_text, read_multipart},
        render::{FlashKind, redirect_flash, render_status},
    },
    assessments::{db::store_evidence, model::Evidence},
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    employees::form::parse_date,
    people::{self, Picker, Purpose},
};

mod evaluation;
mod nomination;
mod pass;
mod result;

use evaluation::*;
pub(crate) use nomination::*;
pub(super) use pass::*;
pub use result::*;

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .post("/trainings/{id}/participants", Access::AnyOf(HR_HEAD), nominate)
        .post("/participants/{id}/approve", Access::AnyOf(HR_HEAD), decide::post::<Nomination, true>)
        .post("/participants/{id}/reject", Access::AnyOf(HR_HEAD), decide::post::<Nomination, false>)
        .get("/participants/{id}/result", Access::AnyOf(&[Role::Hr]), result_form)
        .post("/participants/{id}/result", Access::AnyOf(&[Role::Hr]), save_result)
        .get("/participants/{id}/certificate", Access::SignedIn, certificate)
        .get("/participants/{id}/evaluation", Access::SignedIn, evaluation_form)
        .post("/participants/{id}/evaluation", Access::SignedIn, save_evaluation)
}

/// HR and heads nominate by name (or NIP) among the staff they decide for.
pub fn nominate_picker() -> Picker {
    Picker::new("nips", "part.pick", "part.pick_hint", Purpose::Manage).multiple().required()
}

async fn refuse(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    picker: Picker,
    problem: Vec<String>,
) -> AppResult<Response> {
    let page = detail_page(state, ctx, user, id, picker, problem).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Add participants chosen by name (or NIP, one per line). All or nothing: anyone not found
/// among the staff the nominator decides for, anyone already on the list, or more than the seats
/// left, and nothing is added; the choice is shown again.
async fn nominate(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let row =
        sqlx::query!(r#"select status as "status: TrainingStatus", quota from trainings where id = $1 for update"#, id)
            .fetch_optional(&mut *tx)
            .await?
            .map(|r| (r.status, r.quota));
    let (status, quota) = row.ok_or(AppError::NotFound)?;
    let mut problem = vec![];
    if !matches!(status, TrainingStatus::Planned | TrainingStatus::Open) {
        problem.push(ctx.t("part.err.closed").to_string());
    }
    let picker = nominate_picker()
        .resolve(&mut tx, &ctx, &user, &people::values(&fields, "nips_id"), &people::value(&fields, "nips"))
        .await?;
    if !picker.ok() {
        problem.push(picker.error_text().to_string());
    }
    let ids: Vec<i64> = picker.ids();
    let already: Vec<String> = sqlx::query_scalar!(
        r#"select employee_display_name(e.front_title, e.name, e.back_title) as "name!" from training_participants tp
         join employees e on e.id = tp.employee_id where tp.training_id = $1 and tp.employee_id = any($2) order by e.name"#,
        id,
        &ids,
    )
    .fetch_all(&mut *tx)
    .await?;
    for name in already {
        problem.push(ctx.t("part.err.twice").replace("{name}", &name));
    }
    let taken: i64 = sqlx::query_scalar!(
        r#"select count(*) as "n!" from training_participants where training_id = $1 and status <> 'rejected'"#,
        id,
    )
    .fetch_one(&mut *tx)
    .await?;
    let left = i64::from(quota) - taken;
    if problem.is_empty() && ids.len() as i64 > left {
        problem.push(ctx.t("part.err.quota").replace("{left}", &left.max(0).to_string()));
    }
    if !problem.is_empty() {
        drop(tx);
        return refuse(&state, ctx, &user, id, picker, problem).await;
    }
    let inserted = sqlx::query!(
        "insert into training_participants (training_id, employee_id, nominated_by)
         select $1, unnest($2::bigint[]), $3 returning id, employee_id",
        id,
        &ids,
        user.account_id,
    )
    .fetch_all(&mut *tx)
    .await?;
    let actor = Actor::from_ctx(&ctx);
    for r in inserted {
        let (pid, emp) = (r.id, r.employee_id);
        let after = json!({"training_id": id, "employee_id": emp, "status": "nominated"});
        audit::record(&mut tx, &actor, "participant", pid, "nominate", None, Some(after)).await?;
    }
    tx.commit().await?;
    Ok(redirect_flash(&format!("/trainings/{id}"), FlashKind::Ok, "flash.nominated"))
}
