//! Trainings (formal, klasikal development): the list, the form, and the page of one training
//! with what it develops, its budget, participants, evaluations and measured effect.

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgConnection;

use super::{
    db::{self, BudgetFigures, Opt},
    model::{Jp, ParticipantStatus, Rupiah, TrainingForm, TrainingStatus, jp_plain, jp_text, rupiah},
};
use crate::app::context::Val;
use crate::siasn::refs;
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        edit::{self, EditState},
        export::{self, Table},
        form::{FieldErrors, clean_text, contains_pattern, required_text},
        paging::{PER_PAGE, Pager, query_string},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    competencies::model::Level,
    employees::{db::competency_options, form::parse_date},
    units::db::{UnitOption, options as unit_options},
};

const HR: &[Role] = &[Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .nav(35, |_| Some(("/trainings".into(), "nav.trainings")))
        .get("/trainings", Access::SignedIn, list)
        .get("/trainings/new", Access::AnyOf(HR), new_form)
        .post("/trainings", Access::AnyOf(HR), edit::create::<TrainingRecord>)
        .get("/trainings/{id}", Access::SignedIn, detail)
        .get("/trainings/{id}/edit", Access::AnyOf(HR), edit::edit_page::<TrainingRecord>)
        .post("/trainings/{id}", Access::AnyOf(HR), edit::update::<TrainingRecord>)
        .post("/trainings/{id}/competencies", Access::AnyOf(HR), add_competency)
        .post("/trainings/{id}/competencies/remove", Access::AnyOf(HR), remove_competency)
}

#[derive(sqlx::FromRow, Clone)]
pub struct ListRow {
    pub id: i64,
    pub title: String,
    pub form: TrainingForm,
    pub provider: Option<String>,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub jp: f64,
    pub status: TrainingStatus,
    pub quota: i32,
    pub participants: i64,
    pub cost: i64,
    /// Rows matching the filters (all pages).
    pub total: i64,
}

impl crate::app::versioned::Weigh for ListRow {}

impl ListRow {
    pub fn jp_str(&self, en: bool) -> String {
        jp_text(self.jp, en)
    }

    pub fn cost_str(&self) -> String {
        rupiah(self.cost)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    year: String,
    status: String,
    q: String,
    format: String,
    page: Option<i64>,
}

#[derive(askama::Template)]
#[template(path = "development/trainings.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ListRow>,
    year: i32,
    years: Vec<i32>,
    status: String,
    q: String,
    statuses: &'static [TrainingStatus],
    pager: Pager,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let year: i32 = q.year.trim().parse().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or(ctx.today.year());
    let status = TrainingStatus::parse(&q.status);
    let text = q.q.trim();
    // The page's trainings first (with the total), then their counts and costs; reused while the
    // records are unchanged. An export carries every matching row; the page one page of them.
    let (limit, offset) = if export::wanted(&q.format) { (i64::MAX, 0) } else { (PER_PAGE, Pager::offset(q.page)) };
    let key = format!("trainings:{year}:{status:?}:{text:?}:{limit}:{offset}");
    let (status_s, text_s, like) = (status.map(|s| s.as_str()), text.to_string(), contains_pattern(text));
    let rows: Vec<ListRow> = (*state
        .versions
        .get(state.reader(&ctx).await, key, move |conn| {
            Box::pin(async move {
                sqlx::query_as::<_, ListRow>(
                    "with page as (
           select t.id, count(*) over () as total, row_number() over (order by t.starts_on desc, t.id desc) as n
           from trainings t
           where (extract(year from t.starts_on) = $1 or t.budget_year = $1)
             and ($2::text is null or t.status = $2) and ($3 = '' or t.title ilike $4)
           order by n limit $5 offset $6)
         select t.id, t.title, t.form, p.name as provider, t.starts_on, t.ends_on, t.jp::float8 as jp, t.status, t.quota,
                (select count(*) from training_participants tp where tp.training_id = t.id and tp.status <> 'rejected') as participants,
                c.cost, page.total
         from page join trainings t on t.id = page.id left join providers p on p.id = t.provider_id
         join lateral (select tc.cost from training_costs tc where tc.training_id = t.id) c on true
         order by page.n",
                )
                .bind(year)
                .bind(status_s)
                .bind(&text_s)
                .bind(&like)
                .bind(limit)
                .bind(offset)
                .fetch_all(conn)
                .await
            })
        })
        .await?)
        .clone();
    if export::wanted(&q.format) {
        let table = Table {
            name: "pelatihan",
            headers: export::keys(&[
                "col.title",
                "col.form",
                "col.provider",
                "col.start",
                "col.end",
                "col.jp",
                "col.status",
                "col.participants",
                "col.quota",
                "col.cost",
            ]),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.title.clone(),
                        ctx.label(r.form).to_string(),
                        r.provider.clone().unwrap_or_default(),
                        ctx.date(r.starts_on),
                        ctx.date(r.ends_on),
                        jp_text(r.jp, ctx.lang.is_en()),
                        ctx.label(r.status).to_string(),
                        r.participants.to_string(),
                        r.quota.to_string(),
                        rupiah(r.cost),
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &q.format, &table);
    }
    let this_year = ctx.today.year();
    let years = ((this_year - 3)..=(this_year + 1)).rev().collect();
    let total = rows.first().map_or(0, |r| r.total);
    let pager =
        Pager::new(q.page, total, query_string(&[("year", &year.to_string()), ("status", &q.status), ("q", text)]));
    render(&ListPage {
        pager,
        ctx,
        rows,
        year,
        years,
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        q: text.to_string(),
        statuses: TrainingStatus::ALL,
    })
}

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct TrainingInput {
    title: String,
    form: String,
    jenis_diklat: String,
    siasn_ref: String,
    provider: String,
    place: String,
    online: String,
    starts_on: String,
    ends_on: String,
    jp: String,
    cost_per_participant: String,
    fixed_cost: String,
    budget_year: String,
    budget_unit: String,
    budget_line: String,
    quota: String,
    status: String,
    // The competencies a new training develops, on the same form (rows 1–4: competency, level).
    tc1: String,
    tl1: String,
    tc2: String,
    tl2: String,
    tc3: String,
    tl3: String,
    tc4: String,
    tl4: String,
}

