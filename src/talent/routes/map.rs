//! The nine-box map of a unit (a table, exportable), and an employee's own placement.

use super::*;

#[derive(askama::Template)]
#[template(path = "talent/map.html")]
pub(super) struct MapPage {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    units: Vec<UnitOption>,
    year: i32,
    people: Vec<Placement>,
    cells: Vec<Cell>,
    unrated: Vec<usize>,
    settings: Settings,
    qualification: Vec<(String, i16)>,
}

impl MapPage {
    fn why(&self, p: &Placement) -> String {
        p.why(&self.ctx, self.year)
    }

    fn band(&self, b: &i16) -> &'static str {
        band(&self.ctx, *b)
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
    let people = db::placements(&mut conn, year, this_year, &path, &user.scope()).await?;
    if q.format == "pdf" {
        let t = map_table(&ctx, year, &people);
        let title = format!("{} {year}: {unit_name}", ctx.t("tal.title"));
        let meta = pdf::meta(&ctx, title.clone(), true);
        let mut blocks = vec![Block::Heading(title)];
        for c in grid(&people) {
            blocks.push(Block::Para(format!(
                "{}: {}",
                ctx.t("tal.box_label")
                    .replace("{n}", &c.number.to_string())
                    .replace("{perf}", band(&ctx, c.perf))
                    .replace("{pot}", band(&ctx, c.pot)),
                c.people.len()
            )));
        }
        blocks.push(Block::Table { headers: t.headers.iter().map(|h| ctx.t(h).to_string()).collect(), rows: t.rows });
        return Ok(pdf::response(&format!("peta-talenta-{year}"), pdf::render(&meta, &blocks)));
    }
    if export::wanted(&q.format) {
        let cols = Columns {
            kinds: vec![Kind::Text, Kind::Text, Kind::Text, Kind::Text, Kind::Integer, Kind::Integer, Kind::Integer],
            totals: None,
        };
        let f = export::file_with(&ctx, &q.format, &map_table(&ctx, year, &people), &cols)?;
        return Ok(axum::response::IntoResponse::into_response(f));
    }
    let units = crate::gaps::db::unit_options(&state, &mut conn, &user, unit_id).await?;
    let settings = db::settings(&mut conn).await?;
    let qualification = db::qualification_scores(&mut conn).await?;
    let cells = grid(&people);
    let unrated = people.iter().enumerate().filter(|(_, p)| p.nine_box.is_none()).map(|(i, _)| i).collect();
    render(&MapPage { ctx, unit_id, unit_name, units, year, people, cells, unrated, settings, qualification })
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
