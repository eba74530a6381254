//! The talent map's queries: placements from the rule `talent_placements_under(year, path)` (`db/rules/talent_placement.sql`), ratings,
//! settings and the succession pool. Scope is bound into every query.

use sqlx::PgConnection;

use super::model::{Expectation, Predicate};
use crate::auth::Scope;

#[derive(Clone, Debug)]
pub struct Settings {
    pub perf_hasil: f64,
    pub perf_perilaku: f64,
    pub pot_readiness: f64,
    pub pot_qualification: f64,
    pub pot_development: f64,
    pub exp_above: i16,
    pub exp_as_expected: i16,
    pub exp_below: i16,
    pub low_cut: i16,
    pub high_cut: i16,
    pub pot_low_cut: i16,
    pub pot_high_cut: i16,
    pub version: i64,
}

pub async fn settings(conn: &mut PgConnection) -> Result<Settings, sqlx::Error> {
    sqlx::query_as!(
        Settings,
        r#"select perf_hasil::float8 as "perf_hasil!", perf_perilaku::float8 as "perf_perilaku!",
                pot_readiness::float8 as "pot_readiness!", pot_qualification::float8 as "pot_qualification!",
                pot_development::float8 as "pot_development!", exp_above, exp_as_expected, exp_below, low_cut, high_cut, pot_low_cut, pot_high_cut, version
         from talent_settings where id = 1"#,
    )
    .fetch_one(conn)
    .await
}

pub async fn qualification_scores(conn: &mut PgConnection) -> Result<Vec<(String, i16)>, sqlx::Error> {
    let rows = sqlx::query!(
        "select education_level, score from talent_qualification_scores
         order by array_position(array['SD','SMP','SMA','D1','D2','D3','D4','S1','S2','S3'], education_level)",
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.education_level, r.score)).collect())
}

/// The rating year shown by default: the latest year rated, else last year.
pub async fn default_year(conn: &mut PgConnection, this_year: i32) -> Result<i32, sqlx::Error> {
    let y: Option<i32> = sqlx::query_scalar!("select max(year) from performance_ratings where year <= $1", this_year)
        .fetch_one(conn)
        .await?;
    Ok(y.unwrap_or(this_year - 1))
}

/// One person on the map, with the parts of both axes.
#[derive(Clone, Debug)]
pub struct Placement {
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub position: String,
    pub unit: String,
    pub hasil_kerja: Option<Expectation>,
    pub perilaku_kerja: Option<Expectation>,
    pub predicate: Option<Predicate>,
    pub performance: Option<i32>,
    pub readiness: Option<i32>,
    pub assessed: i32,
    pub met: i32,
    pub education_level: Option<String>,
    pub qualification: i32,
    pub development_jp: f64,
    pub development: i32,
    pub potential: i32,
    pub perf_band: Option<i16>,
    pub pot_band: i16,
    pub nine_box: Option<i16>,
    /// This year's IDP, for the low boxes' link.
    pub idp_id: Option<i64>,
}

/// The placements of the active staff under the unit `path` ('' = everyone) within the reader's
/// scope, in the map's list order (box 9 first, then performance, potential and name; those
/// without a box last): everyone's, or only those of `ids` (a page of the map, one person), whom
/// alone it scores.
pub async fn placements(
    conn: &mut PgConnection,
    (year, idp_year): (i32, i32),
    path: &str,
    scope: &Scope,
    ids: Option<&[i64]>,
) -> Result<Vec<Placement>, sqlx::Error> {
    sqlx::query_as!(
        Placement,
        r#"select t.employee_id as "employee_id!", e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                coalesce(p.name, '') as "position!", u.name as unit, t.hasil_kerja as "hasil_kerja?: Expectation",
                t.perilaku_kerja as "perilaku_kerja?: Expectation", t.predicate as "predicate?: Predicate",
                t.performance as "performance?", t.readiness as "readiness?", t.assessed as "assessed!", t.met as "met!",
                t.education_level as "education_level?", t.qualification as "qualification!",
                t.development_jp as "development_jp!", t.development as "development!", t.potential as "potential!",
                t.perf_band as "perf_band?", t.pot_band as "pot_band!", t.box as "nine_box?",
                (select i.id from idps i where i.employee_id = e.id and i.year = $2) as "idp_id?"
         from talent_placements_of($1, $3, $7) t join employees e on e.id = t.employee_id join units u on u.id = e.unit_id
         left join positions p on p.id = e.position_id
         where scope_sees($4, $5, $6, e.id, u.path)
         order by t.box desc nulls last, t.performance desc nulls last, t.potential desc, e.name, e.id"#,
        year,
        idp_year,
        path,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        ids,
    )
    .fetch_all(conn)
    .await
}

