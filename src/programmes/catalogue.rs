//! The catalogue list with its filters and exports, and the form that adds or edits a programme.

use axum::{
    extract::{Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;

use sqlx::PgConnection;

use super::{
    db::{self, Filter, ListRow},
    model::{Programme, ProgrammeInput, Scheme},
};
use crate::{
    app::{
        AppResult, AppState, Ctx,
        edit::{self, EditState},
        export::{self, Table},
        form::FieldErrors,
        render::{render, render_status},
    },
    development::{
        db::Opt,
        model::{TrainingForm, rupiah},
    },
    employees::db::competency_options,
};

#[derive(askama::Template)]
#[template(path = "programmes/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ListRow>,
    years: Vec<i32>,
    year: String,
    competencies: Vec<Opt>,
    competency: String,
    schemes: &'static [Scheme],
    scheme: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ListQuery {
    year: String,
    competency: String,
    scheme: String,
    format: String,
}

pub(super) async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    // A filter that does not parse is no filter (the select shows "all").
    let filter = Filter {
        year: q.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)),
        competency: q.competency.trim().parse::<i64>().ok(),
        scheme: Scheme::parse(&q.scheme),
    };
    let mut conn = state.reader(&ctx).await.acquire().await?;
    let rows = db::list(&mut conn, &filter).await?;
    if export::wanted(&q.format) {
        let en = ctx.lang.is_en();
        let table = Table {
            name: "program",
            headers: export::keys(&[
                "col.code",
                "col.title",
                "col.provider",
                "prog.scheme",
                "col.form",
                "col.jp",
                "prog.days",
                "prog.cost_per_participant",
                "prog.cost_per_class",
                "prog.min_class",
                "prog.max_class",
                "prog.offered_from",
                "prog.offered_to",
                "prog.develops",
                "col.active",
            ]),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.code.clone(),
                        r.title.clone(),
                        r.provider.clone().unwrap_or_default(),
                        ctx.label(r.scheme).to_string(),
                        ctx.label(r.form).to_string(),
                        r.jp_str(en),
                        r.days.to_string(),
                        rupiah(r.cost_per_participant),
                        rupiah(r.cost_per_class),
                        r.min_class.to_string(),
                        r.max_class.to_string(),
                        r.offered_from.to_string(),
                        r.offered_to.to_string(),
                        r.develops.clone(),
                        ctx.t(if r.active { "col.yes" } else { "col.no" }).to_string(),
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &q.format, &table);
    }
    let competencies = competency_options(&mut conn, ctx.lang.is_en()).await?;
    let this_year = ctx.today.year();
    let mut years: Vec<i32> = ((this_year - 1)..=(this_year + 3)).collect();
    if let Some(y) = filter.year.filter(|y| !years.contains(y)) {
        years.push(y);
        years.sort_unstable();
    }
    render(&ListPage {
        years,
        year: filter.year.map(|y| y.to_string()).unwrap_or_default(),
        competency: filter.competency.map(|c| c.to_string()).unwrap_or_default(),
        scheme: filter.scheme.map(|s| s.as_str().to_string()).unwrap_or_default(),
        ctx,
        rows,
        competencies,
        schemes: Scheme::ALL,
    })
}

#[derive(askama::Template)]
#[template(path = "programmes/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: ProgrammeInput,
    errors: FieldErrors,
    providers: Vec<Opt>,
    schemes: &'static [Scheme],
    forms: &'static [TrainingForm],
    jenis: Vec<(String, String)>,
    edit: EditState,
    label_prefix: &'static str,
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    id: Option<i64>,
    form: ProgrammeInput,
    errors: FieldErrors,
    edit: EditState,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let providers = db::provider_options(&mut conn).await?;
    let status = edit.status(&errors);
    let page = FormPage {
        ctx,
        id,
        form,
        errors,
        providers,
        schemes: Scheme::ALL,
        forms: TrainingForm::ALL,
        jenis: crate::siasn::refs::options(&mut conn, "jenis_diklat").await?,
        edit,
        label_prefix: "prog",
    };
    render_status(status, &page)
}

