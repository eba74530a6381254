//! A training's participants: nominated → approved (their head or HR, within quota and budget) →
//! attended → passed / failed / absent, with certificate and JP; then the participant's
//! evaluation. Every decision is one atomic change under a row lock; every budget check runs
//! under the budget's lock, so two approvals cannot both spend the last rupiah.

use axum::{
    Form,
    extract::{Multipart, Path, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use serde_json::json;

use super::{
    db,
    model::{Jp, ParticipantStatus, TrainingStatus, rating, rupiah},
    trainings::detail_page,
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        decide::{self, Applied, Decidable, Decision, Outcome, Refusal, StatusChange, Way},
        form::{FieldErrors, clean_text, read_multipart},
        render::{FlashKind, redirect_flash, render_status},
    },
    assessments::{db::store_evidence, model::Evidence},
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    employees::form::parse_date,
    people::{self, Picker, Purpose},
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .post("/trainings/{id}/participants", Access::AnyOf(HR_HEAD), nominate)
        .post("/participants/{id}/approve", Access::AnyOf(HR_HEAD), decide::post::<Nomination, true>)
        .post("/participants/{id}/reject", Access::AnyOf(HR_HEAD), decide::post::<Nomination, false>)
        .get("/participants/{id}/result", Access::AnyOf(&[Role::Hr]), result_form)
        .post("/participants/{id}/result", Access::AnyOf(&[Role::Hr]), save_result)
        .get("/participants/{id}/certificate", Access::SignedIn, certificate)
        .get("/participants/{id}/evaluation", Access::SignedIn, evaluation_form)
        .post("/participants/{id}/evaluation", Access::SignedIn, save_evaluation)
}

/// HR and heads nominate by name (or NIP) among the staff they decide for.
pub fn nominate_picker() -> Picker {
    Picker::new("nips", "part.pick", "part.pick_hint", Purpose::Manage).multiple().required()
}

async fn refuse(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    picker: Picker,
    problem: Vec<String>,
) -> AppResult<Response> {
    let page = detail_page(state, ctx, user, id, picker, problem).await?;
    render_status(StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// Add participants chosen by name (or NIP, one per line). All or nothing: anyone not found
/// among the staff the nominator decides for, anyone already on the list, or more than the seats
/// left, and nothing is added; the choice is shown again.
async fn nominate(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let row: Option<(TrainingStatus, i32)> =
        sqlx::query_as("select status, quota from trainings where id = $1 for update")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
    let (status, quota) = row.ok_or(AppError::NotFound)?;
    let mut problem = vec![];
    if !matches!(status, TrainingStatus::Planned | TrainingStatus::Open) {
        problem.push(ctx.t("part.err.closed").to_string());
    }
    let picker = nominate_picker()
        .resolve(&mut tx, &ctx, &user, &people::values(&fields, "nips_id"), &people::value(&fields, "nips"))
        .await?;
    if !picker.ok() {
        problem.push(picker.error_text().to_string());
    }
    let ids: Vec<i64> = picker.ids();
    let already: Vec<String> = sqlx::query_scalar(
        "select employee_display_name(e.front_title, e.name, e.back_title) from training_participants tp
         join employees e on e.id = tp.employee_id where tp.training_id = $1 and tp.employee_id = any($2) order by e.name",
    )
    .bind(id)
    .bind(&ids)
    .fetch_all(&mut *tx)
    .await?;
    for name in already {
        problem.push(ctx.t("part.err.twice").replace("{name}", &name));
    }
    let taken: i64 = sqlx::query_scalar(
        "select count(*) from training_participants where training_id = $1 and status <> 'rejected'",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let left = i64::from(quota) - taken;
    if problem.is_empty() && ids.len() as i64 > left {
        problem.push(ctx.t("part.err.quota").replace("{left}", &left.max(0).to_string()));
    }
    if !problem.is_empty() {
        drop(tx);
        return refuse(&state, ctx, &user, id, picker, problem).await;
    }
    let inserted: Vec<(i64, i64)> = sqlx::query_as(
        "insert into training_participants (training_id, employee_id, nominated_by)
         select $1, unnest($2::bigint[]), $3 returning id, employee_id",
    )
    .bind(id)
    .bind(&ids)
    .bind(user.account_id)
    .fetch_all(&mut *tx)
    .await?;
    let actor = Actor::from_ctx(&ctx);
    for (pid, emp) in inserted {
        let after = json!({"training_id": id, "employee_id": emp, "status": "nominated"});
        audit::record(&mut tx, &actor, "participant", pid, "nominate", None, Some(after)).await?;
    }
    tx.commit().await?;
    Ok(redirect_flash(&format!("/trainings/{id}"), FlashKind::Ok, "flash.nominated"))
}

/// A nomination, decided through [`decide`]: approved within the seats and the budget it is
/// charged to (past the budget only HR, and only with a reason, kept on the participant and in
/// the audit log), or rejected with a reason.
pub(crate) struct Nomination;

/// A participant about to be decided: its training, read under the participant's lock.
#[derive(sqlx::FromRow)]
pub(crate) struct Deciding {
    training_id: i64,
    training_status: TrainingStatus,
    budget_year: i32,
    budget_unit_id: i64,
    quota: i32,
}

/// What one more approved participant costs, and whether that is past the budget left.
#[derive(Default)]
pub(crate) struct Charge {
    cost: i64,
    remaining: i64,
    over: bool,
}

impl Decidable for Nomination {
    const ENTITY: &'static str = "participant";
    type Status = ParticipantStatus;
    const WAITING: ParticipantStatus = ParticipantStatus::Nominated;
    const LOCK: &'static str =
        "select tp.status, scope_decides($2, $3, $4, e.id, u.path) as decides, tp.decided_by, tp.decided_at,
                tp.training_id, t.status as training_status, t.budget_year, t.budget_unit_id, t.quota
         from training_participants tp join trainings t on t.id = tp.training_id
         join employees e on e.id = tp.employee_id join units u on u.id = e.unit_id
         where tp.id = $1 for update of tp";
    type Row = Deciding;
    type Plan = Charge;
    /// A rejection (an approval records its cost and any override: see `apply`).
    const CHANGE: StatusChange = StatusChange {
        sql: "update training_participants set status = $2, decided_by = $3, decided_at = now(), decision_reason = $4
              where id = $1 and status = 'nominated'",
        from: "nominated",
        approve: Way { status: "approved", action: "approve", key: "flash.participant_approved" },
        reject: Way { status: "rejected", action: "reject", key: "flash.participant_rejected" },
    };

    /// An approval's lock order: training, then the budget it is charged to, then participant
    /// (every approval takes them so). The budget is read under the training's lock, so an edit
    /// charging the training elsewhere cannot slip between the read and the budget's lock.
    async fn lock_first(conn: &mut sqlx::PgConnection, id: i64, approve: bool) -> AppResult<bool> {
        if !approve {
            return Ok(true);
        }
        let key: Option<(i32, i64)> = sqlx::query_as(
            "select t.budget_year, t.budget_unit_id from training_participants tp join trainings t on t.id = tp.training_id
             where tp.id = $1 for update of t",
        )
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
        let Some((year, unit)) = key else { return Ok(false) };
        db::lock_budget(&mut *conn, year, unit).await?;
        Ok(true)
    }

    fn within(_id: i64, d: &Deciding) -> i64 {
        d.training_id
    }

    /// An approval: the training still takes participants, a seat is left, and the budget
    /// covers one more (or HR overrides it with a reason).
    async fn check(
        conn: &mut sqlx::PgConnection,
        ctx: &Ctx,
        user: &CurrentUser,
        _id: i64,
        d: &Deciding,
        decision: &Decision,
    ) -> AppResult<Result<Charge, Vec<Refusal>>> {
        if !decision.approve {
            return Ok(Ok(Charge::default()));
        }
        let mut problem = vec![];
        if !matches!(d.training_status, TrainingStatus::Planned | TrainingStatus::Open | TrainingStatus::Running) {
            problem.push(Refusal::plain(ctx, "part.err.closed"));
        }
        // The paid participants and what one more adds to the training's cost (`training_costs`).
        let (paid, cost): (i64, i64) =
            sqlx::query_as("select paid_participants, next_cost from training_costs where training_id = $1")
                .bind(d.training_id)
                .fetch_one(&mut *conn)
                .await?;
        if paid + 1 > i64::from(d.quota) {
            problem.push(Refusal { key: "part.err.quota", text: ctx.t("part.err.quota").replace("{left}", "0") });
        }
        let budget = db::budget(&mut *conn, d.budget_year, d.budget_unit_id).await?;
        let over = cost > budget.remaining;
        let may_override = user.has(Role::Hr) && !decision.reason.is_empty();
        if over && problem.is_empty() && !may_override {
            let key = if user.has(Role::Hr) { "part.err.over_budget_hr" } else { "part.err.over_budget" };
            let text = ctx
                .t(key)
                .replace("{unit}", &budget.unit)
                .replace("{year}", &budget.year.to_string())
                .replace("{cost}", &rupiah(cost))
                .replace("{left}", &rupiah(budget.remaining));
            problem.push(Refusal { key, text });
        }
        if !problem.is_empty() {
            return Ok(Err(problem));
        }
        Ok(Ok(Charge { cost, remaining: budget.remaining, over }))
    }

    async fn apply(
        conn: &mut sqlx::PgConnection,
        user: &CurrentUser,
        id: i64,
        _row: &Deciding,
        charge: Charge,
        decision: &Decision,
    ) -> AppResult<Applied> {
        if !decision.approve {
            return Self::CHANGE.apply(conn, id, user.account_id, decision).await;
        }
        let override_reason = if charge.over { decision.reason.as_str() } else { "" };
        sqlx::query(
            "update training_participants set status = 'approved', decided_by = $2, decided_at = now(), override_reason = $3
             where id = $1 and status = 'nominated'",
        )
        .bind(id)
        .bind(user.account_id)
        .bind(override_reason)
        .execute(&mut *conn)
        .await?;
        Ok(Applied {
            action: if charge.over { "approve_over_budget" } else { "approve" },
            before: json!({"status": "nominated"}),
            after: json!({"status": "approved", "cost": charge.cost, "remaining_before": charge.remaining,
                          "override_reason": override_reason}),
            key: "flash.participant_approved",
        })
    }

    /// Back to the training with its flash; a refusal or a rejection without a reason shows the
    /// training again with why (422).
    async fn page(state: &AppState, ctx: Ctx, user: &CurrentUser, _id: i64, outcome: Outcome) -> AppResult<Response> {
        let (training, problem) = match outcome {
            Outcome::Decided { key, within } => {
                return Ok(redirect_flash(&format!("/trainings/{within}"), FlashKind::Ok, key));
            }
            Outcome::NeedsReason { within } => (within, vec![ctx.t("part.err.reason").to_string()]),
            Outcome::Refused { refusals, within } => (within, refusals.into_iter().map(|r| r.text).collect()),
            other => return Err(other.error()),
        };
        refuse(state, ctx, user, training, nominate_picker(), problem).await
    }
}

#[derive(Clone, Debug, Default)]
pub struct ResultInput {
    pub status: String,
    pub certificate_no: String,
    pub issued_on: String,
    pub expires_on: String,
    pub score: String,
    pub jp: String,
    pub version: String,
}

#[derive(sqlx::FromRow)]
struct ResultRow {
    training_id: i64,
    title: String,
    training_status: TrainingStatus,
    training_ends_on: chrono::NaiveDate,
    employee_id: i64,
    name: String,
    nip: String,
    status: ParticipantStatus,
    certificate_no: String,
    certificate_issued_on: Option<chrono::NaiveDate>,
    certificate_expires_on: Option<chrono::NaiveDate>,
    score: Option<f64>,
    jp_credited: Option<f64>,
    training_jp: f64,
    certificate_file_id: Option<i64>,
    version: i64,
}

#[derive(askama::Template)]
#[template(path = "development/result_form.html")]
struct ResultPage {
    ctx: Ctx,
    id: i64,
    r: ResultRow,
    form: ResultInput,
    errors: FieldErrors,
    statuses: &'static [ParticipantStatus],
}

impl ResultPage {
    fn training_jp(&self) -> String {
        super::model::jp_text(self.r.training_jp, self.ctx.lang.is_en())
    }
}

async fn load_result(conn: &mut sqlx::PgConnection, id: i64, lock: bool) -> Result<Option<ResultRow>, sqlx::Error> {
    let sql = if lock {
        "select tp.training_id, t.title, t.status as training_status, t.ends_on as training_ends_on, e.id as employee_id,
                employee_display_name(e.front_title, e.name, e.back_title) as name, e.nip, tp.status, tp.certificate_no,
                tp.certificate_issued_on, tp.certificate_expires_on, tp.score::float8 as score, tp.jp_credited::float8 as jp_credited,
                t.jp::float8 as training_jp, tp.certificate_file_id, tp.version
         from training_participants tp join trainings t on t.id = tp.training_id join employees e on e.id = tp.employee_id
         where tp.id = $1 for update of tp"
    } else {
        "select tp.training_id, t.title, t.status as training_status, t.ends_on as training_ends_on, e.id as employee_id,
                employee_display_name(e.front_title, e.name, e.back_title) as name, e.nip, tp.status, tp.certificate_no,
                tp.certificate_issued_on, tp.certificate_expires_on, tp.score::float8 as score, tp.jp_credited::float8 as jp_credited,
                t.jp::float8 as training_jp, tp.certificate_file_id, tp.version
         from training_participants tp join trainings t on t.id = tp.training_id join employees e on e.id = tp.employee_id
         where tp.id = $1"
    };
    sqlx::query_as(sql).bind(id).fetch_optional(conn).await
}

fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

async fn result_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let r = load_result(&mut conn, id, false).await?.ok_or(AppError::NotFound)?;
    let form = ResultInput {
        status: if r.status.took_part() || r.status == ParticipantStatus::Absent {
            r.status.as_str().into()
        } else {
            "passed".into()
        },
        certificate_no: r.certificate_no.clone(),
        issued_on: opt_date(r.certificate_issued_on),
        expires_on: opt_date(r.certificate_expires_on),
        score: r.score.map(|s| s.to_string()).unwrap_or_default(),
        jp: r.jp_credited.map(super::model::jp_plain).unwrap_or_default(),
        version: r.version.to_string(),
    };
    result_page(ctx, id, r, form, FieldErrors::default())
}

fn result_page(ctx: Ctx, id: i64, r: ResultRow, form: ResultInput, errors: FieldErrors) -> AppResult<Response> {
    let status = errors.status();
    render_status(status, &ResultPage { ctx, id, r, form, errors, statuses: ParticipantStatus::RESULTS })
}

async fn read_result(mp: Multipart) -> AppResult<(ResultInput, Option<(String, Vec<u8>)>)> {
    let mut p = read_multipart(mp, "certificate_file").await?;
    let input = ResultInput {
        status: p.take("status"),
        certificate_no: p.take("certificate_no"),
        issued_on: p.take("issued_on"),
        expires_on: p.take("expires_on"),
        score: p.take("score"),
        jp: p.take("jp"),
        version: p.take("version"),
    };
    Ok((input, p.file))
}

/// Results can be recorded while a training runs, once it is completed, and from its last day on
/// whatever its status still says (the status then follows: see `save_result`). Never for a
/// cancelled training.
pub fn results_open(status: TrainingStatus, ends_on: chrono::NaiveDate, today: chrono::NaiveDate) -> bool {
    match status {
        TrainingStatus::Running | TrainingStatus::Completed => true,
        TrainingStatus::Planned | TrainingStatus::Open => ends_on <= today,
        _ => false,
    }
}

/// Record a participant's result. Passing proposes the training's target level where it would
/// raise the participant's level, else records the level as confirmed (`propose_or_confirm`).
async fn save_result(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let (form, file) = read_result(mp).await?;
    let mut tx = state.pool.begin().await?;
    let r = load_result(&mut tx, id, true).await?.ok_or(AppError::NotFound)?;
    let mut errors = FieldErrors::default();
    if form.version.trim().parse::<i64>().ok() != Some(r.version) {
        errors.add("status", "part.err.changed");
    }
    if !results_open(r.training_status, r.training_ends_on, ctx.today) {
        errors.add("status", "part.err.not_running");
    }
    if matches!(r.status, ParticipantStatus::Nominated | ParticipantStatus::Rejected) {
        errors.add("status", "part.err.not_approved");
    }
    let status = ParticipantStatus::parse(&form.status).filter(|s| ParticipantStatus::RESULTS.contains(s));
    if status.is_none() {
        errors.add("status", "part.err.result");
    }
    let cert = clean_text(&form.certificate_no, 100).map_err(|k| errors.add("certificate_no", k)).unwrap_or_default();
    let issued = (!form.issued_on.trim().is_empty()).then(|| parse_date(&form.issued_on));
    if issued == Some(None) {
        errors.add("issued_on", "form.bad_date");
    }
    let expires = (!form.expires_on.trim().is_empty()).then(|| parse_date(&form.expires_on));
    if expires == Some(None) {
        errors.add("expires_on", "form.bad_date");
    }
    let (issued, expires) = (issued.flatten(), expires.flatten());
    if let (Some(i), Some(e)) = (issued, expires)
        && e < i
    {
        errors.add("expires_on", "part.err.expiry_before_issue");
    }
    if issued.is_some_and(|i| i > ctx.today) {
        errors.add("issued_on", "part.err.future");
    }
    let score = if form.score.trim().is_empty() {
        None
    } else {
        let s = form.score.trim().replace(',', ".").parse::<f64>().ok().filter(|s| (0.0..=100.0).contains(s));
        if s.is_none() {
            errors.add("score", "part.err.score");
        }
        s
    };
    let jp =
        if form.jp.trim().is_empty() { None } else { Jp::parse_zero(&form.jp).map_err(|k| errors.add("jp", k)).ok() };
    let evidence = match file {
        Some((name, bytes)) => Evidence::parse(&name, bytes).map_err(|k| errors.add("certificate_file", k)).ok(),
        None => None,
    };
    let Some(status) = status.filter(|_| errors.is_empty()) else {
        drop(tx);
        return result_page(ctx, id, r, form, errors);
    };
    let file_id = match &evidence {
        Some(ev) => Some(store_evidence(&mut tx, r.employee_id, ev, user.account_id).await?),
        None => r.certificate_file_id,
    };
    let before: serde_json::Value = sqlx::query_scalar(
        "select to_jsonb(tp) - 'created_at' - 'updated_at' from training_participants tp where id = $1",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    let after: serde_json::Value = sqlx::query_scalar(
        "update training_participants tp set status = $2, certificate_no = $3, certificate_issued_on = $4,
                certificate_expires_on = $5, score = $6::float8::numeric(5, 2), jp_credited = round($7::numeric, 1),
                certificate_file_id = $8
         where id = $1 returning to_jsonb(tp) - 'created_at' - 'updated_at'",
    )
    .bind(id)
    .bind(status.as_str())
    .bind(&cert)
    .bind(issued)
    .bind(expires)
    .bind(score)
    .bind(jp.map(Jp::get))
    .bind(file_id)
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "participant", id, "result", Some(before), Some(after)).await?;
    // The training's status follows its dates: a result recorded after its last day completes it.
    if r.training_status != TrainingStatus::Completed && r.training_ends_on <= ctx.today {
        let done: Option<String> = sqlx::query_scalar(
            "update trainings t set status = 'completed' from trainings old
             where t.id = $1 and old.id = t.id and t.status in ('planned', 'open', 'running') returning old.status",
        )
        .bind(r.training_id)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(was) = done {
            audit::record(
                &mut tx,
                &Actor::from_ctx(&ctx),
                "training",
                r.training_id,
                "update",
                Some(json!({"status": was})),
                Some(json!({"status": "completed"})),
            )
            .await?;
        }
    }
    if status == ParticipantStatus::Passed && r.status != ParticipantStatus::Passed {
        propose_or_confirm(&mut tx, &ctx, user.account_id, id, r.employee_id, r.training_id).await?;
    }
    tx.commit().await?;
    Ok(redirect_flash(&format!("/trainings/{}", r.training_id), FlashKind::Ok, "flash.result_saved"))
}

/// What a pass means for each competency the training develops, once per participation: above
/// the participant's current level (or with none) it proposes the target level as a pending
/// assessment (source: training) for her head or HR to decide, beside any claim of her own that
/// waits; at or below it, it records that the training confirmed the level she holds (no new
/// level, nothing to decide). Both are audited.
async fn propose_or_confirm(
    tx: &mut sqlx::PgConnection,
    ctx: &Ctx,
    account: i64,
    participant: i64,
    employee: i64,
    training: i64,
) -> AppResult<()> {
    let (proposed, confirmed): (serde_json::Value, serde_json::Value) = sqlx::query_as(
        "with targets as (
           select tc.competency_id, tc.target_level, cl.level as held
           from training_competencies tc
           left join current_levels cl on cl.employee_id = $1 and cl.competency_id = tc.competency_id
           where tc.training_id = $2
             and not exists (select 1 from assessments a where a.training_participant_id = $4 and a.competency_id = tc.competency_id)
             and not exists (select 1 from training_confirmations f where f.participant_id = $4 and f.competency_id = tc.competency_id)
         ),
         proposed as (
           insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_account_id,
                                    assessor_name, note, status, training_participant_id, valid_until)
           select $1, x.competency_id, x.target_level, t.ends_on, 'training', $3, coalesce(p.name, ''), t.title, 'pending', $4,
                  tp.certificate_expires_on
           from targets x cross join trainings t left join providers p on p.id = t.provider_id
           join training_participants tp on tp.id = $4
           where t.id = $2 and (x.held is null or x.target_level > x.held)
           returning id, competency_id, level
         ),
         confirmed as (
           insert into training_confirmations (participant_id, competency_id, target_level, held_level, confirmed_by)
           select $4, x.competency_id, x.target_level, x.held, $3 from targets x where x.held >= x.target_level
           returning competency_id, target_level, held_level
         )
         select coalesce((select jsonb_agg(to_jsonb(p) order by p.competency_id) from proposed p), '[]'::jsonb),
                coalesce((select jsonb_agg(to_jsonb(c) order by c.competency_id) from confirmed c), '[]'::jsonb)",
    )
    .bind(employee)
    .bind(training)
    .bind(account)
    .bind(participant)
    .fetch_one(&mut *tx)
    .await?;
    let actor = Actor::from_ctx(ctx);
    if proposed.as_array().is_some_and(|a| !a.is_empty()) {
        let after = json!({"proposed": proposed});
        audit::record(tx, &actor, "participant", participant, "propose_assessments", None, Some(after)).await?;
    }
    if confirmed.as_array().is_some_and(|a| !a.is_empty()) {
        let after = json!({"confirmed": confirmed});
        audit::record(tx, &actor, "participant", participant, "confirm_levels", None, Some(after)).await?;
    }
    Ok(())
}

/// One thing a passed result led to for one competency: a proposal (and its state) or a
/// confirmation of the level held; for a proposal still waiting, the nearest head who decides it
/// (none: HR).
#[derive(sqlx::FromRow)]
struct OutcomeRow {
    participant_id: i64,
    code: String,
    proposal: bool,
    level: i16,
    status: String,
    reason: String,
    head_unit: Option<String>,
    head: Option<String>,
}

/// What each passed participant's result led to, one line each in the reader's language:
/// (participant id, line), by participant and competency code.
pub(super) async fn outcomes(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    training: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows: Vec<OutcomeRow> = sqlx::query_as(
        "select tp.id as participant_id, c.code, true as proposal, a.level, a.status, a.decision_reason as reason,
                h.unit as head_unit, h.head
         from training_participants tp join assessments a on a.training_participant_id = tp.id
         join competencies c on c.id = a.competency_id
         join employees e on e.id = a.employee_id join units eu on eu.id = e.unit_id
         left join lateral (
           select hu.name as unit, coalesce(employee_display_name(he.front_title, he.name, he.back_title), acc.username) as head
           from account_roles r join accounts acc on acc.id = r.account_id join units hu on hu.id = r.unit_id
           left join employees he on he.id = acc.employee_id
           where r.role = 'head' and acc.disabled_at is null and eu.path like hu.path || '%'
             and acc.employee_id is distinct from a.employee_id
           order by length(hu.path) desc, acc.id limit 1
         ) h on a.status = 'pending'
         where tp.training_id = $1
         union all
         select tp.id, c.code, false, f.held_level, '', '', null, null
         from training_participants tp join training_confirmations f on f.participant_id = tp.id
         join competencies c on c.id = f.competency_id
         where tp.training_id = $1
         order by 1, 2",
    )
    .bind(training)
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let key = match (r.proposal, r.status.as_str(), &r.head) {
                (false, ..) => "part.outcome.confirmed",
                (true, "pending", Some(_)) => "part.outcome.waits_head",
                (true, "pending", None) => "part.outcome.waits_hr",
                (true, "validated", _) => "part.outcome.validated",
                _ => "part.outcome.rejected",
            };
            let line = ctx
                .t(key)
                .replace("{code}", &r.code)
                .replace("{level}", &r.level.to_string())
                .replace("{unit}", r.head_unit.as_deref().unwrap_or_default())
                .replace("{head}", r.head.as_deref().unwrap_or_default())
                .replace("{reason}", &r.reason);
            (r.participant_id, line)
        })
        .collect())
}

