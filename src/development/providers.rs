//! Training providers: universities, vendors, LAN/BPSDM, ministries, professional bodies; reusable
//! across trainings, with their evaluation results beside them.

use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::model::ProviderKind;
use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        edit::{self, EditState},
        export::{self, Table},
        form::{FieldErrors, clean_text, required_text},
        render::{render, render_status},
    },
    auth::Role,
    employees::model::{Email, Phone},
};

const HR: &[Role] = &[Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .get("/providers", Access::AnyOf(&[Role::Hr, Role::Head]), list)
        .get("/providers/new", Access::AnyOf(HR), new_form)
        .post("/providers", Access::AnyOf(HR), edit::create::<Provider>)
        .get("/providers/{id}/edit", Access::AnyOf(HR), edit::edit_page::<Provider>)
        .post("/providers/{id}", Access::AnyOf(HR), edit::update::<Provider>)
}

struct Row {
    id: i64,
    name: String,
    kind: ProviderKind,
    contact_person: String,
    email: String,
    phone: String,
    active: bool,
    trainings: i64,
    evaluations: i64,
    /// Mean of the four evaluation scores over all its trainings.
    score: Option<f64>,
}

#[derive(askama::Template)]
#[template(path = "development/providers.html")]
struct ListPage {
    ctx: Ctx,
    rows: std::sync::Arc<Vec<Row>>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    format: String,
}

impl crate::app::versioned::Weigh for Row {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.name.len() + self.contact_person.len() + self.email.len() + self.phone.len()
    }
}

/// Every provider with its trainings and evaluations, kept per version of the records (the
/// evaluations' aggregate took 0.15–0.24 s a view at 100 000 staff).
async fn kept_rows(state: &AppState, ctx: &Ctx) -> AppResult<std::sync::Arc<Vec<Row>>> {
    let source = state.reader(ctx).await;
    let rows = state
        .versions
        .get_in(crate::app::versioned::Depends::All, source, "providers.list".to_string(), |conn| {
            Box::pin(async move { provider_rows(conn).await })
        })
        .await?;
    Ok(rows)
}

async fn provider_rows(conn: &mut sqlx::PgConnection) -> Result<Vec<Row>, sqlx::Error> {
    sqlx::query_as!(
        Row,
        r#"select p.id, p.name, p.kind as "kind: ProviderKind", p.contact_person, p.email, p.phone, p.active,
                (select count(*) from trainings t where t.provider_id = p.id) as "trainings!",
                coalesce(ev.n, 0) as "evaluations!", ev.score as "score?"
         from providers p
         left join (select t.provider_id, count(*) as n,
                           avg((e.relevance + e.method + e.trainer + e.usefulness) / 4.0)::float8 as score
                    from training_evaluations e join training_participants tp on tp.id = e.participant_id
                    join trainings t on t.id = tp.training_id group by t.provider_id) ev on ev.provider_id = p.id
         order by p.active desc, p.name"#
    )
    .fetch_all(conn)
    .await
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let rows = kept_rows(&state, &ctx).await?;
    if export::wanted(&q.format) {
        let table = Table {
            name: "penyelenggara",
            headers: export::keys(&[
                "col.name",
                "col.kind",
                "col.contact",
                "col.email",
                "col.phone",
                "col.trainings",
                "col.score",
            ]),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.name.clone(),
                        ctx.label(r.kind).to_string(),
                        r.contact_person.clone(),
                        r.email.clone(),
                        r.phone.clone(),
                        r.trainings.to_string(),
                        r.score.map(|s| ctx.fixed(s, 2)).unwrap_or_default(),
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &q.format, &table);
    }
    render(&ListPage { ctx, rows })
}

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
struct ProviderForm {
    name: String,
    kind: String,
    contact_person: String,
    email: String,
    phone: String,
    website: String,
    notes: String,
    active: String,
}

#[derive(askama::Template)]
#[template(path = "development/provider_form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: ProviderForm,
    errors: FieldErrors,
    kinds: &'static [ProviderKind],
    edit: EditState,
    label_prefix: &'static str,
}

fn form_page(
    ctx: Ctx,
    id: Option<i64>,
    form: ProviderForm,
    errors: FieldErrors,
    edit: EditState,
) -> AppResult<Response> {
    let status = edit.status(&errors);
    render_status(status, &FormPage { ctx, id, form, errors, kinds: ProviderKind::ALL, edit, label_prefix: "prov" })
}

