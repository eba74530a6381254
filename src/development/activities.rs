//! Informal development (nonklasikal): coaching, mentoring, self-study, learning communities,
//! on-the-job guidance, internships… An employee logs their own session (as learner or as the
//! mentor who gave it); it counts once the learners' head or HR confirms it. Logged by a head or
//! HR for their own staff it counts at once. JP come from the agency's rules (`activity_jp`).

use axum::{
    extract::{Multipart, Query, State},
    response::Response,
};
use serde::Deserialize;
use serde_json::json;

use super::model::{ActivityKind, ActivityStatus, JpRuleApplied, jp_text};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        decide::{self, Decidable, Outcome, StatusChange, Way},
        edit,
        form::{FieldErrors, clean_text, read_multipart, required_text},
        paging::{PER_PAGE, Pager, query_string},
        render::{FlashKind, redirect_flash, render, render_status},
        routes::BadgeFuture,
    },
    assessments::{db::store_evidence, model::Evidence},
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    competencies::model::Level,
    employees::{
        db::{Opt, competency_options},
        form::parse_date,
    },
    people::{Picker, Purpose},
};

/// A self-study counts only with a report of what was learnt and from which sources.
const SELF_STUDY_REPORT_MIN: usize = 40;

pub fn routes() -> Routes {
    Routes::new()
        .get("/activities", Access::SignedIn, list)
        .get("/activities/new", Access::SignedIn, new_form)
        .post("/activities", Access::SignedIn, create)
        .post("/activities/{id}/confirm", Access::AnyOf(&[Role::Hr, Role::Head]), decide::post::<Activity, true>)
        .post("/activities/{id}/reject", Access::AnyOf(&[Role::Hr, Role::Head]), decide::post::<Activity, false>)
        .badge("/development", waiting_badge)
}

/// What waits for this user in development: activities and nominations to decide, requests to
/// decide or schedule, evaluations owed.
fn waiting_badge<'a>(state: &'a AppState, user: &'a CurrentUser) -> BadgeFuture<'a> {
    Box::pin(async move { super::hub::waiting(state, &state.pool, user).await.map(|w| Some(w.total())) })
}

#[derive(sqlx::FromRow)]
pub struct ActivityRow {
    pub id: i64,
    pub kind: ActivityKind,
    pub topic: String,
    pub competency: String,
    pub held_on: chrono::NaiveDate,
    pub minutes: i32,
    pub mentor: Option<String>,
    pub learners: String,
    pub status: ActivityStatus,
    pub decision_reason: String,
    pub evidence_id: Option<i64>,
    pub report: String,
    /// My JP from it (as a learner) and the rule that produced them.
    pub jp: Option<f64>,
    pub rule: Option<JpRuleApplied>,
    pub decides: bool,
    /// Rows of this list (all pages).
    pub total: i64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    status: String,
    page: Option<i64>,
}

#[derive(askama::Template)]
#[template(path = "development/activities.html")]
struct ListPage {
    ctx: Ctx,
    waiting: Vec<ActivityRow>,
    mine: Vec<ActivityRow>,
    given: Vec<ActivityRow>,
    staff: Vec<ActivityRow>,
    status: String,
    statuses: &'static [ActivityStatus],
    /// Pages of the staff list (the one that grows with the department).
    pager: Pager,
}

impl ListPage {
    fn jp(&self, v: &Option<f64>) -> String {
        v.map(|j| jp_text(j, self.ctx.lang.is_en())).unwrap_or_else(|| "—".into())
    }
}

