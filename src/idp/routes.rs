//! The IDP pages: one employee's plan (made from the gap card, edited line by line, approved by the
//! head) and a unit's IDPs with their progress (PDF, XLSX, CSV).

use std::collections::HashMap;

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use chrono::{Datelike as _, NaiveDate};
use serde::Deserialize;
use serde_json::json;

use super::{
    db::{self, Idp, Line, NextStep, UnitRow},
    model::{IdpRoute, IdpStatus, idp_percent, state_class, state_key, year_end},
};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx,
        export::{self, Columns, Kind, Table},
        form::{FieldErrors, clean_text},
        pdf::{self, Block},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::CurrentUser,
    competencies::model::Level,
    development::model::{Jp, jp_text},
    employees::{
        db::{self as emp_db, Detail},
        form::parse_date,
    },
    gaps::db::{MentorOption, TrainingOption, mentor_options, training_options},
    units::db::UnitOption,
};

/// The JP expected of a mentored or self-study line, per level of gap (editable per line, named
/// on the page): what the agency's JP rules give a planned mentoring (`planned_jp`, the rule the
/// plan counts a mentored need with).
pub async fn jp_per_level_informal(conn: &mut sqlx::PgConnection) -> Result<f64, sqlx::Error> {
    sqlx::query_scalar("select coalesce(planned_jp('mentoring'), 0)").fetch_one(conn).await
}

/// A choice in a select.
#[derive(Clone, Debug)]
pub struct Choice {
    pub id: i64,
    pub label: String,
}

/// A line with the choices offered for it and the form as typed (after a refused save).
pub struct LineView {
    pub line: Line,
    pub programmes: Vec<Choice>,
    pub trainings: Vec<Choice>,
    pub mentors: Vec<Choice>,
    pub form: LineForm,
    pub errors: FieldErrors,
}

impl LineView {
    pub fn state_key(&self) -> &'static str {
        state_key(&self.line.state)
    }

    pub fn state_class(&self) -> &'static str {
        state_class(&self.line.state)
    }
}

#[derive(askama::Template)]
#[template(path = "idp/show.html")]
struct ShowPage {
    ctx: Ctx,
    e: Detail,
    year: i32,
    idp: Option<Idp>,
    lines: Vec<LineView>,
    percent: i64,
    /// The reader decides for this employee (head of their unit, HR), never for themselves.
    decides: bool,
    /// The reader may edit the lines: a decider, or the employee while the IDP is a draft.
    may_edit: bool,
    is_self: bool,
    gaps: i64,
    routes: &'static [IdpRoute],
    levels: [Level; 5],
    jp_per_level: String,
}

impl ShowPage {
    fn jp(&self, v: &f64) -> String {
        jp_text(*v, self.ctx.lang.is_en())
    }

    fn route_text(&self, l: &Line) -> String {
        route_words(&self.ctx, l.route, l.programme.as_deref(), l.training.as_deref(), l.mentor.as_deref(), &l.note)
    }
}

