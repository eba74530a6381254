//! Results computed from the records, reused while the records they depend on have not changed.
//!
//! Every transaction that changes the records bumps, at commit, the version of each *scope* it
//! touched: a bidang (a top unit's child), a top unit, or scope 0 for what concerns everyone
//! (migration 26). A result depends on the scopes of one unit, or on all of them (`Depends`);
//! its version is the sum of those scopes' versions, read in the same snapshot as the result.
//! A write in one bidang leaves another bidang's kept results valid.
//!
//! After a write that a result depends on, readers do not wait for it to be computed again: for
//! up to `CAKAP_STALE_RESULTS_SECS` (5 s) the previous result is served while one background task per key computes
//! the new one (a response carrying such a result has the `x-cakap-stale-ms` header). A user who
//! wrote a moment ago (the recent-write cookie) always waits for the current result, so their own
//! write shows on their next page; so do writes (POST) and background work.

use std::{
    any::Any,
    collections::HashMap,
    sync::{
        Arc, Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use sqlx::PgConnection;

/// Where a result missing from the cache is computed: the caller's connection, or one taken
/// from the pool only then.
pub enum Source<'a> {
    Conn(&'a mut PgConnection),
    Pool(&'a sqlx::PgPool),
}

impl<'a> From<&'a mut PgConnection> for Source<'a> {
    fn from(c: &'a mut PgConnection) -> Self {
        Source::Conn(c)
    }
}

impl<'a> From<&'a mut sqlx::pool::PoolConnection<sqlx::Postgres>> for Source<'a> {
    fn from(c: &'a mut sqlx::pool::PoolConnection<sqlx::Postgres>) -> Self {
        Source::Conn(c)
    }
}

impl<'a> From<&'a sqlx::PgPool> for Source<'a> {
    fn from(p: &'a sqlx::PgPool) -> Self {
        Source::Pool(p)
    }
}

/// What a kept result depends on besides its key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Depends {
    /// Records anywhere (a department-wide or cross-unit result, or one whose reach is not
    /// known).
    All,
    /// The records of the unit with this materialised path ('/1/4/12/') and its scope: its
    /// bidang, or every bidang of a top unit; and what concerns everyone.
    Unit(String),
    /// The records of this employee's unit's scope, and what concerns everyone.
    Employee(i64),
}

/// What a computation returns: a future borrowing the snapshot's connection.
pub type BoxFuture<'c, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'c>>;

/// What a kept result costs in memory, estimated: the cache's budget is in bytes, so a drawn
/// matrix (~1 MB) counts as a thousand small pages. The default is the value's own size and a
/// little heap; results with rows or drawn tables say more.
pub trait Weigh {
    fn bytes(&self) -> usize {
        std::mem::size_of_val(self) + 256
    }
}

impl<T: Weigh> Weigh for Vec<T> {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.iter().map(Weigh::bytes).sum::<usize>()
    }
}

impl<T: Weigh> Weigh for Option<T> {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.as_ref().map_or(0, Weigh::bytes)
    }
}

impl Weigh for i64 {}
impl<A, B, C, D, E> Weigh for (A, B, C, D, E) {}
impl<A, B, C> Weigh for (A, B, C) {}

/// Rows of `v`, each its own size and `heap` bytes more (its strings; its part of a drawn table).
pub fn rows_bytes<T>(v: &[T], heap: usize) -> usize {
    v.len() * (std::mem::size_of::<T>() + heap)
}

/// The share of `CAKAP_CACHE_MB` for department-wide results (the rest is for single readers'
/// results: their record, history, home, notifications…), kept apart so a thousand readers'
/// small pages do not push out the department's expensive ones.
pub const SHARED_SHARE: f64 = 0.75;

/// (version, last used, computed at, bytes, value)
type Entry = (i64, Instant, Instant, usize, Arc<dyn Any + Send + Sync>);

