//! Notifications, read from the records themselves: an approval waiting, a decision on one's own
//! request, nomination, self-assessment or activity, a certificate expiring in 90, 30 or 7 days,
//! an evaluation to fill in, a JP shortfall in the last quarter. Nothing is copied into a
//! notification table that could drift; an account only keeps when it last read them.

pub mod digest;

use axum::{Form, extract::State, response::Response};
use serde::Deserialize;

use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        render::{FlashKind, redirect_flash, render},
        routes::BadgeFuture,
    },
    auth::{CurrentUser, Role},
};

pub fn routes() -> Routes {
    Routes::new()
        .nav(12, |_| Some(("/notifications".into(), "nav.notifications")))
        .get("/notifications", Access::SignedIn, list)
        .post("/notifications/read", Access::SignedIn, mark_read)
        .post("/notifications/digest", Access::SignedIn, save_digest)
        .badge("/notifications", unread_badge)
}

/// One notification: what (an i18n key and its figures), when, where to act.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Note {
    pub kind: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub subject: String,
    pub outcome: String,
    pub href: String,
    /// Newer than the account's last reading.
    pub unread: bool,
}

/// Every notification of this account, newest first, each saying whether it is unread
/// (`account_notes`, migration 18: the employee, the scope, whether they decide for others, today,
/// the JP minimum, the account, and now: nothing dated later is news yet). One round trip (the
/// unread count beside the menu is on every page).
const NOTES_SQL: &str =
    "select kind, at, subject, outcome, href, unread from account_notes($1, $2, $3, $4, $5, $6, $7, $8, $9)";

async fn notes(
    state: &AppState,
    user: &CurrentUser,
    now: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
    jp_min: f64,
) -> sqlx::Result<Vec<Note>> {
    let scope = user.scope();
    sqlx::query_as(NOTES_SQL)
        .bind(user.employee_id.unwrap_or(0))
        .bind(scope.all)
        .bind(scope.own)
        .bind(&scope.unit_patterns)
        .bind(user.has(Role::Hr) || user.has(Role::Head))
        .bind(today)
        .bind(jp_min)
        .bind(user.account_id)
        .bind(now)
        .fetch_all(&state.pool)
        .await
}

/// The unread count beside "Notifikasi".
fn unread_badge<'a>(state: &'a AppState, user: &'a CurrentUser) -> BadgeFuture<'a> {
    Box::pin(async move {
        let settings = state.settings.get(&state.pool).await?;
        let today = state.clock.today(settings.time_zone);
        let all = notes(state, user, state.clock.now(), today, settings.jp_per_year).await?;
        Ok(Some(all.iter().filter(|n| n.unread).count() as i64))
    })
}

/// Where the account's digest goes and whether it wants it.
#[derive(sqlx::FromRow)]
struct DigestPref {
    on: bool,
    email: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "notifications/list.html")]
struct ListPage {
    ctx: Ctx,
    notes: Vec<Note>,
    digest: DigestPref,
    /// The portal sends e-mail (`CAKAP_SMTP_URL` is set).
    mail_on: bool,
}

impl ListPage {
    fn text(&self, n: &Note) -> String {
        note_text(self.ctx.lang, n)
    }
}

/// A notification in words, in `lang` (the page and the e-mail digest say it the same way).
pub fn note_text(lang: crate::i18n::Lang, n: &Note) -> String {
    let tv = |prefix: &str, v: &str| crate::i18n::t(lang, &format!("{prefix}.{v}"));
    let outcome = match n.kind.as_str() {
        "request_decided" => tv("rstatus", &n.outcome),
        "nomination_decided" => tv("pstatus", &n.outcome),
        "assessment_decided" => tv("status", &n.outcome),
        "activity_decided" => tv("astatus", &n.outcome),
        _ => "",
    };
    tv("note", &n.kind)
        .replace("{subject}", &n.subject)
        .replace("{outcome}", outcome)
        .replace("{days}", &n.outcome)
        .replace("{min}", &n.outcome)
}

async fn list(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    let notes = notes(&state, &user, state.clock.now(), ctx.today, ctx.agency.jp_per_year).await?;
    let digest: DigestPref = sqlx::query_as(
        "select a.email_digest as on, nullif(trim(e.email), '') as email
         from accounts a left join employees e on e.id = a.employee_id where a.id = $1",
    )
    .bind(user.account_id)
    .fetch_one(&state.pool)
    .await?;
    render(&ListPage { ctx, notes, digest, mail_on: state.config.smtp_url.is_some() })
}

async fn mark_read(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    sqlx::query("update accounts set notifications_seen_at = now() where id = $1")
        .bind(user.account_id)
        .execute(&state.pool)
        .await?;
    Ok(redirect_flash("/notifications", FlashKind::Ok, "flash.notes_read"))
}

#[derive(Deserialize)]
struct DigestForm {
    /// Present (checked) or absent.
    digest: Option<String>,
}

/// Turn one's own daily digest on or off.
async fn save_digest(
    State(state): State<AppState>,
    user: CurrentUser,
    Form(f): Form<DigestForm>,
) -> AppResult<Response> {
    let on = f.digest.is_some();
    sqlx::query("update accounts set email_digest = $2 where id = $1")
        .bind(user.account_id)
        .bind(on)
        .execute(&state.pool)
        .await?;
    Ok(redirect_flash("/notifications", FlashKind::Ok, if on { "flash.digest_on" } else { "flash.digest_off" }))
}
