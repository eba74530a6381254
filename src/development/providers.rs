//! Training providers: universities, vendors, LAN/BPSDM, ministries, professional bodies; reusable
//! across trainings, with their evaluation results beside them.

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::model::ProviderKind;
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        edit::{self, Begin, EditState, Versioned},
        error::on_constraint,
        export::{self, Table},
        form::{FieldErrors, clean_text, required_text},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::Role,
    employees::model::{Email, Phone},
};

const HR: &[Role] = &[Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .get("/providers", Access::AnyOf(&[Role::Hr, Role::Head]), list)
        .get("/providers/new", Access::AnyOf(HR), new_form)
        .post("/providers", Access::AnyOf(HR), create)
        .get("/providers/{id}/edit", Access::AnyOf(HR), edit_form)
        .post("/providers/{id}", Access::AnyOf(HR), update)
}

#[derive(sqlx::FromRow)]
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
    rows: Vec<Row>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    format: String,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let rows: Vec<Row> = sqlx::query_as(
        "select p.id, p.name, p.kind, p.contact_person, p.email, p.phone, p.active,
                (select count(*) from trainings t where t.provider_id = p.id) as trainings,
                coalesce(ev.n, 0) as evaluations, ev.score
         from providers p
         left join (select t.provider_id, count(*) as n,
                           avg((e.relevance + e.method + e.trainer + e.usefulness) / 4.0)::float8 as score
                    from training_evaluations e join training_participants tp on tp.id = e.participant_id
                    join trainings t on t.id = tp.training_id group by t.provider_id) ev on ev.provider_id = p.id
         order by p.active desc, p.name",
    )
    .fetch_all(state.reader(&ctx).await)
    .await?;
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
    let sql = if lock {
        "select version, name, kind, contact_person, email, phone, website, notes, active from providers where id = $1 for update"
    } else {
        "select version, name, kind, contact_person, email, phone, website, notes, active from providers where id = $1"
    };
    type R = (i64, String, String, String, String, String, String, String, bool);
    let row: Option<R> = sqlx::query_as(sql).bind(id).fetch_optional(conn).await?;
    Ok(row.map(|r| {
        (
            r.0,
            ProviderForm {
                name: r.1,
                kind: r.2,
                contact_person: r.3,
                email: r.4,
                phone: r.5,
                website: r.6,
                notes: r.7,
                active: if r.8 { "on".into() } else { String::new() },
            },
        )
    }))
}

async fn edit_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let (version, form) = load_form(&mut conn, id, false).await?.ok_or(AppError::NotFound)?;
    let edit = EditState::loaded(version, &form);
    form_page(ctx, Some(id), form, FieldErrors::default(), edit)
}

async fn save(state: AppState, ctx: Ctx, id: Option<i64>, posted: Versioned<ProviderForm>) -> AppResult<Response> {
    let account = ctx.user.as_ref().map(|u| u.account_id).ok_or(AppError::Unauthorized)?;
    let mut tx = state.pool.begin().await?;
    let current = match id {
        Some(id) => Some(load_form(&mut tx, id, true).await?.ok_or(AppError::NotFound)?),
        None => None,
    };
    let (form, merged) = match edit::begin(&mut tx, account, &posted, current).await? {
        Begin::Go { form, merged } => (form, merged),
        Begin::Conflict(edit) => return form_page(ctx, id, posted.form, FieldErrors::default(), edit),
        Begin::Duplicate(_) => return Ok(redirect_flash("/providers", FlashKind::Ok, "flash.already_saved")),
    };
    let mut errors = FieldErrors::default();
    let name = required_text(&mut errors, "name", &form.name, 200);
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
    let (Some(kind), true) = (kind, errors.is_empty()) else {
        return form_page(ctx, id, form, errors, posted.again());
    };
    let before: Option<serde_json::Value> = match id {
        Some(id) => {
            sqlx::query_scalar("select to_jsonb(p) - 'created_at' - 'updated_at' from providers p where id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
        }
        None => None,
    };
    let sql = if id.is_some() {
        "update providers set name = $1, kind = $2, contact_person = $3, email = $4, phone = $5, website = $6, notes = $7,
                active = $8 where id = $9 returning id"
    } else {
        "insert into providers (name, kind, contact_person, email, phone, website, notes, active)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id"
    };
    let saved: Result<i64, sqlx::Error> = sqlx::query_scalar(sql)
        .bind(&name)
        .bind(kind.as_str())
        .bind(&contact)
        .bind(&email)
        .bind(&phone)
        .bind(&website)
        .bind(&notes)
        .bind(id.is_none() || form.active == "on")
        .bind(id)
        .fetch_one(&mut *tx)
        .await;
    let saved = match saved {
        Ok(s) => s,
        Err(e) if on_constraint(&e, "providers_name_key") => {
            let mut errors = FieldErrors::default();
            errors.add("name", "prov.err.name_taken");
            return form_page(ctx, id, form, errors, posted.again());
        }
        Err(e) => return Err(e.into()),
    };
    let after: Option<serde_json::Value> =
        sqlx::query_scalar("select to_jsonb(p) - 'created_at' - 'updated_at' from providers p where id = $1")
            .bind(saved)
            .fetch_optional(&mut *tx)
            .await?;
    let action = if id.is_some() { "update" } else { "create" };
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "provider", saved, action, before, after).await?;
    if id.is_none() {
        edit::remember(&mut tx, &posted.form_token, "/providers").await?;
    }
    tx.commit().await?;
    Ok(redirect_flash("/providers", FlashKind::Ok, if merged { "flash.saved_merged" } else { "flash.saved" }))
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(form): Form<Versioned<ProviderForm>>,
) -> AppResult<Response> {
    save(state, ctx, None, form).await
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(form): Form<Versioned<ProviderForm>>,
) -> AppResult<Response> {
    save(state, ctx, Some(id), form).await
}
