//! The IDPs of a unit (a table, exportable), and the home page's IDP block.

use super::*;

#[derive(askama::Template)]
#[template(path = "idp/unit.html")]
pub(super) struct UnitPage {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    units: Vec<UnitOption>,
    year: i32,
    /// This page's staff (50 a page: a department of 100 000 was a 36 MB page).
    rows: Vec<UnitRow>,
    staff: i64,
    with_idp: i64,
    approved: i64,
    pager: Pager,
}

impl UnitPage {
    fn jp(&self, v: &f64) -> String {
        jp_text(*v, self.ctx.lang.is_en())
    }
}

pub(super) fn unit_table(ctx: &Ctx, rows: &[UnitRow]) -> Table {
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
pub(in crate::idp) async fn unit(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = crate::gaps::routes::pick_unit(&state, &user, &q.unit).await?;
    let year = year_of(&ctx, &q.year);
    let mut conn = state.pool.acquire().await?;
    let scope = user.scope();
    let wanted = q.format == "pdf" || export::wanted(&q.format);
    let (staff, with_idp, approved) =
        if wanted { (0, 0, 0) } else { db::unit_counts(&mut conn, &path, year, &scope).await? };
    let page_no = Pager::within(q.page, staff);
    let page = if wanted { (0, None) } else { (Pager::offset(Some(page_no)), Some(PER_PAGE)) };
    let rows = db::unit_rows(&mut conn, &path, year, &scope, page).await?;
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
    let query = crate::app::paging::query_string(&[("unit", &unit_id.to_string()), ("year", &year.to_string())]);
    let pager = Pager::new(Some(page_no), staff, query).at("staff");
    render(&UnitPage { ctx, unit_id, unit_name, units, year, rows, staff, with_idp, approved, pager })
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
pub async fn home_block<'a>(
    state: &AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
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
