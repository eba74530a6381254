use axum::{
    extract::{Multipart, Path, State},
    http::StatusCode,
    response::Response,
};
use serde_json::json;

use super::{
    file,
    validate::{self, HeaderError, Kind, Mapped, MappedRow, RowResult},
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        export::{self, Table},
        form::read_multipart,
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::Actor,
    auth::{CurrentUser, Role},
};

const HR: &[Role] = &[Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .nav(80, |u| u.has(Role::Hr).then(|| ("/imports".into(), "nav.imports")))
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
    max_rows: usize,
    max_mib: u64,
}

impl IndexPage {
    fn new(ctx: Ctx, error: Option<(&'static str, String)>, kind: &'static str) -> Self {
        Self { ctx, error, kind, max_rows: file::MAX_ROWS, max_mib: file::MAX_XLSX_UNCOMPRESSED / (1024 * 1024) }
    }
}

async fn index(ctx: Ctx) -> AppResult<Response> {
    render(&IndexPage::new(ctx, None, ""))
}

async fn template(Path(name): Path<String>) -> AppResult<Response> {
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

async fn upload(
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
    let id: i64 = sqlx::query_scalar(
        "insert into import_batches (kind, account_id, filename, rows, row_count, error_count, present, ignored)
         values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
    )
    .bind(kind.as_str())
    .bind(user.account_id)
    .bind(&filename)
    .bind(serde_json::to_value(&results).map_err(anyhow::Error::from)?)
    .bind(results.len() as i32)
    .bind(errors)
    .bind(json!(mapped.present))
    .bind(json!(mapped.ignored))
    .fetch_one(&mut *conn)
    .await?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!("/imports/batches/{id}"))))
}

