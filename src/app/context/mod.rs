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

mod cookies;
mod middleware;

pub use cookies::*;
pub use middleware::*;

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
