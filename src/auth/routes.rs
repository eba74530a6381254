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
    CurrentUser, check_new_password, hash_password,
    session::{self, SESSION_COOKIE},
    throttle, verify_password,
};
use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        context::set_cookie,
        form::FieldErrors,
        render::{FlashKind, redirect_flash, render, render_status},
        router::safe_next,
    },
    audit::{self, Actor},
};

pub fn routes() -> Routes {
    Routes::new()
        .get("/login", Access::Public, login_page)
        .post("/login", Access::Public, login_submit)
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
    let mut conn = state.pool.acquire().await?;
    let failures = throttle::failures(&mut conn, &key, &ctx.ip).await?;
    if failures.locked() {
        audit::record(&mut conn, &actor, "login", &key, "login_blocked", None, Some(json!({"username": key}))).await?;
        return fail(ctx, StatusCode::TOO_MANY_REQUESTS, "login.locked");
    }
    drop(conn);
    tokio::time::sleep(failures.delay(state.config.login_delay_ms)).await;

    let account: Option<(i64, String, bool)> = sqlx::query_as(
        "select a.id, a.password_hash, a.disabled_at is not null or coalesce(not e.active, false)
         from accounts a left join employees e on e.id = a.employee_id
         where a.username = $1 or (e.nip = $1 and length($1) = 18)
         order by (a.username = $1) desc limit 1",
    )
    .bind(&key)
    .fetch_optional(&state.pool)
    .await?;
    let (account_id, hash, disabled) = match account {
        Some((id, h, d)) => (Some(id), Some(h), d),
        None => (None, None, false),
    };
    let ok = verify_password(f.password, hash).await && !disabled;

    let mut tx = state.pool.begin().await?;
    throttle::record(&mut tx, &key, &ctx.ip, ok).await?;
    match account_id {
        Some(id) if ok => {
            if let Some(old) = crate::app::context::cookie(&headers, SESSION_COOKIE) {
                session::delete(&mut tx, &session::token_hash(old)).await?;
            }
            let ua = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
            let token = session::create(&mut tx, &state, id, &ctx.ip, ua).await?;
            sqlx::query("update accounts set last_login_at = now() where id = $1").bind(id).execute(&mut *tx).await?;
            let who = Actor { account_id: Some(id), ..actor };
            audit::record(&mut tx, &who, "account", id, "login", None, None).await?;
            tx.commit().await?;
            let mut res = Redirect::to(&next).into_response();
            set_cookie(&mut res, SESSION_COOKIE, &token, state.config.secure_cookies(), None, "Lax");
            Ok(res)
        }
        _ => {
            let entity_id = account_id.map(|i| i.to_string()).unwrap_or_default();
            audit::record(&mut tx, &actor, "login", &entity_id, "login_failed", None, Some(json!({"username": key})))
                .await?;
            if failures.user + 1 == throttle::LOCK_AFTER {
                audit::record(
                    &mut tx,
                    &actor,
                    "login",
                    &entity_id,
                    "lockout",
                    None,
                    Some(json!({"username": key, "minutes": throttle::WINDOW_MINUTES})),
                )
                .await?;
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
}

async fn password_page(ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    render(&PasswordPage {
        ctx,
        errors: FieldErrors::default(),
        forced: user.must_change_password,
        min_len: super::password::MIN_LEN,
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
    let hash: Option<String> = sqlx::query_scalar("select password_hash from accounts where id = $1")
        .bind(user.account_id)
        .fetch_optional(&state.pool)
        .await?;
    if f.current.is_empty() || !verify_password(f.current.clone(), hash).await {
        errors.add("current", "pw.current_wrong");
    }
    if let Err(e) = check_new_password(&f.new, &user.username) {
        errors.add("new", e.key());
    } else if f.new == f.current {
        errors.add("new", "pw.same_as_old");
    }
    if f.new != f.confirm {
        errors.add("confirm", "pw.mismatch");
    }
    if !errors.is_empty() {
        let page = PasswordPage { ctx, errors, forced: user.must_change_password, min_len: super::password::MIN_LEN };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let new_hash = hash_password(f.new).await?;
    let mut tx = state.pool.begin().await?;
    sqlx::query("update accounts set password_hash = $1, must_change_password = false where id = $2")
        .bind(new_hash)
        .bind(user.account_id)
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
