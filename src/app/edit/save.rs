//! The versioned edit, written once: `save` runs every create and edit form of a record kind
//! the same way, in one transaction:
//! 1. the record is read under a row lock (an edit) or the form's one-time token is claimed (a
//!    create: a double click saves once and the second click is sent where the first went);
//! 2. what the user typed is reconciled with what others saved meanwhile (`super::begin`):
//!    changes to other fields are merged, changes to the same field are shown side by side (409);
//! 3. the values are checked (`Editable::check`); any error shows the form again with every
//!    message beside its field and the input kept (422), nothing written;
//! 4. the record is written; a constraint a user can fix (a code taken meanwhile) is a field
//!    error too;
//! 5. what else the kind does with a save (`Editable::after`), the audit entry with the record
//!    before and after, and the token's record address;
//! 6. commit, and to the record's page with "saved" (or "saved, merged with …").
//!
//! A kind says only what differs: how it loads, checks, writes and shows its form; and, where it
//! has them, who may save a record (`Editable::refuse`), the rules that depend on who saves or on
//! today (`Editable::check_in`), and its own audit action and flash message.
//!
//! An edit that changed nothing (the record as the audit log keeps it is the same before and
//! after) leaves no audit entry.

use std::future::Future;

use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::Value;
use sqlx::PgConnection;

use super::{Begin, EditState, Versioned};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx,
        form::FieldErrors,
        render::{FlashKind, redirect_flash},
    },
    audit::{self, Actor},
    auth::CurrentUser,
};

/// A kind of record edited through a versioned form.
pub trait Editable: Send + Sync + 'static {
    /// The form's fields as typed (also what the concurrency check compares).
    type Form: Serialize + DeserializeOwned + Clone + Send + Sync + 'static;
    /// The values once checked, ready to write.
    type Checked: Send + Sync;
    /// The record's name in the audit log ("unit").
    const ENTITY: &'static str;
    /// Where to go when a create form was already submitted and its record is not known.
    const LIST: &'static str;

    /// The record's version and form values; `lock` holds its row until the transaction ends.
    fn load(
        conn: &mut PgConnection,
        id: i64,
        lock: bool,
    ) -> impl Future<Output = Result<Option<(i64, Self::Form)>, sqlx::Error>> + Send;

    /// The audit log's action for an edit.
    const UPDATE_ACTION: &'static str = "update";

    /// Check the values (lookups may read the database); every problem goes into `errors`.
    /// `None` (or any error added) shows the form again. A kind implements this, or `check_in`
    /// when its rules depend on who saves or on the agency's date (a kind implementing neither
    /// never saves).
    fn check(
        _conn: &mut PgConnection,
        _id: Option<i64>,
        _form: &Self::Form,
        _errors: &mut FieldErrors,
    ) -> impl Future<Output = Result<Option<Self::Checked>, sqlx::Error>> + Send {
        async { Ok(None) }
    }

    /// `check`, for the rules that depend on who saves (`ctx.user`) or on the agency's date
    /// (`ctx.today`). The default is `check`.
    fn check_in(
        conn: &mut PgConnection,
        _ctx: &Ctx,
        id: Option<i64>,
        form: &Self::Form,
        errors: &mut FieldErrors,
    ) -> impl Future<Output = Result<Option<Self::Checked>, sqlx::Error>> + Send {
        Self::check(conn, id, form, errors)
    }

    /// Whether this user may edit record `id` (asked with the record locked, before anything is
    /// compared, and before its edit form is shown): an error (404 for a record they do not see,
    /// 403) or a response instead of the form (a closed record sends back to its page). The
    /// default: whoever the route lets in.
    fn refuse(
        _conn: &mut PgConnection,
        _ctx: &Ctx,
        _id: i64,
    ) -> impl Future<Output = AppResult<Option<Response>>> + Send {
        async { Ok(None) }
    }

    /// The record as the audit log keeps it.
    fn snapshot(conn: &mut PgConnection, id: i64) -> impl Future<Output = Result<Option<Value>, sqlx::Error>> + Send;

    /// Insert (`id` is `None`) or update the record; its id.
    fn write(
        conn: &mut PgConnection,
        id: Option<i64>,
        form: &Self::Form,
        checked: &Self::Checked,
    ) -> impl Future<Output = Result<i64, sqlx::Error>> + Send;

    /// What else a save does in its transaction, after the write and before the audit entry.
    fn after(
        _conn: &mut PgConnection,
        _actor: &Actor,
        _edited: Option<i64>,
        _saved: i64,
        _change: (Option<&Value>, Option<&Value>),
    ) -> impl Future<Output = Result<(), sqlx::Error>> + Send {
        async { Ok(()) }
    }

    /// Where the saved record is shown.
    fn location(saved: i64) -> String;

    /// The flash message after a save (`created`: a create form), unless merged with others'.
    fn saved_flash(_created: bool) -> &'static str {
        "flash.saved"
    }

    /// The form page, with its errors or clashes.
    fn page(
        state: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: Self::Form,
        errors: FieldErrors,
        edit: EditState,
    ) -> impl Future<Output = AppResult<Response>> + Send;
}

