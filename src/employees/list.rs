//! The staff list with its filters, and its export.

use axum::{
    extract::{Query, State},
    response::Response,
};

use super::db::{self, Filter, Opt, RankOpt, Row};
use crate::{
    app::{
        AppResult, AppState, Ctx,
        export::{self, Table},
        paging::{PER_PAGE, Pager},
        render::render,
    },
    auth::CurrentUser,
    units::db::UnitOption,
};

/// What the list page reads from the records.
#[derive(Clone)]
struct ListData {
    total: i64,
    rows: Vec<Row>,
    units: Vec<UnitOption>,
    positions: Option<Vec<Opt>>,
    ranks: Vec<RankOpt>,
    competencies: Vec<Opt>,
}

impl crate::app::versioned::Weigh for ListData {
    fn bytes(&self) -> usize {
        use crate::app::versioned::rows_bytes;
        rows_bytes(&self.rows, 600)
            + rows_bytes(&self.units, 150)
            + self.positions.as_ref().map_or(0, |p| rows_bytes(p, 150))
            + rows_bytes(&self.ranks, 100)
            + rows_bytes(&self.competencies, 150)
    }
}

#[derive(askama::Template)]
#[template(path = "employees/list.html")]
struct ListPage {
    ctx: Ctx,
    f: Filter,
    rows: Vec<Row>,
    pager: Pager,
    units: Vec<UnitOption>,
    /// `None`: too many to offer before a unit is chosen.
    positions: Option<Vec<Opt>>,
    ranks: Vec<RankOpt>,
    competencies: Vec<Opt>,
}

fn clean_filter(mut f: Filter) -> Filter {
    f.q = f.q.trim().chars().take(100).collect();
    f
}

pub(super) async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(f): Query<Filter>,
) -> AppResult<Response> {
    let f = clean_filter(f);
    if export::wanted(&f.format) {
        let table = export_table(&state, &ctx, &user, &f).await?;
        return export::send(&ctx, &f.format, &table);
    }
    // A reader who sees the whole department (HR, the kepala dinas) shares HR's pages.
    let scope = user.scope().under(&state.pool, "").await?;
    // (A connection is taken only to compute the page: a kept page costs no round trip.)
    let reader = state.reader(&ctx).await;
    // The page as a whole (its count, rows and filter options) is reused while the records are
    // unchanged: the list is read far more often than staff records change.
    // Keyed by what the reader may see, not by who reads: every HR officer shares the
    // department's pages, each head their units'.
    let key = format!(
        "employees.list:{}:{}:{:?}:{:?}:{:?}:{:?}",
        scope.key(),
        ctx.lang.is_en(),
        f.query_string(),
        f.page,
        f.after,
        f.before
    );
    let (lf, en) = (f.clone(), ctx.lang.is_en());
    let data = state
        .versions
        .get(reader, key, move |conn| {
            Box::pin(async move {
                let (unit, position) = (lf.unit.parse().ok(), lf.position.parse().ok());
                Ok::<_, sqlx::Error>(ListData {
                    total: db::count(&mut *conn, &lf, &scope).await?,
                    rows: db::list(&mut *conn, &lf, &scope, Some(PER_PAGE), Pager::offset(lf.page)).await?,
                    units: crate::units::db::near(&mut *conn, unit, true, &[]).await?,
                    positions: db::position_filter_options(&mut *conn, unit, position).await?,
                    ranks: db::rank_options(&mut *conn).await?,
                    competencies: db::competency_options(&mut *conn, en).await?,
                })
            })
        })
        .await?;
    let ListData { total, rows, units, positions, ranks, competencies } = data.as_ref().clone();
    let query = f.query_string();
    let mut pager = Pager::new(f.page, total, query);
    if f.keyset_order() {
        pager = pager.with_cursors(rows.first().map(|r| r.id), rows.last().map(|r| r.id));
    }
    render(&ListPage { ctx, f, rows, pager, units, positions, ranks, competencies })
}

/// Exports are capped so one request cannot exhaust memory.
const EXPORT_MAX: i64 = 200_000;

async fn export_table(state: &AppState, ctx: &Ctx, user: &CurrentUser, f: &Filter) -> AppResult<Table> {
    let mut conn = state.reader(ctx).await.acquire().await?;
    let scope = user.scope().under(&state.pool, "").await?;
    let rows = db::list(&mut conn, f, &scope, Some(EXPORT_MAX), 0).await?;
    let with_comp = !f.competency.is_empty();
    // The columns the import reads back (titles apart from the name, the unit's code): an export
    // edited in a spreadsheet and imported again changes only what was edited.
    let mut headers = vec![
        "col.nip",
        "col.front_title",
        "col.name",
        "col.back_title",
        "col.status",
        "col.rank",
        "col.position",
        "col.unit_code",
        "col.unit",
        "col.active",
    ];
    if with_comp {
        headers.extend(["col.level_current", "col.level_required"]);
    }
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut v = vec![
                r.nip,
                r.front_title,
                r.name,
                r.back_title,
                r.status.to_string(),
                r.rank,
                r.position,
                r.unit_code,
                r.unit,
                ctx.yes_no(r.active).into(),
            ];
            if with_comp {
                v.push(r.competency_level.map(|l| l.to_string()).unwrap_or_default());
                v.push(r.competency_required.map(|l| l.to_string()).unwrap_or_default());
            }
            v
        })
        .collect();
    Ok(Table { name: "pegawai", headers: export::keys(&headers), rows })
}
