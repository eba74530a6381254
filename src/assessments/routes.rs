use axum::{
    extract::{Multipart, Path, Query, State},
    response::Response,
};
use serde_json::json;

use super::{
    db::PendingRow,
    model::{Evidence, Source, Status},
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        decide::{self, Applied, Decidable, Decision, Outcome, Prior, Refusal, StatusChange, Way},
        edit,
        export::{self, Table},
        form::{FieldErrors, clean_text, read_multipart},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    competencies::model::Level,
    employees::{
        db::{self as emp_db, Detail, Opt},
        form::parse_date,
    },
};

pub fn routes() -> Routes {
    Routes::new()
        .get("/employees/{id}/assessments/new", Access::SignedIn, new_form)
        .post("/employees/{id}/assessments", Access::SignedIn, create)
        .get("/assessments/pending", Access::AnyOf(&[Role::Hr, Role::Head]), pending)
        .post("/assessments/{id}/validate", Access::AnyOf(&[Role::Hr, Role::Head]), decide::post::<Assessment, true>)
        .post("/assessments/{id}/reject", Access::AnyOf(&[Role::Hr, Role::Head]), decide::post::<Assessment, false>)
        .get("/evidence/{id}", Access::SignedIn, evidence)
        .post("/assessments/{id}/withdraw", Access::SignedIn, withdraw)
}

/// Who may record what for this employee: `None` = nothing; `Some(true)` = a self-assessment
/// (pending); `Some(false)` = an assessment by HR or the head (validated at once).
fn mode(user: &CurrentUser, e: &Detail) -> Option<bool> {
    if user.employee_id == Some(e.id) {
        Some(true)
    } else if e.decides {
        Some(false)
    } else {
        None
    }
}

#[derive(Clone, Debug, Default)]
pub struct AssessmentInput {
    pub competency: String,
    pub level: String,
    pub assessed_on: String,
    pub source: String,
    pub assessor_name: String,
    pub note: String,
    /// One-time token: the form sent twice records one assessment.
    pub form_token: String,
}

#[derive(askama::Template)]
#[template(path = "assessments/form.html")]
struct FormPage {
    ctx: Ctx,
    e: Detail,
    form: AssessmentInput,
    errors: FieldErrors,
    /// The competencies of the employee's own standard first, then the rest of the catalog.
    own: Vec<Opt>,
    others: Vec<Opt>,
    /// The competency being assessed, with what is asked of the employee and the five descriptors.
    chosen: Option<Chosen>,
    is_self: bool,
    sources: Vec<Source>,
}

/// A chosen competency: the requirement of the employee's position, the current level and the
/// descriptor of every level (what a person at that level does).
#[derive(Clone, Debug)]
pub struct Chosen {
    pub id: i64,
    pub label: String,
    pub required: Option<i16>,
    pub current: Option<i16>,
    pub levels: Vec<(i16, String)>,
}

/// The requirement, current level and descriptors of one competency for one employee.
async fn chosen(conn: &mut sqlx::PgConnection, e: &Detail, competency: &str, en: bool) -> AppResult<Option<Chosen>> {
    let Ok(id) = competency.trim().parse::<i64>() else { return Ok(None) };
    let head: Option<(String, Option<i16>, Option<i16>)> = sqlx::query_as(
        "select c.code || ' ' || case when $3 then c.name_en else c.name_id end,
                (select ps.required_level from position_standards ps where ps.position_id = $4 and ps.competency_id = c.id),
                (select cl.level from current_levels cl where cl.employee_id = $2 and cl.competency_id = c.id)
         from competencies c where c.id = $1 and c.active",
    )
    .bind(id)
    .bind(e.id)
    .bind(en)
    .bind(e.position_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((label, required, current)) = head else { return Ok(None) };
    let levels: Vec<(i16, String)> = sqlx::query_as(
        "select level, case when $2 then descriptor_en else descriptor_id end from competency_levels
         where competency_id = $1 order by level",
    )
    .bind(id)
    .bind(en)
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some(Chosen { id, label, required, current, levels }))
}

