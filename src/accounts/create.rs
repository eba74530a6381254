//! A new account for an employee (or an officer without one), shown once with its one-time
//! password. Not a versioned form: its answer is the password page, not a record to go back to.

use axum::{Form, extract::State, http::StatusCode, response::Response};

use super::{
    db,
    form::{AccountForm, check_roles},
};
use crate::{
    app::{
        AppResult, AppState, Ctx,
        form::FieldErrors,
        render::{render, render_status},
    },
    audit::Actor,
    auth::{CurrentUser, Role, hash_password},
    units::db::{UnitOption, options as unit_options},
};

#[derive(askama::Template)]
#[template(path = "accounts/form.html")]
struct FormPage {
    ctx: Ctx,
    form: AccountForm,
    errors: FieldErrors,
    units: Vec<UnitOption>,
    can_grant_admin: bool,
}

pub(super) async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let units = unit_options(&mut conn).await?;
    let can_grant_admin = ctx.has(Role::Admin);
    let form = AccountForm { role_employee: Some("on".into()), ..Default::default() };
    render(&FormPage { ctx, form, errors: FieldErrors::default(), units, can_grant_admin })
}

#[derive(askama::Template)]
#[template(path = "accounts/one_time.html")]
pub(super) struct OneTimePage {
    pub ctx: Ctx,
    pub id: i64,
    pub username: String,
    pub password: String,
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(mut form): Form<AccountForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    form.username = form.username.trim().to_lowercase();
    form.nip = form.nip.chars().filter(|c| !c.is_whitespace()).collect();
    let valid_name = (3..=40).contains(&form.username.len())
        && form.username.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    if !valid_name {
        errors.add("username", "acct.err.username");
    }
    let mut conn = state.pool.acquire().await?;
    if valid_name {
        let taken: bool =
            sqlx::query_scalar!(r#"select exists(select 1 from accounts where username = $1) as "e!""#, form.username)
                .fetch_one(&mut *conn)
                .await?;
        if taken {
            errors.add("username", "acct.err.username_taken");
        }
    }
    let mut employee_id = None;
    if !form.nip.is_empty() {
        let found = sqlx::query!(
            r#"select e.id, exists(select 1 from accounts a where a.employee_id = e.id) as "has_account!"
               from employees e where e.nip = $1 and e.active"#,
            form.nip
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.id, r.has_account));
        match found {
            None => errors.add("nip", "acct.err.nip_unknown"),
            Some((_, true)) => errors.add("nip", "acct.err.nip_has_account"),
            Some((id, false)) => employee_id = Some(id),
        }
    } else if form.roles().iter().any(|r| matches!(r, Role::Employee | Role::Head)) {
        errors.add("nip", "acct.err.nip_needed");
    }
    let head_unit = check_roles(&mut conn, &form.roles_view(), &mut errors, &user).await?;
    if !errors.is_empty() {
        let units = unit_options(&mut conn).await?;
        let can_grant_admin = ctx.has(Role::Admin);
        return render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &FormPage { ctx, form, errors, units, can_grant_admin },
        );
    }
    drop(conn);
    let password = db::generate_one_time_password();
    let hash = hash_password(password.clone()).await?;
    let mut tx = state.pool.begin().await?;
    let created = db::create_account(
        &mut tx,
        &Actor::from_ctx(&ctx),
        &form.username,
        employee_id,
        &hash,
        true,
        &form.roles(),
        head_unit,
    )
    .await;
    let id = match created {
        Ok(id) => id,
        // Another officer saved the same username (or account for this employee) meanwhile.
        Err(e) => match crate::app::error::constraint_field(&e) {
            Some((field, key)) => {
                drop(tx);
                errors.add(field, key);
                let mut conn = state.pool.acquire().await?;
                let units = unit_options(&mut conn).await?;
                let can_grant_admin = ctx.has(Role::Admin);
                return render_status(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    &FormPage { ctx, form, errors, units, can_grant_admin },
                );
            }
            None => return Err(e.into()),
        },
    };
    tx.commit().await?;
    render(&OneTimePage { ctx, id, username: form.username, password })
}
