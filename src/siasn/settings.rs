//! The sync's settings: from the environment, secrets also from a file. Secrets are kept in a
//! type that never prints itself (not in logs, not in `Debug`, not on a page).

use std::{collections::HashMap, path::Path, sync::Arc, time::Duration};

use anyhow::{Context as _, bail};

/// A secret value: usable by the client, never shown. `Debug` prints a mask.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// A non-empty secret.
    pub fn new(value: &str) -> Option<Self> {
        let v = value.trim();
        (!v.is_empty()).then(|| Self(v.to_string()))
    }

    /// A secret the code itself holds (the simulator's own credentials).
    pub fn known(value: &str) -> Self {
        Self(value.to_string())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How the portal reaches SIASN.
#[derive(Clone, Debug)]
pub struct Settings {
    /// `CAKAP_SIASN_GATEWAY_URL`: the API gateway; the token is `{gateway}/oauth2/token`, the
    /// service `{gateway}/apisiasn/1.0`.
    pub gateway_url: String,
    /// `CAKAP_SIASN_SSO_URL`: the Keycloak realm's token endpoint (OpenID Connect password grant).
    pub sso_url: String,
    /// `CAKAP_SIASN_CONSUMER_KEY` / `CAKAP_SIASN_CONSUMER_SECRET`: the gateway's client credentials.
    pub consumer_key: Secret,
    pub consumer_secret: Secret,
    /// `CAKAP_SIASN_SSO_CLIENT`: the SSO client id.
    pub sso_client: String,
    /// `CAKAP_SIASN_USERNAME` / `CAKAP_SIASN_PASSWORD`: the agency's SIASN operator account.
    pub username: Secret,
    pub password: Secret,
    /// `CAKAP_SIASN_INSTANSI_ID`: the agency's instansiId (sent with every kursus).
    pub instansi_id: String,
    /// `CAKAP_SIASN_TIMEOUT_SECS` (default 30): one call's time-out.
    pub timeout: Duration,
    /// `CAKAP_SIASN_RETRY_SECS` (default 30): the first wait after a 5xx or a time-out; doubled
    /// for each further attempt.
    pub retry_base: Duration,
    /// `CAKAP_SIASN_MAX_ATTEMPTS` (default 5): attempts before a push is shown as failed.
    pub max_attempts: i32,
    /// Tokens are fetched again when they have less than this left (default 5 minutes).
    pub refresh_margin: Duration,
}

/// The names of the settings, for the page that says how to configure the sync.
pub const NAMES: &[&str] = &[
    "CAKAP_SIASN_GATEWAY_URL",
    "CAKAP_SIASN_SSO_URL",
    "CAKAP_SIASN_CONSUMER_KEY",
    "CAKAP_SIASN_CONSUMER_SECRET",
    "CAKAP_SIASN_SSO_CLIENT",
    "CAKAP_SIASN_USERNAME",
    "CAKAP_SIASN_PASSWORD",
    "CAKAP_SIASN_INSTANSI_ID",
];

/// Read `KEY=VALUE` lines (comments with `#`, blank lines ignored).
fn read_file(path: &Path) -> anyhow::Result<HashMap<String, String>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("CAKAP_SIASN_SECRETS_FILE {} cannot be read", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        .collect())
}

