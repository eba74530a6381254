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

fn sim_answer(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

fn err(status: StatusCode, message: &str) -> Response {
    sim_answer(status, json!({ "success": false, "message": message }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenForm {
    grant_type: String,
    client_id: String,
    username: String,
    password: String,
}

fn random_token() -> String {
    use rand::Rng as _;
    let mut r = rand::thread_rng();
    (0..32).map(|_| format!("{:x}", r.gen_range(0..16u8))).collect()
}

async fn gateway_token(State(sim): State<Sim>, headers: HeaderMap, axum::Form(f): axum::Form<TokenForm>) -> Response {
    use base64::Engine as _;
    let expected = base64::engine::general_purpose::STANDARD
        .encode(format!("{}:{}", sim.creds.consumer_key, sim.creds.consumer_secret));
    let auth = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).unwrap_or("");
    if auth != format!("Basic {expected}") || f.grant_type != "client_credentials" {
        return sim_answer(
            StatusCode::UNAUTHORIZED,
            json!({"error": "invalid_client", "error_description": "Client Authentication failed."}),
        );
    }
    let token = random_token();
    let mut s = sim.lock();
    let life = s.token_lifetime.unwrap_or(Duration::from_secs(3600));
    s.gateway_tokens.insert(token.clone(), Instant::now() + life);
    s.tokens_issued.0 += 1;
    sim_answer(
        StatusCode::OK,
        json!({"access_token": token, "scope": "default", "token_type": "Bearer", "expires_in": life.as_secs()}),
    )
}

async fn sso_token(State(sim): State<Sim>, axum::Form(f): axum::Form<TokenForm>) -> Response {
    let c = &sim.creds;
    if f.grant_type != "password" || f.client_id != c.sso_client || f.username != c.username || f.password != c.password
    {
        return sim_answer(
            StatusCode::UNAUTHORIZED,
            json!({"error": "invalid_grant", "error_description": "Invalid user credentials"}),
        );
    }
    let token = random_token();
    let mut s = sim.lock();
    let life = s.token_lifetime.unwrap_or(Duration::from_secs(12 * 3600));
    s.sso_tokens.insert(token.clone(), Instant::now() + life);
    s.tokens_issued.1 += 1;
    sim_answer(
        StatusCode::OK,
        json!({"access_token": token, "token_type": "Bearer", "expires_in": life.as_secs(), "refresh_expires_in": life.as_secs()}),
    )
}

/// Check both tokens and apply a fault; records the call. `Err` is the answer to give.
async fn gate(sim: &Sim, headers: &HeaderMap, method: &str, path: &str, body: &Value) -> Result<(), Response> {
    let fault = sim.fault_for(path);
    if fault == Some(Fault::ExpireTokens) {
        let mut s = sim.lock();
        s.gateway_tokens.clear();
        s.sso_tokens.clear();
    }
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or("")
        .to_string();
    let sso = headers
        .get("auth")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("bearer ").or_else(|| v.strip_prefix("Bearer ")))
        .unwrap_or("")
        .to_string();
    let now = Instant::now();
    let (gw_ok, sso_ok) = {
        let s = sim.lock();
        (s.gateway_tokens.get(&bearer).is_some_and(|e| *e > now), s.sso_tokens.get(&sso).is_some_and(|e| *e > now))
    };
    let refusal = if !gw_ok {
        Some(err(StatusCode::UNAUTHORIZED, "Invalid Credentials. Make sure you have given the correct access token"))
    } else if !sso_ok {
        Some(err(StatusCode::UNAUTHORIZED, "Token SSO tidak valid atau kedaluwarsa"))
    } else {
        match fault {
            Some(Fault::Unavailable) => Some(err(StatusCode::SERVICE_UNAVAILABLE, "Service Unavailable")),
            Some(Fault::Reject(m)) => Some(err(StatusCode::BAD_REQUEST, &m)),
            Some(Fault::Timeout) => {
                let wait = sim.lock().timeout.max(Duration::from_secs(3));
                tokio::time::sleep(wait).await;
                Some(err(StatusCode::GATEWAY_TIMEOUT, "Gateway Timeout"))
            }
            _ => None,
        }
    };
    let status = refusal.as_ref().map(|r| r.status().as_u16()).unwrap_or(200);
    sim.lock().received.push(Received { method: method.into(), path: path.into(), body: body.clone(), status });
    refusal.map_or(Ok(()), Err)
}

fn has(body: &Value, key: &str) -> bool {
    match body.get(key) {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Number(_)) => true,
        Some(Value::Array(a)) => !a.is_empty(),
        _ => false,
    }
}

fn dmy_ok(body: &Value, key: &str) -> bool {
    body.get(key).and_then(Value::as_str).is_some_and(|d| chrono::NaiveDate::parse_from_str(d, "%d-%m-%Y").is_ok())
}

async fn data_utama(State(sim): State<Sim>, headers: HeaderMap, Path(nip): Path<String>) -> Response {
    if let Err(r) = gate(&sim, &headers, "GET", &format!("/pns/data-utama/{nip}"), &Value::Null).await {
        return r;
    }
    if nip.len() != 18 || !nip.bytes().all(|b| b.is_ascii_digit()) {
        return err(StatusCode::NOT_FOUND, "Data tidak ditemukan");
    }
    let id = format!("PNS-{}", &nip[nip.len() - 8..]);
    sim_answer(StatusCode::OK, json!({"success": true, "data": {"id": id, "nipBaru": nip}}))
}

async fn history(sim: Sim, headers: HeaderMap, kind: &'static str, nip: String) -> Response {
    if let Err(r) = gate(&sim, &headers, "GET", &format!("/pns/rw-{kind}/{nip}"), &Value::Null).await {
        return r;
    }
    let s = sim.lock();
    let map = if kind == "diklat" { &s.diklat } else { &s.kursus };
    let id = format!("PNS-{}", nip.get(nip.len().saturating_sub(8)..).unwrap_or(""));
    let mut rows: Vec<Value> = map
        .values()
        .filter(|r| {
            r.get("pnsOrangId").and_then(Value::as_str) == Some(&id)
                || r.get("nip").and_then(Value::as_str) == Some(&nip)
        })
        .cloned()
        .collect();
    rows.sort_by_key(|r| r.get("id").and_then(Value::as_str).unwrap_or("").to_string());
    sim_answer(StatusCode::OK, json!({"success": true, "data": rows}))
}

/// A made-up SKP 2022 history for a NIP nobody set: one record a year from 2022 to last year,
/// the same for the same NIP. Values as SIASN writes them: 1 above expectation, 2 as expected,
/// 3 below; the GET answer spells two keys with a capital letter.
pub fn made_up_skp(nip: &str, last_year: i32) -> Vec<Value> {
    const WORDS: [&str; 3] = ["DIATAS EKSPEKTASI", "SESUAI EKSPEKTASI", "DIBAWAH EKSPEKTASI"];
    let seed: u64 = nip.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    (2022..=last_year)
        .map(|year| {
            let h = seed.wrapping_add(year as u64 * 2_654_435_761) % 20;
            // Mostly as expected, some above, a few below.
            let of = |x: u64| {
                if x < 5 {
                    1
                } else if x < 18 {
                    2
                } else {
                    3
                }
            };
            let (hasil, perilaku) = (of(h), of((h * 7 + 3) % 20));
            json!({
                "id": format!("skp22-{nip}-{year}"),
                "tahun": year,
                "hasilKinerjaNilai": hasil,
                "hasilKinerja": WORDS[hasil - 1],
                "PerilakuKerjaNilai": perilaku,
                "perilakuKerja": WORDS[perilaku - 1],
            })
        })
        .collect()
}

async fn rw_skp22(State(sim): State<Sim>, headers: HeaderMap, Path(nip): Path<String>) -> Response {
    if let Err(r) = gate(&sim, &headers, "GET", &format!("/pns/rw-skp22/{nip}"), &Value::Null).await {
        return r;
    }
    let set = sim.lock().skp.get(&nip).cloned();
    let last_year = chrono::Datelike::year(&chrono::Utc::now().date_naive()) - 1;
    let rows = set.unwrap_or_else(|| made_up_skp(&nip, last_year));
    sim_answer(StatusCode::OK, json!({"success": true, "data": rows}))
}

async fn rw_diklat(State(sim): State<Sim>, headers: HeaderMap, Path(nip): Path<String>) -> Response {
    history(sim, headers, "diklat", nip).await
}

async fn rw_kursus(State(sim): State<Sim>, headers: HeaderMap, Path(nip): Path<String>) -> Response {
    history(sim, headers, "kursus", nip).await
}

const DIKLAT_REQUIRED: &[&str] = &[
    "pnsOrangId",
    "latihanStrukturalId",
    "nomor",
    "tanggal",
    "tanggalSelesai",
    "tahun",
    "jumlahJam",
    "institusiPenyelenggara",
];
const KURSUS_REQUIRED: &[&str] = &[
    "instansiId",
    "pnsOrangId",
    "jenisDiklatId",
    "namaKursus",
    "institusiPenyelenggara",
    "jumlahJam",
    "nomorSertipikat",
    "tahunKursus",
    "tanggalKursus",
    "tanggalSelesaiKursus",
];

async fn save(sim: Sim, headers: HeaderMap, kind: &'static str, body: Value) -> Response {
    if let Err(r) = gate(&sim, &headers, "POST", &format!("/{kind}/save"), &body).await {
        return r;
    }
    let (required, dates) = if kind == "diklat" {
        (DIKLAT_REQUIRED, ["tanggal", "tanggalSelesai"])
    } else {
        (KURSUS_REQUIRED, ["tanggalKursus", "tanggalSelesaiKursus"])
    };
    if let Some(f) = required.iter().find(|f| !has(&body, f)) {
        return err(StatusCode::BAD_REQUEST, &format!("{f} wajib diisi"));
    }
    if let Some(f) = dates.iter().find(|f| !dmy_ok(&body, f)) {
        return err(StatusCode::BAD_REQUEST, &format!("{f} harus berformat dd-mm-yyyy"));
    }
    let mut s = sim.lock();
    let given = body.get("id").and_then(Value::as_str).filter(|i| !i.is_empty()).map(str::to_string);
    let exists = given
        .as_ref()
        .is_some_and(|i| if kind == "diklat" { s.diklat.contains_key(i) } else { s.kursus.contains_key(i) });
    if given.is_some() && !exists {
        return err(StatusCode::BAD_REQUEST, "Data riwayat dengan id tersebut tidak ditemukan");
    }
    let id = match given {
        Some(i) => i,
        None => {
            s.next_id += 1;
            format!("{kind}-{:06}", s.next_id)
        }
    };
    let mut record = body.clone();
    record["id"] = json!(id);
    let key = if kind == "diklat" { "rwDiklatId" } else { "rwKursusId" };
    if kind == "diklat" {
        s.diklat.insert(id.clone(), record);
    } else {
        s.kursus.insert(id.clone(), record);
    }
    sim_answer(StatusCode::OK, json!({"success": true, "mapData": {key: id}, "message": "success"}))
}

async fn diklat_save(State(sim): State<Sim>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    save(sim, headers, "diklat", body).await
}

async fn kursus_save(State(sim): State<Sim>, headers: HeaderMap, Json(body): Json<Value>) -> Response {
    save(sim, headers, "kursus", body).await
}

async fn remove(sim: Sim, headers: HeaderMap, kind: &'static str, id: String) -> Response {
    if let Err(r) = gate(&sim, &headers, "DELETE", &format!("/{kind}/delete/{id}"), &Value::Null).await {
        return r;
    }
    let mut s = sim.lock();
    let gone = if kind == "diklat" { s.diklat.remove(&id) } else { s.kursus.remove(&id) };
    match gone {
        Some(_) => sim_answer(StatusCode::OK, json!({"success": true, "message": "success"})),
        None => err(StatusCode::NOT_FOUND, "Data tidak ditemukan"),
    }
}

async fn diklat_delete(State(sim): State<Sim>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    remove(sim, headers, "diklat", id).await
}

async fn kursus_delete(State(sim): State<Sim>, headers: HeaderMap, Path(id): Path<String>) -> Response {
    remove(sim, headers, "kursus", id).await
}

async fn upload(State(sim): State<Sim>, headers: HeaderMap, mut mp: Multipart) -> Response {
    let mut id_ref = String::new();
    let mut file: Option<(String, usize)> = None;
    while let Ok(Some(field)) = mp.next_field().await {
        match field.name().unwrap_or("") {
            "id_ref_dokumen" => id_ref = field.text().await.unwrap_or_default(),
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let len = field.bytes().await.map(|b| b.len()).unwrap_or(0);
                file = Some((name, len));
            }
            _ => {}
        }
    }
    let body = json!({"id_ref_dokumen": id_ref, "file": file.as_ref().map(|(n, l)| json!({"name": n, "size": l}))});
    if let Err(r) = gate(&sim, &headers, "POST", "/upload-dok", &body).await {
        return r;
    }
    let Some((name, len)) = file.filter(|(_, l)| *l > 0) else {
        return err(StatusCode::BAD_REQUEST, "file wajib diisi");
    };
    if id_ref.trim().is_empty() {
        return err(StatusCode::BAD_REQUEST, "id_ref_dokumen wajib diisi");
    }
    let mut s = sim.lock();
    s.next_id += 1;
    let n = s.next_id;
    let object = format!("peremajaan/usulan/{n:06}_{len}_{name}");
    sim_answer(
        StatusCode::OK,
        json!({"success": true, "data": {"dok_id": id_ref, "dok_nama": name, "dok_uri": object, "object": object, "slug": id_ref}}),
    )
}

