//! Router assembly: feature routes, the context middleware, static files and tower-http layers.

use axum::{
    Router,
    extract::{Path, Query, State},
    http::{HeaderName, HeaderValue, StatusCode, header},
    middleware,
    response::{IntoResponse, Response},
};
use serde::Deserialize;
use tower_http::{
    compression::CompressionLayer, limit::RequestBodyLimitLayer, set_header::SetResponseHeaderLayer,
    timeout::TimeoutLayer, trace::TraceLayer,
};

use super::{
    context::{self, Ctx, LANG_COOKIE, set_cookie},
    error::AppError,
    health,
    routes::{Access, RouteInfo, Routes},
    state::AppState,
};
use crate::{
    accounts, approvals, assessments, audit, auth, campaigns, competencies, development, employees, gaps, home,
    i18n::Lang, imports, notifications, positions, programmes, search, settings, units,
};

/// Every application route with its access rule.
pub fn routes() -> Routes {
    Routes::new()
        .merge(health::routes())
        .merge(Routes::new().get("/lang/{code}", Access::Public, switch_lang))
        .merge(auth::routes())
        .merge(home::routes())
        .merge(accounts::routes())
        .merge(audit::routes())
        .merge(units::routes())
        .merge(positions::routes())
        .merge(employees::routes())
        .merge(competencies::routes())
        .merge(assessments::routes())
        .merge(development::routes())
        .merge(programmes::routes())
        .merge(gaps::routes())
        .merge(crate::idp::routes())
        .merge(crate::talent::routes())
        .merge(imports::routes())
        .merge(settings::routes())
        .merge(search::routes())
        .merge(approvals::routes())
        .merge(notifications::routes())
        .merge(campaigns::routes())
        .merge(crate::people::routes())
        .merge(crate::siasn::routes())
}

/// The route table, for tests and documentation.
pub fn route_table() -> Vec<RouteInfo> {
    routes().into_parts().1
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

/// Only local paths are followed after login or a language switch.
pub fn safe_next(next: Option<&str>) -> String {
    next.filter(|n| is_local_path(n)).unwrap_or("/").to_string()
}

/// Whether `target` is a path on this origin that every browser reads as such: it starts with one
/// `/`, has no scheme and no authority, and only visible ASCII (no control characters, which
/// browsers strip before they parse: `/\t/host` is `//host`; no spaces, no backslash, which
/// browsers read as `/`; no non-ASCII, which no header may carry). Anything else is refused, not
/// repaired.
pub fn is_local_path(target: &str) -> bool {
    let mut chars = target.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && target.len() <= 2048
        && target.bytes().all(|b| b.is_ascii_graphic() && b != b'\\')
}

/// A 303 to `target`, or to `/` when it is not a local path: never a panic on a value a header
/// cannot carry.
pub fn redirect_to(target: &str) -> Response {
    let target = if is_local_path(target) { target } else { "/" };
    let mut res = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(target) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    res
}

async fn switch_lang(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(code): Path<String>,
    Query(q): Query<NextQuery>,
) -> Response {
    let lang = Lang::from_code(&code);
    // A signed-in user's choice is also kept on the account: the e-mail digest speaks it.
    if let Some(user) = &ctx.user
        && let Err(e) =
            sqlx::query!("update accounts set lang = $2 where id = $1 and lang <> $2", user.account_id, lang.code())
                .execute(&state.pool)
                .await
    {
        tracing::warn!(error = %e, "language not kept on the account");
    }
    let mut res = redirect_to(&safe_next(q.next.as_deref()));
    set_cookie(&mut res, LANG_COOKIE, lang.code(), state.config.secure_cookies(), Some(365 * 24 * 3600), "Lax");
    res
}

async fn not_found(_ctx: Ctx) -> AppError {
    AppError::NotFound
}

pub fn build(mut state: AppState) -> Router {
    let routes = routes();
    state.parts_mut().badges = std::sync::Arc::new(routes.badges());
    state.parts_mut().nav = std::sync::Arc::new(routes.nav_entries());
    let (app, _) = routes.into_parts();
    let app = app
        .fallback(not_found)
        .layer(middleware::from_fn_with_state(state.clone(), context::middleware))
        .with_state(state.clone());
    super::assets::Assets::init(&state.config.static_dir);
    let statics: Router = Router::new().route("/static/{*path}", axum::routing::get(super::assets::serve));
    let csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
               font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; \
               base-uri 'none'; object-src 'none'";
    // HSTS only where users reach the portal over https: over plain http it would mean nothing.
    let hsts = state
        .config
        .secure_cookies()
        .then(|| HeaderValue::from_str(&format!("max-age={}", state.config.hsts_max_age_secs)).ok())
        .flatten();
    statics
        .merge(app)
        .layer(RequestBodyLimitLayer::new(state.config.max_body_bytes))
        .layer(axum::extract::DefaultBodyLimit::max(state.config.max_body_bytes))
        .layer(TimeoutLayer::with_status_code(axum::http::StatusCode::REQUEST_TIMEOUT, state.config.request_timeout))
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(csp)))
        .layer(SetResponseHeaderLayer::overriding(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")))
        .layer(SetResponseHeaderLayer::overriding(header::REFERRER_POLICY, HeaderValue::from_static("same-origin")))
        .layer(SetResponseHeaderLayer::overriding(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")))
        .layer(SetResponseHeaderLayer::overriding(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ))
        .layer(TraceLayer::new_for_http())
        // Outermost: every answer carries it, the body-limit and timeout refusals too.
        .layer(SetResponseHeaderLayer::overriding(header::STRICT_TRANSPORT_SECURITY, move |_: &Response| hsts.clone()))
}
