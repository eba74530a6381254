//! The person picker: a colleague is chosen by name (or by part of a NIP, where the reader may see
//! NIPs), never by typing an 18-digit number from memory. One JSON search (`/people/search`) feeds
//! the small script in `static/js/app.js`; without the script the typed text is resolved when the
//! form is posted (one match is taken, several are offered to tick, none is an error next to the
//! field). Whatever the browser sends, the server resolves the chosen ids again within the scope
//! of the purpose:
//! - **learning** (a mentor, a colleague one learnt with): every active colleague, shown by name,
//!   position and unit only — nothing personal (no NIP, birth date, phone or e-mail). Part of a
//!   NIP finds only those whose record the reader may see anyway;
//! - **manage** (nominating, logging for one's staff): only those the reader decides for (HR all,
//!   a head their units), with their NIP.

use axum::{
    Json,
    extract::{Query, State},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};

use crate::{
    app::{Access, AppError, AppResult, AppState, Ctx, Routes, render::fragment},
    auth::{CurrentUser, Role},
};

pub fn routes() -> Routes {
    Routes::new().get("/people/search", Access::SignedIn, search)
}

/// What a person is chosen for: it decides whom the reader may pick and what they see of them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Purpose {
    #[default]
    Learning,
    Manage,
}

impl Purpose {
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "learning" => Some(Self::Learning),
            "manage" => Some(Self::Manage),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Learning => "learning",
            Self::Manage => "manage",
        }
    }

    /// Only heads and HR manage anyone.
    pub fn allowed(self, user: &CurrentUser) -> bool {
        self == Self::Learning || user.has(Role::Hr) || user.has(Role::Head)
    }
}

/// A person as the picker shows them. `nip` only where the purpose is management.
#[derive(sqlx::FromRow, Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub name: String,
    pub position: String,
    pub unit: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nip: Option<String>,
}

impl Person {
    /// "Pranata Komputer Ahli Muda · Seksi Aplikasi" (and the NIP where it may be shown).
    pub fn detail(&self) -> String {
        let mut parts: Vec<&str> = vec![];
        if !self.position.is_empty() {
            parts.push(&self.position);
        }
        parts.push(&self.unit);
        if let Some(n) = &self.nip {
            parts.push(n);
        }
        parts.join(" · ")
    }
}

/// At most this many matches per typed text (the script shows them; the form offers them).
const MATCHES: i64 = 10;
/// At most this many names or NIPs in one field.
const MAX_LINES: usize = 500;

