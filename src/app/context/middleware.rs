//! The context middleware: the user and their badges, the CSRF check, and errors rendered as
//! pages or JSON with a request id.

use super::*;

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub ctx: Ctx,
    pub title: &'static str,
    pub body: &'static str,
    pub detail: &'static str,
    pub status: u16,
}

impl ErrorPage {
    /// A server error shows the request id, so a user can quote it to the helpdesk.
    pub fn request_id(&self) -> Option<&str> {
        (self.status >= 500).then_some(self.ctx.request_id.as_str())
    }
}

pub async fn middleware(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let (mut parts, body) = req.into_parts();
    let secure = state.config.secure_cookies();
    let headers = &parts.headers;
    let lang = cookie(headers, LANG_COOKIE).map(Lang::from_code).unwrap_or_default();
    let (csrf, new_csrf) = match cookie(headers, CSRF_COOKIE) {
        Some(t) if t.len() >= 32 && t.len() <= 64 => (t.to_string(), false),
        _ => (random_token(), true),
    };
    let flash = cookie(headers, FLASH_COOKIE).and_then(|v| {
        let (kind, key) = v.split_once('.')?;
        let kind = if kind == "ok" { FlashKind::Ok } else { FlashKind::Err };
        i18n::key(key).map(|k| (kind, k))
    });
    let here = parts.uri.path_and_query().map(|p| p.as_str().to_string()).unwrap_or_else(|| "/".into());
    let path = parts.uri.path().to_string();
    let forwarded = state
        .config
        .trust_proxy
        .then(|| headers.get("x-forwarded-for").and_then(|v| v.to_str().ok()))
        .flatten()
        // The right-most entry: the address the trusted proxy itself saw. Entries to its left were
        // written by the client and prove nothing (a guesser would rotate them freely).
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok());
    let ip = forwarded
        .or_else(|| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
        .map(|ip| ip.to_string())
        .unwrap_or_default();
    let json = wants_json(headers, &path);
    let method = parts.method.clone();
    let request_id = short_id();
    // Without the settings (database down) the page still renders its error with the defaults.
    let (agency, settings_error) = match state.settings.get(&state.pool).await {
        Ok(a) => (a, None),
        Err(e) => (Arc::new(AgencySettings::default()), Some(e)),
    };
    let today = state.clock.today(agency.time_zone);
    let mut ctx = Ctx {
        lang,
        csrf: csrf.clone(),
        user: None,
        flash,
        here: here.clone(),
        ip,
        secure,
        badges: vec![],
        agency,
        today,
        request_id,
        recent_write: cookie(headers, RECENT_WRITE_COOKIE).is_some(),
        nav_entries: state.nav.clone(),
    };
    if let Some(e) = settings_error {
        let res = AppError::Db(e).into_response();
        return finish(&state, &ctx, json, &method, &path, res, new_csrf, false);
    }

    // NUL cannot be stored in PostgreSQL text: refuse it up front with a clear message.
    if parts.uri.query().is_some_and(crate::app::form::has_encoded_nul) {
        let res = AppError::BadRequest("err.nul").into_response();
        return finish(&state, &ctx, json, &method, &path, res, new_csrf, false);
    }

    // CSRF: every state-changing request carries the token (header, query or form field)
    // and comes from this site.
    let mut body = body;
    if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
        let mut presented = headers
            .get(CSRF_HEADER)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .or_else(|| parts.uri.query().and_then(|q| csrf_from_pairs(q.as_bytes())));
        let is_form = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if is_form {
            match to_bytes(body, state.config.max_body_bytes).await {
                Ok(bytes) => {
                    if crate::app::form::has_encoded_nul(&String::from_utf8_lossy(&bytes)) {
                        let res = AppError::BadRequest("err.nul").into_response();
                        return finish(&state, &ctx, json, &method, &path, res, new_csrf, false);
                    }
                    if presented.is_none() {
                        presented = csrf_from_pairs(&bytes);
                    }
                    body = Body::from(bytes);
                }
                Err(_) => {
                    return finish(&state, &ctx, json, &method, &path, too_large(), new_csrf, false);
                }
            }
        }
        let ok = !new_csrf
            && same_origin(&parts.headers, &state.config.public_url)
            && presented.is_some_and(|p| tokens_match(&p, &csrf));
        if !ok {
            tracing::warn!(%path, "CSRF check failed");
            let res = AppError::BadRequest("err.csrf").into_response();
            let mut res = finish(&state, &ctx, json, &method, &path, res, new_csrf, false);
            *res.status_mut() = StatusCode::FORBIDDEN;
            return res;
        }
    }

    if let Some(token) = cookie(&parts.headers, session::SESSION_COOKIE) {
        match load_user_and_badges(&state, token, ctx.recent_write).await {
            Ok((user, badges)) => {
                ctx.user = user.map(Arc::new);
                ctx.badges = badges;
            }
            Err(e) => {
                let res = AppError::Db(e).into_response();
                return finish(&state, &ctx, json, &method, &path, res, new_csrf, false);
            }
        }
    }

    parts.extensions.insert(ctx.clone());
    // A page (not a write) reads each kept result's version once, and may be served a result a
    // later write made stale (unless this user wrote moments ago).
    let reading = method == axum::http::Method::GET || method == axum::http::Method::HEAD;
    let res = if reading {
        let versions =
            Arc::new(crate::app::versioned::RequestVersions::new(ctx.recent_write, Some(state.watch.clone())));
        let mut res =
            crate::app::versioned::REQUEST.scope(versions.clone(), next.run(Request::from_parts(parts, body))).await;
        let stale = versions.stale_ms.load(std::sync::atomic::Ordering::Relaxed);
        if stale > 0
            && let Ok(v) = axum::http::HeaderValue::from_str(&stale.to_string())
        {
            res.headers_mut().insert("x-cakap-stale-ms", v);
        }
        res
    } else {
        next.run(Request::from_parts(parts, body)).await
    };
    // A write may change this user's counts: their next page counts them again (the account's
    // other sessions meanwhile show the previous ones while one recount runs).
    if !reading && let Some(u) = &ctx.user {
        state.badge_cache.expire(u.account_id);
    }
    finish(&state, &ctx, json, &method, &path, res, new_csrf, ctx.flash.is_some())
}

