use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;

use super::{FunctionalLevel, PositionKind};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        edit::{self, EditState},
        export::{self, Table},
        form::{FieldErrors, required_text},
        paging::{PER_PAGE, Pager, query_string},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor, Table as AuditTable},
    auth::Role,
    competencies::model::{Level, Priority},
    employees::db::{Opt, competency_options, position_options},
    units::db::{UnitOption, options as unit_options},
};

const HR: &[Role] = &[Role::Hr];
const READERS: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .nav(60, |u| (u.has(Role::Hr) || u.has(Role::Head)).then(|| ("/positions".into(), "nav.positions")))
        .get("/positions", Access::AnyOf(READERS), list)
        .get("/positions/new", Access::AnyOf(HR), new_form)
        .post("/positions", Access::AnyOf(HR), edit::create::<Position>)
        .get("/positions/{id}", Access::AnyOf(READERS), detail)
        .get("/positions/{id}/edit", Access::AnyOf(HR), edit::edit_page::<Position>)
        .post("/positions/{id}", Access::AnyOf(HR), edit::update::<Position>)
        .post("/positions/{id}/standard", Access::AnyOf(HR), set_standard)
        .post("/positions/{id}/standard/remove", Access::AnyOf(HR), remove_standard)
        .post("/positions/{id}/standard/copy", Access::AnyOf(HR), copy_standard)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQuery {
    unit: String,
    q: String,
    format: String,
    page: Option<i64>,
}

#[derive(sqlx::FromRow, Clone)]
pub struct PosRow {
    pub id: i64,
    pub name: String,
    pub kind: super::PositionKind,
    pub functional_level: Option<super::FunctionalLevel>,
    pub class_grade: Option<i16>,
    pub unit: String,
    pub is_unit_head: bool,
    pub active: bool,
    pub holders: i64,
    pub standard_size: i64,
    /// Rows of the list (all pages); absent outside the list.
    #[sqlx(default)]
    pub total: i64,
}

impl crate::app::versioned::Weigh for PosRow {}

#[derive(askama::Template)]
#[template(path = "positions/list.html")]
struct ListPage {
    ctx: Ctx,
    f: ListQuery,
    rows: Vec<PosRow>,
    units: Vec<UnitOption>,
    is_hr: bool,
    pager: Pager,
}

const POS_SELECT: &str =
    "select p.id, p.name, p.kind, p.functional_level, p.class_grade, u.name as unit, p.is_unit_head, p.active,
        (select count(*) from employees e where e.position_id = p.id and e.active) as holders,
        (select count(*) from position_standards s where s.position_id = p.id) as standard_size
      from positions p join units u on u.id = p.unit_id";