/// A route in words: "Mentoring dengan Yayan Sopyan", "Program: …".
pub fn route_words(
    ctx: &Ctx,
    route: IdpRoute,
    programme: Option<&str>,
    training: Option<&str>,
    mentor: Option<&str>,
    note: &str,
) -> String {
    let label = ctx.label(route);
    let named = match route {
        IdpRoute::Programme => programme,
        IdpRoute::Training => training,
        IdpRoute::Mentor => mentor,
        IdpRoute::SelfStudy | IdpRoute::Assignment => (!note.is_empty()).then_some(note),
    };
    match named {
        Some(n) => format!("{label}: {n}"),
        None => label.to_string(),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct YearQuery {
    year: String,
    unit: String,
    format: String,
}

fn year_of(ctx: &Ctx, s: &str) -> i32 {
    s.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or_else(|| ctx.today.year())
}

/// The employee within the reader's scope (404 outside it).
async fn employee(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Detail> {
    let mut conn = state.pool.acquire().await?;
    emp_db::find(&mut conn, id, &user.scope()).await?.ok_or(AppError::NotFound)
}

async fn show_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    e: Detail,
    year: i32,
    refused: Option<(i64, LineForm, FieldErrors)>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let en = ctx.lang.is_en();
    let idp = db::find(&mut conn, e.id, year).await?;
    let lines = match &idp {
        Some(i) => db::lines(&mut conn, i.id, en).await?,
        None => vec![],
    };
    let gaps: i64 = sqlx::query_scalar("select count(*) from requirement_gaps where employee_id = $1 and gap > 0")
        .bind(e.id)
        .fetch_one(&mut *conn)
        .await?;
    let is_self = user.employee_id == Some(e.id);
    let decides = e.decides;
    let may_edit = decides || (is_self && idp.as_ref().is_some_and(|i| i.status == IdpStatus::Draft));
    // The choices of every line at once: the gap card's mentors and trainings, the catalogue.
    let (mut mentors, mut trainings, mut programmes) = (HashMap::new(), HashMap::new(), HashMap::new());
    if may_edit && !lines.is_empty() {
        let needs: Vec<(i64, i16)> = lines.iter().map(|l| (l.competency_id, l.goal_level)).collect();
        for m in mentor_options(&mut conn, &needs, e.id, ctx.today, 6).await? {
            mentors.entry(m.competency_id).or_insert_with(Vec::new).push(mentor_choice(&ctx, &m));
        }
        let comps: Vec<i64> = needs.iter().map(|n| n.0).collect();
        for t in training_options(&mut conn, &comps).await? {
            if t.seats_left > 0 {
                trainings.entry(t.competency_id).or_insert_with(Vec::new).push(training_choice(&ctx, &t));
            }
        }
        let rows: Vec<(i64, i64, String)> = sqlx::query_as(
            "select pc.competency_id, p.id, p.code || ' · ' || p.title from programmes p
             join programme_competencies pc on pc.programme_id = p.id
             where pc.competency_id = any($1) and p.active and $2 between p.offered_from and p.offered_to
             order by p.code",
        )
        .bind(&comps)
        .bind(year)
        .fetch_all(&mut *conn)
        .await?;
        for (c, id, label) in rows {
            programmes.entry(c).or_insert_with(Vec::new).push(Choice { id, label });
        }
    }
    let jp_per_level = jp_per_level_informal(&mut conn).await?;
    let percent = idp_percent(&lines.iter().map(|l| i64::from(l.percent)).collect::<Vec<_>>());
    let (refused_id, refused_form, refused_errors) = match refused {
        Some((id, f, e)) => (Some(id), Some(f), e),
        None => (None, None, FieldErrors::default()),
    };
    let mut status = axum::http::StatusCode::OK;
    let lines = lines
        .into_iter()
        .map(|l| {
            let take = |m: &mut HashMap<i64, Vec<Choice>>, chosen: Option<(i64, String)>| {
                let mut v = m.remove(&l.competency_id).unwrap_or_default();
                if let Some((id, label)) = chosen
                    && !v.iter().any(|c| c.id == id)
                {
                    v.insert(0, Choice { id, label });
                }
                v
            };
            let programmes = take(&mut programmes, l.programme_id.zip(l.programme.clone()));
            let trainings = take(&mut trainings, l.training_id.zip(l.training.clone()));
            let mentors = take(&mut mentors, l.mentor_id.zip(l.mentor.clone()));
            let (form, errors) = if refused_id == Some(l.id) {
                status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                (refused_form.clone().unwrap_or_else(|| LineForm::of(&l)), refused_errors.clone())
            } else {
                (LineForm::of(&l), FieldErrors::default())
            };
            LineView { line: l, programmes, trainings, mentors, form, errors }
        })
        .collect();
    render_status(
        status,
        &ShowPage {
            jp_per_level: jp_text(jp_per_level, ctx.lang.is_en()),
            ctx,
            e,
            year,
            idp,
            lines,
            percent,
            decides,
            may_edit,
            is_self,
            gaps,
            routes: IdpRoute::ALL,
            levels: Level::ALL,
        },
    )
}

fn mentor_choice(ctx: &Ctx, m: &MentorOption) -> Choice {
    let place = if m.same_unit { ctx.t("gap.same_unit").to_string() } else { m.unit.clone() };
    Choice { id: m.employee_id, label: format!("{} ({} {}, {place})", m.name, ctx.t("gap.level"), m.level) }
}

fn training_choice(ctx: &Ctx, t: &TrainingOption) -> Choice {
    Choice { id: t.training_id, label: format!("{} ({})", t.title, ctx.date(t.starts_on)) }
}

pub(super) async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let e = employee(&state, &user, id).await?;
    let year = year_of(&ctx, &q.year);
    show_page(&state, ctx, &user, e, year, None).await
}

/// Make the IDP of this year from the gap card in one step: a line per known gap, its route from
/// the accepted unit plan where it has one, else a colleague who holds the level, else a catalogue
/// programme, else self-study with a report.
pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let e = employee(&state, &user, id).await?;
    if !e.decides {
        return Err(AppError::Forbidden);
    }
    let to = format!("/employees/{id}/idp");
    let mut tx = state.pool.begin().await?;
    let made = make(&mut tx, id, ctx.today, Some(user.account_id)).await?;
    let (idp, lines) = match made {
        Made::Exists => return Ok(redirect_flash(&to, FlashKind::Ok, "idp.flash.exists")),
        Made::NoGaps => {
            return Ok(redirect_flash(&format!("/employees/{id}/gaps"), FlashKind::Err, "idp.err.no_gaps"));
        }
        Made::Made { idp, lines } => (idp, lines),
    };
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "idp",
        idp,
        "create",
        None,
        Some(json!({"employee_id": id, "year": ctx.today.year(), "lines": lines})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&to, FlashKind::Ok, "idp.flash.created"))
}