/// How many target competencies the new-training form offers (more are added on its page).
pub const TARGET_ROWS: usize = 4;

impl TrainingInput {
    /// Target row `i` (1-based): the competency and level as typed.
    pub fn target(&self, i: impl Val<usize>) -> (&str, &str) {
        match i.val() {
            1 => (&self.tc1, &self.tl1),
            2 => (&self.tc2, &self.tl2),
            3 => (&self.tc3, &self.tl3),
            _ => (&self.tc4, &self.tl4),
        }
    }

    pub fn target_rows(&self) -> std::ops::RangeInclusive<usize> {
        1..=TARGET_ROWS
    }
}

/// The target rows of a new training, checked: each row empty or a known active competency with
/// a level 1–5, no competency twice. Errors go to the row's competency field (`tc1`…).
async fn check_targets(
    conn: &mut PgConnection,
    f: &TrainingInput,
    errors: &mut FieldErrors,
) -> Result<Vec<(i64, Level)>, sqlx::Error> {
    let rows: Vec<(usize, &str, &str)> =
        (1..=TARGET_ROWS).map(|i| (i, f.target(i).0.trim(), f.target(i).1.trim())).collect();
    let ids: Vec<i64> = rows.iter().filter_map(|(_, c, _)| c.parse::<i64>().ok()).collect();
    let known: Vec<i64> = if ids.is_empty() {
        vec![]
    } else {
        sqlx::query_scalar("select id from competencies where id = any($1) and active")
            .bind(&ids)
            .fetch_all(&mut *conn)
            .await?
    };
    let mut out: Vec<(i64, Level)> = vec![];
    for (i, c, l) in rows {
        if c.is_empty() && l.is_empty() {
            continue;
        }
        const FIELDS: [&str; TARGET_ROWS] = ["tc1", "tc2", "tc3", "tc4"];
        let field = FIELDS[i - 1];
        let competency = c.parse::<i64>().ok().filter(|id| known.contains(id));
        let level = Level::parse(l).ok();
        match (competency, level) {
            (Some(c), Some(_)) if out.iter().any(|(o, _)| *o == c) => errors.add(field, "trnf.err.target_twice"),
            (Some(c), Some(l)) => out.push((c, l)),
            _ => errors.add(field, "trnf.err.target_row"),
        }
    }
    Ok(out)
}