#[derive(Clone)]
pub struct VersionCache {
    /// At most this many bytes of results (estimated by `Weigh`), the least recently used go
    /// first.
    budget: usize,
    used: Arc<AtomicU64>,
    /// Where background refreshes compute (the primary).
    pool: sqlx::PgPool,
    /// How old a result made stale by a write may be and still be served while it is refreshed.
    stale: Duration,
    entries: Arc<Mutex<HashMap<String, Entry>>>,
    /// One computation per key at a time: concurrent readers of a key wait for it rather than
    /// each computing the same result.
    computing: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

/// A page request's view of the versions: each dependency's version is read once per request,
/// and whether a result made stale by a later write may be served.
#[derive(Default)]
pub struct RequestVersions {
    /// This user wrote moments ago: always the current result.
    pub fresh: bool,
    memo: Mutex<Vec<(Depends, i64)>>,
    /// The age of the oldest stale result served (milliseconds; 0 = none).
    pub stale_ms: AtomicU64,
}

impl RequestVersions {
    pub fn new(fresh: bool) -> Self {
        Self { fresh, ..Self::default() }
    }
}

tokio::task_local! {
    /// Set for page requests (GET) by the request middleware.
    pub static REQUEST: Arc<RequestVersions>;
}

/// The version of what `dep` covers, as this connection sees it now.
pub async fn version_of(conn: &mut PgConnection, dep: &Depends) -> Result<i64, sqlx::Error> {
    match dep {
        Depends::All => sqlx::query_scalar("select records_version(null)").fetch_one(conn).await,
        Depends::Unit(path) => sqlx::query_scalar("select records_version($1)").bind(path).fetch_one(conn).await,
        Depends::Employee(id) => sqlx::query_scalar(
            "select records_version((select u.path from employees e join units u on u.id = e.unit_id where e.id = $1))",
        )
        .bind(id)
        .fetch_one(conn)
        .await,
    }
}

/// The version of everything (what a plan run records, what the plan page compares).
pub async fn version(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    version_of(conn, &Depends::All).await
}

/// The version of `dep` for this request: read once per request and dependency.
async fn request_version(conn: &mut PgConnection, dep: &Depends) -> Result<i64, sqlx::Error> {
    let req = REQUEST.try_with(Arc::clone).ok();
    if let Some(req) = &req
        && let Some(v) = req.memo.lock().ok().and_then(|m| m.iter().find(|(d, _)| d == dep).map(|(_, v)| *v))
    {
        return Ok(v);
    }
    let v = version_of(conn, dep).await?;
    if let Some(req) = req
        && let Ok(mut m) = req.memo.lock()
    {
        m.push((dep.clone(), v));
    }
    Ok(v)
}

/// May a result made stale by a later write be served to this request?
fn may_serve_stale() -> bool {
    REQUEST.try_with(|r| !r.fresh).unwrap_or(false)
}

fn note_stale(age: Duration) {
    let ms = age.as_millis().clamp(1, u64::MAX as u128) as u64;
    let _ = REQUEST.try_with(|r| r.stale_ms.fetch_max(ms, Ordering::Relaxed));
}

enum Lookup<T> {
    Hit(Arc<T>),
    /// Kept for an older version, computed this long ago.
    Old(Arc<T>, Duration),
    Miss,
}

impl VersionCache {
    /// A cache keeping at most `budget` bytes of results.
    pub fn new(budget: usize, pool: sqlx::PgPool, stale: Duration) -> Self {
        Self { budget, used: Arc::default(), pool, stale, entries: Arc::default(), computing: Arc::default() }
    }

