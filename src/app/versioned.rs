//! Results computed from the records, reused while the records have not changed.
//!
//! Every transaction that changes the records bumps `data_version` once, at commit, in the same
//! transaction (migration 15). A result is computed inside a read-only REPEATABLE READ
//! transaction together with the version it saw, so the result is exactly that version's; it is
//! reused by this node while `data_version` still reads the same, which costs one round trip. Any
//! write anywhere makes the next reader compute again: the department-wide pages are read far more
//! often than the records change, and they are never stale.

use std::{
    any::Any,
    collections::HashMap,
    sync::{Arc, Mutex},
    time::Instant,
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

/// What a computation returns: a future borrowing the snapshot's connection.
pub type BoxFuture<'c, T> = std::pin::Pin<Box<dyn std::future::Future<Output = T> + Send + 'c>>;

/// How many department-wide results a node keeps (the oldest used goes first).
pub const SHARED_CAPACITY: usize = 128;
/// How many results of single readers (their record, history, home, notifications…) a node
/// keeps: kept apart, so a thousand readers' small pages do not push out the department's
/// expensive ones.
pub const PERSONAL_CAPACITY: usize = 4096;

type Entry = (i64, Instant, Arc<dyn Any + Send + Sync>);

#[derive(Clone)]
pub struct VersionCache {
    capacity: usize,
    entries: Arc<Mutex<HashMap<String, Entry>>>,
    /// One computation per key at a time: concurrent readers of a key wait for it rather than
    /// each computing the same result.
    computing: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

tokio::task_local! {
    /// The records' version read with the session at the start of a page request (GET): results
    /// kept for it are reused without another round trip. A miss reads the connection's own
    /// version as before (a replica may be behind the primary).
    pub static REQUEST_VERSION: Option<i64>;
}

/// The records' version as this connection sees it now.
pub async fn version(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("select version from data_version").fetch_one(conn).await
}

impl VersionCache {
    /// A cache keeping at most `capacity` results.
    pub fn new(capacity: usize) -> Self {
        Self { capacity: capacity.max(1), entries: Arc::default(), computing: Arc::default() }
    }

    fn lookup<T: Send + Sync + 'static>(&self, key: &str, version: i64) -> Option<Arc<T>> {
        let mut map = self.entries.lock().ok()?;
        let entry = map.get_mut(key)?;
        if entry.0 != version {
            return None;
        }
        entry.1 = Instant::now();
        entry.2.clone().downcast::<T>().ok()
    }

    fn store(&self, key: String, version: i64, value: Arc<dyn Any + Send + Sync>) {
        if let Ok(mut map) = self.entries.lock() {
            // Results of older versions are never read again (the version only grows): they go
            // first, so what a node keeps is what the records are now (a drawn matrix is ~1 MB).
            map.retain(|_, e| e.0 >= version);
            if map.len() >= self.capacity
                && !map.contains_key(&key)
                && let Some(oldest) = map.iter().min_by_key(|(_, e)| e.1).map(|(k, _)| k.clone())
            {
                map.remove(&oldest);
            }
            map.insert(key, (version, Instant::now(), value));
        }
    }

    /// The result for `key` at the records' current version: reused when this node computed it
    /// for this version, else computed by `compute` in one consistent snapshot and kept.
    /// `key` must name everything the result depends on besides the records (unit, date,
    /// language, the reader's scope…).
    /// `conn` is the caller's connection, or the pool: a result reused for the version read with
    /// the request's session takes no connection at all (each one taken costs a round trip to
    /// check it). A request that already holds a connection passes it: under load, waiting for a
    /// second one exhausts the pool.
    pub async fn get<'a, T, E, F>(&self, conn: impl Into<Source<'a>>, key: String, compute: F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        E: From<sqlx::Error>,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, E>>,
    {
        if let Some(v) = REQUEST_VERSION.try_with(|v| *v).ok().flatten()
            && let Some(hit) = self.lookup::<T>(&key, v)
        {
            return Ok(hit);
        }
        let mut taken: Option<sqlx::pool::PoolConnection<sqlx::Postgres>> = None;
        let conn: &mut PgConnection = match conn.into() {
            Source::Conn(c) => c,
            Source::Pool(pool) => taken.insert(pool.acquire().await?),
        };
        let now = version(&mut *conn).await?;
        if let Some(hit) = self.lookup::<T>(&key, now) {
            return Ok(hit);
        }
        let gate = match self.computing.lock() {
            Ok(mut m) => {
                if m.len() > 1000 {
                    m.retain(|_, g| Arc::strong_count(g) > 1);
                }
                m.entry(key.clone()).or_default().clone()
            }
            Err(_) => Arc::default(),
        };
        let _turn = match gate.clone().try_lock_owned() {
            Ok(turn) => turn,
            Err(_) => {
                // Another reader is computing it: wait, then take theirs if it is still current.
                let turn = gate.lock_owned().await;
                let now = version(&mut *conn).await?;
                if let Some(hit) = self.lookup::<T>(&key, now) {
                    return Ok(hit);
                }
                turn
            }
        };
        // A transaction object rolls back if this request is dropped half-way.
        let mut tx =
            sqlx::Connection::begin_with(&mut *conn, "begin isolation level repeatable read, read only").await?;
        let seen = version(&mut tx).await?;
        let value = compute(&mut tx).await?;
        tx.rollback().await?;
        let value = Arc::new(value);
        self.store(key, seen, value.clone());
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
