//! The per-request context middleware. For every request to the application it:
//! - reads the language, flash and CSRF cookies and loads the signed-in user (one query);
//! - refuses state-changing requests without a valid CSRF token or from another site;
//! - after the handler, turns error responses into a friendly page (HTML), JSON or a login redirect.

use std::{net::SocketAddr, sync::Arc};

use askama::Template;
use axum::{
    body::{Body, to_bytes},
    extract::{ConnectInfo, FromRequestParts, Request, State},
    http::{HeaderMap, HeaderValue, Method, StatusCode, header, request::Parts},
    middleware::Next,
    response::{Html, IntoResponse, Redirect, Response},
};
use base64::Engine as _;
use rand::RngCore as _;
use subtle::ConstantTimeEq as _;

use super::{
    error::{AppError, ErrorKind, ErrorMeta},
    render::{FLASH_COOKIE, FlashKind},
    state::{AppState, BadgeLookup, Badges},
};
use crate::{
    auth::{CurrentUser, Role, session},
    i18n::{self, Lang},
    settings::AgencySettings,
};

pub const CSRF_COOKIE: &str = "cakap_csrf";
pub const CSRF_FIELD: &str = "csrf_token";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const LANG_COOKIE: &str = "cakap_lang";
/// Set after a write for as long as a replica may lag, so the pages that follow read the primary.
pub const RECENT_WRITE_COOKIE: &str = "cakap_rw";

