//! Small figures the records' versions do not follow (accounts, sign-in failures), kept for a few
//! seconds per node so a page does not count them on every view. A reader who wrote moments ago
//! counts them again, so their own change shows.

use std::{
    any::Any,
    collections::HashMap,
    future::Future,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

/// How long such a figure is shown before it is counted again.
pub const RECENT_TTL: Duration = Duration::from_secs(5);

/// How long the plan page shows the runs it last read before reading them again (a run that
/// finishes shows within this).
pub const RUNS_TTL: Duration = Duration::from_secs(1);

/// A figure and when it was counted.
type Kept = (Instant, Arc<dyn Any + Send + Sync>);

#[derive(Clone, Default)]
pub struct Recent(Arc<Mutex<HashMap<String, Kept>>>);

impl Recent {
    /// The value kept for `key` if counted within `ttl` (and `fresh` is false), else what `make`
    /// counts now, kept.
    pub async fn get<T, E, F>(
        &self,
        key: String,
        ttl: Duration,
        fresh: bool,
        make: impl FnOnce() -> F,
    ) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: Future<Output = Result<T, E>>,
    {
        if !fresh
            && let Ok(map) = self.0.lock()
            && let Some((at, v)) = map.get(&key)
            && at.elapsed() < ttl
            && let Ok(v) = v.clone().downcast::<T>()
        {
            return Ok(v);
        }
        let v = Arc::new(make().await?);
        if let Ok(mut map) = self.0.lock() {
            if map.len() > 10_000 {
                map.retain(|_, (at, _)| at.elapsed() < ttl);
            }
            map.insert(key, (Instant::now(), v.clone()));
        }
        Ok(v)
    }

    /// Forget what is kept under `key` (this node changed it: its next reader reads it again).
    pub fn forget(&self, key: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(key);
        }
    }
}
