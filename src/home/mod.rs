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

#[derive(sqlx::FromRow)]
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
#[derive(sqlx::FromRow, Default)]
pub struct OwnStanding {
    pub required: i64,
    pub met: i64,
    pub below: i64,
    pub not_assessed: i64,
    pub pending: i64,
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
}

async fn home(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let profile: Option<OwnProfile> = match user.employee_id {
        Some(id) => {
            sqlx::query_as(
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
            .await?
        }
        None => None,
    };
    let standing: Option<OwnStanding> = match user.employee_id {
        Some(id) => Some(
            sqlx::query_as(
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
            .await?,
        ),
        None => None,
    };
    let pending_to_validate = ctx.badge("/assessments/pending");
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
        Some(
            sqlx::query_as(
                "select (select count(*) from employees where active) as employees,
                        (select count(*) from employees where active and status = 'PNS') as pns,
                        (select count(*) from employees where active and status = 'PPPK') as pppk,
                        (select count(*) from units where closed_on is null) as units,
                        (select count(*) from positions where active) as positions,
                        (select count(*) from accounts) as accounts,
                        (select count(*) from accounts where disabled_at is not null) as disabled_accounts,
                        (select count(*) from login_attempts where not success and at > now() - interval '24 hours') as failed_logins_24h",
            )
            .fetch_one(&mut *conn)
            .await?,
        )
    } else {
        None
    };
    render(&HomePage { ctx, profile, standing, pending_to_validate, units, totals, is_admin, is_hr })
}
