//! A unit's figures: readiness of its parts, its staff a page at a time, its top gaps and single
//! points of failure; the units an account may pick.

use super::*;

/// Readiness and flagged staff of the unit and of each unit directly under it.
#[derive(serde::Deserialize, Clone, Debug)]
pub struct UnitReadiness {
    pub unit_id: i64,
    pub name: String,
    pub staff: i64,
    pub flagged: i64,
    pub requirements: i64,
    pub met: i64,
    /// Requirements with a known, valid level.
    pub assessed: i64,
    /// Staff in the top tier (act now).
    pub top_tier: i64,
    /// Staff under half assessed and not flagged (ask for an assessment).
    pub not_assessed: i64,
}

impl UnitReadiness {
    /// Readiness over what is known: met / assessed (None when nothing is known).
    pub fn readiness(&self) -> Option<f64> {
        (self.assessed > 0).then(|| self.met as f64 / self.assessed as f64)
    }

    /// Readiness in percent; None when nothing is known.
    pub fn percent(&self) -> Option<i64> {
        self.readiness().map(|r| (r * 100.0).round() as i64)
    }

    /// Assessment coverage: assessed / required, in percent.
    pub fn coverage_percent(&self) -> i64 {
        if self.requirements == 0 {
            100
        } else {
            (self.assessed as f64 * 100.0 / self.requirements as f64).round() as i64
        }
    }

    /// Too little is known to call the unit ready or not (under half assessed).
    pub fn mostly_unknown(&self) -> bool {
        self.assessed * 2 < self.requirements
    }

    pub fn flagged_percent(&self) -> i64 {
        if self.staff == 0 { 0 } else { (self.flagged as f64 * 100.0 / self.staff as f64).round() as i64 }
    }
}

/// The readiness of the unit under `path` (its whole subtree) and then of each open unit directly
/// under it, from one pass over the kept gap facts: `$1` today, `$2` the unit, `$3` its path.
/// Staff are counted per unit, and each unit belongs to the part directly under this one that holds
/// it (an equality to group on; a prefix match against every part cost 10 s at 100 000 staff).
pub async fn readiness(
    conn: &mut PgConnection,
    today: NaiveDate,
    unit: i64,
    path: &str,
) -> Result<Vec<UnitReadiness>, sqlx::Error> {
    sqlx::query_as!(
        UnitReadiness,
        r#"with by_unit as (
           select g.unit_id, count(*) as staff, count(*) filter (where g.flagged) as flagged,
                  sum(g.requirements) as requirements, sum(g.met) as met, sum(g.assessed) as assessed,
                  count(*) filter (where g.tier = 1) as top_tier, count(*) filter (where g.tier = 3) as not_assessed
           from gap_summary($1, $3) g group by g.unit_id),
         by_part as (
           select $3 || nullif(split_part(substr(u.path, length($3) + 1), '/', 1), '') || '/' as part_path,
                  sum(b.staff) as staff, sum(b.flagged) as flagged, sum(b.requirements) as requirements, sum(b.met) as met,
                  sum(b.assessed) as assessed, sum(b.top_tier) as top_tier, sum(b.not_assessed) as not_assessed
           from by_unit b join units u on u.id = b.unit_id group by 1),
         parts as (select id, name, path, 0 as ord, '' as sort_key from units where id = $2
                   union all
                   select id, name, path, 1, sort_key from units where parent_id = $2 and closed_on is null)
         select p.id as "unit_id!", p.name as "name!", coalesce(sum(b.staff), 0)::bigint as "staff!",
                coalesce(sum(b.flagged), 0)::bigint as "flagged!", coalesce(sum(b.requirements), 0)::bigint as "requirements!",
                coalesce(sum(b.met), 0)::bigint as "met!", coalesce(sum(b.assessed), 0)::bigint as "assessed!",
                coalesce(sum(b.top_tier), 0)::bigint as "top_tier!", coalesce(sum(b.not_assessed), 0)::bigint as "not_assessed!"
         from parts p left join by_part b on p.ord = 0 or b.part_path = p.path
         group by p.id, p.name, p.ord, p.sort_key order by p.ord, p.sort_key"#,
        today,
        unit,
        path,
    )
    .fetch_all(conn)
    .await
}

