//! The IDP's queries. Progress is read from `idp_line_progress` (migration 30), never stored.

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::model::{IdpRoute, IdpStatus, LineSource};

#[derive(Clone, Debug)]
pub struct Idp {
    pub id: i64,
    pub employee_id: i64,
    pub year: i32,
    pub starts_on: NaiveDate,
    pub status: IdpStatus,
    pub approved_by: Option<String>,
    pub approved_at: Option<chrono::DateTime<chrono::Utc>>,
    pub version: i64,
}

/// The employee's IDP of a year.
pub async fn find(conn: &mut PgConnection, employee: i64, year: i32) -> Result<Option<Idp>, sqlx::Error> {
    sqlx::query_as!(
        Idp,
        r#"select i.id, i.employee_id, i.year, i.starts_on, i.status as "status: IdpStatus",
                coalesce(employee_display_name(ea.front_title, ea.name, ea.back_title), a.username) as "approved_by?",
                i.approved_at, i.version
         from idps i left join accounts a on a.id = i.approved_by left join employees ea on ea.id = a.employee_id
         where i.employee_id = $1 and i.year = $2"#,
        employee,
        year,
    )
    .fetch_optional(conn)
    .await
}

/// One line with its progress.
#[derive(Clone, Debug)]
pub struct Line {
    pub id: i64,
    pub competency_id: i64,
    pub code: String,
    pub name: String,
    pub start_level: Option<i16>,
    pub goal_level: i16,
    pub required_level: Option<i16>,
    pub target_date: NaiveDate,
    pub route: IdpRoute,
    pub programme_id: Option<i64>,
    pub programme: Option<String>,
    pub training_id: Option<i64>,
    pub training: Option<String>,
    pub training_starts: Option<NaiveDate>,
    pub mentor_id: Option<i64>,
    pub mentor: Option<String>,
    pub mentor_nip: Option<String>,
    pub note: String,
    pub expected_jp: f64,
    pub source: LineSource,
    pub version: i64,
    pub current_level: Option<i16>,
    pub earned_jp: f64,
    pub waiting: i64,
    pub sessions: i64,
    pub passed: bool,
    pub percent: i32,
    pub state: String,
}

pub async fn lines(conn: &mut PgConnection, idp: i64, en: bool) -> Result<Vec<Line>, sqlx::Error> {
    sqlx::query_as!(
        Line,
        r#"select l.id, l.competency_id, c.code, case when $2 then c.name_en else c.name_id end as "name!",
                l.start_level, l.goal_level, ps.required_level as "required_level?", l.target_date,
                l.route as "route: IdpRoute", l.programme_id, pr.title as "programme?", l.training_id,
                t.title as "training?", t.starts_on as "training_starts?", l.mentor_id,
                employee_display_name(m.front_title, m.name, m.back_title) as "mentor?", m.nip as "mentor_nip?",
                l.note, l.expected_jp::float8 as "expected_jp!", l.source as "source: LineSource", l.version,
                p.current_level as "current_level?", p.earned_jp as "earned_jp!", p.waiting as "waiting!",
                p.sessions as "sessions!", p.passed as "passed!", p.percent as "percent!", p.state as "state!"
         from idp_lines l join idp_line_progress p on p.line_id = l.id join competencies c on c.id = l.competency_id
         join idps i on i.id = l.idp_id join employees e on e.id = i.employee_id
         left join position_standards ps on ps.position_id = e.position_id and ps.competency_id = l.competency_id
         left join programmes pr on pr.id = l.programme_id left join trainings t on t.id = l.training_id
         left join employees m on m.id = l.mentor_id
         where l.idp_id = $1
         order by (p.state = 'reached'), l.target_date, c.code"#,
        idp,
        en,
    )
    .fetch_all(conn)
    .await
}

/// A gap line the IDP is made from: the requirement, the level now, and the line of the latest
/// accepted unit plan (AKPK) for this person and competency, if any.
#[derive(Clone, Debug)]
pub struct Seed {
    pub competency_id: i64,
    pub required_level: i16,
    pub current_level: Option<i16>,
    pub plan_training: Option<i64>,
    pub plan_mentor: Option<i64>,
    pub plan_programme: Option<i64>,
    pub plan_jp: Option<f64>,
    pub training_ends: Option<NaiveDate>,
    /// A catalogue programme offered this year that develops the competency to the required level.
    pub programme: Option<i64>,
    pub programme_jp: Option<f64>,
}

