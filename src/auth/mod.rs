//! Login, sessions, roles and the scope every query of personal data is filtered by.

mod code;
mod password;
mod routes;
pub mod session;
mod throttle;

use axum::{extract::FromRequestParts, http::request::Parts};
pub use password::{
    Busy, DEMO_PASSWORD, PasswordContext, PasswordError, check_new_password, hash_password, verify_password,
};
pub use routes::routes;

use crate::app::{AppError, Ctx};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Admin,
    Hr,
    Head,
    Employee,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Hr, Role::Head, Role::Employee];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Hr => "hr",
            Self::Head => "head",
            Self::Employee => "employee",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn label_key(self) -> &'static str {
        match self {
            Self::Admin => "role.admin",
            Self::Hr => "role.hr",
            Self::Head => "role.head",
            Self::Employee => "role.employee",
        }
    }
}

impl sqlx::Type<sqlx::Postgres> for Role {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <&str as sqlx::Type<sqlx::Postgres>>::type_info()
    }

    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <&str as sqlx::Type<sqlx::Postgres>>::compatible(ty)
    }
}

impl sqlx::postgres::PgHasArrayType for Role {
    fn array_type_info() -> sqlx::postgres::PgTypeInfo {
        <&str as sqlx::postgres::PgHasArrayType>::array_type_info()
    }
}

/// A stored role decodes into `Role`, or the row fails loudly.
impl<'r> sqlx::Decode<'r, sqlx::Postgres> for Role {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        let s = <&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?;
        Role::parse(s).ok_or_else(|| format!("unknown role {s:?}").into())
    }
}

/// A unit led by a head, with its materialised path.
#[derive(Clone, Debug)]
pub struct HeadUnit {
    pub id: i64,
    pub name: String,
    pub path: String,
}

/// The signed-in account, loaded once per request by the context middleware.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub account_id: i64,
    pub username: String,
    pub employee_id: Option<i64>,
    pub display_name: String,
    pub roles: Vec<Role>,
    pub head_units: Vec<HeadUnit>,
    pub must_change_password: bool,
    /// When the account last read its notifications (as text: it keys the kept list).
    pub notes_seen: String,
    /// Whether the account wants the daily e-mail digest, and the address it would go to.
    pub email_digest: bool,
    pub email: Option<String>,
    pub session_hash: Vec<u8>,
}

impl CurrentUser {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    /// What personal records this user may read.
    pub fn scope(&self) -> Scope {
        Scope {
            all: self.has(Role::Hr),
            own: self.employee_id,
            unit_patterns: self.head_units.iter().map(|u| format!("{}%", u.path)).collect(),
        }
    }
}

/// Row-level reach over employees, to bind into queries:
/// `scope_sees($1, $2, $3, e.id, u.path)` (or `scope_decides`, `unit_in_scope`: `db/rules/unit_in_scope.sql`)
/// with `all`, `own`, `unit_patterns`.
#[derive(Clone, Debug, Default)]
pub struct Scope {
    pub all: bool,
    pub own: Option<i64>,
    pub unit_patterns: Vec<String>,
}

impl Scope {
    /// The scope as part of a kept result's key: results keyed by what the reader may see are
    /// shared by every reader who sees the same.
    pub fn key(&self) -> String {
        format!("{}:{:?}:{:?}", self.all, self.own, self.unit_patterns)
    }

    /// Everything, with no own record apart: for reading what a caller has already checked.
    pub fn everything() -> Scope {
        Scope { all: true, own: None, unit_patterns: vec![] }
    }

    /// The scope as it applies to what lies under the unit `path` (`''`: the whole department):
    /// everything, with no own record apart, when the reader sees all of it (HR, a head of
    /// `path` or above, a head of every root unit: the rule `scope_covers`), so that readers who
    /// see the same share a kept result; else as it is.
    pub async fn under(&self, db: &sqlx::PgPool, path: &str) -> Result<Scope, sqlx::Error> {
        if self.all {
            return Ok(Scope::everything());
        }
        let covered = sqlx::query_scalar!(
            r#"select scope_covers($1, $2, $3) as "covered!""#,
            self.all,
            &self.unit_patterns,
            path
        )
        .fetch_one(db)
        .await?;
        Ok(if covered { Scope::everything() } else { self.clone() })
    }
}

impl<S: Send + Sync> FromRequestParts<S> for CurrentUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let ctx = Ctx::from_request_parts(parts, state).await?;
        ctx.user.map(|u| (*u).clone()).ok_or(AppError::Unauthorized)
    }
}
