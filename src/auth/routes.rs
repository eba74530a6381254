//! Login, logout and changing one's own password.

use axum::{
    Form,
    extract::{Query, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
};
use serde::Deserialize;
use serde_json::json;

use super::{
    CurrentUser, PasswordContext, check_new_password, hash_password,
    session::{self, SESSION_COOKIE},
    throttle, verify_password,
};
use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        context::set_cookie,
        form::FieldErrors,
        render::{FlashKind, redirect_flash, render, render_status},
        router::{redirect_to, safe_next},
    },
    audit::{self, Actor},
};

pub fn routes() -> Routes {
    Routes::new()
        .get("/login", Access::Public, login_page)
        .post("/login", Access::Public, login_submit)
        .get("/login/code", Access::Public, super::code::code_page)
        .post("/login/code", Access::Public, super::code::code_submit)
        .post("/logout", Access::SignedIn, logout)
        .get("/password", Access::SignedIn, password_page)
        .post("/password", Access::SignedIn, password_submit)
}

#[derive(askama::Template)]
#[template(path = "auth/login.html")]
struct LoginPage {
    ctx: Ctx,
    username: String,
    next: String,
    error: Option<&'static str>,
}

#[derive(Deserialize)]
struct NextQuery {
    next: Option<String>,
}

async fn login_page(ctx: Ctx, Query(q): Query<NextQuery>) -> AppResult<Response> {
    if ctx.user.is_some() {
        return Ok(Redirect::to("/").into_response());
    }
    let next = safe_next(q.next.as_deref());
    render(&LoginPage { ctx, username: String::new(), next, error: None })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginForm {
    username: String,
    password: String,
    next: String,
}

async fn login_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> AppResult<Response> {
    let username: String = f.username.trim().chars().take(100).collect();
    let key = username.to_lowercase();
    let next = safe_next(Some(&f.next));
    let fail = |ctx: Ctx, status: StatusCode, key: &'static str| {
        render_status(status, &LoginPage { ctx, username: username.clone(), next: next.clone(), error: Some(key) })
    };
    if key.is_empty() || f.password.is_empty() {
        return fail(ctx, StatusCode::UNPROCESSABLE_ENTITY, "login.missing");
    }
    let actor = Actor { account_id: None, label: key.clone(), ip: ctx.ip.clone() };
    // The account first (no hashing): its attempts are counted per account, so its username and
    // its NIP share one limit; an unknown name is counted under what was typed.
    let account = sqlx::query!(
        r#"select a.id, a.password_hash, a.disabled_at is not null or coalesce(not e.active, false) as "disabled!"
           from accounts a left join employees e on e.id = a.employee_id
           where a.username = $1 or (e.nip = $1 and length($1) = 18)
           order by (a.username = $1) desc limit 1"#,
        key
    )
    .fetch_optional(&state.pool)
    .await?;
    // An account made in bulk has no password until its code is used: checked like an unknown one.
    let (account_id, hash, disabled) = match account {
        Some(a) => (Some(a.id), (!a.password_hash.is_empty()).then_some(a.password_hash), a.disabled),
        None => (None, None, false),
    };
    let throttle_key = throttle::account_key(account_id, &key);
    // The attempt is counted (its slot reserved) before any password is checked.
    let (attempt, failures) = match throttle::enter(&state, &actor, &throttle_key).await? {
        Ok(slot) => slot,
        Err(throttle::Refused::Locked) => return fail(ctx, StatusCode::TOO_MANY_REQUESTS, "login.locked"),
        Err(throttle::Refused::Busy) => {
            return throttle::busy(fail(ctx, StatusCode::SERVICE_UNAVAILABLE, "login.busy"));
        }
    };

    // The published demo password is only good on a demo portal; elsewhere it must be changed now.
    let demo_password = f.password == super::password::DEMO_PASSWORD && !state.config.seed_demo;
    // A password longer than any we accept is a wrong one: it is not hashed.
    let verified = match f.password.len() > super::password::MAX_CHECKED_BYTES {
        true => Ok(false),
        false => verify_password(f.password, hash).await,
    };
    let Ok(verified) = verified else {
        // No hashing slot came free: nothing was checked, so nothing is counted.
        throttle::unchecked(&state.pool, attempt).await?;
        return throttle::busy(fail(ctx, StatusCode::SERVICE_UNAVAILABLE, "login.busy"));
    };
    let ok = verified && !disabled;

    let mut tx = state.pool.begin().await?;
    match account_id {
        Some(id) if ok => {
            throttle::succeeded(&mut tx, attempt).await?;
            if let Some(old) = crate::app::context::cookie(&headers, SESSION_COOKIE) {
                session::delete(&mut tx, &session::token_hash(old)).await?;
            }
            let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
            let token = session::create(&mut tx, &state, id, &ctx.ip, ua).await?;
            sqlx::query!(
                "update accounts set last_login_at = now(), must_change_password = must_change_password or $2
                 where id = $1",
                id,
                demo_password
            )
            .execute(&mut *tx)
            .await?;
            let who = Actor { account_id: Some(id), ..actor };
            audit::record(&mut tx, &who, "account", id, "login", None, None).await?;
            tx.commit().await?;
            let mut res = redirect_to(&next);
            set_cookie(&mut res, SESSION_COOKIE, &token, state.config.secure_cookies(), None, "Lax");
            Ok(res)
        }
        _ => {
            let entity_id = account_id.map(|i| i.to_string()).unwrap_or_default();
            audit::record(&mut tx, &actor, "login", &entity_id, "login_failed", None, Some(json!({"username": key})))
                .await?;
            // Slots are reserved one at a time under the locks, so exactly one attempt takes the
            // last one of the username (or of the address) and records the lockout.
            if failures.user + 1 == throttle::LOCK_AFTER {
                let after = json!({"username": key, "minutes": throttle::WINDOW_MINUTES});
                audit::record(&mut tx, &actor, "login", &entity_id, "lockout", None, Some(after)).await?;
            }
            if !ctx.ip.is_empty() && failures.ip + 1 == throttle::IP_LOCK_AFTER {
                let after = json!({"ip": ctx.ip, "minutes": throttle::WINDOW_MINUTES});
                audit::record(&mut tx, &actor, "login", &ctx.ip, "lockout", None, Some(after)).await?;
            }
            tx.commit().await?;
            fail(ctx, StatusCode::UNAUTHORIZED, "login.failed")
        }
    }
}