async fn load(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(Detail, bool)> {
    let mut conn = state.pool.acquire().await?;
    let e = emp_db::find(&mut conn, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let is_self = mode(user, &e).ok_or(AppError::Forbidden)?;
    Ok((e, is_self))
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    e: Detail,
    is_self: bool,
    form: AssessmentInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let en = ctx.lang.is_en();
    let options: Vec<(i64, String, bool)> = sqlx::query_as(
        "select c.id, c.code || ' ' || case when $1 then c.name_en else c.name_id end,
                exists (select 1 from position_standards ps where ps.position_id = $2 and ps.competency_id = c.id)
         from competencies c where c.active order by 3 desc, c.code",
    )
    .bind(en)
    .bind(e.position_id)
    .fetch_all(&mut *conn)
    .await?;
    let (own, others): (Vec<_>, Vec<_>) = options.into_iter().partition(|o| o.2);
    let opt = |v: Vec<(i64, String, bool)>| v.into_iter().map(|(id, label, _)| Opt { id, label }).collect::<Vec<_>>();
    let chosen = chosen(&mut conn, &e, &form.competency, en).await?;
    let sources = if is_self {
        vec![Source::SelfAssessment]
    } else {
        Source::ALL.iter().copied().filter(|s| *s != Source::SelfAssessment).collect()
    };
    let status = errors.status();
    render_status(
        status,
        &FormPage { ctx, e, form, errors, own: opt(own), others: opt(others), chosen, is_self, sources },
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    competency: String,
}

async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let (e, is_self) = load(&state, &user, id).await?;
    let form = AssessmentInput {
        competency: q.competency,
        assessed_on: ctx.today.format("%Y-%m-%d").to_string(),
        source: if is_self { "self".into() } else { "supervisor".into() },
        form_token: edit::new_token(),
        ..Default::default()
    };
    form_page(&state, ctx, e, is_self, form, FieldErrors::default()).await
}

async fn read_form(mp: Multipart) -> Result<(AssessmentInput, Option<(String, Vec<u8>)>), AppError> {
    let mut p = read_multipart(mp, "evidence").await?;
    let input = AssessmentInput {
        competency: p.take("competency"),
        level: p.take("level"),
        assessed_on: p.take("assessed_on"),
        source: p.take("source"),
        assessor_name: p.take("assessor_name"),
        note: p.take("note"),
        form_token: p.take("form_token"),
    };
    Ok((input, p.file))
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let (e, is_self) = load(&state, &user, id).await?;
    let (form, file) = read_form(mp).await?;
    let mut errors = FieldErrors::default();
    let mut conn = state.pool.acquire().await?;
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
    let level = Level::parse(&form.level).map_err(|k| errors.add("level", k)).ok();
    let today = ctx.today;
    let date = parse_date(&form.assessed_on);
    match date {
        None => errors.add("assessed_on", "form.bad_date"),
        Some(d) if d > today => errors.add("assessed_on", "asm.err.future"),
        Some(d) if d < chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default() => {
            errors.add("assessed_on", "form.bad_date")
        }
        _ => {}
    }
    let source = Source::parse(&form.source).filter(|s| (*s == Source::SelfAssessment) == is_self);
    if source.is_none() {
        errors.add("source", "asm.err.source");
    }
    let note = clean_text(&form.note, 2000).map_err(|k| errors.add("note", k)).unwrap_or_default();
    let assessor_name =
        clean_text(&form.assessor_name, 200).map_err(|k| errors.add("assessor_name", k)).unwrap_or_default();
    let evidence = match file {
        Some((name, bytes)) => Evidence::parse(&name, bytes).map_err(|k| errors.add("evidence", k)).ok(),
        None => None,
    };
    drop(conn);
    let (Some(competency), Some(level), Some(date), Some(source), true) =
        (competency, level, date, source, errors.is_empty())
    else {
        return form_page(&state, ctx, e, is_self, form, errors).await;
    };
    let status = if is_self { Status::Pending } else { Status::Validated };
    let mut tx = state.pool.begin().await?;
    if edit::claim(&mut tx, user.account_id, &form.form_token).await?.is_some() {
        return Ok(redirect_flash(&format!("/employees/{id}"), FlashKind::Ok, "flash.already_saved"));
    }
    // One pending self-assessment per competency: a new one replaces her own one still waiting
    // (the employee's row is locked, so two at once end as one). A training's proposal for the
    // same competency is not hers to replace: it waits beside it.
    let mut replaced = false;
    if is_self {
        sqlx::query("select id from employees where id = $1 for update").bind(id).execute(&mut *tx).await?;
        let old: Option<(i64, serde_json::Value)> = sqlx::query_as(
            "delete from assessments a where employee_id = $1 and competency_id = $2 and status = 'pending' and source = 'self'
             returning a.id, to_jsonb(a) - 'created_at'",
        )
        .bind(id)
        .bind(competency)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some((old_id, before)) = old {
            audit::record(&mut tx, &Actor::from_ctx(&ctx), "assessment", old_id, "replace", Some(before), None).await?;
            replaced = true;
        }
    }
    let evidence_id: Option<i64> = match &evidence {
        Some(ev) => Some(super::db::store_evidence(&mut tx, id, ev, user.account_id).await?),
        None => None,
    };
    let aid: i64 = sqlx::query_scalar(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_account_id, assessor_name,
                                  note, evidence_id, status, validated_by, validated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, case when $10 = 'validated' then now() end) returning id",
    )
    .bind(id)
    .bind(competency)
    .bind(level.get())
    .bind(date)
    .bind(source.as_str())
    .bind(user.account_id)
    .bind(&assessor_name)
    .bind(&note)
    .bind(evidence_id)
    .bind(status.as_str())
    .bind((!is_self).then_some(user.account_id))
    .fetch_one(&mut *tx)
    .await?;
    let after = json!({"employee_id": id, "competency_id": competency, "level": level.get(), "assessed_on": date,
                       "source": source.as_str(), "status": status.as_str(), "evidence_id": evidence_id, "note": note});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "assessment", aid, "create", None, Some(after)).await?;
    tx.commit().await?;
    let key = match (is_self, replaced) {
        (true, true) => "flash.self_assessment_replaced",
        (true, false) => "flash.self_assessment_sent",
        _ => "flash.assessment_saved",
    };
    Ok(redirect_flash(&format!("/employees/{id}"), FlashKind::Ok, key))
}

