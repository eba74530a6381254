//! The SIASN web service client: two tokens (the gateway's OAuth2 client credentials, sent as
//! `Authorization: Bearer`, and the SSO's OpenID Connect password grant, sent as `Auth: bearer`),
//! refreshed before they expire and once more when SIASN says one expired; and the calls the sync
//! makes. Every failure is sorted into "try again later" (5xx, time-out, unreachable) and
//! "refused" (a 4xx, with SIASN's own message).

use std::time::{Duration, Instant};

use serde_json::Value;

use super::settings::Settings;

/// What went wrong with a call.
#[derive(Debug, Clone)]
pub enum Failure {
    /// A 5xx, a time-out or no connection: worth trying again later.
    Retry { status: Option<u16>, detail: String },
    /// SIASN refused it (a 4xx): trying again sends the same thing; its message says why.
    Rejected { status: u16, message: String },
}

impl Failure {
    pub fn status(&self) -> Option<u16> {
        match self {
            Self::Retry { status, .. } => *status,
            Self::Rejected { status, .. } => Some(*status),
        }
    }

    pub fn detail(&self) -> &str {
        match self {
            Self::Retry { detail, .. } => detail,
            Self::Rejected { message, .. } => message,
        }
    }
}

/// A successful answer: its status and body (JSON when it is).
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: String,
    pub json: Value,
}

struct Token {
    value: String,
    expires: Instant,
}

#[derive(Default)]
struct Tokens {
    gateway: Option<Token>,
    sso: Option<Token>,
}

pub struct Client {
    pub settings: Settings,
    http: reqwest::Client,
    tokens: tokio::sync::Mutex<Tokens>,
}

/// SIASN's message in an answer: `message`, `error_description`, `error`, else the text itself.
pub fn message_of(body: &str) -> String {
    let json: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    for key in ["message", "error_description", "error", "msg"] {
        if let Some(m) = json.get(key).and_then(Value::as_str).filter(|m| !m.trim().is_empty()) {
            return m.chars().take(500).collect();
        }
    }
    body.chars().take(500).collect()
}

fn transport(e: reqwest::Error) -> Failure {
    let detail = if e.is_timeout() {
        "timeout".to_string()
    } else if e.is_connect() {
        "connect".to_string()
    } else {
        // Without the URL: nothing of the request goes into a message.
        e.without_url().to_string()
    };
    Failure::Retry { status: None, detail }
}

impl Client {
    pub fn new(settings: Settings) -> Self {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            .connect_timeout(settings.timeout)
            .build()
            .unwrap_or_else(|_| reqwest::Client::new());
        Self { settings, http, tokens: tokio::sync::Mutex::new(Tokens::default()) }
    }

    async fn fetch_token(&self, req: reqwest::RequestBuilder) -> Result<Token, Failure> {
        let res = req.send().await.map_err(transport)?;
        let status = res.status().as_u16();
        let body = res.text().await.map_err(transport)?;
        if status >= 500 {
            return Err(Failure::Retry { status: Some(status), detail: message_of(&body) });
        }
        if status >= 400 {
            return Err(Failure::Rejected { status, message: message_of(&body) });
        }
        let json: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
        let value = json.get("access_token").and_then(Value::as_str).unwrap_or_default().to_string();
        if value.is_empty() {
            return Err(Failure::Retry { status: Some(status), detail: "no access_token".into() });
        }
        let secs = json.get("expires_in").and_then(Value::as_u64).unwrap_or(3600);
        Ok(Token { value, expires: Instant::now() + Duration::from_secs(secs) })
    }

    /// Both tokens, fetched again when missing or about to expire.
    async fn tokens(&self) -> Result<(String, String), Failure> {
        let mut t = self.tokens.lock().await;
        let fresh = |tok: &Option<Token>| {
            tok.as_ref().is_some_and(|k| k.expires > Instant::now() + self.settings.refresh_margin)
        };
        if !fresh(&t.gateway) {
            let s = &self.settings;
            let req = self
                .http
                .post(s.token_url())
                .basic_auth(s.consumer_key.expose(), Some(s.consumer_secret.expose()))
                .form(&[("grant_type", "client_credentials")]);
            t.gateway = Some(self.fetch_token(req).await?);
        }
        if !fresh(&t.sso) {
            let s = &self.settings;
            let req = self.http.post(&s.sso_url).form(&[
                ("grant_type", "password"),
                ("client_id", s.sso_client.as_str()),
                ("username", s.username.expose()),
                ("password", s.password.expose()),
            ]);
            t.sso = Some(self.fetch_token(req).await?);
        }
        let g = t.gateway.as_ref().map(|k| k.value.clone()).unwrap_or_default();
        let s = t.sso.as_ref().map(|k| k.value.clone()).unwrap_or_default();
        Ok((g, s))
    }