/// The list query: `$1` whose JP to show, `$2..$4` the scope, `$5` the language, `$6` which rows,
/// `$7` a status filter, `$8`/`$9` limit and offset.
const LIST_SQL: &str = "
    select a.id, a.kind, a.topic, c.code || ' ' || case when $5 then c.name_en else c.name_id end as competency, a.held_on,
           a.minutes, employee_display_name(m.front_title, m.name, m.back_title) as mentor,
           (select string_agg(employee_display_name(e.front_title, e.name, e.back_title), ', ' order by e.name)
              from activity_learners l join employees e on e.id = l.employee_id where l.activity_id = a.id) as learners,
           a.status, a.decision_reason, a.evidence_id, a.report,
           aj.jp::float8 as jp, aj.rule,
           not exists (select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
                       where l.activity_id = a.id and not scope_decides($2, $3, $4, e.id, u.path))
             and a.mentor_id is distinct from $3 as decides,
           count(*) over () as total
    from activities a join competencies c on c.id = a.competency_id left join employees m on m.id = a.mentor_id
    left join activity_jp aj on aj.activity_id = a.id and aj.employee_id = $1
    where case $6
      when 'mine' then exists (select 1 from activity_learners l where l.activity_id = a.id and l.employee_id = $1)
      when 'given' then a.mentor_id = $1
      when 'waiting' then a.status = 'pending'
        and not exists (select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
                        where l.activity_id = a.id and not scope_decides($2, $3, $4, e.id, u.path))
        and a.mentor_id is distinct from $3
      else exists (select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
                   where l.activity_id = a.id and scope_sees($2, $3, $4, e.id, u.path))
           and ($7 = '' or a.status = $7)
    end
    order by a.held_on desc, a.id desc limit $8 offset $9";

async fn rows(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    en: bool,
    which: &str,
    status: &str,
    page: Option<i64>,
) -> Result<Vec<ActivityRow>, sqlx::Error> {
    let scope = user.scope();
    sqlx::query_as(LIST_SQL)
        .bind(user.employee_id.unwrap_or(0))
        .bind(scope.all)
        .bind(scope.own)
        .bind(&scope.unit_patterns)
        .bind(en)
        .bind(which)
        .bind(status)
        .bind(PER_PAGE)
        .bind(Pager::offset(page))
        .fetch_all(conn)
        .await
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let en = ctx.lang.is_en();
    let status = ActivityStatus::parse(&q.status).map(|s| s.as_str()).unwrap_or("");
    let mut conn = state.pool.acquire().await?;
    let staff_view = user.has(Role::Hr) || user.has(Role::Head);
    let waiting = if staff_view { rows(&mut conn, &user, en, "waiting", "", None).await? } else { vec![] };
    let (mine, given) = if user.employee_id.is_some() {
        (rows(&mut conn, &user, en, "mine", "", None).await?, rows(&mut conn, &user, en, "given", "", None).await?)
    } else {
        (vec![], vec![])
    };
    let staff = if staff_view { rows(&mut conn, &user, en, "staff", status, q.page).await? } else { vec![] };
    let pager = Pager::new(q.page, staff.first().map_or(0, |r| r.total), query_string(&[("status", status)]));
    render(&ListPage {
        ctx,
        waiting,
        mine,
        given,
        staff,
        status: status.to_string(),
        statuses: ActivityStatus::ALL,
        pager,
    })
}

#[derive(Clone, Debug, Default)]
pub struct ActivityInput {
    pub role: String,
    pub kind: String,
    pub competency: String,
    pub target_level: String,
    pub held_on: String,
    pub minutes: String,
    pub topic: String,
    pub mentor: String,
    pub learners: String,
    /// The ticked people of each picker (ids, checked again on the server).
    pub mentor_ids: Vec<String>,
    pub learner_ids: Vec<String>,
    pub notes: String,
    pub outcome: String,
    pub report: String,
    pub form_token: String,
}

#[derive(askama::Template)]
#[template(path = "development/activity_form.html")]
struct FormPage {
    ctx: Ctx,
    form: ActivityInput,
    errors: FieldErrors,
    kinds: &'static [ActivityKind],
    competencies: Vec<Opt>,
    levels: [Level; 5],
    /// Roles this user can log as: learner, mentor (needs an employee record), staff (head or HR).
    roles: Vec<&'static str>,
    rules: Vec<RuleText>,
    /// The mentor's and the learners' person pickers, drawn.
    mentor_picker: String,
    learners_picker: String,
}

/// An informal form's rule in words, shown beside the form.
pub struct RuleText {
    pub kind: ActivityKind,
    pub text: String,
}

/// Every informal rule in words: "45 minutes = 1 JP; at most 2 JP a session; at most 2 sessions a month".
pub async fn rule_texts(conn: &mut sqlx::PgConnection, ctx: &Ctx) -> Result<Vec<RuleText>, sqlx::Error> {
    let rules: Vec<super::jp::Rule> = sqlx::query_as(super::jp::RULES_SQL).fetch_all(conn).await?;
    Ok(rules.iter().map(|r| RuleText { kind: r.kind, text: r.describe(ctx) }).collect())
}

