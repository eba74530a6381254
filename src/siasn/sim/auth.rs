//! The simulator's answers, its two token endpoints, and the gate every API call passes (token,
//! fault injected, required fields).

use super::*;

pub(super) fn sim_answer(status: StatusCode, body: Value) -> Response {
    (status, Json(body)).into_response()
}

pub(super) fn err(status: StatusCode, message: &str) -> Response {
    sim_answer(status, json!({ "success": false, "message": message }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TokenForm {
    grant_type: String,
    client_id: String,
    username: String,
    password: String,
}

pub(super) fn random_token() -> String {
    use rand::Rng as _;
    let mut r = rand::thread_rng();
    (0..32).map(|_| format!("{:x}", r.gen_range(0..16u8))).collect()
}

pub(super) async fn gateway_token(
    State(sim): State<Sim>,
    headers: HeaderMap,
    axum::Form(f): axum::Form<TokenForm>,
) -> Response {
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

pub(super) async fn sso_token(State(sim): State<Sim>, axum::Form(f): axum::Form<TokenForm>) -> Response {
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
pub(super) async fn gate(
    sim: &Sim,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    body: &Value,
) -> Result<(), Response> {
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

pub(super) fn has(body: &Value, key: &str) -> bool {
    match body.get(key) {
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Number(_)) => true,
        Some(Value::Array(a)) => !a.is_empty(),
        _ => false,
    }
}

pub(super) fn dmy_ok(body: &Value, key: &str) -> bool {
    body.get(key).and_then(Value::as_str).is_some_and(|d| chrono::NaiveDate::parse_from_str(d, "%d-%m-%Y").is_ok())
}
