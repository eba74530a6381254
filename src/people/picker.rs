//! The person picker a form shows: its HTML, and the lines a form posts parsed back.

use super::*;

/// One picker on a form: what was chosen, what is still typed, what needs a choice, and why not.
#[derive(Clone, Debug, Default)]
pub struct Picker {
    /// The field's name: the text is posted as `{field}`, the chosen ids as `{field}_id`.
    pub field: &'static str,
    pub label_key: &'static str,
    pub hint_key: &'static str,
    pub purpose: Purpose,
    /// The purpose follows the form's role radio (`staff` manages, the others learn).
    pub purpose_from_role: bool,
    pub multiple: bool,
    pub required: bool,
    pub chosen: Vec<Person>,
    pub text: String,
    /// Typed texts that matched several people, with the people to tick from.
    pub choices: Vec<(String, Vec<Person>)>,
    /// The error key (for the form's summary) and the message in words (beside the field).
    pub error: Option<(&'static str, String)>,
}

#[derive(askama::Template)]
#[template(path = "people/picker.html")]
pub(super) struct PickerHtml<'a> {
    ctx: &'a Ctx,
    p: &'a Picker,
}

impl Picker {
    pub fn new(field: &'static str, label_key: &'static str, hint_key: &'static str, purpose: Purpose) -> Self {
        Self { field, label_key, hint_key, purpose, ..Default::default() }
    }

    pub fn multiple(mut self) -> Self {
        self.multiple = true;
        self
    }

    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }

    pub fn purpose_from_role(mut self) -> Self {
        self.purpose_from_role = true;
        self
    }

    pub fn ids(&self) -> Vec<i64> {
        self.chosen.iter().map(|p| p.id).collect()
    }

    pub fn ok(&self) -> bool {
        self.error.is_none()
    }

    fn fail(&mut self, key: &'static str, text: String) {
        if self.error.is_none() {
            self.error = Some((key, text));
        }
    }

    /// The field drawn (its label, chosen people, text, choices, error and the script's hooks).
    pub fn html(&self, ctx: &Ctx) -> Result<String, AppError> {
        fragment(&PickerHtml { ctx, p: self })
    }

    pub fn error_text(&self) -> &str {
        self.error.as_ref().map(|(_, t)| t.as_str()).unwrap_or("")
    }

    pub fn invalid(&self) -> &'static str {
        if self.error.is_some() { "true" } else { "false" }
    }

    pub fn describedby(&self) -> String {
        if self.error.is_some() {
            format!("{}-hint {}-err", self.field, self.field)
        } else {
            format!("{}-hint", self.field)
        }
    }

    /// Resolve what the form posted: the ticked ids (checked again within scope) and the typed
    /// names or NIPs (one per line where several may be chosen). An id outside the scope is
    /// refused; a text that matches one person chooses them; several are offered to tick; none is
    /// an error that keeps the text.
    pub async fn resolve(
        mut self,
        conn: &mut sqlx::PgConnection,
        ctx: &Ctx,
        user: &CurrentUser,
        ids: &[String],
        text: &str,
    ) -> Result<Self, sqlx::Error> {
        let mut wanted: Vec<i64> = vec![];
        let mut bad_id = false;
        for raw in ids.iter().take(MAX_LINES) {
            match raw.trim().parse::<i64>() {
                Ok(id) if !wanted.contains(&id) => wanted.push(id),
                Ok(_) => {}
                Err(_) => bad_id = !raw.trim().is_empty() || bad_id,
            }
        }
        let allowed = self.purpose.allowed(user);
        let mut chosen = if allowed { by_ids(conn, user, self.purpose, &wanted).await? } else { vec![] };
        // Keep the order they were ticked in.
        chosen.sort_by_key(|p| wanted.iter().position(|w| *w == p.id));
        if bad_id || chosen.len() != wanted.len() {
            self.fail("people.err.out_of_scope", ctx.t("people.err.out_of_scope").to_string());
        }
        let lines: Vec<String> = split_lines(text, self.multiple);
        if lines.len() > MAX_LINES {
            self.fail("people.err.too_many", ctx.t("people.err.too_many").to_string());
        }
        let lines: Vec<String> = lines.into_iter().take(MAX_LINES).collect();
        let found = if allowed && !lines.is_empty() {
            search_many(conn, user, self.purpose, &lines).await?
        } else {
            vec![vec![]; lines.len()]
        };
        let mut left: Vec<String> = vec![];
        for (line, matches) in lines.iter().zip(found) {
            let exact: Vec<&Person> = matches.iter().filter(|m| m.1).map(|m| &m.0).collect();
            if matches.len() == 1 || exact.len() == 1 {
                let p = if exact.len() == 1 { exact[0].clone() } else { matches[0].0.clone() };
                if !chosen.iter().any(|c| c.id == p.id) {
                    chosen.push(p);
                }
            } else if matches.is_empty() {
                let (key, msg) = if self.purpose == Purpose::Manage {
                    ("people.err.none_yours", "people.msg.none_yours")
                } else {
                    ("people.err.none", "people.msg.none")
                };
                self.fail(key, ctx.t(msg).replace("{q}", line));
                left.push(line.clone());
            } else {
                self.fail("people.err.several", ctx.t("people.msg.several").replace("{q}", line));
                let m: Vec<Person> = matches.into_iter().take(MATCHES as usize).map(|m| m.0).collect();
                self.choices.push((line.clone(), m));
            }
        }
        if !self.multiple && chosen.len() > 1 {
            self.fail("people.err.one", ctx.t("people.err.one").to_string());
        }
        if self.required && chosen.is_empty() && self.error.is_none() {
            self.fail("people.err.required", ctx.t("people.err.required").to_string());
        }
        self.chosen = chosen;
        self.text = left.join("\n");
        Ok(self)
    }

    /// Fill the picker from a link (`?mentor_id=12`, `?learner_ids=3,4`, or NIPs/names as text),
    /// without errors: what cannot be resolved stays as typed text.
    pub async fn prefill(
        mut self,
        conn: &mut sqlx::PgConnection,
        ctx: &Ctx,
        user: &CurrentUser,
        ids: &str,
        text: &str,
    ) -> Result<Self, sqlx::Error> {
        let ids: Vec<String> = ids.split([',', ' ']).filter(|s| !s.trim().is_empty()).map(str::to_string).collect();
        if ids.is_empty() && text.trim().is_empty() {
            return Ok(self);
        }
        let required = self.required;
        self.required = false;
        let mut p = self.resolve(conn, ctx, user, &ids, text).await?;
        p.error = None;
        p.choices.clear();
        p.required = required;
        Ok(p)
    }
}

/// Typed names or NIPs: one per line where several may be chosen (a line of NIPs only may also
/// separate them by commas or spaces, as lists pasted from a spreadsheet do).
pub(super) fn split_lines(text: &str, multiple: bool) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    let raw: Vec<&str> = if multiple { text.lines().collect() } else { vec![text] };
    for line in raw {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let only_nips = line.chars().all(|c| c.is_ascii_digit() || c == ',' || c == ';' || c.is_whitespace());
        if multiple && only_nips && line.split([',', ';', ' ', '\t']).filter(|s| !s.is_empty()).all(|s| s.len() == 18) {
            for n in line.split([',', ';', ' ', '\t']).filter(|s| !s.is_empty()) {
                if !out.iter().any(|o| o == n) {
                    out.push(n.to_string());
                }
            }
            continue;
        }
        let q = query_text(line);
        if !q.is_empty() && !out.contains(&q) {
            out.push(q);
        }
    }
    out
}
