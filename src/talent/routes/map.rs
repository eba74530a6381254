//! The nine-box map of a unit (a table, exportable), and an employee's own placement.

use super::*;

#[derive(askama::Template)]
#[template(path = "talent/map.html")]
pub(super) struct MapPage<'a> {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    units: Vec<UnitOption>,
    year: i32,
    /// The rows this page shows: the first of each box, and the table's page.
    people: &'a [Placement],
    cells: Vec<Cell>,
    /// The table's rows (indices into `people`), in the list's order.
    table: Vec<usize>,
    /// The table's filter: `None` every box, `Some(0)` those without a box.
    only_box: Option<i16>,
    /// People under the unit (within the reader's scope) and those without a box.
    total: i64,
    unrated: i64,
    pager: Pager,
    settings: Settings,
    qualification: Vec<(String, i16)>,
}

/// Names shown in each box of the grid; the rest of a box is listed in the table, filtered to it.
pub(super) const PER_BOX: i64 = 12;

/// What one page of a unit's map shows (`db::map_rows`), kept per version of the records.
pub(super) struct MapData {
    people: Vec<Placement>,
    /// Per box 1–9 its count, and (index 0) those without a box.
    counts: [i64; 10],
    /// Each row's box-or-0 and place in it (1 = first), and its place in the whole list.
    places: Vec<(i16, i64, i64)>,
}

impl crate::app::versioned::Weigh for MapData {
    fn bytes(&self) -> usize {
        crate::app::versioned::rows_bytes(&self.people, 400) + 256
    }
}

/// Where everyone of the unit `path` stands for the reader's scope, in the list order: kept per
/// version of the records (computing it scores every placement under the unit: ~1 s for a
/// department of 100 000), so that each page of the map scores only its own people.
pub(super) struct Rank(Vec<db::Ranked>);

impl crate::app::versioned::Weigh for Rank {
    fn bytes(&self) -> usize {
        crate::app::versioned::rows_bytes(&self.0, 0) + 256
    }
}

/// One page of the map of the unit `path` for the reader's scope (kept per version of the
/// records), from the unit's kept ranking.
async fn map_data(
    state: &AppState,
    (path, scope): (&str, &crate::auth::Scope),
    (year, idp_year): (i32, i32),
    view: db::MapView,
) -> AppResult<std::sync::Arc<MapData>> {
    use crate::app::versioned::Depends;
    let scope = scope.under(&state.pool, path).await?;
    let rank_key = format!("talent.rank:{path}:{year}:{}", scope.key());
    let key = format!(
        "talent.map:{path}:{year}:{idp_year}:{}:{:?}:{}:{}",
        scope.key(),
        view.only_box,
        view.offset,
        view.limit
    );
    let rank = {
        let (path, scope) = (path.to_string(), scope.clone());
        state
            .versions
            .get_in(Depends::Unit(path.clone()), &state.pool, rank_key, move |conn| {
                Box::pin(async move { db::map_rank(conn, year, &path, &scope).await.map(Rank) })
            })
            .await?
    };
    let path = path.to_string();
    state
        .versions
        .get_in(Depends::Unit(path.clone()), &state.pool, key, move |conn| {
            Box::pin(async move {
                let mut counts = [0i64; 10];
                for r in &rank.0 {
                    counts[r.nine_box.map_or(0, |b| b.clamp(0, 9) as usize)] = r.box_n;
                }
                let rows = db::map_rows(conn, year, idp_year, &path, &rank.0, view).await?;
                let places = rows.iter().map(|r| (r.p.nine_box.unwrap_or(0), r.in_box, r.at)).collect();
                let people = rows.into_iter().map(|r| r.p).collect();
                Ok::<_, sqlx::Error>(MapData { people, counts, places })
            })
        })
        .await
        .map_err(AppError::from)
}

