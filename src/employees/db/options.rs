//! The select lists: positions, competencies and ranks.

use super::*;

/// Options for the filter and form select lists.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Opt {
    pub id: i64,
    pub label: String,
}

pub async fn position_options(conn: &mut PgConnection) -> Result<Vec<Opt>, sqlx::Error> {
    sqlx::query_as!(
        Opt,
        r#"select p.id, p.name || ' — ' || u.name as "label!" from positions p join units u on u.id = p.unit_id
         where p.active and u.closed_on is null order by u.sort_key, p.is_unit_head desc, p.name"#,
    )
    .fetch_all(conn)
    .await
}

/// Most positions offered in the list's filter at once; more (a regency has thousands) and the
/// filter asks for a unit first.
pub const POSITION_FILTER_MAX: usize = 300;

/// The positions the list's filter offers: those of the chosen unit's subtree, or all when there
/// are few; `None` when there are too many to list without a unit (the chosen one is kept).
pub async fn position_filter_options(
    conn: &mut PgConnection,
    unit: Option<i64>,
    chosen: Option<i64>,
) -> Result<Option<Vec<Opt>>, sqlx::Error> {
    let found: Vec<Opt> = sqlx::query_as!(
        Opt,
        r#"select p.id, p.name || ' — ' || u.name as "label!" from positions p join units u on u.id = p.unit_id
         where ((p.active and u.closed_on is null
                 and ($1::bigint is null or u.path like (select path from units where id = $1) || '%')) or p.id = $2)
         order by u.sort_key, p.is_unit_head desc, p.name limit $3"#,
        unit,
        chosen,
        POSITION_FILTER_MAX as i64 + 1,
    )
    .fetch_all(conn)
    .await?;
    if found.len() > POSITION_FILTER_MAX && unit.is_none() {
        return Ok(None);
    }
    Ok(Some(found))
}

pub async fn competency_options(conn: &mut PgConnection, en: bool) -> Result<Vec<Opt>, sqlx::Error> {
    sqlx::query_as!(
        Opt,
        r#"select id, code || ' ' || case when $1 then name_en else name_id end as "label!" from competencies where active order by code"#,
        en,
    )
    .fetch_all(conn)
    .await
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct RankOpt {
    pub code: String,
    pub label: String,
    /// PNS or PPPK: the form offers only the ranks of the chosen status.
    pub status: String,
}

pub async fn rank_options(conn: &mut PgConnection) -> Result<Vec<RankOpt>, sqlx::Error> {
    sqlx::query_as!(
        RankOpt,
        r#"select code, rank_label(grade, status, title) as "label!", status
         from ranks order by status, ordinal"#,
    )
    .fetch_all(conn)
    .await
}
