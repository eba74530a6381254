//! A batch of accounts created together: where each one's sign-in code stands, and its codes
//! as letters (PDF, one page per person still to sign in) or e-mails; one account's code
//! re-issued from its page.

use axum::{
    Form,
    extract::{Path, State},
    response::Response,
};
use serde::Deserialize;

use super::{
    bulk::{BatchRow, batch_rows},
    codes::{self, Recipient, recipient_rows},
};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx, pdf,
        render::{FlashKind, redirect_flash, render},
    },
    audit::Actor,
    auth::CurrentUser,
};

#[derive(Clone, Debug)]
pub struct MemberRow {
    pub id: i64,
    pub username: String,
    pub name: String,
    pub unit: String,
    pub has_email: bool,
    pub signed_in: bool,
    pub disabled: bool,
    pub code_issued: Option<chrono::DateTime<chrono::Utc>>,
    pub code_delivery: Option<String>,
    pub code_expires: Option<chrono::DateTime<chrono::Utc>>,
    pub mail_waiting: bool,
}

impl MemberRow {
    /// Where the account stands, in words (never the code itself).
    pub fn state(&self, ctx: &Ctx) -> String {
        if self.disabled {
            return ctx.t("acct.disabled").into();
        }
        if self.signed_in {
            return ctx.t("code.state.signed_in").into();
        }
        if self.mail_waiting {
            return ctx.t("code.state.mail_waiting").into();
        }
        match (self.code_issued, &self.code_delivery, self.code_expires) {
            (Some(at), Some(d), Some(until)) => {
                let how = ctx.tv("code.delivery", d);
                if until < chrono::Utc::now() {
                    ctx.t("code.state.expired").replace("{how}", how).replace("{date}", &ctx.date(local(ctx, until)))
                } else {
                    ctx.t("code.state.issued")
                        .replace("{how}", how)
                        .replace("{at}", &ctx.date_time(at))
                        .replace("{date}", &ctx.date(local(ctx, until)))
                }
            }
            _ => ctx.t("code.state.none").into(),
        }
    }
}

/// The agency's date of an instant.
fn local(ctx: &Ctx, at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
    at.with_timezone(&ctx.agency.time_zone.offset()).date_naive()
}

/// `sqlx::query_as!` of `MemberRow`s: the columns over `accounts a` joined to `employees e`,
/// `units u` and the account's latest live code `c`, then `$rest` (a literal: where, order) with
/// its binds.
macro_rules! member_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            MemberRow,
            r#"select a.id, a.username, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                      u.name as unit, coalesce(e.email like '%_@_%', false) as "has_email!",
                      a.last_login_at is not null as "signed_in!", a.disabled_at is not null as "disabled!",
                      c.issued_at as "code_issued?", c.delivery as "code_delivery?", c.expires_at as "code_expires?",
                      exists (select 1 from mail_outbox o
                              where o.account_id = a.id and o.sent_at is null and o.cancelled_at is null)
                        as "mail_waiting!"
               from accounts a join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
               left join lateral (select * from sign_in_codes s where s.account_id = a.id and s.revoked_at is null
                                  order by s.issued_at desc limit 1) c on true "#
                + $rest
            $(, $arg)*
        )
    };
}

#[derive(askama::Template)]
#[template(path = "accounts/batch.html")]
struct BatchPage {
    ctx: Ctx,
    batch: BatchRow,
    members: Vec<MemberRow>,
    waiting: usize,
    waiting_email: usize,
    mail_on: bool,
}

