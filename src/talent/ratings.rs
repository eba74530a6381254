//! Yearly performance ratings (SKP 2022): HR records one, or imports a spreadsheet (XLSX or CSV:
//! NIP, Tahun, Hasil Kerja, Perilaku Kerja, Predikat). Every row is checked first; with any
//! problem nothing is written and each problem is shown with its row. Written in one transaction,
//! a new version where one existed, each change in the audit log.

use axum::{
    Form,
    extract::{Multipart, Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;

use super::{
    db::{self, NewRating, RatingRow},
    model::{Expectation, Predicate},
};
use crate::{
    app::{
        AppResult, AppState, Ctx,
        form::{FieldErrors, read_multipart},
        render::{FlashKind, redirect_flash, render_status},
    },
    audit::{self, Actor},
    auth::CurrentUser,
    imports::file::{self, normalise},
};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct RatingForm {
    nip: String,
    year: String,
    hasil_kerja: String,
    perilaku_kerja: String,
    predicate: String,
}

#[derive(askama::Template)]
#[template(path = "talent/ratings.html")]
struct Page {
    ctx: Ctx,
    year: i32,
    rows: Vec<RatingRow>,
    form: RatingForm,
    errors: FieldErrors,
    /// Problems of a refused import: (row, message).
    problems: Vec<(usize, String)>,
    expectations: &'static [Expectation],
    predicates: &'static [Predicate],
}

async fn page(
    state: &AppState,
    ctx: Ctx,
    year: i32,
    form: RatingForm,
    errors: FieldErrors,
    problems: Vec<(usize, String)>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let rows = db::ratings(&mut conn, year).await?;
    let status = if problems.is_empty() { errors.status() } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    render_status(
        status,
        &Page { ctx, year, rows, form, errors, problems, expectations: Expectation::ALL, predicates: Predicate::ALL },
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct YearQuery {
    year: String,
}

fn year_of(s: &str) -> Option<i32> {
    s.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y))
}

pub(super) async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<YearQuery>) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let year = match year_of(&q.year) {
        Some(y) => y,
        None => db::default_year(&mut conn, ctx.today.year()).await?,
    };
    drop(conn);
    let form = RatingForm { year: year.to_string(), ..Default::default() };
    page(&state, ctx, year, form, FieldErrors::default(), vec![]).await
}

/// A rating as read, or the i18n key of what is wrong.
struct Parsed {
    nip: String,
    year: Option<i32>,
    hasil: Option<Expectation>,
    perilaku: Option<Expectation>,
    predicate: Option<Predicate>,
    /// The predicate typed does not follow the SKP matrix.
    mismatch: bool,
}

fn parse(nip: &str, year: &str, hk: &str, pk: &str, pred: &str, this_year: i32) -> Parsed {
    let nip: String = nip.trim().chars().filter(|c| !c.is_whitespace()).collect();
    let year = year_of(year).filter(|y| *y <= this_year);
    let hasil = Expectation::read(hk);
    let perilaku = Expectation::read(pk);
    let derived = hasil.zip(perilaku).map(|(h, p)| Predicate::of(h, p));
    let typed = if pred.trim().is_empty() { None } else { Some(Predicate::read(pred)) };
    let (predicate, mismatch) = match typed {
        None => (derived, false),
        Some(None) => (None, false),
        Some(Some(t)) => (Some(t), derived.is_some_and(|d| d != t)),
    };
    Parsed { nip, year, hasil, perilaku, predicate, mismatch }
}

/// Record (or correct) one rating.
pub(super) async fn record(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<RatingForm>,
) -> AppResult<Response> {
    let this_year = ctx.today.year();
    let p = parse(&f.nip, &f.year, &f.hasil_kerja, &f.perilaku_kerja, &f.predicate, this_year);
    let mut errors = FieldErrors::default();
    let mut conn = state.pool.acquire().await?;
    let employee: Option<i64> = if p.nip.len() == 18 && p.nip.bytes().all(|b| b.is_ascii_digit()) {
        sqlx::query_scalar!("select id from employees where nip = $1", p.nip).fetch_optional(&mut *conn).await?
    } else {
        None
    };
    if employee.is_none() {
        errors.add("nip", "tal.err.nip");
    }
    if p.year.is_none() {
        errors.add("year", "tal.err.year");
    }
    if p.hasil.is_none() {
        errors.add("hasil_kerja", "tal.err.expectation");
    }
    if p.perilaku.is_none() {
        errors.add("perilaku_kerja", "tal.err.expectation");
    }
    if p.mismatch {
        errors.add("predicate", "tal.err.mismatch");
    } else if p.predicate.is_none() && p.hasil.is_some() && p.perilaku.is_some() {
        errors.add("predicate", "tal.err.predicate");
    }
    let shown = p.year.unwrap_or(this_year - 1);
    let (Some(employee_id), Some(year), Some(hasil_kerja), Some(perilaku_kerja), Some(predicate), true) =
        (employee, p.year, p.hasil, p.perilaku, p.predicate, errors.is_empty())
    else {
        drop(conn);
        return page(&state, ctx, shown, f, errors, vec![]).await;
    };
    drop(conn);
    let rows = [NewRating { employee_id, year, hasil_kerja, perilaku_kerja, predicate }];
    write(&state, &ctx, &user, &rows, "manual").await?;
    Ok(redirect_flash(&format!("/talent/ratings?year={year}"), FlashKind::Ok, "flash.saved"))
}

