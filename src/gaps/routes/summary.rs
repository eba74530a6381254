//! The gap summary of a unit: its figures computed once per version of the records, the staff
//! list a page at a time with each one's reasons, and its export.

use super::*;

#[derive(askama::Template)]
#[template(path = "gaps/summary.html")]
pub(super) struct SummaryPage<'a> {
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

/// A unit with more parts than this charts and lists its least ready ones first, and every part
/// on request (`parts=all`). At 100 000 staff the department has 300 parts: one bar each made a
/// chart 13 000 px tall and, with their table, most of a 182 KB page.
pub const PARTS_SHOWN: usize = 15;

/// The parts (indices into `parts`, the whole unit first) the chart shows and the table lists
/// unless every part is asked for: all of them in the units' order when there are at most
/// `PARTS_SHOWN`, else the `PARTS_SHOWN` least ready, lowest readiness first. Parts where nothing
/// is known come after every known readiness: unknown is not a gap (the coverage column and the
/// "not assessed" figure show them).
pub fn shown_parts(parts: &[UnitReadiness]) -> Vec<usize> {
    let mut shown: Vec<usize> = (1..parts.len()).collect();
    if shown.len() > PARTS_SHOWN {
        shown.sort_by(|&a, &b| match (parts[a].readiness(), parts[b].readiness()) {
            (Some(x), Some(y)) => x.total_cmp(&y).then(a.cmp(&b)),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => a.cmp(&b),
        });
        shown.truncate(PARTS_SHOWN);
    }
    shown
}

/// The unit-wide part of the summary page, drawn once per version and language.
#[derive(askama::Template)]
#[template(path = "gaps/summary_overview.html")]
pub(super) struct SummaryOverview<'a> {
    ctx: &'a Ctx,
    parts: &'a [UnitReadiness],
    /// The parts' rows in the table (the whole unit is `parts[0]`, drawn as the figures).
    rows: Vec<&'a UnitReadiness>,
    /// Fewer parts listed than there are (`PARTS_SHOWN`): the link to every part is offered.
    least_only: bool,
    /// Every part listed although there are more than `PARTS_SHOWN`: the link back is offered.
    all_of_many: bool,
    unit_id: i64,
    top: &'a [CompetencyGap],
    spof: &'a [SinglePoint],
    readiness_chart: &'a str,
    gaps_chart: &'a str,
}

/// One page of the summary's staff list with each one's reasons, drawn once per version.
#[derive(askama::Template)]
#[template(path = "gaps/summary_staff.html")]
pub(super) struct StaffTable<'a> {
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
    /// The page's unit-wide part, drawn by the first reader of this version: with the least
    /// ready parts (`shown_parts`), and with every part (`parts=all`).
    drawn: OnceLock<String>,
    drawn_all: OnceLock<String>,
}

impl crate::app::versioned::Weigh for SummaryData {
    fn bytes(&self) -> usize {
        use crate::app::versioned::rows_bytes;
        rows_bytes(&self.parts, 600)
            + rows_bytes(&self.top, 600)
            + rows_bytes(&self.spof, 600)
            + self.charts.0.len()
            + self.charts.1.len()
            + 40_000
    }
}

/// One page of a unit's staff list with each one's reasons (in the key's language), and the
/// table once drawn.
pub(super) struct StaffPage {
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
    titles: ChartTitles,
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
                Ok::<_, sqlx::Error>(SummaryData {
                    parts,
                    top,
                    spof,
                    charts,
                    drawn: OnceLock::new(),
                    drawn_all: OnceLock::new(),
                })
            })
        })
        .await
        .map_err(AppError::from)
}

/// One page of the unit's staff list at the records' current version, with the reasons in the
/// reader's language (a page is what is kept, not the whole regency's list).
pub(super) async fn staff_page(
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
pub(super) async fn staff_with_reasons(
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

/// "62%", or "—" where nothing is known.
pub(super) fn percent_or_dash(p: Option<i64>) -> String {
    p.map(|p| format!("{p}%")).unwrap_or_else(|| "—".into())
}

impl SummaryOverview<'_> {
    fn whole(&self) -> Option<&UnitReadiness> {
        self.parts.first()
    }
}

/// Computes what a reader's first gap summary and skills matrix show (their default unit,
/// unfiltered, in `lang`), so that after a node starts the first of them does not wait (the
/// department's matrix at 100 000 staff: 0.45 s).
pub async fn warm(
    state: &AppState,
    user: &CurrentUser,
    today: chrono::NaiveDate,
    lang: crate::i18n::Lang,
) -> AppResult<()> {
    let (unit_id, _, path) = pick_unit(state, user, "").await?;
    let en = lang.is_en();
    let titles = ChartTitles::of(|k| crate::i18n::t(lang, k));
    summary_data(state, today, unit_id, &path, en, titles).await?;
    super::kept_matrix(state, &state.pool, unit_id, &path, en, "", "", true).await?;
    Ok(())
}

pub(super) async fn summary(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<UnitQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &q.unit).await?;
    let en = ctx.lang.is_en();
    let titles = ChartTitles::of(|k| ctx.t(k));
    let data = summary_data(&state, ctx.today, unit_id, &path, en, titles).await?;
    let (parts, top, spof) = (&data.parts, &data.top, &data.spof);
    let only_flagged = q.flagged != "0";
    let listed = parts.first().map(|w| if only_flagged { w.flagged } else { w.staff }).unwrap_or(0);
    let all_parts = q.parts == "all";
    let pager = Pager::new(
        q.page,
        listed,
        query_string(&[("unit", &q.unit), ("flagged", &q.flagged), ("parts", if all_parts { "all" } else { "" })]),
    );
    if q.format != "pdf" && !export::wanted(&q.format) {
        let page = staff_page(&state, &ctx, (unit_id, &path), only_flagged, Pager::offset(q.page)).await?;
        let units = db::unit_options(&state, &state.pool, &user, unit_id).await?;
        let many = parts.len() > PARTS_SHOWN + 1;
        let drawn = if all_parts && many { &data.drawn_all } else { &data.drawn };
        let overview = versioned::once(drawn, || {
            let rows = if all_parts {
                parts.iter().skip(1).collect()
            } else {
                shown_parts(parts).into_iter().map(|i| &parts[i]).collect()
            };
            fragment(&SummaryOverview {
                ctx: &ctx,
                parts,
                rows,
                least_only: many && !all_parts,
                all_of_many: many && all_parts,
                unit_id,
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
