//! The decision on a pending item, written once: [`decide`] approves or rejects a
//! self-assessment or a training's proposal, a training request, an informal activity and a
//! nomination the same way, in one transaction (run again by [`retry::transaction`] when it meets
//! another writer):
//! 1. the item is read under its row lock (`Decidable::LOCK`, after any lock the kind takes
//!    before it in its fixed order, `Decidable::lock_first`), with whether this user decides it
//!    and, once decided, by whom, how and when (an item gone may say how, `Decidable::gone`);
//! 2. the checks every kind shares: not found, not this user's to decide, already decided (two
//!    people deciding at once: exactly one decision is recorded, the other is told who was
//!    first), a rejection without a reason;
//! 3. the kind's own refusals (`Decidable::check`: seats, budget, a closed training, a proposal
//!    that would record a lower level…), each in words;
//! 4. the change (`Decidable::apply`) and one audit entry of what it did;
//! 5. commit.
//!
//! The answer is an [`Outcome`], not a page: each kind's own page turns it into its redirect,
//! flash or page, and the approval queue lists what was not decided with why.

use std::future::Future;

use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{Value, json};
use sqlx::{PgConnection, Row as _, postgres::PgRow};

use super::{AppError, AppResult, AppState, Ctx, enums::Labelled, form::clean_text, retry};
use crate::{
    audit::{self, Actor},
    auth::CurrentUser,
};

/// Approve (confirm, validate) or reject, and why (required to reject).
#[derive(Clone, Debug, Default)]
pub struct Decision {
    pub approve: bool,
    pub reason: String,
}

/// How an item already decided was decided: the account that decided it, when, and the outcome
/// in words ("Disetujui").
#[derive(Clone, Debug)]
pub struct Prior {
    pub by: Option<i64>,
    pub at: Option<DateTime<Utc>>,
    pub status: &'static str,
}

/// An item read under its lock (`Decidable::LOCK`): its status, whether this user may decide it
/// (`decides`), the account that decided it and when (`decided_by`, `decided_at`), and what the
/// kind's check and change need of it (`row`, the query's other columns).
pub struct Locked<S, R> {
    pub status: S,
    pub decides: bool,
    pub decided_by: Option<i64>,
    pub decided_at: Option<DateTime<Utc>>,
    pub row: R,
}

impl<'r, S, R> sqlx::FromRow<'r, PgRow> for Locked<S, R>
where
    S: sqlx::Decode<'r, sqlx::Postgres> + sqlx::Type<sqlx::Postgres>,
    R: sqlx::FromRow<'r, PgRow>,
{
    fn from_row(r: &'r PgRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            status: r.try_get("status")?,
            decides: r.try_get("decides")?,
            decided_by: r.try_get("decided_by")?,
            decided_at: r.try_get("decided_at")?,
            row: R::from_row(r)?,
        })
    }
}

/// Read item `id` of kind `K` under its row lock (`K::LOCK`), for this user's scope.
pub async fn lock_row<K: Decidable>(
    conn: &mut PgConnection,
    user: &CurrentUser,
    id: i64,
) -> Result<Option<Locked<K::Status, K::Row>>, sqlx::Error> {
    let scope = user.scope();
    sqlx::query_as(K::LOCK)
        .bind(id)
        .bind(scope.all)
        .bind(scope.own)
        .bind(&scope.unit_patterns)
        .fetch_optional(conn)
        .await
}

/// One reason a kind refuses a decision: its i18n key (for a flash) and its text with the
/// figures filled in.
#[derive(Clone, Debug)]
pub struct Refusal {
    pub key: &'static str,
    pub text: String,
}

impl Refusal {
    /// A refusal whose text is its key's, as it stands.
    pub fn plain(ctx: &Ctx, key: &'static str) -> Self {
        Self { key, text: ctx.t(key).to_string() }
    }
}

/// What a change did: the audit entry's action, before and after, and the success flash.
pub struct Applied {
    pub action: &'static str,
    pub before: Value,
    pub after: Value,
    pub key: &'static str,
}

