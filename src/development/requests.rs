//! Training requests: an employee (or their head) asks for a training for a named gap; the head
//! (or HR) approves or rejects it with a reason; HR schedules an approved request into a training,
//! which nominates the employee there.

use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use serde_json::json;

use super::{db, model::RequestStatus};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        decide::{self, Decidable, Outcome, StatusChange, Way},
        edit,
        form::{FieldErrors, required_text},
        paging::{PER_PAGE, Pager},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    competencies::model::Level,
    employees::db::{self as emp_db, Opt, competency_options},
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .get("/training-requests", Access::SignedIn, list)
        .get("/training-requests/new", Access::SignedIn, new_form)
        .post("/training-requests", Access::SignedIn, create)
        .post("/training-requests/{id}/approve", Access::AnyOf(HR_HEAD), decide::post::<Request, true>)
        .post("/training-requests/{id}/reject", Access::AnyOf(HR_HEAD), decide::post::<Request, false>)
        .post("/training-requests/{id}/schedule", Access::AnyOf(&[Role::Hr]), schedule)
}

pub struct RequestRow {
    pub id: i64,
    pub employee_id: i64,
    pub employee: String,
    pub unit: String,
    pub competency: String,
    pub target_level: i16,
    pub current_level: Option<i16>,
    pub reason: String,
    pub status: RequestStatus,
    pub decision_reason: String,
    pub training_id: Option<i64>,
    pub training: Option<String>,
    pub decides: bool,
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// Requests this reader sees (all pages).
    pub total: i64,
}

impl RequestRow {
    pub fn gap(&self, ctx: &Ctx) -> String {
        ctx.gap_words(Some(self.target_level), self.current_level)
    }
}

#[derive(askama::Template)]
#[template(path = "development/requests.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<RequestRow>,
    trainings: Vec<Opt>,
    problem: Option<(i64, &'static str)>,
    pager: Pager,
}

