//! Several people at once. An edit form carries the version of the record it was loaded from and
//! the values it showed (`base`). Saving against a record someone else changed meanwhile is not
//! applied blindly: when the two sets of changes touch different fields they are merged (and the
//! user is told); when they touch the same field the page shows, field by field, what the other
//! person changed and what this user typed, and the user applies their values on top or discards.
//!
//! A create form carries a one-time token instead, so a double click creates one record.

mod save;

pub use save::{Editable, create, edit_page, save, update};
use serde::{Serialize, de::DeserializeOwned};
use serde_json::{Map, Value};
use sqlx::PgConnection;

/// An edit form as posted: its fields, plus the version and values it was loaded with.
#[derive(serde::Deserialize, Clone, Debug, Default)]
pub struct Versioned<F> {
    #[serde(flatten)]
    pub form: F,
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub base: String,
    #[serde(default)]
    pub form_token: String,
}

impl<F> Versioned<F> {
    pub fn loaded(&self) -> Option<i64> {
        self.version.trim().parse().ok()
    }

    /// The same hidden fields again (the form comes back with field errors).
    pub fn again(&self) -> EditState {
        EditState {
            stamp: self.loaded().map(|version| Stamp { version, base: self.base.clone() }),
            clashes: vec![],
            token: self.form_token.clone(),
        }
    }
}

/// What a form page needs to carry concurrency along: the stamp of an edit, the clashes to show
/// after a conflicting save, the token of a create form.
#[derive(Clone, Debug, Default)]
pub struct EditState {
    pub stamp: Option<Stamp>,
    pub clashes: Vec<Clash>,
    pub token: String,
}

impl EditState {
    /// A new create form.
    pub fn create() -> Self {
        Self { token: new_token(), ..Default::default() }
    }

    /// An edit form loaded from `version` of the record.
    pub fn loaded<F: Serialize>(version: i64, form: &F) -> Self {
        Self { stamp: Some(Stamp::of(version, form)), ..Default::default() }
    }

    /// After a conflicting save: the latest version and its values, and the clashes to show.
    pub fn conflict<F: Serialize>(version: i64, current: &F, clashes: Vec<Clash>) -> Self {
        Self { stamp: Some(Stamp::of(version, current)), clashes, token: String::new() }
    }

    pub fn has_conflict(&self) -> bool {
        !self.clashes.is_empty()
    }

    /// 409 after a conflicting save, else what the field errors say.
    pub fn status(&self, errors: &super::form::FieldErrors) -> axum::http::StatusCode {
        if self.has_conflict() { axum::http::StatusCode::CONFLICT } else { errors.status() }
    }
}

/// The hidden fields of an edit form: the version and the values it was loaded with.
#[derive(Clone, Debug, Default)]
pub struct Stamp {
    pub version: i64,
    pub base: String,
}

impl Stamp {
    pub fn of<F: Serialize>(version: i64, form: &F) -> Self {
        Self { version, base: serde_json::to_string(form).unwrap_or_default() }
    }
}

/// One field whose value differs between the three versions.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Clash {
    pub field: String,
    /// When this user opened the form.
    pub base: String,
    /// What the other person saved.
    pub theirs: String,
    /// What this user typed.
    pub mine: String,
}

/// What to do with a save.
pub enum Outcome<F> {
    /// Nobody changed the record meanwhile (or nothing this form shows): save as typed.
    Fresh,
    /// Someone changed other fields: save these values (theirs kept, mine on top).
    Merged(F),
    /// Both changed the same fields: show them and save nothing.
    Conflict(Vec<Clash>),
}

fn text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => {
            if *b {
                "on".into()
            } else {
                String::new()
            }
        }
        Some(other) => other.to_string(),
    }
}

fn fields<F: Serialize>(f: &F) -> Map<String, Value> {
    match serde_json::to_value(f) {
        Ok(Value::Object(m)) => m,
        _ => Map::new(),
    }
}

/// Compare what the user typed with the record as it is now, both against what the form showed.
/// `loaded` is the version the form was loaded from (`None` for a form posted without one: it is
/// treated as fresh only when the record has not moved on from version 1).
pub fn reconcile<F: Serialize + DeserializeOwned>(
    loaded: Option<i64>,
    current_version: i64,
    base: &str,
    typed: &F,
    current: &F,
) -> Outcome<F> {
    if loaded == Some(current_version) {
        return Outcome::Fresh;
    }
    let mine = fields(typed);
    let now = fields(current);
    // Without the values the form showed, every field that differs from now is a clash.
    let base: Map<String, Value> = serde_json::from_str(base).unwrap_or_else(|_| now.clone());
    let known_base = loaded.is_some() && !base.is_empty();
    let mut merged = now.clone();
    let mut clashes = vec![];
    let mut theirs_changed = false;
    for (k, my) in &mine {
        let (b, t, m) = (text(base.get(k)), text(now.get(k)), text(Some(my)));
        let they_changed = !known_base || b != t;
        let i_changed = !known_base || b != m;
        theirs_changed |= known_base && they_changed;
        if i_changed && they_changed && m != t {
            clashes.push(Clash {
                field: k.clone(),
                base: if known_base { b } else { String::new() },
                theirs: t,
                mine: m,
            });
        } else if i_changed {
            merged.insert(k.clone(), my.clone());
        }
    }
    if !clashes.is_empty() {
        return Outcome::Conflict(clashes);
    }
    if !theirs_changed {
        return Outcome::Fresh;
    }
    match serde_json::from_value(Value::Object(merged)) {
        Ok(f) => Outcome::Merged(f),
        Err(_) => Outcome::Fresh,
    }
}