/// What making an IDP did.
pub enum Made {
    Made {
        idp: i64,
        lines: u64,
    },
    /// The employee has this year's IDP already.
    Exists,
    /// No known gap to make it from (nothing written).
    NoGaps,
}

/// Make the employee's IDP of `today`'s year from their gap card in one step: a line per known
/// gap, its route from the accepted unit plan where it has one, else a colleague who holds the
/// level, else a catalogue programme, else self-study with a report. The caller commits.
pub async fn make(
    conn: &mut sqlx::PgConnection,
    id: i64,
    today: NaiveDate,
    account: Option<i64>,
) -> Result<Made, sqlx::Error> {
    let year = today.year();
    let seeds = db::seeds(conn, id, year).await?;
    if seeds.is_empty() {
        return Ok(Made::NoGaps);
    }
    let made: Option<i64> = sqlx::query_scalar(
        "insert into idps (employee_id, year, starts_on, created_by) values ($1, $2, $3, $4)
         on conflict (employee_id, year) do nothing returning id",
    )
    .bind(id)
    .bind(year)
    .bind(today)
    .bind(account)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(idp) = made else {
        return Ok(Made::Exists);
    };
    let needs: Vec<(i64, i16)> = seeds.iter().map(|s| (s.competency_id, s.required_level)).collect();
    let mentors = mentor_options(conn, &needs, id, today, 1).await?;
    let end = year_end(year).unwrap_or(today);
    let jp_per_level = jp_per_level_informal(conn).await?;
    let mut rows = NewLines::default();
    for s in &seeds {
        let levels = f64::from(s.required_level - s.current_level.unwrap_or(0)).max(1.0);
        let informal = levels * jp_per_level;
        let mentor = mentors.iter().find(|m| m.competency_id == s.competency_id).map(|m| m.employee_id);
        let (route, programme, training, mentor_id, jp, source, date) =
            match (s.plan_training, s.plan_mentor, s.plan_programme) {
                (Some(t), _, _) => (
                    IdpRoute::Training,
                    None,
                    Some(t),
                    None,
                    s.plan_jp.unwrap_or(0.0),
                    "plan",
                    s.training_ends.map_or(end, |d| d.max(today)),
                ),
                (None, Some(m), _) => (IdpRoute::Mentor, None, None, Some(m), informal, "plan", end),
                (None, None, Some(p)) => {
                    (IdpRoute::Programme, Some(p), None, None, s.plan_jp.unwrap_or(0.0), "plan", end)
                }
                _ => match (mentor, s.programme) {
                    (Some(m), _) => (IdpRoute::Mentor, None, None, Some(m), informal, "gap", end),
                    (None, Some(p)) => {
                        (IdpRoute::Programme, Some(p), None, None, s.programme_jp.unwrap_or(0.0), "gap", end)
                    }
                    (None, None) => (IdpRoute::SelfStudy, None, None, None, informal, "gap", end),
                },
            };
        rows.competency.push(s.competency_id);
        rows.start.push(s.current_level);
        rows.goal.push(s.required_level);
        rows.date.push(date);
        rows.route.push(route.as_str().to_string());
        rows.programme.push(programme);
        rows.training.push(training);
        rows.mentor.push(mentor_id);
        rows.jp.push(jp);
        rows.source.push(source.to_string());
    }
    let lines = sqlx::query(
        "insert into idp_lines (idp_id, competency_id, start_level, goal_level, target_date, route, programme_id,
                                training_id, mentor_id, expected_jp, source)
         select $1, * from unnest($2::bigint[], $3::smallint[], $4::smallint[], $5::date[], $6::text[], $7::bigint[],
                                  $8::bigint[], $9::bigint[], $10::numeric[], $11::text[])",
    )
    .bind(idp)
    .bind(&rows.competency)
    .bind(&rows.start)
    .bind(&rows.goal)
    .bind(&rows.date)
    .bind(&rows.route)
    .bind(&rows.programme)
    .bind(&rows.training)
    .bind(&rows.mentor)
    .bind(&rows.jp)
    .bind(&rows.source)
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(Made::Made { idp, lines })
}

