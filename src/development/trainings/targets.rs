//! Adding and removing the competencies a training develops.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TargetForm {
    competency: String,
    level: String,
}

pub(super) async fn add_competency(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(f): Form<TargetForm>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let exists: Option<i64> =
        sqlx::query_scalar!("select id from trainings where id = $1 for update", id).fetch_optional(&mut *tx).await?;
    exists.ok_or(AppError::NotFound)?;
    let competency: Option<i64> = match f.competency.trim().parse::<i64>() {
        Ok(c) => {
            sqlx::query_scalar!("select id from competencies where id = $1 and active", c)
                .fetch_optional(&mut *tx)
                .await?
        }
        Err(_) => None,
    };
    let level = Level::parse(&f.level).ok();
    let (Some(competency), Some(level)) = (competency, level) else {
        drop(tx);
        let problem = vec![ctx.t("trn.err.target").to_string()];
        let page =
            detail_page(&state, ctx, &user, id, crate::development::participants::nominate_picker(), problem).await?;
        return render_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    sqlx::query!(
        "insert into training_competencies (training_id, competency_id, target_level) values ($1, $2, $3)
         on conflict (training_id, competency_id) do update set target_level = excluded.target_level",
        id,
        competency,
        level.get(),
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "training",
        id,
        "target_set",
        None,
        Some(json!({"competency_id": competency, "target_level": level.get()})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/trainings/{id}"), FlashKind::Ok, "flash.saved"))
}

pub(super) async fn remove_competency(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TargetForm>,
) -> AppResult<Response> {
    let Ok(competency) = f.competency.trim().parse::<i64>() else {
        return Ok(redirect_flash(&format!("/trainings/{id}"), FlashKind::Err, "trn.err.target"));
    };
    let mut tx = state.pool.begin().await?;
    let removed: Option<i16> = sqlx::query_scalar!(
        "delete from training_competencies where training_id = $1 and competency_id = $2 returning target_level",
        id,
        competency,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(level) = removed else {
        return Ok(redirect_flash(&format!("/trainings/{id}"), FlashKind::Ok, "flash.already_saved"));
    };
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "training",
        id,
        "target_remove",
        Some(json!({"competency_id": competency, "target_level": level})),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/trainings/{id}"), FlashKind::Ok, "flash.saved"))
}
