//! Gap pages: the unit summary with its charts, the skills matrix, an employee's gap card with
//! recommendations, and HR's thresholds.

use std::{collections::HashMap, sync::OnceLock};

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use serde::{Deserialize, Serialize};

use super::db::{
    self, CompetencyGap, GapLine, GapSettings, MentorOption, SinglePoint, StaffGap, TrainingOption, UnitReadiness,
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        chart::{self, Bar},
        edit::{self, Begin, EditState, Versioned},
        export::{self, Table},
        form::FieldErrors,
        paging::{PER_PAGE, Pager, query_string},
        pdf::{self, Block},
        render::{FlashKind, fragment, redirect_flash, render, render_status},
        versioned,
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    development::model::{jp_text, rupiah},
    employees::db::{self as emp_db, Detail, Opt},
    units::db::UnitOption,
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .nav(37, |u| (u.has(Role::Hr) || u.has(Role::Head)).then(|| ("/gaps".into(), "nav.gaps")))
        .get("/gaps", Access::AnyOf(HR_HEAD), summary)
        .get("/gaps/matrix", Access::AnyOf(HR_HEAD), matrix)
        .get("/employees/{id}/gaps", Access::SignedIn, card)
        .get("/gaps/settings", Access::AnyOf(HR_HEAD), settings_form)
        .post("/gaps/settings", Access::AnyOf(&[Role::Hr]), save_settings)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitQuery {
    unit: String,
    flagged: String,
    format: String,
    page: Option<i64>,
}

/// The unit the reader asked for (or their own), within their scope; 404 outside it.
pub async fn pick_unit(state: &AppState, user: &CurrentUser, unit: &str) -> AppResult<(i64, String, String)> {
    let asked =
        if unit.trim().is_empty() { None } else { Some(unit.trim().parse::<i64>().map_err(|_| AppError::NotFound)?) };
    // Which unit, by the reader's scope: kept per version of the records (units and heads are
    // records), so a gap page does not spend its first round trips finding its unit.
    let scope = user.scope();
    let key = format!(
        "gaps.unit:{asked:?}:{}:{:?}:{:?}",
        scope.all,
        scope.unit_patterns,
        user.head_units.first().map(|u| u.id)
    );
    let user = user.clone();
    let found = state
        .versions
        .get(&state.pool, key, move |conn| Box::pin(async move { db::unit_in_scope(conn, asked, &user).await }))
        .await?;
    found.as_ref().clone().ok_or(AppError::NotFound)
}

#[derive(askama::Template)]
#[template(path = "gaps/summary.html")]
struct SummaryPage<'a> {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    units: Vec<UnitOption>,
    /// The figures, the parts' readiness, the largest gaps and the single points, drawn by
    /// `SummaryOverview`.
    overview: &'a str,
    /// This page of the staff list, drawn by `StaffTable`.
    staff_table: &'a str,
    only_flagged: bool,
    pager: Pager,
}

/// The unit-wide part of the summary page, drawn once per version and language.
#[derive(askama::Template)]
#[template(path = "gaps/summary_overview.html")]
struct SummaryOverview<'a> {
    ctx: &'a Ctx,
    parts: &'a [UnitReadiness],
    top: &'a [CompetencyGap],
    spof: &'a [SinglePoint],
    readiness_chart: &'a str,
    gaps_chart: &'a str,
}

/// One page of the summary's staff list with each one's reasons, drawn once per version.
#[derive(askama::Template)]
#[template(path = "gaps/summary_staff.html")]
struct StaffTable<'a> {
    ctx: &'a Ctx,
    staff: &'a [(StaffGap, Vec<String>)],
}

/// What the summary page computes over the whole unit: once per version of the records.
pub struct SummaryData {
    pub parts: Vec<UnitReadiness>,
    pub top: Vec<CompetencyGap>,
    pub spof: Vec<SinglePoint>,
    /// The readiness and top-gaps charts (SVG), drawn once with the figures.
    pub charts: (String, String),
    /// The page's unit-wide part, drawn by the first reader of this version.
    drawn: OnceLock<String>,
}

impl crate::app::versioned::Weigh for SummaryData {
    fn bytes(&self) -> usize {
        use crate::app::versioned::rows_bytes;
        rows_bytes(&self.parts, 600)
            + rows_bytes(&self.top, 600)
            + rows_bytes(&self.spof, 600)
            + self.charts.0.len()
            + self.charts.1.len()
            + 20_000
    }
}

