//! Configuration from environment variables (all listed in the README).

use std::{env, path::PathBuf, time::Duration};

use anyhow::{Context as _, bail};

#[derive(Clone, Debug)]
pub struct Config {
    /// `DATABASE_URL`: the PostgreSQL server and database.
    pub database_url: String,
    /// `CAKAP_BIND`: address to listen on.
    pub bind: String,
    /// `CAKAP_PUBLIC_URL`: the address users reach; `https://…` turns on `Secure` cookies.
    pub public_url: String,
    /// `CAKAP_STATIC_DIR`: where `static/` is.
    pub static_dir: PathBuf,
    /// `CAKAP_DB_MAX_CONNECTIONS`.
    pub db_max_connections: u32,
    /// `CAKAP_SESSION_IDLE_MINUTES`: a session ends after this long without a request.
    pub session_idle: Duration,
    /// `CAKAP_SESSION_MAX_HOURS`: a session ends this long after login, whatever happens.
    pub session_max: Duration,
    /// `CAKAP_REQUEST_TIMEOUT_SECS`.
    pub request_timeout: Duration,
    /// `CAKAP_MAX_BODY_BYTES`: the largest request body (uploads included).
    pub max_body_bytes: usize,
    /// `CAKAP_LOGIN_DELAY_MS`: base of the growing delay after repeated failed logins.
    pub login_delay_ms: u64,
    /// `CAKAP_SEED_DEMO`: seed the demo department once at start (`1`/`true`). Only such a demo
    /// portal accepts the published demo password; elsewhere it must be changed at sign-in.
    pub seed_demo: bool,
    /// `CAKAP_TRUST_PROXY`: behind a reverse proxy, take the client address from the first
    /// `X-Forwarded-For` entry (for the audit log and login throttling).
    pub trust_proxy: bool,
    /// `CAKAP_DATABASE_READ_URL`: a streaming replica for the heavy read-only pages (optional).
    pub read_url: Option<String>,
    /// `CAKAP_REPLICA_MAX_LAG_SECS`: a replica further behind than this is not read from.
    pub replica_max_lag: Duration,
    /// `CAKAP_STALE_RESULTS_SECS`: after a write, how long a page may still show a kept
    /// department-wide result from before it while one background task computes the new one
    /// (0: every reader waits for the current result). A result that takes long to compute is
    /// served stale longer: up to seven times its computing time, refreshed every five (a
    /// department's figures at 100 000 staff). The writer always sees their own write.
    pub stale_results: Duration,
    /// `CAKAP_REFRESH_EVERY_MS`: under a stream of writes, how often at most one kept result is
    /// computed again (1000; less than `stale_results`): 5 writes a second cost one refresh a
    /// second per result, not five. See `app::versioned`.
    pub refresh_every: Duration,
    /// `CAKAP_SESSION_REUSE_MS`: how long a node reuses a signed-in user's session without
    /// reading it again (2000; 0 reads it on every request). See `auth::session`.
    pub session_reuse: Duration,
    /// `CAKAP_CACHE_MB`: the memory a node spends on kept results (64 MiB), three quarters for
    /// department-wide ones, a quarter for single readers'.
    pub cache_bytes: usize,
    /// `CAKAP_PLAN_IN_PROCESS=1` solves next year's plans inside the portal; by default each run
    /// is solved by a child process of the portal's own binary (this path), so the solver's memory
    /// leaves with it.
    pub plan_solver: Option<PathBuf>,
    /// `CAKAP_SMTP_URL`: where the daily e-mail digest is sent through
    /// (`smtp://host:25`, `smtp://user:pass@host:587?tls=required`, `smtps://host:465`); unset: no e-mail.
    pub smtp_url: Option<String>,
    /// `CAKAP_SMTP_FROM`: the digest's sender.
    pub smtp_from: String,
    /// `CAKAP_DIGEST_HOUR`: the local hour (0–23) from which each day's digest goes out.
    pub digest_hour: u32,
    /// `CAKAP_HSTS_MAX_AGE_SECS`: the `Strict-Transport-Security` max-age sent when the public URL
    /// is https (default one year).
    pub hsts_max_age_secs: u64,
}

fn var(name: &str) -> Option<String> {
    env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn num<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match var(name) {
        None => Ok(default),
        Some(v) => v.trim().parse().ok().with_context(|| format!("{name}={v:?} is not a valid number")),
    }
}

