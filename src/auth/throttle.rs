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

/// Failed attempts since the last success, within the window.
pub async fn failures(conn: &mut PgConnection, username_key: &str, ip: &str) -> Result<Failures, sqlx::Error> {
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

pub async fn record(conn: &mut PgConnection, username_key: &str, ip: &str, success: bool) -> Result<(), sqlx::Error> {
    sqlx::query("insert into login_attempts (username_key, ip, success) values ($1, $2, $3)")
        .bind(username_key)
        .bind(ip)
        .bind(success)
        .execute(conn)
        .await?;
    Ok(())
}
