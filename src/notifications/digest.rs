//! The daily e-mail digest: once a day (from `CAKAP_DIGEST_HOUR`, the agency's time), every
//! account that has an e-mail address on its employee record and has not turned the digest off
//! gets one message listing what is new among its notifications since its last digest — never
//! one message per event. Without `CAKAP_SMTP_URL` nothing is sent and nothing fails.
//!
//! Several portal nodes run the same job: an account's digest is leased by a conditional update
//! of its `digest_claimed_until` (now + [`LEASE`]), so one node sends it; `digest_sent_at` moves
//! only after the message went out. A failed send gives the lease back and is tried again on the
//! next round; a node that stops while holding a lease (a crash, a restart) leaves the digest owed,
//! and the first round after the lease sends it. (A node that stops between sending and marking
//! sends it twice: a day's digest is never lost, rarely doubled.)

use chrono::{DateTime, Timelike, Utc};
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};

use super::{Note, note_text, notes};
use crate::{
    app::{AppState, config::Config},
    auth::session,
    i18n::{self, Lang},
};

/// The SMTP connection the digest goes through.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The mailer `CAKAP_SMTP_URL` describes; `None` when it is not set. A malformed URL or
    /// sender is an error at start, not a silent loss of every digest.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Self>> {
        let Some(url) = config.smtp_url.as_deref() else { return Ok(None) };
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| anyhow::anyhow!("CAKAP_SMTP_URL is not a usable SMTP address: {e}"))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from = config
            .smtp_from
            .parse()
            .map_err(|e| anyhow::anyhow!("CAKAP_SMTP_FROM={:?} is not an e-mail address: {e}", config.smtp_from))?;
        Ok(Some(Self { transport, from }))
    }

    /// Send one plain-text message (the sign-in code mails of `accounts`).
    pub async fn send_text(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("address {to:?}: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// How long a node holds an account's digest while it composes and sends it.
pub const LEASE: chrono::Duration = chrono::Duration::minutes(10);

/// What one round of the digest did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Round {
    /// Messages handed to the SMTP server.
    pub sent: u32,
    /// Accounts with nothing new (marked done for the day, no message).
    pub quiet: u32,
    /// Sends that failed (to be tried again).
    pub failed: u32,
}

#[derive(sqlx::FromRow)]
struct Due {
    account_id: i64,
    email: String,
    lang: String,
    last: Option<DateTime<Utc>>,
}

/// Send today's digests that are due at `now` and not yet sent. Before the digest hour nothing
/// is due.
pub async fn send_due(state: &AppState, mailer: &Mailer, now: DateTime<Utc>) -> anyhow::Result<Round> {
    let settings = state.settings.get(&state.pool).await?;
    let local = now.with_timezone(&settings.time_zone.offset());
    let mut round = Round::default();
    if local.hour() < state.config.digest_hour {
        return Ok(round);
    }
    let today = local.date_naive();
    let due: Vec<Due> = sqlx::query_as!(
        Due,
        r#"select a.id as account_id, trim(e.email) as "email!", a.lang, a.digest_sent_at as last
         from accounts a join employees e on e.id = a.employee_id
         where a.email_digest and a.disabled_at is null and e.active and e.email like '%_@_%'
           and (a.digest_sent_at is null or (a.digest_sent_at at time zone $1)::date < $2)
           and (a.digest_claimed_until is null or a.digest_claimed_until <= $3)
         order by a.id"#,
        settings.time_zone.as_str(),
        today,
        now,
    )
    .fetch_all(&state.pool)
    .await?;
    for d in due {
        let Some(user) = session::load_account(&state.pool, d.account_id).await? else { continue };
        // Lease the day's digest of this account; another node that got here first keeps it.
        let Some(lease) = claim(&state.pool, d.account_id, d.last, now).await? else { continue };
        let since = d.last.unwrap_or(DateTime::<Utc>::MIN_UTC);
        let mut conn = state.pool.acquire().await?;
        let fresh: Vec<Note> = notes(&mut conn, &user, now, today, settings.jp_per_year)
            .await?
            .into_iter()
            .filter(|n| n.unread && n.at > since)
            .collect();
        drop(conn);
        if fresh.is_empty() {
            finish(&state.pool, d.account_id, lease, Some(now)).await?;
            round.quiet += 1;
            continue;
        }
        let lang = Lang::from_code(&d.lang);
        let message =
            compose(mailer, &d.email, lang, &user.display_name, &settings.department_name, today, &fresh, state);
        let outcome = match message {
            Ok(m) => mailer.transport.send(m).await.map(|_| ()).map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        match outcome {
            Ok(()) => {
                finish(&state.pool, d.account_id, lease, Some(now)).await?;
                round.sent += 1;
            }
            Err(e) => {
                tracing::warn!(account = d.account_id, error = %e, "digest not sent; will retry");
                finish(&state.pool, d.account_id, lease, None).await?;
                round.failed += 1;
            }
        }
    }
    if round != Round::default() {
        tracing::info!(sent = round.sent, quiet = round.quiet, failed = round.failed, "e-mail digest round");
    }
    Ok(round)
}

/// Lease an account's digest at `now` while its last digest is still `last` and no other node holds
/// it: the lease's end, or `None` when it is not this node's to send.
pub async fn claim(
    pool: &sqlx::PgPool,
    account: i64,
    last: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> sqlx::Result<Option<DateTime<Utc>>> {
    sqlx::query_scalar!(
        r#"update accounts set digest_claimed_until = $3
         where id = $1 and digest_sent_at is not distinct from $2
           and (digest_claimed_until is null or digest_claimed_until <= $4)
         returning digest_claimed_until as "until!""#,
        account,
        last,
        now + LEASE,
        now,
    )
    .fetch_optional(pool)
    .await
}

/// End this node's lease: the digest went out (or there was nothing to send) at `sent`, or, with
/// `None`, it did not and is owed still.
async fn finish(
    pool: &sqlx::PgPool,
    account: i64,
    lease: DateTime<Utc>,
    sent: Option<DateTime<Utc>>,
) -> sqlx::Result<()> {
    sqlx::query!(
        r#"update accounts set digest_sent_at = coalesce($3, digest_sent_at), digest_claimed_until = null
         where id = $1 and digest_claimed_until = $2"#,
        account,
        lease,
        sent,
    )
    .execute(pool)
    .await?;
    Ok(())
}

/// One digest in the account's language: a line per notification with where to act.
#[allow(clippy::too_many_arguments)]
fn compose(
    mailer: &Mailer,
    to: &str,
    lang: Lang,
    name: &str,
    agency: &str,
    today: chrono::NaiveDate,
    fresh: &[Note],
    state: &AppState,
) -> Result<Message, String> {
    let to: Mailbox = to.parse().map_err(|e| format!("address {to:?}: {e}"))?;
    let base = state.config.public_url.trim_end_matches('/');
    let mut body = format!("{} {name},\n\n{}\n\n", i18n::t(lang, "digest.hello"), i18n::t(lang, "digest.intro"));
    for n in fresh {
        body.push_str(&format!("- {}\n  {base}{}\n", note_text(lang, n), n.href));
    }
    body.push_str(&format!("\n{}\n{base}/notifications\n\n-- \nCakap · {agency}\n", i18n::t(lang, "digest.turn_off")));
    let subject = i18n::t(lang, "digest.subject")
        .replace("{n}", &fresh.len().to_string())
        .replace("{date}", &i18n::date(lang, today));
    Message::builder()
        .from(mailer.from.clone())
        .to(to)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| e.to_string())
}