/// How a decision ended. `within` is the page the item is decided on (the item itself, or the
/// training of a nomination).
#[derive(Debug)]
pub enum Outcome {
    /// Recorded; `key` is the success flash ("flash.training_confirmed" where a training's
    /// proposal became a confirmation instead).
    Decided { key: &'static str, within: i64 },
    /// Someone decided it first: who, when, how (in words).
    AlreadyDecided { by: Option<String>, at: Option<DateTime<Utc>>, status: &'static str },
    /// Not this user's to decide (403).
    NotYours,
    /// No such item, or not one this user may know of (404).
    NotFound,
    /// A rejection needs a reason.
    NeedsReason { within: i64 },
    /// The kind refused it (over budget, no seat, closed…), nothing written.
    Refused { refusals: Vec<Refusal>, within: i64 },
}

impl Outcome {
    /// The error answer of a page that shows no page of its own for this outcome: 403, 404,
    /// 409 "already decided"; a refusal or a missing reason as 409 with the first reason. Pages
    /// show `Decided` themselves (as a redirect).
    pub fn error(self) -> AppError {
        match self {
            Outcome::NotYours => AppError::Forbidden,
            Outcome::NotFound => AppError::NotFound,
            Outcome::NeedsReason { .. } => AppError::Conflict("appr.err.reason"),
            Outcome::Refused { refusals, .. } => AppError::Conflict(refusals.first().map_or("appr.refused", |r| r.key)),
            Outcome::AlreadyDecided { .. } | Outcome::Decided { .. } => AppError::Conflict("flash.already_decided"),
        }
    }

    /// Why it was not decided, in words, for a list of what was not (`None`: it was decided).
    pub fn why(&self, ctx: &Ctx) -> Option<String> {
        Some(match self {
            Outcome::Decided { .. } => return None,
            Outcome::AlreadyDecided { by, at, status } => ctx
                .t("appr.decided_first")
                .replace("{status}", status)
                .replace("{by}", by.as_deref().unwrap_or("—"))
                .replace("{when}", &at.map(|t| ctx.date_time(t)).unwrap_or_default()),
            Outcome::NotYours | Outcome::NotFound => ctx.t("appr.not_allowed").to_string(),
            Outcome::NeedsReason { .. } => ctx.t("appr.err.reason").to_string(),
            Outcome::Refused { refusals, .. } => refusals.iter().map(|r| r.text.as_str()).collect::<Vec<_>>().join(" "),
        })
    }
}

/// A kind of item waiting for a decision; it says only what differs from the others.
pub trait Decidable: Send + Sync + 'static {
    /// The item's name in the audit log ("participant").
    const ENTITY: &'static str;
    /// The item's status, and the one it has while it waits.
    type Status: for<'r> sqlx::Decode<'r, sqlx::Postgres>
        + sqlx::Type<sqlx::Postgres>
        + Labelled
        + PartialEq
        + Send
        + Sync
        + Unpin;
    const WAITING: Self::Status;
    /// The lock query: `$1` the item's id, `$2`..`$4` the user's scope (`scope_decides`); it
    /// returns the columns `status`, `decides`, `decided_by`, `decided_at` (see [`Locked`]) and
    /// the `Row`'s, and ends `for update` of the item's row.
    const LOCK: &'static str;
    /// What the lock query reads besides that for the check and the change.
    type Row: for<'r> sqlx::FromRow<'r, PgRow> + Send + Sync + Unpin;
    /// What the check found that the change needs (the budget figures of an approval…).
    type Plan: Default + Send + Sync;
    /// The kind's usual change of status.
    const CHANGE: StatusChange;

    /// The locks the kind takes before the item's row, in its fixed order; `false` if there is
    /// no such item. None unless the kind says.
    fn lock_first(_conn: &mut PgConnection, _id: i64, _approve: bool) -> impl Future<Output = AppResult<bool>> + Send {
        async { Ok(true) }
    }

    /// An item that is no longer there: how it was decided, if it was and this user decides
    /// for it (a training's proposal that became a confirmation); else it is not found.
    fn gone(
        _conn: &mut PgConnection,
        _ctx: &Ctx,
        _user: &CurrentUser,
        _id: i64,
    ) -> impl Future<Output = AppResult<Option<Prior>>> + Send {
        async { Ok(None) }
    }

    /// The page the item is decided on (a nomination: its training).
    fn within(id: i64, _row: &Self::Row) -> i64 {
        id
    }

    /// The kind's own refusals, under the locks (the reason is already required to reject);
    /// none unless the kind says.
    fn check(
        _conn: &mut PgConnection,
        _ctx: &Ctx,
        _user: &CurrentUser,
        _id: i64,
        _row: &Self::Row,
        _decision: &Decision,
    ) -> impl Future<Output = AppResult<Result<Self::Plan, Vec<Refusal>>>> + Send {
        async { Ok(Ok(Self::Plan::default())) }
    }

    /// The change, and any other effect the kind's decision has, in the same transaction: the
    /// kind's usual change of status unless it says otherwise.
    fn apply(
        conn: &mut PgConnection,
        user: &CurrentUser,
        id: i64,
        _row: &Self::Row,
        _plan: Self::Plan,
        decision: &Decision,
    ) -> impl Future<Output = AppResult<Applied>> + Send {
        Self::CHANGE.apply(conn, id, user.account_id, decision)
    }

    /// The kind's own page's answer to an outcome (a redirect with its flash, a page with the
    /// refusal; [`Outcome::error`] for the rest).
    fn page(
        state: &AppState,
        ctx: Ctx,
        user: &CurrentUser,
        id: i64,
        outcome: Outcome,
    ) -> impl Future<Output = AppResult<Response>> + Send;
}

/// The form of an approve or reject button: the reason (required to reject).
#[derive(Deserialize, Default)]
#[serde(default)]
pub struct DecisionForm {
    reason: String,
}

/// `POST …/{id}/approve` (validate, confirm: `APPROVE`) or `POST …/{id}/reject` of kind `K`,
/// answered by the kind's own page.
pub async fn post<K: Decidable, const APPROVE: bool>(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    let outcome = decide::<K>(&state, &ctx, &user, id, Decision { approve: APPROVE, reason: f.reason }).await?;
    K::page(&state, ctx, &user, id, outcome).await
}

/// Decide item `id` of kind `K` (see the module's comment).
pub async fn decide<K: Decidable>(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    id: i64,
    decision: Decision,
) -> AppResult<Outcome> {
    let decision = Decision { reason: clean_text(&decision.reason, 1000).unwrap_or_default(), ..decision };
    retry::transaction(|| once::<K>(state, ctx, user, id, &decision)).await
}

/// One attempt: one transaction.
async fn once<K: Decidable>(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    id: i64,
    decision: &Decision,
) -> AppResult<Outcome> {
    let mut tx = state.pool.begin().await?;
    let locked = if K::lock_first(&mut tx, id, decision.approve).await? {
        lock_row::<K>(&mut tx, user, id).await?
    } else {
        None
    };
    let Some(Locked { status, decides, decided_by, decided_at, row }) = locked else {
        return match K::gone(&mut tx, ctx, user, id).await? {
            Some(prior) => already(&mut tx, prior).await,
            None => Ok(Outcome::NotFound),
        };
    };
    if !decides {
        return Ok(Outcome::NotYours);
    }
    if status != K::WAITING {
        return already(&mut tx, Prior { by: decided_by, at: decided_at, status: ctx.label(status) }).await;
    }
    let within = K::within(id, &row);
    if !decision.approve && decision.reason.is_empty() {
        return Ok(Outcome::NeedsReason { within });
    }
    let plan = match K::check(&mut tx, ctx, user, id, &row, decision).await? {
        Ok(plan) => plan,
        Err(refusals) => return Ok(Outcome::Refused { refusals, within }),
    };
    let applied = K::apply(&mut tx, user, id, &row, plan, decision).await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(ctx),
        K::ENTITY,
        id,
        applied.action,
        Some(applied.before),
        Some(applied.after),
    )
    .await?;
    tx.commit().await?;
    Ok(Outcome::Decided { key: applied.key, within })
}

