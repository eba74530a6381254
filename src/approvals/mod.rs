//! One approval queue for heads and HR: self-assessments, training nominations, training requests
//! and informal activities waiting for their decision, with bulk approve / reject-with-reason.
//! Each decision goes through the same code as on its own page (`app::decide`: locks, budget
//! checks, audit), and what was not decided is listed with why.

use axum::{Form, extract::State, http::StatusCode, response::Response};

use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        decide::{Decision, decide},
        render::{FlashKind, redirect_flash, render_status},
    },
    assessments::{model::Source as AssessmentSource, routes::Assessment},
    auth::{CurrentUser, Role},
    development::{activities::Activity, model::ActivityKind, participants::Nomination, requests::Request},
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .nav(40, |u| (u.has(Role::Hr) || u.has(Role::Head)).then(|| ("/approvals".into(), "nav.approvals")))
        .get("/approvals", Access::AnyOf(HR_HEAD), queue)
        .post("/approvals", Access::AnyOf(HR_HEAD), bulk)
        .badge("/approvals", waiting_badge)
}

/// Decisions waiting for this head or HR officer (the count beside "Persetujuan").
fn waiting_badge<'a>(state: &'a AppState, user: &'a CurrentUser) -> crate::app::routes::BadgeFuture<'a> {
    Box::pin(async move {
        if !(user.has(Role::Hr) || user.has(Role::Head)) {
            return Ok(None);
        }
        // The same counts as the development page and the queue's own headings.
        let w = crate::development::hub::waiting(state, &state.pool, user).await?;
        Ok(Some(w.decisions()))
    })
}

mod bulk;
mod item;
mod queue;

use bulk::*;
pub use item::*;
pub use queue::warm;
use queue::*;