#[derive(askama::Template)]
#[template(path = "assessments/pending.html")]
struct PendingPage {
    ctx: Ctx,
    rows: Vec<PendingRow>,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct PendingQuery {
    format: String,
}

async fn pending(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<PendingQuery>,
) -> AppResult<Response> {
    let scope = user.scope();
    let en = ctx.lang.is_en();
    // What waits for this reader's validation, reused while the records are unchanged.
    let key = format!("assessments.pending:{}:{en}", user.account_id);
    let rows: Vec<PendingRow> = state
        .personal
        .get(&state.pool, key, move |conn| {
            Box::pin(async move {
                sqlx::query_as(
                    "select a.id, e.id as employee_id, e.nip, employee_display_name(e.front_title, e.name, e.back_title) as employee,
                            u.name as unit, c.code, c.name_id, c.name_en, a.level,
                            (select cl.level from current_levels cl where cl.employee_id = a.employee_id
                               and cl.competency_id = a.competency_id) as current_level,
                            a.assessed_on, a.note, a.evidence_id,
                            coalesce((select case when $4 then cl.descriptor_en else cl.descriptor_id end from competency_levels cl
                                      where cl.competency_id = a.competency_id and cl.level = a.level), '') as descriptor
                     from pending_assessments($1, $2, $3) w join assessments a on a.id = w.id
                     join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
                     join competencies c on c.id = a.competency_id
                     order by a.created_at, a.id limit 500",
                )
                .bind(scope.all)
                .bind(scope.own)
                .bind(&scope.unit_patterns)
                .bind(en)
                .fetch_all(&mut *conn)
                .await
            })
        })
        .await?
        .as_ref()
        .clone();
    if export::wanted(&q.format) {
        let table = Table {
            name: "penilaian-menunggu",
            headers: export::keys(&[
                "col.nip",
                "col.name",
                "col.unit",
                "col.code",
                "col.competency",
                "col.level_proposed",
                "col.level_current",
                "col.date",
                "col.note",
            ]),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.nip.clone(),
                        r.employee.clone(),
                        r.unit.clone(),
                        r.code.clone(),
                        r.name_id.clone(),
                        r.level.to_string(),
                        r.current_level.map(|l| l.to_string()).unwrap_or_default(),
                        r.assessed_on.format("%Y-%m-%d").to_string(),
                        r.note.clone(),
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &q.format, &table);
    }
    render(&PendingPage { ctx, rows })
}

/// A self-assessment or a training's proposal, decided through [`decide`]: validated or
/// rejected; a training's proposal at or below the level the employee now holds is recorded as a
/// confirmation instead (or refused, see [`Approval`]).
pub(crate) struct Assessment;

impl Decidable for Assessment {
    const ENTITY: &'static str = "assessment";
    type Status = Status;
    const WAITING: Status = Status::Pending;
    const LOCK: &'static str = "select a.status, scope_decides($2, $3, $4, e.id, u.path) as decides,
               a.validated_by as decided_by, a.validated_at as decided_at
        from assessments a join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
        where a.id = $1 for update of a";
    type Row = ();
    type Plan = Approval;
    const CHANGE: StatusChange = StatusChange {
        sql: "update assessments set status = $2, validated_by = $3, validated_at = now(), decision_reason = $4
              where id = $1 and status = 'pending'",
        from: "pending",
        approve: Way { status: "validated", action: "validate", key: "flash.assessment_validated" },
        reject: Way { status: "rejected", action: "reject", key: "flash.assessment_rejected" },
    };

