use axum::{
    extract::{Multipart, Path, State},
    http::StatusCode,
    response::Response,
};
use serde_json::json;

use super::{
    file,
    validate::{self, Kind, RowResult},
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        export::{self, Table},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
};

const HR: &[Role] = &[Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .get("/imports", Access::AnyOf(HR), index)
        .get("/imports/templates/{file}", Access::AnyOf(HR), template)
        .post("/imports/{kind}", Access::AnyOf(HR), upload)
        .get("/imports/batches/{id}", Access::AnyOf(HR), preview)
        .post("/imports/batches/{id}/apply", Access::AnyOf(HR), apply)
}

#[derive(askama::Template)]
#[template(path = "imports/index.html")]
struct IndexPage {
    ctx: Ctx,
    error: Option<(&'static str, String)>,
    kind: &'static str,
}

async fn index(ctx: Ctx) -> AppResult<Response> {
    render(&IndexPage { ctx, error: None, kind: "" })
}

async fn template(Path(name): Path<String>) -> AppResult<Response> {
    let (kind, ext) = name.split_once('.').ok_or(AppError::NotFound)?;
    let kind = Kind::parse(kind).ok_or(AppError::NotFound)?;
    let headers: Vec<&'static str> = kind.fields().iter().map(|(_, label, _, _)| *label).collect();
    let example: Vec<String> = match kind {
        Kind::Employees => vec![
            "198609262015051001",
            "Asep Sutisna",
            "",
            "S.Kom.",
            "PNS",
            "L",
            "26/09/1986",
            "III/b",
            "Pranata Komputer Ahli Pertama",
            "APT-PA",
            "S1",
            "Teknik Informatika",
            "asep@bandungkab.go.id",
            "081234567890",
        ]
        .into_iter()
        .map(String::from)
        .collect(),
        Kind::Assessments => {
            vec!["198609262015051001", "APL-01", "3", "15/10/2026", "Atasan", "Kepala Seksi", "Observasi kerja"]
                .into_iter()
                .map(String::from)
                .collect()
        }
    };
    let table = Table {
        name: if kind == Kind::Employees { "templat-pegawai" } else { "templat-penilaian" },
        headers,
        rows: vec![example],
    };
    match ext {
        "csv" => export::csv(&table),
        "xlsx" => export::xlsx(&table),
        _ => Err(AppError::NotFound),
    }
}

async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(kind): Path<String>,
    mut mp: Multipart,
) -> AppResult<Response> {
    let kind = Kind::parse(&kind).ok_or(AppError::NotFound)?;
    let mut upload: Option<(String, Vec<u8>)> = None;
    while let Some(field) = mp.next_field().await? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("berkas").chars().take(200).collect::<String>();
            let bytes = field.bytes().await?;
            upload = Some((name, bytes.to_vec()));
        }
    }
    let fail = |ctx: Ctx, key: &'static str, detail: String| {
        render_status(
            StatusCode::UNPROCESSABLE_ENTITY,
            &IndexPage { ctx, error: Some((key, detail)), kind: kind.as_str() },
        )
    };
    let Some((filename, bytes)) = upload.filter(|(_, b)| !b.is_empty()) else {
        return fail(ctx, "imp.err.no_file", String::new());
    };
    let sheet = match file::read(&bytes) {
        Ok(s) => s,
        Err(key) => return fail(ctx, key, String::new()),
    };
    let rows = match validate::map_rows(kind, &sheet) {
        Ok(r) => r,
        Err(missing) => return fail(ctx, "imp.err.columns", missing.join(", ")),
    };
    let mut conn = state.pool.acquire().await?;
    let results = match kind {
        Kind::Employees => validate::employees(&mut conn, &rows).await?.0,
        Kind::Assessments => validate::assessments(&mut conn, &rows).await?.0,
    };
    let errors = results.iter().filter(|r| !r.errors.is_empty()).count() as i32;
    let id: i64 = sqlx::query_scalar(
        "insert into import_batches (kind, account_id, filename, rows, row_count, error_count) values ($1, $2, $3, $4, $5, $6) returning id",
    )
    .bind(kind.as_str())
    .bind(user.account_id)
    .bind(&filename)
    .bind(serde_json::to_value(&results).map_err(anyhow::Error::from)?)
    .bind(results.len() as i32)
    .bind(errors)
    .fetch_one(&mut *conn)
    .await?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!("/imports/batches/{id}"))))
}

struct Batch {
    id: i64,
    kind: Kind,
    filename: String,
    rows: Vec<RowResult>,
    error_count: i32,
    applied: bool,
}

