//! An optional PostgreSQL streaming replica for the heavy read-only pages (lists, exports).
//! Writes, and the pages a user opens shortly after their own write, read from the primary, so
//! nobody misses what they just saved. When the replica is unreachable or lags more than
//! `CAKAP_REPLICA_MAX_LAG_SECS`, reads fall back to the primary; `/healthz` says which.

use std::{
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

use sqlx::PgPool;

/// How often the replica's health and lag are checked (one request pays the check).
const CHECK_EVERY: Duration = Duration::from_secs(2);

#[derive(Clone, Debug, PartialEq)]
pub enum ReplicaHealth {
    /// Serving reads, this many seconds behind the primary.
    Ok(f64),
    Lagging(f64),
    Down,
}

#[derive(Clone)]
pub struct Replica {
    pub pool: PgPool,
    pub max_lag: Duration,
    checked: Arc<RwLock<Option<(Instant, ReplicaHealth)>>>,
}

impl Replica {
    pub fn new(pool: PgPool, max_lag: Duration) -> Self {
        Self { pool, max_lag, checked: Arc::default() }
    }

    /// The replica's health, checked at most every `CHECK_EVERY`. Lag is zero when the replica
    /// has replayed everything the primary wrote (an idle primary is not "lag"), otherwise the
    /// age of the last transaction it replayed (unknown, so too much, if it replayed none yet).
    pub async fn health(&self, primary: &PgPool) -> ReplicaHealth {
        if let Ok(c) = self.checked.read()
            && let Some((at, h)) = c.as_ref()
            && at.elapsed() < CHECK_EVERY
        {
            return h.clone();
        }
        let h = self.check(primary).await;
        if let Ok(mut c) = self.checked.write() {
            *c = Some((Instant::now(), h.clone()));
        }
        h
    }

    async fn check(&self, primary: &PgPool) -> ReplicaHealth {
        // A primary always has a current WAL position.
        let primary_lsn: Result<String, _> =
            sqlx::query_scalar!(r#"select pg_current_wal_lsn()::text as "lsn!""#).fetch_one(primary).await;
        // On a replica the replayed position is known; elsewhere `false and null` is false.
        let replica = tokio::time::timeout(
            Duration::from_secs(2),
            sqlx::query!(
                r#"select pg_is_in_recovery() and pg_last_wal_replay_lsn() >= $1::text::pg_lsn as "caught_up!",
                          coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp()), 1e9)::float8 as "lag!""#,
                primary_lsn.as_deref().unwrap_or("0/0")
            )
            .fetch_one(&self.pool),
        )
        .await
        .map(|r| r.map(|r| (r.caught_up, r.lag)));
        match replica {
            Ok(Ok((true, _))) => ReplicaHealth::Ok(0.0),
            Ok(Ok((false, lag))) if lag <= self.max_lag.as_secs_f64() => ReplicaHealth::Ok(lag),
            Ok(Ok((false, lag))) => ReplicaHealth::Lagging(lag),
            _ => ReplicaHealth::Down,
        }
    }

    /// Forget the last check (tests, or after a failed read).
    pub fn recheck(&self) {
        if let Ok(mut c) = self.checked.write() {
            *c = None;
        }
    }
}