    /// The bytes of results kept now (estimated).
    pub fn used_bytes(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    fn lookup<T: Weigh + Send + Sync + 'static>(&self, key: &str, version: i64) -> Lookup<T> {
        let Ok(mut map) = self.entries.lock() else { return Lookup::Miss };
        let Some(entry) = map.get_mut(key) else { return Lookup::Miss };
        let Ok(value) = entry.4.clone().downcast::<T>() else { return Lookup::Miss };
        if entry.0 == version {
            entry.1 = Instant::now();
            Lookup::Hit(value)
        } else if entry.0 < version {
            Lookup::Old(value, entry.2.elapsed())
        } else {
            // Kept for a newer version than this reader's snapshot (a replica behind): computed
            // again for this reader, not kept.
            Lookup::Miss
        }
    }

    fn store(&self, key: String, version: i64, computed: Instant, bytes: usize, value: Arc<dyn Any + Send + Sync>) {
        let bytes = bytes + key.len() + 64;
        if bytes > self.budget {
            // Larger than the whole budget: served to this reader, never kept.
            return;
        }
        if let Ok(mut map) = self.entries.lock() {
            if map.get(&key).is_some_and(|e| e.0 > version) {
                return;
            }
            let mut used: usize = map.get(&key).map_or(0, |e| e.3);
            used = (self.used.load(Ordering::Relaxed) as usize).saturating_sub(used) + bytes;
            if used > self.budget {
                // The least recently used go first, until the new one fits.
                let mut by_use: Vec<(Instant, String, usize)> =
                    map.iter().filter(|(k, _)| **k != key).map(|(k, e)| (e.1, k.clone(), e.3)).collect();
                by_use.sort_unstable_by_key(|e| e.0);
                for (_, k, b) in by_use {
                    if used <= self.budget {
                        break;
                    }
                    map.remove(&k);
                    used -= b;
                }
            }
            map.insert(key, (version, Instant::now(), computed, bytes, value));
            self.used.store(used as u64, Ordering::Relaxed);
        }
    }

    fn gate(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.computing.lock() {
            Ok(mut m) => {
                if m.len() > 1000 {
                    m.retain(|_, g| Arc::strong_count(g) > 1);
                }
                m.entry(key.to_string()).or_default().clone()
            }
            Err(_) => Arc::default(),
        }
    }