/// The mentor is chosen by name among every colleague (learning: name, position and unit only).
fn mentor_picker() -> Picker {
    Picker::new("mentor", "act.mentor_pick", "act.mentor_pick_hint", Purpose::Learning)
}

/// The learners: colleagues one learnt with or mentored; staff one decides for when logging for them.
fn learners_picker(role: &str) -> Picker {
    let purpose = if role == "staff" { Purpose::Manage } else { Purpose::Learning };
    Picker::new("learners", "act.learners_pick", "act.learners_pick_hint", purpose).multiple().purpose_from_role()
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    form: ActivityInput,
    mut errors: FieldErrors,
    pickers: Option<(Picker, Picker)>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let competencies = competency_options(&mut conn, ctx.lang.is_en()).await?;
    let rules = rule_texts(&mut conn, &ctx).await?;
    let (mut mentor, mut learners) = match pickers {
        Some(p) => p,
        None => (
            mentor_picker().prefill(&mut conn, &ctx, user, &form.mentor_ids.join(","), &form.mentor).await?,
            learners_picker(&form.role)
                .prefill(&mut conn, &ctx, user, &form.learner_ids.join(","), &form.learners)
                .await?,
        ),
    };
    // A rule of the form about a person (no mentor where one is needed…) shows beside its picker.
    for p in [&mut mentor, &mut learners] {
        match (&p.error, errors.get(p.field)) {
            (None, Some(k)) => p.error = Some((k, ctx.t(k).to_string())),
            (Some((k, _)), None) => errors.add(p.field, k),
            _ => {}
        }
    }
    let mentor_picker = mentor.html(&ctx)?;
    let learners_picker = learners.html(&ctx)?;
    let status = errors.status();
    let page = FormPage {
        mentor_picker,
        learners_picker,
        form,
        errors,
        kinds: ActivityKind::ALL,
        competencies,
        levels: Level::ALL,
        roles: roles(user),
        rules,
        ctx,
    };
    render_status(status, &page)
}

fn roles(user: &CurrentUser) -> Vec<&'static str> {
    let mut r = vec![];
    if user.employee_id.is_some() {
        r.push("learner");
        r.push("mentor");
    }
    if user.has(Role::Hr) || user.has(Role::Head) {
        r.push("staff");
    }
    r
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    kind: String,
    competency: String,
    role: String,
    mentor: String,
    learners: String,
    /// A colleague chosen by a link (the gap card's mentors, a training's participants).
    mentor_id: String,
    learner_ids: String,
}

async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let available = roles(&user);
    let first = available.first().copied().ok_or(AppError::Forbidden)?;
    let role = available.iter().copied().find(|r| *r == q.role).unwrap_or(first);
    let form = ActivityInput {
        role: role.into(),
        kind: ActivityKind::parse(&q.kind).unwrap_or(ActivityKind::Mentoring).as_str().into(),
        competency: q.competency,
        held_on: ctx.today.to_string(),
        minutes: "90".into(),
        mentor: q.mentor,
        learners: q.learners,
        mentor_ids: q.mentor_id.split(',').map(str::to_string).collect(),
        learner_ids: q.learner_ids.split(',').map(str::to_string).collect(),
        form_token: edit::new_token(),
        ..Default::default()
    };
    form_page(&state, ctx, &user, form, FieldErrors::default(), None).await
}

async fn read_form(mp: Multipart) -> AppResult<(ActivityInput, Option<(String, Vec<u8>)>)> {
    let mut p = read_multipart(mp, "evidence").await?;
    let f = ActivityInput {
        role: p.take("role"),
        kind: p.take("kind"),
        competency: p.take("competency"),
        target_level: p.take("target_level"),
        held_on: p.take("held_on"),
        minutes: p.take("minutes"),
        topic: p.take("topic"),
        mentor: p.take("mentor"),
        learners: p.take("learners"),
        mentor_ids: p.take_all("mentor_id"),
        learner_ids: p.take_all("learners_id"),
        notes: p.take("notes"),
        outcome: p.take("outcome"),
        report: p.take("report"),
        form_token: p.take("form_token"),
    };
    Ok((f, p.file))
}

