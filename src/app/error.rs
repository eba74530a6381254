//! One application error type. Handlers return `AppError`; `into_response` leaves an
//! [`ErrorMeta`] on the response and the context middleware renders it as a friendly HTML page
//! in the user's language, a JSON body for API callers, or a redirect to the login page.

use axum::{
    http::StatusCode,
    response::{IntoResponse, Response},
};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("login required")]
    Unauthorized,
    /// Field errors for API callers (forms re-render themselves instead).
    #[error("invalid input")]
    Validation(Vec<(String, String)>),
    /// A user-facing message key (i18n) for a request that cannot be honoured.
    #[error("bad request: {0}")]
    BadRequest(&'static str),
    #[error("conflict: {0}")]
    Conflict(&'static str),
    #[error("request body too large")]
    TooLarge,
    /// Every password-hashing slot of this node is taken: try again in a few seconds.
    #[error("password hashing busy")]
    Busy,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    NotFound,
    Forbidden,
    Unauthorized,
    BadRequest,
    Conflict,
    TooLarge,
    Timeout,
    Unavailable,
    Internal,
}

/// Left on an error response for the context middleware to render.
#[derive(Clone, Debug)]
pub struct ErrorMeta {
    pub kind: ErrorKind,
    /// An i18n key with a more specific message.
    pub message_key: Option<&'static str>,
    pub fields: Vec<(String, String)>,
}

impl ErrorKind {
    pub fn status(self) -> StatusCode {
        match self {
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::Unauthorized => StatusCode::UNAUTHORIZED,
            Self::BadRequest => StatusCode::BAD_REQUEST,
            Self::Conflict => StatusCode::CONFLICT,
            Self::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Timeout => StatusCode::REQUEST_TIMEOUT,
            Self::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn from_status(status: StatusCode) -> Self {
        match status {
            StatusCode::NOT_FOUND | StatusCode::METHOD_NOT_ALLOWED => Self::NotFound,
            StatusCode::FORBIDDEN => Self::Forbidden,
            StatusCode::UNAUTHORIZED => Self::Unauthorized,
            StatusCode::CONFLICT => Self::Conflict,
            StatusCode::PAYLOAD_TOO_LARGE => Self::TooLarge,
            StatusCode::REQUEST_TIMEOUT => Self::Timeout,
            StatusCode::SERVICE_UNAVAILABLE => Self::Unavailable,
            s if s.is_client_error() => Self::BadRequest,
            _ => Self::Internal,
        }
    }

    /// The i18n key of the title and the default explanation.
    pub fn keys(self) -> (&'static str, &'static str) {
        match self {
            Self::NotFound => ("err.not_found.title", "err.not_found.body"),
            Self::Forbidden => ("err.forbidden.title", "err.forbidden.body"),
            Self::Unauthorized => ("err.unauthorized.title", "err.unauthorized.body"),
            Self::BadRequest => ("err.bad_request.title", "err.bad_request.body"),
            Self::Conflict => ("err.conflict.title", "err.conflict.body"),
            Self::TooLarge => ("err.too_large.title", "err.too_large.body"),
            Self::Timeout => ("err.timeout.title", "err.timeout.body"),
            Self::Unavailable => ("err.unavailable.title", "err.unavailable.body"),
            Self::Internal => ("err.internal.title", "err.internal.body"),
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::NotFound => "not_found",
            Self::Forbidden => "forbidden",
            Self::Unauthorized => "unauthorized",
            Self::BadRequest => "bad_request",
            Self::Conflict => "conflict",
            Self::TooLarge => "payload_too_large",
            Self::Timeout => "timeout",
            Self::Unavailable => "service_unavailable",
            Self::Internal => "internal_error",
        }
    }
}

/// Whether a database error means "the server is not there" rather than a bug.
pub fn is_unavailable(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => true,
        // PostgreSQL shutting down or restarting ("terminating connection due to administrator
        // command", crash shutdown, "the database system is starting up"), or a broken connection.
        sqlx::Error::Database(d) => {
            d.code().is_some_and(|c| matches!(c.as_ref(), "57P01" | "57P02" | "57P03") || c.starts_with("08"))
        }
        _ => false,
    }
}

impl AppError {
    pub fn meta(&self) -> ErrorMeta {
        let (kind, message_key, fields) = match self {
            Self::NotFound => (ErrorKind::NotFound, None, vec![]),
            Self::Forbidden => (ErrorKind::Forbidden, None, vec![]),
            Self::Unauthorized => (ErrorKind::Unauthorized, None, vec![]),
            Self::Validation(f) => (ErrorKind::BadRequest, None, f.clone()),
            Self::BadRequest(k) => (ErrorKind::BadRequest, Some(*k), vec![]),
            Self::Conflict(k) => (ErrorKind::Conflict, Some(*k), vec![]),
            Self::TooLarge => (ErrorKind::TooLarge, None, vec![]),
            Self::Busy => (ErrorKind::Unavailable, Some("err.busy"), vec![]),
            // A byte PostgreSQL cannot store in text (NUL) that slipped past the checks at the
            // edge: the request is refused, nothing is written.
            Self::Db(sqlx::Error::Database(d)) if d.code().is_some_and(|c| c == "22021" || c == "22P05") => {
                (ErrorKind::BadRequest, Some("err.nul"), vec![])
            }
            Self::Db(e) if is_unavailable(e) => (ErrorKind::Unavailable, None, vec![]),
            // Two writers met (a deadlock PostgreSQL broke, or a serialization failure): nothing
            // was written, and trying again works. Decisions and budget checks have tried again
            // already (`retry::transaction`); this is what still met another after that.
            Self::Db(sqlx::Error::Database(d)) if d.code().is_some_and(|c| c == "40P01" || c == "40001") => {
                (ErrorKind::Conflict, None, vec![])
            }
            Self::Db(_) | Self::Other(_) => (ErrorKind::Internal, None, vec![]),
        };
        ErrorMeta { kind, message_key, fields }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let meta = self.meta();
        match meta.kind {
            ErrorKind::Unavailable => tracing::warn!(error = %self, "database unavailable"),
            ErrorKind::Internal => {
                let chain: Vec<String> = match &self {
                    Self::Other(e) => e.chain().map(ToString::to_string).collect(),
                    other => vec![other.to_string()],
                };
                tracing::error!(cause = %chain.join(": "), "request failed");
            }
            _ => {}
        }
        let mut res = (meta.kind.status(), meta.kind.code()).into_response();
        if matches!(self, Self::Busy) {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("5"));
        }
        res.extensions_mut().insert(meta);
        res
    }
}

impl From<crate::auth::Busy> for AppError {
    fn from(_: crate::auth::Busy) -> Self {
        Self::Busy
    }
}

/// Map a unique-constraint violation named `constraint` to `field`.
pub fn on_constraint(e: &sqlx::Error, constraint: &str) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.constraint() == Some(constraint))
}

