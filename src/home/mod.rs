//! The home page: what each role needs to see first.

use std::collections::HashMap;

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

impl HelpPage {
    /// Whether the reader may open this page: the help links only where it will not answer 403
    /// (the rest is named without a link).
    fn may(&self, path: &str) -> bool {
        use crate::auth::Role;
        match path {
            "/approvals" | "/gaps" => self.ctx.is_hr() || self.ctx.has_head(),
            "/imports" => self.ctx.has(Role::Hr),
            _ => self.ctx.user.is_some(),
        }
    }
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
    /// Requirements whose assessed level is no longer valid (counted in `not_assessed`): re-assess.
    pub expired: i64,
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

impl crate::app::versioned::Weigh for DepartmentFigures {}

/// A person to act on now, with the largest known gap and the suggested route to close it.
#[derive(sqlx::FromRow, Clone)]
pub struct ActRow {
    pub employee_id: i64,
    pub name: String,
    pub position: String,
    pub unit: String,
    pub tier: i16,
    pub code: Option<String>,
    pub competency: Option<String>,
    pub current_level: Option<i16>,
    pub required_level: Option<i16>,
    /// The colleague suggested as mentor (chosen after the query, within each one's spare capacity).
    #[sqlx(skip)]
    pub mentor_id: Option<i64>,
    #[sqlx(skip)]
    pub mentor: Option<String>,
    /// Colleagues who hold the level, best first, with the mentoring capacity each has left.
    pub mentor_ids: Vec<i64>,
    pub mentor_names: Vec<String>,
    pub mentor_spare: Vec<i32>,
    pub training_id: Option<i64>,
    pub training: Option<String>,
}

/// Gives each row the first candidate mentor who still has capacity once the rows above took
/// theirs (the cap of `/settings/gaps` counts, as on `/gaps/mentors`); a row without one keeps
/// its training.
fn choose_mentors(rows: &mut [ActRow]) {
    let mut taken: HashMap<i64, i32> = HashMap::new();
    for r in rows.iter_mut() {
        let pick = r
            .mentor_ids
            .iter()
            .zip(&r.mentor_names)
            .zip(&r.mentor_spare)
            .find(|((id, _), spare)| taken.get(id).copied().unwrap_or(0) < **spare);
        if let Some(((id, name), _)) = pick {
            *taken.entry(*id).or_default() += 1;
            r.mentor_id = Some(*id);
            r.mentor = Some(name.clone());
        }
    }
}

/// The budget of a unit's subtree this year against its latest accepted plan.
#[derive(sqlx::FromRow, Clone, Default)]
pub struct BudgetFigures {
    pub allocated: i64,
    pub remaining: i64,
    pub plan_year: Option<i32>,
    pub plan_budget: Option<i64>,
}

impl ActRow {
    pub fn tier_key(&self) -> &'static str {
        crate::gaps::db::tier_key(self.tier)
    }
}

/// What a head (their unit) or HR (the department) needs first: readiness and coverage, whom to
/// act on now and how, the largest gaps, the budget. Computed once per version of the records.
#[derive(Clone)]
pub struct UnitFocus {
    pub readiness: crate::gaps::db::UnitReadiness,
    pub act_now: Vec<ActRow>,
    pub top_gaps: Vec<crate::gaps::db::CompetencyGap>,
    pub budget: BudgetFigures,
}

impl crate::app::versioned::Weigh for UnitFocus {}

/// How many people the home lists to act on.
const ACT_NOW: i64 = 5;

