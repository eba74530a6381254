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

/// `GET /ping` (signed in): `select 1` through the same pool, session and middleware as every
/// page. The benchmark's floor: what a page costs before its own work.
async fn ping(State(state): State<AppState>, _user: crate::auth::CurrentUser) -> Result<&'static str, super::AppError> {
    sqlx::query_scalar::<_, i32>("select 1").fetch_one(&state.pool).await?;
    Ok("pong")
}

pub fn routes() -> Routes {
    Routes::new().get("/healthz", Access::Public, healthz).get("/ping", Access::SignedIn, ping)
}
