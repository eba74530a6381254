//! The home page: what each role needs to see first.

use axum::{extract::State, response::Response};

use crate::{
    app::{Access, AppResult, AppState, Ctx, Routes, render::render},
    auth::{CurrentUser, Role},
};

pub fn routes() -> Routes {
    Routes::new().nav(10, |_| Some(("/".into(), "nav.home"))).get("/", Access::SignedIn, home).get(
        "/help",
        Access::Public,
        help,
    )
}

#[derive(askama::Template)]
#[template(path = "help/index.html")]
struct HelpPage {
    ctx: Ctx,
}

/// The help page (both languages live in the template).
async fn help(ctx: Ctx) -> AppResult<Response> {
    render(&HelpPage { ctx })
}

#[derive(sqlx::FromRow, Clone)]
pub struct OwnProfile {
    pub nip: String,
    pub name: String,
    pub position: String,
    pub unit: String,
    pub rank: String,
    pub status: crate::employees::model::EmployeeStatus,
}

#[derive(sqlx::FromRow)]
pub struct UnitSummary {
    pub id: i64,
    pub name: String,
    pub sub_units: i64,
    pub employees: i64,
}

#[derive(sqlx::FromRow, Default)]
pub struct Totals {
    pub employees: i64,
    pub pns: i64,
    pub pppk: i64,
    pub units: i64,
    pub positions: i64,
    pub accounts: i64,
    pub disabled_accounts: i64,
    pub failed_logins_24h: i64,
}

/// The employee's own standard at a glance.
#[derive(sqlx::FromRow, Default, Clone)]
pub struct OwnStanding {
    pub required: i64,
    pub met: i64,
    pub below: i64,
    pub not_assessed: i64,
    pub pending: i64,
}

/// An employee's development this year at a glance.
#[derive(sqlx::FromRow, Default, Clone)]
pub struct OwnDevelopment {
    pub jp_year: f64,
    pub evaluations_owed: i64,
    /// The owed evaluations themselves (participation id, training title), oldest first.
    pub owed_ids: Vec<i64>,
    pub owed_titles: Vec<String>,
    pub certificates_expiring: i64,
    pub activities_waiting: i64,
    pub trainings_ahead: i64,
}

/// The department's development figures for HR.
#[derive(sqlx::FromRow, Default, Clone)]
pub struct DepartmentFigures {
    pub below_jp: i64,
    pub staff: i64,
    pub allocated: i64,
    pub committed: i64,
    pub spent: i64,
    pub trainings_this_month: i64,
    pub certificates_expiring: i64,
    pub evaluation: Option<f64>,
}

#[derive(askama::Template)]
#[template(path = "home/index.html")]
struct HomePage {
    ctx: Ctx,
    profile: Option<OwnProfile>,
    standing: Option<OwnStanding>,
    pending_to_validate: Option<i64>,
    units: Vec<UnitSummary>,
    totals: Option<Totals>,
    is_admin: bool,
    is_hr: bool,
    development: Option<OwnDevelopment>,
    waiting: Option<crate::gaps::db::UnitReadiness>,
    decisions: Option<crate::development::hub::Waiting>,
    department: Option<DepartmentFigures>,
}

impl HomePage {
    fn jp(&self, v: &f64) -> String {
        crate::development::model::jp_text(*v, self.ctx.lang.is_en())
    }

    fn jp_percent(&self) -> i64 {
        let min = self.ctx.agency.jp_per_year;
        match &self.development {
            Some(d) if min > 0.0 => ((d.jp_year / min) * 100.0).min(100.0).round() as i64,
            _ => 100,
        }
    }

    fn money(&self, v: &i64) -> String {
        crate::development::model::rupiah(*v)
    }
}

