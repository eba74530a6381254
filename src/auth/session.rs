//! Server-side sessions in PostgreSQL. The cookie holds a random token; the table holds its
//! SHA-256. Idle and absolute expiry are checked on every load; logout deletes the row.

use sha2::{Digest as _, Sha256};
use sqlx::PgConnection;

use super::{CurrentUser, HeadUnit, Role};
use crate::app::{AppState, context::random_token};

pub const SESSION_COOKIE: &str = "cakap_session";

pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

struct Row {
    account_id: i64,
    username: String,
    employee_id: Option<i64>,
    display_name: String,
    must_change_password: bool,
    notes_seen: String,
    email_digest: bool,
    email: Option<String>,
    stale: bool,
    roles: Vec<Role>,
    head_ids: Vec<i64>,
    head_names: Vec<String>,
    head_paths: Vec<String>,
}

/// `sqlx::query_as!` of the `Row` that makes a `CurrentUser` of account `a` (employee `e`), then
/// `$rest` (a literal: `stale`, from, where) with its binds: one definition for a session's user
/// and for an account read without a session (the e-mail digest).
macro_rules! user_row {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            Row,
            r#"select a.id as account_id, a.username, a.employee_id, a.must_change_password,
                      a.notifications_seen_at::text as "notes_seen!", a.email_digest,
                      nullif(trim(e.email), '') as email,
                      coalesce(nullif(trim(employee_display_name(e.front_title, e.name, e.back_title)), ''), a.username)
                        as "display_name!",
                      array(select r.role from account_roles r where r.account_id = a.id order by r.role)
                        as "roles!: Vec<Role>",
                      array(select r.unit_id from account_roles r join units u on u.id = r.unit_id
                            where r.account_id = a.id and r.role = 'head' order by u.sort_key) as "head_ids!: Vec<i64>",
                      array(select u.name from account_roles r join units u on u.id = r.unit_id
                            where r.account_id = a.id and r.role = 'head' order by u.sort_key) as "head_names!",
                      array(select u.path from account_roles r join units u on u.id = r.unit_id
                            where r.account_id = a.id and r.role = 'head' order by u.sort_key) as "head_paths!", "#
                + $rest
            $(, $arg)*
        )
    };
}

/// A node reuses a session's user without asking the database again for
/// `CAKAP_SESSION_REUSE_MS` (`Config::session_reuse`). A session ended on this node (logout,
/// password change, an account disabled, an employee leaving) and the sessions of whoever wrote
/// something are forgotten at once, every session after HR or an admin wrote; a change made on
/// another node reaches this one within that time.
/// At most this many sessions are kept (the expired go first, then all).
const KEPT_MAX: usize = 20_000;

/// Sessions' users this node loaded moments ago, by token hash: most requests of a signed-in
/// user then cost no round trip for the session (measured: the session query was half of the
/// floor request's time). A process-wide map, as the session store is one database whichever
/// app state asks; token hashes are random, so no two databases share a key.
type Kept = std::collections::HashMap<Vec<u8>, (std::time::Instant, CurrentUser)>;
static KEPT: std::sync::LazyLock<std::sync::Mutex<Kept>> = std::sync::LazyLock::new(Default::default);

fn kept(hash: &[u8], reuse: std::time::Duration) -> Option<CurrentUser> {
    if reuse.is_zero() {
        return None;
    }
    let map = KEPT.lock().ok()?;
    map.get(hash).filter(|(at, _)| at.elapsed() < reuse).map(|(_, u)| u.clone())
}

fn keep(hash: Vec<u8>, user: CurrentUser, reuse: std::time::Duration) {
    if reuse.is_zero() {
        return;
    }
    if let Ok(mut map) = KEPT.lock() {
        if map.len() >= KEPT_MAX {
            map.retain(|_, (at, _)| at.elapsed() < reuse);
            if map.len() >= KEPT_MAX {
                map.clear();
            }
        }
        map.insert(hash, (std::time::Instant::now(), user));
    }
}

/// Forget kept sessions: one, or every one of an account, or all.
pub fn forget(hash: Option<&[u8]>, account: Option<i64>) {
    if let Ok(mut map) = KEPT.lock() {
        match (hash, account) {
            (Some(h), _) => {
                map.remove(h);
            }
            (None, Some(a)) => map.retain(|_, (_, u)| u.account_id != a),
            (None, None) => map.clear(),
        }
    }
}