/// What every page needs: language, user, CSRF token, flash message.
#[derive(Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub csrf: String,
    pub user: Option<Arc<CurrentUser>>,
    pub flash: Option<(FlashKind, &'static str)>,
    /// Path and query of this request (for "back here" links).
    pub here: String,
    pub ip: String,
    pub secure: bool,
    /// Counts beside navigation items, registered by the features (href, count > 0).
    pub badges: Vec<(&'static str, i64)>,
    /// The agency's settings (name, JP rules, time zone).
    pub agency: Arc<AgencySettings>,
    /// The agency's date today, in its time zone.
    pub today: chrono::NaiveDate,
    /// A short id for this request, in the logs and on error pages.
    pub request_id: String,
    /// This browser wrote something moments ago: read from the primary, not the replica.
    pub recent_write: bool,
    /// The navigation entries the features registered.
    pub nav_entries: Arc<Vec<super::routes::NavEntry>>,
}

/// A value or a reference to one (templates pass either).
pub trait Val<T: Copy> {
    fn val(&self) -> T;
}

impl<T: Copy> Val<T> for T {
    fn val(&self) -> T {
        *self
    }
}

impl<T: Copy> Val<T> for &T {
    fn val(&self) -> T {
        **self
    }
}

impl<T: Copy> Val<T> for &&T {
    fn val(&self) -> T {
        ***self
    }
}

pub struct NavItem {
    pub href: String,
    pub label: &'static str,
    pub active: bool,
}

impl Ctx {
    pub fn t(&self, key: &str) -> &'static str {
        i18n::t(self.lang, key)
    }

    pub fn has(&self, role: Role) -> bool {
        self.user.as_ref().is_some_and(|u| u.has(role))
    }

    pub fn own_employee_id(&self) -> Option<i64> {
        self.user.as_ref().and_then(|u| u.employee_id)
    }

    pub fn has_head(&self) -> bool {
        self.has(Role::Head)
    }

    pub fn is_hr(&self) -> bool {
        self.has(Role::Hr)
    }

    /// The count shown beside the navigation item `href`, if any.
    pub fn badge(&self, href: &str) -> Option<i64> {
        self.badges.iter().find(|(h, _)| *h == href).map(|(_, n)| *n)
    }

    /// "ya"/"tidak" or "yes"/"no" (exports).
    pub fn yes_no(&self, v: bool) -> &'static str {
        self.t(if v { "col.yes" } else { "col.no" })
    }

    /// The agency's name (a setting), for the top bar, titles and exports.
    pub fn agency_name(&self) -> &str {
        &self.agency.department_name
    }

    pub fn flash_ok(&self) -> bool {
        matches!(self.flash, Some((FlashKind::Ok, _)))
    }

    pub fn flash_text(&self) -> &'static str {
        self.flash.map(|(_, k)| self.t(k)).unwrap_or("")
    }

    pub fn version(&self) -> &'static str {
        env!("CARGO_PKG_VERSION")
    }

    /// The fingerprinted URL of a front-end asset (`css/app.css`).
    pub fn asset(&self, name: &str) -> String {
        super::assets::url(name)
    }

    pub fn user_name(&self) -> &str {
        self.user.as_ref().map(|u| u.display_name.as_str()).unwrap_or("")
    }

    /// The left navigation: the entries the features registered for this user, in menu order.
    pub fn nav(&self) -> Vec<NavItem> {
        let Some(u) = &self.user else { return vec![] };
        let items: Vec<(String, &'static str)> = self.nav_entries.iter().filter_map(|e| (e.item)(u)).collect();
        let path = self.here.split('?').next().unwrap_or("");
        let best = items
            .iter()
            .filter(
                |(href, _)| {
                    if href == "/" { path == "/" } else { path == href || path.starts_with(&format!("{href}/")) }
                },
            )
            .max_by_key(|(href, _)| href.len())
            .map(|(href, _)| href.clone());
        items
            .into_iter()
            .map(|(href, key)| NavItem { active: best.as_deref() == Some(href.as_str()), label: self.t(key), href })
            .collect()
    }

    /// The label of a stored value: `tv("src", "supervisor")` → the text of `src.supervisor`.
    pub fn tv(&self, prefix: &str, value: &str) -> &'static str {
        i18n::t(self.lang, &format!("{prefix}.{value}"))
    }

    /// The label of a closed value (status, kind, source…) decoded from the database.
    pub fn label(&self, v: impl super::enums::Labelled) -> &'static str {
        self.t(v.label_key())
    }

    /// A gap in words: "terpenuhi", "kurang 1 tingkat", "belum dinilai" (met, 1 level short,
    /// not assessed), never an arrow that reads like a change over time.
    pub fn gap_words(&self, required: Option<i16>, current: Option<i16>) -> String {
        match (required, current) {
            (None, _) => String::new(),
            (Some(_), None) => self.t("gap.unknown").to_string(),
            (Some(r), Some(c)) if c >= r => format!("✔ {}", self.t("gap.met")),
            (Some(r), Some(c)) if r - c == 1 => self.t("gap.short_1").to_string(),
            (Some(r), Some(c)) => self.t("gap.short_n").replace("{n}", &(r - c).to_string()),
        }
    }

    /// A level as "3 · Menengah".
    pub fn level_label(&self, level: impl Val<i16>) -> String {
        let level = level.val();
        match level {
            1..=5 => format!("{} · {}", level, self.t(&format!("level.{level}"))),
            _ => "—".into(),
        }
    }

    /// A figure with one decimal, in the reader's language ("1.250,5" / "1,250.5").
    pub fn decimal(&self, v: impl Val<f64>) -> String {
        super::num::fixed(v.val(), 1, self.lang)
    }

    /// A figure with `decimals` decimals, in the reader's language (see `app::num`).
    pub fn fixed(&self, v: impl Val<f64>, decimals: usize) -> String {
        super::num::fixed(v.val(), decimals, self.lang)
    }

    /// A figure with one decimal at most ("20", "2,5").
    pub fn figure(&self, v: impl Val<f64>) -> String {
        super::num::figure(v.val(), self.lang)
    }

    /// A whole number, grouped by thousands ("1.250").
    pub fn whole(&self, v: impl Val<i64>) -> String {
        super::num::whole(v.val(), self.lang)
    }

    pub fn date(&self, d: impl Val<chrono::NaiveDate>) -> String {
        i18n::date(self.lang, d.val())
    }

    /// A date field's value as people type it, dd-mm-yyyy: a stored `yyyy-mm-dd` is turned round,
    /// anything else (what the user typed, kept after an error) is shown as it was. The server reads
    /// dd-mm-yyyy, dd/mm/yyyy and yyyy-mm-dd (`employees::form::parse_date`).
    pub fn date_field(&self, value: &str) -> String {
        match chrono::NaiveDate::parse_from_str(value.trim(), "%Y-%m-%d") {
            Ok(d) => d.format("%d-%m-%Y").to_string(),
            Err(_) => value.to_string(),
        }
    }

    /// A span of days as short as it reads whole: "4–12 Desember 2026", "28 November – 3 Desember
    /// 2026", one date when it is one day.
    pub fn date_range(&self, from: impl Val<chrono::NaiveDate>, to: impl Val<chrono::NaiveDate>) -> String {
        use chrono::Datelike as _;
        let (a, b) = (from.val(), to.val());
        if a == b {
            return self.date(a);
        }
        let whole = self.date(b);
        if a.year() == b.year() && a.month() == b.month() {
            format!("{}–{whole}", a.day())
        } else if a.year() == b.year() {
            let first = self.date(a);
            let without_year = first.rsplit_once(' ').map(|(d, _)| d.to_string()).unwrap_or(first);
            format!("{without_year} – {whole}")
        } else {
            format!("{} – {whole}", self.date(a))
        }
    }

    /// An instant as the agency's date and time, with its zone's name: "23 November 2026 14:05 WIB".
    pub fn date_time(&self, at: impl Val<chrono::DateTime<chrono::Utc>>) -> String {
        i18n::datetime(self.lang, self.agency.time_zone, at.val())
    }

    /// This list as a file: the current URL with its filters, without paging, plus `format`.
    pub fn export_link(&self, format: &str) -> String {
        let (path, query) = self.here.split_once('?').unwrap_or((&self.here, ""));
        let mut pairs: Vec<(String, String)> = serde_urlencoded::from_str::<Vec<(String, String)>>(query)
            .unwrap_or_default()
            .into_iter()
            .filter(|(k, _)| k != "page" && k != "format")
            .collect();
        pairs.push(("format".into(), format.into()));
        format!("{path}?{}", serde_urlencoded::to_string(pairs).unwrap_or_default())
    }

    /// Where an edit form is loaded again from (after a POST to `/x/{id}` that is `/x/{id}/edit`).
    pub fn edit_again(&self) -> String {
        let path = self.here.split('?').next().unwrap_or("/");
        if path.rsplit('/').next().is_some_and(|last| !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit())) {
            format!("{path}/edit")
        } else {
            path.to_string()
        }
    }

    /// The URL that switches language and comes back here.
    pub fn lang_switch(&self, code: &str) -> String {
        format!("/lang/{code}?next={}", urlencode(&self.here))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Ctx {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Ctx>()
            .cloned()
            .ok_or_else(|| AppError::Other(anyhow::anyhow!("context middleware missing")))
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)]).map(|v| v.trim_start_matches('=').to_string()).unwrap_or_default()
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn set_cookie(res: &mut Response, name: &str, value: &str, secure: bool, max_age: Option<i64>, same_site: &str) {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    if let Ok(v) = HeaderValue::from_str(&c) {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
}

fn wants_json(headers: &HeaderMap, path: &str) -> bool {
    if path.starts_with("/api/") {
        return true;
    }
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    accept.contains("application/json") && !accept.contains("text/html")
}

/// The request comes from this site: its `Origin` is the public address (`CAKAP_PUBLIC_URL`, which
/// survives a reverse proxy that rewrites `Host`) or the `Host` it was sent to.
fn same_origin(headers: &HeaderMap, public_url: &str) -> bool {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else { return true };
    if origin == "null" {
        return false;
    }
    let public = public_url.trim_end_matches('/');
    let public_origin = public.split_once("://").map(|(scheme, rest)| {
        let host = rest.split('/').next().unwrap_or(rest);
        format!("{scheme}://{host}")
    });
    if public_origin.is_some_and(|p| p.eq_ignore_ascii_case(origin)) {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    host.is_some_and(|h| origin.split_once("://").map(|(_, o)| o) == Some(h))
}

fn csrf_from_pairs(body: &[u8]) -> Option<String> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .ok()?
        .into_iter()
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v)
}