/// Save a create (`id` is `None`) or edit form of kind `E` (see the module's comment).
pub async fn save<E: Editable>(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    id: Option<i64>,
    posted: Versioned<E::Form>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let current = match id {
        Some(id) => {
            let current = E::load(&mut tx, id, true).await?.ok_or(AppError::NotFound)?;
            if let Some(instead) = E::refuse(&mut tx, &ctx, id).await? {
                return Ok(instead);
            }
            Some(current)
        }
        None => None,
    };
    let (form, merged) = match super::begin(&mut tx, user.account_id, &posted, current).await? {
        Begin::Go { form, merged } => (form, merged),
        Begin::Conflict(edit) => {
            drop(tx);
            return E::page(state, ctx, id, posted.form, FieldErrors::default(), edit).await;
        }
        Begin::Duplicate(location) => {
            let to = if location.is_empty() { E::LIST.to_string() } else { location };
            return Ok(redirect_flash(&to, FlashKind::Ok, "flash.already_saved"));
        }
    };
    let mut errors = FieldErrors::default();
    let checked = E::check_in(&mut tx, &ctx, id, &form, &mut errors).await?;
    let Some(checked) = checked.filter(|_| errors.is_empty()) else {
        drop(tx);
        return E::page(state, ctx, id, form, errors, posted.again()).await;
    };
    let before = match id {
        Some(id) => Some(E::snapshot(&mut tx, id).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    let saved = match E::write(&mut tx, id, &form, &checked).await {
        Ok(saved) => saved,
        // Someone else took a unique value at the same moment: said beside its field.
        Err(e) => match crate::app::error::constraint_field(&e) {
            Some((field, key)) => {
                drop(tx);
                let mut errors = FieldErrors::default();
                errors.add(field, key);
                return E::page(state, ctx, id, form, errors, posted.again()).await;
            }
            None => return Err(e.into()),
        },
    };
    let after = E::snapshot(&mut tx, saved).await?;
    let actor = Actor::from_ctx(&ctx);
    E::after(&mut tx, &actor, id, saved, (before.as_ref(), after.as_ref())).await?;
    if id.is_none() || before != after {
        let action = if id.is_some() { E::UPDATE_ACTION } else { "create" };
        audit::record(&mut tx, &actor, E::ENTITY, saved, action, before, after).await?;
    }
    let to = E::location(saved);
    if id.is_none() {
        super::remember(&mut tx, &posted.form_token, &to).await?;
    }
    tx.commit().await?;
    Ok(redirect_flash(&to, FlashKind::Ok, if merged { "flash.saved_merged" } else { E::saved_flash(id.is_none()) }))
}

/// `GET …/{id}/edit` of kind `E`.
pub async fn edit_page<E: Editable>(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let (version, form) = E::load(&mut conn, id, false).await?.ok_or(AppError::NotFound)?;
    if let Some(instead) = E::refuse(&mut conn, &ctx, id).await? {
        return Ok(instead);
    }
    drop(conn);
    let edit = EditState::loaded(version, &form);
    E::page(&state, ctx, Some(id), form, FieldErrors::default(), edit).await
}

/// `POST` of a create form of kind `E`.
pub async fn create<E: Editable>(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(form): Form<Versioned<E::Form>>,
) -> AppResult<Response> {
    save::<E>(&state, ctx, &user, None, form).await
}

/// `POST …/{id}` of an edit form of kind `E`.
pub async fn update<E: Editable>(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<Versioned<E::Form>>,
) -> AppResult<Response> {
    save::<E>(&state, ctx, &user, Some(id), form).await
}