/// Which rows of a unit's map a page shows: the table's filter (`None` every box, `Some(0)` those
/// without a box, else one box) and its page.
#[derive(Clone, Copy, Debug)]
pub struct MapView {
    pub only_box: Option<i16>,
    pub offset: i64,
    pub limit: i64,
    /// Names shown in each box of the grid.
    pub per_box: i64,
}

/// A placement on a page of the map: its place in its box (1 = first) and in the whole list
/// (`at`), and how many people its box holds (`box_n`; the box `None` is those without one).
#[derive(Clone, Debug)]
pub struct MapRow {
    pub p: Placement,
    pub in_box: i64,
    pub at: i64,
    pub box_n: i64,
}

/// Where each person of a unit's map stands, in the list order (box 9 first, then performance,
/// potential and name; those without a box last): their box, place in the whole list (`at`, 1 =
/// first), place in their box and how many their box holds. One statement over the unit's
/// placements within the reader's scope; kept, so that every page of the map reads it.
#[derive(Clone, Copy, Debug)]
pub struct Ranked {
    pub employee_id: i64,
    pub nine_box: Option<i16>,
    pub at: i64,
    pub in_box: i64,
    pub box_n: i64,
}

pub async fn map_rank(
    conn: &mut PgConnection,
    year: i32,
    path: &str,
    scope: &Scope,
) -> Result<Vec<Ranked>, sqlx::Error> {
    sqlx::query_as!(
        Ranked,
        r#"with t as materialized (
           select t.employee_id, t.box, t.performance, t.potential, e.name as sort_name
           from talent_placements_under($1, $2) t join employees e on e.id = t.employee_id
           join units u on u.id = e.unit_id
           where scope_sees($3, $4, $5, e.id, u.path)),
         c as (select coalesce(t.box, 0) as b, count(*) as n,
                      (sum(count(*)) over (order by t.box desc nulls last) - count(*))::bigint as before
               from t group by t.box),
         r as (select t.*, row_number() over (order by t.box desc nulls last, t.performance desc nulls last,
                                                         t.potential desc, t.sort_name, t.employee_id) as at
               from t)
         -- A box's people are consecutive in the list: a person's place in their box is their
         -- place in the list less the people of the boxes before.
         select r.employee_id as "employee_id!", r.box as "nine_box?", r.at as "at!",
                r.at - c.before as "in_box!", c.n as "box_n!"
         from r join c on c.b = coalesce(r.box, 0)
         order by r.at"#,
        year,
        path,
        scope.all,
        scope.own,
        &scope.unit_patterns,
    )
    .fetch_all(conn)
    .await
}

/// What one page of the map shows, from the unit's ranking: the first `per_box` people of every
/// box (and of those without a box) and the table's page, scored and described (only they are).
pub async fn map_rows(
    conn: &mut PgConnection,
    year: i32,
    idp_year: i32,
    path: &str,
    rank: &[Ranked],
    view: MapView,
) -> Result<Vec<MapRow>, sqlx::Error> {
    let shown: Vec<&Ranked> = rank
        .iter()
        .filter(|r| {
            let b = r.nine_box.unwrap_or(0);
            let place = if view.only_box.is_some() { r.in_box } else { r.at };
            r.in_box <= view.per_box
                || (view.only_box.is_none_or(|o| o == b) && place > view.offset && place <= view.offset + view.limit)
        })
        .collect();
    let ids: Vec<i64> = shown.iter().map(|r| r.employee_id).collect();
    let mut people: std::collections::HashMap<i64, Placement> =
        placements(conn, (year, idp_year), path, &Scope::everything(), Some(&ids))
            .await?
            .into_iter()
            .map(|p| (p.employee_id, p))
            .collect();
    // In the ranking's order; someone gone since it was kept is left out.
    Ok(shown
        .into_iter()
        .filter_map(|r| people.remove(&r.employee_id).map(|p| MapRow { p, in_box: r.in_box, at: r.at, box_n: r.box_n }))
        .collect())
}