async fn home(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    // The employee's own parts, reused while the records are unchanged (the page everyone opens).
    let own = match user.employee_id {
        Some(id) => Some(own_parts(&state, &mut conn, id, ctx.today).await?),
        None => None,
    };
    let (profile, standing, development) = match own {
        Some((p, s, d)) => (p, Some(s), Some(d)),
        None => (None, None, None),
    };
    let pending_to_validate = ctx.badge("/approvals");
    let unit_ids: Vec<i64> = user.head_units.iter().map(|u| u.id).collect();
    let units: Vec<UnitSummary> = if unit_ids.is_empty() {
        vec![]
    } else {
        sqlx::query_as(
            "select h.id, h.name,
                    (select count(*) from units s where s.path like h.path || '%' and s.id <> h.id and s.closed_on is null) as sub_units,
                    (select count(*) from employees e join units s on s.id = e.unit_id
                      where s.path like h.path || '%' and e.active) as employees
             from units h where h.id = any($1) order by h.sort_key",
        )
        .bind(&unit_ids)
        .fetch_all(&mut *conn)
        .await?
    };
    let is_admin = user.has(Role::Admin);
    let is_hr = user.has(Role::Hr);
    let totals = if is_admin || is_hr {
        // Counts over every employee: reused while the records are unchanged; the accounts' own
        // figures (logins) are read each time.
        let staff = state
            .versions
            .get(&mut conn, "home.totals".into(), |conn| {
                Box::pin(async move {
                    sqlx::query_as::<_, (i64, i64, i64, i64, i64)>(
                        "select e.employees, e.pns, e.pppk,
                                (select count(*) from units where closed_on is null),
                                (select count(*) from positions where active)
                         from (select count(*) as employees, count(*) filter (where status = 'PNS') as pns,
                                      count(*) filter (where status = 'PPPK') as pppk
                               from employees where active) e",
                    )
                    .fetch_one(conn)
                    .await
                })
            })
            .await?;
        let (accounts, disabled_accounts, failed_logins_24h): (i64, i64, i64) = sqlx::query_as(
            "select (select count(*) from accounts), (select count(*) from accounts where disabled_at is not null),
                    (select count(*) from login_attempts where not success and at > now() - interval '24 hours')",
        )
        .fetch_one(&mut *conn)
        .await?;
        let (employees, pns, pppk, units, positions) = *staff;
        Some(Totals { employees, pns, pppk, units, positions, accounts, disabled_accounts, failed_logins_24h })
    } else {
        None
    };
    let staff_view = user.has(Role::Hr) || user.has(Role::Head);
    let decisions =
        if staff_view { Some(crate::development::hub::waiting(&state, &mut conn, &user).await?) } else { None };
    // Readiness of a head's own unit (a bidang or seksi; HR and heads of the whole department
    // open the gap analysis for it: the department-wide figures are not for every page view).
    let waiting = if user.has(Role::Head) && !is_hr {
        match user.head_units.first() {
            Some(u) if u.path.matches('/').count() > 2 => {
                crate::gaps::db::readiness(&mut conn, ctx.today, u.id, &u.path).await?.into_iter().next()
            }
            _ => None,
        }
    } else {
        None
    };
    let department: Option<DepartmentFigures> = if is_hr {
        // Department-wide sums over every employee: reused while the records are unchanged.
        let today = ctx.today;
        let year = chrono::Datelike::year(&today);
        let figures = state
            .versions
            .get(&mut conn, format!("home.department:{today}"), move |conn| {
                Box::pin(async move {
                    sqlx::query_as::<_, DepartmentFigures>(
                        "select (select count(*) from employees e
                          left join employee_jp_years j on j.employee_id = e.id and j.year = $1
                          where e.active and coalesce(j.jp, 0) < (select value::numeric from settings where key = 'jp_per_year')) as below_jp,
                        (select count(*) from employees where active) as staff,
                        (select coalesce(sum(amount), 0)::bigint from unit_budgets where year = $1) as allocated,
                        (select coalesce(sum(committed), 0)::bigint from budget_use where year = $1) as committed,
                        (select coalesce(sum(spent), 0)::bigint from budget_use where year = $1) as spent,
                        (select count(*) from trainings where status <> 'cancelled'
                          and date_trunc('month', starts_on) = date_trunc('month', $2::date)) as trainings_this_month,
                        (select count(*) from training_participants where certificate_expires_on between $2::date and $2::date + 90) as certificates_expiring,
                        (select avg((ev.relevance + ev.method + ev.trainer + ev.usefulness) / 4.0)::float8 from training_evaluations ev
                          where extract(year from ev.submitted_at) = $1) as evaluation",
                    )
                    .bind(year)
                    .bind(today)
                    .fetch_one(conn)
                    .await
                })
            })
            .await?;
        Some((*figures).clone())
    } else {
        None
    };
    render(&HomePage {
        ctx,
        profile,
        standing,
        pending_to_validate,
        units,
        totals,
        is_admin,
        is_hr,
        development,
        waiting,
        decisions,
        department,
    })
}