/// A page of the staff under `path` (`only_flagged`: of the flagged ones), highest weighted gap
/// first; `limit` None for all of them (exports).
pub async fn staff_page(
    conn: &mut PgConnection,
    today: NaiveDate,
    path: &str,
    only_flagged: bool,
    offset: i64,
    limit: Option<i64>,
) -> Result<Vec<StaffGap>, sqlx::Error> {
    // The same columns as `staff_gap` (kept as whole statements: the schema test prepares every
    // static statement).
    sqlx::query_as!(
        StaffGap,
        r#"with s as (
           select * from gap_summary($1, $2) s
           where not $3 or s.flagged
           order by s.critical_big is not null desc, s.score desc, s.sort_name, s.employee_id offset $4 limit $5)
         select s.employee_id as "employee_id!", e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                u.name as unit, coalesce(p.name, '') as "position!", s.requirements as "requirements!", s.met as "met!",
                s.coverage as "coverage!", s.score as "score!", s.max_gap as "max_gap!", s.critical_below, s.big_gaps,
                s.jp_year as "jp_year!", s.jp_minimum as "jp_minimum!", s.last_development, s.last_assessment,
                s.flag_critical as "flag_critical!", s.flag_coverage as "flag_coverage!", s.flag_big_gap as "flag_big_gap!",
                s.flag_jp as "flag_jp!", s.flag_development as "flag_development!", s.flag_assessment as "flag_assessment!",
                s.assessed as "assessed!", s.readiness, s.critical_big, s.tier as "tier!", s.flagged as "flagged!"
         from s join employees e on e.id = s.employee_id join units u on u.id = e.unit_id
         left join positions p on p.id = e.position_id
         order by s.critical_big is not null desc, s.score desc, s.sort_name, s.employee_id"#,
        today,
        path,
        only_flagged,
        offset,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// A competency with the total gap in a unit.
#[derive(Clone, Debug)]
pub struct CompetencyGap {
    pub competency_id: i64,
    pub code: String,
    pub name: String,
    pub staff_short: i64,
    pub levels: i64,
    pub weighted: f64,
}

pub async fn top_gaps(
    conn: &mut PgConnection,
    path: &str,
    en: bool,
    limit: i64,
) -> Result<Vec<CompetencyGap>, sqlx::Error> {
    sqlx::query_as!(
        CompetencyGap,
        r#"with a as (
           select f.competency_id, sum(f.staff_short)::bigint as staff_short, sum(f.gap_critical)::int as gc,
                  sum(f.gap_important)::int as gi, sum(f.gap_useful)::int as gu
           from unit_gap_facts f join units u on u.id = f.unit_id where u.path like $1 || '%' group by f.competency_id)
         select c.id as competency_id, c.code, case when $2 then c.name_en else c.name_id end as "name!",
                a.staff_short as "staff_short!", (a.gc + a.gi + a.gu)::bigint as "levels!",
                weighted_gap(a.gc, a.gi, a.gu, gs) as "weighted!"
         from a join competencies c on c.id = a.competency_id cross join gap_settings gs
         where a.gc + a.gi + a.gu > 0
         order by "weighted!" desc, c.code limit $3"#,
        path,
        en,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// A required competency that one person or nobody in the unit holds at the required level.
#[derive(Clone, Debug)]
pub struct SinglePoint {
    pub code: String,
    pub name: String,
    pub required_level: i16,
    pub holders: i64,
    pub holder: Option<String>,
    /// Staff in the unit with a known, valid level of it at all (0: nobody is known).
    pub known: i64,
}

pub async fn single_points(conn: &mut PgConnection, path: &str, en: bool) -> Result<Vec<SinglePoint>, sqlx::Error> {
    sqlx::query_as!(
        SinglePoint,
        r#"with agg as (
           select f.competency_id, max(f.max_required) filter (where f.required_by > 0) as required_level,
                  sum(f.h1) as h1, sum(f.h2) as h2, sum(f.h3) as h3, sum(f.h4) as h4, sum(f.h5) as h5
           from unit_gap_facts f join units u on u.id = f.unit_id
           where u.path like $1 || '%' group by f.competency_id),
         held as (
           select a.competency_id, a.required_level, a.h1::bigint as known,
                  (case a.required_level when 1 then a.h1 when 2 then a.h2 when 3 then a.h3 when 4 then a.h4 else a.h5 end)::bigint as holders
           from agg a where a.required_level is not null)
         select c.code, case when $2 then c.name_en else c.name_id end as "name!",
                h.required_level::smallint as "required_level!", h.holders as "holders!", h.known as "known!",
                case when h.holders = 1 then
                  (select employee_display_name(e.front_title, e.name, e.back_title)
                   from current_levels cl join employees e on e.id = cl.employee_id and e.active
                   join units u on u.id = e.unit_id
                   where cl.competency_id = h.competency_id and cl.level >= h.required_level and u.path like $1 || '%'
                   limit 1) end as "holder?"
         from held h join competencies c on c.id = h.competency_id
         where h.holders <= 1 order by h.known = 0, h.holders, c.code"#,
        path,
        en,
    )
    .fetch_all(conn)
    .await
}

/// A unit the reader may analyse: (id, name, path).
pub async fn unit_in_scope(
    conn: &mut PgConnection,
    unit: Option<i64>,
    user: &crate::auth::CurrentUser,
) -> Result<Option<(i64, String, String)>, sqlx::Error> {
    let scope = user.scope();
    let default = if scope.all {
        sqlx::query_scalar!("select id from units where parent_id is null order by sort_key limit 1")
            .fetch_optional(&mut *conn)
            .await?
    } else {
        user.head_units.first().map(|u| u.id)
    };
    let Some(id) = unit.or(default) else { return Ok(None) };
    Ok(sqlx::query!(
        "select id, name, path from units where id = $1 and unit_in_scope($2, $3, path)",
        id,
        scope.all,
        &scope.unit_patterns
    )
    .fetch_optional(conn)
    .await?
    .map(|r| (r.id, r.name, r.path)))
}

/// Units the reader may analyse, for the unit picker (reused while the records are unchanged: a
/// regency's tree is read for every page view otherwise).
pub async fn unit_options<'a>(
    state: &crate::app::AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
    user: &crate::auth::CurrentUser,
    current: i64,
) -> Result<Vec<crate::units::db::UnitOption>, sqlx::Error> {
    let scope = user.scope();
    crate::units::db::near_reused(state, conn, Some(current), scope.all, &scope.unit_patterns).await
}
