//! An account's page, and its roles edited through the versioned form (`edit::save`): changing
//! them ends the account's sessions.

use axum::{
    extract::{Path, State},
    response::Response,
};
use serde_json::{Value, json};
use sqlx::PgConnection;

use super::{
    db::{self, AccountRow},
    form::{AccountForm, RolesForm, check_roles},
};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx,
        edit::{self, EditState},
        form::FieldErrors,
        render::render_status,
    },
    audit::Actor,
    auth::{CurrentUser, Role, session},
    units::db::{UnitOption, options as unit_options},
};

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
pub(super) async fn load_managed(
    conn: &mut PgConnection,
    id: i64,
    user: &CurrentUser,
) -> AppResult<(AccountRow, bool)> {
    let account = db::find(conn, id).await?.ok_or(AppError::NotFound)?;
    let may = user.has(Role::Admin) || !(account.has_role(Role::Admin) || account.has_role(Role::Hr));
    Ok((account, may))
}

/// The account's page; `roles` and `edit`: its roles form as typed, after a save that did not go
/// through.
async fn detail_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    roles: Option<RolesForm>,
    errors: FieldErrors,
    edit: Option<EditState>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let (account, may_manage) = load_managed(&mut conn, id, user).await?;
    let (version, current) = current_roles(&mut conn, id, false).await?.ok_or(AppError::NotFound)?;
    let units = unit_options(&mut conn).await?;
    let code = super::batch::member(&mut conn, id).await?;
    let edit = edit.unwrap_or_else(|| EditState::loaded(version, &current));
    let status = edit.status(&errors);
    let shown = AccountForm {
        username: account.username.clone(),
        nip: account.nip.clone().unwrap_or_default(),
        ..Default::default()
    };
    let form = shown.with_roles(roles.unwrap_or(current));
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

pub(super) async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    detail_page(&state, ctx, &user, id, None, FieldErrors::default(), None).await
}

/// The roles of an account as its form shows them, with the account's version (`lock`: held
/// until the transaction ends).
async fn current_roles(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, RolesForm)>, sqlx::Error> {
    let version = if lock {
        sqlx::query_scalar!("select version from accounts where id = $1 for update", id)
            .fetch_optional(&mut *conn)
            .await?
    } else {
        sqlx::query_scalar!("select version from accounts where id = $1", id).fetch_optional(&mut *conn).await?
    };
    let Some(version) = version else {
        return Ok(None);
    };
    let roles: Vec<(String, Option<i64>)> =
        sqlx::query!("select role, unit_id from account_roles where account_id = $1", id)
            .fetch_all(conn)
            .await?
            .into_iter()
            .map(|r| (r.role, r.unit_id))
            .collect();
    let has = |r: &str| roles.iter().any(|(x, _)| x == r).then(|| "on".to_string());
    let head = roles.iter().find(|(r, _)| r == "head").and_then(|(_, u)| *u);
    Ok(Some((
        version,
        RolesForm {
            role_admin: has("admin"),
            role_hr: has("hr"),
            role_employee: has("employee"),
            head_unit: head.map(|u| u.to_string()).unwrap_or_default(),
        },
    )))
}

/// An account's roles, edited through the versioned form on its page. Accounts are created
/// elsewhere (`super::create`: the answer is a one-time password), so this kind only edits.
pub(super) struct AccountRoles;

/// The roles once checked, with the unit a head leads.
pub(super) struct CheckedRoles {
    roles: Vec<Role>,
    head_unit: Option<i64>,
}

impl edit::Editable for AccountRoles {
    type Form = RolesForm;
    type Checked = CheckedRoles;
    const ENTITY: &'static str = "account";
    const LIST: &'static str = "/accounts";
    const UPDATE_ACTION: &'static str = "roles_change";

    async fn load(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, RolesForm)>, sqlx::Error> {
        current_roles(conn, id, lock).await
    }

    /// HR may not touch admin or HR accounts (403).
    async fn refuse(conn: &mut PgConnection, ctx: &Ctx, id: i64) -> AppResult<Option<Response>> {
        let user = ctx.user.as_ref().ok_or(AppError::Unauthorized)?;
        let (_, may) = load_managed(conn, id, user).await?;
        if !may {
            return Err(AppError::Forbidden);
        }
        Ok(None)
    }

    /// The roles this user may grant, a head's unit open, an employee role only with an
    /// employee, and an admin keeps their own admin role.
    async fn check_in(
        conn: &mut PgConnection,
        ctx: &Ctx,
        id: Option<i64>,
        form: &RolesForm,
        errors: &mut FieldErrors,
    ) -> Result<Option<CheckedRoles>, sqlx::Error> {
        let (Some(user), Some(id)) = (ctx.user.as_deref(), id) else { return Ok(None) };
        let Some(account) = db::find(&mut *conn, id).await? else { return Ok(None) };
        let head_unit = check_roles(&mut *conn, form, errors, user).await?;
        let roles = form.roles();
        if account.employee_id.is_none() && roles.iter().any(|r| matches!(r, Role::Employee | Role::Head)) {
            errors.add("roles", "acct.err.nip_needed");
        }
        if id == user.account_id && account.has_role(Role::Admin) && form.role_admin.is_none() {
            errors.add("roles", "acct.err.self_admin");
        }
        Ok(Some(CheckedRoles { roles, head_unit }))
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<Value>, sqlx::Error> {
        Ok(Some(json!({"roles": db::roles_json(conn, id).await?})))
    }

    /// The grants, and a new version only when they changed.
    async fn write(
        conn: &mut PgConnection,
        id: Option<i64>,
        _: &RolesForm,
        c: &CheckedRoles,
    ) -> Result<i64, sqlx::Error> {
        let Some(id) = id else { return Err(sqlx::Error::RowNotFound) };
        let before = db::roles_json(&mut *conn, id).await?;
        db::set_roles(&mut *conn, id, &c.roles, c.head_unit).await?;
        if db::roles_json(&mut *conn, id).await? != before {
            sqlx::query!("update accounts set version = version + 1 where id = $1", id).execute(&mut *conn).await?;
        }
        Ok(id)
    }

    /// New roles: the account signs in again.
    async fn after(
        conn: &mut PgConnection,
        _: &Actor,
        _: Option<i64>,
        saved: i64,
        (before, after): (Option<&Value>, Option<&Value>),
    ) -> Result<(), sqlx::Error> {
        if before != after {
            session::delete_all_for(conn, saved, None).await?;
        }
        Ok(())
    }

    fn location(saved: i64) -> String {
        format!("/accounts/{saved}")
    }

    async fn page(
        state: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: RolesForm,
        errors: FieldErrors,
        edit: EditState,
    ) -> AppResult<Response> {
        let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
        let id = id.ok_or(AppError::NotFound)?;
        detail_page(state, ctx, &user, id, Some(form), errors, Some(edit)).await
    }
}
