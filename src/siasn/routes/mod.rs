//! The sync page: how it is configured, which results to send (one training, a year, everything
//! not yet sent), the preview with what each lacks, sending, the pushes with their failures in
//! words, the log per record and resending; and the SIASN form of a training.

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;

use super::{
    push,
    records::{self, Record, Selection},
    settings::NAMES,
};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx,
        form::{FieldErrors, clean_text},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::CurrentUser,
};

mod index;
mod log;
mod training;

pub use index::*;
pub use log::*;
pub use training::*;

pub fn routes() -> crate::app::Routes {
    use crate::{app::Access, auth::Role};
    const HR: Access = Access::AnyOf(&[Role::Hr]);
    crate::app::Routes::new()
        .nav(38, |u| u.has(Role::Hr).then(|| ("/siasn".into(), "nav.siasn")))
        .get("/siasn", HR, index)
        .post("/siasn/send", HR, send)
        .get("/siasn/pushes/{id}", HR, log)
        .post("/siasn/pushes/{id}/resend", HR, resend)
        .get("/siasn/trainings/{id}", HR, training_form)
        .post("/siasn/trainings/{id}", HR, save_training)
        .get("/siasn/ids", HR, super::ids::index)
        .post("/siasn/ids", HR, super::ids::import)
        .get("/siasn/ids/template.csv", HR, super::ids::template)
}