/// The named constraints a form can run into when two people save at once, each with the field
/// and the message it means. A check before the write answers the common case; this answers
/// the race the check cannot see.
const CONSTRAINT_FIELDS: &[(&str, &str, &str)] = &[
    ("accounts_username_key", "username", "acct.err.username_taken"),
    ("accounts_employee_id_key", "nip", "acct.err.nip_has_account"),
    ("positions_one_head_per_unit", "is_unit_head", "pos.err.head_taken"),
    ("employees_nip_key", "nip", "emp.err.nip_taken"),
    ("units_code_key", "code", "unit.err.code_taken"),
    ("competencies_code_key", "code", "comp.err.code_taken"),
    ("providers_name_key", "name", "prov.err.name_taken"),
    ("programmes_code_key", "code", "prog.err.code_taken"),
];

/// The form field and message of a named constraint violation, if it is one a user can fix.
pub fn constraint_field(e: &sqlx::Error) -> Option<(&'static str, &'static str)> {
    let sqlx::Error::Database(d) = e else { return None };
    let name = d.constraint()?;
    CONSTRAINT_FIELDS.iter().find(|(c, _, _)| *c == name).map(|(_, f, k)| (*f, *k))
}

impl From<axum::extract::multipart::MultipartError> for AppError {
    fn from(e: axum::extract::multipart::MultipartError) -> Self {
        // A body cut by the size limit surfaces as a stream error whose cause names the limit.
        let mut too_large = e.status() == StatusCode::PAYLOAD_TOO_LARGE;
        let mut cause: Option<&dyn std::error::Error> = Some(&e);
        while let Some(c) = cause {
            too_large |= c.to_string().to_lowercase().contains("length limit");
            cause = c.source();
        }
        if too_large { Self::TooLarge } else { Self::BadRequest("err.upload") }
    }
}