#[derive(askama::Template)]
#[template(path = "development/training_form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: TrainingInput,
    errors: FieldErrors,
    forms: &'static [TrainingForm],
    jenis: Vec<(String, String)>,
    latihan: Vec<(String, String)>,
    statuses: &'static [TrainingStatus],
    providers: Vec<Opt>,
    units: Vec<UnitOption>,
    edit: EditState,
    label_prefix: &'static str,
    competencies: Vec<Opt>,
    levels: [Level; 5],
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    id: Option<i64>,
    form: TrainingInput,
    errors: FieldErrors,
    edit: EditState,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let providers = db::provider_options(&mut conn).await?;
    let units = unit_options(&mut conn).await?;
    let competencies = if id.is_none() { competency_options(&mut conn, ctx.lang.is_en()).await? } else { vec![] };
    let status = edit.status(&errors);
    let page = FormPage {
        ctx,
        id,
        form,
        errors,
        forms: TrainingForm::ALL,
        jenis: crate::siasn::refs::options(&mut conn, "jenis_diklat").await?,
        latihan: crate::siasn::refs::options(&mut conn, "latihan_struktural").await?,
        statuses: TrainingStatus::ALL,
        providers,
        units,
        edit,
        label_prefix: "trn",
        competencies,
        levels: Level::ALL,
    };
    render_status(status, &page)
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let top: Option<i64> = sqlx::query_scalar("select id from units where parent_id is null order by sort_key limit 1")
        .fetch_optional(&state.pool)
        .await?;
    let form = TrainingInput {
        form: "teknis".into(),
        jenis_diklat: "3".into(),
        budget_year: ctx.today.year().to_string(),
        budget_unit: top.map(|t| t.to_string()).unwrap_or_default(),
        status: "planned".into(),
        cost_per_participant: "0".into(),
        fixed_cost: "0".into(),
        ..Default::default()
    };
    form_page(&state, ctx, None, form, FieldErrors::default(), EditState::create()).await
}

async fn load_form(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, TrainingInput)>, sqlx::Error> {
    let sql = if lock {
        "select version, title, form, jenis_diklat, siasn_ref, provider_id, place, online, starts_on, ends_on, jp::float8,
                cost_per_participant, fixed_cost, budget_year, budget_unit_id, budget_line, quota, status
         from trainings where id = $1 for update"
    } else {
        "select version, title, form, jenis_diklat, siasn_ref, provider_id, place, online, starts_on, ends_on, jp::float8,
                cost_per_participant, fixed_cost, budget_year, budget_unit_id, budget_line, quota, status
         from trainings where id = $1"
    };
    let row: Option<TrainingRow> = sqlx::query_as(sql).bind(id).fetch_optional(conn).await?;
    Ok(row.map(|r| {
        (
            r.version,
            TrainingInput {
                title: r.title,
                form: r.form,
                jenis_diklat: r.jenis_diklat.to_string(),
                siasn_ref: r.siasn_ref,
                provider: r.provider_id.map(|p| p.to_string()).unwrap_or_default(),
                place: r.place,
                online: if r.online { "on".into() } else { String::new() },
                starts_on: r.starts_on.to_string(),
                ends_on: r.ends_on.to_string(),
                jp: jp_plain(r.jp),
                cost_per_participant: r.cost_per_participant.to_string(),
                fixed_cost: r.fixed_cost.to_string(),
                budget_year: r.budget_year.to_string(),
                budget_unit: r.budget_unit_id.to_string(),
                budget_line: r.budget_line,
                quota: r.quota.to_string(),
                status: r.status,
                ..Default::default()
            },
        )
    }))
}

#[derive(sqlx::FromRow)]
struct TrainingRow {
    version: i64,
    title: String,
    form: String,
    jenis_diklat: i16,
    siasn_ref: String,
    provider_id: Option<i64>,
    place: String,
    online: bool,
    starts_on: chrono::NaiveDate,
    ends_on: chrono::NaiveDate,
    #[sqlx(rename = "jp")]
    jp: f64,
    cost_per_participant: i64,
    fixed_cost: i64,
    budget_year: i32,
    budget_unit_id: i64,
    budget_line: String,
    quota: i32,
    status: String,
}