async fn create(State(state): State<AppState>, ctx: Ctx, user: CurrentUser, mp: Multipart) -> AppResult<Response> {
    let (form, file) = read_form(mp).await?;
    let mut errors = FieldErrors::default();
    let mut conn = state.pool.acquire().await?;
    let role = roles(&user).into_iter().find(|r| *r == form.role.trim());
    if role.is_none() {
        errors.add("role", "act.err.role");
    }
    let kind = ActivityKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "act.err.kind");
    }
    let competency: Option<i64> = match form.competency.trim().parse::<i64>() {
        Ok(c) => {
            sqlx::query_scalar("select id from competencies where id = $1 and active")
                .bind(c)
                .fetch_optional(&mut *conn)
                .await?
        }
        Err(_) => None,
    };
    if competency.is_none() {
        errors.add("competency", "asm.err.competency");
    }
    let target = if form.target_level.trim().is_empty() {
        None
    } else {
        Level::parse(&form.target_level).map_err(|k| errors.add("target_level", k)).ok()
    };
    let held_on = parse_date(&form.held_on);
    match held_on {
        None => errors.add("held_on", "form.bad_date"),
        Some(d) if d > ctx.today => errors.add("held_on", "act.err.future"),
        Some(d) if d < ctx.today - chrono::Duration::days(3 * 366) => errors.add("held_on", "act.err.too_old"),
        _ => {}
    }
    let minutes = form.minutes.trim().parse::<i32>().ok().filter(|m| (1..=14400).contains(m));
    if minutes.is_none() {
        errors.add("minutes", "act.err.minutes");
    }
    let topic = required_text(&mut errors, "topic", &form.topic, 300);
    let notes = clean_text(&form.notes, 2000).map_err(|k| errors.add("notes", k)).unwrap_or_default();
    let outcome = clean_text(&form.outcome, 2000).map_err(|k| errors.add("outcome", k)).unwrap_or_default();
    let report = clean_text(&form.report, 4000).map_err(|k| errors.add("report", k)).unwrap_or_default();
    if kind == Some(ActivityKind::BelajarMandiri) && report.chars().count() < SELF_STUDY_REPORT_MIN {
        errors.add("report", "act.err.report");
    }
    // Who took part: the mentor and the learners, chosen by name (ids checked again here).
    let me = user.employee_id;
    let role_name = role.unwrap_or("");
    let mentor_p = mentor_picker();
    let mentor_p = if role_name == "mentor" {
        mentor_p.prefill(&mut conn, &ctx, &user, &form.mentor_ids.join(","), &form.mentor).await?
    } else {
        mentor_p.resolve(&mut conn, &ctx, &user, &form.mentor_ids, &form.mentor).await?
    };
    let learners_p = learners_picker(role_name);
    let learners_p = if role_name == "learner" {
        learners_p.prefill(&mut conn, &ctx, &user, &form.learner_ids.join(","), &form.learners).await?
    } else {
        learners_p.resolve(&mut conn, &ctx, &user, &form.learner_ids, &form.learners).await?
    };
    for p in [&mentor_p, &learners_p] {
        if let Some((k, _)) = &p.error {
            errors.add(p.field, k);
        }
    }
    let mut mentor: Option<i64> = None;
    let mut learners: Vec<i64> = vec![];
    match role {
        Some("learner") => {
            learners = me.into_iter().collect();
            mentor = mentor_p.ids().first().copied();
        }
        Some("mentor") => {
            mentor = me;
            learners = learners_p.ids();
        }
        Some(_) => {
            mentor = mentor_p.ids().first().copied();
            learners = learners_p.ids();
        }
        None => {}
    }
    if role.is_some() && learners.is_empty() && errors.get("learners").is_none() {
        errors.add("learners", "act.err.no_learner");
    }
    if learners.len() > 100 {
        errors.add("learners", "act.err.too_many");
    }
    if mentor.is_some_and(|m| learners.contains(&m)) {
        errors.add("mentor", "act.err.mentor_learner");
    }
    if kind.is_some_and(ActivityKind::has_mentor) && mentor.is_none() && errors.get("mentor").is_none() {
        errors.add("mentor", "act.err.mentor_needed");
    }
    let evidence = match file {
        Some((name, bytes)) => Evidence::parse(&name, bytes).map_err(|k| errors.add("evidence", k)).ok(),
        None => None,
    };
    drop(conn);
    let (Some(kind), Some(competency), Some(held_on), Some(minutes), Some(role), true) =
        (kind, competency, held_on, minutes, role, errors.is_empty())
    else {
        return form_page(&state, ctx, &user, form, errors, Some((mentor_p, learners_p))).await;
    };
    // Counts at once only when a head or HR logs it for staff they decide for (the picker took
    // only those) and is not in it.
    let confirmed = role == "staff" && mentor != me && !learners.iter().any(|l| Some(*l) == me);
    let mut tx = state.pool.begin().await?;
    if let Some(location) = edit::claim(&mut tx, user.account_id, &form.form_token).await? {
        let to = if location.is_empty() { "/activities".to_string() } else { location };
        return Ok(redirect_flash(&to, FlashKind::Ok, "flash.already_saved"));
    }
    let evidence_id = match &evidence {
        Some(ev) => Some(store_evidence(&mut tx, learners[0], ev, user.account_id).await?),
        None => None,
    };
    let id: i64 = sqlx::query_scalar(
        "insert into activities (kind, mentor_id, competency_id, target_level, held_on, minutes, topic, notes, outcome, report,
                                 evidence_id, status, logged_by, decided_by, decided_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, case when $14 then $13::bigint end, case when $14 then now() end)
         returning id",
    )
    .bind(kind.as_str())
    .bind(mentor)
    .bind(competency)
    .bind(target.map(Level::get))
    .bind(held_on)
    .bind(minutes)
    .bind(&topic)
    .bind(&notes)
    .bind(&outcome)
    .bind(&report)
    .bind(evidence_id)
    .bind(if confirmed { "confirmed" } else { "pending" })
    .bind(user.account_id)
    .bind(confirmed)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("insert into activity_learners (activity_id, employee_id) select $1, unnest($2::bigint[])")
        .bind(id)
        .bind(&learners)
        .execute(&mut *tx)
        .await?;
    let after = json!({"kind": kind.as_str(), "mentor_id": mentor, "learners": learners, "competency_id": competency,
                       "held_on": held_on, "minutes": minutes, "topic": topic, "confirmed": confirmed});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "activity", id, "create", None, Some(after)).await?;
    edit::remember(&mut tx, &form.form_token, "/activities").await?;
    tx.commit().await?;
    Ok(redirect_flash(
        "/activities",
        FlashKind::Ok,
        if confirmed { "flash.activity_saved" } else { "flash.activity_sent" },
    ))
}

