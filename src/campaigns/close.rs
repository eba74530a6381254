//! Closing a campaign.

use axum::{
    extract::{Path, State},
    response::Response,
};
use serde_json::json;

use crate::{
    app::{
        AppResult, AppState, Ctx,
        render::{FlashKind, redirect_flash},
    },
    audit::{self, Actor},
    auth::CurrentUser,
};

/// Close a campaign: each item keeps the state it has now (one statement), so who never answered
/// is recorded as of this moment. HR or the head who opened it; twice at once closes once.
pub(super) async fn close(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let open = super::edit::managed(&mut tx, &user, id, true).await?;
    let to = format!("/campaigns/{id}");
    if !open {
        return Ok(redirect_flash(&to, FlashKind::Err, "camp.err.already_closed"));
    }
    let counts = sqlx::query!(
        r#"with frozen as (
           update campaign_items i set closed_state = s.state
           from campaign_item_states s
           where s.campaign_id = $1 and i.campaign_id = s.campaign_id and i.employee_id = s.employee_id
             and i.competency_id = s.competency_id
           returning i.employee_id, i.closed_state)
         select count(*) filter (where closed_state = 'not_started') as "not_started!",
                count(*) filter (where closed_state = 'submitted') as "submitted!",
                count(*) filter (where closed_state = 'validated') as "validated!",
                count(distinct employee_id) filter (where closed_state = 'not_started') as "unanswered!"
         from frozen"#,
        id,
    )
    .fetch_one(&mut *tx)
    .await?;
    let (not_started, submitted, validated, unanswered) =
        (counts.not_started, counts.submitted, counts.validated, counts.unanswered);
    sqlx::query!("update campaigns set closed_at = now(), closed_by = $2 where id = $1", id, user.account_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "campaign",
        id,
        "close",
        Some(json!({"closed": false})),
        Some(json!({"closed": true, "not_started": not_started, "submitted": submitted, "validated": validated,
                    "unanswered_staff": unanswered})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&to, FlashKind::Ok, "flash.campaign_closed"))
}
