//! One employee's record and the competency lines of their profile.

use super::*;

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Detail {
    pub id: i64,
    pub nip: String,
    pub status: crate::employees::model::EmployeeStatus,
    pub front_title: String,
    pub name: String,
    pub back_title: String,
    pub full_name: String,
    pub sex: crate::employees::model::Sex,
    pub birth_date: chrono::NaiveDate,
    pub rank_code: Option<String>,
    pub rank: String,
    pub position_id: Option<i64>,
    pub position: String,
    pub unit_id: i64,
    pub unit: String,
    pub unit_path: String,
    pub education_level: Option<String>,
    pub education_field: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub active: bool,
    pub deactivated_on: Option<chrono::NaiveDate>,
    /// Whether the reader may decide on this employee's records (validate, assess): the
    /// `scope_decides` rule, never their own record.
    pub decides: bool,
    /// The version this was read at (edit forms carry it).
    pub version: i64,
}

impl crate::app::versioned::Weigh for Detail {}

/// One employee as a page shows them to a reader with `scope` (`find`), kept per version of the
/// records: every page about one person reads it, and its unit's label cost ~0.1 ms of the
/// database each time (a fifth of the gap card's cost at 15 000 staff). Not for a write's
/// checks, which read inside their own transaction.
pub async fn find_seen<'a>(
    state: &crate::AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
    id: i64,
    scope: &Scope,
) -> Result<Option<Detail>, sqlx::Error> {
    let key = format!("employees.find:{id}:{}", scope.key());
    let scope = scope.clone();
    let seen = state.personal.get(conn, key, move |conn| Box::pin(async move { find(conn, id, &scope).await })).await?;
    Ok(seen.as_ref().clone())
}

/// One employee, if within the scope.
pub async fn find(conn: &mut PgConnection, id: i64, scope: &Scope) -> Result<Option<Detail>, sqlx::Error> {
    sqlx::query_as!(
        Detail,
        r#"select e.id, e.nip, e.status as "status: crate::employees::model::EmployeeStatus", e.front_title, e.name,
            e.back_title, employee_display_name(e.front_title, e.name, e.back_title) as "full_name!",
            e.sex as "sex: crate::employees::model::Sex", e.birth_date, e.rank_code,
            coalesce(rank_label(r.grade, r.status, r.title), '') as "rank!",
            e.position_id, coalesce(p.name, '') as "position!", e.unit_id, unit_path_label(u.path) as "unit!",
            u.path as unit_path, e.education_level, e.education_field, e.email, e.phone, e.active, e.deactivated_on,
            e.version, scope_decides($1, $2, $3, e.id, u.path) as "decides!"
         from employees e join units u on u.id = e.unit_id
         left join positions p on p.id = e.position_id left join ranks r on r.code = e.rank_code
         where e.id = $4 and scope_sees($1, $2, $3, e.id, u.path)"#,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// A competency line on the profile: the standard's requirement beside the current level.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Line {
    pub competency_id: i64,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub kind: crate::competencies::model::CompetencyKind,
    pub required_level: Option<i16>,
    pub priority: Option<crate::competencies::model::Priority>,
    pub current_level: Option<i16>,
    pub assessed_on: Option<chrono::NaiveDate>,
    pub pending: i64,
}

impl Line {
    pub fn gap(&self) -> Option<i16> {
        match (self.required_level, self.current_level) {
            (Some(r), Some(c)) => Some(c - r),
            _ => None,
        }
    }

    /// CSS class for the gap cell: met, −1, −2 or worse, not assessed, not required.
    pub fn gap_class(&self) -> &'static str {
        match (self.required_level, self.gap()) {
            (None, _) => "gap-none",
            (Some(_), None) => "gap-unknown",
            (_, Some(g)) if g >= 0 => "gap-met",
            (_, Some(-1)) => "gap-1",
            _ => "gap-2",
        }
    }
}

/// The standard of the employee's position beside current levels, plus competencies assessed
/// outside the standard. One query.
pub async fn profile_lines(conn: &mut PgConnection, employee_id: i64) -> Result<Vec<Line>, sqlx::Error> {
    sqlx::query_as!(
        Line,
        r#"with e as (select id, position_id from employees where id = $1),
         cur as (select competency_id, level, assessed_on from current_levels where employee_id = $1),
         pend as (select competency_id, count(*) as n from assessments where employee_id = $1 and status = 'pending' group by 1),
         comps as (select s.competency_id from position_standards s join e on s.position_id = e.position_id
                   union select competency_id from cur union select competency_id from pend)
         select c.id as competency_id, c.code, c.name_id, c.name_en, c.kind as "kind: crate::competencies::model::CompetencyKind",
                s.required_level as "required_level?", s.priority as "priority?: crate::competencies::model::Priority",
                cur.level as "current_level?", cur.assessed_on as "assessed_on?", coalesce(pend.n, 0) as "pending!"
         from comps join competencies c on c.id = comps.competency_id
         left join e on true
         left join position_standards s on s.position_id = e.position_id and s.competency_id = c.id
         left join cur on cur.competency_id = c.id
         left join pend on pend.competency_id = c.id
         order by s.required_level is null, c.kind <> 'teknis', case s.priority when 'critical' then 0 when 'important' then 1 else 2 end, c.code"#,
        employee_id,
    )
    .fetch_all(conn)
    .await
}