async fn list(State(state): State<AppState>, ctx: Ctx, Query(mut f): Query<ListQuery>) -> AppResult<Response> {
    f.q = f.q.trim().chars().take(100).collect();
    let like = crate::app::form::contains_pattern(&f.q);
    let unit = f.unit.parse::<i64>().ok();
    let whole = export::wanted(&f.format);
    // One page of ids first (with the total), then the counts for those rows only; the page is
    // reused while the records are unchanged (ordering every position of a regency costs).
    let (limit, offset) = if whole { (i64::MAX, 0) } else { (PER_PAGE, Pager::offset(f.page)) };
    let key = format!("positions:{unit:?}:{:?}:{limit}:{offset}", f.q);
    let (q, like) = (f.q.clone(), like.clone());
    let rows: Vec<PosRow> = (*state
        .versions
        .get(state.reader(&ctx).await, key, move |conn| {
            Box::pin(async move {
                sqlx::query_as::<_, PosRow>(&format!(
                    "with page as (
                       select p.id, count(*) over () as total, row_number() over (order by u.sort_key, p.is_unit_head desc, p.name, p.id) as n
                       from positions p join units u on u.id = p.unit_id
                       where ($1::bigint is null or u.path like (select path from units where id = $1) || '%')
                         and ($2 = '' or p.name ilike $3)
                       order by n limit $4 offset $5)
                     select x.*, page.total from page
                     join lateral ({POS_SELECT} where p.id = page.id) x on true
                     order by page.n"
                ))
                .bind(unit)
                .bind(&q)
                .bind(&like)
                .bind(limit)
                .bind(offset)
                .fetch_all(conn)
                .await
            })
        })
        .await?)
        .clone();
    if export::wanted(&f.format) {
        let table = Table {
            name: "jabatan",
            headers: export::keys(&[
                "col.position",
                "col.kind",
                "col.functional_level",
                "col.class",
                "col.unit",
                "col.unit_head",
                "col.active",
                "col.holders",
                "col.standard_size",
            ]),
            rows: rows
                .iter()
                .map(|p| {
                    vec![
                        p.name.clone(),
                        ctx.label(p.kind).to_string(),
                        p.functional_level.map(|l| ctx.label(l)).unwrap_or("").to_string(),
                        p.class_grade.map(|c| c.to_string()).unwrap_or_default(),
                        p.unit.clone(),
                        if p.is_unit_head { ctx.t("col.yes").into() } else { String::new() },
                        ctx.yes_no(p.active).into(),
                        p.holders.to_string(),
                        p.standard_size.to_string(),
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &f.format, &table);
    }
    let units = crate::units::db::near_reused(&state, &state.pool, f.unit.parse().ok(), true, &[]).await?;
    let is_hr = ctx.has(Role::Hr);
    let pager =
        Pager::new(f.page, rows.first().map_or(0, |r| r.total), query_string(&[("unit", &f.unit), ("q", &f.q)]));
    render(&ListPage { ctx, f, rows, units, is_hr, pager })
}

#[derive(sqlx::FromRow)]
pub struct StdLine {
    pub competency_id: i64,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub required_level: i16,
    pub priority: crate::competencies::model::Priority,
    pub met: i64,
    pub holders: i64,
}

#[derive(askama::Template)]
#[template(path = "positions/detail.html")]
struct DetailPage {
    ctx: Ctx,
    p: PosRow,
    seen: String,
    lines: Vec<StdLine>,
    competencies: Vec<Opt>,
    positions: Vec<Opt>,
    priorities: &'static [Priority],
    levels: [Level; 5],
    errors: FieldErrors,
    is_hr: bool,
}

async fn detail_page(state: &AppState, ctx: Ctx, id: i64, errors: FieldErrors) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    // The standard as this page shows it: its forms send it back, so a change someone else made
    // meanwhile is noticed instead of overwritten.
    let seen = standard_json(&mut conn, id).await?.to_string();
    let p: PosRow = sqlx::query_as(&format!("{POS_SELECT} where p.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or(AppError::NotFound)?;
    let lines: Vec<StdLine> = sqlx::query_as(
        "select c.id as competency_id, c.code, c.name_id, c.name_en, c.kind, s.required_level, s.priority,
                count(cl.employee_id) filter (where cl.level >= s.required_level) as met,
                count(e.id) as holders
         from position_standards s join competencies c on c.id = s.competency_id
         left join employees e on e.position_id = s.position_id and e.active
         left join current_levels cl on cl.employee_id = e.id and cl.competency_id = s.competency_id
         where s.position_id = $1
         group by c.id, s.required_level, s.priority
         order by c.kind <> 'teknis', case s.priority when 'critical' then 0 when 'important' then 1 else 2 end, c.code",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    let competencies = competency_options(&mut conn, ctx.lang.is_en()).await?;
    let positions = position_options(&mut conn).await?.into_iter().filter(|o| o.id != id).collect();
    let is_hr = ctx.has(Role::Hr);
    let status = if errors.get("competency") == Some("pos.err.std_changed")
        || errors.get("from") == Some("pos.err.std_changed_all")
    {
        axum::http::StatusCode::CONFLICT
    } else {
        errors.status()
    };
    let page = DetailPage {
        ctx,
        p,
        seen,
        lines,
        competencies,
        positions,
        priorities: Priority::ALL,
        levels: Level::ALL,
        errors,
        is_hr,
    };
    render_status(status, &page)
}

async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    detail_page(&state, ctx, id, FieldErrors::default()).await
}

#[derive(Deserialize, serde::Serialize, Default, Clone)]
#[serde(default)]
struct PosForm {
    name: String,
    kind: String,
    functional_level: String,
    class_grade: String,
    unit: String,
    is_unit_head: Option<String>,
    active: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "positions/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: PosForm,
    errors: FieldErrors,
    units: Vec<UnitOption>,
    kinds: &'static [PositionKind],
    levels: &'static [FunctionalLevel],
    edit: EditState,
    label_prefix: &'static str,
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    id: Option<i64>,
    form: PosForm,
    errors: FieldErrors,
    edit: EditState,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let units = unit_options(&mut conn).await?;
    let status = edit.status(&errors);
    let (kinds, levels) = (PositionKind::ALL, FunctionalLevel::ALL);
    render_status(status, &FormPage { ctx, id, form, errors, units, kinds, levels, edit, label_prefix: "pos" })
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = PosForm { kind: "pelaksana".into(), active: Some("on".into()), ..Default::default() };
    form_page(&state, ctx, None, form, FieldErrors::default(), EditState::create()).await
}

/// A position as its edit form shows it, with its version (`lock`: held until the transaction ends).
async fn load_form(conn: &mut sqlx::PgConnection, id: i64, lock: bool) -> Result<Option<(i64, PosForm)>, sqlx::Error> {
    let sql = if lock {
        "select version, name, kind, functional_level, class_grade, unit_id, is_unit_head, active from positions
         where id = $1 for update"
    } else {
        "select version, name, kind, functional_level, class_grade, unit_id, is_unit_head, active from positions
         where id = $1"
    };
    let r: Option<PosRecord> = sqlx::query_as(sql).bind(id).fetch_optional(conn).await?;
    Ok(r.map(|r| {
        let form = PosForm {
            name: r.name,
            kind: r.kind,
            functional_level: r.functional_level.unwrap_or_default(),
            class_grade: r.class_grade.map(|c| c.to_string()).unwrap_or_default(),
            unit: r.unit_id.to_string(),
            is_unit_head: r.is_unit_head.then(|| "on".into()),
            active: r.active.then(|| "on".into()),
        };
        (r.version, form)
    }))
}

#[derive(sqlx::FromRow)]
struct PosRecord {
    version: i64,
    name: String,
    kind: String,
    functional_level: Option<String>,
    class_grade: Option<i16>,
    unit_id: i64,
    is_unit_head: bool,
    active: bool,
}

/// A position, edited through its versioned form (`edit::save`).
struct Position;

/// A position's values once checked.
struct CheckedPos {
    name: String,
    kind: PositionKind,
    level: Option<FunctionalLevel>,
    class: Option<i16>,
    unit: i64,
    head: bool,
}

impl edit::Editable for Position {
    type Form = PosForm;
    type Checked = CheckedPos;
    const ENTITY: &'static str = "position";
    const LIST: &'static str = "/positions";

    async fn load(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, PosForm)>, sqlx::Error> {
        load_form(conn, id, lock).await
    }

    async fn check(
        conn: &mut PgConnection,
        id: Option<i64>,
        form: &PosForm,
        errors: &mut FieldErrors,
    ) -> Result<Option<CheckedPos>, sqlx::Error> {
        let name = required_text(errors, "name", &form.name, 200);
        let kind = PositionKind::parse(&form.kind);
        if kind.is_none() {
            errors.add("kind", "pos.err.kind");
        }
        let level = FunctionalLevel::parse(&form.functional_level);
        match (kind, level) {
            (Some(PositionKind::Fungsional), None) => errors.add("functional_level", "pos.err.level_needed"),
            (Some(k), Some(_)) if k != PositionKind::Fungsional => {
                errors.add("functional_level", "pos.err.level_only_functional")
            }
            _ => {}
        }
        let class = if form.class_grade.trim().is_empty() {
            None
        } else {
            match form.class_grade.trim().parse::<i16>() {
                Ok(c) if (1..=17).contains(&c) => Some(c),
                _ => {
                    errors.add("class_grade", "pos.err.class");
                    None
                }
            }
        };
        let unit: Option<i64> = match form.unit.trim().parse::<i64>() {
            Ok(u) => {
                sqlx::query_scalar("select id from units where id = $1 and closed_on is null")
                    .bind(u)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            Err(_) => None,
        };
        if unit.is_none() {
            errors.add("unit", "acct.err.unit");
        }
        let head = form.is_unit_head.is_some();
        if let (true, Some(u)) = (head, unit) {
            let other: bool = sqlx::query_scalar(
                "select exists(select 1 from positions where unit_id = $1 and is_unit_head and id is distinct from $2)",
            )
            .bind(u)
            .bind(id)
            .fetch_one(&mut *conn)
            .await?;
            if other {
                errors.add("is_unit_head", "pos.err.head_taken");
            }
        }
        Ok(kind.zip(unit).map(|(kind, unit)| CheckedPos { name, kind, level, class, unit, head }))
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
        audit::snapshot(conn, AuditTable::Positions, id).await
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<i64>,
        form: &PosForm,
        c: &CheckedPos,
    ) -> Result<i64, sqlx::Error> {
        let sql = if id.is_some() {
            "update positions set name = $1, kind = $2, functional_level = $3, class_grade = $4, unit_id = $5, is_unit_head = $6,
               active = $7 where id = $8 returning id"
        } else {
            "insert into positions (name, kind, functional_level, class_grade, unit_id, is_unit_head, active)
             values ($1, $2, $3, $4, $5, $6, $7) returning id"
        };
        sqlx::query_scalar(sql)
            .bind(&c.name)
            .bind(c.kind.as_str())
            .bind(c.level.map(FunctionalLevel::as_str))
            .bind(c.class)
            .bind(c.unit)
            .bind(c.head)
            .bind(id.is_none() || form.active.is_some())
            .bind(id)
            .fetch_one(conn)
            .await
    }

    /// Whoever holds an edited position gains or loses the head role with it.
    async fn after(
        conn: &mut PgConnection,
        actor: &Actor,
        edited: Option<i64>,
        saved: i64,
        (before, after): (Option<&serde_json::Value>, Option<&serde_json::Value>),
    ) -> Result<(), sqlx::Error> {
        let heads_moved =
            ["is_unit_head", "unit_id", "active"].iter().any(|k| before.map(|b| &b[*k]) != after.map(|a| &a[*k]));
        if heads_moved && edited.is_some() {
            let holders: Vec<i64> = sqlx::query_scalar("select id from employees where position_id = $1")
                .bind(saved)
                .fetch_all(&mut *conn)
                .await?;
            crate::accounts::follow_positions(conn, actor, &holders).await?;
        }
        Ok(())
    }

    fn location(saved: i64) -> String {
        format!("/positions/{saved}")
    }

    async fn page(
        state: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: PosForm,
        errors: FieldErrors,
        edit: EditState,
    ) -> AppResult<Response> {
        form_page(state, ctx, id, form, errors, edit).await
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StdForm {
    competency: String,
    level: String,
    priority: String,
    from: String,
    /// The standard as the page showed it (JSON), to notice a change made meanwhile.
    seen: String,
}

/// Whether someone changed the standard since the page was shown: the line of `competency`
/// (`None`: any line) differs between what the form saw and what is stored now.
fn changed_since(seen: &str, now: &serde_json::Value, competency: Option<i64>) -> bool {
    let Ok(seen) = serde_json::from_str::<serde_json::Value>(seen) else { return false };
    let line = |v: &serde_json::Value, c: i64| {
        v.as_array().and_then(|a| a.iter().find(|l| l["competency_id"].as_i64() == Some(c)).cloned())
    };
    match competency {
        Some(c) => line(&seen, c) != line(now, c),
        None => &seen != now,
    }
}

async fn standard_json(conn: &mut PgConnection, id: i64) -> Result<serde_json::Value, sqlx::Error> {
    sqlx::query_scalar(
        "select coalesce(jsonb_agg(jsonb_build_object('competency_id', competency_id, 'level', required_level, 'priority', priority)
                 order by competency_id), '[]'::jsonb) from position_standards where position_id = $1",
    )
    .bind(id)
    .fetch_one(conn)
    .await
}

/// The position exists; its row stays locked until the transaction ends, so edits of its
/// standard happen one after the other.
async fn position_exists(conn: &mut PgConnection, id: i64) -> AppResult<()> {
    let ok: Option<i64> =
        sqlx::query_scalar("select id from positions where id = $1 for update").bind(id).fetch_optional(conn).await?;
    if ok.is_some() { Ok(()) } else { Err(AppError::NotFound) }
}

/// Add a competency to the standard, or change its level and priority.
async fn set_standard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StdForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut tx = state.pool.begin().await?;
    position_exists(&mut tx, id).await?;
    let competency: Option<i64> = match f.competency.trim().parse::<i64>() {
        Ok(c) => {
            sqlx::query_scalar("select id from competencies where id = $1").bind(c).fetch_optional(&mut *tx).await?
        }
        Err(_) => None,
    };
    if competency.is_none() {
        errors.add("competency", "asm.err.competency");
    }
    let level = Level::parse(&f.level).map_err(|k| errors.add("level", k)).ok();
    let priority = Priority::parse(&f.priority);
    if priority.is_none() {
        errors.add("priority", "pos.err.priority");
    }
    let (Some(c), Some(level), Some(priority), true) = (competency, level, priority, errors.is_empty()) else {
        drop(tx);
        return detail_page(&state, ctx, id, errors).await;
    };
    let before = standard_json(&mut tx, id).await?;
    if changed_since(&f.seen, &before, Some(c)) {
        drop(tx);
        errors.add("competency", "pos.err.std_changed");
        return detail_page(&state, ctx, id, errors).await;
    }
    sqlx::query(
        "insert into position_standards (position_id, competency_id, required_level, priority) values ($1, $2, $3, $4)
         on conflict (position_id, competency_id) do update set required_level = excluded.required_level, priority = excluded.priority",
    )
    .bind(id)
    .bind(c)
    .bind(level.get())
    .bind(priority.as_str())
    .execute(&mut *tx)
    .await?;
    let after = standard_json(&mut tx, id).await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "position_standard", id, "update", Some(before), Some(after))
        .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/positions/{id}"), FlashKind::Ok, "flash.saved"))
}

async fn remove_standard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StdForm>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    position_exists(&mut tx, id).await?;
    let before = standard_json(&mut tx, id).await?;
    if changed_since(&f.seen, &before, f.competency.trim().parse::<i64>().ok()) {
        drop(tx);
        let mut errors = FieldErrors::default();
        errors.add("competency", "pos.err.std_changed");
        return detail_page(&state, ctx, id, errors).await;
    }
    let n = sqlx::query("delete from position_standards where position_id = $1 and competency_id = $2")
        .bind(id)
        .bind(f.competency.trim().parse::<i64>().unwrap_or(-1))
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n > 0 {
        let after = standard_json(&mut tx, id).await?;
        audit::record(&mut tx, &Actor::from_ctx(&ctx), "position_standard", id, "update", Some(before), Some(after))
            .await?;
    }
    tx.commit().await?;
    Ok(redirect_flash(&format!("/positions/{id}"), FlashKind::Ok, "flash.saved"))
}

/// Replace this position's standard with a copy of another's (one transaction).
async fn copy_standard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StdForm>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    position_exists(&mut tx, id).await?;
    let from: Option<i64> = match f.from.trim().parse::<i64>() {
        Ok(p) if p != id => {
            sqlx::query_scalar("select id from positions where id = $1").bind(p).fetch_optional(&mut *tx).await?
        }
        _ => None,
    };
    let Some(from) = from else {
        drop(tx);
        let mut errors = FieldErrors::default();
        errors.add("from", "pos.err.copy_from");
        return detail_page(&state, ctx, id, errors).await;
    };
    let before = standard_json(&mut tx, id).await?;
    if changed_since(&f.seen, &before, None) {
        drop(tx);
        let mut errors = FieldErrors::default();
        errors.add("from", "pos.err.std_changed_all");
        return detail_page(&state, ctx, id, errors).await;
    }
    sqlx::query("delete from position_standards where position_id = $1").bind(id).execute(&mut *tx).await?;
    sqlx::query(
        "insert into position_standards (position_id, competency_id, required_level, priority)
         select $1, competency_id, required_level, priority from position_standards where position_id = $2",
    )
    .bind(id)
    .bind(from)
    .execute(&mut *tx)
    .await?;
    let after = standard_json(&mut tx, id).await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "position_standard",
        id,
        "copy",
        Some(before),
        Some(json!({"from": from, "standard": after})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/positions/{id}"), FlashKind::Ok, "flash.standard_copied"))
}