/// How a save goes on after the concurrency checks.
pub enum Begin<F> {
    /// Save these values (`merged`: someone else's changes to other fields were kept).
    Go { form: F, merged: bool },
    /// Both changed the same fields: show the form again with this state (409), save nothing.
    Conflict(EditState),
    /// This create form was already submitted: its record is at this address ("" if unknown).
    Duplicate(String),
}

/// The checks every save makes inside its transaction. For an edit, `current` is the record as it
/// is now (version and form values), read under a row lock; for a create it is `None` and the
/// form's one-time token is claimed.
pub async fn begin<F: Serialize + DeserializeOwned + Clone>(
    conn: &mut PgConnection,
    account_id: i64,
    posted: &Versioned<F>,
    current: Option<(i64, F)>,
) -> Result<Begin<F>, sqlx::Error> {
    match current {
        Some((version, now)) => Ok(match reconcile(posted.loaded(), version, &posted.base, &posted.form, &now) {
            Outcome::Fresh => Begin::Go { form: posted.form.clone(), merged: false },
            Outcome::Merged(form) => Begin::Go { form, merged: true },
            Outcome::Conflict(clashes) => Begin::Conflict(EditState::conflict(version, &now, clashes)),
        }),
        None => Ok(match claim(conn, account_id, &posted.form_token).await? {
            Some(location) => Begin::Duplicate(location),
            None => Begin::Go { form: posted.form.clone(), merged: false },
        }),
    }
}

/// The same state change made twice at once (deactivate, close, disable…): the second person is
/// told who made it, when, and that nothing more was done (409). The facts come from the audit log.
#[derive(askama::Template)]
#[template(path = "already_done.html")]
struct AlreadyDonePage {
    ctx: super::Ctx,
    what: &'static str,
    by: String,
    when: String,
    back: String,
}

pub async fn already_done(
    conn: &mut PgConnection,
    ctx: super::Ctx,
    entity: &str,
    id: i64,
    action: &str,
    back: &str,
) -> Result<axum::response::Response, super::AppError> {
    let row = sqlx::query!(
        "select actor, at from audit_log where entity = $1 and entity_id = $2 and action = $3 order by id desc limit 1",
        entity,
        id.to_string(),
        action
    )
    .fetch_optional(conn)
    .await?;
    let (by, when) = match row {
        Some(r) => (r.actor, ctx.date_time(r.at)),
        None => (String::new(), String::new()),
    };
    let what = ctx.t(&format!("done.{action}"));
    let page = AlreadyDonePage { ctx, what, by, when, back: back.to_string() };
    super::render::render_status(axum::http::StatusCode::CONFLICT, &page)
}

/// A create form's one-time token.
pub fn new_token() -> String {
    super::context::random_token()
}

/// Claim a create form's token inside the transaction that creates the record. `Ok(None)`: the
/// token is new (go on, then `remember` where the record went). `Ok(Some(location))`: this form
/// was already submitted; answer with where its record is. A missing or odd token is ignored.
pub async fn claim(conn: &mut PgConnection, account_id: i64, token: &str) -> Result<Option<String>, sqlx::Error> {
    if !(16..=64).contains(&token.len()) {
        return Ok(None);
    }
    let inserted = sqlx::query!(
        "insert into form_submissions (token, account_id) values ($1, $2) on conflict (token) do nothing",
        token,
        account_id
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    if inserted == 1 {
        return Ok(None);
    }
    let location: Option<String> = sqlx::query_scalar!(
        "select location from form_submissions where token = $1 and account_id = $2",
        token,
        account_id
    )
    .fetch_optional(conn)
    .await?;
    Ok(Some(location.unwrap_or_default()))
}

pub async fn remember(conn: &mut PgConnection, token: &str, location: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("update form_submissions set location = $2 where token = $1", token, location).execute(conn).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
    struct F {
        phone: String,
        email: String,
        head: Option<String>,
    }

    fn f(phone: &str, email: &str) -> F {
        F { phone: phone.into(), email: email.into(), head: None }
    }

    #[test]
    fn disjoint_changes_merge_and_overlapping_ones_clash() {
        let base = serde_json::to_string(&f("0811", "a@x.id")).expect("json");
        // A changed the phone (now version 2); B typed a new e-mail on version 1.
        match reconcile(Some(1), 2, &base, &f("0811", "b@x.id"), &f("0822", "a@x.id")) {
            Outcome::Merged(m) => assert_eq!(m, f("0822", "b@x.id")),
            _ => panic!("expected a merge"),
        }
        // Both changed the phone, differently.
        match reconcile(Some(1), 2, &base, &f("0833", "a@x.id"), &f("0822", "a@x.id")) {
            Outcome::Conflict(c) => {
                assert_eq!(
                    c,
                    vec![Clash {
                        field: "phone".into(),
                        base: "0811".into(),
                        theirs: "0822".into(),
                        mine: "0833".into()
                    }]
                )
            }
            _ => panic!("expected a clash"),
        }
        // Both made the same change: nothing to ask.
        assert!(!matches!(
            reconcile(Some(1), 2, &base, &f("0822", "a@x.id"), &f("0822", "a@x.id")),
            Outcome::Conflict(_)
        ));
        assert!(matches!(reconcile(Some(2), 2, &base, &f("1", "2"), &f("0822", "a@x.id")), Outcome::Fresh));
    }
}