    /// A training's proposal someone approved after the employee's level had reached it is now a
    /// confirmation: who and when, to those who decide for her.
    async fn gone(conn: &mut sqlx::PgConnection, ctx: &Ctx, user: &CurrentUser, id: i64) -> AppResult<Option<Prior>> {
        let scope = user.scope();
        let confirmed: Option<(Option<i64>, chrono::DateTime<chrono::Utc>)> = sqlx::query_as(
            "select f.confirmed_by, f.created_at
             from training_confirmations f join training_participants tp on tp.id = f.participant_id
             join employees e on e.id = tp.employee_id join units u on u.id = e.unit_id
             where f.proposal_id = $1 and scope_decides($2, $3, $4, e.id, u.path)",
        )
        .bind(id)
        .bind(scope.all)
        .bind(scope.own)
        .bind(&scope.unit_patterns)
        .fetch_optional(&mut *conn)
        .await?;
        Ok(confirmed.map(|(by, at)| Prior { by, at: Some(at), status: ctx.t("asm.confirmed_instead") }))
    }

    async fn check(
        conn: &mut sqlx::PgConnection,
        ctx: &Ctx,
        _user: &CurrentUser,
        id: i64,
        _row: &(),
        decision: &Decision,
    ) -> AppResult<Result<Approval, Vec<Refusal>>> {
        if !decision.approve {
            return Ok(Ok(Approval::Validate));
        }
        Ok(match approve_training(conn, id).await? {
            Approval::Refused => Err(vec![Refusal::plain(ctx, "asm.err.would_lower")]),
            plan => Ok(plan),
        })
    }

    async fn apply(
        conn: &mut sqlx::PgConnection,
        user: &CurrentUser,
        id: i64,
        _row: &(),
        plan: Approval,
        decision: &Decision,
    ) -> AppResult<Applied> {
        if let Approval::Confirm { participant, competency, target, held } = plan {
            return confirm_instead(conn, user.account_id, id, participant, competency, target, held).await;
        }
        Self::CHANGE.apply(conn, id, user.account_id, decision).await
    }

