//! One-time sign-in codes: made at random, kept only as argon2id hashes, single use, valid for
//! `CODE_DAYS` days. A code is shown once, in the letter (PDF, one page per person) or the
//! e-mail that carries it; issuing a new one revokes the one still unused.

use chrono::{DateTime, Utc};
use sqlx::PgConnection;

use crate::{
    app::{AppError, AppResult, AppState, pdf},
    audit::Actor,
    auth::hash_password,
    i18n::{self, Lang},
};

/// How long a sign-in code stays valid.
pub const CODE_DAYS: i64 = 14;

/// A code as it is compared: lower case, without the spaces and dashes people type between groups.
pub fn normalise(code: &str) -> String {
    code.chars().filter(|c| c.is_ascii_alphanumeric()).map(|c| c.to_ascii_lowercase()).collect()
}

/// Who a code is for, with what its letter says.
#[derive(Clone, Debug)]
pub struct Recipient {
    pub account_id: i64,
    pub username: String,
    pub name: String,
    pub nip: String,
    pub unit: String,
    pub position: String,
    pub email: Option<String>,
    pub lang: String,
}

/// `sqlx::query_as!` of `Recipient`s over `accounts a` joined to `employees e`, `units u` and
/// the position `p`, then `$rest` (a literal: where, order) with its binds.
macro_rules! recipient_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            $crate::accounts::codes::Recipient,
            r#"select a.id as account_id, a.username,
                      employee_display_name(e.front_title, e.name, e.back_title) as "name!", e.nip, u.name as unit,
                      coalesce(p.name, '') as "position!",
                      case when e.email like '%_@_%' then trim(e.email) end as email, a.lang
               from accounts a join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
               left join positions p on p.id = e.position_id "#
                + $rest
            $(, $arg)*
        )
    };
}
pub(crate) use recipient_rows;

/// A fresh code for each recipient: made and hashed first (no transaction waits on the hashing),
/// then stored in one transaction that revokes the codes still unused, audited per account.
/// Returns each recipient with their code and its expiry.
pub async fn issue(
    state: &AppState,
    actor: &Actor,
    recipients: Vec<Recipient>,
    delivery: &str,
) -> AppResult<Vec<(Recipient, String, DateTime<Utc>)>> {
    // Hashed a few at a time, so every core of the hashing pool works and none waits too long.
    let mut made = Vec::with_capacity(recipients.len());
    let mut rest = recipients.into_iter();
    loop {
        let chunk: Vec<Recipient> = rest.by_ref().take(4).collect();
        if chunk.is_empty() {
            break;
        }
        let mut set = tokio::task::JoinSet::new();
        for (i, r) in chunk.into_iter().enumerate() {
            let code = crate::accounts::generate_one_time_password();
            set.spawn(async move { (i, hash_password(normalise(&code)).await.map(|h| (r, code, h))) });
        }
        let mut done = set.join_all().await;
        done.sort_by_key(|(i, _)| *i);
        for (_, m) in done {
            made.push(m?);
        }
    }
    let mut tx = state.pool.begin().await?;
    let expires =
        store(&mut tx, actor, &made.iter().map(|(r, _, h)| (r.account_id, h.clone())).collect::<Vec<_>>(), delivery)
            .await?;
    tx.commit().await?;
    Ok(made.into_iter().map(|(r, c, _)| (r, c, expires)).collect())
}

/// Store hashed codes for accounts (revoking their unused ones) with an audit row each; returns
/// the expiry given.
pub async fn store(
    conn: &mut PgConnection,
    actor: &Actor,
    hashes: &[(i64, String)],
    delivery: &str,
) -> Result<DateTime<Utc>, sqlx::Error> {
    let ids: Vec<i64> = hashes.iter().map(|(id, _)| *id).collect();
    let hs: Vec<String> = hashes.iter().map(|(_, h)| h.clone()).collect();
    let revoked: Vec<i64> = sqlx::query_scalar!(
        "update sign_in_codes set revoked_at = now()
         where account_id = any($1) and used_at is null and revoked_at is null
         returning account_id",
        &ids
    )
    .fetch_all(&mut *conn)
    .await?;
    let expires: DateTime<Utc> = sqlx::query_scalar!(
        r#"with made as (
           insert into sign_in_codes (account_id, code_hash, delivery, issued_by, expires_at)
           select t.id, t.h, $3, $4, now() + make_interval(days => $5)
           from unnest($1::bigint[], $2::text[]) as t(id, h)
           returning account_id, expires_at),
         audited as (
           insert into audit_log (account_id, actor, ip, entity, entity_id, action, before, after)
           select $4, $6, $7, 'account', m.account_id::text, 'code_issue',
                  case when m.account_id = any($8) then jsonb_build_object('previous_code_revoked', true) end,
                  jsonb_build_object('delivery', $3::text, 'valid_days', $5)
           from made m returning 1)
         select coalesce(max(expires_at), now() + make_interval(days => $5)) as "expires!" from made"#,
        &ids,
        &hs,
        delivery,
        actor.account_id,
        CODE_DAYS as i32,
        actor.label,
        actor.ip,
        &revoked
    )
    .fetch_one(conn)
    .await?;
    Ok(expires)
}

