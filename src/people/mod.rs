//! The person picker: a colleague is chosen by name (or by part of a NIP, where the reader may see
//! NIPs), never by typing an 18-digit number from memory. One JSON search (`/people/search`) feeds
//! the small script in `static/js/app.js`; without the script the typed text is resolved when the
//! form is posted (one match is taken, several are offered to tick, none is an error next to the
//! field). Whatever the browser sends, the server resolves the chosen ids again within the scope
//! of the purpose:
//! - **learning** (a mentor, a colleague one learnt with): every active colleague, shown by name,
//!   position and unit only — nothing personal (no NIP, birth date, phone or e-mail). Part of a
//!   NIP finds only those whose record the reader may see anyway;
//! - **manage** (nominating, logging for one's staff): only those the reader decides for (HR all,
//!   a head their units), with their NIP.

use axum::{
    Json,
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

use crate::{
    app::{Access, AppError, AppResult, AppState, Ctx, Routes, render::fragment},
    auth::{CurrentUser, Role},
};

mod picker;
mod search;

pub use picker::*;
pub use search::*;

pub fn routes() -> Routes {
    Routes::new().get("/people/search", Access::SignedIn, search)
}

/// What a person is chosen for: it decides whom the reader may pick and what they see of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Purpose {
    #[default]
    Learning,
    Manage,
}

impl Purpose {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "learning" => Some(Self::Learning),
            "manage" => Some(Self::Manage),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Learning => "learning",
            Self::Manage => "manage",
        }
    }

    /// Only heads and HR manage anyone.
    pub fn allowed(self, user: &CurrentUser) -> bool {
        self == Self::Learning || user.has(Role::Hr) || user.has(Role::Head)
    }
}

/// A person as the picker shows them. `nip` only where the purpose is management.
#[derive(sqlx::FromRow, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub position: String,
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nip: Option<String>,
}

impl Person {
    /// "Pranata Komputer Ahli Muda · Seksi Aplikasi" (and the NIP where it may be shown).
    pub fn detail(&self) -> String {
        let mut parts: Vec<&str> = vec![];
        if !self.position.is_empty() {
            parts.push(&self.position);
        }
        parts.push(&self.unit);
        if let Some(n) = &self.nip {
            parts.push(n);
        }
        parts.join(" · ")
    }
}

/// All values of a repeated field in an urlencoded form (`Form<Vec<(String, String)>>`).
pub fn values(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

/// The one value of a field in an urlencoded form ("" when absent).
pub fn value(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests;