    async fn forget_tokens(&self) {
        let mut t = self.tokens.lock().await;
        *t = Tokens::default();
    }

    /// One call to the service. `build` makes the request (again, if a token expired on the way).
    pub async fn call(
        &self,
        build: impl Fn(&reqwest::Client, &str) -> reqwest::RequestBuilder,
    ) -> Result<Answer, Failure> {
        let base = self.settings.api_base();
        for round in 0..2 {
            let (gateway, sso) = self.tokens().await?;
            let res = build(&self.http, &base)
                .bearer_auth(&gateway)
                .header("Auth", format!("bearer {sso}"))
                .send()
                .await
                .map_err(transport)?;
            let status = res.status().as_u16();
            let body = res.text().await.map_err(transport)?;
            if status == 401 && round == 0 {
                // A token expired before its time (or was revoked): fetch both again, once.
                tracing::info!("SIASN answered 401: tokens fetched again");
                self.forget_tokens().await;
                continue;
            }
            if status >= 500 {
                return Err(Failure::Retry { status: Some(status), detail: message_of(&body) });
            }
            if status >= 400 {
                return Err(Failure::Rejected { status, message: message_of(&body) });
            }
            let json = serde_json::from_str(&body).unwrap_or(Value::Null);
            return Ok(Answer { status, body, json });
        }
        Err(Failure::Rejected { status: 401, message: "token".into() })
    }

    pub async fn get(&self, path: &str) -> Result<Answer, Failure> {
        self.call(|http, base| http.get(format!("{base}{path}"))).await
    }

    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Answer, Failure> {
        self.call(|http, base| http.post(format!("{base}{path}")).json(body)).await
    }

    /// `POST /upload-dok`: the certificate as `file`, with `id_ref_dokumen`.
    pub async fn upload(
        &self,
        id_ref_dokumen: &str,
        filename: &str,
        mime: &str,
        bytes: &[u8],
    ) -> Result<Answer, Failure> {
        self.call(|http, base| {
            let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(filename.to_string());
            let part = part.mime_str(mime).unwrap_or_else(|_| reqwest::multipart::Part::bytes(bytes.to_vec()));
            let form =
                reqwest::multipart::Form::new().text("id_ref_dokumen", id_ref_dokumen.to_string()).part("file", part);
            http.post(format!("{base}/upload-dok")).multipart(form)
        })
        .await
    }
}

/// The `id` of `GET /pns/data-utama/{nip}` (under `data` or `mapData`, or at the top).
pub fn pns_orang_id(json: &Value) -> Option<String> {
    [json.get("data"), json.get("mapData"), Some(json)].into_iter().flatten().filter_map(|v| v.get("id")).find_map(
        |id| match id {
            Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        },
    )
}

/// The list in a `rw-diklat` / `rw-kursus` answer (`data`, or the answer itself).
pub fn list_of(json: &Value) -> Vec<Value> {
    match json.get("data").unwrap_or(json) {
        Value::Array(a) => a.clone(),
        _ => vec![],
    }
}

/// A field as text, whatever JSON type SIASN gave it.
pub fn text(v: &Value, key: &str) -> String {
    match v.get(key) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_in_their_shapes() {
        assert_eq!(message_of(r#"{"success":false,"message":"tanggal wajib diisi"}"#), "tanggal wajib diisi");
        assert_eq!(message_of("Bad Gateway"), "Bad Gateway");
        assert_eq!(pns_orang_id(&serde_json::json!({"data": {"id": "A8ACA7"}})).as_deref(), Some("A8ACA7"));
        assert_eq!(pns_orang_id(&serde_json::json!({"data": {}})), None);
        assert_eq!(list_of(&serde_json::json!({"data": [{"id": 1}]})).len(), 1);
        assert_eq!(text(&serde_json::json!({"jumlahJam": 24}), "jumlahJam"), "24");
    }
}