async fn new_form(ctx: Ctx) -> AppResult<Response> {
    let form = ProviderForm { kind: "vendor".into(), active: "on".into(), ..Default::default() };
    form_page(ctx, None, form, FieldErrors::default(), EditState::create())
}

async fn load_form(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, ProviderForm)>, sqlx::Error> {
    macro_rules! load {
        ($sql:literal) => {
            sqlx::query!($sql, id).fetch_optional(conn).await?.map(|r| {
                (
                    r.version,
                    ProviderForm {
                        name: r.name,
                        kind: r.kind,
                        contact_person: r.contact_person,
                        email: r.email,
                        phone: r.phone,
                        website: r.website,
                        notes: r.notes,
                        active: if r.active { "on".into() } else { String::new() },
                    },
                )
            })
        };
    }
    Ok(if lock {
        load!(
            "select version, name, kind, contact_person, email, phone, website, notes, active from providers where id = $1 for update"
        )
    } else {
        load!(
            "select version, name, kind, contact_person, email, phone, website, notes, active from providers where id = $1"
        )
    })
}

/// A provider, edited through its versioned form (`edit::save`).
struct Provider;

/// A provider's values once checked.
struct CheckedProvider {
    name: String,
    kind: ProviderKind,
    contact: String,
    email: String,
    phone: String,
    website: String,
    notes: String,
}

impl edit::Editable for Provider {
    type Form = ProviderForm;
    type Checked = CheckedProvider;
    const ENTITY: &'static str = "provider";
    const LIST: &'static str = "/providers";

    async fn load(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, ProviderForm)>, sqlx::Error> {
        load_form(conn, id, lock).await
    }

    async fn check(
        _: &mut PgConnection,
        _: Option<i64>,
        form: &ProviderForm,
        errors: &mut FieldErrors,
    ) -> Result<Option<CheckedProvider>, sqlx::Error> {
        let name = required_text(errors, "name", &form.name, 200);
        let kind = ProviderKind::parse(&form.kind);
        if kind.is_none() {
            errors.add("kind", "prov.err.kind");
        }
        let mut text = |field: &'static str, v: &str, max: usize| {
            clean_text(v, max).map_err(|k| errors.add(field, k)).unwrap_or_default()
        };
        let contact = text("contact_person", &form.contact_person, 200);
        let email = text("email", &form.email, 200);
        let phone = text("phone", &form.phone, 40);
        let website = text("website", &form.website, 300);
        let notes = text("notes", &form.notes, 2000);
        if !email.is_empty() {
            let _ = Email::parse(&email).map_err(|k| errors.add("email", k));
        }
        if !phone.is_empty() {
            let _ = Phone::parse(&phone).map_err(|k| errors.add("phone", k));
        }
        Ok(kind.map(|kind| CheckedProvider { name, kind, contact, email, phone, website, notes }))
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
        sqlx::query_scalar!(
            r#"select to_jsonb(p) - 'created_at' - 'updated_at' as "snapshot!" from providers p where id = $1"#,
            id
        )
        .fetch_optional(conn)
        .await
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<i64>,
        form: &ProviderForm,
        c: &CheckedProvider,
    ) -> Result<i64, sqlx::Error> {
        let active = id.is_none() || form.active == "on";
        match id {
            Some(id) => {
                sqlx::query_scalar!(
                "update providers set name = $1, kind = $2, contact_person = $3, email = $4, phone = $5, website = $6,
                            notes = $7, active = $8 where id = $9 returning id",
                &c.name,
                c.kind.as_str(),
                &c.contact,
                &c.email,
                &c.phone,
                &c.website,
                &c.notes,
                active,
                id,
            )
                .fetch_one(conn)
                .await
            }
            None => {
                sqlx::query_scalar!(
                    "insert into providers (name, kind, contact_person, email, phone, website, notes, active)
                     values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
                    &c.name,
                    c.kind.as_str(),
                    &c.contact,
                    &c.email,
                    &c.phone,
                    &c.website,
                    &c.notes,
                    active,
                )
                .fetch_one(conn)
                .await
            }
        }
    }

    /// Providers are shown in their list: a save goes back to it.
    fn location(_: i64) -> String {
        "/providers".into()
    }

    async fn page(
        _: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: ProviderForm,
        errors: FieldErrors,
        edit: EditState,
    ) -> AppResult<Response> {
        form_page(ctx, id, form, errors, edit)
    }
}
