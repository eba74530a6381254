use std::time::Duration;

use axum::{extract::State, http::StatusCode, response::IntoResponse};

use super::{
    replica::ReplicaHealth,
    routes::{Access, Routes},
    state::AppState,
};

/// `GET /healthz`: 200 `ok` when the database answers, 503 when it does not; with a read
/// replica configured, a second line says whether reads go to it or fall back to the primary.
async fn healthz(State(state): State<AppState>) -> impl IntoResponse {
    let ping = sqlx::query_scalar!(r#"select 1 as "one!""#).fetch_one(&state.pool);
    let (status, mut body) = match tokio::time::timeout(Duration::from_secs(3), ping).await {
        Ok(Ok(_)) => (StatusCode::OK, "ok".to_string()),
        _ => (StatusCode::SERVICE_UNAVAILABLE, "database unavailable".to_string()),
    };
    if let Some(r) = &state.replica
        && status == StatusCode::OK
    {
        let line = match r.health(&state.pool).await {
            ReplicaHealth::Ok(lag) => format!("replica: ok (lag {lag:.1} s)"),
            ReplicaHealth::Lagging(lag) if lag >= 1e8 => {
                "replica: lagging (nothing replayed yet), reads from the primary".into()
            }
            ReplicaHealth::Lagging(lag) => format!("replica: lagging {lag:.1} s, reads from the primary"),
            ReplicaHealth::Down => "replica: unreachable, reads from the primary".to_string(),
        };
        body = format!("{body}\n{line}");
    }
    (status, [("cache-control", "no-store")], body)
}

/// `GET /ping` (signed in): `select 1` through the same pool, session and middleware as every
/// page. The benchmark's floor: what a page costs before its own work.
async fn ping(State(state): State<AppState>, _user: crate::auth::CurrentUser) -> Result<&'static str, super::AppError> {
    sqlx::query_scalar!(r#"select 1 as "one!""#).fetch_one(&state.pool).await?;
    Ok("pong")
}

pub fn routes() -> Routes {
    Routes::new().get("/healthz", Access::Public, healthz).get("/ping", Access::SignedIn, ping)
}