/// A logged activity, decided through [`decide`]: confirmed or rejected only by someone who
/// decides for every learner and took no part in it as the mentor.
pub(crate) struct Activity;

impl Decidable for Activity {
    const ENTITY: &'static str = "activity";
    type Status = ActivityStatus;
    const WAITING: ActivityStatus = ActivityStatus::Pending;
    const LOCK: &'static str = "select a.status, a.decided_by, a.decided_at,
               not exists (select 1 from activity_learners l join employees e on e.id = l.employee_id
                           join units u on u.id = e.unit_id
                           where l.activity_id = a.id and not scope_decides($2, $3, $4, e.id, u.path))
                 and not (a.mentor_id is not distinct from $3 and $3 is not null) as decides
        from activities a where a.id = $1 for update";
    type Row = ();
    type Plan = ();
    const CHANGE: StatusChange = StatusChange {
        sql: "update activities set status = $2, decided_by = $3, decided_at = now(), decision_reason = $4
              where id = $1 and status = 'pending'",
        from: "pending",
        approve: Way { status: "confirmed", action: "confirm", key: "flash.activity_confirmed" },
        reject: Way { status: "rejected", action: "reject", key: "flash.activity_rejected" },
    };

    /// Back to the activities with its flash.
    async fn page(
        _state: &AppState,
        _ctx: Ctx,
        _user: &CurrentUser,
        _id: i64,
        outcome: Outcome,
    ) -> AppResult<Response> {
        match outcome {
            Outcome::Decided { key, .. } => Ok(redirect_flash("/activities", FlashKind::Ok, key)),
            Outcome::NeedsReason { .. } => Ok(redirect_flash("/activities", FlashKind::Err, "part.err.reason")),
            other => Err(other.error()),
        }
    }
}