/// One page of a unit's staff list with each one's reasons (in the key's language), and the
/// table once drawn.
struct StaffPage {
    rows: Vec<(StaffGap, Vec<String>)>,
    drawn: OnceLock<String>,
}

impl crate::app::versioned::Weigh for StaffPage {
    fn bytes(&self) -> usize {
        crate::app::versioned::rows_bytes(&self.rows, 1_500)
    }
}

/// The unit's summary at the records' current version (computed, or reused from this node).
pub async fn summary_data(
    state: &AppState,
    today: chrono::NaiveDate,
    unit_id: i64,
    path: &str,
    en: bool,
    titles: (&'static str, &'static str),
) -> AppResult<std::sync::Arc<SummaryData>> {
    let key = format!("gaps.summary:{unit_id}:{today}:{en}");
    let (path, pool) = (path.to_string(), state.pool.clone());
    state
        .versions
        .get_in(crate::app::versioned::Depends::Unit(path.clone()), &state.pool, key, move |conn| {
            Box::pin(async move {
                // The readiness of every part is the longest of the three (~90 ms at the top of
                // 100 000 staff): when a connection is idle it runs there, in this snapshot,
                // beside the other two; otherwise one after the other here.
                let (parts, top, spof) = match crate::app::versioned::beside(&mut *conn, &pool).await? {
                    Some((mut helper, snapshot)) => {
                        let mut other = sqlx::Connection::begin_with(
                            &mut *helper,
                            "begin isolation level repeatable read, read only",
                        )
                        .await?;
                        crate::app::versioned::import_snapshot(&mut other, &snapshot).await?;
                        let (parts, rest) = tokio::join!(db::readiness(&mut other, today, unit_id, &path), async {
                            let top = db::top_gaps(&mut *conn, &path, en, 10).await?;
                            let spof = db::single_points(&mut *conn, &path, en).await?;
                            Ok::<_, sqlx::Error>((top, spof))
                        });
                        other.rollback().await?;
                        let (top, spof) = rest?;
                        (parts?, top, spof)
                    }
                    None => (
                        db::readiness(&mut *conn, today, unit_id, &path).await?,
                        db::top_gaps(&mut *conn, &path, en, 10).await?,
                        db::single_points(&mut *conn, &path, en).await?,
                    ),
                };
                let charts = summary_charts(
                    &parts,
                    &top,
                    titles,
                    if en { crate::i18n::Lang::En } else { crate::i18n::Lang::Id },
                );
                Ok::<_, sqlx::Error>(SummaryData { parts, top, spof, charts, drawn: OnceLock::new() })
            })
        })
        .await
        .map_err(AppError::from)
}

/// One page of the unit's staff list at the records' current version, with the reasons in the
/// reader's language (a page is what is kept, not the whole regency's list).
async fn staff_page(
    state: &AppState,
    ctx: &Ctx,
    (unit_id, path): (i64, &str),
    only_flagged: bool,
    offset: i64,
) -> AppResult<std::sync::Arc<StaffPage>> {
    let key = format!("gaps.staff:{unit_id}:{}:{only_flagged}:{offset}:{}", ctx.today, ctx.lang.is_en());
    let (path, ctx) = (path.to_string(), ctx.clone());
    state
        .versions
        .get_in(crate::app::versioned::Depends::Unit(path.clone()), &state.pool, key, move |conn| {
            Box::pin(async move {
                let rows = staff_with_reasons(conn, &ctx, &path, only_flagged, offset, Some(PER_PAGE)).await?;
                Ok::<_, sqlx::Error>(StaffPage { rows, drawn: OnceLock::new() })
            })
        })
        .await
        .map_err(AppError::from)
}

/// Staff under `path` as `db::staff_page` lists them, each with the reasons they are flagged in
/// the reader's language (HR's thresholds read on the same connection).
async fn staff_with_reasons(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    path: &str,
    only_flagged: bool,
    offset: i64,
    limit: Option<i64>,
) -> sqlx::Result<Vec<(StaffGap, Vec<String>)>> {
    let settings = db::settings(&mut *conn).await?;
    let rows = db::staff_page(&mut *conn, ctx.today, path, only_flagged, offset, limit).await?;
    Ok(rows
        .into_iter()
        .map(|s| {
            let r = s.reasons(ctx, &settings);
            (s, r)
        })
        .collect())
}

