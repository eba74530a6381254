//! Login throttling: per typed username and per address, counted over a window.
//! After `SLOW_AFTER` failures each attempt waits longer; after `LOCK_AFTER` the username (or
//! after `IP_LOCK_AFTER` the address) is locked until the window passes. Unknown usernames are
//! throttled exactly like known ones, so nothing reveals whether an account exists.

use std::time::Duration;

use axum::{http::header, response::Response};
use serde_json::json;
use sqlx::PgConnection;

use crate::{
    app::{AppResult, AppState},
    audit::{self, Actor},
};

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

/// Why a sign-in attempt is turned away before any secret is checked.
pub enum Refused {
    /// Too many failures (the attempt is audited): answer 429.
    Locked,
    /// The gate's lock was not had in time: answer 503, nothing counted.
    Busy,
}

/// The gate every sign-in form passes (password and one-time code alike): reserve the attempt's
/// slot, audit a locked-out attempt, and serve the slow-down. Ok((attempt, failures before it))
/// lets the caller check the secret.
pub async fn enter(state: &AppState, actor: &Actor, throttle_key: &str) -> AppResult<Result<(i64, Failures), Refused>> {
    match reserve(&state.pool, throttle_key, &actor.ip).await {
        Ok(Gate::Locked) => {
            let mut conn = state.pool.acquire().await?;
            let key = &actor.label;
            audit::record(&mut conn, actor, "login", key, "login_blocked", None, Some(json!({"username": key})))
                .await?;
            Ok(Err(Refused::Locked))
        }
        Ok(Gate::Open { attempt, failures }) => {
            tokio::time::sleep(failures.delay(state.config.login_delay_ms)).await;
            Ok(Ok((attempt, failures)))
        }
        Err(e) if is_lock_timeout(&e) => Ok(Err(Refused::Busy)),
        Err(e) => Err(e.into()),
    }
}

/// A busy answer tells the client when to come back.
pub fn busy(res: AppResult<Response>) -> AppResult<Response> {
    let mut res = res?;
    res.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("5"));
    Ok(res)
}

/// Count the failures and reserve this attempt's slot in one transaction, under advisory locks on
/// the username and the address, before any password is checked. Concurrent attempts for the same
/// username or address line up here (on any number of nodes: the locks are PostgreSQL's), so each
/// sees the slots reserved before it, and the limits hold however many arrive at once.
pub async fn reserve(pool: &sqlx::PgPool, username_key: &str, ip: &str) -> Result<Gate, sqlx::Error> {
    let ip = &address_key(ip);
    let mut tx = pool.begin().await?;
    // A flood on one username or address waits here holding pool connections: bounded, so the
    // rest of the portal keeps its connections (the caller answers 503, nothing is counted).
    sqlx::query!("set local lock_timeout = '3s'").execute(&mut *tx).await?;
    // Always the username's lock first, then the address's: no two attempts wait on each other in
    // a circle. The two key spaces (1, 2) keep a username and an address that hash alike apart.
    sqlx::query!("select pg_advisory_xact_lock(1, hashtext($1))", username_key).execute(&mut *tx).await?;
    if !ip.is_empty() {
        sqlx::query!("select pg_advisory_xact_lock(2, hashtext($1))", ip).execute(&mut *tx).await?;
    }
    let failures = failures(&mut tx, username_key, ip).await?;
    if failures.locked() {
        tx.commit().await?;
        return Ok(Gate::Locked);
    }
    let attempt: i64 = sqlx::query_scalar!(
        "insert into login_attempts (username_key, ip, success) values ($1, $2, false) returning id",
        username_key,
        ip
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Gate::Open { attempt, failures })
}

/// The reserved attempt succeeded: it no longer counts as a failure, and resets the username's count.
pub async fn succeeded(conn: &mut PgConnection, attempt: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("update login_attempts set success = true where id = $1", attempt).execute(conn).await?;
    Ok(())
}

/// The reserved attempt was never checked (no hashing slot came free): it is no guess, so it does
/// not count. (Otherwise keeping the server busy would lock real users out.)
pub async fn unchecked(pool: &sqlx::PgPool, attempt: i64) -> Result<(), sqlx::Error> {
    sqlx::query!("delete from login_attempts where id = $1 and not success", attempt).execute(pool).await?;
    Ok(())
}

/// The address an attempt is counted under: an IPv4 address as it is, an IPv6 one by its /64
/// (one end user's network: its 2^64 addresses are one guesser).
pub fn address_key(ip: &str) -> String {
    match ip.parse::<std::net::Ipv6Addr>() {
        Ok(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        Ok(v6) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        Err(_) => ip.to_string(),
    }
}

/// What attempts are counted under: the account where the typed name (or NIP) is one, else the
/// name as typed. The two kinds cannot meet (`account:` / `name:`).
pub fn account_key(account: Option<i64>, typed: &str) -> String {
    match account {
        Some(id) => format!("account:{id}"),
        None => format!("name:{typed}"),
    }
}

/// Whether a database error is the lock wait running out (`lock_timeout`).
pub fn is_lock_timeout(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.code().as_deref() == Some("55P03"))
}

/// Failed attempts since the last success (in the order the slots were reserved, under the
/// locks), within the window; reserved slots count as failures.
async fn failures(conn: &mut PgConnection, username_key: &str, ip: &str) -> Result<Failures, sqlx::Error> {
    // A count's subquery always gives one row: never null.
    let n = sqlx::query!(
        r#"select
             (select count(*) from login_attempts
               where username_key = $1 and not success and at > now() - make_interval(mins => $3::int)
                 and id > coalesce((select max(id) from login_attempts where username_key = $1 and success), 0))
               as "user!",
             (select count(*) from login_attempts
               where ip = $2 and $2 <> '' and not success and at > now() - make_interval(mins => $3::int))
               as "ip!""#,
        username_key,
        ip,
        WINDOW_MINUTES as i32
    )
    .fetch_one(conn)
    .await?;
    Ok(Failures { user: n.user, ip: n.ip })
}