/// Forget every kept session of this node (after a change to accounts or roles).
pub fn forget_all() {
    forget(None, None);
}

/// The user behind a session token, or `None` when the session is unknown, idle too long,
/// past its absolute expiry or the account is disabled.
pub async fn load_user(state: &AppState, token: &str) -> Result<Option<CurrentUser>, sqlx::Error> {
    if token.len() > 100 {
        return Ok(None);
    }
    let hash = token_hash(token);
    if let Some(user) = kept(&hash, state.config.session_reuse) {
        return Ok(Some(user));
    }
    let row: Option<Row> = user_row!(
        r#"s.last_seen_at < now() - interval '60 seconds' as "stale!"
           from sessions s
           join accounts a on a.id = s.account_id
           left join employees e on e.id = a.employee_id
           where s.token_hash = $1
             and s.expires_at > now()
             and s.last_seen_at > now() - make_interval(secs => $2)
             and a.disabled_at is null
             and (e.id is null or e.active)"#,
        &hash,
        state.config.session_idle.as_secs_f64()
    )
    .fetch_optional(&state.pool)
    .await?;
    let Some(r) = row else { return Ok(None) };
    if r.stale {
        sqlx::query!("update sessions set last_seen_at = now() where token_hash = $1", &hash)
            .execute(&state.pool)
            .await?;
    }
    let user = r.into_user(hash.clone());
    keep(hash, user.clone(), state.config.session_reuse);
    Ok(Some(user))
}

impl Row {
    fn into_user(self, session_hash: Vec<u8>) -> CurrentUser {
        let head_units = self
            .head_ids
            .into_iter()
            .zip(self.head_names)
            .zip(self.head_paths)
            .map(|((id, name), path)| HeadUnit { id, name, path })
            .collect();
        CurrentUser {
            account_id: self.account_id,
            username: self.username,
            employee_id: self.employee_id,
            display_name: self.display_name,
            roles: self.roles,
            head_units,
            must_change_password: self.must_change_password,
            notes_seen: self.notes_seen,
            email_digest: self.email_digest,
            email: self.email,
            session_hash,
        }
    }
}

/// An enabled account's user, read without a session (for work done on its behalf, such as
/// its e-mail digest).
pub async fn load_account(pool: &sqlx::PgPool, account_id: i64) -> Result<Option<CurrentUser>, sqlx::Error> {
    let row: Option<Row> = user_row!(
        r#"false as "stale!"
           from accounts a left join employees e on e.id = a.employee_id
           where a.id = $1 and a.disabled_at is null and (e.id is null or e.active)"#,
        account_id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.into_user(Vec::new())))
}

/// Start a new session (a new token every login, so the id rotates) and return the token.
pub async fn create(
    conn: &mut PgConnection,
    state: &AppState,
    account_id: i64,
    ip: &str,
    user_agent: &str,
) -> Result<String, sqlx::Error> {
    let token = random_token();
    sqlx::query!(
        "insert into sessions (token_hash, account_id, expires_at, ip, user_agent)
         values ($1, $2, now() + make_interval(secs => $3), $4, $5)",
        token_hash(&token),
        account_id,
        state.config.session_max.as_secs_f64(),
        ip,
        user_agent.chars().take(300).collect::<String>()
    )
    .execute(&mut *conn)
    .await?;
    sqlx::query!("delete from sessions where expires_at < now() - interval '1 day'").execute(&mut *conn).await?;
    Ok(token)
}

pub async fn delete(conn: &mut PgConnection, hash: &[u8]) -> Result<(), sqlx::Error> {
    forget(Some(hash), None);
    sqlx::query!("delete from sessions where token_hash = $1", hash).execute(conn).await?;
    Ok(())
}

/// End every session of an account except (optionally) one.
pub async fn delete_all_for(conn: &mut PgConnection, account_id: i64, keep: Option<&[u8]>) -> Result<(), sqlx::Error> {
    forget(None, Some(account_id));
    sqlx::query!(
        "delete from sessions where account_id = $1 and ($2::bytea is null or token_hash <> $2)",
        account_id,
        keep
    )
    .execute(conn)
    .await?;
    Ok(())
}
