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

/// A figure and when it was counted.
type Kept = (Instant, Arc<dyn Any + Send + Sync>);

#[derive(Clone, Default)]
pub struct Recent(Arc<Mutex<HashMap<&'static str, Kept>>>);

impl Recent {
    /// The value kept for `key` if counted within `RECENT_TTL` (and `fresh` is false), else what
    /// `make` counts now, kept.
    pub async fn get<T, E, F>(&self, key: &'static str, fresh: bool, make: impl FnOnce() -> F) -> Result<Arc<T>, E>
    where
        T: Send + Sync + 'static,
        F: Future<Output = Result<T, E>>,
    {
        if !fresh
            && let Ok(map) = self.0.lock()
            && let Some((at, v)) = map.get(key)
            && at.elapsed() < RECENT_TTL
            && let Ok(v) = v.clone().downcast::<T>()
        {
            return Ok(v);
        }
        let v = Arc::new(make().await?);
        if let Ok(mut map) = self.0.lock() {
            map.insert(key, (Instant::now(), v.clone()));
        }
        Ok(v)
    }
}
