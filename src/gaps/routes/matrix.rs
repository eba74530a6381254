//! The skills matrix: staff against competencies, a page of rows at a time.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct MatrixQuery {
    unit: String,
    area: String,
    priority: String,
    sort: String,
    format: String,
    page: Option<i64>,
}

/// Staff rows of the matrix on one page (a dinas of 400 was one 500 KB page, a hundred rows
/// 140 KB).
pub(super) const MATRIX_PER_PAGE: usize = 50;

/// A matrix column: a competency required somewhere in the unit.
#[derive(Clone, Debug)]
pub struct Column {
    pub competency_id: i64,
    pub code: String,
    pub name: String,
    pub short: i64,
    pub required_by: i64,
}

/// A matrix row: one person.
#[derive(Clone, Debug)]
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
pub(crate) struct MatrixData {
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
pub(super) struct MatrixGrid<'a> {
    ctx: &'a Ctx,
    columns: &'a [Column],
    rows: &'a [(MatrixRow, Vec<Cell>)],
}

#[derive(askama::Template)]
#[template(path = "gaps/matrix.html")]
pub(super) struct MatrixPage<'a> {
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

pub(super) const AREAS: [&str; 8] =
    ["infrastruktur", "keamanan", "aplikasi", "data", "spbe", "tata_kelola", "komunikasi", "umum"];

pub(super) async fn matrix(
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
    let data = kept_matrix(&state, state.reader(&ctx).await, unit_id, &path, en, area, priority, by_gap).await?;
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

/// A unit's grid at the records' current version, for a filter: kept per version and filter.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn kept_matrix(
    state: &AppState,
    source: &sqlx::PgPool,
    unit_id: i64,
    path: &str,
    en: bool,
    area: &'static str,
    priority: &'static str,
    by_gap: bool,
) -> Result<std::sync::Arc<MatrixData>, sqlx::Error> {
    let key = format!("gaps.matrix:{unit_id}:{en}:{area}:{priority}:{by_gap}");
    let path = path.to_string();
    state
        .versions
        .get_in(crate::app::versioned::Depends::Unit(path.clone()), source, key, move |conn| {
            Box::pin(matrix_data(conn, path, en, area, priority, by_gap))
        })
        .await
}

async fn matrix_data(
    conn: &mut sqlx::PgConnection,
    path: String,
    en: bool,
    area: &'static str,
    priority: &'static str,
    by_gap: bool,
) -> Result<MatrixData, sqlx::Error> {
    // Columns: competencies some position in the unit requires (filtered), most total
    // gap first; a competency nobody's level is known of has no gap to rank by and
    // comes after. Summed from the units' kept facts; those are not kept per
    // priority, so with a priority filter the requirements themselves are read.
    let columns: Vec<Column> = if priority.is_empty() {
        sqlx::query_as!(
            Column,
            r#"with a as (
                 select f.competency_id, sum(f.staff_short)::bigint as short, sum(f.required_by)::bigint as required_by,
                        sum(f.known)::bigint as known, sum(f.gap_critical)::int as gc,
                        sum(f.gap_important)::int as gi, sum(f.gap_useful)::int as gu
                 from unit_gap_facts f join units u on u.id = f.unit_id
                 where u.path like $1 || '%' group by f.competency_id)
               select c.id as competency_id, c.code, case when $2 then c.name_en else c.name_id end as "name!",
                      a.short as "short!", a.required_by as "required_by!"
               from a join competencies c on c.id = a.competency_id cross join gap_settings gs
               where a.required_by > 0 and ($3 = '' or c.area = $3)
               order by case when $4 and a.known > 0 then weighted_gap(a.gc, a.gi, a.gu, gs) end desc nulls last,
                        c.code limit 60"#,
            &*path,
            en,
            area,
            by_gap,
        )
        .fetch_all(&mut *conn)
        .await?
    } else {
        sqlx::query_as!(
            Column,
            r#"select c.id as competency_id, c.code, case when $2 then c.name_en else c.name_id end as "name!",
                    count(*) filter (where g.gap > 0) as "short!", count(*) as "required_by!"
             from requirement_gaps g join employees e on e.id = g.employee_id join units u on u.id = e.unit_id
             join competencies c on c.id = g.competency_id
             where u.path like $1 || '%' and ($3 = '' or c.area = $3) and ($4 = '' or g.priority = $4)
             group by c.id, c.code, c.name_en, c.name_id
             order by case when $5 then sum(g.gap * g.weight) end desc nulls last, c.code limit 60"#,
            &*path,
            en,
            area,
            priority,
            by_gap,
        )
        .fetch_all(&mut *conn)
        .await?
    };
    let rows: Vec<MatrixRow> = sqlx::query_as!(
        MatrixRow,
        r#"select e.id as employee_id, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                    coalesce(p.name, '') as "position!", g.score as "score!"
             from employees e join units u on u.id = e.unit_id left join positions p on p.id = e.position_id
             left join employee_gap_facts f on f.employee_id = e.id
             cross join lateral (select coalesce(f.score, 0) as score) g
             where e.active and u.path like $1 || '%'
             order by case when $2 then g.score end desc nulls last, e.name, e.id limit 400"#,
        &*path,
        by_gap,
    )
    .fetch_all(&mut *conn)
    .await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.employee_id).collect();
    let comps: Vec<i64> = columns.iter().map(|c| c.competency_id).collect();
    // The shown staff's cells: their levels and their positions' requirements in the shown
    // competencies, each read in one indexed scan and paired here. Looked up pair by pair
    // (400 × 60 probes) they took 100 ms at 15 000 and 100 000 staff; joined whole, a
    // department of 100 000 hashed every kept level (1 s). Now ~10 ms.
    let mut map: HashMap<(i64, i64), Cell> = HashMap::new();
    let levels = sqlx::query!(
        r#"select x.employee_id as "employee_id!", x.competency_id as "competency_id!", x.level as "level!"
           from current_levels x where x.employee_id = any($1) and x.competency_id = any($2)"#,
        &ids,
        &comps,
    )
    .fetch_all(&mut *conn)
    .await?;
    for l in levels {
        map.entry((l.employee_id, l.competency_id)).or_default().current = Some(l.level);
    }
    let required = sqlx::query!(
        r#"select e.id as employee_id, s.competency_id, s.required_level
           from employees e join position_standards s on s.position_id = e.position_id
           where e.id = any($1) and s.competency_id = any($2)"#,
        &ids,
        &comps,
    )
    .fetch_all(&mut *conn)
    .await?;
    for r in required {
        map.entry((r.employee_id, r.competency_id)).or_default().required = Some(r.required_level);
    }
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
    Ok(MatrixData { columns, grid, pages: (0..pages).map(|_| OnceLock::new()).collect() })
}