/// One person's placement (the caller has checked the person is in scope).
pub async fn placement(
    conn: &mut PgConnection,
    year: i32,
    idp_year: i32,
    employee: i64,
) -> Result<Option<Placement>, sqlx::Error> {
    Ok(placements(conn, (year, idp_year), "", &Scope::everything(), Some(&[employee])).await?.pop())
}

#[derive(Clone, Debug)]
pub struct RatingRow {
    pub id: i64,
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub year: i32,
    pub hasil_kerja: Expectation,
    pub perilaku_kerja: Expectation,
    pub predicate: Predicate,
    pub source: String,
    pub version: i64,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub async fn ratings(conn: &mut PgConnection, year: i32) -> Result<Vec<RatingRow>, sqlx::Error> {
    sqlx::query_as!(
        RatingRow,
        r#"select r.id, r.employee_id, e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "name!", u.name as unit,
                r.year, r.hasil_kerja as "hasil_kerja: Expectation", r.perilaku_kerja as "perilaku_kerja: Expectation",
                r.predicate as "predicate: Predicate", r.source, r.version, r.updated_at
         from performance_ratings r join employees e on e.id = r.employee_id join units u on u.id = e.unit_id
         where r.year = $1 order by u.sort_key, e.name, e.id"#,
        year,
    )
    .fetch_all(conn)
    .await
}

/// A rating to write.
#[derive(Clone, Debug)]
pub struct NewRating {
    pub employee_id: i64,
    pub year: i32,
    pub hasil_kerja: Expectation,
    pub perilaku_kerja: Expectation,
    pub predicate: Predicate,
}

/// Write ratings in one statement (a new version where one existed), returning for each the row
/// before (null when new) and after, for the audit log. Unchanged ratings are left alone.
pub async fn upsert_ratings(
    conn: &mut PgConnection,
    rows: &[NewRating],
    source: &str,
    account: i64,
) -> Result<Vec<(i64, Option<serde_json::Value>, serde_json::Value)>, sqlx::Error> {
    let emp: Vec<i64> = rows.iter().map(|r| r.employee_id).collect();
    let year: Vec<i32> = rows.iter().map(|r| r.year).collect();
    let hk: Vec<&str> = rows.iter().map(|r| r.hasil_kerja.as_str()).collect();
    let pk: Vec<&str> = rows.iter().map(|r| r.perilaku_kerja.as_str()).collect();
    let pr: Vec<&str> = rows.iter().map(|r| r.predicate.as_str()).collect();
    let rows = sqlx::query!(
        r#"with input as (select * from unnest($1::bigint[], $2::int[], $3::text[], $4::text[], $5::text[])
                        as i(employee_id, year, hasil_kerja, perilaku_kerja, predicate)),
         before as (select r.* from performance_ratings r join input i using (employee_id, year) for update of r),
         written as (
           insert into performance_ratings (employee_id, year, hasil_kerja, perilaku_kerja, predicate, source, recorded_by)
           select employee_id, year, hasil_kerja, perilaku_kerja, predicate, $6, $7 from input
           on conflict (employee_id, year) do update set hasil_kerja = excluded.hasil_kerja,
             perilaku_kerja = excluded.perilaku_kerja, predicate = excluded.predicate, source = excluded.source,
             recorded_by = excluded.recorded_by, version = performance_ratings.version + 1
           where (performance_ratings.hasil_kerja, performance_ratings.perilaku_kerja, performance_ratings.predicate)
                 is distinct from (excluded.hasil_kerja, excluded.perilaku_kerja, excluded.predicate)
           returning *)
         select w.id as "id!", case when b.id is null then null
                      else jsonb_build_object('hasil_kerja', b.hasil_kerja, 'perilaku_kerja', b.perilaku_kerja,
                                              'predicate', b.predicate, 'version', b.version) end as "before?",
                jsonb_build_object('employee_id', w.employee_id, 'year', w.year, 'hasil_kerja', w.hasil_kerja,
                                   'perilaku_kerja', w.perilaku_kerja, 'predicate', w.predicate, 'source', w.source,
                                   'version', w.version) as "after!"
         from written w left join before b on b.id = w.id"#,
        &emp,
        &year,
        &hk as &[&str],
        &pk as &[&str],
        &pr as &[&str],
        source,
        account,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.before, r.after)).collect())
}

/// A key position in the reader's reach.
#[derive(Clone, Debug)]
pub struct KeyPosition {
    pub id: i64,
    pub name: String,
    pub unit: String,
    pub holders: i64,
    pub requirements: i64,
}

