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
    /// Navigation counts per account for a few seconds: they are read on every page, and
    /// computing them on each request cost more than the page itself. A user's own write clears
    /// theirs; what others do shows within `BADGE_TTL`.
    pub badge_cache: BadgeCache,
    /// Department-wide results reused while the records' version is unchanged.
    pub versions: super::versioned::VersionCache,
    /// One reader's results (keyed by their account) reused the same way, kept apart.
    pub personal: super::versioned::VersionCache,
}

/// How long a node may show an account's navigation counts before counting again.
pub const BADGE_TTL: std::time::Duration = std::time::Duration::from_secs(10);

pub type Badges = Vec<(&'static str, i64)>;

#[derive(Clone, Default)]
pub struct BadgeCache(Arc<std::sync::Mutex<std::collections::HashMap<i64, (std::time::Instant, Badges)>>>);

impl BadgeCache {
    pub fn get(&self, account: i64) -> Option<Badges> {
        let map = self.0.lock().ok()?;
        map.get(&account).filter(|(at, _)| at.elapsed() < BADGE_TTL).map(|(_, b)| b.clone())
    }

    pub fn put(&self, account: i64, badges: Badges) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(account, (std::time::Instant::now(), badges));
        }
    }

    pub fn forget(&self, account: i64) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(&account);
        }
    }
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
            badge_cache: BadgeCache::default(),
            versions: super::versioned::VersionCache::new(super::versioned::SHARED_CAPACITY),
            personal: super::versioned::VersionCache::new(super::versioned::PERSONAL_CAPACITY),
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