impl Settings {
    /// The settings from `get` (the environment, then the secrets file). `None` when nothing is
    /// set; an error naming (never showing) what is missing when only part is.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> anyhow::Result<Option<Self>> {
        let file = match get("CAKAP_SIASN_SECRETS_FILE") {
            Some(p) => read_file(Path::new(&p))?,
            None => HashMap::new(),
        };
        let value = |name: &str| get(name).or_else(|| file.get(name).cloned()).filter(|v| !v.trim().is_empty());
        if NAMES.iter().all(|n| value(n).is_none()) {
            return Ok(None);
        }
        let missing: Vec<&str> = NAMES.iter().copied().filter(|n| value(n).is_none()).collect();
        if !missing.is_empty() {
            bail!("SIASN sync: these settings are missing: {}", missing.join(", "));
        }
        let secret = |name: &str| value(name).and_then(|v| Secret::new(&v)).context(name.to_string());
        let num = |name: &str, default: u64| -> anyhow::Result<u64> {
            match value(name) {
                None => Ok(default),
                Some(v) => v.trim().parse().ok().with_context(|| format!("{name}={v:?} is not a number")),
            }
        };
        let url = |name: &str| -> anyhow::Result<String> {
            let v = value(name).unwrap_or_default().trim().trim_end_matches('/').to_string();
            if !(v.starts_with("https://") || v.starts_with("http://")) {
                bail!("{name} must be an http(s) URL");
            }
            Ok(v)
        };
        Ok(Some(Self {
            gateway_url: url("CAKAP_SIASN_GATEWAY_URL")?,
            sso_url: url("CAKAP_SIASN_SSO_URL")?,
            consumer_key: secret("CAKAP_SIASN_CONSUMER_KEY")?,
            consumer_secret: secret("CAKAP_SIASN_CONSUMER_SECRET")?,
            sso_client: value("CAKAP_SIASN_SSO_CLIENT").unwrap_or_default(),
            username: secret("CAKAP_SIASN_USERNAME")?,
            password: secret("CAKAP_SIASN_PASSWORD")?,
            instansi_id: value("CAKAP_SIASN_INSTANSI_ID").unwrap_or_default(),
            timeout: Duration::from_secs(num("CAKAP_SIASN_TIMEOUT_SECS", 30)?.max(1)),
            retry_base: Duration::from_secs(num("CAKAP_SIASN_RETRY_SECS", 30)?),
            max_attempts: num("CAKAP_SIASN_MAX_ATTEMPTS", 5)?.clamp(1, 20) as i32,
            refresh_margin: Duration::from_secs(300),
        }))
    }

    /// The settings from the process environment (and `CAKAP_SIASN_SECRETS_FILE`).
    pub fn from_env() -> anyhow::Result<Option<Self>> {
        Self::from_lookup(|n| std::env::var(n).ok().filter(|v| !v.trim().is_empty()))
    }

    pub fn api_base(&self) -> String {
        format!("{}/apisiasn/1.0", self.gateway_url)
    }

    pub fn token_url(&self) -> String {
        format!("{}/oauth2/token", self.gateway_url)
    }

    /// Every secret value (the tests grep pages and logs for them).
    pub fn secrets(&self) -> [&str; 4] {
        [self.consumer_key.expose(), self.consumer_secret.expose(), self.username.expose(), self.password.expose()]
    }
}

/// The sync as a node holds it: the settings (none: not configured) and the client with its tokens.
#[derive(Clone, Default)]
pub struct Siasn(Arc<std::sync::RwLock<Option<Arc<super::client::Client>>>>);

impl Siasn {
    /// Use these settings from now on (the server at start; tests point it at a simulator).
    pub fn configure(&self, settings: Option<Settings>) {
        let client = settings.map(|s| Arc::new(super::client::Client::new(s)));
        if let Ok(mut c) = self.0.write() {
            *c = client;
        }
    }

    /// The client, when the sync is configured.
    pub fn client(&self) -> Option<Arc<super::client::Client>> {
        self.0.read().ok().and_then(|c| c.clone())
    }

    pub fn configured(&self) -> bool {
        self.client().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lookup(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |n| pairs.iter().find(|(k, _)| *k == n).map(|(_, v)| v.to_string())
    }

    #[test]
    fn nothing_set_is_not_configured_and_part_set_names_what_is_missing() {
        assert!(Settings::from_lookup(lookup(&[])).expect("ok").is_none());
        let e = Settings::from_lookup(lookup(&[("CAKAP_SIASN_PASSWORD", "hunter2-very-secret")]))
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(e.contains("CAKAP_SIASN_GATEWAY_URL"), "{e}");
        assert!(!e.contains("hunter2"), "the error never shows a value: {e}");
    }

    #[test]
    fn secrets_never_print() {
        let s = Settings::from_lookup(lookup(&[
            ("CAKAP_SIASN_GATEWAY_URL", "https://gw.example/"),
            ("CAKAP_SIASN_SSO_URL", "https://sso.example/token"),
            ("CAKAP_SIASN_CONSUMER_KEY", "key-123"),
            ("CAKAP_SIASN_CONSUMER_SECRET", "secret-456"),
            ("CAKAP_SIASN_SSO_CLIENT", "cakap"),
            ("CAKAP_SIASN_USERNAME", "operator-789"),
            ("CAKAP_SIASN_PASSWORD", "pass-000"),
            ("CAKAP_SIASN_INSTANSI_ID", "A5EB03E2"),
        ]))
        .expect("ok")
        .expect("configured");
        assert_eq!(s.api_base(), "https://gw.example/apisiasn/1.0");
        let shown = format!("{s:?}");
        for secret in s.secrets() {
            assert!(!shown.contains(secret), "{shown}");
        }
    }
}