/// A training's fields, checked.
struct Checked {
    title: String,
    form: TrainingForm,
    jenis: i16,
    siasn_ref: String,
    provider: Option<i64>,
    place: String,
    online: bool,
    starts_on: chrono::NaiveDate,
    ends_on: chrono::NaiveDate,
    jp: Jp,
    cpp: Rupiah,
    fixed: Rupiah,
    year: i32,
    unit: i64,
    line: String,
    quota: i32,
    status: TrainingStatus,
}

async fn check(
    conn: &mut PgConnection,
    f: &TrainingInput,
    errors: &mut FieldErrors,
) -> Result<Option<Checked>, sqlx::Error> {
    let title = required_text(errors, "title", &f.title, 300);
    let form = TrainingForm::parse(&f.form);
    if form.is_none() {
        errors.add("form", "trn.err.form");
    }
    let jenis = match f.jenis_diklat.trim().parse::<i16>() {
        Ok(j) if refs::known(&mut *conn, "jenis_diklat", &j.to_string()).await? => Some(j),
        _ => None,
    };
    if jenis.is_none() {
        errors.add("jenis_diklat", "trn.err.jenis");
    }
    // The leadership type: from SIASN's list, and only for structural training (jenis 1).
    let siasn_ref = f.siasn_ref.trim().to_string();
    let ref_ok = match siasn_ref.as_str() {
        "" => true,
        r => jenis == Some(1) && refs::known(&mut *conn, "latihan_struktural", r).await?,
    };
    if !ref_ok {
        errors.add("siasn_ref", "siasn.trn.err.latihan");
    }
    let provider = if f.provider.trim().is_empty() {
        None
    } else {
        let found: Option<i64> = match f.provider.trim().parse::<i64>() {
            Ok(p) => {
                sqlx::query_scalar("select id from providers where id = $1").bind(p).fetch_optional(&mut *conn).await?
            }
            Err(_) => None,
        };
        if found.is_none() {
            errors.add("provider", "trn.err.provider");
        }
        found
    };
    let place = clean_text(&f.place, 300).map_err(|k| errors.add("place", k)).unwrap_or_default();
    let online = f.online == "on";
    if place.is_empty() && !online {
        errors.add("place", "trn.err.place");
    }
    let starts_on = parse_date(&f.starts_on);
    if starts_on.is_none() {
        errors.add("starts_on", "form.bad_date");
    }
    let ends_on = parse_date(&f.ends_on);
    match (starts_on, ends_on) {
        (_, None) => errors.add("ends_on", "form.bad_date"),
        (Some(s), Some(e)) if e < s => errors.add("ends_on", "trn.err.end_before_start"),
        _ => {}
    }
    let jp = Jp::parse(&f.jp).map_err(|k| errors.add("jp", k)).ok();
    let cpp = Rupiah::parse(&f.cost_per_participant).map_err(|k| errors.add("cost_per_participant", k)).ok();
    let fixed = Rupiah::parse(&f.fixed_cost).map_err(|k| errors.add("fixed_cost", k)).ok();
    let year = f.budget_year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        errors.add("budget_year", "trn.err.year");
    }
    let unit: Option<i64> = match f.budget_unit.trim().parse::<i64>() {
        Ok(u) => sqlx::query_scalar("select id from units where id = $1").bind(u).fetch_optional(&mut *conn).await?,
        Err(_) => None,
    };
    if unit.is_none() {
        errors.add("budget_unit", "trn.err.budget_unit");
    }
    let line = clean_text(&f.budget_line, 200).map_err(|k| errors.add("budget_line", k)).unwrap_or_default();
    let quota = f.quota.trim().parse::<i32>().ok().filter(|q| (1..=10000).contains(q));
    if quota.is_none() {
        errors.add("quota", "trn.err.quota");
    }
    let status = TrainingStatus::parse(&f.status);
    if status.is_none() {
        errors.add("status", "trn.err.status");
    }
    Ok(match (form, jenis, starts_on, ends_on, jp, cpp, fixed, year, unit, quota, status) {
        (
            Some(form),
            Some(jenis),
            Some(starts_on),
            Some(ends_on),
            Some(jp),
            Some(cpp),
            Some(fixed),
            Some(year),
            Some(unit),
            Some(quota),
            Some(status),
        ) if errors.is_empty() => Some(Checked {
            title,
            form,
            jenis,
            siasn_ref,
            provider,
            place,
            online,
            starts_on,
            ends_on,
            jp,
            cpp,
            fixed,
            year,
            unit,
            line,
            quota,
            status,
        }),
        _ => None,
    })
}