#[derive(Default)]
struct NewLines {
    competency: Vec<i64>,
    start: Vec<Option<i16>>,
    goal: Vec<i16>,
    date: Vec<NaiveDate>,
    route: Vec<String>,
    programme: Vec<Option<i64>>,
    training: Vec<Option<i64>>,
    mentor: Vec<Option<i64>>,
    jp: Vec<f64>,
    source: Vec<String>,
}

/// A line's form as typed.
#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct LineForm {
    pub goal_level: String,
    pub target_date: String,
    pub route: String,
    pub programme: String,
    pub training: String,
    pub mentor: String,
    pub expected_jp: String,
    pub note: String,
}

impl LineForm {
    fn of(l: &Line) -> Self {
        let id = |v: Option<i64>| v.map(|v| v.to_string()).unwrap_or_default();
        Self {
            goal_level: l.goal_level.to_string(),
            target_date: l.target_date.to_string(),
            route: l.route.as_str().into(),
            programme: id(l.programme_id),
            training: id(l.training_id),
            mentor: id(l.mentor_id),
            expected_jp: jp_text(l.expected_jp, true),
            note: l.note.clone(),
        }
    }

    pub fn is(&self, field: &str, id: &i64) -> bool {
        let v = match field {
            "programme" => &self.programme,
            "training" => &self.training,
            _ => &self.mentor,
        };
        v.trim() == id.to_string()
    }
}

