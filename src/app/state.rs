use std::sync::Arc;

use sqlx::PgPool;

use super::{
    clock::Clock,
    config::Config,
    context::Ctx,
    replica::{Replica, ReplicaHealth},
    routes::{Badge, NavEntry},
};
use crate::settings::SettingsCache;

/// Shared by every handler: the pool, the configuration, the clock and the settings cache.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
    pub clock: Clock,
    pub settings: SettingsCache,
    /// Navigation counts registered by features (set when the router is built).
    pub badges: Arc<Vec<Badge>>,
    /// Navigation entries registered by features (set when the router is built).
    pub nav: Arc<Vec<NavEntry>>,
    /// The streaming replica for heavy reads (`CAKAP_DATABASE_READ_URL`), if any.
    pub replica: Option<Replica>,
}

impl AppState {
    pub fn new(pool: PgPool, config: Config) -> Self {
        let replica = config.read_url.as_deref().and_then(|url| {
            let opts = url.parse::<sqlx::postgres::PgConnectOptions>().ok()?;
            let pool = super::db::pool_options(&config).connect_lazy_with(super::db::session_options(opts));
            Some(Replica::new(pool, config.replica_max_lag))
        });
        Self {
            pool,
            config: Arc::new(config),
            clock: Clock::default(),
            settings: SettingsCache::default(),
            badges: Arc::default(),
            nav: Arc::default(),
            replica,
        }
    }

    /// Where a heavy read-only page reads from: the replica when it is there and close enough
    /// behind, unless this user wrote something moments ago (then the primary, so they see it).
    pub async fn reader(&self, ctx: &Ctx) -> &PgPool {
        match &self.replica {
            Some(r) if !ctx.recent_write && matches!(r.health(&self.pool).await, ReplicaHealth::Ok(_)) => &r.pool,
            _ => &self.pool,
        }
    }
}
