//! The home page: what each role needs to see first.

use std::collections::HashMap;

use axum::{extract::State, response::Response};

use crate::{
    app::{Access, AppResult, AppState, Ctx, Routes, render::render},
    auth::{CurrentUser, Role},
};

mod figures;
mod page;

pub use figures::*;
pub use page::warm;
use page::*;

pub fn routes() -> Routes {
    Routes::new().nav(10, |_| Some(("/".into(), "nav.home"))).get("/", Access::SignedIn, home).get(
        "/help",
        Access::Public,
        help,
    )
}

#[derive(askama::Template)]
#[template(path = "help/index.html")]
struct HelpPage {
    ctx: Ctx,
}

impl HelpPage {
    /// Whether the reader may open this page: the help links only where it will not answer 403
    /// (the rest is named without a link).
    fn may(&self, path: &str) -> bool {
        use crate::auth::Role;
        match path {
            "/approvals" | "/gaps" => self.ctx.is_hr() || self.ctx.has_head(),
            "/imports" => self.ctx.has(Role::Hr),
            _ => self.ctx.user.is_some(),
        }
    }
}

/// The help page (both languages live in the template).
async fn help(ctx: Ctx) -> AppResult<Response> {
    render(&HelpPage { ctx })
}
