//! Editing a position's competency standard: setting, removing and copying its lines.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct StdForm {
    competency: String,
    level: String,
    priority: String,
    from: String,
    /// The position to copy from, typed where there are too many to list.
    from_q: String,
    /// The standard as the page showed it (JSON), to notice a change made meanwhile.
    seen: String,
}

/// Whether someone changed the standard since the page was shown: the line of `competency`
/// (`None`: any line) differs between what the form saw and what is stored now.
pub(super) fn changed_since(seen: &str, now: &serde_json::Value, competency: Option<i64>) -> bool {
    let Ok(seen) = serde_json::from_str::<serde_json::Value>(seen) else { return false };
    let line = |v: &serde_json::Value, c: i64| {
        v.as_array().and_then(|a| a.iter().find(|l| l["competency_id"].as_i64() == Some(c)).cloned())
    };
    match competency {
        Some(c) => line(&seen, c) != line(now, c),
        None => &seen != now,
    }
}

pub(super) async fn standard_json(conn: &mut PgConnection, id: i64) -> Result<serde_json::Value, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select coalesce(jsonb_agg(jsonb_build_object('competency_id', competency_id, 'level', required_level, 'priority', priority)
                 order by competency_id), '[]'::jsonb) as "row!" from position_standards where position_id = $1"#,
        id,
    )
    .fetch_one(conn)
    .await
}

/// The position exists; its row stays locked until the transaction ends, so edits of its
/// standard happen one after the other.
pub(super) async fn position_exists(conn: &mut PgConnection, id: i64) -> AppResult<()> {
    let ok: Option<i64> =
        sqlx::query_scalar!(r#"select id from positions where id = $1 for update"#, id,).fetch_optional(conn).await?;
    if ok.is_some() { Ok(()) } else { Err(AppError::NotFound) }
}

/// Add a competency to the standard, or change its level and priority.
pub(super) async fn set_standard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StdForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut tx = state.pool.begin().await?;
    position_exists(&mut tx, id).await?;
    let competency: Option<i64> = match f.competency.trim().parse::<i64>() {
        Ok(c) => {
            sqlx::query_scalar!(r#"select id from competencies where id = $1"#, c,).fetch_optional(&mut *tx).await?
        }
        Err(_) => None,
    };
    if competency.is_none() {
        errors.add("competency", "asm.err.competency");
    }
    let level = Level::parse(&f.level).map_err(|k| errors.add("level", k)).ok();
    let priority = Priority::parse(&f.priority);
    if priority.is_none() {
        errors.add("priority", "pos.err.priority");
    }
    let (Some(c), Some(level), Some(priority), true) = (competency, level, priority, errors.is_empty()) else {
        drop(tx);
        return detail_page(&state, ctx, id, errors).await;
    };
    let before = standard_json(&mut tx, id).await?;
    if changed_since(&f.seen, &before, Some(c)) {
        drop(tx);
        errors.add("competency", "pos.err.std_changed");
        return detail_page(&state, ctx, id, errors).await;
    }
    sqlx::query!(
        r#"insert into position_standards (position_id, competency_id, required_level, priority) values ($1, $2, $3, $4)
         on conflict (position_id, competency_id) do update set required_level = excluded.required_level, priority = excluded.priority"#,
        id,
        c,
        level.get(),
        priority.as_str(),
    )
    .execute(&mut *tx)
    .await?;
    let after = standard_json(&mut tx, id).await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "position_standard", id, "update", Some(before), Some(after))
        .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/positions/{id}"), FlashKind::Ok, "flash.saved"))
}

pub(super) async fn remove_standard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StdForm>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    position_exists(&mut tx, id).await?;
    let before = standard_json(&mut tx, id).await?;
    if changed_since(&f.seen, &before, f.competency.trim().parse::<i64>().ok()) {
        drop(tx);
        let mut errors = FieldErrors::default();
        errors.add("competency", "pos.err.std_changed");
        return detail_page(&state, ctx, id, errors).await;
    }
    let n = sqlx::query!(
        r#"delete from position_standards where position_id = $1 and competency_id = $2"#,
        id,
        f.competency.trim().parse::<i64>().unwrap_or(-1),
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n > 0 {
        let after = standard_json(&mut tx, id).await?;
        audit::record(&mut tx, &Actor::from_ctx(&ctx), "position_standard", id, "update", Some(before), Some(after))
            .await?;
    }
    tx.commit().await?;
    Ok(redirect_flash(&format!("/positions/{id}"), FlashKind::Ok, "flash.saved"))
}

/// Replace this position's standard with a copy of another's (one transaction).
pub(super) async fn copy_standard(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<StdForm>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    position_exists(&mut tx, id).await?;
    let choice = PositionChoice::read(&mut *tx, &f.from, &f.from_q, Some(id)).await?;
    let from: Option<i64> = match choice.chosen {
        Some(p) if p != id && choice.error.is_none() => {
            sqlx::query_scalar!(r#"select id from positions where id = $1"#, p,).fetch_optional(&mut *tx).await?
        }
        _ => None,
    };
    let Some(from) = from else {
        drop(tx);
        let mut errors = FieldErrors::default();
        errors.add("from", choice.error.unwrap_or("pos.err.copy_from"));
        return detail_page_with(&state, ctx, id, errors, Some(choice)).await;
    };
    let before = standard_json(&mut tx, id).await?;
    if changed_since(&f.seen, &before, None) {
        drop(tx);
        let mut errors = FieldErrors::default();
        errors.add("from", "pos.err.std_changed_all");
        return detail_page_with(&state, ctx, id, errors, Some(choice)).await;
    }
    sqlx::query!(r#"delete from position_standards where position_id = $1"#, id,).execute(&mut *tx).await?;
    sqlx::query!(
        r#"insert into position_standards (position_id, competency_id, required_level, priority)
         select $1, competency_id, required_level, priority from position_standards where position_id = $2"#,
        id,
        from,
    )
    .execute(&mut *tx)
    .await?;
    let after = standard_json(&mut tx, id).await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "position_standard",
        id,
        "copy",
        Some(before),
        Some(json!({"from": from, "standard": after})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/positions/{id}"), FlashKind::Ok, "flash.standard_copied"))
}