/// Someone decided it first: who (by name), when and how.
async fn already(conn: &mut PgConnection, prior: Prior) -> AppResult<Outcome> {
    let by = match prior.by {
        Some(account) => name_of(conn, account).await?,
        None => None,
    };
    Ok(Outcome::AlreadyDecided { by, at: prior.at, status: prior.status })
}

/// An account's name as shown: the employee's display name, else the username.
async fn name_of(conn: &mut PgConnection, account: i64) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select coalesce(employee_display_name(e.front_title, e.name, e.back_title), a.username) as "name!"
           from accounts a left join employees e on e.id = a.employee_id where a.id = $1"#,
        account
    )
    .fetch_optional(conn)
    .await
}

/// One way a decision goes: the item's new status, the audit action and the success flash.
pub struct Way {
    pub status: &'static str,
    pub action: &'static str,
    pub key: &'static str,
}

/// The usual change of a pending item: its status, who decided, when and why. `sql` is the
/// kind's update, `$1` the id, `$2` the new status, `$3` the account and `$4` the reason, on the
/// row still in status `from`.
pub struct StatusChange {
    pub sql: &'static str,
    pub from: &'static str,
    pub approve: Way,
    pub reject: Way,
}

impl StatusChange {
    pub async fn apply(
        &self,
        conn: &mut PgConnection,
        id: i64,
        account: i64,
        decision: &Decision,
    ) -> AppResult<Applied> {
        let way = if decision.approve { &self.approve } else { &self.reject };
        let changed =
            sqlx::query(self.sql).bind(id).bind(way.status).bind(account).bind(&decision.reason).execute(conn).await?;
        // The row is locked and was seen waiting: anything else is a bug, not a user's race.
        if changed.rows_affected() != 1 {
            return Err(AppError::Conflict("flash.already_decided"));
        }
        Ok(Applied {
            action: way.action,
            before: json!({"status": self.from}),
            after: json!({"status": way.status, "reason": decision.reason}),
            key: way.key,
        })
    }
}