/// An employee's own figures on their home: profile, standing against the standard, development.
async fn own_parts(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    id: i64,
    today: chrono::NaiveDate,
) -> Result<(Option<OwnProfile>, OwnStanding, OwnDevelopment), sqlx::Error> {
    let year = chrono::Datelike::year(&today);
    let parts = state
        .personal
        .get(conn, format!("home.own:{id}:{today}"), move |conn| {
            Box::pin(async move {
                let profile: Option<OwnProfile> = sqlx::query_as(
                    "select e.nip, employee_display_name(e.front_title, e.name, e.back_title) as name,
                    coalesce(p.name, '') as position, u.name as unit,
                    coalesce(rank_label(r.grade, r.status, r.title), '') as rank,
                    e.status
             from employees e join units u on u.id = e.unit_id
             left join positions p on p.id = e.position_id left join ranks r on r.code = e.rank_code
             where e.id = $1",
                )
                .bind(id)
                .fetch_optional(&mut *conn)
                .await?;
                let standing: OwnStanding = sqlx::query_as(
                    "with s as (select s.competency_id, s.required_level, cl.level
                            from employees e join position_standards s on s.position_id = e.position_id
                            left join current_levels cl on cl.employee_id = e.id and cl.competency_id = s.competency_id
                            where e.id = $1)
                 select count(*) as required, count(*) filter (where level >= required_level) as met,
                        count(*) filter (where level < required_level) as below, count(*) filter (where level is null) as not_assessed,
                        (select count(*) from assessments where employee_id = $1 and status = 'pending') as pending
                 from s",
                )
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
                let development: OwnDevelopment = sqlx::query_as(
                    "with owed as (
                       select tp.id, t.title, t.ends_on from training_participants tp join trainings t on t.id = tp.training_id
                       where tp.employee_id = $1 and t.status = 'completed' and tp.status in ('attended', 'passed', 'failed')
                         and not exists (select 1 from training_evaluations ev where ev.participant_id = tp.id))
                     select (select coalesce(sum(jp), 0)::float8 from jp_entries where employee_id = $1 and year = $2) as jp_year,
                        (select count(*) from owed) as evaluations_owed,
                        array(select id from owed order by ends_on, id limit 5) as owed_ids,
                        array(select title from owed order by ends_on, id limit 5) as owed_titles,
                        (select count(*) from training_participants where employee_id = $1
                          and certificate_expires_on between $3::date and $3::date + 90) as certificates_expiring,
                        (select count(*) from activities a join activity_learners l on l.activity_id = a.id
                          where l.employee_id = $1 and a.status = 'pending') as activities_waiting,
                        (select count(*) from training_participants tp join trainings t on t.id = tp.training_id
                          where tp.employee_id = $1 and tp.status in ('nominated', 'approved')
                            and t.status in ('planned', 'open', 'running')) as trainings_ahead",
                )
                .bind(id)
                .bind(year)
                .bind(today)
                .fetch_one(&mut *conn)
                .await?;
                Ok::<_, sqlx::Error>((profile, standing, development))
            })
        })
        .await?;
    Ok(parts.as_ref().clone())
}
