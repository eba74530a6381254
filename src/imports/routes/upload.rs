//! The import templates, uploading a sheet, and checking it.

use super::*;

pub(super) async fn template(Path(name): Path<String>) -> AppResult<Response> {
    let (kind, ext) = name.split_once('.').ok_or(AppError::NotFound)?;
    let kind = Kind::parse(kind).ok_or(AppError::NotFound)?;
    let headers: Vec<&'static str> = kind.fields().iter().map(|f| f.label).collect();
    let example: Vec<String> = match kind {
        Kind::Employees => vec![
            validate::EXAMPLE_NIP,
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
            vec![validate::EXAMPLE_NIP, "APL-01", "3", "15/10/2026", "Atasan", "Kepala Seksi", "Observasi kerja"]
                .into_iter()
                .map(String::from)
                .collect()
        }
    };
    let table = Table {
        name: if kind == Kind::Employees { "templat-pegawai" } else { "templat-penilaian" },
        headers: export::keys(&headers),
        rows: vec![example],
    };
    match ext {
        "csv" => export::csv(None, &table),
        "xlsx" => export::xlsx(None, &table),
        _ => Err(AppError::NotFound),
    }
}

pub(super) async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(kind): Path<String>,
    mp: Multipart,
) -> AppResult<Response> {
    let kind = Kind::parse(&kind).ok_or(AppError::NotFound)?;
    // The one multipart reader: it refuses NUL in any field or file name.
    let upload = read_multipart(mp, "file").await?.file.map(|(name, bytes)| {
        let name: String = name.chars().take(200).collect();
        (if name.is_empty() { "berkas".to_string() } else { name }, bytes)
    });
    let fail = |ctx: Ctx, key: &'static str, detail: String| {
        render_status(StatusCode::UNPROCESSABLE_ENTITY, &IndexPage::new(ctx, Some((key, detail)), kind.as_str()))
    };
    let Some((filename, bytes)) = upload else {
        return fail(ctx, "imp.err.no_file", String::new());
    };
    // Reading and measuring a large spreadsheet is CPU work: keep it off the async workers.
    let sheet = match tokio::task::spawn_blocking(move || file::read(&bytes)).await.map_err(anyhow::Error::from)? {
        Ok(s) => s,
        Err(key) => return fail(ctx, key, String::new()),
    };
    let mapped = match validate::map_rows(kind, &sheet) {
        Ok(m) => m,
        Err(HeaderError::Missing(missing)) => return fail(ctx, "imp.err.columns", missing.join(", ")),
        Err(HeaderError::NotFound(expected)) => return fail(ctx, "imp.err.no_header", expected.join(", ")),
        Err(HeaderError::TooManyRows) => return fail(ctx, "imp.err.too_many_rows", String::new()),
    };
    if mapped.rows.is_empty() {
        return fail(ctx, "imp.err.no_rows", String::new());
    }
    let mut conn = state.pool.acquire().await?;
    let results = check(&mut conn, kind, &mapped, ctx.today).await?;
    let errors = results.iter().filter(|r| !r.errors.is_empty()).count() as i32;
    let id: i64 = sqlx::query_scalar!(
        r#"insert into import_batches (kind, account_id, filename, rows, row_count, error_count, present, ignored)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id"#,
        kind.as_str(),
        user.account_id,
        &filename,
        serde_json::to_value(&results).map_err(anyhow::Error::from)?,
        results.len() as i32,
        errors,
        json!(mapped.present),
        json!(mapped.ignored),
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!("/imports/batches/{id}"))))
}

/// The preview rows of a file (errors and changes), the same check the apply step repeats.
pub(super) async fn check(
    conn: &mut sqlx::PgConnection,
    kind: Kind,
    mapped: &Mapped,
    today: chrono::NaiveDate,
) -> AppResult<Vec<RowResult>> {
    Ok(match kind {
        Kind::Employees => validate::employees(conn, mapped, today).await?.0,
        Kind::Assessments => validate::assessments(conn, mapped, today).await?.0,
    })
}
