//! The cache of values by the version of the records they were computed at, shared by a node's
//! requests, and the versions a request reads.

use super::*;

/// A kept result.
pub(super) struct Entry {
    /// The version of what it depends on that it was computed at.
    version: i64,
    dep: Depends,
    last_used: Instant,
    computed: Instant,
    /// The last moment it was known to be current: computed, read at its version, or confirmed
    /// by `confirm`. Once a write moves past it, it is this much behind the records.
    current_at: Instant,
    bytes: usize,
    value: Arc<dyn Any + Send + Sync>,
    /// How long computing it took.
    took: Duration,
    /// Computes it again in the background (`keep_current`).
    refresh: Refresher,
}

/// Starts computing a kept result again in the background, holding its key's turn.
type Refresher =
    Arc<dyn Fn(&VersionCache, tokio::sync::OwnedMutexGuard<()>) -> tokio::task::JoinHandle<()> + Send + Sync>;

/// What one `keep_current` pass did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Kept {
    /// Results still current, marked so.
    pub confirmed: usize,
    /// Results made stale by a write, whose refresh this pass started.
    pub refreshing: usize,
}

/// A costly kept result (`KEEP_COSTLY`) read within this long is confirmed current by
/// `keep_current` while nothing it depends on changes.
pub const CONFIRM_WITHIN: Duration = Duration::from_secs(600);
/// A costly kept result read within this long is refreshed by `keep_current` after a write, not
/// by its next reader.
pub const REFRESH_AHEAD_WITHIN: Duration = Duration::from_secs(180);
/// Results cheaper than this are left to their readers: the first one after a while computes
/// them again, which costs them little.
pub const KEEP_COSTLY: Duration = Duration::from_millis(20);
/// How often a node keeps its costly results current (`keep_current_loop`).
pub const KEEP_EVERY: Duration = Duration::from_millis(500);
/// A node's refreshes ahead take at most one part in this many of one core: the next starts no
/// sooner than this many times the last one's computing time after it started. At 100 000
/// staff and 5 writes a second, refreshing ahead back to back took the CPU the pages needed
/// (department pages fell from 0.5 to 0.2 of `/ping`).
pub const AHEAD_SHARE: u32 = 5;
/// A stale result is served for at most this long while the node's refreshes ahead come round
/// to it (`VersionCache::serve_stale_until`); past it, its reader waits for it.
pub const AHEAD_CYCLE_CAP: Duration = Duration::from_secs(120);

/// A node's refreshes ahead (`VersionCache::keep_current`): one at a time over all its caches,
/// at most one part in `AHEAD_SHARE` of a core.
#[derive(Default)]
pub struct Ahead {
    running: Option<tokio::task::JoinHandle<()>>,
    next: Option<Instant>,
}

impl Ahead {
    /// May a refresh ahead start now?
    fn free(&self) -> bool {
        self.running.as_ref().is_none_or(|h| h.is_finished()) && self.next.is_none_or(|n| Instant::now() >= n)
    }
}

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
    /// A result made stale is refreshed once it is this old, not before: under a steady stream
    /// of writes each kept result is computed again at most once per interval, not once per
    /// write (0: at the first read after each write).
    refresh_every: Duration,
    entries: Arc<Mutex<HashMap<String, Entry>>>,
    /// How long the node's refreshes ahead take to come round to every costly result read
    /// lately, over all its caches (milliseconds; set by `keep_current_loop`, 0 without it).
    ahead_cycle: Arc<AtomicU64>,
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
    /// The node's watch of the versions, which a reader who did not just write may use.
    watch: Option<Arc<VersionWatch>>,
}

impl RequestVersions {
    pub fn new(fresh: bool, watch: Option<Arc<VersionWatch>>) -> Self {
        Self { fresh, watch: if fresh { None } else { watch }, ..Self::default() }
    }
}

tokio::task_local! {
    /// Set for page requests (GET) by the request middleware.
    pub static REQUEST: Arc<RequestVersions>;
}