async fn load(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Batch> {
    let row: Option<(String, String, serde_json::Value, i32, bool)> = sqlx::query_as(
        "select kind, filename, rows, error_count, applied_at is not null from import_batches where id = $1 and account_id = $2",
    )
    .bind(id)
    .bind(user.account_id)
    .fetch_optional(&state.pool)
    .await?;
    let (kind, filename, rows, error_count, applied) = row.ok_or(AppError::NotFound)?;
    let kind = Kind::parse(&kind).ok_or(AppError::NotFound)?;
    let rows: Vec<RowResult> = serde_json::from_value(rows).map_err(anyhow::Error::from)?;
    Ok(Batch { id, kind, filename, rows, error_count, applied })
}

#[derive(askama::Template)]
#[template(path = "imports/preview.html")]
struct PreviewPage {
    ctx: Ctx,
    id: i64,
    kind: &'static str,
    filename: String,
    headers: Vec<&'static str>,
    rows: Vec<RowResult>,
    error_count: i32,
    applied: bool,
    creates: usize,
    updates: usize,
}

fn preview_page(ctx: Ctx, b: Batch, status: StatusCode) -> AppResult<Response> {
    let creates = b.rows.iter().filter(|r| r.errors.is_empty() && r.action == "create").count();
    let updates = b.rows.iter().filter(|r| r.errors.is_empty() && r.action == "update").count();
    let page = PreviewPage {
        ctx,
        id: b.id,
        kind: b.kind.as_str(),
        filename: b.filename,
        headers: b.kind.fields().iter().map(|(_, l, _, _)| *l).collect(),
        rows: b.rows,
        error_count: b.error_count,
        applied: b.applied,
        creates,
        updates,
    };
    render_status(status, &page)
}

async fn preview(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let b = load(&state, &user, id).await?;
    preview_page(ctx, b, StatusCode::OK)
}

/// Write every row in one transaction, after checking them again inside it.
async fn apply(State(state): State<AppState>, ctx: Ctx, user: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let b = load(&state, &user, id).await?;
    if b.applied {
        return Ok(redirect_flash(&format!("/imports/batches/{id}"), FlashKind::Err, "imp.err.applied"));
    }
    if b.error_count > 0 {
        return preview_page(ctx, b, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let rows: Vec<(usize, Vec<String>)> = b.rows.iter().map(|r| (r.row, r.values.clone())).collect();
    let actor = Actor::from_ctx(&ctx);
    let mut tx = state.pool.begin().await?;
    sqlx::query("select id from import_batches where id = $1 and applied_at is null for update")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(AppError::Conflict("imp.err.applied"))?;
    let written = match b.kind {
        Kind::Employees => {
            let (results, ok) = validate::employees(&mut tx, &rows).await?;
            if ok.len() != rows.len() {
                drop(tx);
                let errors = results.iter().filter(|r| !r.errors.is_empty()).count() as i32;
                return preview_page(ctx, Batch { rows: results, error_count: errors, ..b }, StatusCode::CONFLICT);
            }
            for r in &ok {
                let e = r.input.parse().map_err(|_| AppError::Other(anyhow::anyhow!("row changed between checks")))?;
                let existing: Option<i64> = sqlx::query_scalar("select id from employees where nip = $1")
                    .bind(e.nip.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
                let before = match existing {
                    Some(eid) => crate::employees::form::snapshot(&mut tx, eid).await?,
                    None => None,
                };
                let saved = e.save(&mut tx, existing, Some(r.position_id), r.unit_id).await?;
                let after = crate::employees::form::snapshot(&mut tx, saved).await?;
                let action = if existing.is_some() { "update" } else { "create" };
                audit::record(&mut tx, &actor, "employee", saved, action, before, after).await?;
            }
            ok.len()
        }
        Kind::Assessments => {
            let (results, ok) = validate::assessments(&mut tx, &rows).await?;
            if ok.len() != rows.len() {
                drop(tx);
                let errors = results.iter().filter(|r| !r.errors.is_empty()).count() as i32;
                return preview_page(ctx, Batch { rows: results, error_count: errors, ..b }, StatusCode::CONFLICT);
            }
            for r in &ok {
                let updated: Option<(i64, serde_json::Value)> = sqlx::query_as(
                    "with old as (select id, to_jsonb(a) - 'created_at' as j from assessments a
                                  where employee_id = $1 and competency_id = $2 and assessed_on = $3 and source = $4 and status = 'validated'
                                  order by id limit 1)
                     update assessments a set level = $5, assessor_name = $6, note = $7 from old where a.id = old.id
                     returning a.id, old.j",
                )
                .bind(r.employee_id)
                .bind(r.competency_id)
                .bind(r.date)
                .bind(r.source.as_str())
                .bind(r.level.get())
                .bind(&r.assessor)
                .bind(&r.note)
                .fetch_optional(&mut *tx)
                .await?;
                let after = json!({"employee_id": r.employee_id, "competency_id": r.competency_id, "level": r.level.get(),
                                   "assessed_on": r.date, "source": r.source.as_str(), "status": "validated", "note": r.note});
                match updated {
                    Some((aid, before)) => {
                        audit::record(&mut tx, &actor, "assessment", aid, "update", Some(before), Some(after)).await?;
                    }
                    None => {
                        let aid: i64 = sqlx::query_scalar(
                            "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_account_id,
                                                      assessor_name, note, status, validated_by, validated_at)
                             values ($1, $2, $3, $4, $5, $6, $7, $8, 'validated', $6, now()) returning id",
                        )
                        .bind(r.employee_id)
                        .bind(r.competency_id)
                        .bind(r.level.get())
                        .bind(r.date)
                        .bind(r.source.as_str())
                        .bind(user.account_id)
                        .bind(&r.assessor)
                        .bind(&r.note)
                        .fetch_one(&mut *tx)
                        .await?;
                        audit::record(&mut tx, &actor, "assessment", aid, "create", None, Some(after)).await?;
                    }
                }
            }
            ok.len()
        }
    };
    sqlx::query("update import_batches set applied_at = now() where id = $1").bind(id).execute(&mut *tx).await?;
    audit::record(
        &mut tx,
        &actor,
        "import_batch",
        id,
        "apply",
        None,
        Some(json!({"kind": b.kind.as_str(), "file": b.filename, "rows": written})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/imports/batches/{id}"), FlashKind::Ok, "flash.import_applied"))
}
