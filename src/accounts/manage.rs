//! Resetting an account's password, disabling and enabling it.

use axum::{
    extract::{Path, State},
    response::Response,
};
use serde_json::json;

use super::db;
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx, edit,
        render::{FlashKind, redirect_flash, render},
    },
    audit::{self, Actor},
    auth::{CurrentUser, hash_password, session},
};

pub(super) async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let (account, may) = super::roles::load_managed(&mut conn, id, &user).await?;
    drop(conn);
    if !may {
        return Err(AppError::Forbidden);
    }
    let password = db::generate_one_time_password();
    let hash = hash_password(password.clone()).await?;
    let mut tx = state.pool.begin().await?;
    sqlx::query!("update accounts set password_hash = $1, must_change_password = true where id = $2", hash, id)
        .execute(&mut *tx)
        .await?;
    session::delete_all_for(&mut tx, id, None).await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "account",
        id,
        "password_reset",
        Some(json!({"must_change_password": account.must_change_password})),
        Some(json!({"must_change_password": true})),
    )
    .await?;
    tx.commit().await?;
    render(&super::create::OneTimePage { ctx, id, username: account.username, password })
}

async fn set_disabled(state: AppState, ctx: Ctx, user: CurrentUser, id: i64, disable: bool) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let (_, may) = super::roles::load_managed(&mut tx, id, &user).await?;
    if !may {
        return Err(AppError::Forbidden);
    }
    if id == user.account_id {
        return Ok(redirect_flash(&format!("/accounts/{id}"), FlashKind::Err, "acct.err.self_disable"));
    }
    // One atomic change: of two officers disabling at once, one does it, the other is told.
    let changed = sqlx::query!(
        "update accounts set disabled_at = case when $2 then now() end where id = $1 and (disabled_at is null) = $2",
        id,
        disable
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        let action = if disable { "disable" } else { "enable" };
        return edit::already_done(&mut tx, ctx, "account", id, action, &format!("/accounts/{id}")).await;
    }
    {
        if disable {
            session::delete_all_for(&mut tx, id, None).await?;
        }
        let action = if disable { "disable" } else { "enable" };
        audit::record(
            &mut tx,
            &Actor::from_ctx(&ctx),
            "account",
            id,
            action,
            Some(json!({"disabled": !disable})),
            Some(json!({"disabled": disable})),
        )
        .await?;
    }
    tx.commit().await?;
    let key = if disable { "flash.account_disabled" } else { "flash.account_enabled" };
    Ok(redirect_flash(&format!("/accounts/{id}"), FlashKind::Ok, key))
}

pub(super) async fn disable(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    set_disabled(state, ctx, user, id, true).await
}

pub(super) async fn enable(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    set_disabled(state, ctx, user, id, false).await
}