async fn reference(State(sim): State<Sim>, headers: HeaderMap, Path(kind): Path<String>) -> Response {
    if let Err(r) = gate(&sim, &headers, "GET", &format!("/referensi/{kind}"), &Value::Null).await {
        return r;
    }
    let rows: Vec<(&str, &str)> = match kind.as_str() {
        "latihan-struktural" => vec![
            ("1", "SEPADA"),
            ("2", "SEPALA/ADUM/DIKLAT PIM TK.IV"),
            ("3", "SEPADYA/SPAMA/DIKLAT PIM TK.III"),
            ("4", "SPAMEN/SESPA/SESPANAS/DIKLAT PIM TK.II"),
            ("5", "SEPATI/DIKLAT PIM TK.I"),
            ("6", "PELATIHAN KEPEMIMPINAN PENGAWAS"),
            ("7", "PELATIHAN KEPEMIMPINAN ADMINISTRATOR"),
            ("8", "PELATIHAN KEPEMIMPINAN NASIONAL TK.II"),
            ("9", "PELATIHAN KEPEMIMPINAN NASIONAL TK.I"),
        ],
        "jenis-kursus-sertifikat" => {
            vec![("P", "Sertifikat Pelatihan"), ("S", "Sertifikat Keahlian"), ("T", "Surat Tanda Tamat")]
        }
        "jenis-kompetensi" => vec![("M", "Manajerial"), ("T", "Teknis"), ("S", "Sosial Kultural")],
        "jenis-diklat" => vec![
            ("1", "Struktural"),
            ("2", "Fungsional"),
            ("3", "Teknis"),
            ("4", "Workshop"),
            ("5", "Manajerial"),
            ("6", "Sosial Kultural"),
            ("7", "Sosialisasi"),
            ("8", "Bimbingan Teknis"),
            ("9", "Seminar"),
            ("10", "Magang"),
            ("11", "Kursus"),
            ("12", "Penataran"),
            ("13", "Klasikal Lainnya"),
            ("14", "Coaching"),
            ("15", "Mentoring"),
            ("16", "E-Learning"),
            ("17", "Pelatihan Jarak Jauh"),
            ("18", "Detasering"),
            ("19", "Outbound"),
            ("20", "Benchmarking"),
            ("21", "Pertukaran"),
            ("22", "Belajar Mandiri"),
            ("23", "Komunitas Belajar"),
            ("24", "Bimbingan di Tempat Kerja"),
            ("25", "Nonklasikal Lainnya"),
        ],
        _ => return err(StatusCode::NOT_FOUND, "Referensi tidak ditemukan"),
    };
    let data: Vec<Value> = rows.into_iter().map(|(id, nama)| json!({"id": id, "nama": nama})).collect();
    sim_answer(StatusCode::OK, json!({"success": true, "data": data}))
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
