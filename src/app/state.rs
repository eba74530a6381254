use std::sync::Arc;

use sqlx::PgPool;

use super::config::Config;

/// Shared by every handler: the pool and the configuration.
#[derive(Clone)]
pub struct AppState {
    pub pool: PgPool,
    pub config: Arc<Config>,
}

impl AppState {
    pub fn new(pool: PgPool, config: Config) -> Self {
        Self { pool, config: Arc::new(config) }
    }
}