async fn unit_focus(
    state: &AppState,
    conn: &mut sqlx::PgConnection,
    (unit_id, path): (i64, &str),
    today: chrono::NaiveDate,
    en: bool,
) -> Result<Option<UnitFocus>, sqlx::Error> {
    let key = format!("home.focus:{unit_id}:{today}:{en}");
    let path = path.to_string();
    let focus = state
        .versions
        .get(conn, key, move |conn| {
            Box::pin(async move {
                let Some(readiness) =
                    crate::gaps::db::readiness(&mut *conn, today, unit_id, &path).await?.into_iter().next()
                else {
                    return Ok(None);
                };
                // The first people of the summary's own order (the top tier, then the weighted
                // gap in what is known), each with their largest known gap and one route: a
                // colleague who holds it (same unit first), else a planned or open training.
                let settings = crate::gaps::db::settings(&mut *conn).await?;
                let act_now: Vec<ActRow> = sqlx::query_as(
                    "with s as (
                       select s.employee_id, s.tier, s.critical_big, s.score, s.sort_name from gap_summary($1, $2) s
                       where s.flagged
                       order by s.critical_big is not null desc, s.score desc, s.sort_name, s.employee_id limit $3),
                     need as (
                       select distinct on (g.employee_id) g.employee_id, g.competency_id, g.required_level, g.current_level
                       from requirement_gaps g join s on s.employee_id = g.employee_id where g.gap > 0
                       order by g.employee_id, g.gap * g.weight desc, g.competency_id)
                     select s.employee_id, employee_display_name(e.front_title, e.name, e.back_title) as name,
                            coalesce(p.name, '') as position, u.name as unit, s.tier, c.code,
                            case when $4 then c.name_en else c.name_id end as competency, n.current_level, n.required_level,
                            coalesce(m.ids, '{}') as mentor_ids, coalesce(m.names, '{}') as mentor_names,
                            coalesce(m.spare, '{}') as mentor_spare, t.id as training_id, t.title as training
                     from s join employees e on e.id = s.employee_id join units u on u.id = e.unit_id
                     left join positions p on p.id = e.position_id
                     left join need n on n.employee_id = s.employee_id left join competencies c on c.id = n.competency_id
                     left join lateral (
                       select array_agg(c.id order by c.rank) as ids, array_agg(c.name order by c.rank) as names,
                              array_agg(c.spare order by c.rank) as spare
                       from (
                         select x.id, employee_display_name(x.front_title, x.name, x.back_title) as name,
                                row_number() over (order by x.unit_id = e.unit_id desc, cl.level desc, x.name, x.id) as rank,
                                ($5::int - coalesce(ld.mentees, 0))::int as spare
                         from current_levels cl join employees x on x.id = cl.employee_id and x.active and x.id <> e.id
                         left join mentor_load($1::date) ld on ld.mentor_id = x.id
                         where cl.competency_id = n.competency_id and cl.level >= n.required_level
                         order by x.unit_id = e.unit_id desc, cl.level desc, x.name, x.id limit 12) c
                       where c.spare > 0) m on true
                     left join lateral (
                       select t.id, t.title from trainings t join training_competencies tc on tc.training_id = t.id
                       where tc.competency_id = n.competency_id and tc.target_level >= n.required_level
                         and t.status in ('planned', 'open')
                       order by t.starts_on, t.id limit 1) t on true
                     order by s.critical_big is not null desc, s.score desc, s.sort_name, s.employee_id",
                )
                .bind(today)
                .bind(&path)
                .bind(ACT_NOW)
                .bind(en)
                .bind(i32::from(settings.mentor_cap))
                .fetch_all(&mut *conn)
                .await?;
                let mut act_now = act_now;
                choose_mentors(&mut act_now);
                let top_gaps = crate::gaps::db::top_gaps(&mut *conn, &path, en, 3).await?;
                let year = chrono::Datelike::year(&today);
                let budget: BudgetFigures = sqlx::query_as(
                    "select f.allocated, f.remaining, p.year as plan_year, p.budget as plan_budget
                     from (select coalesce(sum(b.allocated), 0)::bigint as allocated, coalesce(sum(b.remaining), 0)::bigint as remaining
                           from budget_figures($2) b join units u on u.id = b.unit_id where u.path like $1 || '%') f
                     left join lateral (select d.year, d.budget from dev_plans d where d.unit_id = $3 and d.year in ($2, $2 + 1)
                                        order by d.year desc, d.accepted_at desc limit 1) p on true",
                )
                .bind(&path)
                .bind(year)
                .bind(unit_id)
                .fetch_one(&mut *conn)
                .await?;
                Ok::<_, sqlx::Error>(Some(UnitFocus { readiness, act_now, top_gaps, budget }))
            })
        })
        .await?;
    Ok(focus.as_ref().clone())
}

