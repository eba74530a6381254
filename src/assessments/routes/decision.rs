//! Deciding an assessment (validate, reject, or a training's confirmation instead) and withdrawing
//! one's own self-assessment; the 409 page when someone decided first.

use super::*;

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
        let confirmed: Option<(Option<i64>, chrono::DateTime<chrono::Utc>)> = sqlx::query!(
            "select f.confirmed_by, f.created_at
             from training_confirmations f join training_participants tp on tp.id = f.participant_id
             join employees e on e.id = tp.employee_id join units u on u.id = e.unit_id
             where f.proposal_id = $1 and scope_decides($2, $3, $4, e.id, u.path)",
            id,
            scope.all,
            scope.own,
            &scope.unit_patterns,
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.confirmed_by, r.created_at));
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
    let row: Option<(i64, i64, i16, Option<i64>)> = sqlx::query!(
        "select employee_id, competency_id, level, training_participant_id from assessments
         where id = $1 and source = 'training' and status = 'pending'",
        id,
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| (r.employee_id, r.competency_id, r.level, r.training_participant_id));
    let Some((employee, competency, target, participant)) = row else { return Ok(Approval::Validate) };
    sqlx::query!("select pg_advisory_xact_lock_shared(727300, 0)").execute(&mut *tx).await?;
    sqlx::query!(
        "select pg_advisory_xact_lock(727301, hashtext($1::bigint::text || '/' || $2::bigint::text))",
        employee,
        competency,
    )
    .execute(&mut *tx)
    .await?;
    let held: Option<i16> = sqlx::query_scalar!(
        r#"select level as "level!" from current_levels where employee_id = $1 and competency_id = $2"#,
        employee,
        competency,
    )
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
    let before: serde_json::Value = sqlx::query_scalar!(
        r#"delete from assessments a where id = $1 returning to_jsonb(a) - 'created_at' as "before!""#,
        id,
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into training_confirmations (participant_id, competency_id, target_level, held_level, confirmed_by, proposal_id)
         values ($1, $2, $3, $4, $5, $6) on conflict (participant_id, competency_id) do nothing",
        participant,
        competency,
        target,
        held,
        account,
        id,
    )
    .execute(&mut *tx)
    .await?;
    let after = json!({"participant_id": participant, "target_level": target, "held_level": held});
    Ok(Applied { action: "confirm_instead", before, after, key: "flash.training_confirmed" })
}

/// An employee withdraws their own self-assessment while it still waits.
pub(super) async fn withdraw(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let own = user.employee_id.ok_or(AppError::NotFound)?;
    let mut tx = state.pool.begin().await?;
    let row: Option<DecisionRow> = sqlx::query_as!(
        DecisionRow,
        r#"select a.status as "status: _",
                coalesce(employee_display_name(ve.front_title, ve.name, ve.back_title), v.username) as "by?",
                a.validated_at as at
         from assessments a left join accounts v on v.id = a.validated_by left join employees ve on ve.id = v.employee_id
         where a.id = $1 and a.employee_id = $2 and a.source = 'self' for update of a"#,
        id,
        own,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let DecisionRow { status, by, at } = row.ok_or(AppError::NotFound)?;
    if status != Status::Pending {
        let outcome = ctx.label(status);
        return decided_page(ctx, outcome, by, at);
    }
    let before: serde_json::Value = sqlx::query_scalar!(
        r#"delete from assessments a where id = $1 returning to_jsonb(a) - 'created_at' as "before!""#,
        id,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "assessment", id, "withdraw", Some(before), None).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/employees/{own}"), FlashKind::Ok, "flash.self_assessment_withdrawn"))
}

/// A self-assessment about to be withdrawn: its status, who decided it and when.
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