/// The summary's two charts: readiness of each part, and the largest gaps.
fn summary_charts(
    parts: &[UnitReadiness],
    top: &[CompetencyGap],
    titles: (&str, &str),
    lang: crate::i18n::Lang,
) -> (String, String) {
    let readiness_chart = chart::bars(
        "readiness",
        titles.0,
        &parts
            .iter()
            .skip(1)
            .map(|p| Bar {
                label: p.name.clone(),
                value: p.readiness().unwrap_or(0.0),
                text: percent_or_dash(p.percent()),
            })
            .collect::<Vec<_>>(),
        1.0,
    );
    let max = top.first().map(|t| t.weighted).unwrap_or(1.0);
    let gaps_chart = chart::bars(
        "topgaps",
        titles.1,
        &top.iter()
            .map(|t| Bar {
                label: format!("{} {}", t.code, t.name),
                value: t.weighted,
                text: crate::app::num::fixed(t.weighted, 1, lang),
            })
            .collect::<Vec<_>>(),
        max,
    );
    (readiness_chart, gaps_chart)
}

/// "62%", or "—" where nothing is known.
fn percent_or_dash(p: Option<i64>) -> String {
    p.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())
}

impl SummaryOverview<'_> {
    fn whole(&self) -> Option<&UnitReadiness> {
        self.parts.first()
    }
}

async fn summary(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &q.unit).await?;
    let en = ctx.lang.is_en();
    let titles = (ctx.t("gap.chart.readiness"), ctx.t("gap.chart.top"));
    let data = summary_data(&state, ctx.today, unit_id, &path, en, titles).await?;
    let (parts, top, spof) = (&data.parts, &data.top, &data.spof);
    let only_flagged = q.flagged != "0";
    let listed = parts.first().map(|w| if only_flagged { w.flagged } else { w.staff }).unwrap_or(0);
    let pager = Pager::new(q.page, listed, query_string(&[("unit", &q.unit), ("flagged", &q.flagged)]));
    if q.format != "pdf" && !export::wanted(&q.format) {
        let page = staff_page(&state, &ctx, (unit_id, &path), only_flagged, Pager::offset(q.page)).await?;
        let units = db::unit_options(&state, &state.pool, &user, unit_id).await?;
        let overview = versioned::once(&data.drawn, || {
            fragment(&SummaryOverview {
                ctx: &ctx,
                parts,
                top,
                spof,
                readiness_chart: &data.charts.0,
                gaps_chart: &data.charts.1,
            })
        })?;
        let staff_table = if page.rows.is_empty() {
            ""
        } else {
            versioned::once(&page.drawn, || fragment(&StaffTable { ctx: &ctx, staff: &page.rows }))?
        };
        return render(&SummaryPage {
            ctx: ctx.clone(),
            unit_id,
            unit_name,
            units,
            overview,
            staff_table,
            only_flagged,
            pager,
        });
    }
    let mut conn = state.pool.acquire().await?;
    let staff = staff_with_reasons(&mut conn, &ctx, &path, only_flagged, 0, None).await?;
    if q.format == "pdf" {
        let t = |k: &str| ctx.t(k).to_string();
        let mut blocks = vec![];
        if let Some(w) = parts.first() {
            blocks.push(Block::Para(format!(
                "{}: {} ({} / {} {}) · {}: {}% · {}: {} · {}: {} ({}%) · {}: {} · {}: {}",
                t("gap.readiness"),
                percent_or_dash(w.percent()),
                w.met,
                w.assessed,
                t("gap.requirements_met"),
                t("gap.coverage"),
                w.coverage_percent(),
                t("gap.top_tier"),
                w.top_tier,
                t("gap.flagged"),
                w.flagged,
                w.flagged_percent(),
                t("gap.not_assessed_staff"),
                w.not_assessed,
                t("gap.spof"),
                spof.len()
            )));
        }
        if parts.len() > 1 {
            blocks.push(Block::Heading(t("gap.chart.readiness")));
            blocks.push(Block::Table {
                headers: vec![
                    t("emp.unit"),
                    t("gap.readiness"),
                    t("gap.coverage"),
                    t("gap.top_tier"),
                    t("gap.flagged"),
                    t("unit.staff"),
                ],
                rows: parts
                    .iter()
                    .skip(1)
                    .map(|p| {
                        vec![
                            p.name.clone(),
                            percent_or_dash(p.percent()),
                            format!("{}%", p.coverage_percent()),
                            p.top_tier.to_string(),
                            p.flagged.to_string(),
                            p.staff.to_string(),
                        ]
                    })
                    .collect(),
            });
        }
        blocks.push(Block::Heading(t("gap.chart.top")));
        blocks.push(Block::Table {
            headers: vec![t("emp.competency"), t("gap.staff_short"), t("gap.levels"), t("gap.weighted")],
            rows: top
                .iter()
                .map(|g| {
                    vec![
                        format!("{} {}", g.code, g.name),
                        g.staff_short.to_string(),
                        g.levels.to_string(),
                        crate::app::num::fixed(g.weighted, 1, ctx.lang),
                    ]
                })
                .collect(),
        });
        blocks.push(Block::Heading(t("gap.spof")));
        blocks.push(Block::Table {
            headers: vec![t("emp.competency"), t("std.required"), t("gap.only")],
            rows: spof
                .iter()
                .map(|p| {
                    vec![
                        format!("{} {}", p.code, p.name),
                        p.required_level.to_string(),
                        p.holder
                            .clone()
                            .unwrap_or_else(|| if p.known == 0 { t("gap.nobody_known") } else { t("gap.nobody") }),
                    ]
                })
                .collect(),
        });
        blocks.push(Block::Heading(t("gap.flagged_staff")));
        blocks.push(Block::Table {
            headers: vec![
                t("emp.name"),
                t("gap.tier"),
                t("gap.score"),
                t("gap.readiness"),
                t("gap.coverage"),
                t("gap.reasons"),
            ],
            rows: staff
                .iter()
                .map(|(s, r)| {
                    vec![
                        format!("{} ({})", s.name, s.nip),
                        t(s.tier_key()),
                        crate::app::num::fixed(s.score, 1, ctx.lang),
                        percent_or_dash(s.readiness_percent()),
                        format!("{}%", s.coverage_percent()),
                        r.join("; "),
                    ]
                })
                .collect(),
        });
        let meta = pdf::meta(&ctx, format!("{}: {}", ctx.t("gap.title"), unit_name), false);
        return Ok(pdf::response("ringkasan-kesenjangan", pdf::render(&meta, &blocks)));
    }
    let table = Table {
        name: "pegawai-bermasalah-kompetensi",
        headers: export::keys(&[
            "col.nip",
            "col.name",
            "col.unit",
            "col.position",
            "col.tier",
            "col.score",
            "col.readiness",
            "col.coverage",
            "col.reasons",
        ]),
        rows: staff
            .iter()
            .map(|(s, r)| {
                vec![
                    s.nip.clone(),
                    s.name.clone(),
                    s.unit.clone(),
                    s.position.clone(),
                    ctx.t(s.tier_key()).to_string(),
                    crate::app::num::fixed(s.score, 1, ctx.lang),
                    percent_or_dash(s.readiness_percent()),
                    format!("{}%", s.coverage_percent()),
                    r.join("; "),
                ]
            })
            .collect(),
    };
    export::send(&ctx, &q.format, &table)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct MatrixQuery {
    unit: String,
    area: String,
    priority: String,
    sort: String,
    format: String,
    page: Option<i64>,
}

