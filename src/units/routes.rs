use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use serde::Deserialize;
use sqlx::PgConnection;

use super::{
    UnitKind,
    db::{UnitOption, options},
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        edit::{self, EditState},
        export::{self, Table},
        form::{FieldErrors, required_text},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor, Table as AuditTable},
    auth::Role,
    competencies::model::CompetencyCode,
};

const HR: &[Role] = &[Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .nav(50, |u| u.has(Role::Hr).then(|| ("/units".into(), "nav.units")))
        .get("/units", Access::SignedIn, list)
        .get("/units/search", Access::AnyOf(&[Role::Hr, Role::Head]), super::search::search)
        .get("/units/new", Access::AnyOf(HR), new_form)
        .post("/units", Access::AnyOf(HR), edit::create::<Unit>)
        .get("/units/{id}/edit", Access::AnyOf(HR), edit::edit_page::<Unit>)
        .post("/units/{id}", Access::AnyOf(HR), edit::update::<Unit>)
        .post("/units/{id}/close", Access::AnyOf(HR), close)
        .post("/units/{id}/reopen", Access::AnyOf(HR), reopen)
}

#[derive(sqlx::FromRow)]
pub struct TreeRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub kind: super::UnitKind,
    pub depth: i32,
    pub closed: bool,
    pub employees: i64,
    pub subtree_employees: i64,
    pub head: Option<String>,
}

impl TreeRow {
    pub fn indent(&self) -> String {
        "\u{a0}\u{a0}\u{a0}\u{a0}".repeat(self.depth.max(0) as usize)
    }
}

#[derive(askama::Template)]
#[template(path = "units/list.html")]
struct ListPage<'a> {
    ctx: Ctx,
    is_hr: bool,
    /// The page's rows, drawn once per version (`UnitsPage`).
    table: &'a str,
    /// Shown only when the tree is longer than one page.
    pager: Option<crate::app::paging::Pager>,
}

/// The page's rows as a table (`templates/units/table.html`).
#[derive(askama::Template)]
#[template(path = "units/table.html")]
struct UnitsTable<'a> {
    ctx: &'a Ctx,
    rows: &'a [TreeRow],
    is_hr: bool,
}

/// One page of the unit tree at one version of the records, kept for every reader (it counts
/// every active employee: at 15 000 staff it ran at 0.02 of the floor when read per request),
/// and its table once drawn, per language and for HR or not.
struct UnitsPage {
    total: i64,
    page: i64,
    rows: Vec<TreeRow>,
    drawn: [std::sync::OnceLock<String>; 4],
}

impl crate::app::versioned::Weigh for UnitsPage {
    fn bytes(&self) -> usize {
        // Its rows, and up to four drawn tables of ~600 bytes a row.
        crate::app::versioned::rows_bytes(&self.rows, 80 + 4 * 600)
    }
}

/// Units per page: a department's tree fits on one; a regency's 2 000 units are paged.
const UNITS_PER_PAGE: i64 = 300;

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    format: String,
    page: Option<i64>,
}

