use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use serde_json::json;

use super::db::{self, AccountRow, SELECT};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        edit::{self, EditState, Outcome, Versioned, reconcile},
        export::{self, Table},
        form::FieldErrors,
        paging::{Pager, query_string},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role, hash_password, session},
    units::db::{UnitOption, options as unit_options},
};

const MANAGERS: &[Role] = &[Role::Admin, Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .nav(90, |u| (u.has(Role::Hr) || u.has(Role::Admin)).then(|| ("/accounts".into(), "nav.accounts")))
        .get("/accounts", Access::AnyOf(MANAGERS), list)
        .get("/accounts/new", Access::AnyOf(MANAGERS), new_form)
        .get("/accounts/bulk", Access::AnyOf(MANAGERS), super::bulk::bulk_form)
        .post("/accounts/bulk", Access::AnyOf(MANAGERS), super::bulk::bulk_create)
        .get("/accounts/batches/{id}", Access::AnyOf(MANAGERS), super::batch::batch)
        .post("/accounts/batches/{id}/letters", Access::AnyOf(MANAGERS), super::batch::batch_letters)
        .post("/accounts/batches/{id}/email", Access::AnyOf(MANAGERS), super::batch::batch_email)
        .post("/accounts/{id}/code-letter", Access::AnyOf(MANAGERS), super::batch::account_letter)
        .post("/accounts/{id}/code-email", Access::AnyOf(MANAGERS), super::batch::account_email)
        .post("/accounts", Access::AnyOf(MANAGERS), create)
        .get("/accounts/{id}", Access::AnyOf(MANAGERS), detail)
        .post("/accounts/{id}/roles", Access::AnyOf(MANAGERS), update_roles)
        .post("/accounts/{id}/reset-password", Access::AnyOf(MANAGERS), reset_password)
        .post("/accounts/{id}/disable", Access::AnyOf(MANAGERS), disable)
        .post("/accounts/{id}/enable", Access::AnyOf(MANAGERS), enable)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    page: Option<i64>,
    format: String,
}

