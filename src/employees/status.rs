//! Leaving and returning: deactivate (with the date they left) and activate again. Leaving ends
//! the head role with the position and disables the account.

use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use serde::Deserialize;
use serde_json::json;

use super::form::{parse_date, snapshot};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx, edit,
        render::{FlashKind, redirect_flash},
    },
    audit::{self, Actor},
};

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DeactivateForm {
    date: String,
}

async fn set_active(
    state: AppState,
    ctx: Ctx,
    id: i64,
    active: bool,
    date: Option<chrono::NaiveDate>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let before = snapshot(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let changed = sqlx::query!(
        r#"update employees set active = $2, deactivated_on = case when $2 then null else coalesce($3::date, $4::date) end
         where id = $1 and active <> $2"#,
        id,
        active,
        date,
        ctx.today,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed > 0 {
        let after = snapshot(&mut tx, id).await?;
        let action = if active { "activate" } else { "deactivate" };
        audit::record(&mut tx, &Actor::from_ctx(&ctx), "employee", id, action, Some(before), after).await?;
        // Leaving ends the head role with the position; returning brings it back.
        crate::accounts::follow_positions(&mut tx, &Actor::from_ctx(&ctx), &[id]).await?;
        if !active {
            // Someone who has left no longer signs in: their account is disabled with them.
            let accounts: Vec<i64> = sqlx::query_scalar!(
                r#"update accounts set disabled_at = now() where employee_id = $1 and disabled_at is null returning id"#,
                id,
            )
            .fetch_all(&mut *tx)
            .await?;
            for account in accounts {
                crate::auth::session::delete_all_for(&mut tx, account, None).await?;
                audit::record(
                    &mut tx,
                    &Actor::from_ctx(&ctx),
                    "account",
                    account,
                    "disable",
                    Some(json!({"disabled": false})),
                    Some(json!({"disabled": true, "reason": "employee deactivated"})),
                )
                .await?;
            }
        }
    } else {
        let action = if active { "activate" } else { "deactivate" };
        return edit::already_done(&mut tx, ctx, "employee", id, action, &format!("/employees/{id}")).await;
    }
    tx.commit().await?;
    let key = if active { "flash.employee_activated" } else { "flash.employee_deactivated" };
    Ok(redirect_flash(&format!("/employees/{id}"), FlashKind::Ok, key))
}

pub(super) async fn deactivate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DeactivateForm>,
) -> AppResult<Response> {
    let date = if f.date.trim().is_empty() {
        None
    } else {
        match parse_date(&f.date) {
            Some(d) if d <= ctx.today => Some(d),
            Some(_) => return Ok(redirect_flash(&format!("/employees/{id}"), FlashKind::Err, "emp.err.leave_future")),
            None => return Ok(redirect_flash(&format!("/employees/{id}"), FlashKind::Err, "form.bad_date")),
        }
    };
    set_active(state, ctx, id, false, date).await
}

pub(super) async fn activate(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    set_active(state, ctx, id, true, None).await
}