/// The unit tree in its order, `limit` rows from `offset`, with staff counts: each count is one
/// grouped statement over the employees (a unit's subtree sum adds every employee to each unit on
/// their unit's path), not a subquery per unit, so the page costs the same at 2 000 units.
async fn tree_rows(conn: impl sqlx::PgExecutor<'_>, offset: i64, limit: i64) -> Result<Vec<TreeRow>, sqlx::Error> {
    sqlx::query_as!(
        TreeRow,
        r#"with page as (
           select u.* from units u order by u.sort_key offset $1 limit $2
         ), own as (
           select unit_id, count(*) as n from employees where active group by unit_id
         ), subtree as (
           select a.id::bigint as unit_id, sum(o.n)::bigint as n
           from own o join units s on s.id = o.unit_id
           cross join lateral unnest(string_to_array(trim(both '/' from s.path), '/')) as a(id)
           group by a.id
         ), heads as (
           select distinct on (p.unit_id) p.unit_id, employee_display_name(e.front_title, e.name, e.back_title) as name
           from positions p join employees e on e.position_id = p.id and e.active
           where p.is_unit_head and p.unit_id in (select id from page)
           order by p.unit_id, e.id
         )
         select u.id as "id!", u.code as "code!", u.name as "name!", u.kind as "kind!: super::UnitKind",
                (length(u.path) - length(replace(u.path, '/', '')) - 2)::int as "depth!",
                u.closed_on is not null as "closed!", coalesce(o.n, 0) as "employees!", coalesce(t.n, 0) as "subtree_employees!",
                h.name as "head?"
         from page u
         left join own o on o.unit_id = u.id
         left join subtree t on t.unit_id = u.id
         left join heads h on h.unit_id = u.id
         order by u.sort_key"#,
        offset,
        limit,
    )
    .fetch_all(conn)
    .await
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let conn = state.reader(&ctx).await;
    if export::wanted(&q.format) {
        let rows = tree_rows(conn, 0, i64::MAX).await?;
        return export_rows(&ctx, &q.format, &rows);
    }
    let asked = q.page.unwrap_or(1).clamp(1, 1_000_000);
    let kept = state
        .versions
        .get(conn, format!("units.list:{asked}"), move |c| {
            Box::pin(async move {
                let total: i64 =
                    sqlx::query_scalar!(r#"select count(*) as "n!" from units"#).fetch_one(&mut *c).await?;
                let page = asked.min((total + UNITS_PER_PAGE - 1) / UNITS_PER_PAGE.max(1) + 1);
                let rows = tree_rows(&mut *c, (page - 1) * UNITS_PER_PAGE, UNITS_PER_PAGE).await?;
                Ok::<_, sqlx::Error>(UnitsPage { total, page, rows, drawn: Default::default() })
            })
        })
        .await?;
    let is_hr = ctx.has(Role::Hr);
    let which = usize::from(ctx.lang.is_en()) * 2 + usize::from(is_hr);
    let table = crate::app::versioned::once(&kept.drawn[which], || {
        crate::app::render::fragment(&UnitsTable { ctx: &ctx, rows: &kept.rows, is_hr })
    })?;
    let pager = (kept.total > UNITS_PER_PAGE).then(|| {
        let mut p = crate::app::paging::Pager::new(Some(kept.page), kept.total, String::new());
        p.per_page = UNITS_PER_PAGE;
        p
    });
    render(&ListPage { ctx, is_hr, table, pager })
}

fn export_rows(ctx: &Ctx, format: &str, rows: &[TreeRow]) -> AppResult<Response> {
    {
        let table = Table {
            name: "unit-kerja",
            headers: export::keys(&[
                "col.code",
                "col.unit",
                "col.kind",
                "col.level",
                "col.head",
                "col.staff",
                "col.staff_all",
                "col.closed",
            ]),
            rows: rows
                .iter()
                .map(|u| {
                    vec![
                        u.code.clone(),
                        u.name.clone(),
                        ctx.label(u.kind).to_string(),
                        u.depth.to_string(),
                        u.head.clone().unwrap_or_default(),
                        u.employees.to_string(),
                        u.subtree_employees.to_string(),
                        if u.closed { ctx.t("col.yes").into() } else { String::new() },
                    ]
                })
                .collect(),
        };
        export::send(ctx, format, &table)
    }
}

#[derive(Deserialize, serde::Serialize, Default, Clone)]
#[serde(default)]
struct UnitForm {
    code: String,
    name: String,
    kind: String,
    parent: String,
}

#[derive(askama::Template)]
#[template(path = "units/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: UnitForm,
    errors: FieldErrors,
    units: Vec<UnitOption>,
    kinds: &'static [UnitKind],
    edit: EditState,
    label_prefix: &'static str,
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    id: Option<i64>,
    form: UnitForm,
    errors: FieldErrors,
    edit: EditState,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let units = options(&mut conn).await?.into_iter().filter(|u| Some(u.id) != id).collect();
    let status = edit.status(&errors);
    render_status(status, &FormPage { ctx, id, form, errors, units, kinds: UnitKind::ALL, edit, label_prefix: "unit" })
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = UnitForm { kind: "seksi".into(), ..Default::default() };
    form_page(&state, ctx, None, form, FieldErrors::default(), EditState::create()).await
}

/// A unit as its edit form shows it, with its version (`lock`: held until the transaction ends).
async fn load_form(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, UnitForm)>, sqlx::Error> {
    let row = if lock {
        sqlx::query!("select version, code, name, kind, parent_id from units where id = $1 for update", id)
            .fetch_optional(conn)
            .await?
            .map(|r| (r.version, r.code, r.name, r.kind, r.parent_id))
    } else {
        sqlx::query!("select version, code, name, kind, parent_id from units where id = $1", id)
            .fetch_optional(conn)
            .await?
            .map(|r| (r.version, r.code, r.name, r.kind, r.parent_id))
    };
    Ok(row.map(|r| {
        (r.0, UnitForm { code: r.1, name: r.2, kind: r.3, parent: r.4.map(|p| p.to_string()).unwrap_or_default() })
    }))
}

/// A unit, edited through its versioned form (`edit::save`).
struct Unit;

/// A unit's values once checked.
struct CheckedUnit {
    code: CompetencyCode,
    name: String,
    kind: UnitKind,
    parent: Option<i64>,
}