/// A certificate file, to those who may see the participant.
async fn certificate(State(state): State<AppState>, user: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let scope = user.scope();
    let row: Option<(String, String, Vec<u8>)> = sqlx::query_as(
        "select f.filename, f.content_type, f.data from training_participants tp join evidence_files f on f.id = tp.certificate_file_id
         join employees e on e.id = tp.employee_id join units u on u.id = e.unit_id
         where tp.id = $1 and scope_sees($2, $3, $4, e.id, u.path)",
    )
    .bind(id)
    .bind(scope.all)
    .bind(scope.own)
    .bind(&scope.unit_patterns)
    .fetch_optional(&state.pool)
    .await?;
    let (filename, content_type, data) = row.ok_or(AppError::NotFound)?;
    Ok(crate::app::render::stored_file(&filename, content_type, data, false))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct EvaluationForm {
    relevance: String,
    method: String,
    trainer: String,
    usefulness: String,
    comment: String,
}

#[derive(askama::Template)]
#[template(path = "development/evaluation_form.html")]
struct EvaluationPage {
    ctx: Ctx,
    id: i64,
    training_id: i64,
    title: String,
    form: EvaluationForm,
    errors: FieldErrors,
    questions: [&'static str; 4],
}

impl EvaluationPage {
    fn value(&self, q: &str) -> &str {
        match q {
            "relevance" => &self.form.relevance,
            "method" => &self.form.method,
            "trainer" => &self.form.trainer,
            _ => &self.form.usefulness,
        }
    }
}

const QUESTIONS: [&str; 4] = ["relevance", "method", "trainer", "usefulness"];

/// The participant's own participation, if its evaluation is owed (`evaluations_owed`) or was
/// given: (training id, title, already done).
async fn own_participation(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(i64, String, bool)> {
    let me = user.employee_id.ok_or(AppError::NotFound)?;
    let row: Option<(i64, String, bool)> = sqlx::query_as(
        "select t.id, t.title, exists (select 1 from training_evaluations ev where ev.participant_id = tp.id) as done
         from training_participants tp join trainings t on t.id = tp.training_id
         where tp.id = $1 and tp.employee_id = $2
           and (exists (select 1 from evaluations_owed o where o.participant_id = tp.id)
                or exists (select 1 from training_evaluations ev where ev.participant_id = tp.id))",
    )
    .bind(id)
    .bind(me)
    .fetch_optional(&state.pool)
    .await?;
    row.ok_or(AppError::NotFound)
}

async fn evaluation_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let (training_id, title, done) = own_participation(&state, &user, id).await?;
    if done {
        return Ok(redirect_flash(&format!("/trainings/{training_id}"), FlashKind::Ok, "flash.evaluation_done"));
    }
    let page = EvaluationPage {
        ctx,
        id,
        training_id,
        title,
        form: EvaluationForm::default(),
        errors: FieldErrors::default(),
        questions: QUESTIONS,
    };
    render_status(StatusCode::OK, &page)
}

async fn save_evaluation(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<EvaluationForm>,
) -> AppResult<Response> {
    let (training_id, title, _) = own_participation(&state, &user, id).await?;
    let mut errors = FieldErrors::default();
    let scores: Vec<Option<i16>> = [&form.relevance, &form.method, &form.trainer, &form.usefulness]
        .iter()
        .zip(QUESTIONS)
        .map(|(v, q)| {
            let r = rating(v);
            if r.is_none() {
                errors.add(q, "eval.err.rating");
            }
            r
        })
        .collect();
    let comment = clean_text(&form.comment, 2000).map_err(|k| errors.add("comment", k)).unwrap_or_default();
    let [Some(a), Some(b), Some(c), Some(d)] = scores[..] else {
        let page = EvaluationPage { ctx, id, training_id, title, form, errors, questions: QUESTIONS };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    if !errors.is_empty() {
        let page = EvaluationPage { ctx, id, training_id, title, form, errors, questions: QUESTIONS };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    }
    let mut tx = state.pool.begin().await?;
    let n = sqlx::query(
        "insert into training_evaluations (participant_id, relevance, method, trainer, usefulness, comment)
         values ($1, $2, $3, $4, $5, $6) on conflict (participant_id) do nothing",
    )
    .bind(id)
    .bind(a)
    .bind(b)
    .bind(c)
    .bind(d)
    .bind(&comment)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(redirect_flash(&format!("/trainings/{training_id}"), FlashKind::Ok, "flash.evaluation_done"));
    }
    let after = json!({"relevance": a, "method": b, "trainer": c, "usefulness": d, "comment": comment});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "participant", id, "evaluate", None, Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/trainings/{training_id}"), FlashKind::Ok, "flash.evaluation_saved"))
}
