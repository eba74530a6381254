//! The log of one push, and sending it again.

use super::*;

/// One line of a push's log.
pub struct LogRow {
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: Option<String>,
    pub step: String,
    pub attempt: i32,
    pub sent: Option<serde_json::Value>,
    pub http_status: Option<i32>,
    pub answer: String,
    pub outcome: String,
}

#[derive(askama::Template)]
#[template(path = "siasn/log.html")]
pub(super) struct LogPage {
    ctx: Ctx,
    push: PushRow,
    participant_id: i64,
    training_id: i64,
    rows: Vec<LogRow>,
}

impl LogPage {
    fn step_label(&self, step: &str) -> &'static str {
        self.ctx.t(match step {
            "check" => "siasn.step.check",
            "pns" => "siasn.step.pns",
            "upload" => "siasn.step.upload",
            _ => "siasn.step.save",
        })
    }

    fn outcome_label(&self, outcome: &str) -> &'static str {
        self.ctx.t(match outcome {
            "ok" => "siasn.outcome.ok",
            "retry" => "siasn.outcome.retry",
            "rejected" => "siasn.outcome.rejected",
            "missing" => "siasn.outcome.missing",
            _ => "siasn.outcome.error",
        })
    }

    fn answer_words(&self, r: &LogRow) -> String {
        if r.outcome == "missing" {
            let codes: Vec<String> = r.answer.split(',').map(str::to_string).collect();
            return records::missing_words(&self.ctx, &codes);
        }
        match r.answer.as_str() {
            "timeout" => self.ctx.t("siasn.err.timeout").to_string(),
            "connect" => self.ctx.t("siasn.err.connect").to_string(),
            a => a.to_string(),
        }
    }

    fn sent_text(&self, v: &Option<serde_json::Value>) -> String {
        v.as_ref().and_then(|v| serde_json::to_string_pretty(v).ok()).unwrap_or_default()
    }

    fn status_label(&self, status: &str) -> &'static str {
        self.ctx.t(match status {
            "queued" => "siasn.status.queued",
            "running" => "siasn.status.running",
            "sent" => "siasn.status.sent",
            _ => "siasn.status.failed",
        })
    }

    fn error(&self) -> String {
        error_words(&self.ctx, self.push.error_kind.as_deref(), &self.push.error_detail, &self.push.status)
    }
}

pub(super) async fn log(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let row: Option<PushRow> = sqlx::query_as!(
        PushRow,
        r#"select p.id, employee_display_name(e.front_title, e.name, e.back_title) as "name!", e.nip, t.title, p.kind, p.status, p.attempts,
                p.siasn_id, p.error_kind, p.error_detail, p.updated_at
         from siasn_pushes p join training_participants tp on tp.id = p.participant_id join trainings t on t.id = tp.training_id
         join employees e on e.id = tp.employee_id where p.id = $1"#,
        id,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let push = row.ok_or(AppError::NotFound)?;
    let ids = sqlx::query!(
        "select tp.id, tp.training_id from siasn_pushes p join training_participants tp on tp.id = p.participant_id where p.id = $1",
        id,
    )
    .fetch_one(&mut *conn)
    .await?;
    let (participant_id, training_id) = (ids.id, ids.training_id);
    let rows: Vec<LogRow> = sqlx::query_as!(
        LogRow,
        r#"select l.at, a.username as "actor?", l.step, l.attempt, l.sent, l.http_status, l.answer, l.outcome
         from siasn_push_log l left join accounts a on a.id = l.actor where l.push_id = $1 order by l.at desc, l.id desc"#,
        id,
    )
    .fetch_all(&mut *conn)
    .await?;
    render(&LogPage { ctx, push, participant_id, training_id, rows })
}

pub(super) async fn resend(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let participant: Option<i64> =
        sqlx::query_scalar!("select participant_id from siasn_pushes where id = $1 for update", id)
            .fetch_optional(&mut *tx)
            .await?;
    let participant = participant.ok_or(AppError::NotFound)?;
    let back = format!("/siasn/pushes/{id}");
    if !state.siasn.configured() {
        return Ok(redirect_flash(&back, FlashKind::Err, "siasn.flash.not_configured"));
    }
    let queued = push::enqueue(&mut tx, &[participant], Some(user.account_id)).await?;
    if queued.is_empty() {
        // Still incomplete (or running): nothing is sent; the log says what it lacks.
        let codes: Option<Vec<String>> = sqlx::query_scalar!(
            r#"select missing as "missing!" from siasn_records where participant_id = $1"#,
            participant,
        )
        .fetch_optional(&mut *tx)
        .await?;
        let codes = codes.unwrap_or_else(|| vec!["not_passed".into()]);
        sqlx::query!(
            "update siasn_pushes set status = 'failed', error_kind = 'missing', error_detail = $2 where id = $1 and status <> 'running'",
            id,
            codes.join(","),
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(redirect_flash(&back, FlashKind::Err, "siasn.flash.still_missing"));
    }
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "siasn_push", id, "resend", None, None).await?;
    tx.commit().await?;
    push::wake().notify_one();
    Ok(redirect_flash(&back, FlashKind::Ok, "siasn.flash.queued"))
}