impl edit::Editable for Unit {
    type Form = UnitForm;
    type Checked = CheckedUnit;
    const ENTITY: &'static str = "unit";
    const LIST: &'static str = "/units";

    async fn load(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, UnitForm)>, sqlx::Error> {
        load_form(conn, id, lock).await
    }

    async fn check(
        conn: &mut PgConnection,
        id: Option<i64>,
        form: &UnitForm,
        errors: &mut FieldErrors,
    ) -> Result<Option<CheckedUnit>, sqlx::Error> {
        let code = CompetencyCode::parse(&form.code).map_err(|_| errors.add("code", "unit.err.code")).ok();
        let name = required_text(errors, "name", &form.name, 200);
        let kind = UnitKind::parse(&form.kind);
        if kind.is_none() {
            errors.add("kind", "unit.err.kind");
        }
        let parent: Option<i64> = if form.parent.trim().is_empty() {
            None
        } else {
            let p: Option<(i64, String)> = match form.parent.trim().parse::<i64>() {
                Ok(pid) => sqlx::query!("select id, path from units where id = $1 and closed_on is null", pid)
                    .fetch_optional(&mut *conn)
                    .await?
                    .map(|r| (r.id, r.path)),
                Err(_) => None,
            };
            match (p, id) {
                (None, _) => {
                    errors.add("parent", "unit.err.parent");
                    None
                }
                (Some((_, path)), Some(me)) if path.contains(&format!("/{me}/")) => {
                    errors.add("parent", "unit.err.cycle");
                    None
                }
                (Some((pid, _)), _) => Some(pid),
            }
        };
        if parent.is_none() && kind != Some(UnitKind::Dinas) && errors.get("parent").is_none() {
            errors.add("parent", "unit.err.parent_needed");
        }
        Ok(code.zip(kind).map(|(code, kind)| CheckedUnit { code, name, kind, parent }))
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
        audit::snapshot(conn, AuditTable::Units, id).await
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<i64>,
        _: &UnitForm,
        c: &CheckedUnit,
    ) -> Result<i64, sqlx::Error> {
        match id {
            Some(id) => {
                sqlx::query_scalar!(
                    "update units set code = $1, name = $2, kind = $3, parent_id = $4 where id = $5 returning id",
                    c.code.as_str(),
                    &c.name,
                    c.kind.as_str(),
                    c.parent,
                    id,
                )
                .fetch_one(conn)
                .await
            }
            None => {
                sqlx::query_scalar!(
                    "insert into units (code, name, kind, parent_id) values ($1, $2, $3, $4) returning id",
                    c.code.as_str(),
                    &c.name,
                    c.kind.as_str(),
                    c.parent,
                )
                .fetch_one(conn)
                .await
            }
        }
    }

    /// Units are shown in their tree: a save goes back to it.
    fn location(_: i64) -> String {
        "/units".into()
    }

    async fn page(
        state: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: UnitForm,
        errors: FieldErrors,
        edit: EditState,
    ) -> AppResult<Response> {
        form_page(state, ctx, id, form, errors, edit).await
    }
}

async fn set_closed(state: AppState, ctx: Ctx, id: i64, close: bool) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let before = audit::snapshot(&mut tx, AuditTable::Units, id).await?.ok_or(AppError::NotFound)?;
    if close {
        let busy = sqlx::query!(
            r#"select (select count(*) from employees where unit_id = $1 and active) as "staff!",
                    (select count(*) from units where parent_id = $1 and closed_on is null) as "units!""#,
            id,
        )
        .fetch_one(&mut *tx)
        .await?;
        if busy.staff > 0 || busy.units > 0 {
            return Ok(redirect_flash("/units", FlashKind::Err, "unit.err.not_empty"));
        }
    }
    let n = sqlx::query!(
        r#"update units set closed_on = case when $2 then $3::date end where id = $1 and (closed_on is null) = $2"#,
        id,
        close,
        ctx.today,
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n > 0 {
        let after = audit::snapshot(&mut tx, AuditTable::Units, id).await?;
        audit::record(
            &mut tx,
            &Actor::from_ctx(&ctx),
            "unit",
            id,
            if close { "close" } else { "reopen" },
            Some(before),
            after,
        )
        .await?;
    } else {
        return edit::already_done(&mut tx, ctx, "unit", id, if close { "close" } else { "reopen" }, "/units").await;
    }
    tx.commit().await?;
    Ok(redirect_flash("/units", FlashKind::Ok, if close { "flash.unit_closed" } else { "flash.unit_reopened" }))
}

async fn close(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    set_closed(state, ctx, id, true).await
}

async fn reopen(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    set_closed(state, ctx, id, false).await
}
