//! Login throttling: per typed username and per address, counted over a window.
//! After `SLOW_AFTER` failures each attempt waits longer; after `LOCK_AFTER` the username (or
//! after `IP_LOCK_AFTER` the address) is locked until the window passes. Unknown usernames are
//! throttled exactly like known ones, so nothing reveals whether an account exists.

use std::time::Duration;

use sqlx::PgConnection;

pub const WINDOW_MINUTES: i64 = 15;
pub const SLOW_AFTER: i64 = 3;
pub const LOCK_AFTER: i64 = 5;
pub const IP_LOCK_AFTER: i64 = 30;

pub struct Failures {
    pub user: i64,
    pub ip: i64,
}

impl Failures {
    pub fn locked(&self) -> bool {
        self.user >= LOCK_AFTER || self.ip >= IP_LOCK_AFTER
    }

    pub fn delay(&self, base_ms: u64) -> Duration {
        let n = self.user.max(self.ip / 6);
        if n < SLOW_AFTER {
            return Duration::ZERO;
        }
        let factor = 1u64 << (n - SLOW_AFTER).min(3);
        Duration::from_millis((base_ms * factor).min(4000))
    }
}

/// What the gate said of one sign-in attempt.
pub enum Gate {
    /// Too many failures: answer 429 without hashing anything.
    Locked,
    /// A slot is reserved: the attempt is already counted as a failure (row `attempt`) and turns
    /// into a success only if the password is right. `failures` is what was counted before it.
    Open { attempt: i64, failures: Failures },
}

/// Count the failures and reserve this attempt's slot in one transaction, under advisory locks on
/// the username and the address, before any password is checked. Concurrent attempts for the same
/// username or address line up here (on any number of nodes: the locks are PostgreSQL's), so each
/// sees the slots reserved before it, and the limits hold however many arrive at once.
pub async fn reserve(pool: &sqlx::PgPool, username_key: &str, ip: &str) -> Result<Gate, sqlx::Error> {
    let mut tx = pool.begin().await?;
    // Always the username's lock first, then the address's: no two attempts wait on each other in
    // a circle. The two key spaces (1, 2) keep a username and an address that hash alike apart.
    sqlx::query("select pg_advisory_xact_lock(1, hashtext($1))").bind(username_key).execute(&mut *tx).await?;
    if !ip.is_empty() {
        sqlx::query("select pg_advisory_xact_lock(2, hashtext($1))").bind(ip).execute(&mut *tx).await?;
    }
    let failures = failures(&mut tx, username_key, ip).await?;
    if failures.locked() {
        tx.commit().await?;
        return Ok(Gate::Locked);
    }
    let attempt: i64 = sqlx::query_scalar(
        "insert into login_attempts (username_key, ip, success) values ($1, $2, false) returning id",
    )
    .bind(username_key)
    .bind(ip)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Gate::Open { attempt, failures })
}

/// The reserved attempt succeeded: it no longer counts as a failure, and resets the username's count.
pub async fn succeeded(conn: &mut PgConnection, attempt: i64) -> Result<(), sqlx::Error> {
    sqlx::query("update login_attempts set success = true where id = $1").bind(attempt).execute(conn).await?;
    Ok(())
}

/// Failed attempts since the last success, within the window (reserved slots count as failures).
async fn failures(conn: &mut PgConnection, username_key: &str, ip: &str) -> Result<Failures, sqlx::Error> {
    let (user, ip): (i64, i64) = sqlx::query_as(
        "select
           (select count(*) from login_attempts
             where username_key = $1 and not success and at > now() - make_interval(mins => $3::int)
               and at > coalesce((select max(at) from login_attempts where username_key = $1 and success), '-infinity')),
           (select count(*) from login_attempts
             where ip = $2 and $2 <> '' and not success and at > now() - make_interval(mins => $3::int))",
    )
    .bind(username_key)
    .bind(ip)
    .bind(WINDOW_MINUTES as i32)
    .fetch_one(conn)
    .await?;
    Ok(Failures { user, ip })
}
