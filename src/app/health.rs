use std::time::Duration;

use axum::{extract::State, http::StatusCode, response::IntoResponse};

use super::{
    routes::{Access, Routes},
    state::AppState,
};

/// `GET /healthz`: 200 `ok` when the database answers, 503 when it does not.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let ping = sqlx::query_scalar::<_, i32>("select 1").fetch_one(&state.pool);
    match tokio::time::timeout(Duration::from_secs(3), ping).await {
        Ok(Ok(_)) => (StatusCode::OK, [("cache-control", "no-store")], "ok"),
        _ => (StatusCode::SERVICE_UNAVAILABLE, [("cache-control", "no-store")], "database unavailable"),
    }
}

pub fn routes() -> Routes {
    Routes::new().get("/healthz", Access::Public, healthz)
}