fn tokens_match(a: &str, b: &str) -> bool {
    !a.is_empty() && a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

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
    if parts.uri.query().is_some_and(super::form::has_encoded_nul) {
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
                    if super::form::has_encoded_nul(&String::from_utf8_lossy(&bytes)) {
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
        match load_user_and_badges(&state, token).await {
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
        let versions = Arc::new(crate::app::versioned::RequestVersions::new(ctx.recent_write));
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
    // A write may change this user's counts: the next page counts them again.
    if !reading && let Some(u) = &ctx.user {
        state.badge_cache.forget(u.account_id);
    }
    finish(&state, &ctx, json, &method, &path, res, new_csrf, ctx.flash.is_some())
}

/// The signed-in user and the navigation counts the features registered for them.
async fn load_user_and_badges(
    state: &AppState,
    token: &str,
) -> Result<(Option<CurrentUser>, Vec<(&'static str, i64)>), sqlx::Error> {
    let Some(user) = session::load_user(state, token).await? else { return Ok((None, vec![])) };
    let badges = match state.badge_cache.get(user.account_id) {
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

/// The navigation counts of `user`.
async fn count_badges(state: &AppState, user: &CurrentUser) -> Result<Badges, sqlx::Error> {
    let mut badges = vec![];
    for b in state.badges.iter() {
        if let Some(n) = (b.count)(state, user).await?.filter(|n| *n > 0) {
            badges.push((b.href, n));
        }
    }
    Ok(badges)
}

/// Eight hex digits naming one request in the log and on its error page.
fn short_id() -> String {
    format!("{:08x}", rand::random::<u32>())
}

fn too_large() -> Response {
    let mut res = StatusCode::PAYLOAD_TOO_LARGE.into_response();
    res.extensions_mut().insert(ErrorMeta { kind: ErrorKind::TooLarge, message_key: None, fields: vec![] });
    res
}

#[expect(clippy::too_many_arguments, reason = "the middleware's one exit, called from each branch")]
fn finish(
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

fn render_error(ctx: &Ctx, json: bool, path: &str, res: Response) -> Response {
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