async fn logout(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    session::delete(&mut tx, &user.session_hash).await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "account", user.account_id, "logout", None, None).await?;
    tx.commit().await?;
    let mut res = redirect_flash("/login", FlashKind::Ok, "flash.logged_out");
    set_cookie(&mut res, SESSION_COOKIE, "", state.config.secure_cookies(), Some(0), "Lax");
    Ok(res)
}

#[derive(askama::Template)]
#[template(path = "auth/password.html")]
struct PasswordPage {
    ctx: Ctx,
    errors: FieldErrors,
    forced: bool,
    min_len: usize,
    /// False right after a sign-in with a one-time code: there is no old password to give.
    need_current: bool,
}

/// A session opened with a one-time code chooses the first password without an old one.
async fn first_password(state: &AppState, user: &CurrentUser) -> AppResult<bool> {
    Ok(user.must_change_password && super::code::via_code(&state.pool, &user.session_hash).await?)
}

async fn password_page(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    let need_current = !first_password(&state, &user).await?;
    render(&PasswordPage {
        ctx,
        errors: FieldErrors::default(),
        forced: user.must_change_password,
        min_len: super::password::MIN_LEN,
        need_current,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

async fn password_submit(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let need_current = !first_password(&state, &user).await?;
    let row = sqlx::query!(
        r#"select a.password_hash, e.nip as "nip?", e.name as "name?"
           from accounts a left join employees e on e.id = a.employee_id
           where a.id = $1"#,
        user.account_id
    )
    .fetch_optional(&state.pool)
    .await?;
    let (hash, nip, name) = row.map(|r| (Some(r.password_hash), r.nip, r.name)).unwrap_or_default();
    // Checking the current password is a guess like a sign-in's: counted per account first.
    let key = throttle::account_key(Some(user.account_id), "");
    let current_ok = if !need_current {
        true
    } else if f.current.is_empty() || f.current.len() > super::password::MAX_CHECKED_BYTES {
        false
    } else {
        match throttle::reserve(&state.pool, &key, &ctx.ip).await {
            Ok(throttle::Gate::Locked) => {
                errors.add("current", "login.locked");
                false
            }
            Ok(throttle::Gate::Open { attempt, .. }) => match verify_password(f.current.clone(), hash).await {
                Ok(ok) => {
                    if ok {
                        let mut conn = state.pool.acquire().await?;
                        throttle::succeeded(&mut conn, attempt).await?;
                    }
                    ok
                }
                Err(_) => {
                    throttle::unchecked(&state.pool, attempt).await?;
                    return Err(crate::app::AppError::Busy);
                }
            },
            Err(e) if throttle::is_lock_timeout(&e) => return Err(crate::app::AppError::Busy),
            Err(e) => return Err(e.into()),
        }
    };
    if !current_ok {
        errors.add("current", "pw.current_wrong");
    }
    let who = PasswordContext {
        username: &user.username,
        nip: nip.as_deref(),
        name: name.as_deref(),
        agency: Some(&ctx.agency.department_name),
        demo: state.config.seed_demo,
    };
    if let Err(e) = check_new_password(&f.new, &who) {
        errors.add("new", e.key());
    } else if need_current && f.new == f.current {
        errors.add("new", "pw.same_as_old");
    }
    if f.new != f.confirm {
        errors.add("confirm", "pw.mismatch");
    }
    if !errors.is_empty() {
        let page = PasswordPage {
            ctx,
            errors,
            forced: user.must_change_password,
            min_len: super::password::MIN_LEN,
            need_current,
        };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let new_hash = hash_password(f.new).await?;
    let mut tx = state.pool.begin().await?;
    sqlx::query!(
        "update accounts set password_hash = $1, must_change_password = false where id = $2",
        new_hash,
        user.account_id
    )
    .execute(&mut *tx)
    .await?;
    session::delete_all_for(&mut tx, user.account_id, Some(&user.session_hash)).await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "account",
        user.account_id,
        "password_change",
        Some(json!({"must_change_password": user.must_change_password})),
        Some(json!({"must_change_password": false})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash("/", FlashKind::Ok, "flash.password_changed"))
}