    /// `get_in` for a result that depends on records anywhere.
    pub async fn get<'a, T, E, F>(&self, conn: impl Into<Source<'a>>, key: String, compute: F) -> Result<Arc<T>, E>
    where
        T: Weigh + Send + Sync + 'static,
        E: From<sqlx::Error> + std::fmt::Debug + Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        self.get_in(Depends::All, conn, key, compute).await
    }

    /// The result for `key` at the current version of what it depends on (`dep`): reused when
    /// this node computed it for this version, else computed by `compute` in one consistent
    /// snapshot and kept. `key` must name everything the result depends on besides the records
    /// (unit, date, language, the reader's scope…).
    /// A page request may be served the previous result, at most `stale` old, while one
    /// background task computes the new one (see the module's comment).
    /// `conn` is the caller's connection, or the pool. A request that already holds a connection
    /// passes it: under load, waiting for a second one exhausts the pool.
    pub async fn get_in<'a, T, E, F>(
        &self,
        dep: Depends,
        conn: impl Into<Source<'a>>,
        key: String,
        compute: F,
    ) -> Result<Arc<T>, E>
    where
        T: Weigh + Send + Sync + 'static,
        E: From<sqlx::Error> + std::fmt::Debug + Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, E>> + Send + 'static,
    {
        let mut taken: Option<sqlx::pool::PoolConnection<sqlx::Postgres>> = None;
        let conn: &mut PgConnection = match conn.into() {
            Source::Conn(c) => c,
            Source::Pool(pool) => taken.insert(pool.acquire().await?),
        };
        let now = request_version(&mut *conn, &dep).await?;
        match self.lookup::<T>(&key, now) {
            Lookup::Hit(hit) => return Ok(hit),
            Lookup::Old(old, age) if age < self.stale && may_serve_stale() => {
                // Served as it was; the first reader to find it stale starts its refresh.
                let gate = self.gate(&key);
                if let Ok(turn) = gate.try_lock_owned() {
                    let cache = self.clone();
                    tokio::spawn(async move {
                        let _turn = turn;
                        let refreshed = async {
                            let mut c = cache.pool.acquire().await.map_err(E::from)?;
                            cache.compute_and_store(&mut c, &dep, key, compute).await
                        };
                        if let Err(e) = refreshed.await {
                            tracing::warn!(error = ?e, "refreshing a kept result");
                        }
                    });
                }
                note_stale(age);
                return Ok(old);
            }
            _ => {}
        }
        let gate = self.gate(&key);
        let _turn = match gate.clone().try_lock_owned() {
            Ok(turn) => turn,
            Err(_) => {
                // Another reader is computing it: wait, then take theirs if it is still current.
                let turn = gate.lock_owned().await;
                let now = version_of(&mut *conn, &dep).await?;
                if let Lookup::Hit(hit) = self.lookup::<T>(&key, now) {
                    return Ok(hit);
                }
                turn
            }
        };
        self.compute_and_store(conn, &dep, key, compute).await
    }

    async fn compute_and_store<T, E, F>(
        &self,
        conn: &mut PgConnection,
        dep: &Depends,
        key: String,
        compute: F,
    ) -> Result<Arc<T>, E>
    where
        T: Weigh + Send + Sync + 'static,
        E: From<sqlx::Error>,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, E>>,
    {
        let started = Instant::now();
        // A transaction object rolls back if this request is dropped half-way.
        let mut tx =
            sqlx::Connection::begin_with(&mut *conn, "begin isolation level repeatable read, read only").await?;
        let seen = version_of(&mut tx, dep).await?;
        let value = compute(&mut tx).await?;
        tx.rollback().await?;
        let bytes = value.bytes();
        let value = Arc::new(value);
        self.store(key, seen, started, bytes, value.clone());
        Ok(value)
    }
}

/// What `cell` holds, made by `make` for the first reader who asks: a part of a kept result that
/// only some readers need (a page's drawn table, an export's file). Two first readers at once may
/// both make it; one is kept, and both are the same.
pub fn once<T, E>(cell: &std::sync::OnceLock<T>, make: impl FnOnce() -> Result<T, E>) -> Result<&T, E> {
    if let Some(v) = cell.get() {
        return Ok(v);
    }
    let v = make()?;
    Ok(cell.get_or_init(|| v))
}

/// A second connection, when one is idle in `pool` right now, seeing exactly the snapshot of
/// `conn`'s transaction (REPEATABLE READ), so one result's queries can run side by side. Never
/// waits for the pool: a request that holds a connection must not wait for another (under load
/// that exhausts the pool); with none idle the caller runs its queries one after the other.
/// The helper comes back before its own transaction begins: begin it with `begin_with`
/// ("begin isolation level repeatable read, read only") and pass it to `import_snapshot`.
pub async fn beside(
    conn: &mut PgConnection,
    pool: &sqlx::PgPool,
) -> Result<Option<(sqlx::pool::PoolConnection<sqlx::Postgres>, String)>, sqlx::Error> {
    let Some(helper) = pool.try_acquire() else { return Ok(None) };
    let snapshot: String = sqlx::query_scalar("select pg_export_snapshot()").fetch_one(&mut *conn).await?;
    Ok(Some((helper, snapshot)))
}

/// Make the transaction just begun on `tx` see the snapshot `id` (from `beside`).
pub async fn import_snapshot(tx: &mut PgConnection, id: &str) -> Result<(), sqlx::Error> {
    // A snapshot id is hexadecimal digits and dashes; it cannot be a bind parameter here.
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
        return Err(sqlx::Error::Protocol(format!("unexpected snapshot id {id:?}")));
    }
    sqlx::query(&format!("set transaction snapshot '{id}'")).execute(tx).await?;
    Ok(())
}