/// The known gaps of the employee against their own position, with what the accepted plan and the
/// catalogue offer for each (`$2` the year).
pub async fn seeds(conn: &mut PgConnection, employee: i64, year: i32) -> Result<Vec<Seed>, sqlx::Error> {
    sqlx::query_as!(
        Seed,
        r#"select g.competency_id as "competency_id!", g.required_level as "required_level!",
                g.current_level as "current_level?", pl.training_id as "plan_training?", pl.mentor_id as "plan_mentor?",
                pl.programme_id as "plan_programme?", pl.jp::float8 as "plan_jp?", t.ends_on as "training_ends?",
                pg.id as "programme?", pg.jp::float8 as "programme_jp?"
         from requirement_gaps g
         left join lateral (
           select di.training_id, di.mentor_id, di.programme_id, di.jp from dev_plan_items di join dev_plans dp on dp.id = di.plan_id
           where di.employee_id = g.employee_id and di.competency_id = g.competency_id and dp.year >= $2
           order by dp.accepted_at desc, di.id limit 1) pl on true
         left join trainings t on t.id = pl.training_id
         left join lateral (
           select p.id, p.jp from programmes p join programme_competencies pc on pc.programme_id = p.id
           where pc.competency_id = g.competency_id and pc.target_level >= g.required_level and p.active
             and $2 between p.offered_from and p.offered_to
           order by p.scheme = 'national_free' desc, p.jp, p.id limit 1) pg on true
         where g.employee_id = $1 and g.gap > 0
         order by g.competency_id"#,
        employee,
        year,
    )
    .fetch_all(conn)
    .await
}

/// The next step of an employee's IDP of the year: the first line not reached, by target date.
#[derive(Clone, Debug)]
pub struct NextStep {
    pub employee_id: i64,
    pub status: IdpStatus,
    pub percent: i64,
    pub open_lines: i64,
    pub competency_id: i64,
    pub code: String,
    pub name: String,
    pub goal_level: i16,
    pub target_date: NaiveDate,
    pub route: IdpRoute,
    pub programme: Option<String>,
    pub training_id: Option<i64>,
    pub training: Option<String>,
    pub mentor_id: Option<i64>,
    pub mentor: Option<String>,
    pub mentor_nip: Option<String>,
    pub note: String,
}

impl crate::app::versioned::Weigh for NextStep {}

pub async fn next_step(
    conn: &mut PgConnection,
    employee: i64,
    year: i32,
    en: bool,
) -> Result<Option<NextStep>, sqlx::Error> {
    sqlx::query_as!(
        NextStep,
        r#"with l as (select l.*, p.percent, p.state from idps i join idp_lines l on l.idp_id = i.id
                    join idp_line_progress p on p.line_id = l.id where i.employee_id = $1 and i.year = $2)
         select i.employee_id, i.status as "status: IdpStatus", (select round(avg(percent))::bigint from l) as "percent!",
                (select count(*) from l where state <> 'reached') as "open_lines!",
                l.competency_id as "competency_id!", c.code, case when $3 then c.name_en else c.name_id end as "name!",
                l.goal_level as "goal_level!", l.target_date as "target_date!", l.route as "route!: IdpRoute",
                pr.title as "programme?", l.training_id as "training_id?", t.title as "training?",
                l.mentor_id as "mentor_id?", employee_display_name(m.front_title, m.name, m.back_title) as "mentor?",
                m.nip as "mentor_nip?", l.note as "note!"
         from l join idps i on i.id = l.idp_id join competencies c on c.id = l.competency_id
         left join programmes pr on pr.id = l.programme_id left join trainings t on t.id = l.training_id
         left join employees m on m.id = l.mentor_id
         where l.state <> 'reached'
         order by l.target_date, c.code limit 1"#,
        employee,
        year,
        en,
    )
    .fetch_optional(conn)
    .await
}

/// One IDP in a unit's list (IDP progress report), or a person without one.
#[derive(Clone, Debug)]
pub struct UnitRow {
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub position: String,
    pub unit: String,
    pub idp_id: Option<i64>,
    pub status: Option<IdpStatus>,
    pub lines: i64,
    pub reached: i64,
    pub moving: i64,
    pub expected_jp: f64,
    pub earned_jp: f64,
    pub percent: Option<i64>,
    /// Known gaps against the own position (what an IDP would be made from).
    pub gaps: i64,
}

/// Every active employee of the unit subtree `$1` (within the reader's scope, `$3`–`$5`) with their
/// IDP of the year `$2` and its progress: one statement.
/// How many staff a unit's IDP page covers, how many have an IDP of the year and how many are
/// approved.
pub async fn unit_counts(
    conn: &mut PgConnection,
    path: &str,
    year: i32,
    scope: &crate::auth::Scope,
) -> Result<(i64, i64, i64), sqlx::Error> {
    let r = sqlx::query!(
        r#"select count(*) as "staff!", count(i.id) as "with_idp!",
                  count(*) filter (where i.status = 'approved') as "approved!"
           from employees e join units u on u.id = e.unit_id
           left join idps i on i.employee_id = e.id and i.year = $2
           where e.active and u.path like $1 || '%' and scope_sees($3, $4, $5, e.id, u.path)"#,
        path,
        year,
        scope.all,
        scope.own,
        &scope.unit_patterns,
    )
    .fetch_one(conn)
    .await?;
    Ok((r.staff, r.with_idp, r.approved))
}