async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
    sqlx::query_scalar("select to_jsonb(t) - 'created_at' - 'updated_at' from trainings t where id = $1")
        .bind(id)
        .fetch_optional(conn)
        .await
}

/// A training, edited through its versioned form (`edit::save`). A new training takes its target
/// competencies with it.
struct TrainingRecord;

impl edit::Editable for TrainingRecord {
    type Form = TrainingInput;
    type Checked = (Checked, Vec<(i64, Level)>);
    const ENTITY: &'static str = "training";
    const LIST: &'static str = "/trainings";

    async fn load(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, TrainingInput)>, sqlx::Error> {
        load_form(conn, id, lock).await
    }

    async fn check(
        conn: &mut PgConnection,
        id: Option<i64>,
        form: &TrainingInput,
        errors: &mut FieldErrors,
    ) -> Result<Option<Self::Checked>, sqlx::Error> {
        let checked = check(&mut *conn, form, errors).await?;
        // The quota cannot fall below the participants already taken on.
        if let (Some(c), Some(id)) = (&checked, id) {
            let taken: i64 = sqlx::query_scalar(
                "select count(*) from training_participants where training_id = $1 and status <> 'rejected'",
            )
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            if i64::from(c.quota) < taken {
                errors.add("quota", "trn.err.quota_below_participants");
            }
        }
        let targets = if id.is_none() { check_targets(&mut *conn, form, errors).await? } else { vec![] };
        Ok(checked.map(|c| (c, targets)))
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
        snapshot(conn, id).await
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<i64>,
        _: &TrainingInput,
        (c, targets): &Self::Checked,
    ) -> Result<i64, sqlx::Error> {
        let sql = if id.is_some() {
            "update trainings set title = $1, form = $2, jenis_diklat = $3, siasn_ref = $4, provider_id = $5, place = $6,
                    online = $7, starts_on = $8, ends_on = $9, jp = round($10::numeric, 1), cost_per_participant = $11,
                    fixed_cost = $12, budget_year = $13, budget_unit_id = $14, budget_line = $15, quota = $16, status = $17
             where id = $18 returning id"
        } else {
            "insert into trainings (title, form, jenis_diklat, siasn_ref, provider_id, place, online, starts_on, ends_on, jp,
                                    cost_per_participant, fixed_cost, budget_year, budget_unit_id, budget_line, quota, status)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, round($10::numeric, 1), $11, $12, $13, $14, $15, $16, $17) returning id"
        };
        let saved: i64 = sqlx::query_scalar(sql)
            .bind(&c.title)
            .bind(c.form.as_str())
            .bind(c.jenis)
            .bind(&c.siasn_ref)
            .bind(c.provider)
            .bind(&c.place)
            .bind(c.online)
            .bind(c.starts_on)
            .bind(c.ends_on)
            .bind(c.jp.get())
            .bind(c.cpp.get())
            .bind(c.fixed.get())
            .bind(c.year)
            .bind(c.unit)
            .bind(&c.line)
            .bind(c.quota)
            .bind(c.status.as_str())
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
        if !targets.is_empty() {
            let (competencies, levels): (Vec<i64>, Vec<i16>) = targets.iter().map(|(c, l)| (*c, l.get())).unzip();
            sqlx::query(
                "insert into training_competencies (training_id, competency_id, target_level)
                 select $1, c, l from unnest($2::bigint[], $3::smallint[]) as x(c, l)",
            )
            .bind(saved)
            .bind(&competencies)
            .bind(&levels)
            .execute(&mut *conn)
            .await?;
        }
        Ok(saved)
    }

    /// A new training's targets, each in the audit log.
    async fn after(
        conn: &mut PgConnection,
        actor: &Actor,
        edited: Option<i64>,
        saved: i64,
        _: (Option<&serde_json::Value>, Option<&serde_json::Value>),
    ) -> Result<(), sqlx::Error> {
        if edited.is_some() {
            return Ok(());
        }
        let targets: Vec<(i64, i16)> = sqlx::query_as(
            "select competency_id, target_level from training_competencies where training_id = $1 order by competency_id",
        )
        .bind(saved)
        .fetch_all(&mut *conn)
        .await?;
        for (c, l) in targets {
            let target = json!({"competency_id": c, "target_level": l});
            audit::record(&mut *conn, actor, "training", saved, "target_set", None, Some(target)).await?;
        }
        Ok(())
    }

    fn location(saved: i64) -> String {
        format!("/trainings/{saved}")
    }

    async fn page(
        state: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: TrainingInput,
        errors: FieldErrors,
        edit: EditState,
    ) -> AppResult<Response> {
        form_page(state, ctx, id, form, errors, edit).await
    }
}