/// Staff rows of the matrix on one page (a dinas of 400 was one 500 KB page).
const MATRIX_PER_PAGE: usize = 100;

/// A matrix column: a competency required somewhere in the unit.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Column {
    pub competency_id: i64,
    pub code: String,
    pub name: String,
    pub short: i64,
    pub required_by: i64,
}

/// A matrix row: one person.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct MatrixRow {
    pub employee_id: i64,
    pub name: String,
    pub position: String,
    pub score: f64,
}

/// One cell: the person's current level and, where their position requires it, the required level.
#[derive(Clone, Debug, Default)]
pub struct Cell {
    pub current: Option<i16>,
    pub required: Option<i16>,
}

impl Cell {
    pub fn class(&self) -> &'static str {
        match (self.current, self.required) {
            (_, None) => "cell-free",
            // Not assessed is its own state, never level 0.
            (None, Some(_)) => "cell-unknown",
            (Some(c), Some(r)) if c >= r => "cell-met",
            (Some(c), Some(r)) if r - c == 1 => "cell-gap1",
            _ => "cell-gap2",
        }
    }

    /// "2 → 4": current, then required ("—" when not assessed).
    pub fn text(&self) -> String {
        let c = self.current.map(|c| c.to_string()).unwrap_or_else(|| "—".into());
        match self.required {
            Some(r) => format!("{c} → {r}"),
            None => c,
        }
    }
}

/// A unit's matrix at one version of the records: its columns, its staff rows with their cells,
/// and each page's table once drawn.
struct MatrixData {
    columns: Vec<Column>,
    grid: Vec<(MatrixRow, Vec<Cell>)>,
    pages: Vec<OnceLock<String>>,
}

