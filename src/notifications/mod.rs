//! Notifications, read from the records themselves: an approval waiting, a decision on one's own
//! request, nomination, self-assessment or activity, a certificate expiring in 90, 30 or 7 days,
//! an evaluation to fill in, a JP shortfall in the last quarter. Nothing is copied into a
//! notification table that could drift; an account only keeps when it last read them.

pub mod digest;

use std::sync::Arc;

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
#[derive(Clone, Debug)]
pub struct Note {
    pub kind: String,
    pub at: chrono::DateTime<chrono::Utc>,
    pub subject: String,
    pub outcome: String,
    pub href: String,
    /// Newer than the account's last reading.
    pub unread: bool,
}

impl crate::app::versioned::Weigh for Note {}

/// Every notification of this account, newest first, each saying whether it is unread
/// (`account_notes`, db/rules/notifications.sql: the employee, the scope, whether they decide for others, today,
/// the JP minimum, the account, and now: nothing dated later is news yet). One round trip (the
/// unread count beside the menu is on every page).
/// Assessment campaigns add their own lines (`campaign_notes`, the same file: what to assess, and a
/// reminder three days before the deadline), in the same statement.
pub async fn notes(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    now: chrono::DateTime<chrono::Utc>,
    today: chrono::NaiveDate,
    jp_min: f64,
) -> sqlx::Result<Vec<Note>> {
    let scope = user.scope();
    sqlx::query_as!(
        Note,
        r#"select kind as "kind!", at as "at!", subject as "subject!", outcome as "outcome!", href as "href!", unread as "unread!" from (
       select * from account_notes($1, $2, $3, $4, $5, $6, $7, $8, $9)
       union all
       select * from campaign_notes($1, $6, $8, $9)) n
     order by at desc limit 100"#,
        user.employee_id.unwrap_or(0),
        scope.all,
        scope.own,
        &scope.unit_patterns,
        user.has(Role::Hr) || user.has(Role::Head),
        today,
        jp_min,
        user.account_id,
        now,
    )
    .fetch_all(conn)
        .await
}

/// The account's notifications as `notes` gives them, kept while the records, the day and the
/// account's last reading are unchanged: the unread count beside the menu reads them on every
/// page. What a notification says is dated by a change to the records (it bumps their version),
/// by the day (a certificate's warning, the last quarter's JP) or by reading them, so the key
/// names the day and the last reading; `now` only leaves out what is dated later, and nothing
/// dated later can appear without a change to the records. A decision leaves the list 90 days on,
/// counted from when the list was made: at most until the day turns.
/// `lagging`: the previous list may serve a moment after this user's own write while it is made
/// again in the background (the count beside the menu; the list itself is always current).
async fn kept_notes(
    state: &AppState,
    user: &CurrentUser,
    today: chrono::NaiveDate,
    jp_min: f64,
    lagging: bool,
) -> sqlx::Result<Arc<Vec<Note>>> {
    use crate::app::versioned::Depends;
    let key = format!("notes:{}:{today}:{jp_min}:{}", user.account_id, user.notes_seen);
    let (user, now) = (user.clone(), state.clock.now());
    state
        .personal
        .get_with(
            Depends::All,
            &state.pool,
            key,
            move |conn| Box::pin(async move { notes(&mut *conn, &user, now, today, jp_min).await }),
            lagging,
        )
        .await
}

/// The unread count beside "Notifikasi". After the user's own write it may show the count of a
/// moment before while it is counted again: for HR the list sums the decisions waiting over the
/// department (15 ms at 15 000 staff), which every write of theirs paid again before its next
/// page. Their own writes rarely change their notifications; the list is current.
fn unread_badge<'a>(state: &'a AppState, user: &'a CurrentUser) -> BadgeFuture<'a> {
    Box::pin(async move {
        let settings = state.settings.get(&state.pool).await?;
        let today = state.clock.today(settings.time_zone);
        let all = kept_notes(state, user, today, settings.jp_per_year, true).await?;
        Ok(Some(all.iter().filter(|n| n.unread).count() as i64))
    })
}

#[derive(askama::Template)]
#[template(path = "notifications/list.html")]
struct ListPage {
    ctx: Ctx,
    notes: Arc<Vec<Note>>,
    /// The account wants the daily digest, and where it goes.
    digest_on: bool,
    email: Option<String>,
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
    // A campaign's line carries its deadline (`yyyy-mm-dd`), said as a date in the reader's language.
    let date = chrono::NaiveDate::parse_from_str(&n.outcome, "%Y-%m-%d")
        .ok()
        .filter(|_| n.kind.starts_with("campaign_"))
        .map(|d| crate::i18n::date(lang, d))
        .unwrap_or_default();
    // The JP shortfall's figures come as the database writes them ("16.0"): said as people write them.
    let jp_figure = |v: &str| match v.parse::<f64>() {
        Ok(x) if n.kind == "jp_shortfall" => crate::app::num::figure(x, lang),
        _ => v.to_string(),
    };
    tv("note", &n.kind)
        .replace("{date}", &date)
        .replace("{subject}", &jp_figure(&n.subject))
        .replace("{outcome}", outcome)
        .replace("{days}", &n.outcome)
        .replace("{min}", &jp_figure(&n.outcome))
}

async fn list(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    let notes = kept_notes(&state, &user, ctx.today, ctx.agency.jp_per_year, false).await?;
    render(&ListPage {
        ctx,
        notes,
        digest_on: user.email_digest,
        email: user.email.clone(),
        mail_on: state.config.smtp_url.is_some(),
    })
}

async fn mark_read(State(state): State<AppState>, user: CurrentUser) -> AppResult<Response> {
    sqlx::query!(r#"update accounts set notifications_seen_at = now() where id = $1"#, user.account_id,)
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
    sqlx::query!(r#"update accounts set email_digest = $2 where id = $1"#, user.account_id, on,)
        .execute(&state.pool)
        .await?;
    Ok(redirect_flash("/notifications", FlashKind::Ok, if on { "flash.digest_on" } else { "flash.digest_off" }))
}
