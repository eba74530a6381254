//! Field errors for forms that re-render with the user's input kept.

/// (field name, i18n key of the message), in the order they were found.
#[derive(Clone, Debug, Default)]
pub struct FieldErrors(pub Vec<(&'static str, &'static str)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, key: &'static str) {
        if self.get(field).is_none() {
            self.0.push((field, key));
        }
    }

    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| *f == field).map(|(_, k)| *k)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The status of a form page: 200 when shown fresh, 422 when shown again with errors.
    pub fn status(&self) -> axum::http::StatusCode {
        if self.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY }
    }

    /// `aria-invalid` value for a field.
    pub fn invalid(&self, field: &str) -> &'static str {
        if self.get(field).is_some() { "true" } else { "false" }
    }
}

/// NUL cannot be stored in PostgreSQL text and has no place in any field: every input path refuses
/// it up front with a clear message (400 `err.nul`). These two are the one check: a raw value, and
/// a percent-encoded one (query strings and form bodies, checked by the context middleware).
pub fn has_nul(s: &str) -> bool {
    s.contains('\0')
}

pub fn has_encoded_nul(s: &str) -> bool {
    has_nul(s) || s.to_ascii_lowercase().contains("%00")
}

/// Trim a text field and refuse control characters and over-long values.
pub fn clean_text(value: &str, max: usize) -> Result<String, &'static str> {
    let v = value.trim();
    if v.chars().count() > max {
        return Err("form.too_long");
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err("form.bad_chars");
    }
    Ok(v.to_string())
}

/// A required text field: cleaned, not empty; the error is recorded under `field`.
pub fn required_text(errors: &mut FieldErrors, field: &'static str, value: &str, max: usize) -> String {
    let v = clean_text(value, max).map_err(|k| errors.add(field, k)).unwrap_or_default();
    if v.is_empty() {
        errors.add(field, "form.required");
    }
    v
}

/// A `like`/`ilike` pattern matching `text` anywhere, with `\`, `%` and `_` taken literally.
pub fn contains_pattern(text: &str) -> String {
    format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"))
}

/// A multipart form as posted: its text fields by name, and the one file field (name, bytes) when
/// a file was chosen for it.
pub struct Posted {
    fields: std::collections::HashMap<String, String>,
    /// Every value of each field, in order (checkboxes of one name send several).
    all: std::collections::HashMap<String, Vec<String>>,
    pub file: Option<(String, Vec<u8>)>,
}

impl Posted {
    /// A text field ("" when absent).
    pub fn take(&mut self, name: &str) -> String {
        self.fields.remove(name).unwrap_or_default()
    }

    /// Every value sent for a field (none when absent).
    pub fn take_all(&mut self, name: &str) -> Vec<String> {
        self.all.remove(name).unwrap_or_default()
    }
}

/// Read a multipart form whose file travels in `file_field`.
pub async fn read_multipart(mut mp: axum::extract::Multipart, file_field: &str) -> Result<Posted, super::AppError> {
    let mut fields = std::collections::HashMap::new();
    let mut all: std::collections::HashMap<String, Vec<String>> = std::collections::HashMap::new();
    let mut file = None;
    while let Some(field) = mp.next_field().await? {
        let name = field.name().unwrap_or("").to_string();
        if has_nul(&name) {
            return Err(super::AppError::BadRequest("err.nul"));
        }
        if name == file_field {
            let filename = field.file_name().unwrap_or("").to_string();
            if has_nul(&filename) {
                return Err(super::AppError::BadRequest("err.nul"));
            }
            let bytes = field.bytes().await?;
            // No file chosen: the browser sends an empty part without a name. A named empty file
            // is kept, so its reader can say it is empty.
            if !bytes.is_empty() || !filename.is_empty() {
                file = Some((filename, bytes.to_vec()));
            }
            continue;
        }
        let value = field.text().await?;
        if has_nul(&value) {
            return Err(super::AppError::BadRequest("err.nul"));
        }
        all.entry(name.clone()).or_default().push(value.clone());
        fields.insert(name, value);
    }
    Ok(Posted { fields, all, file })
}