pub(super) async fn save_line(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path((id, line)): Path<(i64, i64)>,
    Form(f): Form<LineForm>,
) -> AppResult<Response> {
    let e = employee(&state, &user, id).await?;
    let is_self = user.employee_id == Some(id);
    let to = format!("/employees/{id}/idp");
    let mut tx = state.pool.begin().await?;
    let row: Option<(i64, IdpStatus, i32, NaiveDate, Option<i16>, serde_json::Value)> = sqlx::query_as(
        "select i.id, i.status, i.year, i.starts_on, cl.level, to_jsonb(l) - 'created_at' - 'updated_at'
         from idp_lines l join idps i on i.id = l.idp_id
         left join current_levels cl on cl.employee_id = i.employee_id and cl.competency_id = l.competency_id
         where l.id = $1 and i.employee_id = $2 for update of l, i",
    )
    .bind(line)
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let (idp, status, year, starts_on, current, before) = row.ok_or(AppError::NotFound)?;
    if !(e.decides || (is_self && status == IdpStatus::Draft)) {
        if is_self {
            return Ok(redirect_flash(&to, FlashKind::Err, "idp.err.approved"));
        }
        return Err(AppError::Forbidden);
    }
    let mut errors = FieldErrors::default();
    let goal = Level::parse(&f.goal_level).map_err(|k| errors.add("goal_level", k)).ok();
    if let (Some(g), Some(c)) = (goal, current)
        && g.get() <= c
    {
        errors.add("goal_level", "idp.err.goal_reached");
    }
    let date = parse_date(&f.target_date);
    match date {
        None => errors.add("target_date", "idp.err.date"),
        Some(d) if d < starts_on || d.year() > year + 2 => errors.add("target_date", "idp.err.date_range"),
        _ => {}
    }
    let route = IdpRoute::parse(&f.route);
    if route.is_none() {
        errors.add("route", "idp.err.route");
    }
    let pick = |s: &str| s.trim().parse::<i64>().ok();
    let (mut programme, mut training, mut mentor): (Option<i64>, Option<i64>, Option<i64>) = (None, None, None);
    match route {
        Some(IdpRoute::Programme) => {
            programme = match pick(&f.programme) {
                Some(p) => {
                    sqlx::query_scalar("select id from programmes where id = $1 and active")
                        .bind(p)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            if programme.is_none() {
                errors.add("programme", "idp.err.programme");
            }
        }
        Some(IdpRoute::Training) => {
            training = match pick(&f.training) {
                Some(t) => {
                    sqlx::query_scalar("select id from trainings where id = $1 and status <> 'cancelled'")
                        .bind(t)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            if training.is_none() {
                errors.add("training", "idp.err.training");
            }
        }
        Some(IdpRoute::Mentor) => {
            mentor = match pick(&f.mentor) {
                Some(m) if m != id => {
                    sqlx::query_scalar("select id from employees where id = $1 and active")
                        .bind(m)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                _ => None,
            };
            if mentor.is_none() {
                errors.add("mentor", "idp.err.mentor");
            }
        }
        _ => {}
    }
    let jp = Jp::parse_zero(&f.expected_jp).map_err(|_| errors.add("expected_jp", "idp.err.jp")).ok();
    let note = clean_text(&f.note, 500).map_err(|k| errors.add("note", k)).unwrap_or_default();
    if route == Some(IdpRoute::Assignment) && note.is_empty() {
        errors.add("note", "idp.err.assignment_note");
    }
    let (Some(goal), Some(date), Some(route), Some(jp)) = (goal, date, route, jp) else {
        drop(tx);
        return show_page(&state, ctx, &user, e, year, Some((line, f, errors))).await;
    };
    if !errors.is_empty() {
        drop(tx);
        return show_page(&state, ctx, &user, e, year, Some((line, f, errors))).await;
    }
    let after: serde_json::Value = sqlx::query_scalar(
        "update idp_lines set goal_level = $2, target_date = $3, route = $4, programme_id = $5, training_id = $6,
                mentor_id = $7, expected_jp = $8, note = $9, version = version + 1
         where id = $1 returning to_jsonb(idp_lines) - 'created_at' - 'updated_at'",
    )
    .bind(line)
    .bind(goal.get())
    .bind(date)
    .bind(route.as_str())
    .bind(programme)
    .bind(training)
    .bind(mentor)
    .bind(jp.get())
    .bind(&note)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("update idps set version = version + 1 where id = $1").bind(idp).execute(&mut *tx).await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "idp_line", line, "update", Some(before), Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("{to}#line-{line}"), FlashKind::Ok, "flash.saved"))
}

/// The head (or HR) approves the IDP: once, with at least one line.
pub(super) async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let e = employee(&state, &user, id).await?;
    if !e.decides {
        return Err(AppError::Forbidden);
    }
    let to = format!("/employees/{id}/idp");
    let mut tx = state.pool.begin().await?;
    let row: Option<(i64, IdpStatus, i64)> = sqlx::query_as(
        "select i.id, i.status, (select count(*) from idp_lines l where l.idp_id = i.id) from idps i
         where i.employee_id = $1 and i.year = $2 for update",
    )
    .bind(id)
    .bind(ctx.today.year())
    .fetch_optional(&mut *tx)
    .await?;
    let (idp, status, lines) = row.ok_or(AppError::NotFound)?;
    if status == IdpStatus::Approved {
        return Ok(redirect_flash(&to, FlashKind::Ok, "flash.already_saved"));
    }
    if lines == 0 {
        return Ok(redirect_flash(&to, FlashKind::Err, "idp.err.no_lines"));
    }
    sqlx::query(
        "update idps set status = 'approved', approved_by = $2, approved_at = now(), version = version + 1 where id = $1",
    )
    .bind(idp)
    .bind(user.account_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "idp",
        idp,
        "approve",
        Some(json!({"status": "draft"})),
        Some(json!({"status": "approved"})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&to, FlashKind::Ok, "idp.flash.approved"))
}

#[derive(askama::Template)]
#[template(path = "idp/unit.html")]
struct UnitPage {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    units: Vec<UnitOption>,
    year: i32,
    rows: Vec<UnitRow>,
    with_idp: usize,
    approved: usize,
}

impl UnitPage {
    fn jp(&self, v: &f64) -> String {
        jp_text(*v, self.ctx.lang.is_en())
    }
}

fn unit_table(ctx: &Ctx, rows: &[UnitRow]) -> Table {
    Table {
        name: "idp",
        headers: export::keys(&[
            "col.nip",
            "col.name",
            "col.position",
            "col.unit",
            "idp.col.status",
            "idp.col.lines",
            "idp.col.reached",
            "idp.col.expected_jp",
            "idp.col.earned_jp",
            "idp.col.percent",
        ]),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.nip.clone(),
                    r.name.clone(),
                    r.position.clone(),
                    r.unit.clone(),
                    match r.status {
                        Some(s) => ctx.label(s).to_string(),
                        None => ctx.t("idp.none").to_string(),
                    },
                    r.lines.to_string(),
                    r.reached.to_string(),
                    jp_text(r.expected_jp, true),
                    jp_text(r.earned_jp, true),
                    r.percent.map(|p| p.to_string()).unwrap_or_default(),
                ]
            })
            .collect(),
    }
}

