//! A SIASN simulator for the tests and the demo (`cakap siasn-sim`, `scripts/run --siasn-sim`).
//! It implements the endpoints the sync uses with their required fields and token checks, answers
//! in SIASN's shapes (`mapData`, `message`), can be told to fail (a 5xx, a time-out, expired tokens,
//! a 4xx) and records what it received. It is a stand-in built from the public client libraries:
//! the real service's details must be confirmed against BKN's documentation.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use axum::{
    Json, Router,
    extract::{Multipart, Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{delete, get, post},
};
use serde::Deserialize;
use serde_json::{Value, json};

mod auth;
mod read;
mod write;

use auth::*;
pub use read::*;
use write::*;

/// The credentials the simulator accepts (the demo's and the tests' settings use them).
#[derive(Clone, Debug)]
pub struct Credentials {
    pub consumer_key: String,
    pub consumer_secret: String,
    pub sso_client: String,
    pub username: String,
    pub password: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Self {
            consumer_key: "sim-consumer-key".into(),
            consumer_secret: "sim-consumer-secret-K3y".into(),
            sso_client: "cakap-sim".into(),
            username: "sim-operator".into(),
            password: "sim-operator-Pa55word".into(),
        }
    }
}

/// The SSO token endpoint's path on the simulator (a Keycloak realm's).
pub const SSO_PATH: &str = "/auth/realms/public-siasn/protocol/openid-connect/token";

/// How the next calls to the service fail.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 503 with SIASN's message.
    Unavailable,
    /// No answer for longer than a client waits.
    Timeout,
    /// Every token issued so far is expired: the call answers 401.
    ExpireTokens,
    /// 400 with this message.
    Reject(String),
}

/// One request the service received.
#[derive(Clone, Debug)]
pub struct Received {
    pub method: String,
    pub path: String,
    pub body: Value,
    pub status: u16,
}

#[derive(Default)]
struct Inner {
    faults: Vec<(Fault, Option<String>)>,
    received: Vec<Received>,
    gateway_tokens: HashMap<String, Instant>,
    sso_tokens: HashMap<String, Instant>,
    tokens_issued: (u32, u32),
    token_lifetime: Option<Duration>,
    diklat: HashMap<String, Value>,
    kursus: HashMap<String, Value>,
    /// SKP 2022 histories set by tests, by NIP (others are made up from the NIP).
    skp: HashMap<String, Vec<Value>>,
    next_id: u64,
    timeout: Duration,
}

/// A running simulator's handle: its address, and what tests tell it and read from it.
#[derive(Clone)]
pub struct Sim {
    inner: Arc<Mutex<Inner>>,
    pub creds: Credentials,
    pub url: String,
}

impl Sim {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The next `times` calls (whose path contains `path`, if given) fail this way.
    pub fn fail(&self, fault: Fault, times: usize, path: Option<&str>) {
        let mut s = self.lock();
        for _ in 0..times {
            s.faults.push((fault.clone(), path.map(str::to_string)));
        }
    }

    /// How long the tokens it issues live (default one hour for the gateway, 12 for the SSO).
    pub fn token_lifetime(&self, d: Option<Duration>) {
        self.lock().token_lifetime = d;
    }

    /// How long a time-out fault keeps the caller waiting.
    pub fn timeout_after(&self, d: Duration) {
        self.lock().timeout = d;
    }

    /// Every call to the service received so far.
    pub fn received(&self) -> Vec<Received> {
        self.lock().received.clone()
    }

    /// Tokens issued: (gateway, SSO).
    pub fn tokens_issued(&self) -> (u32, u32) {
        self.lock().tokens_issued
    }

    /// The records SIASN holds: (diklat, kursus), by id.
    pub fn records(&self) -> (HashMap<String, Value>, HashMap<String, Value>) {
        let s = self.lock();
        (s.diklat.clone(), s.kursus.clone())
    }

    /// Put a record straight into SIASN's history (as if typed there by hand).
    pub fn add_record(&self, kind: &str, mut record: Value) -> String {
        let mut s = self.lock();
        s.next_id += 1;
        let id = format!("sim-{kind}-{:06}", s.next_id);
        record["id"] = json!(id);
        if kind == "diklat" {
            s.diklat.insert(id.clone(), record);
        } else {
            s.kursus.insert(id.clone(), record);
        }
        id
    }

