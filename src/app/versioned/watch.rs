//! The node's view of the records' versions, so a page does not ask the database for them.
//!
//! Reading a kept result's version was a round trip on every page, and on most pages the only
//! one: a page served from kept results cost the database more than `select 1`. A node now
//! watches the version of everything (`records_version(null)`, one read every `POLL`) and keeps
//! the versions its pages read (`records_version(unit)`) until that moves. A page then reads none.
//!
//! What this costs: another account's write shows on this node within `POLL` (and the version
//! read after it), as if the page had been asked for a moment earlier. A user who wrote moments
//! ago (the recent-write cookie), a write (POST) and background work still read the version in
//! their own snapshot, so one's own write always shows on one's next page. When the watch cannot
//! read (the database is away) it stops answering, and pages read the versions themselves again.

use super::*;

/// How often a node reads the version of everything.
pub const POLL: Duration = Duration::from_millis(100);

#[derive(Default)]
pub struct VersionWatch {
    /// Whether a watcher is running and its last read succeeded: otherwise nothing is answered.
    live: std::sync::atomic::AtomicBool,
    /// The version of everything at the last read.
    total: std::sync::atomic::AtomicI64,
    /// Moves each time the versions kept below are dropped.
    generation: AtomicU64,
    /// Versions read by pages since the version of everything last moved.
    kept: Mutex<HashMap<Depends, i64>>,
}

impl VersionWatch {
    /// The version of `dep` as this node last read it, when it is known to be current (within
    /// `POLL`).
    pub fn get(&self, dep: &Depends) -> Option<i64> {
        if !self.live.load(Ordering::Acquire) {
            return None;
        }
        self.kept.lock().ok()?.get(dep).copied()
    }

    /// Where a reader is before it reads a version from the database: pass it to `put`.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keep `version` of `dep`, read after `generation()` returned `seen`; dropped if the version
    /// of everything has moved since (the value may predate that move).
    pub fn put(&self, dep: &Depends, version: i64, seen: u64) {
        if !self.live.load(Ordering::Acquire) {
            return;
        }
        if let Ok(mut kept) = self.kept.lock()
            && self.generation.load(Ordering::Acquire) == seen
        {
            if kept.len() > 10_000 {
                kept.clear();
            }
            kept.insert(dep.clone(), version);
        }
    }

    fn forget(&self) {
        if let Ok(mut kept) = self.kept.lock() {
            // Under the lock, so a `put` of a value read before this cannot land after it.
            self.generation.fetch_add(1, Ordering::AcqRel);
            kept.clear();
        }
    }

    /// Read the version of everything once; drop the kept versions when it moved. True when it
    /// moved (or the watch just came back).
    pub async fn poll(&self, pool: &sqlx::PgPool) -> Result<bool, sqlx::Error> {
        let read = sqlx::query_scalar!(r#"select records_version(null) as "v!""#).fetch_one(pool).await;
        let total = match read {
            Ok(v) => v,
            Err(e) => {
                self.live.store(false, Ordering::Release);
                self.forget();
                return Err(e);
            }
        };
        let was_live = self.live.load(Ordering::Acquire);
        let moved = !was_live || self.total.swap(total, Ordering::AcqRel) != total;
        if moved {
            self.total.store(total, Ordering::Release);
            self.forget();
        }
        self.live.store(true, Ordering::Release);
        if moved {
            // What was just read is the version of everything itself.
            self.put(&Depends::All, total, self.generation());
        }
        Ok(moved)
    }

    /// Watch until the node stops (the watch is dropped with its state).
    pub async fn run(watch: std::sync::Weak<Self>, pool: sqlx::PgPool) {
        let mut failing = false;
        loop {
            let Some(w) = watch.upgrade() else { return };
            match w.poll(&pool).await {
                Ok(_) => failing = false,
                Err(e) if !failing => {
                    tracing::warn!(error = %e, "reading the records' version; pages read it themselves meanwhile");
                    failing = true;
                }
                Err(_) => {}
            }
            drop(w);
            tokio::time::sleep(POLL).await;
        }
    }
}
