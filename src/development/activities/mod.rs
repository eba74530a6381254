//! Informal development (nonklasikal): coaching, mentoring, self-study, learning communities,
//! on-the-job guidance, internships… An employee logs their own session (as learner or as the
//! mentor who gave it); it counts once the learners' head or HR confirms it. Logged by a head or
//! HR for their own staff it counts at once. JP come from the agency's rules (`activity_jp`).

use axum::{
    extract::{Multipart, Query, State},
    response::Response,
};
use serde::Deserialize;
use serde_json::json;

use super::model::{ActivityKind, ActivityStatus, JpRuleApplied, jp_text};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        decide::{self, Decidable, Outcome, StatusChange, Way},
        edit,
        form::{FieldErrors, clean_text, read_multipart, required_text},
        paging::{PER_PAGE, Pager, query_string},
        render::{FlashKind, redirect_flash, render, render_status},
        routes::BadgeFuture,
    },
    assessments::{db::store_evidence, model::Evidence},
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    competencies::model::Level,
    employees::{
        db::{Opt, competency_options},
        form::parse_date,
    },
    people::{Picker, Purpose},
};

/// A self-study counts only with a report of what was learnt and from which sources.
const SELF_STUDY_REPORT_MIN: usize = 40;

pub fn routes() -> Routes {
    Routes::new()
        .get("/activities", Access::SignedIn, list)
        .get("/activities/new", Access::SignedIn, new_form)
        .post("/activities", Access::SignedIn, create)
        .post("/activities/{id}/confirm", Access::AnyOf(&[Role::Hr, Role::Head]), decide::post::<Activity, true>)
        .post("/activities/{id}/reject", Access::AnyOf(&[Role::Hr, Role::Head]), decide::post::<Activity, false>)
        .badge("/development", waiting_badge)
}

/// What waits for this user in development: activities and nominations to decide, requests to
/// decide or schedule, evaluations owed.
fn waiting_badge<'a>(state: &'a AppState, user: &'a CurrentUser) -> BadgeFuture<'a> {
    Box::pin(async move { super::hub::waiting(state, &state.pool, user).await.map(|w| Some(w.total())) })
}

mod create;
mod form;
mod list;
pub use list::warm;

use create::*;
pub use form::*;
pub use list::*;

/// A logged activity, decided through [`decide`]: confirmed or rejected only by someone who
/// decides for every learner and took no part in it as the mentor.
pub(crate) struct Activity;

impl Decidable for Activity {
    const ENTITY: &'static str = "activity";
    type Status = ActivityStatus;
    const WAITING: ActivityStatus = ActivityStatus::Pending;
    const LOCK: &'static str = "select a.status, a.decided_by, a.decided_at,
               not exists (select 1 from activity_learners l join employees e on e.id = l.employee_id
                           join units u on u.id = e.unit_id
                           where l.activity_id = a.id and not scope_decides($2, $3, $4, e.id, u.path))
                 and not (a.mentor_id is not distinct from $3 and $3 is not null) as decides
        from activities a where a.id = $1 for update";
    type Row = ();
    type Plan = ();
    const CHANGE: StatusChange = StatusChange {
        sql: "update activities set status = $2, decided_by = $3, decided_at = now(), decision_reason = $4
              where id = $1 and status = 'pending'",
        from: "pending",
        approve: Way { status: "confirmed", action: "confirm", key: "flash.activity_confirmed" },
        reject: Way { status: "rejected", action: "reject", key: "flash.activity_rejected" },
    };

    /// Back to the activities with its flash.
    async fn page(
        _state: &AppState,
        _ctx: Ctx,
        _user: &CurrentUser,
        _id: i64,
        outcome: Outcome,
    ) -> AppResult<Response> {
        match outcome {
            Outcome::Decided { key, .. } => Ok(redirect_flash("/activities", FlashKind::Ok, key)),
            Outcome::NeedsReason { .. } => Ok(redirect_flash("/activities", FlashKind::Err, "part.err.reason")),
            other => Err(other.error()),
        }
    }
}