#[derive(askama::Template)]
#[template(path = "accounts/list.html")]
struct ListPage {
    ctx: Ctx,
    q: String,
    rows: Vec<AccountRow>,
    pager: Pager,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let search: String = q.q.trim().chars().take(100).collect();
    let pattern = crate::app::form::contains_pattern(&search);
    let filter = "where ($1 = '' or a.username ilike $2 or e.name ilike $2 or e.nip like $2)";
    let mut conn = state.pool.acquire().await?;
    let total: i64 = sqlx::query_scalar(&format!(
        "select count(*) from accounts a left join employees e on e.id = a.employee_id {filter}"
    ))
    .bind(&search)
    .bind(&pattern)
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<AccountRow> = sqlx::query_as(&format!("{SELECT} {filter} order by a.username limit $3 offset $4"))
        .bind(&search)
        .bind(&pattern)
        .bind(if export::wanted(&q.format) { 200_000 } else { crate::app::paging::PER_PAGE })
        .bind(if export::wanted(&q.format) { 0 } else { Pager::offset(q.page) })
        .fetch_all(&mut *conn)
        .await?;
    if export::wanted(&q.format) {
        let table = Table {
            name: "akun",
            headers: export::keys(&[
                "col.username",
                "col.name",
                "col.nip",
                "col.roles",
                "col.unit_head",
                "col.disabled",
                "col.must_change",
            ]),
            rows: rows
                .iter()
                .map(|a| {
                    vec![
                        a.username.clone(),
                        a.employee_name.clone().unwrap_or_default(),
                        a.nip.clone().unwrap_or_default(),
                        a.roles.iter().map(|r| ctx.t(r.label_key())).collect::<Vec<_>>().join(", "),
                        a.head_units.join(", "),
                        if a.disabled { ctx.t("col.yes").into() } else { String::new() },
                        if a.must_change_password { ctx.t("col.yes").into() } else { String::new() },
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &q.format, &table);
    }
    let pager = Pager::new(q.page, total, query_string(&[("q", &search)]));
    render(&ListPage { ctx, q: search, rows, pager })
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct AccountForm {
    username: String,
    nip: String,
    role_admin: Option<String>,
    role_hr: Option<String>,
    role_employee: Option<String>,
    head_unit: String,
}

/// The part of an account its roles form edits (what concurrent edits are compared on).
#[derive(Deserialize, serde::Serialize, Default, Clone, Debug)]
#[serde(default)]
struct RolesForm {
    role_admin: Option<String>,
    role_hr: Option<String>,
    role_employee: Option<String>,
    head_unit: String,
}

impl AccountForm {
    fn roles_view(&self) -> RolesForm {
        RolesForm {
            role_admin: self.role_admin.clone(),
            role_hr: self.role_hr.clone(),
            role_employee: self.role_employee.clone(),
            head_unit: self.head_unit.clone(),
        }
    }

    fn with_roles(&self, r: RolesForm) -> Self {
        Self {
            role_admin: r.role_admin,
            role_hr: r.role_hr,
            role_employee: r.role_employee,
            head_unit: r.head_unit,
            ..self.clone()
        }
    }

    fn roles(&self) -> Vec<Role> {
        let mut r = vec![];
        if self.role_admin.is_some() {
            r.push(Role::Admin);
        }
        if self.role_hr.is_some() {
            r.push(Role::Hr);
        }
        if self.role_employee.is_some() {
            r.push(Role::Employee);
        }
        if !self.head_unit.is_empty() {
            r.push(Role::Head);
        }
        r
    }
}

#[derive(askama::Template)]
#[template(path = "accounts/form.html")]
struct FormPage {
    ctx: Ctx,
    form: AccountForm,
    errors: FieldErrors,
    units: Vec<UnitOption>,
    can_grant_admin: bool,
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let units = unit_options(&mut conn).await?;
    let can_grant_admin = ctx.has(Role::Admin);
    let form = AccountForm { role_employee: Some("on".into()), ..Default::default() };
    render(&FormPage { ctx, form, errors: FieldErrors::default(), units, can_grant_admin })
}

/// Only admins grant or take away admin and HR roles.
fn may_grant(user: &CurrentUser, roles: &[Role]) -> bool {
    user.has(Role::Admin) || !roles.iter().any(|r| matches!(r, Role::Admin | Role::Hr))
}

/// Check the role part of the form; returns the head unit id.
async fn check_roles(
    conn: &mut sqlx::PgConnection,
    form: &AccountForm,
    errors: &mut FieldErrors,
    user: &CurrentUser,
) -> AppResult<Option<i64>> {
    let roles = form.roles();
    if roles.is_empty() {
        errors.add("roles", "acct.err.no_role");
    }
    if !may_grant(user, &roles) {
        errors.add("roles", "acct.err.grant_admin");
    }
    if form.head_unit.is_empty() {
        return Ok(None);
    }
    let unit: Option<i64> = match form.head_unit.parse::<i64>() {
        Ok(id) => {
            sqlx::query_scalar("select id from units where id = $1 and closed_on is null")
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?
        }
        Err(_) => None,
    };
    if unit.is_none() {
        errors.add("head_unit", "acct.err.unit");
    }
    Ok(unit)
}

#[derive(askama::Template)]
#[template(path = "accounts/one_time.html")]
struct OneTimePage {
    ctx: Ctx,
    id: i64,
    username: String,
    password: String,
}

async fn create(
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
        let taken: bool = sqlx::query_scalar("select exists(select 1 from accounts where username = $1)")
            .bind(&form.username)
            .fetch_one(&mut *conn)
            .await?;
        if taken {
            errors.add("username", "acct.err.username_taken");
        }
    }
    let mut employee_id = None;
    if !form.nip.is_empty() {
        let found: Option<(i64, bool)> = sqlx::query_as(
            "select e.id, exists(select 1 from accounts a where a.employee_id = e.id) from employees e where e.nip = $1 and e.active",
        )
        .bind(&form.nip)
        .fetch_optional(&mut *conn)
        .await?;
        match found {
            None => errors.add("nip", "acct.err.nip_unknown"),
            Some((_, true)) => errors.add("nip", "acct.err.nip_has_account"),
            Some((id, false)) => employee_id = Some(id),
        }
    } else if form.roles().iter().any(|r| matches!(r, Role::Employee | Role::Head)) {
        errors.add("nip", "acct.err.nip_needed");
    }
    let head_unit = check_roles(&mut conn, &form, &mut errors, &user).await?;
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

#[derive(askama::Template)]
#[template(path = "accounts/detail.html")]
struct DetailPage {
    ctx: Ctx,
    account: AccountRow,
    form: AccountForm,
    errors: FieldErrors,
    units: Vec<UnitOption>,
    can_grant_admin: bool,
    may_manage: bool,
    is_self: bool,
    edit: EditState,
    label_prefix: &'static str,
    code: Option<super::batch::MemberRow>,
    mail_on: bool,
}

/// Load the account and check the actor may manage it (HR may not touch admin/HR accounts).
async fn load_managed(conn: &mut sqlx::PgConnection, id: i64, user: &CurrentUser) -> AppResult<(AccountRow, bool)> {
    let account = db::find(conn, id).await?.ok_or(AppError::NotFound)?;
    let may = user.has(Role::Admin) || !(account.has_role(Role::Admin) || account.has_role(Role::Hr));
    Ok((account, may))
}

async fn detail_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    form: Option<AccountForm>,
    errors: FieldErrors,
    edit: Option<EditState>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let (account, may_manage) = load_managed(&mut conn, id, user).await?;
    let (version, current) = current_roles(&mut conn, id, false).await?;
    let head_unit: Option<i64> =
        sqlx::query_scalar("select unit_id from account_roles where account_id = $1 and role = 'head' limit 1")
            .bind(id)
            .fetch_optional(&mut *conn)
            .await?
            .flatten();
    let units = unit_options(&mut conn).await?;
    let code = super::batch::member(&mut conn, id).await?;
    let edit = edit.unwrap_or_else(|| EditState::loaded(version, &current));
    let status = edit.status(&errors);
    let form = form.unwrap_or_else(|| AccountForm {
        username: account.username.clone(),
        nip: account.nip.clone().unwrap_or_default(),
        role_admin: account.has_role(Role::Admin).then(|| "on".into()),
        role_hr: account.has_role(Role::Hr).then(|| "on".into()),
        role_employee: account.has_role(Role::Employee).then(|| "on".into()),
        head_unit: head_unit.map(|u| u.to_string()).unwrap_or_default(),
    });
    let page = DetailPage {
        is_self: account.id == user.account_id,
        can_grant_admin: user.has(Role::Admin),
        ctx,
        account,
        form,
        errors,
        units,
        may_manage,
        edit,
        label_prefix: "acct",
        code,
        mail_on: state.config.smtp_url.is_some(),
    };
    render_status(status, &page)
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    detail_page(&state, ctx, &user, id, None, FieldErrors::default(), None).await
}

/// The roles of an account as its form shows them, with the account's version (`lock`: held
/// until the transaction ends).
async fn current_roles(conn: &mut sqlx::PgConnection, id: i64, lock: bool) -> AppResult<(i64, RolesForm)> {
    let sql = if lock {
        "select version from accounts where id = $1 for update"
    } else {
        "select version from accounts where id = $1"
    };
    let version: i64 = sqlx::query_scalar(sql).bind(id).fetch_optional(&mut *conn).await?.ok_or(AppError::NotFound)?;
    let roles: Vec<(String, Option<i64>)> =
        sqlx::query_as("select role, unit_id from account_roles where account_id = $1")
            .bind(id)
            .fetch_all(conn)
            .await?;
    let has = |r: &str| roles.iter().any(|(x, _)| x == r).then(|| "on".to_string());
    let head = roles.iter().find(|(r, _)| r == "head").and_then(|(_, u)| *u);
    Ok((
        version,
        RolesForm {
            role_admin: has("admin"),
            role_hr: has("hr"),
            role_employee: has("employee"),
            head_unit: head.map(|u| u.to_string()).unwrap_or_default(),
        },
    ))
}

async fn update_roles(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(posted): Form<Versioned<AccountForm>>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let (version, current) = current_roles(&mut tx, id, true).await?;
    let (account, may) = load_managed(&mut tx, id, &user).await?;
    if !may {
        return Err(AppError::Forbidden);
    }
    let typed = posted.form.roles_view();
    let mut merged = false;
    let form = match reconcile(posted.loaded(), version, &posted.base, &typed, &current) {
        Outcome::Fresh => posted.form.clone(),
        Outcome::Merged(m) => {
            merged = true;
            posted.form.with_roles(m)
        }
        Outcome::Conflict(clashes) => {
            drop(tx);
            let edit = EditState::conflict(version, &current, clashes);
            return detail_page(&state, ctx, &user, id, Some(posted.form), FieldErrors::default(), Some(edit)).await;
        }
    };
    let mut errors = FieldErrors::default();
    let head_unit = check_roles(&mut tx, &form, &mut errors, &user).await?;
    if account.employee_id.is_none() && form.roles().iter().any(|r| matches!(r, Role::Employee | Role::Head)) {
        errors.add("roles", "acct.err.nip_needed");
    }
    if id == user.account_id && account.has_role(Role::Admin) && form.role_admin.is_none() {
        errors.add("roles", "acct.err.self_admin");
    }
    if !errors.is_empty() {
        drop(tx);
        return detail_page(&state, ctx, &user, id, Some(form), errors, Some(posted.again())).await;
    }
    let before = db::roles_json(&mut tx, id).await?;
    db::set_roles(&mut tx, id, &form.roles(), head_unit).await?;
    let after = db::roles_json(&mut tx, id).await?;
    if before != after {
        sqlx::query("update accounts set version = version + 1 where id = $1").bind(id).execute(&mut *tx).await?;
        audit::record(
            &mut tx,
            &Actor::from_ctx(&ctx),
            "account",
            id,
            "roles_change",
            Some(json!({"roles": before})),
            Some(json!({"roles": after})),
        )
        .await?;
        session::delete_all_for(&mut tx, id, None).await?;
    }
    tx.commit().await?;
    Ok(redirect_flash(
        &format!("/accounts/{id}"),
        FlashKind::Ok,
        if merged { "flash.saved_merged" } else { "flash.saved" },
    ))
}

async fn reset_password(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let (account, may) = load_managed(&mut conn, id, &user).await?;
    drop(conn);
    if !may {
        return Err(AppError::Forbidden);
    }
    let password = db::generate_one_time_password();
    let hash = hash_password(password.clone()).await?;
    let mut tx = state.pool.begin().await?;
    sqlx::query("update accounts set password_hash = $1, must_change_password = true where id = $2")
        .bind(hash)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    session::delete_all_for(&mut tx, id, None).await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "account",
        id,
        "password_reset",
        Some(json!({"must_change_password": account.must_change_password})),
        Some(json!({"must_change_password": true})),
    )
    .await?;
    tx.commit().await?;
    render(&OneTimePage { ctx, id, username: account.username, password })
}

async fn set_disabled(state: AppState, ctx: Ctx, user: CurrentUser, id: i64, disable: bool) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let (_, may) = load_managed(&mut tx, id, &user).await?;
    if !may {
        return Err(AppError::Forbidden);
    }
    if id == user.account_id {
        return Ok(redirect_flash(&format!("/accounts/{id}"), FlashKind::Err, "acct.err.self_disable"));
    }
    // One atomic change: of two officers disabling at once, one does it, the other is told.
    let changed = sqlx::query(
        "update accounts set disabled_at = case when $2 then now() end where id = $1 and (disabled_at is null) = $2",
    )
    .bind(id)
    .bind(disable)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        let action = if disable { "disable" } else { "enable" };
        return edit::already_done(&mut tx, ctx, "account", id, action, &format!("/accounts/{id}")).await;
    }
    {
        if disable {
            session::delete_all_for(&mut tx, id, None).await?;
        }
        let action = if disable { "disable" } else { "enable" };
        audit::record(
            &mut tx,
            &Actor::from_ctx(&ctx),
            "account",
            id,
            action,
            Some(json!({"disabled": !disable})),
            Some(json!({"disabled": disable})),
        )
        .await?;
    }
    tx.commit().await?;
    let key = if disable { "flash.account_disabled" } else { "flash.account_enabled" };
    Ok(redirect_flash(&format!("/accounts/{id}"), FlashKind::Ok, key))
}

async fn disable(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    set_disabled(state, ctx, user, id, true).await
}

async fn enable(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    set_disabled(state, ctx, user, id, false).await
}