/// The IDPs of a unit and its sub-units with their progress: heads their units, HR all.
pub(super) async fn unit(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = crate::gaps::routes::pick_unit(&state, &user, &q.unit).await?;
    let year = year_of(&ctx, &q.year);
    let mut conn = state.pool.acquire().await?;
    let rows = db::unit_rows(&mut conn, &path, year, &user.scope()).await?;
    if q.format == "pdf" {
        let t = unit_table(&ctx, &rows);
        let title = format!("{} {year}: {unit_name}", ctx.t("idp.report_title"));
        let meta = pdf::meta(&ctx, title.clone(), true);
        let headers = t.headers.iter().map(|h| ctx.t(h).to_string()).collect();
        let rows = t
            .rows
            .into_iter()
            .map(|mut r| {
                for i in [7, 8] {
                    r[i] = jp_text(r[i].parse().unwrap_or(0.0), ctx.lang.is_en());
                }
                r
            })
            .collect();
        let blocks = vec![Block::Heading(title), Block::Table { headers, rows }];
        return Ok(pdf::response(&format!("idp-{year}"), pdf::render(&meta, &blocks)));
    }
    if export::wanted(&q.format) {
        let cols = Columns {
            kinds: vec![
                Kind::Text,
                Kind::Text,
                Kind::Text,
                Kind::Text,
                Kind::Text,
                Kind::Integer,
                Kind::Integer,
                Kind::Decimal,
                Kind::Decimal,
                Kind::Integer,
            ],
            totals: Some(("idp.total", vec![5, 6, 7, 8])),
        };
        let f = export::file_with(&ctx, &q.format, &unit_table(&ctx, &rows), &cols)?;
        return Ok(axum::response::IntoResponse::into_response(f));
    }
    let units = crate::gaps::db::unit_options(&state, &mut conn, &user, unit_id).await?;
    let with_idp = rows.iter().filter(|r| r.idp_id.is_some()).count();
    let approved = rows.iter().filter(|r| r.status == Some(IdpStatus::Approved)).count();
    render(&UnitPage { ctx, unit_id, unit_name, units, year, rows, with_idp, approved })
}

/// The employee's next step on their home (`templates/idp/home_block.html`).
pub struct HomeBlock {
    pub step: NextStep,
}

impl HomeBlock {
    pub fn route_text(&self, ctx: &Ctx) -> String {
        let s = &self.step;
        route_words(ctx, s.route, s.programme.as_deref(), s.training.as_deref(), s.mentor.as_deref(), &s.note)
    }
}

/// Reused while the records are unchanged, as the home's other own parts are (everyone opens it).
pub async fn home_block(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    employee: i64,
    ctx: &Ctx,
) -> Result<Option<HomeBlock>, sqlx::Error> {
    let (year, en) = (ctx.today.year(), ctx.lang.is_en());
    let kept = state
        .personal
        .get(conn, format!("home.idp:{employee}:{year}:{en}"), move |conn| {
            Box::pin(async move { db::next_step(conn, employee, year, en).await })
        })
        .await?;
    Ok(kept.as_ref().clone().map(|step| HomeBlock { step }))
}