impl MapPage<'_> {
    fn why(&self, p: &Placement) -> String {
        p.why(&self.ctx, self.year)
    }

    fn band(&self, b: &i16) -> &'static str {
        band(&self.ctx, *b)
    }

    /// The table filter's boxes 1–9, each with whether it is the one chosen.
    fn box_choices(&self) -> Vec<(i16, bool)> {
        (1..=9).map(|n| (n, self.only_box == Some(n))).collect()
    }

    fn weight(&self, w: &f64) -> String {
        format!("{} %", (w * 100.0).round())
    }
}

pub(super) fn year_of(s: &str) -> Option<i32> {
    s.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y))
}

pub(super) fn map_table(ctx: &Ctx, year: i32, people: &[Placement]) -> Table {
    Table {
        name: "talent-map",
        headers: export::keys(&[
            "col.nip",
            "col.name",
            "col.position",
            "col.unit",
            "tal.col.box",
            "tal.col.performance",
            "tal.col.potential",
            "tal.col.predicate",
            "tal.col.why",
        ]),
        rows: people
            .iter()
            .map(|p| {
                vec![
                    p.nip.clone(),
                    p.name.clone(),
                    p.position.clone(),
                    p.unit.clone(),
                    p.nine_box.map(|b| b.to_string()).unwrap_or_default(),
                    p.performance.map(|v| v.to_string()).unwrap_or_default(),
                    p.potential.to_string(),
                    p.predicate.map(|v| ctx.label(v).to_string()).unwrap_or_default(),
                    p.why(ctx, year),
                ]
            })
            .collect(),
    }
}

