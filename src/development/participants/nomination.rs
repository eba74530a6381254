//! Deciding a nomination: approved within the seats and the budget, or rejected.

use super::*;

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
        let key = sqlx::query!(
            "select t.budget_year, t.budget_unit_id from training_participants tp join trainings t on t.id = tp.training_id
             where tp.id = $1 for update of t",
            id,
        )
        .fetch_optional(&mut *conn)
        .await?
        .map(|r| (r.budget_year, r.budget_unit_id));
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
        let r = sqlx::query!(
            r#"select paid_participants as "paid!", next_cost as "cost!" from training_costs where training_id = $1"#,
            d.training_id,
        )
        .fetch_one(&mut *conn)
        .await?;
        let (paid, cost) = (r.paid, r.cost);
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
        sqlx::query!(
            "update training_participants set status = 'approved', decided_by = $2, decided_at = now(), override_reason = $3
             where id = $1 and status = 'nominated'",
            id,
            user.account_id,
            override_reason,
        )
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
