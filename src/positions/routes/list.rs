//! The list of positions, filtered and paged.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct ListQuery {
    unit: String,
    q: String,
    format: String,
    page: Option<i64>,
}

#[derive(Clone)]
pub struct PosRow {
    pub id: i64,
    pub name: String,
    pub kind: crate::positions::PositionKind,
    pub functional_level: Option<crate::positions::FunctionalLevel>,
    pub class_grade: Option<i16>,
    pub unit: String,
    pub is_unit_head: bool,
    pub active: bool,
    pub holders: i64,
    pub standard_size: i64,
    /// Rows of the list (all pages); 0 outside the list.
    pub total: i64,
}

impl crate::app::versioned::Weigh for PosRow {}

#[derive(askama::Template)]
#[template(path = "positions/list.html")]
pub(super) struct ListPage {
    ctx: Ctx,
    f: ListQuery,
    rows: Vec<PosRow>,
    units: Vec<UnitOption>,
    is_hr: bool,
    pager: Pager,
}

/// A position's row as the list and its page show it: `$head`, the select, `$tail` (the caller's
/// `where` and what wraps it), then the binds; one column list, each statement checked.
macro_rules! pos_rows {
    ($head:literal, $tail:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            $crate::positions::routes::list::PosRow,
            $head
                + "select p.id, p.name, p.kind as \"kind: crate::positions::PositionKind\",
                          p.functional_level as \"functional_level: crate::positions::FunctionalLevel\", p.class_grade,
                          u.name as unit, p.is_unit_head, p.active,
                          (select count(*) from employees e where e.position_id = p.id and e.active) as \"holders!\",
                          (select count(*) from position_standards s where s.position_id = p.id) as \"standard_size!\","
                + $tail
            $(, $arg)*
        )
    };
}
pub(super) use pos_rows;

pub(super) async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(mut f): Query<ListQuery>,
) -> AppResult<Response> {
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
                pos_rows!(
                    "with page as (
                       select p.id, count(*) over () as total, row_number() over (order by u.sort_key, p.is_unit_head desc, p.name, p.id) as n
                       from positions p join units u on u.id = p.unit_id
                       where ($1::bigint is null or u.path like (select path from units where id = $1) || '%')
                         and ($2 = '' or p.name ilike $3)
                       order by n limit $4 offset $5) ",
                    " page.total as \"total!\"
                     from page join positions p on p.id = page.id join units u on u.id = p.unit_id
                     order by page.n",
                    unit,
                    &q,
                    &like,
                    limit,
                    offset,
                )
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