/// The staff of a unit (in the unit tree's order, then by name) with their IDP of the year and
/// its progress: `limit` of them from `offset` (a page), or all (`None`: the exports). Only the
/// staff of the page are aggregated.
pub async fn unit_rows(
    conn: &mut PgConnection,
    path: &str,
    year: i32,
    scope: &crate::auth::Scope,
    (offset, limit): (i64, Option<i64>),
) -> Result<Vec<UnitRow>, sqlx::Error> {
    sqlx::query_as!(
        UnitRow,
        r#"with pe as materialized (
             select e.id from employees e join units u on u.id = e.unit_id
             where e.active and u.path like $1 || '%' and scope_sees($3, $4, $5, e.id, u.path)
             order by u.sort_key, e.name, e.id offset $6 limit $7)
         select e.id as employee_id, e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                coalesce(po.name, '') as "position!", u.name as unit, i.id as "idp_id?", i.status as "status?: IdpStatus",
                count(l.id) as "lines!", count(l.id) filter (where p.state = 'reached') as "reached!",
                count(l.id) filter (where p.state = 'moving') as "moving!",
                coalesce(sum(l.expected_jp), 0)::float8 as "expected_jp!",
                coalesce(sum(least(p.earned_jp, l.expected_jp::float8)), 0)::float8 as "earned_jp!",
                round(avg(p.percent))::bigint as "percent?",
                (select count(*) from requirement_gaps g where g.employee_id = e.id and g.gap > 0) as "gaps!"
         from pe join employees e on e.id = pe.id join units u on u.id = e.unit_id
         left join positions po on po.id = e.position_id
         left join idps i on i.employee_id = e.id and i.year = $2
         left join idp_lines l on l.idp_id = i.id left join idp_line_progress p on p.line_id = l.id
         group by e.id, po.name, u.name, u.sort_key, i.id
         order by u.sort_key, e.name, e.id"#,
        path,
        year,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        offset,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// A template line of a position.
#[derive(Clone, Debug)]
pub struct TemplateLine {
    pub id: i64,
    pub competency_id: i64,
    pub code: String,
    pub name: String,
    pub goal_level: i16,
    pub route: IdpRoute,
    pub programme_id: Option<i64>,
    pub programme: Option<String>,
    pub months: i16,
    pub expected_jp: f64,
}

pub async fn template_lines(
    conn: &mut PgConnection,
    position: i64,
    en: bool,
) -> Result<Vec<TemplateLine>, sqlx::Error> {
    sqlx::query_as!(
        TemplateLine,
        r#"select t.id, t.competency_id, c.code, case when $2 then c.name_en else c.name_id end as "name!", t.goal_level,
                t.route as "route: IdpRoute", t.programme_id, p.title as "programme?", t.months,
                t.expected_jp::float8 as "expected_jp!"
         from idp_templates t join competencies c on c.id = t.competency_id left join programmes p on p.id = t.programme_id
         where t.position_id = $1 order by c.code"#,
        position,
        en,
    )
    .fetch_all(conn)
    .await
}

/// What applying a template did: IDPs made, lines added, people who needed none of its lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    pub idps: i64,
    pub lines: i64,
    pub untouched: i64,
}

/// Apply the position's template to every active employee in it, in set statements: an IDP of the
/// year where they have none, and only the lines whose goal is above their validated level (a
/// level not known counts as needing it: the line asks for it to be shown). Lines they already
/// have for a competency are kept as they are.
pub async fn apply_template(
    conn: &mut PgConnection,
    position: i64,
    year: i32,
    starts_on: NaiveDate,
    account: i64,
) -> Result<Applied, sqlx::Error> {
    let r = sqlx::query!(
        r#"with need as (
           select e.id as employee_id, t.competency_id, cl.level as current_level, t.goal_level, t.route, t.programme_id,
                  t.months, t.expected_jp
           from employees e join idp_templates t on t.position_id = e.position_id
           left join current_levels cl on cl.employee_id = e.id and cl.competency_id = t.competency_id
           where e.position_id = $1 and e.active and (cl.level is null or cl.level < t.goal_level)),
         made as (
           insert into idps (employee_id, year, starts_on, created_by)
           select distinct employee_id, $2::int, $3::date, $4::bigint from need
           on conflict (employee_id, year) do nothing
           returning id, employee_id),
         target as (
           select n.*, coalesce(m.id, i.id) as idp_id from need n
           left join made m on m.employee_id = n.employee_id
           left join idps i on i.employee_id = n.employee_id and i.year = $2::int),
         added as (
           insert into idp_lines (idp_id, competency_id, start_level, goal_level, target_date, route, programme_id,
                                  expected_jp, source)
           select idp_id, competency_id, current_level, goal_level,
                  least(($3::date + make_interval(months => months::int))::date, make_date($2::int, 12, 31)),
                  route, programme_id, expected_jp, 'template'
           from target where idp_id is not null
           on conflict (idp_id, competency_id) do nothing
           returning idp_id)
         select (select count(*) from made) as "idps!", (select count(*) from added) as "lines!",
                (select count(*) from employees e where e.position_id = $1 and e.active
                   and not exists (select 1 from need n where n.employee_id = e.id)) as "untouched!""#,
        position,
        year,
        starts_on,
        account,
    )
    .fetch_one(conn)
    .await?;
    Ok(Applied { idps: r.idps, lines: r.lines, untouched: r.untouched })
}
