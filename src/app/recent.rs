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

/// A reader who finds a figure past its time while another reader counts it again is shown the
/// previous one, for at most this long after that count began (a count whose reader went away is
/// taken over by the next reader).
const RECOUNT_WAIT: Duration = Duration::from_secs(5);

/// A figure, when it was counted, and since when a reader has been counting it again.
struct Kept {
    at: Instant,
    value: Arc<dyn Any + Send + Sync>,
    recounting: Option<Instant>,
}

#[derive(Clone, Default)]
pub struct Recent(Arc<Mutex<HashMap<String, Kept>>>);

impl Recent {
    /// The value kept for `key` if counted within `ttl` (and `fresh` is false), else what `make`
    /// counts now, kept. Once it is past `ttl`, one reader counts it again while the others are
    /// shown the previous value: without this every reader of a busy page counted it at once
    /// each time it expired (the plan page's runs every second, 32 readers each taking a
    /// connection: a p99 of 80-300 ms under writes).
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
            && let Ok(mut map) = self.0.lock()
            && let Some(kept) = map.get_mut(&key)
            && let Ok(v) = kept.value.clone().downcast::<T>()
        {
            if kept.at.elapsed() < ttl || kept.recounting.is_some_and(|since| since.elapsed() < RECOUNT_WAIT) {
                return Ok(v);
            }
            kept.recounting = Some(Instant::now());
        }
        let made = make().await;
        let Ok(mut map) = self.0.lock() else { return made.map(Arc::new) };
        match made {
            Ok(v) => {
                let v = Arc::new(v);
                if map.len() > 10_000 {
                    map.retain(|_, k| k.at.elapsed() < ttl);
                }
                map.insert(key, Kept { at: Instant::now(), value: v.clone(), recounting: None });
                Ok(v)
            }
            Err(e) => {
                if let Some(kept) = map.get_mut(&key) {
                    kept.recounting = None;
                }
                Err(e)
            }
        }
    }

    /// Forget what is kept under `key` (this node changed it: its next reader reads it again).
    pub fn forget(&self, key: &str) {
        if let Ok(mut map) = self.0.lock() {
            map.remove(key);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Past its time a figure is counted again by one reader; a reader meanwhile is shown the
    /// previous one; a reader who wrote always counts; a failed count leaves it to the next.
    #[tokio::test]
    async fn one_reader_counts_again_while_the_others_see_the_previous_figure() {
        let recent = Recent::default();
        let ttl = Duration::from_millis(20);
        let get = |n: i64, fresh: bool| {
            let recent = recent.clone();
            async move { recent.get("k".into(), ttl, fresh, || async move { Ok::<_, ()>(n) }).await.map(|v| *v) }
        };
        assert_eq!(get(1, false).await, Ok(1));
        assert_eq!(get(2, false).await, Ok(1), "within its time");
        assert_eq!(get(3, true).await, Ok(3), "a reader who wrote counts");
        tokio::time::sleep(ttl * 2).await;
        // One reader counts again and is slow; another reader meanwhile sees the previous figure.
        let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
        let (finish_tx, finish_rx) = tokio::sync::oneshot::channel::<()>();
        let slow = {
            let recent = recent.clone();
            tokio::spawn(async move {
                recent
                    .get("k".into(), ttl, false, || async move {
                        let _ = started_tx.send(());
                        let _ = finish_rx.await;
                        Ok::<i64, ()>(4)
                    })
                    .await
                    .map(|v| *v)
            })
        };
        started_rx.await.expect("the count started");
        assert_eq!(get(5, false).await, Ok(3), "the previous figure while another counts");
        let _ = finish_tx.send(());
        assert_eq!(slow.await.expect("joined"), Ok(4));
        assert_eq!(get(6, false).await, Ok(4), "the new figure");
        // A count that fails leaves the next reader to count.
        tokio::time::sleep(ttl * 2).await;
        let failed = recent.get("k".into(), ttl, false, || async { Err::<i64, ()>(()) }).await;
        assert!(failed.is_err());
        assert_eq!(get(7, false).await, Ok(7));
    }
}
