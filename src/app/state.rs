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

/// Shared by every handler: the pool, the configuration, the clock and the settings cache. One
/// `Arc`: axum clones the state for the middleware and for every handler's extractor, and
/// cloning each part (a score of reference counts, the two result caches' among them) was 8 % of
/// the CPU `/ping` took.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// What `AppState` shares (read through it).
#[derive(Clone)]
pub struct Shared {
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
    /// Navigation counts per account: they are read on every page, and computing them on each
    /// request cost more than the page itself. Older than `BADGE_TTL` they are shown while one
    /// background task counts them again; a user's own write expires theirs: the session that
    /// wrote counts them before its next page, the account's other sessions (another tab, a
    /// colleague sharing the account) see the previous counts while one background task counts
    /// again, rather than every one of them counting at once. What others do shows within
    /// `BADGE_TTL` and one page view.
    pub badge_cache: BadgeCache,
    /// Department-wide results reused while the records' version is unchanged.
    pub versions: super::versioned::VersionCache,
    /// One reader's results (keyed by their account) reused the same way, kept apart.
    pub personal: super::versioned::VersionCache,
    /// The records' versions as this node last read them (answers only while a watcher runs:
    /// `serve` starts one; see `versioned::watch`).
    pub watch: Arc<super::versioned::VersionWatch>,
    /// Small figures the versions do not follow, kept a few seconds (`app::recent`).
    pub recent: super::recent::Recent,
    /// Finished plan runs, parsed once per node (a run never changes).
    pub plan_results: crate::gaps::plan_run::ResultCache,
    /// The SIASN sync's settings and client (unconfigured unless set; see `siasn::settings`).
    pub siasn: crate::siasn::Siasn,
}

/// How long a node may show an account's navigation counts before counting again.
pub const BADGE_TTL: std::time::Duration = std::time::Duration::from_secs(10);

pub type Badges = Vec<(&'static str, i64)>;

/// An account's counts: when counted, what, whether a recount is under way, and whether the
/// account wrote since they were counted.
type BadgeEntry = (std::time::Instant, Badges, bool, bool);

#[derive(Clone, Default)]
pub struct BadgeCache(Arc<std::sync::Mutex<std::collections::HashMap<i64, BadgeEntry>>>);

/// What the cache has for an account.
pub enum BadgeLookup {
    /// Counted within `BADGE_TTL`.
    Fresh(Badges),
    /// Older: shown as they are while the caller (alone) counts them again in the background,
    /// so no page waits for a recount (HR's counts read the whole department after a change).
    Stale(Badges),
    /// Never counted, or cleared by the account's own write: count now.
    Missing,
}

impl BadgeCache {
    /// The counts for a page of `account`; `wrote`: this session wrote moments ago (the
    /// recent-write cookie), so counts from before its write are not shown to it.
    pub fn get(&self, account: i64, wrote: bool) -> BadgeLookup {
        let Ok(mut map) = self.0.lock() else { return BadgeLookup::Missing };
        match map.get_mut(&account) {
            Some((_, _, _, true)) if wrote => BadgeLookup::Missing,
            Some((at, b, _, false)) if at.elapsed() < BADGE_TTL => BadgeLookup::Fresh(b.clone()),
            // Someone is already counting again: show these meanwhile.
            Some((_, b, true, _)) => BadgeLookup::Fresh(b.clone()),
            Some((_, b, recount, _)) => {
                *recount = true;
                BadgeLookup::Stale(b.clone())
            }
            None => BadgeLookup::Missing,
        }
    }

    pub fn put(&self, account: i64, badges: Badges) {
        if let Ok(mut map) = self.0.lock() {
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(account, (std::time::Instant::now(), badges, false, false));
        }
    }

    /// A recount that failed: the next page tries again.
    pub fn recount_failed(&self, account: i64) {
        if let Ok(mut map) = self.0.lock()
            && let Some(e) = map.get_mut(&account)
        {
            e.2 = false;
        }
    }

    /// The account wrote: its counts are counted again (see `badge_cache`).
    pub fn expire(&self, account: i64) {
        if let Ok(mut map) = self.0.lock()
            && let Some(e) = map.get_mut(&account)
        {
            e.3 = true;
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
        let shared = (config.cache_bytes as f64 * super::versioned::SHARED_SHARE) as usize;
        Self(Arc::new(Shared {
            versions: super::versioned::VersionCache::new(shared, pool.clone(), config.stale_results)
                .refreshing_every(config.refresh_every),
            personal: super::versioned::VersionCache::new(
                config.cache_bytes.saturating_sub(shared),
                pool.clone(),
                config.stale_results,
            )
            .refreshing_every(config.refresh_every),
            pool,
            config: Arc::new(config),
            clock: Clock::default(),
            settings: SettingsCache::default(),
            badges: Arc::default(),
            nav: Arc::default(),
            replica,
            badge_cache: BadgeCache::default(),
            watch: Arc::default(),
            recent: Default::default(),
            plan_results: Default::default(),
            siasn: Default::default(),
        }))
    }

    /// The parts to change while the router is built (before any request clones the state).
    pub fn parts_mut(&mut self) -> &mut Shared {
        Arc::make_mut(&mut self.0)
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