async fn write(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    rows: &[NewRating],
    source: &str,
) -> Result<usize, crate::app::AppError> {
    let mut tx = state.pool.begin().await?;
    let changed = db::upsert_ratings(&mut tx, rows, source, user.account_id).await?;
    let actor = Actor::from_ctx(ctx);
    for (id, before, after) in &changed {
        let action = if before.is_some() { "update" } else { "create" };
        audit::record(&mut tx, &actor, "performance_rating", id, action, before.clone(), Some(after.clone())).await?;
    }
    tx.commit().await?;
    Ok(changed.len())
}

/// Import a spreadsheet of ratings: all rows or none.
pub(super) async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    mp: Multipart,
) -> AppResult<Response> {
    let posted = read_multipart(mp, "file").await?;
    let this_year = ctx.today.year();
    let fallback = this_year - 1;
    let refuse = |state: AppState, ctx: Ctx, problems: Vec<(usize, String)>| async move {
        let form = RatingForm { year: fallback.to_string(), ..Default::default() };
        page(&state, ctx, fallback, form, FieldErrors::default(), problems).await
    };
    let Some((_, bytes)) = posted.file else {
        let m = ctx.t("tal.err.no_file").to_string();
        return refuse(state, ctx, vec![(0, m)]).await;
    };
    let sheet = match file::read(&bytes) {
        Ok(s) => s,
        Err(k) => {
            let m = ctx.t(k).to_string();
            return refuse(state, ctx, vec![(0, m)]).await;
        }
    };
    // The header line: the first row naming NIP.
    let Some(h) = sheet.rows.iter().position(|(_, r)| r.iter().any(|c| normalise(&c.text) == "nip")) else {
        let m = ctx.t("tal.err.header").to_string();
        return refuse(state, ctx, vec![(0, m)]).await;
    };
    let header: Vec<String> = sheet.rows[h].1.iter().map(|c| normalise(&c.text)).collect();
    let col = |names: &[&str]| header.iter().position(|x| names.contains(&x.as_str()));
    let (Some(c_nip), Some(c_year), Some(c_hk), Some(c_pk)) = (
        col(&["nip"]),
        col(&["tahun", "year"]),
        col(&["hasilkerja", "ratinghasilkerja", "results"]),
        col(&["perilakukerja", "ratingperilakukerja", "behaviour", "behavior"]),
    ) else {
        let m = ctx.t("tal.err.header").to_string();
        return refuse(state, ctx, vec![(0, m)]).await;
    };
    let c_pred = col(&["predikat", "predikatkinerja", "predicate"]);
    let cell = |r: &[file::Cell], c: usize| r.get(c).map(|x| x.text.clone()).unwrap_or_default();
    let parsed: Vec<(usize, Parsed, bool)> = sheet.rows[h + 1..]
        .iter()
        .map(|(n, r)| {
            let nip_numeric = r.get(c_nip).is_some_and(|x| x.numeric);
            let p = parse(
                &cell(r, c_nip),
                &cell(r, c_year),
                &cell(r, c_hk),
                &cell(r, c_pk),
                &c_pred.map(|c| cell(r, c)).unwrap_or_default(),
                this_year,
            );
            (*n, p, nip_numeric)
        })
        .collect();
    let nips: Vec<String> = parsed.iter().map(|(_, p, _)| p.nip.clone()).collect();
    let mut conn = state.pool.acquire().await?;
    let found: Vec<(String, i64)> = sqlx::query!("select nip, id from employees where nip = any($1)", &nips)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| (r.nip, r.id))
        .collect();
    drop(conn);
    let mut problems = vec![];
    let mut rows = vec![];
    let mut seen = std::collections::HashSet::new();
    for (n, p, numeric) in parsed {
        let mut bad = |k: &'static str| problems.push((n, ctx.t(k).to_string()));
        let employee = found.iter().find(|(nip, _)| *nip == p.nip).map(|f| f.1);
        if numeric && employee.is_none() {
            bad("tal.err.nip_number");
        } else if employee.is_none() {
            bad("tal.err.nip");
        }
        if p.year.is_none() {
            bad("tal.err.year");
        }
        if p.hasil.is_none() || p.perilaku.is_none() {
            bad("tal.err.expectation");
        }
        if p.mismatch {
            bad("tal.err.mismatch");
        } else if p.predicate.is_none() && p.hasil.is_some() && p.perilaku.is_some() {
            bad("tal.err.predicate");
        }
        if let (Some(employee_id), Some(year), Some(hasil_kerja), Some(perilaku_kerja), Some(predicate)) =
            (employee, p.year, p.hasil, p.perilaku, p.predicate)
        {
            if !seen.insert((employee_id, year)) {
                bad("tal.err.twice");
            }
            rows.push(NewRating { employee_id, year, hasil_kerja, perilaku_kerja, predicate });
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push((0, ctx.t("tal.err.no_rows").to_string()));
    }
    if !problems.is_empty() {
        return refuse(state, ctx, problems).await;
    }
    let year = rows.iter().map(|r| r.year).max().unwrap_or(fallback);
    write(&state, &ctx, &user, &rows, "import").await?;
    Ok(redirect_flash(&format!("/talent?year={year}"), FlashKind::Ok, "tal.flash.imported"))
}

/// The template HR fills in: a CSV with the header line and one example row.
pub(super) async fn template() -> Response {
    use axum::{http::header, response::IntoResponse as _};
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"penilaian-kinerja.csv\""),
        ],
        "NIP,Tahun,Hasil Kerja,Perilaku Kerja,Predikat\n199001012015031001,2025,Di atas ekspektasi,Sesuai ekspektasi,Baik\n",
    )
        .into_response()
}