async fn list_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    problem: Option<(i64, &'static str)>,
    page: Option<i64>,
) -> AppResult<ListPage> {
    let scope = user.scope();
    let mut conn = state.pool.acquire().await?;
    let rows = sqlx::query_as!(
        RequestRow,
        r#"select r.id, e.id as employee_id, employee_display_name(e.front_title, e.name, e.back_title) as "employee!", u.name as unit,
                c.code || ' ' || case when $4 then c.name_en else c.name_id end as "competency!", r.target_level,
                cl.level as "current_level?", r.reason, r.status as "status: RequestStatus", r.decision_reason, r.training_id,
                t.title as "training?", scope_decides($1, $2, $3, e.id, u.path) as "decides!", r.created_at, count(*) over () as "total!"
         from training_requests r join employees e on e.id = r.employee_id join units u on u.id = e.unit_id
         join competencies c on c.id = r.competency_id left join trainings t on t.id = r.training_id
         left join current_levels cl on cl.employee_id = r.employee_id and cl.competency_id = r.competency_id
         where scope_sees($1, $2, $3, e.id, u.path)
         order by r.status = 'pending' desc, r.status = 'approved' desc, r.created_at desc, r.id desc
         limit $5 offset $6"#,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        ctx.lang.is_en(),
        PER_PAGE,
        Pager::offset(page),
    )
    .fetch_all(&mut *conn)
    .await?;
    let trainings = if user.has(Role::Hr) { db::open_training_options(&mut conn).await? } else { vec![] };
    let pager = Pager::new(page, rows.first().map_or(0, |r| r.total), String::new());
    Ok(ListPage { ctx, rows, trainings, problem, pager })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    page: Option<i64>,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let page = list_page(&state, ctx, &user, None, q.page).await?;
    render(&page)
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct RequestForm {
    employee: String,
    competency: String,
    target_level: String,
    reason: String,
    form_token: String,
}

#[derive(askama::Template)]
#[template(path = "development/request_form.html")]
struct FormPage {
    ctx: Ctx,
    form: RequestForm,
    errors: FieldErrors,
    employee_name: String,
    competencies: Vec<Opt>,
    levels: [Level; 5],
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    form: RequestForm,
    employee_name: String,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let competencies = competency_options(&mut conn, ctx.lang.is_en()).await?;
    let status = errors.status();
    render_status(status, &FormPage { ctx, form, errors, employee_name, competencies, levels: Level::ALL })
}

/// For whom this user may ask: themselves, or someone they decide for.
async fn requestee(state: &AppState, user: &CurrentUser, employee: &str) -> AppResult<(i64, String)> {
    let id = match employee.trim().parse::<i64>() {
        Ok(id) => id,
        Err(_) => user.employee_id.ok_or(AppError::NotFound)?,
    };
    let mut conn = state.pool.acquire().await?;
    let e = emp_db::find(&mut conn, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    if !(user.employee_id == Some(e.id) || e.decides) {
        return Err(AppError::Forbidden);
    }
    Ok((e.id, e.full_name))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    employee: String,
    competency: String,
    level: String,
}

async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let (id, name) = requestee(&state, &user, &q.employee).await?;
    let form = RequestForm {
        employee: id.to_string(),
        competency: q.competency,
        target_level: q.level,
        form_token: edit::new_token(),
        ..Default::default()
    };
    form_page(&state, ctx, form, name, FieldErrors::default()).await
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(form): Form<RequestForm>,
) -> AppResult<Response> {
    let (employee, name) = requestee(&state, &user, &form.employee).await?;
    let mut errors = FieldErrors::default();
    let mut tx = state.pool.begin().await?;
    // Sent twice: one request (the claim is undone with the transaction if the form has errors).
    if edit::claim(&mut tx, user.account_id, &form.form_token).await?.is_some() {
        return Ok(redirect_flash("/training-requests", FlashKind::Ok, "flash.already_saved"));
    }
    let competency: Option<i64> = match form.competency.trim().parse::<i64>() {
        Ok(c) => {
            sqlx::query_scalar!("select id from competencies where id = $1 and active", c)
                .fetch_optional(&mut *tx)
                .await?
        }
        Err(_) => None,
    };
    if competency.is_none() {
        errors.add("competency", "asm.err.competency");
    }
    let level = Level::parse(&form.target_level).map_err(|k| errors.add("target_level", k)).ok();
    let reason = required_text(&mut errors, "reason", &form.reason, 2000);
    if let Some(c) = competency {
        let open: bool = sqlx::query_scalar!(
            r#"select exists (select 1 from training_requests where employee_id = $1 and competency_id = $2 and status in ('pending', 'approved')) as "open!""#,
            employee,
            c,
        )
        .fetch_one(&mut *tx)
        .await?;
        if open {
            errors.add("competency", "req.err.open");
        }
    }
    let (Some(competency), Some(level), true) = (competency, level, errors.is_empty()) else {
        drop(tx);
        return form_page(&state, ctx, form, name, errors).await;
    };
    let id: i64 = sqlx::query_scalar!(
        "insert into training_requests (employee_id, competency_id, target_level, reason, requested_by)
         values ($1, $2, $3, $4, $5) returning id",
        employee,
        competency,
        level.get(),
        &reason,
        user.account_id,
    )
    .fetch_one(&mut *tx)
    .await?;
    let after =
        json!({"employee_id": employee, "competency_id": competency, "target_level": level.get(), "reason": reason});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "training_request", id, "create", None, Some(after)).await?;
    edit::remember(&mut tx, &form.form_token, "/training-requests").await?;
    tx.commit().await?;
    Ok(redirect_flash("/training-requests", FlashKind::Ok, "flash.request_sent"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ScheduleForm {
    training: String,
}

/// The employee of a request (whom scheduling nominates).
#[derive(sqlx::FromRow)]
pub(crate) struct Requestee {
    employee_id: i64,
}

/// A training request, decided through [`decide`]: approved or rejected by the employee's head or HR.
pub(crate) struct Request;

impl Decidable for Request {
    const ENTITY: &'static str = "training_request";
    type Status = RequestStatus;
    const WAITING: RequestStatus = RequestStatus::Pending;
    const LOCK: &'static str =
        "select r.status, r.employee_id, scope_decides($2, $3, $4, e.id, u.path) as decides, r.decided_by, r.decided_at
         from training_requests r join employees e on e.id = r.employee_id join units u on u.id = e.unit_id
         where r.id = $1 for update of r";
    type Row = Requestee;
    type Plan = ();
    const CHANGE: StatusChange = StatusChange {
        sql: "update training_requests set status = $2, decided_by = $3, decided_at = now(), decision_reason = $4
              where id = $1 and status = 'pending'",
        from: "pending",
        approve: Way { status: "approved", action: "approve", key: "flash.request_approved" },
        reject: Way { status: "rejected", action: "reject", key: "flash.request_rejected" },
    };

    /// Back to the requests with its flash; a rejection without a reason shows the list again
    /// with the message beside the request (422).
    async fn page(state: &AppState, ctx: Ctx, user: &CurrentUser, id: i64, outcome: Outcome) -> AppResult<Response> {
        match outcome {
            Outcome::Decided { key, .. } => Ok(redirect_flash("/training-requests", FlashKind::Ok, key)),
            Outcome::NeedsReason { .. } => {
                let page = list_page(state, ctx, user, Some((id, "part.err.reason")), None).await?;
                render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
            }
            other => Err(other.error()),
        }
    }
}

/// Schedule an approved request into a planned or open training: the employee is nominated
/// there (their approval then checks seats and budget like any other).
async fn schedule(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<ScheduleForm>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let training: Option<(i64, i32)> = match f.training.trim().parse::<i64>() {
        Ok(t) => sqlx::query!(
            "select id, quota from trainings where id = $1 and status in ('planned', 'open') for update",
            t
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| (r.id, r.quota)),
        Err(_) => None,
    };
    let r = decide::lock_row::<Request>(&mut tx, &user, id).await?.ok_or(AppError::NotFound)?;
    if !r.decides {
        return Err(AppError::Forbidden);
    }
    let (status, employee) = (r.status, r.row.employee_id);
    if status == RequestStatus::Scheduled {
        return Err(AppError::Conflict("flash.already_decided"));
    }
    let problem = match (status, training) {
        (RequestStatus::Approved, None) => Some("req.err.training"),
        (RequestStatus::Approved, Some((t, quota))) => {
            let r = sqlx::query!(
                r#"select count(*) filter (where status <> 'rejected') as "taken!", bool_or(employee_id = $2) is true as "already!"
                 from training_participants where training_id = $1"#,
                t,
                employee,
            )
            .fetch_one(&mut *tx)
            .await?;
            let (taken, already) = (r.taken, r.already);
            if already {
                Some("req.err.already_participant")
            } else if taken >= i64::from(quota) {
                Some("req.err.full")
            } else {
                None
            }
        }
        _ => Some("req.err.not_approved"),
    };
    let (Some((training, _)), None) = (training, problem) else {
        drop(tx);
        let page = list_page(&state, ctx, &user, Some((id, problem.unwrap_or("req.err.training"))), None).await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let pid: i64 = sqlx::query_scalar!(
        "insert into training_participants (training_id, employee_id, nominated_by, request_id) values ($1, $2, $3, $4) returning id",
        training,
        employee,
        user.account_id,
        id,
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("update training_requests set status = 'scheduled', training_id = $2 where id = $1", id, training)
        .execute(&mut *tx)
        .await?;
    let actor = Actor::from_ctx(&ctx);
    audit::record(
        &mut tx,
        &actor,
        "training_request",
        id,
        "schedule",
        Some(json!({"status": "approved"})),
        Some(json!({"status": "scheduled", "training_id": training})),
    )
    .await?;
    let after = json!({"training_id": training, "employee_id": employee, "status": "nominated", "request_id": id});
    audit::record(&mut tx, &actor, "participant", pid, "nominate", None, Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/trainings/{training}"), FlashKind::Ok, "flash.request_scheduled"))
}