/// One training as its page shows it.
#[derive(sqlx::FromRow)]
pub struct Training {
    pub id: i64,
    pub title: String,
    pub form: TrainingForm,
    pub jenis_diklat: i16,
    pub provider_id: Option<i64>,
    pub provider: Option<String>,
    pub place: String,
    pub online: bool,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub jp: f64,
    pub cost_per_participant: i64,
    pub fixed_cost: i64,
    pub budget_year: i32,
    pub budget_unit_id: i64,
    pub budget_line: String,
    pub quota: i32,
    pub status: TrainingStatus,
    pub cost: i64,
    /// The type's name on SIASN's list as HR last refreshed it.
    pub jenis_name: String,
}

impl Training {
    pub fn jenis_label(&self) -> String {
        format!("{} · {}", self.jenis_diklat, self.jenis_name)
    }
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Training>, sqlx::Error> {
    sqlx::query_as(
        "select t.id, t.title, t.form, t.jenis_diklat, t.provider_id, p.name as provider, t.place, t.online, t.starts_on,
                t.ends_on, t.jp::float8 as jp, t.cost_per_participant, t.fixed_cost, t.budget_year, t.budget_unit_id,
                t.budget_line, t.quota, t.status, c.cost, coalesce(r.name, '') as jenis_name
         from trainings t left join providers p on p.id = t.provider_id join training_costs c on c.training_id = t.id
         left join siasn_refs r on r.kind = 'jenis_diklat' and r.ref_id = t.jenis_diklat::text
         where t.id = $1",
    )
    .bind(id)
    .fetch_optional(conn)
    .await
}

#[derive(sqlx::FromRow)]
pub struct Target {
    pub competency_id: i64,
    pub code: String,
    pub name: String,
    pub target_level: i16,
}

#[derive(sqlx::FromRow)]
pub struct Participant {
    pub id: i64,
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub status: ParticipantStatus,
    pub decides: bool,
    pub decision_reason: String,
    pub override_reason: String,
    pub certificate_no: String,
    pub certificate_expires_on: Option<chrono::NaiveDate>,
    pub certificate_file_id: Option<i64>,
    pub score: Option<f64>,
    pub jp: Option<f64>,
    pub evaluated: bool,
    /// Their evaluation of the training is owed (`evaluations_owed`).
    pub evaluation_owed: bool,
    /// What a pass led to, per competency: proposed and where it waits, or confirmed.
    #[sqlx(skip)]
    pub outcomes: Vec<String>,
}

impl Participant {
    pub fn nominated(&self) -> bool {
        self.status == ParticipantStatus::Nominated
    }

