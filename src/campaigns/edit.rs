//! Changing a campaign's name or deadline through its versioned form (`edit::save`): HR or the
//! head who opened it, while it is open.

use axum::response::Response;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sqlx::PgConnection;

use super::model::parse_deadline;
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx,
        edit::{self, EditState},
        form::{FieldErrors, required_text},
        render::{FlashKind, redirect_flash, render_status},
    },
    auth::{CurrentUser, Role},
};

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub(super) struct EditForm {
    name: String,
    deadline: String,
}

#[derive(askama::Template)]
#[template(path = "campaigns/edit.html")]
struct EditPage {
    ctx: Ctx,
    id: i64,
    form: EditForm,
    errors: FieldErrors,
    edit: EditState,
    label_prefix: &'static str,
}

/// A campaign as the audit log keeps it: what it asks, of whom, by when, and how many items.
pub(super) async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<Value>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select jsonb_build_object('name', c.name, 'scope', c.scope, 'only_unknown', c.only_unknown,
                  'deadline', c.deadline,
                  'unit_id', (select coalesce(jsonb_agg(unit_id order by unit_id), '[]') from campaign_units where campaign_id = c.id),
                  'competency_id', (select coalesce(jsonb_agg(competency_id order by competency_id), '[]')
                                    from campaign_competencies where campaign_id = c.id),
                  'items', (select count(*) from campaign_items where campaign_id = c.id)) as "snapshot!"
         from campaigns c where c.id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// Whether campaign `id` is still open, for a user who may change it (`lock`: its row is held until
/// the transaction ends). Not seen: 404; seen but neither HR nor the head who opened it: 403.
pub(super) async fn managed(conn: &mut PgConnection, user: &CurrentUser, id: i64, lock: bool) -> AppResult<bool> {
    let scope = user.scope();
    let row: Option<(bool, i64)> = if lock {
        sqlx::query!(
            r#"select c.closed_at is null as "open!", c.opened_by from campaigns c
               where c.id = $1 and campaign_sees($2, $3, $4, c.id) for update"#,
            id,
            scope.all,
            user.account_id,
            &scope.unit_patterns,
        )
        .fetch_optional(conn)
        .await?
        .map(|r| (r.open, r.opened_by))
    } else {
        sqlx::query!(
            r#"select c.closed_at is null as "open!", c.opened_by from campaigns c
               where c.id = $1 and campaign_sees($2, $3, $4, c.id)"#,
            id,
            scope.all,
            user.account_id,
            &scope.unit_patterns,
        )
        .fetch_optional(conn)
        .await?
        .map(|r| (r.open, r.opened_by))
    };
    let (open, opened_by) = row.ok_or(AppError::NotFound)?;
    if !(user.has(Role::Hr) || opened_by == user.account_id) {
        return Err(AppError::Forbidden);
    }
    Ok(open)
}

/// A campaign's name and deadline, edited through its versioned form.
pub(super) struct CampaignEdit;

/// The new name and deadline, checked.
pub(super) struct Changed {
    name: String,
    deadline: chrono::NaiveDate,
}

impl edit::Editable for CampaignEdit {
    type Form = EditForm;
    type Checked = Changed;
    const ENTITY: &'static str = "campaign";
    const LIST: &'static str = "/campaigns";

    async fn load(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, EditForm)>, sqlx::Error> {
        let row: Option<(i64, String, chrono::NaiveDate)> = if lock {
            sqlx::query!("select version, name, deadline from campaigns where id = $1 for update", id)
                .fetch_optional(conn)
                .await?
                .map(|r| (r.version, r.name, r.deadline))
        } else {
            sqlx::query!("select version, name, deadline from campaigns where id = $1", id)
                .fetch_optional(conn)
                .await?
                .map(|r| (r.version, r.name, r.deadline))
        };
        Ok(row.map(|(version, name, deadline)| {
            (version, EditForm { name, deadline: deadline.format("%Y-%m-%d").to_string() })
        }))
    }

    /// Not seen: 404; neither HR nor the head who opened it: 403; closed: back to its page, told so.
    async fn refuse(conn: &mut PgConnection, ctx: &Ctx, id: i64) -> AppResult<Option<Response>> {
        let user = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
        let open = managed(conn, user, id, false).await?;
        Ok((!open).then(|| redirect_flash(&format!("/campaigns/{id}"), FlashKind::Err, "camp.err.closed")))
    }

    async fn check_in(
        _: &mut PgConnection,
        ctx: &Ctx,
        _: Option<i64>,
        form: &EditForm,
        errors: &mut FieldErrors,
    ) -> Result<Option<Changed>, sqlx::Error> {
        let name = required_text(errors, "name", &form.name, 200);
        let deadline = parse_deadline(errors, &form.deadline, ctx.today);
        Ok(deadline.filter(|_| errors.is_empty()).map(|deadline| Changed { name, deadline }))
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<Value>, sqlx::Error> {
        snapshot(conn, id).await
    }

    async fn write(conn: &mut PgConnection, id: Option<i64>, _: &EditForm, c: &Changed) -> Result<i64, sqlx::Error> {
        sqlx::query_scalar!(
            "update campaigns set name = $2, deadline = $3 where id = $1 returning id",
            id,
            c.name,
            c.deadline,
        )
        .fetch_one(conn)
        .await
    }

    fn location(saved: i64) -> String {
        format!("/campaigns/{saved}")
    }

    async fn page(
        _: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: EditForm,
        errors: FieldErrors,
        edit: EditState,
    ) -> AppResult<Response> {
        // Only ever an edit: a campaign is opened through `super::open`.
        let id = id.ok_or(AppError::NotFound)?;
        let status = edit.status(&errors);
        render_status(status, &EditPage { ctx, id, form, errors, edit, label_prefix: "camp" })
    }
}