pub async fn key_positions(conn: &mut PgConnection, scope: &Scope) -> Result<Vec<KeyPosition>, sqlx::Error> {
    sqlx::query_as!(
        KeyPosition,
        r#"select p.id, p.name, u.name as unit,
                (select count(*) from employees e where e.position_id = p.id and e.active) as "holders!",
                (select count(*) from position_standards s where s.position_id = p.id) as "requirements!"
         from positions p join units u on u.id = p.unit_id
         where p.is_key and p.active and unit_in_scope($1, $2, u.path)
         order by u.sort_key, p.name, p.id"#,
        scope.all,
        &scope.unit_patterns,
    )
    .fetch_all(conn)
    .await
}

/// A candidate of boxes 7–9 for a key position, with their gap against its standard.
#[derive(Clone, Debug)]
pub struct Candidate {
    pub position_id: i64,
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub current_position: String,
    pub unit: String,
    pub nine_box: i16,
    pub met: i64,
    pub short: i64,
    pub unknown: i64,
    pub levels_short: i64,
    /// How many candidates the key position has in all (its list may be cut to the first few).
    pub of_position: i64,
}

/// Which candidates to list: the first `per_position` of each key position (closest first), or
/// every candidate of `position` only; `None`/`None`: all of every position (the exports).
#[derive(Clone, Copy, Debug, Default)]
pub struct PoolView {
    pub per_position: Option<i64>,
    pub position: Option<i64>,
}

/// For every key position in reach, the people of boxes 7–9 in the reader's scope (its holders
/// left out), closest to its standard first: one statement. Only the units in reach are placed
/// (a head's, not the department), and current levels are read only for the people in boxes
/// 7–9 (by key).
pub async fn candidates(
    conn: &mut PgConnection,
    year: i32,
    scope: &Scope,
    view: PoolView,
) -> Result<Vec<Candidate>, sqlx::Error> {
    sqlx::query_as!(
        Candidate,
        r#"with t as materialized (
           select distinct x.employee_id, x.box from (
             select employee_id, box from talent_placements_under($1, '') where $2
             union all
             select p.employee_id, p.box
             from unnest($3::text[]) pat cross join lateral talent_placements_under($1, rtrim(pat, '%')) p
             where not $2) x
           where x.box >= 7),
         kp as materialized (
           select p.id from positions p join units u on u.id = p.unit_id
           where p.is_key and p.active and unit_in_scope($2, $3, u.path) and ($6::bigint is null or p.id = $6)),
         c as materialized (
           select kp.id as position_id, e.id as employee_id, t.box
           from kp cross join t join employees e on e.id = t.employee_id join units u on u.id = e.unit_id
           where e.position_id is distinct from kp.id and scope_sees($2, $4, $3, e.id, u.path)),
         cl as materialized (
           select employee_id, competency_id, level from current_levels
           where employee_id = any(array(select employee_id from t))),
         g as (
           select c.position_id, c.employee_id, c.box,
                  count(ps.competency_id) filter (where cl.level >= ps.required_level) as met,
                  count(ps.competency_id) filter (where cl.level < ps.required_level) as short,
                  count(ps.competency_id) filter (where cl.level is null) as unknown,
                  coalesce(sum(greatest(ps.required_level - cl.level, 0)), 0)::bigint as levels_short
           from c left join position_standards ps on ps.position_id = c.position_id
           left join cl on cl.employee_id = c.employee_id and cl.competency_id = ps.competency_id
           group by c.position_id, c.employee_id, c.box),
         r as (
           select g.*,
                  row_number() over (partition by g.position_id
                                     order by g.levels_short, g.short, g.unknown, g.box desc, e.name, e.id) as at,
                  count(*) over (partition by g.position_id) as of_position
           from g join employees e on e.id = g.employee_id)
         select r.position_id as "position_id!", e.id as employee_id, e.nip,
                employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                coalesce(cp.name, '') as "current_position!", u.name as unit, r.box as "nine_box!",
                r.met as "met!", r.short as "short!", r.unknown as "unknown!", r.levels_short as "levels_short!",
                r.of_position as "of_position!"
         from r join employees e on e.id = r.employee_id join units u on u.id = e.unit_id
         left join positions cp on cp.id = e.position_id
         where $5::bigint is null or r.at <= $5
         order by r.position_id, r.at"#,
        year,
        scope.all,
        &scope.unit_patterns,
        scope.own,
        view.per_position,
        view.position,
    )
    .fetch_all(conn)
    .await
}