/// The map of a unit and its sub-units: heads their units, HR all.
pub(in crate::talent) async fn map(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<MapQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = crate::gaps::routes::pick_unit(&state, &user, &q.unit).await?;
    let mut conn = state.pool.acquire().await?;
    let this_year = ctx.today.year();
    let year = match year_of(&q.year) {
        Some(y) => y,
        None => db::default_year(&mut conn, this_year).await?,
    };
    if q.format == "pdf" || export::wanted(&q.format) {
        let people = db::placements(&mut conn, (year, this_year), &path, &user.scope(), None).await?;
        return export_map(&ctx, &q.format, (year, &unit_name), &people);
    }
    let units = crate::gaps::db::unit_options(&state, &mut conn, &user, unit_id).await?;
    let settings = db::settings(&mut conn).await?;
    let qualification = db::qualification_scores(&mut conn).await?;
    drop(conn);
    let only_box = box_of_query(&q.r#box);
    let mut page = q.page.unwrap_or(1).max(1);
    let mut view = db::MapView { only_box, offset: Pager::offset(Some(page)), limit: PER_PAGE, per_box: PER_BOX };
    let mut data = map_data(&state, (&path, &user.scope()), (year, this_year), view).await?;
    let listed = only_box.map_or(data.counts.iter().sum(), |b| data.counts[b as usize]);
    if page != Pager::within(Some(page), listed) {
        // A page past the end (an old link, a box that emptied): the last one.
        page = Pager::within(Some(page), listed);
        view.offset = Pager::offset(Some(page));
        data = map_data(&state, (&path, &user.scope()), (year, this_year), view).await?;
    }
    let cells = grid_of(&data);
    let in_table = |&(b, in_box, at): &(i16, i64, i64)| {
        let place = if only_box.is_some() { in_box } else { at };
        only_box.is_none_or(|o| o == b) && place > view.offset && place <= view.offset + view.limit
    };
    let table = data.places.iter().enumerate().filter(|(_, p)| in_table(p)).map(|(i, _)| i).collect();
    let total: i64 = data.counts.iter().sum();
    let pager = Pager::new(
        Some(page),
        listed,
        query_string(&[
            ("unit", &q.unit),
            ("year", &q.year),
            ("box", &only_box.map(|b| b.to_string()).unwrap_or_default()),
        ]),
    )
    .at("table");
    render(&MapPage {
        ctx,
        unit_id,
        unit_name,
        units,
        year,
        people: &data.people,
        cells,
        table,
        only_box,
        total,
        unrated: data.counts[0],
        pager,
        settings,
        qualification,
    })
}

/// The whole map of a unit as PDF (each box's count, then everyone), CSV or XLSX.
fn export_map(ctx: &Ctx, format: &str, (year, unit_name): (i32, &str), people: &[Placement]) -> AppResult<Response> {
    if format == "pdf" {
        let t = map_table(ctx, year, people);
        let title = format!("{} {year}: {unit_name}", ctx.t("tal.title"));
        let meta = pdf::meta(ctx, title.clone(), true);
        let mut blocks = vec![Block::Heading(title)];
        for c in grid(people) {
            blocks.push(Block::Para(format!(
                "{}: {}",
                ctx.t("tal.box_label")
                    .replace("{n}", &c.number.to_string())
                    .replace("{perf}", band(ctx, c.perf))
                    .replace("{pot}", band(ctx, c.pot)),
                c.people.len()
            )));
        }
        blocks.push(Block::Table { headers: t.headers.iter().map(|h| ctx.t(h).to_string()).collect(), rows: t.rows });
        return Ok(pdf::response(&format!("peta-talenta-{year}"), pdf::render(&meta, &blocks)));
    }
    let cols = Columns {
        kinds: vec![Kind::Text, Kind::Text, Kind::Text, Kind::Text, Kind::Integer, Kind::Integer, Kind::Integer],
        totals: None,
    };
    let f = export::file_with(ctx, format, &map_table(ctx, year, people), &cols)?;
    Ok(axum::response::IntoResponse::into_response(f))
}

/// Computes the map a reader first sees (their default unit and rating year, every box, first
/// page), so that after a node starts its first view does not wait (the department's map at
/// 100 000 staff: ~0.8 s).
pub(super) async fn warm_map(state: &AppState, user: &CurrentUser, today: chrono::NaiveDate) -> AppResult<()> {
    let (_, _, path) = crate::gaps::routes::pick_unit(state, user, "").await?;
    let mut conn = state.pool.acquire().await?;
    let year = db::default_year(&mut conn, today.year()).await?;
    drop(conn);
    let view = db::MapView { only_box: None, offset: 0, limit: PER_PAGE, per_box: PER_BOX };
    map_data(state, (&path, &user.scope()), (year, today.year()), view).await?;
    Ok(())
}

/// The grid of a map page: the first `PER_BOX` of each box, and its count.
fn grid_of(data: &MapData) -> Vec<Cell> {
    grid_with(
        &data.people,
        |_, i| data.places.get(i).is_some_and(|&(_, in_box, _)| in_box <= PER_BOX),
        |b| data.counts[b.clamp(0, 9) as usize],
    )
}

/// The table's filter from `?box=`: a box 1–9, `0` for those without a box, else every box.
fn box_of_query(s: &str) -> Option<i16> {
    s.trim().parse::<i16>().ok().filter(|b| (0..=9).contains(b))
}

#[derive(askama::Template)]
#[template(path = "talent/own.html")]
pub(super) struct OwnPage {
    ctx: Ctx,
    e: emp_db::Detail,
    year: i32,
    p: Option<Placement>,
    settings: Settings,
}

impl OwnPage {
    fn why(&self, p: &Placement) -> String {
        p.why(&self.ctx, self.year)
    }

    fn band(&self, b: &i16) -> &'static str {
        band(&self.ctx, *b)
    }
}

/// One person's box and why: the employee their own, heads their units, HR all (404 outside).
pub(in crate::talent) async fn own(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<MapQuery>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let e = emp_db::find_seen(&state, &mut conn, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let this_year = ctx.today.year();
    let year = match year_of(&q.year) {
        Some(y) => y,
        None => db::default_year(&mut conn, this_year).await?,
    };
    let p = db::placement(&mut conn, year, this_year, id).await?;
    let settings = db::settings(&mut conn).await?;
    render(&OwnPage { ctx, e, year, p, settings })
}

/// `/talent/me`: the employee's own box.
pub(in crate::talent) async fn me(user: CurrentUser) -> AppResult<Response> {
    let id = user.employee_id.ok_or(AppError::NotFound)?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!("/employees/{id}/talent"))))
}
