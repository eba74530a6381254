//! The first sign-in with a one-time code (from the letter or the e-mail): NIP (or username) and
//! code. Attempts are counted with the account's password attempts (one limit for both); a code
//! works once, until it expires; the session it opens must choose a password before anything else.

use axum::{
    Form,
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use serde_json::json;

use super::{
    session::{self, SESSION_COOKIE},
    throttle, verify_password,
};
use crate::{
    app::{AppResult, AppState, Ctx, context::set_cookie, render::render_status},
    audit::{self, Actor},
};

#[derive(askama::Template)]
#[template(path = "auth/code.html")]
struct CodePage {
    ctx: Ctx,
    username: String,
    error: Option<&'static str>,
}

pub async fn code_page(ctx: Ctx) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    render_status(StatusCode::OK, &CodePage { ctx, username: String::new(), error: None })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CodeForm {
    username: String,
    code: String,
}

pub async fn code_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<CodeForm>,
) -> AppResult<Response> {
    let username: String = f.username.chars().filter(|c| !c.is_whitespace()).take(100).collect();
    let key = username.to_lowercase();
    let code = crate::accounts::codes::normalise(&f.code);
    let fail = |ctx: Ctx, status: StatusCode, error: &'static str| {
        render_status(status, &CodePage { ctx, username: username.clone(), error: Some(error) })
    };
    if key.is_empty() || code.is_empty() {
        return fail(ctx, StatusCode::UNPROCESSABLE_ENTITY, "code.login.missing");
    }
    let actor = Actor { account_id: None, label: key.clone(), ip: ctx.ip.clone() };
    let account = sqlx::query!(
        r#"select a.id, a.disabled_at is not null or coalesce(not e.active, false) as "disabled!"
           from accounts a left join employees e on e.id = a.employee_id
           where a.username = $1 or (e.nip = $1 and length($1) = 18)
           order by (a.username = $1) desc limit 1"#,
        key
    )
    .fetch_optional(&state.pool)
    .await?;
    let (account_id, disabled) = match account {
        Some(a) => (Some(a.id), a.disabled),
        None => (None, false),
    };
    // The latest code not used nor revoked (an expired one too: its holder is told to ask again).
    let live: Option<(i64, String, bool)> = match account_id {
        Some(id) => sqlx::query!(
            r#"select id, code_hash, expires_at <= now() as "expired!" from sign_in_codes
                   where account_id = $1 and used_at is null and revoked_at is null"#,
            id
        )
        .fetch_optional(&state.pool)
        .await?
        .map(|c| (c.id, c.code_hash, c.expired)),
        None => None,
    };
    // Counted with the account's password attempts, before anything is checked.
    let throttle_key = throttle::account_key(account_id, &key);
    let (attempt, failures) = match throttle::enter(&state, &actor, &throttle_key).await? {
        Ok(slot) => slot,
        Err(throttle::Refused::Locked) => return fail(ctx, StatusCode::TOO_MANY_REQUESTS, "login.locked"),
        Err(throttle::Refused::Busy) => {
            return throttle::busy(fail(ctx, StatusCode::SERVICE_UNAVAILABLE, "login.busy"));
        }
    };
    // No code: the dummy hash is checked instead, so it costs the same.
    let verified = verify_password(code, live.as_ref().map(|(_, h, _)| h.clone())).await;
    let Ok(verified) = verified else {
        throttle::unchecked(&state.pool, attempt).await?;
        return throttle::busy(fail(ctx, StatusCode::SERVICE_UNAVAILABLE, "login.busy"));
    };
    let expired = live.as_ref().is_some_and(|(_, _, e)| *e);
    let mut tx = state.pool.begin().await?;
    if let (Some(id), Some((code_id, _, _)), true, false, false) = (account_id, &live, verified, expired, disabled) {
        // Single use: of two sign-ins with one code, one takes it.
        let used = sqlx::query!(
            "update sign_in_codes set used_at = now()
             where id = $1 and used_at is null and revoked_at is null and expires_at > now()",
            code_id
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if used == 1 {
            throttle::succeeded(&mut tx, attempt).await?;
            if let Some(old) = crate::app::context::cookie(&headers, SESSION_COOKIE) {
                session::delete(&mut tx, &session::token_hash(old)).await?;
            }
            let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
            let token = session::create(&mut tx, &state, id, &ctx.ip, ua).await?;
            sqlx::query!("update sessions set via_code = true where token_hash = $1", session::token_hash(&token))
                .execute(&mut *tx)
                .await?;
            sqlx::query!("update accounts set last_login_at = now(), must_change_password = true where id = $1", id)
                .execute(&mut *tx)
                .await?;
            let who = Actor { account_id: Some(id), ..actor };
            audit::record(&mut tx, &who, "account", id, "login_code", None, None).await?;
            tx.commit().await?;
            let mut res = Redirect::to("/password").into_response();
            set_cookie(&mut res, SESSION_COOKIE, &token, state.config.secure_cookies(), None, "Lax");
            return Ok(res);
        }
    }
    let entity_id = account_id.map(|i| i.to_string()).unwrap_or_default();
    audit::record(
        &mut tx,
        &actor,
        "login",
        &entity_id,
        "login_failed",
        None,
        Some(json!({"username": key, "with": "code"})),
    )
    .await?;
    if failures.user + 1 == throttle::LOCK_AFTER {
        let after = json!({"username": key, "minutes": throttle::WINDOW_MINUTES});
        audit::record(&mut tx, &actor, "login", &entity_id, "lockout", None, Some(after)).await?;
    }
    tx.commit().await?;
    let error = if verified && expired { "code.login.expired" } else { "code.login.failed" };
    fail(ctx, StatusCode::UNAUTHORIZED, error)
}

/// Whether this session was opened with a sign-in code (it may set the first password without an
/// old one).
pub async fn via_code(pool: &sqlx::PgPool, session_hash: &[u8]) -> Result<bool, sqlx::Error> {
    Ok(sqlx::query_scalar!("select via_code from sessions where token_hash = $1", session_hash)
        .fetch_optional(pool)
        .await?
        .unwrap_or(false))
}