impl Config {
    pub fn from_env() -> anyhow::Result<Self> {
        let Some(database_url) = var("DATABASE_URL") else {
            bail!(
                "DATABASE_URL is not set: use scripts/run (it starts a local PostgreSQL) or set DATABASE_URL=postgres://user@host:port/db"
            );
        };
        let bind = var("CAKAP_BIND").unwrap_or_else(|| "127.0.0.1:8080".into());
        let public_url = var("CAKAP_PUBLIC_URL").unwrap_or_else(|| format!("http://{bind}"));
        let flag = |name: &str| {
            matches!(var(name).as_deref().map(str::to_ascii_lowercase).as_deref(), Some("1" | "true" | "yes"))
        };
        let seed_demo = flag("CAKAP_SEED_DEMO");
        let trust_proxy = flag("CAKAP_TRUST_PROXY");
        Ok(Self {
            database_url,
            bind,
            public_url,
            static_dir: var("CAKAP_STATIC_DIR")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/static"))),
            db_max_connections: num("CAKAP_DB_MAX_CONNECTIONS", 10)?,
            session_idle: Duration::from_secs(60 * num("CAKAP_SESSION_IDLE_MINUTES", 30u64)?),
            session_max: Duration::from_secs(3600 * num("CAKAP_SESSION_MAX_HOURS", 12u64)?),
            request_timeout: Duration::from_secs(num("CAKAP_REQUEST_TIMEOUT_SECS", 30)?),
            max_body_bytes: num("CAKAP_MAX_BODY_BYTES", 10 * 1024 * 1024)?,
            login_delay_ms: num("CAKAP_LOGIN_DELAY_MS", 500)?,
            seed_demo,
            trust_proxy,
            read_url: var("CAKAP_DATABASE_READ_URL"),
            replica_max_lag: Duration::from_secs(num("CAKAP_REPLICA_MAX_LAG_SECS", 10)?),
            stale_results: Duration::from_secs(num("CAKAP_STALE_RESULTS_SECS", 5)?),
            refresh_every: Duration::from_millis(num("CAKAP_REFRESH_EVERY_MS", 1000)?),
            session_reuse: Duration::from_millis(num("CAKAP_SESSION_REUSE_MS", 2000)?),
            cache_bytes: num::<usize>("CAKAP_CACHE_MB", 64)?.saturating_mul(1024 * 1024),
            plan_solver: if var("CAKAP_PLAN_IN_PROCESS").is_some_and(|v| v == "1") {
                None
            } else {
                std::env::current_exe().ok()
            },
            smtp_url: var("CAKAP_SMTP_URL"),
            smtp_from: var("CAKAP_SMTP_FROM").unwrap_or_else(|| "Cakap <cakap@localhost>".into()),
            digest_hour: match num("CAKAP_DIGEST_HOUR", 6u32)? {
                h @ 0..=23 => h,
                h => bail!("CAKAP_DIGEST_HOUR={h} is not an hour of the day (0–23)"),
            },
            hsts_max_age_secs: num("CAKAP_HSTS_MAX_AGE_SECS", 31_536_000)?,
        })
    }

    /// A configuration for tests: the given database, quick login delays.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            database_url: database_url.to_string(),
            bind: "127.0.0.1:0".into(),
            public_url: "http://localhost".into(),
            static_dir: PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/static")),
            db_max_connections: 5,
            session_idle: Duration::from_secs(30 * 60),
            session_max: Duration::from_secs(12 * 3600),
            request_timeout: Duration::from_secs(30),
            max_body_bytes: 10 * 1024 * 1024,
            login_delay_ms: 1,
            // Tests run on the demo department: its published password stays usable.
            seed_demo: true,
            trust_proxy: false,
            read_url: None,
            replica_max_lag: Duration::from_secs(10),
            // Tests check what each write changes at once; the stale window has its own test.
            stale_results: Duration::ZERO,
            refresh_every: Duration::ZERO,
            session_reuse: Duration::ZERO,
            cache_bytes: 64 * 1024 * 1024,
            // The test binary is not the portal's: plans are solved in the test's process.
            plan_solver: None,
            smtp_url: None,
            smtp_from: "Cakap <cakap@localhost>".into(),
            digest_hour: 6,
            hsts_max_age_secs: 31_536_000,
        }
    }

    pub fn secure_cookies(&self) -> bool {
        self.public_url.get(..8).is_some_and(|s| s.eq_ignore_ascii_case("https://"))
    }
}
