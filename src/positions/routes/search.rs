//! `GET /positions/search?q=…`: the positions matching a typed text, for the position searches of
//! the employee form and the gap card (`static/js/picker.js`); the same answer shape as
//! `/people/search`. Any signed-in user: positions and units are the organisation's structure,
//! shown with every colleague the people search finds.

use serde::Serialize;

use super::*;
use crate::{
    employees::db::{POSITION_MATCHES, search_positions},
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
    unit: String,
}

pub(super) async fn search(State(state): State<AppState>, Query(p): Query<SearchQuery>) -> AppResult<Response> {
    let Some(q) = picker_text(&p.q) else { return Ok(picker_answer(Vec::<Found>::new(), POSITION_MATCHES)) };
    let mut conn = state.pool.acquire().await?;
    let found = search_positions(&mut conn, &q, POSITION_MATCHES + 1).await?;
    let found: Vec<Found> = found.into_iter().map(|m| Found { id: m.id, name: m.name, unit: m.unit }).collect();
    Ok(picker_answer(found, POSITION_MATCHES))
}