/// Where a user signs in with a code.
pub fn code_url(state: &AppState) -> String {
    format!("{}/login/code", state.config.public_url.trim_end_matches('/'))
}

/// The letters: one A4 page per person, in Indonesian (the language of the people they go to):
/// who it is for, the address, the username (the NIP), the code, until when it holds, and what
/// to do.
pub fn letters(
    state: &AppState,
    agency: &str,
    today: chrono::NaiveDate,
    tz: chrono::FixedOffset,
    issued: &[(Recipient, String, DateTime<Utc>)],
) -> Vec<u8> {
    let lang = Lang::Id;
    let t = |k: &str| i18n::t(lang, k);
    let url = code_url(state);
    let mut blocks = vec![];
    for (i, (r, code, expires)) in issued.iter().enumerate() {
        if i > 0 {
            blocks.push(pdf::Block::PageBreak);
        }
        let until = i18n::date(lang, expires.with_timezone(&tz).date_naive());
        blocks.push(pdf::Block::Heading(t("code.letter.to").replace("{name}", &r.name)));
        blocks.push(pdf::Block::Table {
            headers: vec![t("code.letter.data").into(), String::new()],
            rows: vec![
                vec![t("emp.name").into(), r.name.clone()],
                vec![t("emp.nip").into(), r.nip.clone()],
                vec![t("code.letter.unit").into(), r.unit.clone()],
                vec![
                    t("code.letter.position").into(),
                    if r.position.is_empty() { "—".into() } else { r.position.clone() },
                ],
            ],
        });
        blocks.push(pdf::Block::Para(t("code.letter.intro").replace("{agency}", agency)));
        blocks.push(pdf::Block::Heading(format!("{} {}", t("code.letter.address"), url)));
        blocks.push(pdf::Block::Heading(format!("{} {}", t("code.letter.username"), r.username)));
        blocks.push(pdf::Block::Heading(format!("{} {}", t("code.letter.code"), code)));
        blocks.push(pdf::Block::Para(t("code.letter.valid").replace("{date}", &until)));
        blocks.push(pdf::Block::Heading(t("code.letter.steps").into()));
        for k in ["code.letter.step1", "code.letter.step2", "code.letter.step3", "code.letter.step4"] {
            blocks.push(pdf::Block::Para(t(k).replace("{url}", &url).replace("{nip}", &r.username)));
        }
        blocks.push(pdf::Block::Para(t("code.letter.secret").into()));
    }
    let meta = pdf::Meta {
        title: t("code.letter.title").into(),
        agency: agency.into(),
        date: i18n::date(lang, today),
        page_label: t("pdf.page").into(),
        landscape: false,
    };
    pdf::render(&meta, &blocks)
}

/// The text of the e-mail that carries a code, in the account's language.
pub fn mail_text(
    state: &AppState,
    agency: &str,
    tz: chrono::FixedOffset,
    r: &Recipient,
    code: &str,
    expires: DateTime<Utc>,
) -> (String, String) {
    let lang = Lang::from_code(&r.lang);
    let t = |k: &str| i18n::t(lang, k);
    let url = code_url(state);
    let mut body =
        format!("{} {},\n\n{}\n\n", t("digest.hello"), r.name, t("code.letter.intro").replace("{agency}", agency));
    body.push_str(&format!(
        "{} {url}\n{} {}\n{} {code}\n",
        t("code.letter.address"),
        t("code.letter.username"),
        r.username,
        t("code.letter.code")
    ));
    body.push_str(&format!(
        "{}\n\n",
        t("code.letter.valid").replace("{date}", &i18n::date(lang, expires.with_timezone(&tz).date_naive()))
    ));
    for k in ["code.letter.step1", "code.letter.step2", "code.letter.step3", "code.letter.step4"] {
        body.push_str(&format!("{}\n", t(k).replace("{url}", &url).replace("{nip}", &r.username)));
    }
    body.push_str(&format!("\n{}\n\n-- \nCakap · {agency}\n", t("code.letter.secret")));
    (t("code.mail.subject").replace("{agency}", agency), body)
}

/// What one round of the outbox did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Sent {
    pub sent: u32,
    pub failed: u32,
}

