//! `cakap backup` and `cakap restore`: the whole database (records, audit log, evidence files)
//! as one pg_dump archive, and back into an empty database.

use std::{path::Path, process::Command};

use anyhow::{Context as _, bail};
use sqlx::PgPool;

/// PostgreSQL's own client tools: on PATH, or the server's binaries on Debian.
fn tool(name: &str) -> String {
    let on_path =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).any(|d| d.join(name).is_file())).unwrap_or(false);
    if on_path {
        return name.to_string();
    }
    for dir in ["/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/17/bin"] {
        let p = Path::new(dir).join(name);
        if p.is_file() {
            return p.display().to_string();
        }
    }
    name.to_string()
}

/// Write the database at `url` to `file` (pg_dump custom format: compressed, restorable).
pub fn backup(url: &str, file: &Path) -> anyhow::Result<()> {
    let out = Command::new(tool("pg_dump"))
        .args(["--format=custom", "--no-owner", "--no-privileges", "--file"])
        .arg(file)
        .arg(url)
        .output()
        .context("running pg_dump (install postgresql-client)")?;
    if !out.status.success() {
        bail!("pg_dump failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}

/// Restore `file` into the database at `url`, which must be empty (no Cakap tables yet): all of
/// it in one transaction, or nothing.
pub async fn restore(pool: &PgPool, url: &str, file: &Path) -> anyhow::Result<()> {
    if !file.is_file() {
        bail!("{} is not a backup file", file.display());
    }
    let tables: i64 =
        sqlx::query_scalar!(r#"select count(*) as "n!" from information_schema.tables where table_schema = 'public'"#)
            .fetch_one(pool)
            .await?;
    if tables > 0 {
        bail!("the target database is not empty ({tables} tables): restore into a new, empty database");
    }
    let out = Command::new(tool("pg_restore"))
        .args(["--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname"])
        .arg(url)
        .arg(file)
        .output()
        .context("running pg_restore (install postgresql-client)")?;
    if !out.status.success() {
        bail!("pg_restore failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    Ok(())
}