/// The preview rows of a file (errors and changes), the same check the apply step repeats.
async fn check(
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

struct Batch {
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

#[derive(sqlx::FromRow)]
struct BatchRow {
    kind: String,
    filename: String,
    rows: serde_json::Value,
    present: serde_json::Value,
    ignored: serde_json::Value,
    error_count: i32,
    applied: bool,
}

async fn load(conn: &mut sqlx::PgConnection, user: &CurrentUser, id: i64, lock: bool) -> AppResult<Batch> {
    let sql = if lock {
        "select kind, filename, rows, present, ignored, error_count, applied_at is not null as applied
         from import_batches where id = $1 and account_id = $2 for update"
    } else {
        "select kind, filename, rows, present, ignored, error_count, applied_at is not null as applied
         from import_batches where id = $1 and account_id = $2"
    };
    let b: BatchRow =
        sqlx::query_as(sql).bind(id).bind(user.account_id).fetch_optional(conn).await?.ok_or(AppError::NotFound)?;
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
struct PreviewPage {
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

fn preview_page(ctx: Ctx, b: Batch, status: StatusCode, stale: bool) -> AppResult<Response> {
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

async fn preview(
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
async fn apply(State(state): State<AppState>, ctx: Ctx, user: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
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
    sqlx::query("select pg_advisory_xact_lock(hashtext('cakap.import.apply'))").execute(&mut *tx).await?;
    let mapped = b.mapped();
    // Lock the employees this file touches before checking it again: an edit saved meanwhile is
    // either seen by the check (and the preview is stale) or waits for this import.
    let nips: Vec<String> = mapped
        .rows
        .iter()
        .map(|r| r.values.first().cloned().flatten().unwrap_or_default().chars().filter(char::is_ascii_digit).collect())
        .collect();
    sqlx::query("select id from employees where nip = any($1) order by id for update")
        .bind(&nips)
        .execute(&mut *tx)
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
    sqlx::query("update import_batches set applied_at = now() where id = $1").bind(id).execute(&mut *tx).await?;
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
const ANALYZE_AFTER_ROWS: usize = 500;

/// `ANALYZE` the tables an applied import filled, in the background: until autovacuum gets to
/// them, the planner sees the tables as they were before the import (measured: after a 20 000-row
/// import one writer managed 7.8 writes/s and each page's navigation counts took 50–70 ms).
fn analyze_after_import(pool: &sqlx::PgPool, kind: Kind) {
    let tables: &[&str] = match kind {
        Kind::Employees => &["employees", "employee_gap_facts", "unit_gap_facts", "employee_jp_years", "audit_log"],
        Kind::Assessments => {
            &["assessments", "current_level_rows", "employee_gap_facts", "unit_gap_facts", "audit_log"]
        }
    };
    let pool = pool.clone();
    tokio::spawn(async move {
        // The names are the constants above, never input.
        let sql = format!("analyze {}", tables.join(", "));
        if let Err(e) = sqlx::query(&sql).execute(&pool).await {
            tracing::warn!(error = %e, "analyze after import");
        }
    });
}

/// The data changed since the preview was made: keep the new check, write nothing, show it.
async fn stale(
    mut tx: sqlx::Transaction<'_, sqlx::Postgres>,
    ctx: Ctx,
    b: Batch,
    results: Vec<RowResult>,
) -> AppResult<Response> {
    let errors = results.iter().filter(|r| !r.errors.is_empty()).count() as i32;
    sqlx::query("update import_batches set rows = $2, error_count = $3 where id = $1")
        .bind(b.id)
        .bind(serde_json::to_value(&results).map_err(anyhow::Error::from)?)
        .bind(errors)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    preview_page(ctx, Batch { rows: results, error_count: errors, ..b }, StatusCode::CONFLICT, true)
}

/// Create or update the employees of the file. A column the file does not carry (`present`
/// false) keeps its stored value; unchanged rows are not written and not audited.
async fn write_employees(
    tx: &mut sqlx::PgConnection,
    actor: &Actor,
    present: &[bool],
    rows: &[validate::EmployeeRow],
) -> Result<usize, sqlx::Error> {
    let rows: Vec<&validate::EmployeeRow> = rows.iter().filter(|r| r.changes).collect();
    if rows.is_empty() {
        return Ok(0);
    }
    // Those whose position the file changes: their accounts' head role follows (after writing).
    let moved: Vec<i64> = sqlx::query_scalar(
        "select e.id from employees e join unnest($1::text[], $2::bigint[]) as t(nip, position_id) on t.nip = e.nip
         where e.position_id is distinct from t.position_id",
    )
    .bind(rows.iter().map(|r| r.employee.nip.as_str().to_string()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.position_id).collect::<Vec<_>>())
    .fetch_all(&mut *tx)
    .await?;
    let col = |f: &dyn Fn(&validate::EmployeeRow) -> Option<String>| rows.iter().map(|r| f(r)).collect::<Vec<_>>();
    let p = |key: &str| {
        Kind::Employees.fields().iter().position(|f| f.key == key).and_then(|i| present.get(i).copied()).unwrap_or(true)
    };
    let n: i64 = sqlx::query_scalar(
        "with input as (
           select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::date[],
                                $8::text[], $9::bigint[], $10::bigint[], $11::text[], $12::text[], $13::text[], $14::text[])
             as t(nip, status, front_title, name, back_title, sex, birth_date, rank_code, position_id, unit_id,
                  education_level, education_field, email, phone)),
         before as (
           select e.nip, e.id, to_jsonb(e) - 'created_at' - 'updated_at' as j
           from employees e where e.nip in (select nip from input)),
         written as (
           insert into employees as e (nip, status, front_title, name, back_title, sex, birth_date, rank_code, position_id,
                                       unit_id, education_level, education_field, email, phone)
           select nip, status, front_title, name, back_title, sex, birth_date, rank_code, position_id, unit_id,
                  education_level, education_field, email, phone from input
           on conflict (nip) do update set
             status = excluded.status, name = excluded.name, position_id = excluded.position_id, unit_id = excluded.unit_id,
             front_title = case when $15 then excluded.front_title else e.front_title end,
             back_title = case when $16 then excluded.back_title else e.back_title end,
             sex = case when $17 then excluded.sex else e.sex end,
             birth_date = case when $18 then excluded.birth_date else e.birth_date end,
             rank_code = case when $19 then excluded.rank_code else e.rank_code end,
             education_level = case when $20 then excluded.education_level else e.education_level end,
             education_field = case when $21 then excluded.education_field else e.education_field end,
             email = case when $22 then excluded.email else e.email end,
             phone = case when $23 then excluded.phone else e.phone end
           returning e.id, e.nip, to_jsonb(e) - 'created_at' - 'updated_at' as j),
         audited as (
           insert into audit_log (account_id, actor, ip, entity, entity_id, action, before, after)
           select $24, $25, $26, 'employee', w.id::text, case when b.id is null then 'create' else 'update' end, b.j, w.j
           from written w left join before b on b.nip = w.nip
           where b.j is distinct from w.j
           returning 1)
         select count(*) from audited",
    )
    .bind(col(&|r| Some(r.employee.nip.as_str().to_string())))
    .bind(col(&|r| Some(r.employee.status.as_str().to_string())))
    .bind(col(&|r| Some(r.employee.front_title.as_str().to_string())))
    .bind(col(&|r| Some(r.employee.name.as_str().to_string())))
    .bind(col(&|r| Some(r.employee.back_title.as_str().to_string())))
    .bind(col(&|r| Some(r.employee.sex.as_str().to_string())))
    .bind(rows.iter().map(|r| r.employee.birth_date).collect::<Vec<_>>())
    .bind(col(&|r| r.employee.rank.as_ref().map(|x| x.as_str().to_string())))
    .bind(rows.iter().map(|r| r.position_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.unit_id).collect::<Vec<_>>())
    .bind(col(&|r| r.employee.education_level.map(|x| x.as_str().to_string())))
    .bind(col(&|r| Some(r.employee.education_field.clone())))
    .bind(col(&|r| r.employee.email.as_ref().map(|x| x.as_str().to_string())))
    .bind(col(&|r| r.employee.phone.as_ref().map(|x| x.as_str().to_string())))
    .bind(p("front_title"))
    .bind(p("back_title"))
    .bind(p("sex"))
    .bind(p("birth_date"))
    .bind(p("rank"))
    .bind(p("education_level"))
    .bind(p("education_field"))
    .bind(p("email"))
    .bind(p("phone"))
    .bind(actor.account_id)
    .bind(&actor.label)
    .bind(&actor.ip)
    .fetch_one(&mut *tx)
    .await?;
    crate::accounts::follow_positions(tx, actor, &moved).await?;
    Ok(n as usize)
}

/// Create or update validated assessments, matched by (employee, competency, date, source).
async fn write_assessments(
    tx: &mut sqlx::PgConnection,
    actor: &Actor,
    rows: &[validate::AssessmentRow],
) -> Result<usize, sqlx::Error> {
    let rows: Vec<&validate::AssessmentRow> = rows.iter().filter(|r| r.changes).collect();
    if rows.is_empty() {
        return Ok(0);
    }
    let n: i64 = sqlx::query_scalar(
        "with input as (
           select * from unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::date[], $5::text[], $6::text[], $7::text[])
             as t(employee_id, competency_id, level, assessed_on, source, assessor, note)),
         matched as (
           select distinct on (a.employee_id, a.competency_id, a.assessed_on, a.source)
                  a.id, a.employee_id, a.competency_id, a.assessed_on, a.source, to_jsonb(a) - 'created_at' as j
           from assessments a join input i using (employee_id, competency_id, assessed_on, source)
           where a.status = 'validated'
           order by a.employee_id, a.competency_id, a.assessed_on, a.source, a.id),
         upd as (
           update assessments a set level = i.level, assessor_name = coalesce(i.assessor, a.assessor_name),
                                    note = coalesce(i.note, a.note)
           from matched m join input i using (employee_id, competency_id, assessed_on, source)
           where a.id = m.id
           returning a.id, m.j as before, to_jsonb(a) - 'created_at' as after),
         ins as (
           insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_account_id,
                                    assessor_name, note, status, validated_by, validated_at)
           select i.employee_id, i.competency_id, i.level, i.assessed_on, i.source, $8, coalesce(i.assessor, ''),
                  coalesce(i.note, ''), 'validated', $8, now()
           from input i
           where not exists (select 1 from matched m where m.employee_id = i.employee_id and m.competency_id = i.competency_id
                               and m.assessed_on = i.assessed_on and m.source = i.source)
           returning id, to_jsonb(assessments) - 'created_at' as after),
         aud as (
           insert into audit_log (account_id, actor, ip, entity, entity_id, action, before, after)
           select $8, $9, $10, 'assessment', id::text, 'update', before, after from upd
           union all
           select $8, $9, $10, 'assessment', id::text, 'create', null, after from ins
           returning 1)
         select count(*) from aud",
    )
    .bind(rows.iter().map(|r| r.employee_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.competency_id).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.level.get()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.date).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.source.as_str()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.assessor.clone()).collect::<Vec<_>>())
    .bind(rows.iter().map(|r| r.note.clone()).collect::<Vec<_>>())
    .bind(actor.account_id)
    .bind(&actor.label)
    .bind(&actor.ip)
    .fetch_one(&mut *tx)
    .await?;
    Ok(n as usize)
}
