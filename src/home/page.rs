//! The home page, assembled for the reader's roles.

use super::*;

#[derive(askama::Template)]
#[template(path = "home/index.html")]
pub(super) struct HomePage {
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

pub(super) async fn home(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    // Every part below is kept: a connection is taken only for a part that must be computed
    // (a page served from kept parts costs no round trip to the database).
    let pool = &state.pool;
    // The employee's own parts, reused while the records are unchanged (the page everyone opens).
    let own = match user.employee_id {
        Some(id) => Some(own_parts(&state, pool, id, ctx.today).await?),
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
        sqlx::query_as!(
            UnitSummary,
            r#"select h.id, h.name,
                    (select count(*) from units s where s.path like h.path || '%' and s.id <> h.id and s.closed_on is null) as "sub_units!",
                    (select count(*) from employees e join units s on s.id = e.unit_id
                      where s.path like h.path || '%' and e.active) as "employees!"
             from units h where h.id = any($1) order by h.sort_key"#,
            &unit_ids,
        )
        .fetch_all(pool)
        .await?
    };
    let is_admin = user.has(Role::Admin);
    let is_hr = user.has(Role::Hr);
    let totals = if is_admin || is_hr {
        // Counts over every employee: reused while the records are unchanged; the accounts' own
        // figures (logins) are read each time.
        let staff = state
            .versions
            .get(pool, "home.totals".into(), |conn| {
                Box::pin(async move {
                    let r = sqlx::query!(
                        r#"select e.employees as "employees!", e.pns as "pns!", e.pppk as "pppk!",
                                (select count(*) from units where closed_on is null) as "units!",
                                (select count(*) from positions where active) as "positions!"
                         from (select count(*) as employees, count(*) filter (where status = 'PNS') as pns,
                                      count(*) filter (where status = 'PPPK') as pppk
                               from employees where active) e"#,
                    )
                    .fetch_one(conn)
                    .await?;
                    Ok::<_, sqlx::Error>((r.employees, r.pns, r.pppk, r.units, r.positions))
                })
            })
            .await?;
        let figures = state
            .recent
            .get("home.accounts".into(), crate::app::recent::RECENT_TTL, ctx.recent_write, || async {
                let mut conn = pool.acquire().await?;
                let r = sqlx::query!(
                    r#"select (select count(*) from accounts) as "accounts!",
                    (select count(*) from accounts where disabled_at is not null) as "disabled!",
                    (select count(*) from login_attempts where not success and at > now() - interval '24 hours') as "failed!""#,
                )
                .fetch_one(&mut *conn)
                .await?;
                Ok::<_, sqlx::Error>((r.accounts, r.disabled, r.failed))
            })
            .await?;
        let (accounts, disabled_accounts, failed_logins_24h) = *figures;
        let (employees, pns, pppk, units, positions) = *staff;
        Some(Totals { employees, pns, pppk, units, positions, accounts, disabled_accounts, failed_logins_24h })
    } else {
        None
    };
    let staff_view = user.has(Role::Hr) || user.has(Role::Head);
    let decisions = if staff_view { Some(pending_to_validate.unwrap_or(0)) } else { None };
    // The unit whose figures come first: the department for HR, else the head's own unit.
    let focus_unit: Option<(i64, String)> =
        if is_hr { root_unit(&state, pool).await? } else { user.head_units.first().map(|u| (u.id, u.path.clone())) };
    // The open campaigns' progress, as the campaign list shows it for this reader.
    let campaign_progress = if staff_view {
        let scope = user.scope();
        let account = user.account_id;
        let rows = state
            .personal
            .get(pool, format!("home.campaigns:{account}"), move |conn| {
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
    // The unit's figures and the department's sums are independent: computed at once (at 100 000
    // staff, 0.6 s and 0.2 s when neither is kept yet), each on its own connection (this request
    // holds none while it waits for one).
    let en = ctx.lang.is_en();
    let (focus, department) = if is_hr {
        let (f, d) = tokio::try_join!(
            focus_of(&state, pool, &focus_unit, ctx.today, en),
            department_figures(&state, pool, ctx.today)
        )?;
        (f, Some(d))
    } else {
        (focus_of(&state, pool, &focus_unit, ctx.today, en).await?, None)
    };
    let campaigns = match user.employee_id {
        Some(id) => crate::campaigns::db::own_reused(&state, pool, id, ctx.lang.is_en()).await?,
        None => vec![],
    };
    let idp_next = match user.employee_id {
        Some(id) => crate::idp::routes::home_block(&state, pool, id, &ctx).await?,
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
pub(super) async fn own_parts<'a>(
    state: &AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
    id: i64,
    today: chrono::NaiveDate,
) -> Result<(Option<OwnProfile>, OwnStanding, OwnDevelopment), sqlx::Error> {
    let year = chrono::Datelike::year(&today);
    let parts = state
        .personal
        .get(conn, format!("home.own:{id}:{today}"), move |conn| {
            Box::pin(async move {
                let profile: Option<OwnProfile> = sqlx::query_as!(
                    OwnProfile,
                    r#"select e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                    coalesce(p.name, '') as "position!", u.name as unit,
                    coalesce(rank_label(r.grade, r.status, r.title), '') as "rank!",
                    e.status as "status: crate::employees::model::EmployeeStatus"
             from employees e join units u on u.id = e.unit_id
             left join positions p on p.id = e.position_id left join ranks r on r.code = e.rank_code
             where e.id = $1"#,
                    id,
                )
                .fetch_optional(&mut *conn)
                .await?;
                let standing: OwnStanding = sqlx::query_as!(
                    OwnStanding,
                    r#"with s as (select s.competency_id, s.required_level, cl.level
                            from employees e join position_standards s on s.position_id = e.position_id
                            left join current_levels cl on cl.employee_id = e.id and cl.competency_id = s.competency_id
                            where e.id = $1)
                 select count(*) as "required!", count(*) filter (where level >= required_level) as "met!",
                        count(*) filter (where level < required_level) as "below!", count(*) filter (where level is null) as "not_assessed!",
                        (select count(*) from assessments where employee_id = $1 and status = 'pending') as "pending!",
                        count(*) filter (where level is null and exists (
                          select 1 from current_level_rows r where r.employee_id = $1 and r.competency_id = s.competency_id)) as "expired!"
                 from s"#,
                    id,
                )
                .fetch_one(&mut *conn)
                .await?;
                let development: OwnDevelopment = sqlx::query_as!(
                    OwnDevelopment,
                    r#"with owed as (select participant_id as id, title, ends_on from evaluations_owed where employee_id = $1)
                     select (select coalesce(sum(jp), 0)::float8 from jp_entries where employee_id = $1 and year = $2) as "jp_year!",
                        (select count(*) from owed) as "evaluations_owed!",
                        array(select id from owed order by ends_on, id limit 5) as "owed_ids!",
                        array(select title from owed order by ends_on, id limit 5) as "owed_titles!",
                        (select count(*) from training_participants where employee_id = $1
                          and certificate_expires_on between $3::date and $3::date + 90) as "certificates_expiring!",
                        (select count(*) from activities a join activity_learners l on l.activity_id = a.id
                          where l.employee_id = $1 and a.status = 'pending') as "activities_waiting!",
                        (select count(*) from training_participants tp join trainings t on t.id = tp.training_id
                          where tp.employee_id = $1 and tp.status in ('nominated', 'approved')
                            and t.status in ('planned', 'open', 'running')) as "trainings_ahead!""#,
                    id,
                    year,
                    today,
                )
                .fetch_one(&mut *conn)
                .await?;
                Ok::<_, sqlx::Error>((profile, standing, development))
            })
        })
        .await?;
    Ok(parts.as_ref().clone())
}

/// The figures of the unit the home shows first, if there is one.
async fn focus_of<'a>(
    state: &AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
    focus_unit: &Option<(i64, String)>,
    today: chrono::NaiveDate,
    en: bool,
) -> Result<Option<UnitFocus>, sqlx::Error> {
    match focus_unit {
        Some((id, path)) => unit_focus(state, conn, (*id, path), today, en).await,
        None => Ok(None),
    }
}

/// The department: the first unit without a parent.
async fn root_unit<'a>(
    state: &AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    let root = state
        .versions
        .get(conn, "home.root_unit".into(), |conn| {
            Box::pin(async move {
                sqlx::query!("select id, path from units where parent_id is null order by sort_key limit 1")
                    .fetch_optional(conn)
                    .await
                    .map(|r| r.map(|r| (r.id, r.path)))
            })
        })
        .await?;
    Ok((*root).clone())
}

/// Computes HR's home figures (the department's sums and its figures as a unit, in the first
/// language) when the node starts (`app::warm`): without this the first HR to open the home after
/// a start waited for them (~0.5 s at 100 000 staff).
pub async fn warm(state: &AppState, today: chrono::NaiveDate) -> Result<(), sqlx::Error> {
    let mut conn = state.pool.acquire().await?;
    let root = root_unit(state, &mut conn).await?;
    focus_of(state, &mut conn, &root, today, false).await?;
    department_figures(state, &mut conn, today).await?;
    Ok(())
}

/// Department-wide sums over every employee (HR's home): reused while the records are unchanged.
/// The year's evaluations are a range of instants computed once (`agency_date` per row read the
/// time zone setting 229 000 times at 100 000 staff: 780 ms, now 75 ms).
async fn department_figures<'a>(
    state: &AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
    today: chrono::NaiveDate,
) -> Result<DepartmentFigures, sqlx::Error> {
    let year = chrono::Datelike::year(&today);
    let figures = state
            .versions
            .get(conn, format!("home.department:{today}"), move |conn| {
                Box::pin(async move {
                    sqlx::query_as!(
                        DepartmentFigures,
                        r#"select (select count(*) from staff_below_jp($1)) as "below_jp!",
                        (select count(*) from employees where active) as "staff!",
                        b.allocated as "allocated!", b.committed as "committed!", b.spent as "spent!",
                        (select count(*) from trainings where status <> 'cancelled'
                          and date_trunc('month', starts_on) = date_trunc('month', $2::date)) as "trainings_this_month!",
                        (select count(*) from training_participants where certificate_expires_on between $2::date and $2::date + 90) as "certificates_expiring!",
                        (select avg((ev.relevance + ev.method + ev.trainer + ev.usefulness) / 4.0)::float8 from training_evaluations ev
                          where ev.submitted_at >= (select make_date($1, 1, 1)::timestamp at time zone agency_time_zone())
                            and ev.submitted_at < (select make_date($1 + 1, 1, 1)::timestamp at time zone agency_time_zone())) as evaluation
                         from (select coalesce(sum(allocated), 0)::bigint as allocated, coalesce(sum(committed), 0)::bigint as committed,
                                      coalesce(sum(spent), 0)::bigint as spent
                               from budget_figures($1)) b"#,
                        year,
                        today,
                    )
                    .fetch_one(conn)
                    .await
                })
            })
            .await?;
    Ok((*figures).clone())
}
