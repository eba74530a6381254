//! Two writers that meet in the database: PostgreSQL breaks a deadlock (SQLSTATE 40P01) by
//! aborting one of the transactions, and a serialization failure (40001) aborts one as well.
//! Nothing of the aborted transaction was written and running it again works, so the decisions
//! and budget checks run their transaction through [`transaction`], which tries again a few times
//! after a short, growing, jittered pause. Only what is still failing after that reaches the user
//! (as 409, "try again").

use std::{future::Future, time::Duration};

use rand::Rng as _;

use super::AppError;

/// Attempts in all (the first and the retries).
pub const ATTEMPTS: u32 = 4;

/// Whether `e` is a deadlock or a serialization failure: the transaction was rolled back and can
/// simply run again.
pub fn is_transient(e: &AppError) -> bool {
    matches!(e, AppError::Db(sqlx::Error::Database(d)) if d.code().is_some_and(|c| c == "40P01" || c == "40001"))
}

/// The pause before retry `n` (1, 2, …): 20, 40, 80 ms, each with up to as much again at random so
/// the two that met do not meet again.
fn pause(n: u32) -> Duration {
    let base = 20u64 << (n.saturating_sub(1)).min(5);
    Duration::from_millis(base + rand::thread_rng().gen_range(0..=base))
}

/// Run `attempt` (one whole transaction: begin, work, commit) and run it again while it fails with
/// a deadlock or a serialization failure, at most [`ATTEMPTS`] times in all. Any other outcome,
/// success or error, is returned as it is. `attempt` must do nothing outside its transaction that
/// cannot be done twice.
pub async fn transaction<T, F, Fut>(mut attempt: F) -> Result<T, AppError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, AppError>>,
{
    let mut n = 1;
    loop {
        match attempt().await {
            Err(e) if is_transient(&e) && n < ATTEMPTS => {
                tracing::info!(attempt = n, error = %e, "transaction met another; trying again");
                tokio::time::sleep(pause(n)).await;
                n += 1;
            }
            outcome => return outcome,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicU32, Ordering};

    use super::*;

    /// A database error with `code`, as PostgreSQL would send it.
    #[derive(Debug)]
    struct Coded(&'static str);

    impl std::fmt::Display for Coded {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "error {}", self.0)
        }
    }

    impl std::error::Error for Coded {}

    impl sqlx::error::DatabaseError for Coded {
        fn message(&self) -> &str {
            "coded"
        }

        fn code(&self) -> Option<std::borrow::Cow<'_, str>> {
            Some(self.0.into())
        }

        fn as_error(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
            self
        }

        fn as_error_mut(&mut self) -> &mut (dyn std::error::Error + Send + Sync + 'static) {
            self
        }

        fn into_error(self: Box<Self>) -> Box<dyn std::error::Error + Send + Sync + 'static> {
            self
        }

        fn kind(&self) -> sqlx::error::ErrorKind {
            sqlx::error::ErrorKind::Other
        }
    }

    fn db(code: &'static str) -> AppError {
        AppError::Db(sqlx::Error::Database(Box::new(Coded(code))))
    }

    /// Fails with `code` the first `fails` times, then succeeds; counts the attempts.
    async fn run(code: &'static str, fails: u32) -> (Result<u32, AppError>, u32) {
        let tries = AtomicU32::new(0);
        let out = transaction(|| {
            let n = tries.fetch_add(1, Ordering::SeqCst) + 1;
            async move { if n <= fails { Err(db(code)) } else { Ok(n) } }
        })
        .await;
        (out, tries.load(Ordering::SeqCst))
    }

    #[tokio::test]
    async fn a_deadlock_or_a_serialization_failure_runs_again_a_few_times() {
        let (out, tries) = run("40P01", 2).await;
        assert_eq!((out.ok(), tries), (Some(3), 3), "a deadlock, twice, then done");
        let (out, tries) = run("40001", 1).await;
        assert_eq!((out.ok(), tries), (Some(2), 2), "a serialization failure, once");
        // Still meeting after every attempt: the error goes out (as 409).
        let (out, tries) = run("40P01", 10).await;
        assert_eq!(tries, ATTEMPTS);
        let e = out.expect_err("gives up");
        assert!(is_transient(&e));
        assert_eq!(e.meta().kind, crate::app::error::ErrorKind::Conflict);
    }

    #[tokio::test]
    async fn any_other_outcome_is_returned_at_once() {
        let (out, tries) = run("23505", 5).await;
        assert!(out.is_err() && tries == 1, "a unique violation is not retried");
        let tries = AtomicU32::new(0);
        let out: Result<(), AppError> = transaction(|| {
            tries.fetch_add(1, Ordering::SeqCst);
            async { Err(AppError::Conflict("flash.already_decided")) }
        })
        .await;
        assert!(matches!(out, Err(AppError::Conflict(_))) && tries.load(Ordering::SeqCst) == 1);
        let (out, tries) = run("40P01", 0).await;
        assert_eq!((out.ok(), tries), (Some(1), 1));
    }

    #[test]
    fn the_pause_grows_and_stays_short() {
        for n in 1..ATTEMPTS {
            let p = pause(n).as_millis();
            let base = 20u128 << (n - 1);
            assert!((base..=2 * base).contains(&p), "{n}: {p}");
        }
    }
}