impl crate::app::versioned::Weigh for MatrixData {
    fn bytes(&self) -> usize {
        // A drawn cell is ~60 bytes of HTML.
        use crate::app::versioned::rows_bytes;
        rows_bytes(&self.columns, 300) + rows_bytes(&self.grid, 300 + self.columns.len() * 80)
    }
}

/// One page of the matrix's table.
#[derive(askama::Template)]
#[template(path = "gaps/matrix_grid.html")]
struct MatrixGrid<'a> {
    ctx: &'a Ctx,
    columns: &'a [Column],
    rows: &'a [(MatrixRow, Vec<Cell>)],
}

#[derive(askama::Template)]
#[template(path = "gaps/matrix.html")]
struct MatrixPage<'a> {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    units: Vec<UnitOption>,
    /// No competency required or nobody on the staff.
    empty: bool,
    /// The page's table, drawn (and escaped) by `MatrixGrid`.
    table: &'a str,
    area: String,
    priority: String,
    sort: String,
    areas: Vec<&'static str>,
    pager: Pager,
}

const AREAS: [&str; 8] = ["infrastruktur", "keamanan", "aplikasi", "data", "spbe", "tata_kelola", "komunikasi", "umum"];

async fn matrix(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<MatrixQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &q.unit).await?;
    let en = ctx.lang.is_en();
    let area = AREAS.iter().find(|a| **a == q.area).copied().unwrap_or("");
    let priority = ["critical", "important", "useful"].iter().find(|p| **p == q.priority).copied().unwrap_or("");
    let by_gap = q.sort != "name";
    // The unit's grid, once per version of the records and filter.
    let key = format!("gaps.matrix:{unit_id}:{en}:{area}:{priority}:{by_gap}");
    let path_owned = path.clone();
    let data = state
        .versions
        .get_in(crate::app::versioned::Depends::Unit(path.clone()), state.reader(&ctx).await, key, move |conn| {
            Box::pin(async move {
                let path = path_owned;
                    // Columns: competencies some position in the unit requires (filtered), most total gap first.
                    let columns: Vec<Column> = sqlx::query_as(
                        "select c.id as competency_id, c.code, case when $2 then c.name_en else c.name_id end as name,
                                count(*) filter (where g.gap > 0) as short, count(*) as required_by
                         from requirement_gaps g join employees e on e.id = g.employee_id join units u on u.id = e.unit_id
                         join competencies c on c.id = g.competency_id
                         where u.path like $1 || '%' and ($3 = '' or c.area = $3) and ($4 = '' or g.priority = $4)
                         group by c.id, c.code, c.name_en, c.name_id
                         order by case when $5 then sum(g.gap * g.weight) end desc nulls last, c.code limit 60",
                    )
                    .bind(&*path)
                    .bind(en)
                    .bind(area)
                    .bind(priority)
                    .bind(by_gap)
                    .fetch_all(&mut *conn)
                    .await?;
                    let rows: Vec<MatrixRow> = sqlx::query_as(
                        "select e.id as employee_id, employee_display_name(e.front_title, e.name, e.back_title) as name,
                                coalesce(p.name, '') as position, g.score
                         from employees e join units u on u.id = e.unit_id left join positions p on p.id = e.position_id
                         left join employee_gap_facts f on f.employee_id = e.id
                         cross join lateral (select coalesce(f.score, 0) as score) g
                         where e.active and u.path like $1 || '%'
                         order by case when $2 then g.score end desc nulls last, e.name, e.id limit 400",
                    )
                    .bind(&*path)
                    .bind(by_gap)
                    .fetch_all(&mut *conn)
                    .await?;
                    let ids: Vec<i64> = rows.iter().map(|r| r.employee_id).collect();
                    let comps: Vec<i64> = columns.iter().map(|c| c.competency_id).collect();
                    let cells: Vec<(i64, i64, Option<i16>, Option<i16>)> = sqlx::query_as(
                        "select e.id, c.id, cl.level, ps.required_level
                         from employees e cross join unnest($2::bigint[]) as c(id)
                         left join current_levels cl on cl.employee_id = e.id and cl.competency_id = c.id
                         left join position_standards ps on ps.position_id = e.position_id and ps.competency_id = c.id
                         where e.id = any($1) and (cl.level is not null or ps.required_level is not null)",
                    )
                    .bind(&ids)
                    .bind(&comps)
                    .fetch_all(&mut *conn)
                    .await?;
                let map: HashMap<(i64, i64), Cell> =
                    cells.into_iter().map(|(e, c, cur, req)| ((e, c), Cell { current: cur, required: req })).collect();
                let grid: Vec<(MatrixRow, Vec<Cell>)> = rows
                    .into_iter()
                    .map(|r| {
                        let cells = columns
                            .iter()
                            .map(|c| map.get(&(r.employee_id, c.competency_id)).cloned().unwrap_or_default())
                            .collect();
                        (r, cells)
                    })
                    .collect();
                let pages = grid.len().div_ceil(MATRIX_PER_PAGE).max(1);
                Ok::<_, sqlx::Error>(MatrixData { columns, grid, pages: (0..pages).map(|_| OnceLock::new()).collect() })
            })
        })
        .await?;
    let columns = &data.columns;
    let grid = &data.grid;
    if q.format == "pdf" {
        let mut headers = vec![ctx.t("col.name").to_string()];
        headers.extend(columns.iter().map(|c| c.code.clone()));
        let rows = grid
            .iter()
            .map(|(r, cells)| {
                let mut v = vec![r.name.clone()];
                v.extend(cells.iter().map(Cell::text));
                v
            })
            .collect();
        let legend = format!("{} {}", ctx.t("gap.matrix_caption"), ctx.t("gap.matrix_note"));
        let meta = pdf::meta(&ctx, format!("{}: {}", ctx.t("gap.matrix"), unit_name), true);
        return Ok(pdf::response(
            "matriks-kompetensi",
            pdf::render(&meta, &[Block::Para(legend), Block::Table { headers, rows }]),
        ));
    }
    if export::wanted(&q.format) {
        let mut headers = export::keys(&["col.name", "col.position"]);
        // Competency codes as headers (not i18n keys: kept as they are).
        headers.extend(columns.iter().map(|c| std::borrow::Cow::Owned(c.code.clone())));
        let table = Table {
            name: "matriks-kompetensi",
            headers,
            rows: grid
                .iter()
                .map(|(r, cells)| {
                    let mut v = vec![r.name.clone(), r.position.clone()];
                    v.extend(cells.iter().map(Cell::text));
                    v
                })
                .collect(),
        };
        return export::send(&ctx, &q.format, &table);
    }
    let units = db::unit_options(&state, &state.pool, &user, unit_id).await?;
    let sort = if by_gap { "gap" } else { "name" };
    let mut pager = Pager::new(
        q.page,
        grid.len() as i64,
        query_string(&[("unit", &q.unit), ("area", area), ("priority", priority), ("sort", sort)]),
    );
    pager.per_page = MATRIX_PER_PAGE as i64;
    let page = (pager.page.max(1) as usize - 1).min(data.pages.len() - 1);
    // The page's table is drawn once per version (6 000 cells: it cost more than the rest of the
    // request); what it shows depends on the language alone, which the key names.
    let first = page.saturating_mul(MATRIX_PER_PAGE);
    let rows = &grid[first.min(grid.len())..(first + MATRIX_PER_PAGE).min(grid.len())];
    let table = versioned::once(&data.pages[page], || fragment(&MatrixGrid { ctx: &ctx, columns, rows }))?;
    render(&MatrixPage {
        ctx: ctx.clone(),
        unit_id,
        unit_name,
        units,
        empty: columns.is_empty() || grid.is_empty(),
        table,
        area: area.to_string(),
        priority: priority.to_string(),
        sort: sort.into(),
        areas: AREAS.to_vec(),
        pager,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CardQuery {
    position: String,
}

/// A gap line with its recommendations.
pub struct CardLine {
    pub line: GapLine,
    pub mentors: Vec<MentorOption>,
    pub trainings: Vec<TrainingOption>,
}

impl CardLine {
    pub fn words(&self, ctx: &Ctx) -> String {
        ctx.gap_words(Some(self.line.required_level), self.line.current_level)
    }
}

#[derive(askama::Template)]
#[template(path = "gaps/card.html")]
struct CardPage {
    ctx: Ctx,
    e: Detail,
    summary: Option<StaffGap>,
    reasons: Vec<String>,
    lines: Vec<CardLine>,
    target: Option<(i64, String)>,
    positions: Vec<Opt>,
    /// Assessment coverage (assessed / required) and readiness over what is known (met / assessed).
    coverage: i64,
    readiness: Option<i64>,
    unknown: usize,
    score: f64,
    settings: GapSettings,
    is_self: bool,
}

impl CardPage {
    fn money(&self, v: &i64) -> String {
        rupiah(*v)
    }

    fn jp(&self, v: &f64) -> String {
        jp_text(*v, self.ctx.lang.is_en())
    }

    /// The measured effect of a training, or its declared target.
    fn effect(&self, t: &TrainingOption) -> String {
        match t.measured_gain {
            Some(g) if t.measured_n >= i64::from(self.settings.effect_min_participants) => self
                .ctx
                .t("gap.effect.measured")
                .replace("{gain}", &self.ctx.decimal(g))
                .replace("{n}", &t.measured_n.to_string()),
            _ => self.ctx.t("gap.effect.declared").replace("{level}", &t.target_level.to_string()),
        }
    }
}

async fn card(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<CardQuery>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let e = emp_db::find(&mut conn, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let settings = db::settings(&mut conn).await?;
    let en = ctx.lang.is_en();
    let target: Option<(i64, String)> = match q.position.trim().parse::<i64>() {
        Ok(p) if Some(p) != e.position_id => {
            sqlx::query_as("select id, name from positions where id = $1").bind(p).fetch_optional(&mut *conn).await?
        }
        _ => None,
    };
    let position = target.as_ref().map(|t| t.0).or(e.position_id);
    let lines = match position {
        Some(p) => db::lines(&mut conn, id, p, en).await?,
        None => vec![],
    };
    let summary = if target.is_none() { db::staff_gap(&mut conn, ctx.today, id).await? } else { None };
    let reasons = summary.as_ref().map(|s| s.reasons(&ctx, &settings)).unwrap_or_default();
    let needs: Vec<(i64, i16)> =
        lines.iter().filter(|l| l.known_gap() > 0).map(|l| (l.competency_id, l.required_level)).collect();
    let mentors = db::mentor_options(&mut conn, &needs, id, ctx.today, 4).await?;
    let comps: Vec<i64> = needs.iter().map(|n| n.0).collect();
    let trainings = db::training_options(&mut conn, &comps).await?;
    // The same figures as the summary's, over what is known (the card shows them for a target
    // position too, which the kept facts do not hold).
    let total: f64 = lines.iter().map(|l| f64::from(l.known_gap()) * l.weight).sum();
    let assessed = lines.iter().filter(|l| l.gap.is_some()).count();
    let met = lines.iter().filter(|l| l.gap == Some(0)).count();
    let unknown = lines.len() - assessed;
    let coverage = if lines.is_empty() { 100 } else { (assessed as f64 * 100.0 / lines.len() as f64).round() as i64 };
    let readiness = (assessed > 0).then(|| (met as f64 * 100.0 / assessed as f64).round() as i64);
    let lines = lines
        .into_iter()
        .map(|l| CardLine {
            mentors: mentors.iter().filter(|m| m.competency_id == l.competency_id).cloned().collect(),
            trainings: trainings
                .iter()
                .filter(|t| {
                    t.competency_id == l.competency_id
                        && l.current_level.is_some_and(|c| t.target_level > c)
                        && t.seats_left > 0
                })
                .cloned()
                .collect(),
            line: l,
        })
        .collect();
    let positions = emp_db::position_options(&mut conn).await?;
    let is_self = user.employee_id == Some(id);
    render(&CardPage {
        ctx,
        e,
        summary,
        reasons,
        lines,
        target,
        positions,
        coverage,
        readiness,
        unknown,
        score: total,
        settings,
        is_self,
    })
}

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
struct SettingsForm {
    weight_critical: String,
    weight_important: String,
    weight_useful: String,
    coverage_threshold: String,
    development_months: String,
    assessment_months: String,
    mentor_cap: String,
    mentor_period_days: String,
    trainings_per_person: String,
    effect_min_participants: String,
}

impl SettingsForm {
    fn of(s: &GapSettings) -> Self {
        let n = crate::development::model::jp_plain;
        Self {
            weight_critical: n(s.weight_critical),
            weight_important: n(s.weight_important),
            weight_useful: n(s.weight_useful),
            coverage_threshold: s.coverage_threshold.to_string(),
            development_months: s.development_months.to_string(),
            assessment_months: s.assessment_months.to_string(),
            mentor_cap: s.mentor_cap.to_string(),
            mentor_period_days: s.mentor_period_days.to_string(),
            trainings_per_person: s.trainings_per_person.to_string(),
            effect_min_participants: s.effect_min_participants.to_string(),
        }
    }
}

#[derive(askama::Template)]
#[template(path = "gaps/settings.html")]
struct SettingsPage {
    ctx: Ctx,
    form: SettingsForm,
    errors: FieldErrors,
    edit: EditState,
    label_prefix: &'static str,
    fields: [(&'static str, &'static str); 10],
}

impl SettingsPage {
    fn value(&self, f: &str) -> &str {
        match f {
            "weight_critical" => &self.form.weight_critical,
            "weight_important" => &self.form.weight_important,
            "weight_useful" => &self.form.weight_useful,
            "coverage_threshold" => &self.form.coverage_threshold,
            "development_months" => &self.form.development_months,
            "assessment_months" => &self.form.assessment_months,
            "mentor_cap" => &self.form.mentor_cap,
            "mentor_period_days" => &self.form.mentor_period_days,
            "trainings_per_person" => &self.form.trainings_per_person,
            _ => &self.form.effect_min_participants,
        }
    }
}

/// (field, what it takes: "weight" 0.1–100 or "n:lo:hi").
const FIELDS: [(&str, &str); 10] = [
    ("weight_critical", "w"),
    ("weight_important", "w"),
    ("weight_useful", "w"),
    ("coverage_threshold", "1:100"),
    ("development_months", "1:60"),
    ("assessment_months", "1:120"),
    ("mentor_cap", "1:50"),
    ("mentor_period_days", "7:366"),
    ("trainings_per_person", "1:10"),
    ("effect_min_participants", "1:1000"),
];

fn settings_page(ctx: Ctx, form: SettingsForm, errors: FieldErrors, edit: EditState) -> AppResult<Response> {
    let status = edit.status(&errors);
    render_status(status, &SettingsPage { ctx, form, errors, edit, label_prefix: "gapset", fields: FIELDS })
}

async fn settings_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let s = db::settings(&mut conn).await?;
    let form = SettingsForm::of(&s);
    let edit = EditState::loaded(s.version, &form);
    settings_page(ctx, form, FieldErrors::default(), edit)
}

async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(posted): Form<Versioned<SettingsForm>>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let current: GapSettings = sqlx::query_as(db::SETTINGS_LOCK_SQL).fetch_one(&mut *tx).await?;
    let now = SettingsForm::of(&current);
    let form = match edit::begin(&mut tx, user.account_id, &posted, Some((current.version, now))).await? {
        Begin::Go { form, .. } => form,
        Begin::Conflict(edit) => return settings_page(ctx, posted.form, FieldErrors::default(), edit),
        Begin::Duplicate(_) => return Ok(redirect_flash("/gaps/settings", FlashKind::Ok, "flash.already_saved")),
    };
    let page = SettingsPage {
        ctx: ctx.clone(),
        form: form.clone(),
        errors: FieldErrors::default(),
        edit: EditState::default(),
        label_prefix: "gapset",
        fields: FIELDS,
    };
    let mut errors = FieldErrors::default();
    let mut values: Vec<f64> = vec![];
    for (field, rule) in FIELDS {
        let raw = page.value(field).trim().replace(',', ".");
        let v = raw.parse::<f64>().ok().filter(|v| v.is_finite());
        let ok = match (rule, v) {
            ("w", Some(v)) => (0.1..=100.0).contains(&v),
            (r, Some(v)) => {
                let (lo, hi) = r.split_once(':').unwrap_or(("0", "0"));
                v.fract() == 0.0 && v >= lo.parse().unwrap_or(0.0) && v <= hi.parse().unwrap_or(0.0)
            }
            _ => false,
        };
        if ok {
            values.push(v.unwrap_or_default());
        } else {
            errors.add(field, if rule == "w" { "gapset.err.weight" } else { "gapset.err.range" });
        }
    }
    if !errors.is_empty() {
        drop(tx);
        return settings_page(ctx, form, errors, posted.again());
    }
    let before: serde_json::Value =
        sqlx::query_scalar("select to_jsonb(g) - 'updated_at' from gap_settings g where id = 1")
            .fetch_one(&mut *tx)
            .await?;
    let after: serde_json::Value = sqlx::query_scalar(
        "update gap_settings g set weight_critical = $1, weight_important = $2, weight_useful = $3, coverage_threshold = $4,
                development_months = $5, assessment_months = $6, mentor_cap = $7, mentor_period_days = $8,
                trainings_per_person = $9, effect_min_participants = $10
         where id = 1 returning to_jsonb(g) - 'updated_at'",
    )
    .bind(values[0])
    .bind(values[1])
    .bind(values[2])
    .bind(values[3] as i16)
    .bind(values[4] as i16)
    .bind(values[5] as i16)
    .bind(values[6] as i16)
    .bind(values[7] as i16)
    .bind(values[8] as i16)
    .bind(values[9] as i16)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "gap_settings", 1, "update", Some(before), Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash("/gaps/settings", FlashKind::Ok, "flash.saved"))
}
