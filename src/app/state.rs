use std::sync::Arc;

use sqlx::PgPool;

use super::{clock::Clock, config::Config, routes::Badge};
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
}

impl AppState {
    pub fn new(pool: PgPool, config: Config) -> Self {
        Self {
            pool,
            config: Arc::new(config),
            clock: Clock::default(),
            settings: SettingsCache::default(),
            badges: Arc::default(),
        }
    }
}
