//! The certificate file, and the participant's own evaluation of the training.

use super::*;

/// A certificate file, to those who may see the participant.
pub(super) async fn certificate(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = user.scope();
    let row = sqlx::query!(
        "select f.filename, f.content_type, f.data from training_participants tp join evidence_files f on f.id = tp.certificate_file_id
         join employees e on e.id = tp.employee_id join units u on u.id = e.unit_id
         where tp.id = $1 and scope_sees($2, $3, $4, e.id, u.path)",
        id,
        scope.all,
        scope.own,
        &scope.unit_patterns,
    )
    .fetch_optional(&state.pool)
    .await?
    .map(|f| (f.filename, f.content_type, f.data));
    let (filename, content_type, data) = row.ok_or(AppError::NotFound)?;
    Ok(crate::app::render::stored_file(&filename, content_type, data, false))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct EvaluationForm {
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
    let row = sqlx::query!(
        r#"select t.id, t.title, exists (select 1 from training_evaluations ev where ev.participant_id = tp.id) as "done!"
         from training_participants tp join trainings t on t.id = tp.training_id
         where tp.id = $1 and tp.employee_id = $2
           and (exists (select 1 from evaluations_owed o where o.participant_id = tp.id)
                or exists (select 1 from training_evaluations ev where ev.participant_id = tp.id))"#,
        id,
        me,
    )
    .fetch_optional(&state.pool)
    .await?
    .map(|r| (r.id, r.title, r.done));
    row.ok_or(AppError::NotFound)
}

pub(super) async fn evaluation_form(
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

pub(super) async fn save_evaluation(
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
    let n = sqlx::query!(
        "insert into training_evaluations (participant_id, relevance, method, trainer, usefulness, comment)
         values ($1, $2, $3, $4, $5, $6) on conflict (participant_id) do nothing",
        id,
        a,
        b,
        c,
        d,
        &comment,
    )
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
