//! The role part of the account forms (new account, an account's roles): what is ticked, and
//! who may grant it.

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use crate::{
    app::form::FieldErrors,
    auth::{CurrentUser, Role},
};

/// The new-account form; the account's page shows its username and NIP with the roles.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct AccountForm {
    pub username: String,
    pub nip: String,
    pub role_admin: Option<String>,
    pub role_hr: Option<String>,
    pub role_employee: Option<String>,
    pub head_unit: String,
}

/// The part of an account its roles form edits (what concurrent edits are compared on).
#[derive(Deserialize, Serialize, Default, Clone, Debug)]
#[serde(default)]
pub(super) struct RolesForm {
    pub role_admin: Option<String>,
    pub role_hr: Option<String>,
    pub role_employee: Option<String>,
    pub head_unit: String,
}

impl AccountForm {
    pub fn roles_view(&self) -> RolesForm {
        RolesForm {
            role_admin: self.role_admin.clone(),
            role_hr: self.role_hr.clone(),
            role_employee: self.role_employee.clone(),
            head_unit: self.head_unit.clone(),
        }
    }

    pub fn with_roles(&self, r: RolesForm) -> Self {
        Self {
            role_admin: r.role_admin,
            role_hr: r.role_hr,
            role_employee: r.role_employee,
            head_unit: r.head_unit,
            ..self.clone()
        }
    }

    pub fn roles(&self) -> Vec<Role> {
        self.roles_view().roles()
    }
}

impl RolesForm {
    pub fn roles(&self) -> Vec<Role> {
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

/// Only admins grant or take away admin and HR roles.
fn may_grant(user: &CurrentUser, roles: &[Role]) -> bool {
    user.has(Role::Admin) || !roles.iter().any(|r| matches!(r, Role::Admin | Role::Hr))
}

/// Check the role part of a form; returns the head unit id.
pub(super) async fn check_roles(
    conn: &mut PgConnection,
    form: &RolesForm,
    errors: &mut FieldErrors,
    user: &CurrentUser,
) -> Result<Option<i64>, sqlx::Error> {
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
            sqlx::query_scalar!("select id from units where id = $1 and closed_on is null", id)
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
