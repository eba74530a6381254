//! A batch uploaded: its preview, and applying it unless the records changed since it was checked.

use super::*;

pub(super) struct Batch {
    id: i64,
    kind: Kind,
    filename: String,
    rows: Vec<RowResult>,
    present: Vec<bool>,
    ignored: Vec<String>,
    error_count: i32,
    applied: bool,
}

impl Batch {
    /// The file's rows again, as the check reads them.
    fn mapped(&self) -> Mapped {
        let rows = self
            .rows
            .iter()
            .map(|r| MappedRow {
                row: r.row,
                values: r.values.iter().zip(&self.present).map(|(v, present)| present.then(|| v.clone())).collect(),
                numeric: vec![false; self.present.len()],
            })
            .collect();
        Mapped { present: self.present.clone(), ignored: self.ignored.clone(), rows }
    }
}

pub(super) struct BatchRow {
    kind: String,
    filename: String,
    rows: serde_json::Value,
    present: serde_json::Value,
    ignored: serde_json::Value,
    error_count: i32,
    applied: bool,
}

pub(super) async fn load(conn: &mut sqlx::PgConnection, user: &CurrentUser, id: i64, lock: bool) -> AppResult<Batch> {
    let b = if lock {
        sqlx::query_as!(
            BatchRow,
            r#"select kind, filename, rows, present, ignored, error_count, applied_at is not null as "applied!"
             from import_batches where id = $1 and account_id = $2 for update"#,
            id,
            user.account_id,
        )
        .fetch_optional(conn)
        .await?
    } else {
        sqlx::query_as!(
            BatchRow,
            r#"select kind, filename, rows, present, ignored, error_count, applied_at is not null as "applied!"
             from import_batches where id = $1 and account_id = $2"#,
            id,
            user.account_id,
        )
        .fetch_optional(conn)
        .await?
    }
    .ok_or(AppError::NotFound)?;
    let kind = Kind::parse(&b.kind).ok_or(AppError::NotFound)?;
    let rows: Vec<RowResult> = serde_json::from_value(b.rows).map_err(anyhow::Error::from)?;
    let mut present: Vec<bool> = serde_json::from_value(b.present).map_err(anyhow::Error::from)?;
    if present.len() != kind.fields().len() {
        present = vec![true; kind.fields().len()];
    }
    let ignored: Vec<String> = serde_json::from_value(b.ignored).map_err(anyhow::Error::from)?;
    Ok(Batch { id, kind, filename: b.filename, rows, present, ignored, error_count: b.error_count, applied: b.applied })
}

#[derive(askama::Template)]
#[template(path = "imports/preview.html")]
pub(super) struct PreviewPage {
    ctx: Ctx,
    id: i64,
    filename: String,
    headers: Vec<&'static str>,
    rows: Vec<RowResult>,
    ignored: Vec<String>,
    absent: Vec<&'static str>,
    error_count: i32,
    applied: bool,
    creates: usize,
    updates: usize,
    unchanged: usize,
    stale: bool,
    /// Employee rows link to the employee once applied.
    employees: bool,
}

pub(super) fn preview_page(ctx: Ctx, b: Batch, status: StatusCode, stale: bool) -> AppResult<Response> {
    let count = |a: &str| b.rows.iter().filter(|r| r.errors.is_empty() && r.action == a).count();
    let (creates, updates, unchanged) = (count("create"), count("update"), count("unchanged"));
    let absent = b.kind.fields().iter().zip(&b.present).filter(|(_, p)| !**p).map(|(f, _)| f.label).collect::<Vec<_>>();
    let page = PreviewPage {
        ctx,
        id: b.id,
        filename: b.filename,
        headers: b.kind.fields().iter().map(|f| f.label).collect(),
        rows: b.rows,
        ignored: b.ignored,
        absent,
        error_count: b.error_count,
        applied: b.applied,
        creates,
        updates,
        unchanged,
        stale,
        employees: b.kind == Kind::Employees,
    };
    render_status(status, &page)
}

pub(super) async fn preview(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let b = load(&mut conn, &user, id, false).await?;
    preview_page(ctx, b, StatusCode::OK, false)
}

