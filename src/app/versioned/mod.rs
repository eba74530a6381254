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
//!
//! How far behind a stale result is counts from the last moment it was known current, not from
//! when it was computed: a node confirms its costly results read lately every half second while
//! nothing they depend on changes (`keep_current_loop`, one version read per dependency). So the
//! first reader after a write is served a department's figures computed an hour ago, marked as
//! a moment behind, instead of waiting seconds for them. After a write, the node refreshes such
//! results read in the last minutes itself, one at a time over its caches and at most a fifth of
//! a core (`Ahead`), so that their next reader finds them current. Until those refreshes come
//! round to a result (the node's cycle, at most two minutes), its readers are served it stale
//! rather than made to wait for it.

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

mod cache;
mod watch;

pub use cache::*;
pub use watch::{POLL, VersionWatch};

/// Where a result missing from the cache is computed: the caller's connection, or one taken
/// from the pool only then.
pub enum Source<'a> {
    Conn(&'a mut PgConnection),
    Pool(&'a sqlx::PgPool),
}

impl Source<'_> {
    /// The same source for one more call (a connection reborrowed, the pool copied).
    pub fn reborrow(&mut self) -> Source<'_> {
        match self {
            Source::Conn(c) => Source::Conn(c),
            Source::Pool(p) => Source::Pool(p),
        }
    }
}

/// A source that takes its connection from the pool at the first use only, and keeps it.
pub(crate) struct LazyConn<'a> {
    source: Source<'a>,
    taken: Option<sqlx::pool::PoolConnection<sqlx::Postgres>>,
}

impl<'a> From<Source<'a>> for LazyConn<'a> {
    fn from(source: Source<'a>) -> Self {
        Self { source, taken: None }
    }
}

impl<'a> From<&'a sqlx::PgPool> for LazyConn<'a> {
    fn from(pool: &'a sqlx::PgPool) -> Self {
        Source::Pool(pool).into()
    }
}

impl LazyConn<'_> {
    /// The caller's connection, or one taken from the pool now (the same one on later calls).
    pub async fn conn(&mut self) -> Result<&mut PgConnection, sqlx::Error> {
        match &mut self.source {
            Source::Conn(c) => Ok(&mut **c),
            Source::Pool(pool) => {
                if self.taken.is_none() {
                    self.taken = Some(pool.acquire().await?);
                }
                self.taken.as_deref_mut().ok_or(sqlx::Error::PoolClosed)
            }
        }
    }

    /// A source for one call: the connection taken already, else what this was made from.
    pub fn source(&mut self) -> Source<'_> {
        match &mut self.taken {
            Some(c) => Source::Conn(c),
            None => self.source.reborrow(),
        }
    }
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
impl<A, B, C, D, E, F> Weigh for (A, B, C, D, E, F) {}
impl<A, B, C> Weigh for (A, B, C) {}
impl Weigh for (i64, String) {}

/// Rows of `v`, each its own size and `heap` bytes more (its strings; its part of a drawn table).
pub fn rows_bytes<T>(v: &[T], heap: usize) -> usize {
    v.len() * (std::mem::size_of::<T>() + heap)
}

/// The share of `CAKAP_CACHE_MB` for department-wide results (the rest is for single readers'
/// results: their record, history, home, notifications…), kept apart so a thousand readers'
/// small pages do not push out the department's expensive ones.
pub const SHARED_SHARE: f64 = 0.75;

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
    let snapshot: String =
        sqlx::query_scalar!(r#"select pg_export_snapshot() as "snapshot!""#).fetch_one(&mut *conn).await?;
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
