//! Connecting, creating the database, migrating and applying the rules.

use std::time::Duration;

use anyhow::Context as _;
use sqlx::{
    PgPool, Postgres,
    migrate::{MigrateDatabase, MigrateError, Migrator},
    postgres::PgPoolOptions,
};

use super::config::Config;

pub static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// The URL without its password, for messages.
pub fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.find(':') {
                Some(c) => format!("{}{}:***{}", &url[..s + 3], &creds[..c], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

pub fn pool_options(config: &Config) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(config.db_max_connections)
        .acquire_timeout(Duration::from_secs(5))
        // sqlx pings every connection as it comes back to the pool; pinging it again when it is
        // taken cost each request one more round trip per connection it took. Only a connection
        // idle for a while (whose server may have gone away meanwhile) is checked before use.
        .test_before_acquire(false)
        .before_acquire(|conn, meta| {
            Box::pin(async move {
                if meta.idle_for > Duration::from_secs(1) {
                    sqlx::Connection::ping(conn).await?;
                }
                Ok(true)
            })
        })
}

/// Connect, creating the database first if the server lacks it.
pub async fn connect(config: &Config) -> anyhow::Result<PgPool> {
    let url = &config.database_url;
    let shown = redact(url);
    let exists = tokio::time::timeout(Duration::from_secs(10), Postgres::database_exists(url))
        .await
        .map_err(|_| anyhow::anyhow!("cannot reach the database at {shown}: timed out"))?
        .with_context(|| format!("cannot connect to the database at {shown}"))?;
    if !exists {
        Postgres::create_database(url).await.with_context(|| format!("cannot create the database at {shown}"))?;
        tracing::info!("created database {shown}");
    }
    let opts: sqlx::postgres::PgConnectOptions =
        url.parse().with_context(|| format!("not a PostgreSQL address: {shown}"))?;
    pool_options(config)
        .connect_with(session_options(opts))
        .await
        .with_context(|| format!("cannot connect to the database at {shown}"))
}

/// Every connection of the portal: no JIT compilation. The gap queries are large enough to trigger
/// it, and compiling cost 1.6 s of a 2.5 s department summary at 15 000 staff (0.8 s without).
pub fn session_options(opts: sqlx::postgres::PgConnectOptions) -> sqlx::postgres::PgConnectOptions {
    opts.options([("jit", "off")])
}

/// Apply pending migrations, then the rules (`db/rules/`, see `rules::apply`).
pub async fn migrate(pool: &PgPool) -> anyhow::Result<()> {
    migrations(pool).await?;
    super::rules::apply(pool).await?;
    Ok(())
}

async fn migrations(pool: &PgPool) -> anyhow::Result<()> {
    MIGRATOR.run(pool).await.map_err(|e| match e {
        MigrateError::VersionMissing(v) => anyhow::anyhow!(
            "the database has migration {v} applied, but this build of Cakap does not know it: run the newer build, or use another database"
        ),
        MigrateError::VersionMismatch(v) => anyhow::anyhow!(
            "migration {v} was changed after it was applied: migrations are forward-only, add a new file instead"
        ),
        other => anyhow::anyhow!("migrating the database failed: {other}"),
    })
}
