//! The append-only audit log: who, when, from where, what, before and after.
//! Rows are written in the same transaction as the change they record; the table refuses
//! updates and deletes (a trigger), and the portal offers no way to edit it.

mod routes;

use serde_json::Value;
use sqlx::PgConnection;

pub use routes::routes;

use crate::app::Ctx;

/// Who did it and from where.
#[derive(Clone, Debug, Default)]
pub struct Actor {
    pub account_id: Option<i64>,
    pub label: String,
    pub ip: String,
}

impl Actor {
    pub fn from_ctx(ctx: &Ctx) -> Self {
        Self {
            account_id: ctx.user.as_ref().map(|u| u.account_id),
            label: ctx.user.as_ref().map(|u| u.username.clone()).unwrap_or_default(),
            ip: ctx.ip.clone(),
        }
    }

    /// The command line (`cakap create-user`, the demo seed).
    pub fn system(label: &str) -> Self {
        Self { account_id: None, label: label.into(), ip: String::new() }
    }
}

pub async fn record(
    conn: &mut PgConnection,
    actor: &Actor,
    entity: &str,
    entity_id: impl ToString,
    action: &str,
    before: Option<Value>,
    after: Option<Value>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "insert into audit_log (account_id, actor, ip, entity, entity_id, action, before, after)
         values ($1, $2, $3, $4, $5, $6, $7, $8)",
        actor.account_id,
        &actor.label,
        &actor.ip,
        entity,
        entity_id.to_string(),
        action,
        before,
        after,
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// The tables whose rows are snapshotted for before/after values.
#[derive(Clone, Copy, Debug)]
pub enum Table {
    Units,
    Positions,
    Employees,
}

/// A row as JSON (without timestamps) for the audit log's before/after values.
pub async fn snapshot(conn: &mut PgConnection, table: Table, id: i64) -> Result<Option<Value>, sqlx::Error> {
    match table {
        Table::Units => {
            sqlx::query_scalar!(
                r#"select to_jsonb(t) - 'created_at' - 'updated_at' as "row!" from units t where id = $1"#,
                id
            )
            .fetch_optional(conn)
            .await
        }
        Table::Positions => {
            sqlx::query_scalar!(
                r#"select to_jsonb(t) - 'created_at' - 'updated_at' as "row!" from positions t where id = $1"#,
                id
            )
            .fetch_optional(conn)
            .await
        }
        Table::Employees => {
            sqlx::query_scalar!(
                r#"select to_jsonb(t) - 'created_at' - 'updated_at' as "row!" from employees t where id = $1"#,
                id
            )
            .fetch_optional(conn)
            .await
        }
    }
}
