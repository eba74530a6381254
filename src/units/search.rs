//! `GET /units/search?q=…`: the open units within the reader's scope matching a typed text, for
//! the unit search of the campaign form (`static/js/picker.js`, the same answer shape as
//! `/people/search`). HR and heads: the ones who choose units.

use axum::{
    Json,
    extract::{Query, State},
    http::{HeaderValue, header::CACHE_CONTROL},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

use super::db::{UNIT_MATCHES, search_in_scope};
use crate::{
    app::{AppResult, AppState},
    auth::CurrentUser,
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

#[derive(Serialize)]
struct SearchAnswer {
    people: Vec<Found>,
    /// More matched than are listed: type more.
    more: bool,
}

pub(super) async fn search(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(p): Query<SearchQuery>,
) -> AppResult<Response> {
    let q: String = p.q.trim().chars().filter(|c| !c.is_control()).take(100).collect();
    let mut answer = SearchAnswer { people: vec![], more: false };
    if q.chars().count() >= 2 {
        let scope = user.scope();
        let mut conn = state.pool.acquire().await?;
        let mut found = search_in_scope(&mut conn, &q, scope.all, &scope.unit_patterns, UNIT_MATCHES + 1).await?;
        answer.more = found.len() as i64 > UNIT_MATCHES;
        found.truncate(UNIT_MATCHES as usize);
        answer.people = found.into_iter().map(|m| Found { id: m.id, name: m.name, unit: m.above }).collect();
    }
    let mut res = Json(answer).into_response();
    res.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(res)
}