    /// Approved, so a result can be recorded.
    pub fn decided_in(&self) -> bool {
        !matches!(self.status, ParticipantStatus::Nominated | ParticipantStatus::Rejected)
    }
}

/// Reaction: the mean of each question over the evaluations received.
#[derive(sqlx::FromRow, Default)]
pub struct EvalSummary {
    pub n: i64,
    pub relevance: Option<f64>,
    pub method: Option<f64>,
    pub trainer: Option<f64>,
    pub usefulness: Option<f64>,
}

/// Effect: the change in each developed competency over the participants measured after.
#[derive(sqlx::FromRow)]
pub struct EffectLine {
    pub code: String,
    pub name: String,
    pub measured: i64,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub gain: Option<f64>,
}

/// What the training page shows besides the training; `problem` explains a refused action.
#[derive(askama::Template)]
#[template(path = "development/training.html")]
pub struct DetailPage {
    pub ctx: Ctx,
    pub t: Training,
    pub targets: Vec<Target>,
    pub participants: Vec<Participant>,
    pub budget: BudgetFigures,
    pub eval: EvalSummary,
    pub comments: Vec<String>,
    pub effect: Vec<EffectLine>,
    pub cost_per_level: Option<i64>,
    pub competencies: Vec<Opt>,
    pub levels: [Level; 5],
    pub can_nominate: bool,
    /// The nomination's person picker, drawn.
    pub nominate_picker: String,
    pub problem: Vec<String>,
    /// The reader's participation whose evaluation they owe.
    pub owed_evaluation: Option<i64>,
}

impl DetailPage {
    pub fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    pub fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }

    pub fn avg(&self, v: &Option<f64>) -> String {
        v.map(|x| self.ctx.fixed(x, 2)).unwrap_or_else(|| "—".into())
    }

    pub fn is_hr(&self) -> bool {
        self.ctx.is_hr()
    }

    pub fn completed(&self) -> bool {
        self.t.status == TrainingStatus::Completed
    }

    /// Results can be recorded once the training runs or its last day has come.
    pub fn results_open(&self) -> bool {
        super::participants::results_open(self.t.status, self.t.ends_on, self.ctx.today)
    }
}

