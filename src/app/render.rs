//! Rendering askama templates and redirects with flash messages.

use askama::Template;
use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
};

use super::error::AppError;

pub fn render<T: Template>(t: &T) -> Result<Response, AppError> {
    render_status(StatusCode::OK, t)
}

/// A part of a page drawn on its own (escaped as every template is), to be kept and placed in a
/// page with `|safe`.
pub fn fragment<T: Template>(t: &T) -> Result<String, AppError> {
    t.render().map_err(|e| AppError::Other(anyhow::anyhow!("template: {e}")))
}

pub fn render_status<T: Template>(status: StatusCode, t: &T) -> Result<Response, AppError> {
    Ok((status, Html(fragment(t)?)).into_response())
}

/// Flash kinds shown after a redirect.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FlashKind {
    Ok,
    Err,
}

pub const FLASH_COOKIE: &str = "cakap_flash";

/// A 303 redirect that shows the message (an i18n key) on the next page.
pub fn redirect_flash(to: &str, kind: FlashKind, key: &'static str) -> Response {
    let mut res = Redirect::to(to).into_response();
    let k = match kind {
        FlashKind::Ok => "ok",
        FlashKind::Err => "err",
    };
    if let Ok(v) =
        HeaderValue::from_str(&format!("{FLASH_COOKIE}={k}.{key}; Path=/; HttpOnly; SameSite=Lax; Max-Age=60"))
    {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// A stored file (evidence, a certificate) to those allowed to see it: shown in the browser when
/// `inline` (sandboxed, so it never runs as a page of this site), else saved.
pub fn stored_file(filename: &str, content_type: String, data: Vec<u8>, inline: bool) -> Response {
    use axum::{http::header, response::IntoResponse};
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("{}; filename=\"{}\"", if inline { "inline" } else { "attachment" }, filename.replace('"', "")),
            ),
            (header::CACHE_CONTROL, "private, no-store".to_string()),
            (
                header::CONTENT_SECURITY_POLICY,
                "sandbox; default-src 'none'; img-src 'self'; object-src 'self'".to_string(),
            ),
        ],
        data,
    )
        .into_response()
}
