//! Front-end assets, read once at start: each file gets a fingerprinted name
//! (`/static/css/app.<hash>.css`, the first 10 hex digits of its SHA-256) served with a one-year
//! immutable cache lifetime, and is gzip-compressed once instead of on every request. Pages link
//! the fingerprinted names (`Ctx::asset`), so a new build's assets are fetched at once. The plain
//! names still answer, with a short lifetime, for anything that links them directly.

use std::{
    collections::HashMap,
    io::Write as _,
    path::Path,
    sync::{Arc, OnceLock},
};

use axum::{
    body::Body,
    extract::Path as UrlPath,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use sha2::{Digest as _, Sha256};

/// One asset, ready to send.
struct Asset {
    content_type: &'static str,
    body: Arc<[u8]>,
    /// The gzip form when it is smaller.
    gzip: Option<Arc<[u8]>>,
    etag: String,
}

#[derive(Default)]
pub struct Assets {
    /// Served name (plain and fingerprinted) → asset and whether the name is fingerprinted.
    files: HashMap<String, (Arc<Asset>, bool)>,
    /// Plain name → fingerprinted URL.
    urls: HashMap<String, String>,
}

static LOADED: OnceLock<Assets> = OnceLock::new();

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or_default() {
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "json" => "application/json",
        _ => "application/octet-stream",
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for e in entries.flatten() {
        let path = e.path();
        if path.is_dir() {
            walk(root, &path, out);
        } else if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(root), std::fs::read(&path)) {
            out.push((rel.to_string_lossy().replace('\\', "/"), bytes));
        }
    }
}

impl Assets {
    pub fn load(dir: &Path) -> Self {
        let mut found = vec![];
        walk(dir, dir, &mut found);
        let mut assets = Self::default();
        for (name, bytes) in found {
            let hash: String = Sha256::digest(&bytes).iter().take(5).map(|b| format!("{b:02x}")).collect();
            let content_type = content_type(&name);
            let gzip =
                if content_type.starts_with("text/") || content_type.contains("svg") || content_type.contains("json") {
                    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
                    enc.write_all(&bytes).ok().and_then(|_| enc.finish().ok()).filter(|z| z.len() < bytes.len())
                } else {
                    None
                };
            let asset = Arc::new(Asset {
                content_type,
                etag: format!("\"{hash}\""),
                gzip: gzip.map(Arc::from),
                body: Arc::from(bytes),
            });
            let fingerprinted = match name.rsplit_once('.') {
                Some((stem, ext)) => format!("{stem}.{hash}.{ext}"),
                None => format!("{name}.{hash}"),
            };
            assets.urls.insert(name.clone(), format!("/static/{fingerprinted}"));
            assets.files.insert(fingerprinted, (asset.clone(), true));
            assets.files.insert(name, (asset, false));
        }
        assets
    }

    /// Read the assets under `dir` once for this process (later calls keep the first).
    pub fn init(dir: &Path) {
        let _ = LOADED.set(Self::load(dir));
    }
}

/// The fingerprinted URL of `name` (e.g. `css/app.css`); the plain one if it is unknown.
pub fn url(name: &str) -> String {
    LOADED.get().and_then(|a| a.urls.get(name).cloned()).unwrap_or_else(|| format!("/static/{name}"))
}

/// `GET /static/{*path}`.
pub async fn serve(UrlPath(path): UrlPath<String>, headers: HeaderMap) -> Response {
    let Some((asset, fingerprinted)) = LOADED.get().and_then(|a| a.files.get(&path)) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let cache = if *fingerprinted { "public, max-age=31536000, immutable" } else { "public, max-age=300" };
    if headers.get(header::IF_NONE_MATCH).and_then(|v| v.to_str().ok()) == Some(asset.etag.as_str()) {
        return (StatusCode::NOT_MODIFIED, [(header::ETAG, asset.etag.clone()), (header::CACHE_CONTROL, cache.into())])
            .into_response();
    }
    let gzip_ok = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|e| e.trim().split(';').next() == Some("gzip")));
    let mut res = match (&asset.gzip, gzip_ok) {
        (Some(z), true) => {
            let mut r = Body::from(bytes_of(z)).into_response();
            r.headers_mut().insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
            r
        }
        _ => Body::from(bytes_of(&asset.body)).into_response(),
    };
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(asset.content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(v) = HeaderValue::from_str(&asset.etag) {
        h.insert(header::ETAG, v);
    }
    res
}

fn bytes_of(b: &Arc<[u8]>) -> axum::body::Bytes {
    axum::body::Bytes::from_owner(ArcBytes(b.clone()))
}

/// Lets a response body share the asset's bytes without copying them.
struct ArcBytes(Arc<[u8]>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}