/// Write every changed row in one transaction, after checking the file again inside it: a few
/// set-based statements whatever the number of rows, each change audited in the same statement.
pub(super) async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let actor = Actor::from_ctx(&ctx);
    let mut tx = state.pool.begin().await?;
    let b = load(&mut tx, &user, id, true).await?;
    if b.applied {
        return Ok(redirect_flash(&format!("/imports/batches/{id}"), FlashKind::Err, "imp.err.applied"));
    }
    if b.error_count > 0 {
        return preview_page(ctx, b, StatusCode::UNPROCESSABLE_ENTITY, false);
    }
    // Serialise applies: two imports (or one applied twice at once) never interleave their checks.
    sqlx::query!(r#"select pg_advisory_xact_lock(hashtext('cakap.import.apply'))"#,).execute(&mut *tx).await?;
    let mapped = b.mapped();
    // Lock the employees this file touches before checking it again: an edit saved meanwhile is
    // either seen by the check (and the preview is stale) or waits for this import.
    let nips: Vec<String> = mapped
        .rows
        .iter()
        .map(|r| r.values.first().cloned().flatten().unwrap_or_default().chars().filter(char::is_ascii_digit).collect())
        .collect();
    sqlx::query!(r#"select id from employees where nip = any($1) order by id for update"#, &nips)
        .fetch_all(&mut *tx)
        .await?;
    let written = match b.kind {
        Kind::Employees => {
            let (results, ok) = validate::employees(&mut tx, &mapped, ctx.today).await?;
            if results != b.rows {
                return stale(tx, ctx, b, results).await;
            }
            write_employees(&mut tx, &actor, &b.present, &ok).await?
        }
        Kind::Assessments => {
            let (results, ok) = validate::assessments(&mut tx, &mapped, ctx.today).await?;
            if results != b.rows {
                return stale(tx, ctx, b, results).await;
            }
            write_assessments(&mut tx, &actor, &ok).await?
        }
    };
    sqlx::query!(r#"update import_batches set applied_at = now() where id = $1"#, id,).execute(&mut *tx).await?;
    if written > 0 {
        crate::audit::record(
            &mut tx,
            &actor,
            "import_batch",
            id,
            "apply",
            None,
            Some(json!({"kind": b.kind.as_str(), "file": b.filename, "rows": written})),
        )
        .await?;
    }
    tx.commit().await?;
    if written >= ANALYZE_AFTER_ROWS {
        analyze_after_import(&state.pool, b.kind);
    }
    let flash = if written > 0 { "flash.import_applied" } else { "flash.import_nothing" };
    Ok(redirect_flash(&format!("/imports/batches/{id}"), FlashKind::Ok, flash))
}

/// An import of this many rows refreshes the planner's statistics of the tables it filled.
pub(super) const ANALYZE_AFTER_ROWS: usize = 500;

/// `ANALYZE` the tables an applied import filled, in the background: until autovacuum gets to
/// them, the planner sees the tables as they were before the import (measured: after a 20 000-row
/// import one writer managed 7.8 writes/s and each page's navigation counts took 50–70 ms).
pub(super) fn analyze_after_import(pool: &sqlx::PgPool, kind: Kind) {
    let pool = pool.clone();
    tokio::spawn(async move {
        let done = match kind {
            Kind::Employees => {
                sqlx::query!("analyze employees, employee_gap_facts, unit_gap_facts, employee_jp_years, audit_log")
                    .execute(&pool)
                    .await
            }
            Kind::Assessments => {
                sqlx::query!("analyze assessments, current_level_rows, employee_gap_facts, unit_gap_facts, audit_log")
                    .execute(&pool)
                    .await
            }
        };
        if let Err(e) = done {
            tracing::warn!(error = %e, "analyze after import");
        }
    });
}

/// The data changed since the preview was made: keep the new check, write nothing, show it.
pub(super) async fn stale(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    ctx: Ctx,
    b: Batch,
    results: Vec<RowResult>,
) -> AppResult<Response> {
    let errors = results.iter().filter(|r| !r.errors.is_empty()).count() as i32;
    sqlx::query!(
        r#"update import_batches set rows = $2, error_count = $3 where id = $1"#,
        b.id,
        serde_json::to_value(&results).map_err(anyhow::Error::from)?,
        errors,
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    preview_page(ctx, Batch { rows: results, error_count: errors, ..b }, StatusCode::CONFLICT, true)
}