/// Everyone matching each typed text, one statement for all of them: `$1..$3` the scope, `$4`
/// management (scope of decisions, NIP shown), `$5` the texts, `$6` matches per text. A full NIP
/// finds its holder; four or more digits find NIPs containing them among the records the reader
/// sees; anything else is part of a name. Same unit first, then by name. The reader never finds
/// themselves.
const SEARCH_SQL: &str = r"
    with q as (
      select t.text, t.ord,
             '%' || replace(replace(replace(t.text, '\', '\\'), '%', '\%'), '_', '\_') || '%' as pat,
             t.text ~ '^[0-9]{18}$' as full_nip, t.text ~ '^[0-9]{4,}$' as digits
      from unnest($5::text[]) with ordinality as t(text, ord))
    select q.ord, p.id, p.name, p.position, p.unit, p.nip, p.exact
    from q cross join lateral (
      select e.id, employee_display_name(e.front_title, e.name, e.back_title) as name,
             coalesce(pos.name, '') as position, u.name as unit, case when $4 then e.nip end as nip,
             lower(e.name) = lower(q.text) or e.nip = q.text as exact
      from employees e join units u on u.id = e.unit_id left join positions pos on pos.id = e.position_id
      where e.active and e.id is distinct from $2
        and (not $4 or scope_decides($1, $2, $3, e.id, u.path))
        and case when q.full_nip then e.nip = q.text
                 when q.digits then e.nip like q.pat and scope_sees($1, $2, $3, e.id, u.path)
                 else e.name ilike q.pat end
      order by lower(e.name) = lower(q.text) desc, e.unit_id = (select m.unit_id from employees m where m.id = $2) desc nulls last,
               e.name, e.id
      limit $6) p
    order by q.ord, p.exact desc, p.name, p.id";

/// The chosen ids, checked again: active, not the reader, within the purpose's scope.
const BY_IDS_SQL: &str = "
    select e.id, employee_display_name(e.front_title, e.name, e.back_title) as name,
           coalesce(pos.name, '') as position, u.name as unit, case when $4 then e.nip end as nip
    from employees e join units u on u.id = e.unit_id left join positions pos on pos.id = e.position_id
    where e.id = any($5) and e.active and e.id is distinct from $2
      and (not $4 or scope_decides($1, $2, $3, e.id, u.path))
    order by e.name, e.id";

#[derive(sqlx::FromRow)]
struct Match {
    ord: i64,
    #[sqlx(flatten)]
    person: Person,
    /// The whole name (or the whole NIP) was typed.
    exact: bool,
}

async fn search_many(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    purpose: Purpose,
    texts: &[String],
) -> Result<Vec<Vec<(Person, bool)>>, sqlx::Error> {
    let scope = user.scope();
    let rows: Vec<Match> = sqlx::query_as(SEARCH_SQL)
        .bind(scope.all)
        .bind(scope.own)
        .bind(&scope.unit_patterns)
        .bind(purpose == Purpose::Manage)
        .bind(texts)
        .bind(MATCHES + 1)
        .fetch_all(conn)
        .await?;
    let mut out: Vec<Vec<(Person, bool)>> = vec![vec![]; texts.len()];
    for m in rows {
        if let Some(slot) = usize::try_from(m.ord - 1).ok().and_then(|i| out.get_mut(i)) {
            slot.push((m.person, m.exact));
        }
    }
    Ok(out)
}

/// The people behind these ids that the reader may choose for this purpose.
pub async fn by_ids(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    purpose: Purpose,
    ids: &[i64],
) -> Result<Vec<Person>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let scope = user.scope();
    sqlx::query_as(BY_IDS_SQL)
        .bind(scope.all)
        .bind(scope.own)
        .bind(&scope.unit_patterns)
        .bind(purpose == Purpose::Manage)
        .bind(ids)
        .fetch_all(conn)
        .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    q: String,
    #[serde(rename = "for")]
    purpose: String,
}

#[derive(Serialize)]
struct SearchAnswer {
    people: Vec<Person>,
    /// More matched than are listed: type more of the name.
    more: bool,
}

/// `GET /people/search?q=yayan&for=learning|manage` → `{"people": [{id, name, position, unit}], "more": false}`.
async fn search(State(state): State<AppState>, user: CurrentUser, Query(p): Query<SearchQuery>) -> AppResult<Response> {
    let purpose = Purpose::parse(&p.purpose).unwrap_or_default();
    if !purpose.allowed(&user) {
        return Err(AppError::Forbidden);
    }
    let q = query_text(&p.q);
    if q.chars().count() < 2 {
        return Ok(Json(SearchAnswer { people: vec![], more: false }).into_response());
    }
    let mut conn = state.pool.acquire().await?;
    let mut found: Vec<Person> = search_many(&mut conn, &user, purpose, &[q])
        .await?
        .pop()
        .unwrap_or_default()
        .into_iter()
        .map(|m| m.0)
        .collect();
    let more = found.len() as i64 > MATCHES;
    found.truncate(MATCHES as usize);
    let mut res = Json(SearchAnswer { people: found, more }).into_response();
    res.headers_mut().insert(axum::http::header::CACHE_CONTROL, axum::http::HeaderValue::from_static("no-store"));
    Ok(res)
}

/// A typed text as searched: trimmed, spaces inside a NIP dropped, at most 100 characters, no
/// control characters.
fn query_text(s: &str) -> String {
    let t: String = s.trim().chars().filter(|c| !c.is_control()).take(100).collect();
    let compact: String = t.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.len() >= 4 && compact.bytes().all(|b| b.is_ascii_digit()) { compact } else { t }
}

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
struct PickerHtml<'a> {
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
fn split_lines(text: &str, multiple: bool) -> Vec<String> {
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

/// All values of a repeated field in an urlencoded form (`Form<Vec<(String, String)>>`).
pub fn values(fields: &[(String, String)], name: &str) -> Vec<String> {
    fields.iter().filter(|(k, _)| k == name).map(|(_, v)| v.clone()).collect()
}

/// The one value of a field in an urlencoded form ("" when absent).
pub fn value(fields: &[(String, String)], name: &str) -> String {
    fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_of_names_and_lists_of_nips() {
        assert_eq!(split_lines("  Yayan  ", false), vec!["Yayan"]);
        assert_eq!(split_lines("Yayan\nSiti\n\nYayan", true), vec!["Yayan", "Siti"]);
        let two = "198609262015051001, 199105052019032011";
        assert_eq!(split_lines(two, true), vec!["198609262015051001", "199105052019032011"]);
        assert_eq!(split_lines("1986 0926", true), vec!["19860926"], "a NIP part typed with a space");
        assert_eq!(query_text("Asep\u{7}"), "Asep");
    }

    #[test]
    fn purposes_parse_and_only_staff_manage() {
        assert_eq!(Purpose::parse("manage"), Some(Purpose::Manage));
        assert_eq!(Purpose::parse("learning"), Some(Purpose::Learning));
        assert_eq!(Purpose::parse("all"), None);
    }
}