pub(super) async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    // Planning is for next year: offered from then, for one year, until HR says otherwise.
    let next = (ctx.today.year() + 1).to_string();
    let form = ProgrammeInput {
        scheme: Scheme::Paid.as_str().into(),
        form: TrainingForm::Teknis.as_str().into(),
        jenis_diklat: TrainingForm::Teknis.default_jenis().to_string(),
        days: "1".into(),
        cost_per_participant: "0".into(),
        cost_per_class: "0".into(),
        min_class: "1".into(),
        max_class: "25".into(),
        offered_from: next.clone(),
        offered_to: next,
        active: "on".into(),
        ..Default::default()
    };
    form_page(&state, ctx, None, form, FieldErrors::default(), EditState::create()).await
}

/// A catalogue programme, edited through its versioned form (`edit::save`).
pub(super) struct ProgrammeRecord;

impl edit::Editable for ProgrammeRecord {
    type Form = ProgrammeInput;
    type Checked = Programme;
    const ENTITY: &'static str = "programme";
    const LIST: &'static str = "/programmes";

    async fn load(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, ProgrammeInput)>, sqlx::Error> {
        db::load_form(conn, id, lock).await
    }

    /// Looks up whatever else is wrong, so every error is shown at once (a provider that is not
    /// a number is named by the parser).
    async fn check(
        conn: &mut PgConnection,
        _: Option<i64>,
        form: &ProgrammeInput,
        errors: &mut FieldErrors,
    ) -> Result<Option<Programme>, sqlx::Error> {
        let parsed = Programme::try_from(form);
        if let Ok(p) = form.provider.trim().parse::<i64>()
            && !db::provider_exists(&mut *conn, p).await?
        {
            errors.add("provider", "trn.err.provider");
        }
        // The type must be on SIASN's list as HR last refreshed it.
        if let Ok(p) = &parsed
            && !crate::siasn::refs::known(&mut *conn, "jenis_diklat", &p.jenis.to_string()).await?
        {
            errors.add("jenis_diklat", "trn.err.jenis");
        }
        match parsed {
            Ok(p) => Ok(Some(p)),
            // The parser's messages first, then what the lookups found.
            Err(mut all) => {
                for (field, key) in errors.0.drain(..) {
                    all.add(field, key);
                }
                *errors = all;
                Ok(None)
            }
        }
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
        db::snapshot(conn, id).await
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<i64>,
        _: &ProgrammeInput,
        p: &Programme,
    ) -> Result<i64, sqlx::Error> {
        // A new programme is active; an edit says so with its checkbox.
        let active = id.is_none() || p.active;
        match id {
            Some(id) => {
                sqlx::query_scalar!(
                    "update programmes set code = $1, title = $2, provider_id = $3, scheme = $4, form = $5, jenis_diklat = $6,
                            jp = round($7::float8::numeric, 1), days = $8, cost_per_participant = $9, cost_per_class = $10,
                            min_class = $11, max_class = $12, offered_from = $13, offered_to = $14, notes = $15, active = $16
                     where id = $17 returning id",
                    p.code.as_str(),
                    &p.title,
                    p.provider,
                    p.scheme.as_str(),
                    p.form.as_str(),
                    p.jenis,
                    p.jp.get(),
                    p.days,
                    p.cost_per_participant.get(),
                    p.cost_per_class.get(),
                    p.min_class,
                    p.max_class,
                    p.offered_from,
                    p.offered_to,
                    &p.notes,
                    active,
                    id,
                )
                .fetch_one(conn)
                .await
            }
            None => {
                sqlx::query_scalar!(
                    "insert into programmes (code, title, provider_id, scheme, form, jenis_diklat, jp, days, cost_per_participant,
                                             cost_per_class, min_class, max_class, offered_from, offered_to, notes, active)
                     values ($1, $2, $3, $4, $5, $6, round($7::float8::numeric, 1), $8, $9, $10, $11, $12, $13, $14, $15, $16)
                     returning id",
                    p.code.as_str(),
                    &p.title,
                    p.provider,
                    p.scheme.as_str(),
                    p.form.as_str(),
                    p.jenis,
                    p.jp.get(),
                    p.days,
                    p.cost_per_participant.get(),
                    p.cost_per_class.get(),
                    p.min_class,
                    p.max_class,
                    p.offered_from,
                    p.offered_to,
                    &p.notes,
                    active,
                )
                .fetch_one(conn)
                .await
            }
        }
    }

    fn location(saved: i64) -> String {
        format!("/programmes/{saved}")
    }

    async fn page(
        state: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: ProgrammeInput,
        errors: FieldErrors,
        edit: EditState,
    ) -> AppResult<Response> {
        form_page(state, ctx, id, form, errors, edit).await
    }
}
