//! `GET /units/search?q=…`: the open units within the reader's scope matching a typed text, for
//! the unit search of the campaign form (`static/js/picker.js`, the same answer shape as
//! `/people/search`). HR and heads: the ones who choose units.

use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::{Deserialize, Serialize};

use super::db::{UNIT_MATCHES, search_in_scope};
use crate::{
    app::{AppResult, AppState},
    auth::CurrentUser,
    people::{picker_answer, picker_text},
};

#[derive(Deserialize)]
pub(super) struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
struct Found {
    id: i64,
    name: String,
    /// The units above it, shown beside the name.
    unit: String,
}

pub(super) async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<SearchQuery>,
) -> AppResult<Response> {
    let Some(q) = picker_text(&p.q) else { return Ok(picker_answer(Vec::<Found>::new(), UNIT_MATCHES)) };
    let scope = user.scope();
    let mut conn = state.pool.acquire().await?;
    let found = search_in_scope(&mut conn, &q, scope.all, &scope.unit_patterns, UNIT_MATCHES + 1).await?;
    let found: Vec<Found> = found.into_iter().map(|m| Found { id: m.id, name: m.name, unit: m.above }).collect();
    Ok(picker_answer(found, UNIT_MATCHES))
}