/// Build the training page for this reader (participants limited to those they may see).
pub async fn detail_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    nominate: crate::people::Picker,
    problem: Vec<String>,
) -> AppResult<DetailPage> {
    let mut conn = state.pool.acquire().await?;
    let t = find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let en = ctx.lang.is_en();
    let targets: Vec<Target> = sqlx::query_as(
        "select c.id as competency_id, c.code, case when $2 then c.name_en else c.name_id end as name, tc.target_level
         from training_competencies tc join competencies c on c.id = tc.competency_id where tc.training_id = $1 order by c.code",
    )
    .bind(id)
    .bind(en)
    .fetch_all(&mut *conn)
    .await?;
    let scope = user.scope();
    let mut participants: Vec<Participant> = sqlx::query_as(
        "select tp.id, e.id as employee_id, e.nip, employee_display_name(e.front_title, e.name, e.back_title) as name,
                u.name as unit, tp.status, scope_decides($2, $3, $4, e.id, u.path) as decides, tp.decision_reason,
                tp.override_reason, tp.certificate_no, tp.certificate_expires_on, tp.certificate_file_id, tp.score::float8 as score,
                case when tp.status = 'passed' then coalesce(tp.jp_credited, t.jp)::float8 end as jp,
                exists (select 1 from training_evaluations ev where ev.participant_id = tp.id) as evaluated,
                exists (select 1 from evaluations_owed o where o.participant_id = tp.id) as evaluation_owed
         from training_participants tp join trainings t on t.id = tp.training_id
         join employees e on e.id = tp.employee_id join units u on u.id = e.unit_id
         where tp.training_id = $1 and scope_sees($2, $3, $4, e.id, u.path)
         order by tp.status = 'rejected', e.name, e.id",
    )
    .bind(id)
    .bind(scope.all)
    .bind(scope.own)
    .bind(&scope.unit_patterns)
    .fetch_all(&mut *conn)
    .await?;
    for (pid, line) in super::participants::outcomes(&mut conn, &ctx, id).await? {
        if let Some(p) = participants.iter_mut().find(|p| p.id == pid) {
            p.outcomes.push(line);
        }
    }
    let budget = db::budget(&mut conn, t.budget_year, t.budget_unit_id).await?;
    let staff_view = user.has(Role::Hr) || user.has(Role::Head);
    let (eval, comments, effect, cost_per_level) = if staff_view {
        let eval: EvalSummary = sqlx::query_as(
            "select count(*) as n, avg(relevance)::float8 as relevance, avg(method)::float8 as method,
                    avg(trainer)::float8 as trainer, avg(usefulness)::float8 as usefulness
             from training_evaluations ev join training_participants tp on tp.id = ev.participant_id where tp.training_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        let comments: Vec<String> = sqlx::query_scalar(
            "select ev.comment from training_evaluations ev join training_participants tp on tp.id = ev.participant_id
             where tp.training_id = $1 and ev.comment <> '' order by ev.submitted_at",
        )
        .bind(id)
        .fetch_all(&mut *conn)
        .await?;
        let effect: Vec<EffectLine> = sqlx::query_as(
            "select c.code, case when $2 then c.name_en else c.name_id end as name,
                    count(fx.after_level) as measured,
                    avg(fx.before_level) filter (where fx.after_level is not null)::float8 as before,
                    avg(fx.after_level)::float8 as after,
                    avg(fx.after_level - fx.before_level)::float8 as gain
             from training_effect fx join competencies c on c.id = fx.competency_id
             where fx.training_id = $1 group by c.code, c.name_en, c.name_id order by c.code",
        )
        .bind(id)
        .bind(en)
        .fetch_all(&mut *conn)
        .await?;
        let gained: Option<i64> = sqlx::query_scalar(
            "select sum(greatest(after_level - before_level, 0))::bigint from training_effect where training_id = $1 and after_level is not null",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await?;
        let cpl = gained.filter(|g| *g > 0).map(|g| t.cost / g);
        (eval, comments, effect, cpl)
    } else {
        (EvalSummary::default(), vec![], vec![], None)
    };
    let competencies = if user.has(Role::Hr) { competency_options(&mut conn, en).await? } else { vec![] };
    let owed_evaluation = user
        .employee_id
        .and_then(|me| participants.iter().find(|p| p.employee_id == me && p.evaluation_owed).map(|p| p.id));
    let nominate_picker = nominate.html(&ctx)?;
    Ok(DetailPage {
        ctx,
        can_nominate: staff_view && matches!(t.status, TrainingStatus::Planned | TrainingStatus::Open),
        t,
        targets,
        participants,
        budget,
        eval,
        comments,
        effect,
        cost_per_level,
        competencies,
        levels: Level::ALL,
        nominate_picker,
        problem,
        owed_evaluation,
    })
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let page = detail_page(&state, ctx, &user, id, super::participants::nominate_picker(), vec![]).await?;
    render(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TargetForm {
    competency: String,
    level: String,
}

async fn add_competency(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<TargetForm>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar("select id from trainings where id = $1 for update")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    exists.ok_or(AppError::NotFound)?;
    let competency: Option<i64> = match f.competency.trim().parse::<i64>() {
        Ok(c) => {
            sqlx::query_scalar("select id from competencies where id = $1 and active")
                .bind(c)
                .fetch_optional(&mut *tx)
                .await?
        }
        Err(_) => None,
    };
    let level = Level::parse(&f.level).ok();
    let (Some(competency), Some(level)) = (competency, level) else {
        drop(tx);
        let problem = vec![ctx.t("trn.err.target").to_string()];
        let page = detail_page(&state, ctx, &user, id, super::participants::nominate_picker(), problem).await?;
        return render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    sqlx::query(
        "insert into training_competencies (training_id, competency_id, target_level) values ($1, $2, $3)
         on conflict (training_id, competency_id) do update set target_level = excluded.target_level",
    )
    .bind(id)
    .bind(competency)
    .bind(level.get())
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "training",
        id,
        "target_set",
        None,
        Some(json!({"competency_id": competency, "target_level": level.get()})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/trainings/{id}"), FlashKind::Ok, "flash.saved"))
}

async fn remove_competency(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TargetForm>,
) -> AppResult<Response> {
    let Ok(competency) = f.competency.trim().parse::<i64>() else {
        return Ok(redirect_flash(&format!("/trainings/{id}"), FlashKind::Err, "trn.err.target"));
    };
    let mut tx = state.pool.begin().await?;
    let removed: Option<i16> = sqlx::query_scalar(
        "delete from training_competencies where training_id = $1 and competency_id = $2 returning target_level",
    )
    .bind(id)
    .bind(competency)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(level) = removed else {
        return Ok(redirect_flash(&format!("/trainings/{id}"), FlashKind::Ok, "flash.already_saved"));
    };
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "training",
        id,
        "target_remove",
        Some(json!({"competency_id": competency, "target_level": level})),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/trainings/{id}"), FlashKind::Ok, "flash.saved"))
}
