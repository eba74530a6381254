//! The route-by-role matrix: every route of the router, every role. A route added without a
//! row here fails `every_route_has_a_rule`.

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use cakap::app::router::route_table;
use sqlx::PgPool;

use crate::helpers::{Resp, TestApp};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum O {
    /// Served (2xx, a redirect elsewhere than the login page, or a form re-shown with errors).
    Ok,
    /// Sent to the login page.
    Login,
    Forbidden,
    NotFound,
}
use O::*;

/// The roles, in the order of the matrix columns.
pub const ROLES: [&str; 6] = ["anonymous", "pegawai", "kabid.aptika", "kabid.infra", "kepegawaian", "admin"];

/// (method, route pattern, [anonymous, employee, head A (Aplikasi), head B (Infrastruktur), hr, admin])
pub fn matrix() -> Vec<(&'static str, &'static str, [O; 6])> {
    vec![
        ("GET", "/healthz", [Ok, Ok, Ok, Ok, Ok, Ok]),
        ("GET", "/lang/{code}", [Ok, Ok, Ok, Ok, Ok, Ok]),
        ("GET", "/login", [Ok, Ok, Ok, Ok, Ok, Ok]),
        ("POST", "/login", [Ok, Ok, Ok, Ok, Ok, Ok]),
        ("POST", "/logout", [Login, Ok, Ok, Ok, Ok, Ok]),
        ("GET", "/password", [Login, Ok, Ok, Ok, Ok, Ok]),
        ("POST", "/password", [Login, Ok, Ok, Ok, Ok, Ok]),
        ("GET", "/", [Login, Ok, Ok, Ok, Ok, Ok]),
        ("GET", "/accounts", [Login, Forbidden, Forbidden, Forbidden, Ok, Ok]),
        ("GET", "/accounts/new", [Login, Forbidden, Forbidden, Forbidden, Ok, Ok]),
        ("POST", "/accounts", [Login, Forbidden, Forbidden, Forbidden, Ok, Ok]),
        ("GET", "/accounts/{id}", [Login, Forbidden, Forbidden, Forbidden, Ok, Ok]),
        ("POST", "/accounts/{id}/roles", [Login, Forbidden, Forbidden, Forbidden, Ok, Ok]),
        ("POST", "/accounts/{id}/reset-password", [Login, Forbidden, Forbidden, Forbidden, Ok, Ok]),
        ("POST", "/accounts/{id}/disable", [Login, Forbidden, Forbidden, Forbidden, Ok, Ok]),
        ("POST", "/accounts/{id}/enable", [Login, Forbidden, Forbidden, Forbidden, Ok, Ok]),
        ("GET", "/audit", [Login, Forbidden, Forbidden, Forbidden, Ok, Ok]),
    ]
}

pub fn outcome(r: &Resp) -> O {
    match r.status {
        StatusCode::FORBIDDEN => Forbidden,
        StatusCode::NOT_FOUND => NotFound,
        s if s.is_redirection() && r.location().starts_with("/login?") => Login,
        s if s.is_success()
            || s.is_redirection()
            || s == StatusCode::UNPROCESSABLE_ENTITY
            || s == StatusCode::UNAUTHORIZED =>
        {
            Ok
        }
        other => panic!("unexpected status {other}: {}", r.body),
    }
}

#[test]
fn every_route_has_a_rule() {
    let m = matrix();
    let mut missing = vec![];
    for r in route_table() {
        if !m.iter().any(|(method, path, _)| *method == r.method.as_str() && *path == r.path) {
            missing.push(format!("{} {}", r.method, r.path));
        }
    }
    assert!(missing.is_empty(), "routes without a row in the access matrix: {missing:?}");
    for (method, path, _) in &m {
        assert!(
            route_table().iter().any(|r| r.method.as_str() == *method && r.path == *path),
            "matrix row for a route that does not exist: {method} {path}"
        );
    }
}

/// Concrete ids for the route patterns, taken from the demo data plus a target account.
pub async fn ids(app: &TestApp) -> HashMap<&'static str, String> {
    let emp: i64 = sqlx::query_scalar("select id from employees e where not exists (select 1 from accounts a where a.employee_id = e.id) order by id limit 1")
        .fetch_one(&app.pool)
        .await
        .expect("employee");
    let mut conn = app.pool.acquire().await.expect("conn");
    let target = cakap::accounts::create_account(
        &mut conn,
        &cakap::audit::Actor::system("test"),
        "target.user",
        Some(emp),
        "x",
        false,
        &[cakap::auth::Role::Employee],
        None,
    )
    .await
    .expect("target account");
    HashMap::from([("{id}", target.to_string()), ("{code}", "en".to_string())])
}

pub fn concrete(path: &str, ids: &HashMap<&'static str, String>) -> String {
    let mut out = path.to_string();
    for (k, v) in ids {
        out = out.replace(k, v);
    }
    out
}

#[sqlx::test]
async fn route_by_role_matrix(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let ids = ids(&app).await;
    let mut failures = vec![];
    for (method, path, expected) in matrix() {
        let url = concrete(path, &ids);
        for (i, role) in ROLES.iter().enumerate() {
            let mut c = if *role == "anonymous" { app.client() } else { app.as_user(role).await };
            let r = if method == "GET" { c.get(&url).await } else { c.post(&url, &[]).await };
            let got = outcome(&r);
            if got != expected[i] {
                failures
                    .push(format!("{method} {url} as {role}: expected {:?}, got {got:?} ({})", expected[i], r.status));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let _ = Method::GET;
}