/// The signed-in user and the navigation counts the features registered for them.
pub(super) async fn load_user_and_badges(
    state: &AppState,
    token: &str,
    wrote: bool,
) -> Result<(Option<CurrentUser>, Vec<(&'static str, i64)>), sqlx::Error> {
    let Some(user) = session::load_user(state, token).await? else { return Ok((None, vec![])) };
    let badges = match state.badge_cache.get(user.account_id, wrote) {
        BadgeLookup::Fresh(b) => b,
        BadgeLookup::Stale(b) => {
            let (state, user) = (state.clone(), user.clone());
            tokio::spawn(async move {
                match count_badges(&state, &user).await {
                    Ok(fresh) => state.badge_cache.put(user.account_id, fresh),
                    Err(e) => {
                        tracing::warn!(error = %e, "recounting the navigation counts");
                        state.badge_cache.recount_failed(user.account_id);
                    }
                }
            });
            b
        }
        BadgeLookup::Missing => {
            let b = count_badges(state, &user).await?;
            state.badge_cache.put(user.account_id, b.clone());
            b
        }
    };
    Ok((Some(user), badges))
}

/// The navigation counts of `user`, current: they read each kept result's version once between
/// them (each count used to read it again, a round trip and a connection each, four times for
/// HR after each of their writes).
pub(super) async fn count_badges(state: &AppState, user: &CurrentUser) -> Result<Badges, sqlx::Error> {
    use crate::app::versioned::{REQUEST, RequestVersions};
    let counting = async {
        let mut badges = vec![];
        for b in state.badges.iter() {
            if let Some(n) = (b.count)(state, user).await?.filter(|n| *n > 0) {
                badges.push((b.href, n));
            }
        }
        Ok(badges)
    };
    REQUEST.scope(Arc::new(RequestVersions::new(true, None)), counting).await
}

/// Eight hex digits naming one request in the log and on its error page.
pub(super) fn short_id() -> String {
    format!("{:08x}", rand::random::<u32>())
}

pub(super) fn too_large() -> Response {
    let mut res = StatusCode::PAYLOAD_TOO_LARGE.into_response();
    res.extensions_mut().insert(ErrorMeta { kind: ErrorKind::TooLarge, message_key: None, fields: vec![] });
    res
}

#[expect(clippy::too_many_arguments, reason = "the middleware's one exit, called from each branch")]
pub(super) fn finish(
    state: &AppState,
    ctx: &Ctx,
    json: bool,
    method: &Method,
    path: &str,
    res: Response,
    new_csrf: bool,
    flash_shown: bool,
) -> Response {
    if res.status().is_server_error() {
        tracing::error!(request_id = %ctx.request_id, %method, %path, status = res.status().as_u16(), "server error");
    }
    let wrote = !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
        && (res.status().is_success() || res.status().is_redirection());
    let mut res = render_error(ctx, json, path, res);
    // Whoever wrote is read again on their next request (their name, roles, what they have
    // seen); after HR or an admin wrote, everyone on this node is (accounts, roles, positions).
    if wrote && let Some(u) = &ctx.user {
        if u.has(crate::auth::Role::Hr) || u.has(crate::auth::Role::Admin) {
            crate::auth::session::forget(None, None);
        } else {
            crate::auth::session::forget(None, Some(u.account_id));
        }
    }
    // A user who wrote reads the primary (not a replica behind it) and current results (not one
    // kept from before their write) for a few seconds.
    if wrote {
        let lag = state.config.replica_max_lag.as_secs().max(1) as i64 * 3;
        let secs = lag.max(state.config.stale_results.as_secs() as i64 * 2);
        set_cookie(&mut res, RECENT_WRITE_COOKIE, "1", state.config.secure_cookies(), Some(secs), "Lax");
    }
    if new_csrf {
        set_cookie(&mut res, CSRF_COOKIE, &ctx.csrf, state.config.secure_cookies(), None, "Strict");
    }
    if flash_shown && !res.status().is_redirection() {
        set_cookie(&mut res, FLASH_COOKIE, "", state.config.secure_cookies(), Some(0), "Lax");
    }
    res
}

pub(super) fn render_error(ctx: &Ctx, json: bool, path: &str, res: Response) -> Response {
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_page = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
    let meta = res.extensions().get::<ErrorMeta>().cloned();
    let meta = match meta {
        Some(m) => m,
        None if is_page => return res,
        None => ErrorMeta { kind: ErrorKind::from_status(status), message_key: None, fields: vec![] },
    };
    let (title_key, body_key) = meta.kind.keys();
    if json {
        let fields: serde_json::Map<String, serde_json::Value> =
            meta.fields.iter().map(|(k, v)| (k.clone(), v.clone().into())).collect();
        let body = serde_json::json!({
            "error": meta.kind.code(),
            "message": i18n::t(ctx.lang, meta.message_key.unwrap_or(body_key)),
            "fields": fields,
            "request_id": ctx.request_id,
        });
        return (meta.kind.status(), axum::Json(body)).into_response();
    }
    if meta.kind == ErrorKind::Unauthorized {
        let next = if ctx.here.starts_with("/login") { "/".to_string() } else { ctx.here.clone() };
        let _ = path;
        return Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response();
    }
    let page = ErrorPage {
        ctx: ctx.clone(),
        title: ctx.t(title_key),
        body: ctx.t(body_key),
        detail: meta.message_key.map(|k| ctx.t(k)).unwrap_or(""),
        status: meta.kind.status().as_u16(),
    };
    match page.render() {
        Ok(html) => (meta.kind.status(), Html(html)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            (meta.kind.status(), "Terjadi kesalahan / Something went wrong").into_response()
        }
    }
}