/// Send the sign-in code mails that are due: each row is claimed by moving its next try forward
/// (so any number of nodes share the outbox), its code made and stored, then the mail sent; a
/// failed send revokes that code and is tried again later (at most 5 times).
pub async fn send_outbox(state: &AppState, mailer: &crate::notifications::digest::Mailer) -> anyhow::Result<Sent> {
    let mut round = Sent::default();
    let settings = state.settings.get(&state.pool).await?;
    let (agency, tz) = (settings.department_name.clone(), settings.time_zone.offset());
    for _ in 0..200 {
        let claimed = sqlx::query!(
            "update mail_outbox set attempts = attempts + 1,
                    next_try_at = now() + make_interval(mins => 5 * (attempts + 1))
             where id = (select id from mail_outbox where sent_at is null and cancelled_at is null and next_try_at <= now()
                         order by id limit 1 for update skip locked)
             returning id, account_id, to_address, attempts"
        )
        .fetch_optional(&state.pool)
        .await?;
        let Some(claimed) = claimed else { break };
        let (id, account_id, to, attempts) = (claimed.id, claimed.account_id, claimed.to_address, claimed.attempts);
        let recipient: Option<Recipient> =
            recipient_rows!("where a.id = $1 and a.disabled_at is null and e.active", account_id)
                .fetch_optional(&state.pool)
                .await?;
        let Some(r) = recipient else {
            sqlx::query!(
                "update mail_outbox set cancelled_at = now(), last_error = 'account disabled' where id = $1",
                id
            )
            .execute(&state.pool)
            .await?;
            continue;
        };
        let code = crate::accounts::generate_one_time_password();
        let hash = match hash_password(normalise(&code)).await {
            Ok(h) => h,
            Err(AppError::Busy) => break,
            Err(e) => return Err(anyhow::anyhow!("hash: {e}")),
        };
        let actor = Actor::system("e-mail");
        let mut tx = state.pool.begin().await?;
        let expires = store(&mut tx, &actor, &[(account_id, hash)], "email").await?;
        tx.commit().await?;
        let (subject, body) = mail_text(state, &agency, tz, &r, &code, expires);
        match mailer.send_text(&to, &subject, body).await {
            Ok(()) => {
                sqlx::query!("update mail_outbox set sent_at = now(), last_error = null where id = $1", id)
                    .execute(&state.pool)
                    .await?;
                round.sent += 1;
            }
            Err(e) => {
                tracing::warn!(outbox = id, error = %e, "sign-in code mail not sent; will retry");
                sqlx::query!(
                    "update sign_in_codes set revoked_at = now()
                     where account_id = $1 and delivery = 'email' and used_at is null and revoked_at is null",
                    account_id
                )
                .execute(&state.pool)
                .await?;
                sqlx::query!(
                    "update mail_outbox set last_error = $2, cancelled_at = case when $3 >= 5 then now() end where id = $1",
                    id,
                    e.chars().take(500).collect::<String>(),
                    attempts
                )
                .execute(&state.pool)
                .await?;
                round.failed += 1;
            }
        }
    }
    if round != Sent::default() {
        tracing::info!(sent = round.sent, failed = round.failed, "sign-in code mails");
    }
    Ok(round)
}

/// Queue a sign-in code mail for each account (an earlier one not yet sent is replaced).
pub async fn queue_mails(conn: &mut PgConnection, actor: &Actor, recipients: &[Recipient]) -> Result<u64, sqlx::Error> {
    let with: Vec<&Recipient> = recipients.iter().filter(|r| r.email.is_some()).collect();
    let ids: Vec<i64> = with.iter().map(|r| r.account_id).collect();
    let to: Vec<String> = with.iter().map(|r| r.email.clone().unwrap_or_default()).collect();
    let n: i64 = sqlx::query_scalar!(
        r#"with dropped as (
           update mail_outbox set cancelled_at = now()
           where account_id = any($1) and sent_at is null and cancelled_at is null returning id),
         queued as (
           insert into mail_outbox (kind, account_id, to_address, queued_by)
           select 'sign_in_code', t.id, t.addr, $3 from unnest($1::bigint[], $2::text[]) as t(id, addr)
           returning account_id),
         audited as (
           insert into audit_log (account_id, actor, ip, entity, entity_id, action, after)
           select $3, $4, $5, 'account', q.account_id::text, 'code_mail_queued', jsonb_build_object('delivery', 'email')
           from queued q returning 1)
         select count(*) as "n!" from queued"#,
        &ids,
        &to,
        actor.account_id,
        actor.label,
        actor.ip
    )
    .fetch_one(conn)
    .await?;
    Ok(n as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_compare_without_case_spaces_or_dashes() {
        assert_eq!(normalise(" AbCd-efgh jkmn "), "abcdefghjkmn");
        assert_eq!(normalise("abcd-efgh-jkmn"), normalise("ABCDEFGHJKMN"));
    }
}