pub async fn batch(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let batch: BatchRow =
        batch_rows!("where b.id = $1", id).fetch_optional(&mut *conn).await?.ok_or(AppError::NotFound)?;
    let members: Vec<MemberRow> =
        member_rows!("where a.batch_id = $1 order by u.sort_key, e.name", id).fetch_all(&mut *conn).await?;
    let waiting = members.iter().filter(|m| !m.signed_in && !m.disabled).count();
    let waiting_email = members.iter().filter(|m| !m.signed_in && !m.disabled && m.has_email).count();
    let mail_on = state.config.smtp_url.is_some();
    render(&BatchPage { ctx, batch, members, waiting, waiting_email, mail_on })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct LettersForm {
    /// `all` (everybody of the batch still to sign in) or `no_email` (those without an address).
    pub who: String,
}

/// The recipients of a batch who have not signed in yet (and are not disabled). An account given
/// the admin or HR role since is left to an admin.
async fn waiting_in(
    state: &AppState,
    user: &CurrentUser,
    batch: i64,
    only_without_email: bool,
) -> AppResult<Vec<Recipient>> {
    let exists: bool =
        sqlx::query_scalar!(r#"select exists(select 1 from account_batches where id = $1) as "e!""#, batch)
            .fetch_one(&state.pool)
            .await?;
    if !exists {
        return Err(AppError::NotFound);
    }
    Ok(recipient_rows!(
        "where a.batch_id = $1 and a.last_login_at is null and a.disabled_at is null and e.active
           and (not $2 or coalesce(e.email like '%_@_%', false) = false)
           and ($3 or not exists (select 1 from account_roles r where r.account_id = a.id and r.role in ('admin', 'hr')))
         order by u.sort_key, e.name, e.id",
        batch,
        only_without_email,
        user.has(crate::auth::Role::Admin)
    )
    .fetch_all(&state.pool)
    .await?)
}

/// Print the batch's letters: a fresh code for each person still to sign in (their earlier code
/// stops working), one page each.
pub async fn batch_letters(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<LettersForm>,
) -> AppResult<Response> {
    let recipients = waiting_in(&state, &user, id, f.who == "no_email").await?;
    if recipients.is_empty() {
        return Ok(redirect_flash(&format!("/accounts/batches/{id}"), FlashKind::Err, "code.err.nobody"));
    }
    print_letters(&state, &ctx, recipients, &id.to_string()).await
}

/// Issue fresh codes to `recipients` and answer with their letters, one PDF page each.
async fn print_letters(state: &AppState, ctx: &Ctx, recipients: Vec<Recipient>, name: &str) -> AppResult<Response> {
    let issued = codes::issue(state, &Actor::from_ctx(ctx), recipients, "letter").await?;
    let bytes = codes::letters(state, ctx.agency_name(), ctx.today, ctx.agency.time_zone.offset(), &issued);
    Ok(pdf::response(&format!("surat-akun-{name}"), bytes))
}

/// Send the batch's codes by e-mail to those with an address who have not signed in yet.
pub async fn batch_email(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let recipients = waiting_in(&state, &user, id, false).await?;
    queue(&state, &ctx, recipients, &format!("/accounts/batches/{id}")).await
}

async fn queue(state: &AppState, ctx: &Ctx, recipients: Vec<Recipient>, back: &str) -> AppResult<Response> {
    if state.config.smtp_url.is_none() {
        return Ok(redirect_flash(back, FlashKind::Err, "code.err.no_smtp"));
    }
    if !recipients.iter().any(|r| r.email.is_some()) {
        return Ok(redirect_flash(back, FlashKind::Err, "code.err.no_email"));
    }
    let mut tx = state.pool.begin().await?;
    codes::queue_mails(&mut tx, &Actor::from_ctx(ctx), &recipients).await?;
    tx.commit().await?;
    Ok(redirect_flash(back, FlashKind::Ok, "code.mail_queued"))
}

/// The one account a code may be issued for: linked to an active employee, not disabled, and
/// one the officer may manage (HR does not manage admin and HR accounts).
async fn one(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Recipient> {
    let r: Recipient = recipient_rows!("where a.id = $1 and a.disabled_at is null and e.active", id)
        .fetch_optional(&state.pool)
        .await?
        .ok_or(AppError::NotFound)?;
    let privileged: bool = sqlx::query_scalar!(
        r#"select exists(select 1 from account_roles where account_id = $1 and role in ('admin', 'hr')) as "e!""#,
        id
    )
    .fetch_one(&state.pool)
    .await?;
    if privileged && !user.has(crate::auth::Role::Admin) {
        return Err(AppError::Forbidden);
    }
    Ok(r)
}

/// Re-issue one person's code as a letter (PDF).
pub async fn account_letter(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let r = one(&state, &user, id).await?;
    let name = r.username.clone();
    print_letters(&state, &ctx, vec![r], &name).await
}

/// Re-issue one person's code by e-mail.
pub async fn account_email(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let r = one(&state, &user, id).await?;
    queue(&state, &ctx, vec![r], &format!("/accounts/{id}")).await
}

/// Where an account's code stands (for its detail page).
pub async fn member(conn: &mut sqlx::PgConnection, id: i64) -> Result<Option<MemberRow>, sqlx::Error> {
    member_rows!("where a.id = $1", id).fetch_optional(conn).await
}
