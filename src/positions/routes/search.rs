//! `GET /positions/search?q=…`: the positions matching a typed text, for the position searches of
//! the employee form and the gap card (`static/js/picker.js`); the same answer shape as
//! `/people/search`. Any signed-in user: positions and units are the organisation's structure,
//! shown with every colleague the people search finds.

use axum::{Json, response::IntoResponse};
use serde::Serialize;

use super::*;
use crate::employees::db::{POSITION_MATCHES, search_positions};

#[derive(Deserialize)]
pub(super) struct SearchQuery {
    #[serde(default)]
    q: String,
}

#[derive(Serialize)]
struct Found {
    id: i64,
    name: String,
    unit: String,
}

#[derive(Serialize)]
struct SearchAnswer {
    people: Vec<Found>,
    /// More matched than are listed: type more.
    more: bool,
}

pub(super) async fn search(State(state): State<AppState>, Query(p): Query<SearchQuery>) -> AppResult<Response> {
    let q: String = p.q.trim().chars().filter(|c| !c.is_control()).take(100).collect();
    if q.chars().count() < 2 {
        return Ok(Json(SearchAnswer { people: vec![], more: false }).into_response());
    }
    let mut conn = state.pool.acquire().await?;
    let mut found = search_positions(&mut conn, &q, POSITION_MATCHES + 1).await?;
    let more = found.len() as i64 > POSITION_MATCHES;
    found.truncate(POSITION_MATCHES as usize);
    let people = found.into_iter().map(|m| Found { id: m.id, name: m.name, unit: m.unit }).collect();
    let mut res = Json(SearchAnswer { people, more }).into_response();
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}
