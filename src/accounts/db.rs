use serde_json::json;
use sqlx::PgConnection;

use crate::{
    audit::{self, Actor},
    auth::Role,
};

#[derive(Clone, Debug)]
pub struct AccountRow {
    pub id: i64,
    pub username: String,
    pub employee_id: Option<i64>,
    pub employee_name: Option<String>,
    pub nip: Option<String>,
    pub roles: Vec<crate::auth::Role>,
    pub head_units: Vec<String>,
    pub disabled: bool,
    pub must_change_password: bool,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl AccountRow {
    pub fn last_login(&self, ctx: &crate::app::Ctx) -> String {
        self.last_login_at.map(|t| ctx.date_time(t)).unwrap_or_else(|| "—".into())
    }

    pub fn has_role(&self, r: crate::auth::Role) -> bool {
        self.roles.contains(&r)
    }
}

/// `sqlx::query_as!` of `AccountRow`s: the columns over `accounts a` left-joined to `employees e`,
/// then `$rest` (a literal: where, order) with its binds.
macro_rules! account_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            $crate::accounts::db::AccountRow,
            "select a.id, a.username, a.employee_id,
                    employee_display_name(e.front_title, e.name, e.back_title) as employee_name, e.nip as \"nip?\",
                    array(select r.role from account_roles r where r.account_id = a.id order by r.role)
                      as \"roles!: Vec<crate::auth::Role>\",
                    array(select u.name from account_roles r join units u on u.id = r.unit_id
                          where r.account_id = a.id order by u.sort_key) as \"head_units!\",
                    a.disabled_at is not null as \"disabled!\", a.must_change_password, a.last_login_at
             from accounts a left join employees e on e.id = a.employee_id "
                + $rest
            $(, $arg)*
        )
    };
}
pub(super) use account_rows;

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<AccountRow>, sqlx::Error> {
    account_rows!("where a.id = $1", id).fetch_optional(conn).await
}

/// The role grants of an account as JSON, for the audit log.
pub async fn roles_json(conn: &mut PgConnection, id: i64) -> Result<serde_json::Value, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select coalesce(json_agg(json_build_object('role', role, 'unit_id', unit_id) order by role, unit_id), '[]'::json)::jsonb
             as "roles!"
           from account_roles where account_id = $1"#,
        id
    )
    .fetch_one(conn)
    .await
}

pub async fn set_roles(
    conn: &mut PgConnection,
    id: i64,
    roles: &[Role],
    head_unit: Option<i64>,
) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from account_roles where account_id = $1", id).execute(&mut *conn).await?;
    for r in roles.iter().filter(|r| **r != Role::Head) {
        sqlx::query!("insert into account_roles (account_id, role) values ($1, $2)", id, r.as_str())
            .execute(&mut *conn)
            .await?;
    }
    if let Some(u) = head_unit {
        sqlx::query!("insert into account_roles (account_id, role, unit_id) values ($1, 'head', $2)", id, u)
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

/// A readable one-time password: three groups of four from an unambiguous alphabet.
pub fn generate_one_time_password() -> String {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..3)
        .map(|_| (0..4).map(|_| ALPHABET[rng.gen_range(0..ALPHABET.len())] as char).collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// Create an account with roles inside the caller's transaction, audited.
#[expect(clippy::too_many_arguments, reason = "one call site per entry point; a struct adds nothing")]
pub async fn create_account(
    conn: &mut PgConnection,
    actor: &Actor,
    username: &str,
    employee_id: Option<i64>,
    password_hash: &str,
    must_change: bool,
    roles: &[Role],
    head_unit: Option<i64>,
) -> Result<i64, sqlx::Error> {
    let id: i64 = sqlx::query_scalar!(
        "insert into accounts (username, employee_id, password_hash, must_change_password)
         values ($1, $2, $3, $4) returning id",
        username,
        employee_id,
        password_hash,
        must_change
    )
    .fetch_one(&mut *conn)
    .await?;
    set_roles(conn, id, roles, head_unit).await?;
    let roles_after = roles_json(conn, id).await?;
    audit::record(
        conn,
        actor,
        "account",
        id,
        "create",
        None,
        Some(json!({"username": username, "employee_id": employee_id, "roles": roles_after, "must_change_password": must_change})),
    )
    .await?;
    Ok(id)
}

/// The head role follows the head position (`sync_head_roles`, migration 27): for the accounts
/// of these employees, head roles become the units whose head position each holds, audited.
/// Called in the transaction of every write that moves a person or changes a position.
pub async fn follow_positions(conn: &mut PgConnection, actor: &Actor, employees: &[i64]) -> Result<i32, sqlx::Error> {
    if employees.is_empty() {
        return Ok(0);
    }
    // The function ends with `select count(*) into n … return n`: never null.
    sqlx::query_scalar!(
        r#"select sync_head_roles($1, $2, $3, $4) as "n!""#,
        employees,
        actor.account_id,
        actor.label,
        actor.ip
    )
    .fetch_one(conn)
    .await
}