/// The version of what `dep` covers, as this connection sees it now.
pub async fn version_of(conn: &mut PgConnection, dep: &Depends) -> Result<i64, sqlx::Error> {
    match dep {
        // `records_version` sums with coalesce: never null.
        Depends::All => sqlx::query_scalar!(r#"select records_version(null) as "v!""#).fetch_one(conn).await,
        Depends::Unit(path) => sqlx::query_scalar!(r#"select records_version($1) as "v!""#, path).fetch_one(conn).await,
        Depends::Employee(id) => sqlx::query_scalar!(
            r#"select records_version((select u.path from employees e join units u on u.id = e.unit_id where e.id = $1))
                 as "v!""#,
            id
        )
        .fetch_one(conn)
        .await,
    }
}

/// The version of everything (what a plan run records, what the plan page compares).
pub async fn version(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    version_of(conn, &Depends::All).await
}

/// The version of `dep` for this request: read once per request and dependency, from the node's
/// watch when it knows it (see `watch`). True with it when it came from the watch: then a result
/// kept for a later version is newer still, and served. A connection is taken from `source`
/// only when the request and the watch do not know it.
pub(super) async fn request_version(source: &mut LazyConn<'_>, dep: &Depends) -> Result<(i64, bool), sqlx::Error> {
    if let Some(known) = known_version(dep) {
        return Ok(known);
    }
    let conn = source.conn().await?;
    let req = REQUEST.try_with(Arc::clone).ok();
    let (v, shared) = match req.as_ref().and_then(|r| r.watch.clone()) {
        Some(w) => {
            let seen = w.generation();
            let v = version_of(conn, dep).await?;
            w.put(dep, v, seen);
            (v, true)
        }
        None => (version_of(conn, dep).await?, false),
    };
    if let Some(req) = req
        && let Ok(mut m) = req.memo.lock()
    {
        m.push((dep.clone(), v));
    }
    Ok((v, shared))
}

/// The version of `dep` for this request when it is known without the database: read earlier
/// in this request, or from the node's watch (see `request_version`).
fn known_version(dep: &Depends) -> Option<(i64, bool)> {
    let req = REQUEST.try_with(Arc::clone).ok()?;
    // Read earlier in this request: a result kept meanwhile for a later version is current too
    // (it was computed after everything this version counts). Not taking it, a request that reads
    // one result twice computed it twice once a write fell between its first read of the version
    // and that result's computation: HR's two navigation counts that share the decisions waiting,
    // after each of their writes.
    if let Some(v) = req.memo.lock().ok().and_then(|m| m.iter().find(|(d, _)| d == dep).map(|(_, v)| *v)) {
        return Some((v, true));
    }
    let v = req.watch.as_ref()?.get(dep)?;
    if let Ok(mut m) = req.memo.lock() {
        m.push((dep.clone(), v));
    }
    Some((v, true))
}

/// The version of `dep` as a page compares it with what it shows (a plan run's): from the node's
/// watch when this reader did not just write, so it may be up to `watch::POLL` behind; compare
/// with `<`, never `!=`.
/// `conn`: the caller's connection, or the pool, taken from only when the watch does not know it.
pub async fn page_version<'a>(conn: impl Into<Source<'a>>, dep: &Depends) -> Result<i64, sqlx::Error> {
    Ok(request_version(&mut LazyConn::from(conn.into()), dep).await?.0)
}

/// May a result made stale by a later write be served to this request?
pub(super) fn may_serve_stale() -> bool {
    REQUEST.try_with(|r| !r.fresh).unwrap_or(false)
}

pub(super) fn note_stale(age: Duration) {
    let ms = age.as_millis().clamp(1, u64::MAX as u128) as u64;
    let _ = REQUEST.try_with(|r| r.stale_ms.fetch_max(ms, Ordering::Relaxed));
}

pub(super) enum Lookup<T> {
    Hit(Arc<T>),
    /// Kept for an older version: the value, computed this long ago, last known current this long
    /// ago, computed in this long, last read this long ago.
    Old(Arc<T>, Duration, Duration, Duration, Duration),
    Miss,
}

impl VersionCache {
    /// A cache keeping at most `budget` bytes of results.
    pub fn new(budget: usize, pool: sqlx::PgPool, stale: Duration) -> Self {
        Self {
            budget,
            used: Arc::default(),
            pool,
            stale,
            refresh_every: Duration::ZERO,
            entries: Arc::default(),
            ahead_cycle: Arc::default(),
            computing: Arc::default(),
        }
    }

    /// The same cache refreshing a stale result once it is `every` old (see `refresh_every`).
    pub fn refreshing_every(mut self, every: Duration) -> Self {
        self.refresh_every = every;
        self
    }

    /// Does the node refresh this result ahead after a write (`keep_current`)? A costly one
    /// (`KEEP_COSTLY`) read within `REFRESH_AHEAD_WITHIN` (`unread`: how long ago).
    fn refreshed_ahead(took: Duration, unread: Duration) -> bool {
        took >= KEEP_COSTLY && unread < REFRESH_AHEAD_WITHIN
    }

    /// How long one result's refresh ahead holds the node's turn: its computing time, then
    /// `AHEAD_SHARE` times as long before the next starts, and at least one `KEEP_EVERY` tick
    /// (one refresh ahead starts per tick at most).
    fn ahead_turn(e: &Entry) -> Duration {
        e.took + (e.took * AHEAD_SHARE).max(KEEP_EVERY)
    }

    /// This cache's part of the node's refresh-ahead cycle: the turns of its costly results read
    /// within `REFRESH_AHEAD_WITHIN`.
    pub fn ahead_cycle_part(&self) -> Duration {
        match self.entries.lock() {
            Ok(map) => map
                .values()
                .filter(|e| Self::refreshed_ahead(e.took, e.last_used.elapsed()))
                .map(Self::ahead_turn)
                .sum(),
            Err(_) => Duration::ZERO,
        }
    }

    /// The node's whole refresh-ahead cycle (the sum of its caches' parts), which a stale result
    /// may be served for (`serve_stale_until`).
    pub fn set_ahead_cycle(&self, cycle: Duration) {
        self.ahead_cycle.store(cycle.as_millis().min(u64::MAX as u128) as u64, Ordering::Relaxed);
    }

    /// How long ago the result kept under `key` was last read (none kept).
    pub fn unread_for(&self, key: &str) -> Option<Duration> {
        self.entries.lock().ok()?.get(key).map(|e| e.last_used.elapsed())
    }

    /// The bytes of results kept now (estimated).
    pub fn used_bytes(&self) -> u64 {
        self.used.load(Ordering::Relaxed)
    }

    /// `newer_ok`: the version came from the node's watch, so a result kept for a later one (a
    /// reader or refresh that read the database after the watch last did) is current too.
    fn lookup<T: Weigh + Send + Sync + 'static>(&self, key: &str, version: i64, newer_ok: bool) -> Lookup<T> {
        let Ok(mut map) = self.entries.lock() else { return Lookup::Miss };
        let Some(entry) = map.get_mut(key) else { return Lookup::Miss };
        let Ok(value) = entry.value.clone().downcast::<T>() else { return Lookup::Miss };
        if entry.version == version || (newer_ok && entry.version > version) {
            let now = Instant::now();
            entry.last_used = now;
            entry.current_at = now;
            Lookup::Hit(value)
        } else if entry.version < version {
            // Read now: served as it was, or computed again for this reader.
            let unread = entry.last_used.elapsed();
            entry.last_used = Instant::now();
            Lookup::Old(value, entry.computed.elapsed(), entry.current_at.elapsed(), entry.took, unread)
        } else {
            // Kept for a newer version than this reader's snapshot (a replica behind): computed
            // again for this reader, not kept.
            Lookup::Miss
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn store(
        &self,
        key: String,
        dep: &Depends,
        version: i64,
        computed: Instant,
        bytes: usize,
        value: Arc<dyn Any + Send + Sync>,
        refresh: Refresher,
    ) {
        let bytes = bytes + key.len() + 64;
        if bytes > self.budget {
            // Larger than the whole budget: served to this reader, never kept.
            return;
        }
        if let Ok(mut map) = self.entries.lock() {
            if map.get(&key).is_some_and(|e| e.version > version) {
                return;
            }
            let mut used: usize = map.get(&key).map_or(0, |e| e.bytes);
            used = (self.used.load(Ordering::Relaxed) as usize).saturating_sub(used) + bytes;
            if used > self.budget {
                // The least recently used go first, until the new one fits.
                let mut by_use: Vec<(Instant, String, usize)> =
                    map.iter().filter(|(k, _)| **k != key).map(|(k, e)| (e.last_used, k.clone(), e.bytes)).collect();
                by_use.sort_unstable_by_key(|e| e.0);
                for (_, k, b) in by_use {
                    if used <= self.budget {
                        break;
                    }
                    map.remove(&k);
                    used -= b;
                }
            }
            // A refresh is not a read: a result refreshed ahead keeps the time it was last read,
            // so one nobody reads any more stops being refreshed after `REFRESH_AHEAD_WITHIN`
            // (each refresh used to count as a read, and under a steady stream of writes the
            // node kept refreshing results nobody had opened since it started).
            let last_used = map.get(&key).map_or_else(Instant::now, |e| e.last_used);
            let entry = Entry {
                version,
                dep: dep.clone(),
                last_used,
                computed,
                current_at: computed,
                bytes,
                value,
                took: computed.elapsed(),
                refresh,
            };
            map.insert(key, entry);
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
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, E>> + Clone + Send + Sync + 'static,
    {
        self.get_in(Depends::All, conn, key, compute).await
    }

    /// The result for `key` at the current version of what it depends on (`dep`): reused when
    /// this node computed it for this version, else computed by `compute` in one consistent
    /// snapshot and kept. `key` must name everything the result depends on besides the records
    /// (unit, date, language, the reader's scope…).
    /// A page request may be served the previous result, at most `stale` behind the records
    /// (`serve_stale_until`), while one background task computes the new one (see the
    /// module's comment).
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
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, E>> + Clone + Send + Sync + 'static,
    {
        self.get_with(dep, conn, key, compute, false).await
    }

    /// `get_in` for a figure that may lag a moment even for a reader who just wrote (a count
    /// their write rarely changes, shown beside the current lists): the previous result, as far
    /// behind as `serve_stale_until` allows, while one background task computes the new one.
    pub async fn get_in_lagging<'a, T, E, F>(
        &self,
        dep: Depends,
        conn: impl Into<Source<'a>>,
        key: String,
        compute: F,
    ) -> Result<Arc<T>, E>
    where
        T: Weigh + Send + Sync + 'static,
        E: From<sqlx::Error> + std::fmt::Debug + Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, E>> + Clone + Send + Sync + 'static,
    {
        self.get_with(dep, conn, key, compute, true).await
    }

    /// A stale result is refreshed once it is this old: `refresh_every`, or five times what it
    /// took to compute. A result that costs 0.6 s is refreshed at most every 3 s, one that costs
    /// 4 s (a department's figures at 100 000 staff) every 20 s: under a stream of writes each
    /// kept result's refreshes take at most a fifth of a core.
    fn refresh_after(&self, took: Duration) -> Duration {
        self.refresh_every.max(took * 5)
    }

    /// A stale result may be served while it is at most this far behind the records (since it
    /// was last known current): the stale window, or long enough for its refresh to start and
    /// finish, so that no reader waits for a costly result's refresh (a zero window serves
    /// nothing stale). On a node that refreshes ahead, also as long as those refreshes take to
    /// come round to it (`ahead_cycle`, at most `AHEAD_CYCLE_CAP`): with several costly results
    /// and a fifth of a core for them, each is refreshed ahead less often than every seven times
    /// its cost, and its next reader waited for it (at 100 000 staff the approval queue's first
    /// view after a change took 1-1.3 s).
    /// The cycle counts only for a result the node refreshes ahead (`refreshed_ahead`, `unread`
    /// being how long ago it was last read); others come round only when a reader asks.
    fn serve_stale_until(&self, took: Duration, unread: Duration) -> Duration {
        if self.stale.is_zero() {
            return Duration::ZERO;
        }
        let cycle = Duration::from_millis(self.ahead_cycle.load(Ordering::Relaxed));
        let round = if cycle.is_zero() || !Self::refreshed_ahead(took, unread) {
            Duration::ZERO
        } else {
            (cycle + took).min(AHEAD_CYCLE_CAP)
        };
        self.stale.max(self.refresh_after(took) + took * 2).max(round)
    }

    /// `get_in` (`lag_ok` false) or `get_in_lagging` (true), for a caller that reads one figure
    /// both ways.
    pub async fn get_with<'a, T, E, F>(
        &self,
        dep: Depends,
        conn: impl Into<Source<'a>>,
        key: String,
        compute: F,
        lag_ok: bool,
    ) -> Result<Arc<T>, E>
    where
        T: Weigh + Send + Sync + 'static,
        E: From<sqlx::Error> + std::fmt::Debug + Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, E>> + Clone + Send + Sync + 'static,
    {
        // A connection is taken from the pool only when the version or the value needs the
        // database: a page served from kept results costs no round trip. (sqlx pings every
        // connection it is given back, so a connection taken and not used still cost one; at
        // two or three results a page, kept pages answered at 0.4 of `/ping`.)
        let mut source = LazyConn::from(conn.into());
        let (now, shared) = request_version(&mut source, &dep).await?;
        match self.lookup::<T>(&key, now, shared) {
            Lookup::Hit(hit) => return Ok(hit),
            Lookup::Old(old, age, behind, took, unread)
                if behind < self.serve_stale_until(took, unread) && (lag_ok || may_serve_stale()) =>
            {
                // Served as it was; the first reader to find it stale, once it is old enough,
                // starts its refresh (see `refresh_after`).
                let gate = self.gate(&key);
                if age < self.refresh_after(took) {
                    // Computed a moment ago: the writes since wait for the next refresh.
                } else if let Ok(turn) = gate.try_lock_owned() {
                    self.spawn_refresh(turn, dep, key, compute);
                }
                note_stale(behind);
                return Ok(old);
            }
            _ => {}
        }
        let conn = source.conn().await?;
        let gate = self.gate(&key);
        let _turn = match gate.clone().try_lock_owned() {
            Ok(turn) => turn,
            Err(_) => {
                // Another reader is computing it: wait, then take theirs if it is still current.
                let turn = gate.lock_owned().await;
                let now = version_of(&mut *conn, &dep).await?;
                if let Lookup::Hit(hit) = self.lookup::<T>(&key, now, false) {
                    return Ok(hit);
                }
                turn
            }
        };
        self.compute_and_store(conn, &dep, key, compute).await
    }

    /// Compute a kept result again in the background, holding its key's `turn`.
    fn spawn_refresh<T, E, F>(
        &self,
        turn: tokio::sync::OwnedMutexGuard<()>,
        dep: Depends,
        key: String,
        compute: F,
    ) -> tokio::task::JoinHandle<()>
    where
        T: Weigh + Send + Sync + 'static,
        E: From<sqlx::Error> + std::fmt::Debug + Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, E>> + Clone + Send + Sync + 'static,
    {
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
        })
    }

    /// Keep the costly results read lately (`KEEP_COSTLY`) current, so that their readers do
    /// not wait for them. Without this, the first reader after a quiet while, or after writes
    /// nobody was reading through, waited for the whole computation (at 100 000 staff, 3-6 s for
    /// HR's home).
    /// - Still current (read within `CONFIRM_WITHIN`): marked as known current now, so after the
    ///   next write they are served at once, marked as a moment behind, however long ago they
    ///   were computed. One version read per dependency, none when the node's `watch` knows it.
    /// - Made stale by a write (read within `REFRESH_AHEAD_WITHIN`): refreshed here once
    ///   `refresh_after` allows, the one furthest behind first, when the node's `ahead` is free:
    ///   one refresh ahead at a time over all its caches, at most one part in `AHEAD_SHARE` of a
    ///   core.
    pub async fn keep_current(&self, watch: Option<&VersionWatch>, ahead: &Mutex<Ahead>) -> Result<Kept, sqlx::Error> {
        keep_current_all(std::slice::from_ref(self), watch, ahead).await
    }

    /// `keep_current`'s work in this cache: confirms what is still current (counted in `kept`)
    /// and proposes the result furthest behind whose refresh ahead is due.
    async fn confirm_and_propose(
        &self,
        watch: Option<&VersionWatch>,
        kept: &mut Kept,
    ) -> Result<Option<Proposal>, sqlx::Error> {
        let wanted: Vec<(String, Depends, i64)> = match self.entries.lock() {
            Ok(map) => map
                .iter()
                .filter(|(_, e)| e.took >= KEEP_COSTLY && e.last_used.elapsed() < CONFIRM_WITHIN)
                .map(|(k, e)| (k.clone(), e.dep.clone(), e.version))
                .collect(),
            Err(_) => return Ok(None),
        };
        if wanted.is_empty() {
            return Ok(None);
        }
        // What the watch answers is current within its poll; what the database answers, now.
        let asked = Instant::now();
        let as_of = asked.checked_sub(super::POLL).unwrap_or(asked);
        let mut versions: HashMap<&Depends, i64> = HashMap::new();
        let mut conn = None;
        for (_, dep, _) in &wanted {
            if versions.contains_key(dep) {
                continue;
            }
            let v = match watch.and_then(|w| w.get(dep)) {
                Some(v) => v,
                None => {
                    let c = match &mut conn {
                        Some(c) => c,
                        None => conn.insert(self.pool.acquire().await?),
                    };
                    let seen = watch.map(VersionWatch::generation);
                    let v = version_of(c, dep).await?;
                    if let (Some(w), Some(seen)) = (watch, seen) {
                        w.put(dep, v, seen);
                    }
                    v
                }
            };
            versions.insert(dep, v);
        }
        drop(conn);
        let mut behind: Option<Proposal> = None;
        if let Ok(mut map) = self.entries.lock() {
            for (key, dep, version) in &wanted {
                let Some(e) = map.get_mut(key) else { continue };
                let Some(&now) = versions.get(dep) else { continue };
                if e.version != *version {
                    // Computed again meanwhile.
                } else if now <= *version {
                    if e.current_at < as_of {
                        e.current_at = as_of;
                        kept.confirmed += 1;
                    }
                } else if Self::refreshed_ahead(e.took, e.last_used.elapsed())
                    && e.computed.elapsed() >= self.refresh_after(e.took)
                    && behind.as_ref().is_none_or(|b| e.current_at < b.current_at)
                {
                    behind = Some(Proposal {
                        current_at: e.current_at,
                        key: key.clone(),
                        refresh: e.refresh.clone(),
                        took: e.took,
                    });
                }
            }
        }
        Ok(behind)
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
        E: From<sqlx::Error> + std::fmt::Debug + Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> BoxFuture<'c, Result<T, E>> + Clone + Send + Sync + 'static,
    {
        let refresh: Refresher = {
            let (dep, key, compute) = (dep.clone(), key.clone(), compute.clone());
            Arc::new(move |cache: &VersionCache, turn| {
                cache.spawn_refresh(turn, dep.clone(), key.clone(), compute.clone())
            })
        };
        let started = Instant::now();
        // A transaction object rolls back if this request is dropped half-way.
        let mut tx =
            sqlx::Connection::begin_with(&mut *conn, "begin isolation level repeatable read, read only").await?;
        let seen = version_of(&mut tx, dep).await?;
        let value = compute(&mut tx).await?;
        tx.rollback().await?;
        let bytes = value.bytes();
        let value = Arc::new(value);
        self.store(key, dep, seen, started, bytes, value.clone(), refresh);
        Ok(value)
    }
}

/// A result a cache proposes to refresh ahead (`VersionCache::confirm_and_propose`).
struct Proposal {
    current_at: Instant,
    key: String,
    refresh: Refresher,
    took: Duration,
}

/// `VersionCache::keep_current` over all of a node's caches at once: each confirms its results
/// still current, and the one result furthest behind among all of them is refreshed ahead when
/// the node's `ahead` is free. Asked one cache after the other, the first cache took every free
/// turn and the second's results (the approval queue, the counts beside the menu) were never
/// refreshed ahead under a stream of writes: their readers waited for them.
pub async fn keep_current_all(
    caches: &[VersionCache],
    watch: Option<&VersionWatch>,
    ahead: &Mutex<Ahead>,
) -> Result<Kept, sqlx::Error> {
    let mut kept = Kept::default();
    let mut proposed: Vec<(&VersionCache, Proposal)> = vec![];
    let mut failed = None;
    for cache in caches {
        // One cache failing to read its versions does not keep the others' results current.
        match cache.confirm_and_propose(watch, &mut kept).await {
            Ok(Some(p)) => proposed.push((cache, p)),
            Ok(None) => {}
            Err(e) => failed = failed.or(Some(e)),
        }
    }
    proposed.sort_by_key(|(_, p)| p.current_at);
    if let Ok(mut ahead) = ahead.lock()
        && ahead.free()
    {
        // The furthest behind whose key is free (a reader may be computing the first).
        for (cache, p) in proposed {
            if let Ok(turn) = cache.gate(&p.key).try_lock_owned() {
                ahead.running = Some((p.refresh)(cache, turn));
                ahead.next = Some(Instant::now() + p.took * AHEAD_SHARE);
                kept.refreshing += 1;
                break;
            }
        }
    }
    match failed {
        Some(e) => Err(e),
        None => Ok(kept),
    }
}

/// Keep `caches`' costly results current every `KEEP_EVERY` (see `VersionCache::keep_current`)
/// until the node stops (its watch is dropped with its state).
pub async fn keep_current_loop(caches: Vec<VersionCache>, watch: std::sync::Weak<VersionWatch>) {
    let mut failing = false;
    let ahead = Mutex::default();
    loop {
        tokio::time::sleep(KEEP_EVERY).await;
        let Some(w) = watch.upgrade() else { return };
        let cycle: Duration = caches.iter().map(VersionCache::ahead_cycle_part).sum();
        for cache in &caches {
            cache.set_ahead_cycle(cycle);
        }
        match keep_current_all(&caches, Some(&w), &ahead).await {
            Ok(_) => failing = false,
            Err(e) if !failing => {
                tracing::warn!(error = %e, "keeping kept results current; their readers may wait meanwhile");
                failing = true;
            }
            Err(_) => {}
        }
    }
}