#[derive(askama::Template)]
#[template(path = "home/index.html")]
struct HomePage {
    ctx: Ctx,
    profile: Option<OwnProfile>,
    standing: Option<OwnStanding>,
    units: Vec<UnitSummary>,
    totals: Option<Totals>,
    is_admin: bool,
    is_hr: bool,
    development: Option<OwnDevelopment>,
    /// The unit a head leads (or the department, for HR) first: readiness, whom to act on.
    focus: Option<UnitFocus>,
    /// Decisions waiting for this reader: one figure, the approval queue's (as beside the menu).
    decisions: Option<i64>,
    /// Open assessment campaigns in the reader's reach, with their progress (heads and HR).
    campaign_progress: Vec<crate::campaigns::db::ListRow>,
    department: Option<DepartmentFigures>,
    /// Open assessment campaigns asking this employee something (`templates/campaigns/home_block.html`).
    campaigns: Vec<crate::campaigns::db::OwnCampaign>,
    /// The next step of the employee's IDP (`templates/idp/home_block.html`).
    idp_next: Option<crate::idp::routes::HomeBlock>,
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

    /// "Yayan Sopyan (Bidang Aplikasi)" as a route's colleague, or the training's title.
    fn route(&self, a: &ActRow) -> String {
        match (&a.mentor, &a.training) {
            (Some(m), _) => self.ctx.t("home.route_mentor").replace("{name}", m),
            (None, Some(t)) => self.ctx.t("home.route_training").replace("{title}", t),
            (None, None) => self.ctx.t("home.route_none").to_string(),
        }
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
    let decisions = if staff_view { Some(pending_to_validate.unwrap_or(0)) } else { None };
    // The unit whose figures come first: the department for HR, else the head's own unit.
    let focus_unit: Option<(i64, String)> = if is_hr {
        sqlx::query_as("select id, path from units where parent_id is null order by sort_key limit 1")
            .fetch_optional(&mut *conn)
            .await?
    } else {
        user.head_units.first().map(|u| (u.id, u.path.clone()))
    };
    // The open campaigns' progress, as the campaign list shows it for this reader.
    let campaign_progress = if staff_view {
        let scope = user.scope();
        let account = user.account_id;
        let rows = state
            .personal
            .get(&mut conn, format!("home.campaigns:{account}"), move |conn| {
                Box::pin(async move {
                    let rows = crate::campaigns::db::list(conn, &scope, account, 3, 0).await?;
                    Ok::<_, sqlx::Error>(rows.into_iter().filter(|r| r.closed_at.is_none()).collect::<Vec<_>>())
                })
            })
            .await?;
        rows.as_ref().clone()
    } else {
        vec![]
    };
    let focus = match &focus_unit {
        Some((id, path)) => unit_focus(&state, &mut conn, (*id, path), ctx.today, ctx.lang.is_en()).await?,
        None => None,
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
                        "select (select count(*) from staff_below_jp($1)) as below_jp,
                        (select count(*) from employees where active) as staff,
                        b.allocated, b.committed, b.spent,
                        (select count(*) from trainings where status <> 'cancelled'
                          and date_trunc('month', starts_on) = date_trunc('month', $2::date)) as trainings_this_month,
                        (select count(*) from training_participants where certificate_expires_on between $2::date and $2::date + 90) as certificates_expiring,
                        (select avg((ev.relevance + ev.method + ev.trainer + ev.usefulness) / 4.0)::float8 from training_evaluations ev
                          where extract(year from agency_date(ev.submitted_at)) = $1) as evaluation
                         from (select coalesce(sum(allocated), 0)::bigint as allocated, coalesce(sum(committed), 0)::bigint as committed,
                                      coalesce(sum(spent), 0)::bigint as spent
                               from budget_figures($1)) b",
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
    let campaigns = match user.employee_id {
        Some(id) => crate::campaigns::db::own_reused(&state, &mut conn, id, ctx.lang.is_en()).await?,
        None => vec![],
    };
    let idp_next = match user.employee_id {
        Some(id) => crate::idp::routes::home_block(&state, &mut conn, id, &ctx).await?,
        None => None,
    };
    render(&HomePage {
        idp_next,
        ctx,
        profile,
        standing,
        units,
        totals,
        is_admin,
        is_hr,
        development,
        focus,
        decisions,
        campaign_progress,
        department,
        campaigns,
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
                        (select count(*) from assessments where employee_id = $1 and status = 'pending') as pending,
                        count(*) filter (where level is null and exists (
                          select 1 from current_level_rows r where r.employee_id = $1 and r.competency_id = s.competency_id)) as expired
                 from s",
                )
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
                let development: OwnDevelopment = sqlx::query_as(
                    "with owed as (select participant_id as id, title, ends_on from evaluations_owed where employee_id = $1)
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