    /// Set a person's SKP 2022 history (`rw-skp22`) as SIASN would answer it.
    pub fn set_skp(&self, nip: &str, records: Vec<Value>) {
        self.lock().skp.insert(nip.to_string(), records);
    }

    /// Settings pointing at this simulator, as the portal reads them (quick time-outs, no wait
    /// between retries).
    pub fn settings(&self) -> super::settings::Settings {
        use super::settings::{Secret, Settings};
        let c = &self.creds;
        Settings {
            gateway_url: self.url.clone(),
            sso_url: format!("{}{SSO_PATH}", self.url),
            consumer_key: Secret::known(&c.consumer_key),
            consumer_secret: Secret::known(&c.consumer_secret),
            sso_client: c.sso_client.clone(),
            username: Secret::known(&c.username),
            password: Secret::known(&c.password),
            instansi_id: "A5EB03E23C4AF6A0E040640A040252AD".into(),
            timeout: Duration::from_secs(2),
            retry_base: Duration::ZERO,
            max_attempts: 5,
            refresh_margin: Duration::from_secs(300),
        }
    }

    fn fault_for(&self, path: &str) -> Option<Fault> {
        let mut s = self.lock();
        let i = s.faults.iter().position(|(_, p)| p.as_deref().is_none_or(|p| path.contains(p)))?;
        Some(s.faults.remove(i).0)
    }
}

#[derive(Deserialize)]
struct FaultRequest {
    mode: String,
    #[serde(default)]
    times: Option<usize>,
    #[serde(default)]
    path: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// `POST /_sim/fail {"mode": "5xx"|"timeout"|"expire"|"4xx", "times": 1, "path": "/diklat/save"}`.
async fn control_fail(State(sim): State<Sim>, Json(f): Json<FaultRequest>) -> Response {
    let fault = match f.mode.as_str() {
        "5xx" => Fault::Unavailable,
        "timeout" => Fault::Timeout,
        "expire" => Fault::ExpireTokens,
        "4xx" => Fault::Reject(f.message.unwrap_or_else(|| "jumlahJam wajib diisi".into())),
        _ => return err(StatusCode::BAD_REQUEST, "mode: 5xx, timeout, expire or 4xx"),
    };
    sim.fail(fault, f.times.unwrap_or(1), f.path.as_deref());
    sim_answer(StatusCode::OK, json!({"success": true}))
}

/// `GET /_sim/received`: what the service received (bodies as sent; no tokens).
async fn control_received(State(sim): State<Sim>) -> Response {
    let r: Vec<Value> = sim
        .received()
        .into_iter()
        .map(|r| json!({"method": r.method, "path": r.path, "body": r.body, "status": r.status}))
        .collect();
    sim_answer(StatusCode::OK, json!({"received": r}))
}

fn router(sim: Sim) -> Router {
    let api = Router::new()
        .route("/pns/data-utama/{nip}", get(data_utama))
        .route("/pns/rw-diklat/{nip}", get(rw_diklat))
        .route("/pns/rw-kursus/{nip}", get(rw_kursus))
        .route("/pns/rw-skp22/{nip}", get(rw_skp22))
        .route("/diklat/save", post(diklat_save))
        .route("/kursus/save", post(kursus_save))
        .route("/diklat/delete/{id}", delete(diklat_delete))
        .route("/kursus/delete/{id}", delete(kursus_delete))
        .route("/upload-dok", post(upload))
        .route("/referensi/{kind}", get(reference));
    Router::new()
        .route("/oauth2/token", post(gateway_token))
        .route(SSO_PATH, post(sso_token))
        .nest("/apisiasn/1.0", api)
        .route("/_sim/fail", post(control_fail))
        .route("/_sim/received", get(control_received))
        .with_state(sim)
}

/// Start the simulator on `addr` (`127.0.0.1:0`: a free port) in the background.
pub async fn start(addr: &str, creds: Credentials) -> anyhow::Result<Sim> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    let sim = Sim {
        inner: Arc::new(Mutex::new(Inner { timeout: Duration::from_secs(3), ..Inner::default() })),
        creds,
        url: format!("http://{local}"),
    };
    let app = router(sim.clone());
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::warn!(error = %e, "SIASN simulator stopped");
        }
    });
    Ok(sim)
}