    /// Back to the pending list with its flash; someone first: who, how and when (409).
    async fn page(_state: &AppState, ctx: Ctx, _user: &CurrentUser, _id: i64, outcome: Outcome) -> AppResult<Response> {
        const BACK: &str = "/assessments/pending";
        match outcome {
            Outcome::Decided { key, .. } => Ok(redirect_flash(BACK, FlashKind::Ok, key)),
            Outcome::AlreadyDecided { by, at, status } => decided_page(ctx, status, by, at),
            Outcome::NeedsReason { .. } => Ok(redirect_flash(BACK, FlashKind::Err, "asm.err.reason")),
            Outcome::Refused { refusals, .. } => {
                Ok(redirect_flash(BACK, FlashKind::Err, refusals.first().map_or("appr.refused", |r| r.key)))
            }
            other => Err(other.error()),
        }
    }
}

/// What approving a training's proposal does.
#[derive(Default)]
pub(crate) enum Approval {
    /// Validate it as usual.
    #[default]
    Validate,
    /// The employee already holds its level or higher (validated while it waited): recorded as
    /// the training confirming the level held (`training_confirmations`), no new level.
    Confirm { participant: i64, competency: i64, target: i16, held: i16 },
    /// The same, for a proposal made before proposals named their participation: it cannot
    /// become a confirmation, and validating it would make a lower level the latest.
    Refused,
}

/// Approving a training's proposal at or below the level the employee now holds would record a
/// lower level as the latest: it is recorded instead as what it is, the training confirming the
/// level she holds. The pair's current level is read under the locks every writer of it takes
/// (`refresh_current_levels`), taken after the assessment's row lock, so a level validated at the
/// same moment is seen.
async fn approve_training(tx: &mut sqlx::PgConnection, id: i64) -> AppResult<Approval> {
    let row: Option<(i64, i64, i16, Option<i64>)> = sqlx::query_as(
        "select employee_id, competency_id, level, training_participant_id from assessments
         where id = $1 and source = 'training' and status = 'pending'",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((employee, competency, target, participant)) = row else { return Ok(Approval::Validate) };
    sqlx::query("select pg_advisory_xact_lock_shared(727300, 0)").execute(&mut *tx).await?;
    sqlx::query("select pg_advisory_xact_lock(727301, hashtext($1::text || '/' || $2::text))")
        .bind(employee)
        .bind(competency)
        .execute(&mut *tx)
        .await?;
    let held: Option<i16> =
        sqlx::query_scalar("select level from current_levels where employee_id = $1 and competency_id = $2")
            .bind(employee)
            .bind(competency)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(held) = held.filter(|h| *h >= target) else { return Ok(Approval::Validate) };
    let Some(participant) = participant else { return Ok(Approval::Refused) };
    Ok(Approval::Confirm { participant, competency, target, held })
}

/// The training's proposal becomes its confirmation of the level held: the proposal leaves the
/// queue (its row goes to the audit log) and the training's page says "confirmed at level N".
async fn confirm_instead(
    tx: &mut sqlx::PgConnection,
    account: i64,
    id: i64,
    participant: i64,
    competency: i64,
    target: i16,
    held: i16,
) -> AppResult<Applied> {
    let before: serde_json::Value =
        sqlx::query_scalar("delete from assessments a where id = $1 returning to_jsonb(a) - 'created_at'")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    sqlx::query(
        "insert into training_confirmations (participant_id, competency_id, target_level, held_level, confirmed_by, proposal_id)
         values ($1, $2, $3, $4, $5, $6) on conflict (participant_id, competency_id) do nothing",
    )
    .bind(participant)
    .bind(competency)
    .bind(target)
    .bind(held)
    .bind(account)
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let after = json!({"participant_id": participant, "target_level": target, "held_level": held});
    Ok(Applied { action: "confirm_instead", before, after, key: "flash.training_confirmed" })
}

/// An employee withdraws their own self-assessment while it still waits.
async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let own = user.employee_id.ok_or(AppError::NotFound)?;
    let mut tx = state.pool.begin().await?;
    let row: Option<DecisionRow> = sqlx::query_as(
        "select a.status,
                coalesce(employee_display_name(ve.front_title, ve.name, ve.back_title), v.username) as by,
                a.validated_at as at
         from assessments a left join accounts v on v.id = a.validated_by left join employees ve on ve.id = v.employee_id
         where a.id = $1 and a.employee_id = $2 and a.source = 'self' for update of a",
    )
    .bind(id)
    .bind(own)
    .fetch_optional(&mut *tx)
    .await?;
    let DecisionRow { status, by, at } = row.ok_or(AppError::NotFound)?;
    if status != Status::Pending {
        let outcome = ctx.label(status);
        return decided_page(ctx, outcome, by, at);
    }
    let before: serde_json::Value =
        sqlx::query_scalar("delete from assessments a where id = $1 returning to_jsonb(a) - 'created_at'")
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "assessment", id, "withdraw", Some(before), None).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/employees/{own}"), FlashKind::Ok, "flash.self_assessment_withdrawn"))
}

/// A self-assessment about to be withdrawn: its status, who decided it and when.
#[derive(sqlx::FromRow)]
struct DecisionRow {
    status: Status,
    by: Option<String>,
    at: Option<chrono::DateTime<chrono::Utc>>,
}

/// The 409 page for an assessment someone else decided first: how (in words), by whom, when.
fn decided_page(
    ctx: Ctx,
    outcome: &'static str,
    by: Option<String>,
    at: Option<chrono::DateTime<chrono::Utc>>,
) -> AppResult<Response> {
    let page = DecidedPage {
        when: at.map(|t| ctx.date_time(t)).unwrap_or_default(),
        ctx,
        outcome,
        by: by.unwrap_or_default(),
    };
    render_status(axum::http::StatusCode::CONFLICT, &page)
}

/// Someone else decided first: who, how and when.
#[derive(askama::Template)]
#[template(path = "assessments/decided.html")]
struct DecidedPage {
    ctx: Ctx,
    /// How it was decided, in words.
    outcome: &'static str,
    by: String,
    when: String,
}

/// An evidence file, only to those who may see the employee.
#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct EvidenceQuery {
    download: String,
}

/// Opens in the browser (PDF and images are shown inline); `?download=1` saves it.
async fn evidence(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<EvidenceQuery>,
) -> AppResult<Response> {
    let scope = user.scope();
    let row: Option<(String, String, Vec<u8>)> = sqlx::query_as(
        "select f.filename, f.content_type, f.data from evidence_files f join employees e on e.id = f.employee_id
         join units u on u.id = e.unit_id where f.id = $1 and scope_sees($2, $3, $4, e.id, u.path)",
    )
    .bind(id)
    .bind(scope.all)
    .bind(scope.own)
    .bind(&scope.unit_patterns)
    .fetch_optional(&state.pool)
    .await?;
    let (filename, content_type, data) = row.ok_or(AppError::NotFound)?;
    Ok(crate::app::render::stored_file(&filename, content_type, data, q.download.is_empty()))
}
