//! The rules layer: each rule of the domain that lives in SQL (who is flagged, what a budget has
//! left, which evaluations are owed …) is one function or view in its own file in `db/rules/`,
//! named after the rule. The files are applied after the migrations on every start (and in every
//! test database), with `create or replace`, so changing a rule is editing its file: no migration
//! repeats it. Migrations keep what has state (tables, kept facts, triggers) and must not read a
//! rule object that a rule file defines first.

use anyhow::Context as _;
use sha2::{Digest as _, Sha256};
use sqlx::PgPool;

/// The rule files, in the order they are applied: a rule reads only those above it (and what the
/// migrations made).
pub const RULES: &[(&str, &str)] = &[
    ("unit_in_scope", include_str!("../../db/rules/unit_in_scope.sql")),
    ("priority_weight", include_str!("../../db/rules/priority_weight.sql")),
    ("requirement_gap", include_str!("../../db/rules/requirement_gap.sql")),
    ("jp_minimum", include_str!("../../db/rules/jp_minimum.sql")),
    ("flagged", include_str!("../../db/rules/flagged.sql")),
    ("training_cost", include_str!("../../db/rules/training_cost.sql")),
    ("budget_remaining", include_str!("../../db/rules/budget_remaining.sql")),
    ("evaluation_owed", include_str!("../../db/rules/evaluation_owed.sql")),
    ("reassessment_due", include_str!("../../db/rules/reassessment_due.sql")),
    ("activity_seen", include_str!("../../db/rules/activity_seen.sql")),
    ("pending_assessments", include_str!("../../db/rules/pending_assessments.sql")),
    ("waiting_decisions", include_str!("../../db/rules/waiting_decisions.sql")),
    ("planned_jp", include_str!("../../db/rules/planned_jp.sql")),
    ("notifications", include_str!("../../db/rules/notifications.sql")),
    ("talent_placement", include_str!("../../db/rules/talent_placement.sql")),
];

/// The advisory lock (two-key form) under which one node at a time applies the rules.
const LOCK: (i32, i32) = (727400, 0);

/// Each file's checksum: its name and text, and the newest migration applied (a migration may
/// replace or drop what a rule made, so the rules are applied again after one).
fn checksums(newest_migration: i64) -> Vec<(&'static str, Vec<u8>)> {
    RULES
        .iter()
        .map(|(name, sql)| {
            let mut h = Sha256::new();
            h.update(name.as_bytes());
            h.update([0]);
            h.update(sql.as_bytes());
            h.update(newest_migration.to_be_bytes());
            (*name, h.finalize().to_vec())
        })
        .collect()
}

/// Apply the rule files, all of them in one transaction, unless the database already holds
/// exactly these (`rules_applied`); true when they were applied. Under an advisory lock, so two
/// nodes starting at once apply them once; a rule that cannot be applied rolls every file back.
/// Skipping unchanged rules keeps a start from taking the exclusive locks `create or replace view`
/// takes while other nodes serve.
pub async fn apply(pool: &PgPool) -> anyhow::Result<bool> {
    let mut tx = pool.begin().await?;
    sqlx::query!("select pg_advisory_xact_lock($1, $2)", LOCK.0, LOCK.1).execute(&mut *tx).await?;
    let newest: i64 = sqlx::query_scalar("select coalesce(max(version), 0) from _sqlx_migrations where success")
        .fetch_one(&mut *tx)
        .await?;
    let wanted = checksums(newest);
    let mut held: Vec<(String, Vec<u8>)> = sqlx::query!("select name, checksum from rules_applied")
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.name, r.checksum))
        .collect();
    held.sort();
    let mut sorted: Vec<(String, Vec<u8>)> = wanted.iter().map(|(n, c)| (n.to_string(), c.clone())).collect();
    sorted.sort();
    if held == sorted {
        tx.commit().await?;
        return Ok(false);
    }
    for (name, sql) in RULES {
        sqlx::raw_sql(sql).execute(&mut *tx).await.with_context(|| format!("applying the rule db/rules/{name}.sql"))?;
    }
    sqlx::query!("delete from rules_applied").execute(&mut *tx).await?;
    sqlx::query!(
        "insert into rules_applied (name, checksum) select * from unnest($1::text[], $2::bytea[])",
        &wanted.iter().map(|w| w.0.to_string()).collect::<Vec<_>>(),
        &wanted.iter().map(|w| w.1.clone()).collect::<Vec<_>>()
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    tracing::info!(files = RULES.len(), "rules applied");
    Ok(true)
}
