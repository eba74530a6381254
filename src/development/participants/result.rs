//! A participant's result: attended, passed, failed or absent, with certificate and JP.

use super::*;

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
        crate::development::model::jp_text(self.r.training_jp, self.ctx.lang.is_en())
    }
}

async fn load_result(conn: &mut sqlx::PgConnection, id: i64, lock: bool) -> Result<Option<ResultRow>, sqlx::Error> {
    // One statement, with or without the participant's row lock.
    macro_rules! load {
        ($tail:tt) => {
            sqlx::query_as!(
                ResultRow,
                r#"select tp.training_id, t.title, t.status as "training_status: TrainingStatus", t.ends_on as training_ends_on,
                        e.id as employee_id, employee_display_name(e.front_title, e.name, e.back_title) as "name!", e.nip,
                        tp.status as "status: ParticipantStatus", tp.certificate_no, tp.certificate_issued_on,
                        tp.certificate_expires_on, tp.score::float8 as "score?", tp.jp_credited::float8 as "jp_credited?",
                        t.jp::float8 as "training_jp!", tp.certificate_file_id, tp.version
                 from training_participants tp join trainings t on t.id = tp.training_id join employees e on e.id = tp.employee_id
                 where tp.id = $1"#
                    + $tail,
                id,
            )
            .fetch_optional(conn)
            .await
        };
    }
    if lock { load!(" for update of tp") } else { load!("") }
}

fn opt_date(d: Option<chrono::NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

pub(super) async fn result_form(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
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
        jp: r.jp_credited.map(crate::development::model::jp_plain).unwrap_or_default(),
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
pub(super) async fn save_result(
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
    let before: serde_json::Value = sqlx::query_scalar!(
        r#"select to_jsonb(tp) - 'created_at' - 'updated_at' as "before!" from training_participants tp where id = $1"#,
        id,
    )
    .fetch_one(&mut *tx)
    .await?;
    let after: serde_json::Value = sqlx::query_scalar!(
        r#"update training_participants tp set status = $2, certificate_no = $3, certificate_issued_on = $4,
                certificate_expires_on = $5, score = $6::float8::numeric(5, 2), jp_credited = round($7::float8::numeric, 1),
                certificate_file_id = $8
         where id = $1 returning to_jsonb(tp) - 'created_at' - 'updated_at' as "after!""#,
        id,
        status.as_str(),
        &cert,
        issued,
        expires,
        score,
        jp.map(Jp::get),
        file_id,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "participant", id, "result", Some(before), Some(after)).await?;
    // The training's status follows its dates: a result recorded after its last day completes it.
    if r.training_status != TrainingStatus::Completed && r.training_ends_on <= ctx.today {
        let done: Option<String> = sqlx::query_scalar!(
            "update trainings t set status = 'completed' from trainings old
             where t.id = $1 and old.id = t.id and t.status in ('planned', 'open', 'running') returning old.status",
            r.training_id,
        )
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
