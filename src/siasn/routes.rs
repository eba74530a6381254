//! The sync page: how it is configured, which results to send (one training, a year, everything
//! not yet sent), the preview with what each lacks, sending, the pushes with their failures in
//! words, the log per record and resending; and the SIASN form of a training.

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;

use super::{
    push,
    records::{self, Record, Selection},
    settings::NAMES,
};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx,
        form::{FieldErrors, clean_text},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::CurrentUser,
};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Choose {
    /// training | year | unsent
    pub scope: String,
    pub training: String,
    pub year: String,
}

impl Choose {
    pub fn selection(&self) -> Option<Selection> {
        match self.scope.as_str() {
            "training" => {
                self.training.trim().parse().ok().map(|t| Selection { training: Some(t), ..Default::default() })
            }
            "year" => self
                .year
                .trim()
                .parse()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .map(|y| Selection { year: Some(y), ..Default::default() }),
            "unsent" => Some(Selection { unsent: true, ..Default::default() }),
            _ => None,
        }
    }
}

/// A push as listed on the page.
#[derive(sqlx::FromRow)]
pub struct PushRow {
    pub id: i64,
    pub name: String,
    pub nip: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub attempts: i32,
    pub siasn_id: Option<String>,
    pub error_kind: Option<String>,
    pub error_detail: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(askama::Template)]
#[template(path = "siasn/index.html")]
struct IndexPage {
    ctx: Ctx,
    configured: bool,
    names: &'static [&'static str],
    choose: Choose,
    trainings: Vec<(i64, String, i32)>,
    preview: Option<Vec<Record>>,
    ready: usize,
    incomplete: usize,
    update: usize,
    pushes: Vec<PushRow>,
    year_now: i32,
}

impl IndexPage {
    fn missing(&self, r: &Record) -> String {
        records::missing_words(&self.ctx, &r.missing)
    }

    fn fix_link(&self, r: &Record) -> String {
        if r.missing.iter().any(|m| records::on_training(m)) {
            format!("/siasn/trainings/{}", r.training_id)
        } else {
            format!("/participants/{}/result", r.participant_id)
        }
    }

    fn kind_label(&self, kind: &str) -> &'static str {
        self.ctx.t(if kind == "diklat" { "siasn.kind.diklat" } else { "siasn.kind.kursus" })
    }

    fn status_label(&self, status: &str) -> &'static str {
        self.ctx.t(match status {
            "queued" => "siasn.status.queued",
            "running" => "siasn.status.running",
            "sent" => "siasn.status.sent",
            _ => "siasn.status.failed",
        })
    }

    fn push_error(&self, p: &PushRow) -> String {
        error_words(&self.ctx, p.error_kind.as_deref(), &p.error_detail, &p.status)
    }
}

/// Why a push failed (or waits to be tried again), in words.
pub fn error_words(ctx: &Ctx, kind: Option<&str>, detail: &str, status: &str) -> String {
    let detail_words = match detail {
        "timeout" => ctx.t("siasn.err.timeout").to_string(),
        "connect" => ctx.t("siasn.err.connect").to_string(),
        d => d.to_string(),
    };
    match kind {
        Some("missing") => {
            let codes: Vec<String> = detail.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect();
            format!("{} {}", ctx.t("siasn.err.missing"), records::missing_words(ctx, &codes))
        }
        Some("rejected") => format!("{} {detail_words}", ctx.t("siasn.err.rejected")),
        Some("unreachable") if status == "queued" => {
            format!("{} ({detail_words}). {}", ctx.t("siasn.err.unreachable"), ctx.t("siasn.err.will_retry"))
        }
        Some("unreachable") => {
            format!("{} ({detail_words}). {}", ctx.t("siasn.err.unreachable"), ctx.t("siasn.err.gave_up"))
        }
        Some("config") => ctx.t("siasn.err.config").to_string(),
        _ => String::new(),
    }
}

async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(choose): Query<Choose>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let trainings: Vec<(i64, String, i32)> = sqlx::query_as(
        "select t.id, t.title, extract(year from t.ends_on)::int from trainings t
         where exists (select 1 from siasn_records r where r.training_id = t.id)
         order by t.ends_on desc, t.id desc limit 500",
    )
    .fetch_all(&mut *conn)
    .await?;
    let preview = match choose.selection() {
        Some(s) => Some(records::select(&mut conn, &user.scope(), s).await?),
        None => None,
    };
    let (ready, incomplete, update) = preview.as_ref().map_or((0, 0, 0), |p| {
        let ready = p.iter().filter(|r| r.missing.is_empty()).count();
        let update = p.iter().filter(|r| r.missing.is_empty() && r.siasn_id.is_some()).count();
        (ready, p.len() - ready, update)
    });
    let pushes: Vec<PushRow> = sqlx::query_as(
        "select p.id, employee_display_name(e.front_title, e.name, e.back_title) as name, e.nip, t.title, p.kind, p.status, p.attempts,
                p.siasn_id, p.error_kind, p.error_detail, p.updated_at
         from siasn_pushes p join training_participants tp on tp.id = p.participant_id join trainings t on t.id = tp.training_id
         join employees e on e.id = tp.employee_id
         order by (p.status = 'failed') desc, p.updated_at desc, p.id desc limit 200",
    )
    .fetch_all(&mut *conn)
    .await?;
    let year_now = ctx.today.year();
    render(&IndexPage {
        configured: state.siasn.configured(),
        names: NAMES,
        ctx,
        choose,
        trainings,
        preview,
        ready,
        incomplete,
        update,
        pushes,
        year_now,
    })
}

async fn send(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(choose): Form<Choose>,
) -> AppResult<Response> {
    let Some(selection) = choose.selection() else {
        return Ok(redirect_flash("/siasn", FlashKind::Err, "siasn.flash.choose"));
    };
    let back = format!(
        "/siasn?scope={}&training={}&year={}",
        crate::app::context::urlencode(&choose.scope),
        crate::app::context::urlencode(&choose.training),
        crate::app::context::urlencode(&choose.year)
    );
    if !state.siasn.configured() {
        return Ok(redirect_flash(&back, FlashKind::Err, "siasn.flash.not_configured"));
    }
    let mut tx = state.pool.begin().await?;
    let records = records::select(&mut tx, &user.scope(), selection).await?;
    let ready: Vec<i64> = records.iter().filter(|r| r.missing.is_empty()).map(|r| r.participant_id).collect();
    if ready.is_empty() {
        return Ok(redirect_flash(&back, FlashKind::Err, "siasn.flash.nothing_ready"));
    }
    let ids = push::enqueue(&mut tx, &ready, Some(user.account_id)).await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "siasn_push",
        ids.first().copied().unwrap_or_default(),
        "send",
        None,
        Some(serde_json::json!({ "scope": choose.scope, "training": choose.training, "year": choose.year, "pushes": ids })),
    )
    .await?;
    tx.commit().await?;
    push::wake().notify_one();
    Ok(redirect_flash(&back, FlashKind::Ok, "siasn.flash.queued"))
}

/// One line of a push's log.
#[derive(sqlx::FromRow)]
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
struct LogPage {
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

async fn log(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let row: Option<PushRow> = sqlx::query_as(
        "select p.id, employee_display_name(e.front_title, e.name, e.back_title) as name, e.nip, t.title, p.kind, p.status, p.attempts,
                p.siasn_id, p.error_kind, p.error_detail, p.updated_at
         from siasn_pushes p join training_participants tp on tp.id = p.participant_id join trainings t on t.id = tp.training_id
         join employees e on e.id = tp.employee_id where p.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let push = row.ok_or(AppError::NotFound)?;
    let (participant_id, training_id): (i64, i64) = sqlx::query_as(
        "select tp.id, tp.training_id from siasn_pushes p join training_participants tp on tp.id = p.participant_id where p.id = $1",
    )
    .bind(id)
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<LogRow> = sqlx::query_as(
        "select l.at, a.username as actor, l.step, l.attempt, l.sent, l.http_status, l.answer, l.outcome
         from siasn_push_log l left join accounts a on a.id = l.actor where l.push_id = $1 order by l.at desc, l.id desc",
    )
    .bind(id)
    .fetch_all(&mut *conn)
    .await?;
    render(&LogPage { ctx, push, participant_id, training_id, rows })
}

async fn resend(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let participant: Option<i64> =
        sqlx::query_scalar("select participant_id from siasn_pushes where id = $1 for update")
            .bind(id)
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
        let codes: Option<Vec<String>> =
            sqlx::query_scalar("select missing from siasn_records where participant_id = $1")
                .bind(participant)
                .fetch_optional(&mut *tx)
                .await?;
        let codes = codes.unwrap_or_else(|| vec!["not_passed".into()]);
        sqlx::query(
            "update siasn_pushes set status = 'failed', error_kind = 'missing', error_detail = $2 where id = $1 and status <> 'running'",
        )
        .bind(id)
        .bind(codes.join(","))
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

/// The SIASN fields of a training, as a form.
#[derive(Deserialize, Default, Clone, serde::Serialize)]
#[serde(default)]
pub struct TrainingSiasn {
    pub latihan_struktural: String,
    pub jenis_kompetensi: String,
    pub bobot: String,
    pub jenis_kursus_sertifikat: String,
    pub lokasi: String,
    pub csrf_token: String,
}

#[derive(askama::Template)]
#[template(path = "siasn/training.html")]
struct TrainingPage {
    ctx: Ctx,
    id: i64,
    title: String,
    diklat: bool,
    form: TrainingSiasn,
    errors: FieldErrors,
    latihan: Vec<(String, String)>,
    kompetensi: Vec<(String, String)>,
    sertifikat: Vec<(String, String)>,
    records: Vec<Record>,
}

impl TrainingPage {
    fn missing(&self, r: &Record) -> String {
        records::missing_words(&self.ctx, &r.missing)
    }
}

async fn training_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    form: Option<TrainingSiasn>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    type T = (String, i16, String, String, Option<f64>, String, String);
    let t: Option<T> = sqlx::query_as(
        "select title, jenis_diklat, siasn_ref, siasn_jenis_kompetensi, siasn_bobot::float8, siasn_jenis_kursus_sertifikat, siasn_lokasi_id
         from trainings where id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *conn)
    .await?;
    let (title, jenis, latihan, kompetensi, bobot, sertifikat, lokasi) = t.ok_or(AppError::NotFound)?;
    let form = form.unwrap_or(TrainingSiasn {
        latihan_struktural: latihan,
        jenis_kompetensi: kompetensi,
        bobot: bobot.map(|b| crate::development::model::jp_text(b, ctx.lang.is_en())).unwrap_or_default(),
        jenis_kursus_sertifikat: sertifikat,
        lokasi,
        csrf_token: String::new(),
    });
    let status = errors.status();
    let records =
        records::select(&mut conn, &user.scope(), Selection { training: Some(id), ..Default::default() }).await?;
    let page = TrainingPage {
        id,
        title,
        diklat: jenis == 1,
        form,
        errors,
        latihan: super::refs::options(&mut conn, "latihan_struktural").await?,
        kompetensi: super::refs::options(&mut conn, "jenis_kompetensi").await?,
        sertifikat: super::refs::options(&mut conn, "jenis_kursus_sertifikat").await?,
        records,
        ctx,
    };
    render_status(status, &page)
}

async fn training_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    training_page(&state, ctx, &user, id, None, FieldErrors::default()).await
}

/// A decimal with a comma or a point, 0–1000.
fn parse_bobot(s: &str) -> Result<Option<f64>, &'static str> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let v: f64 = s.replace(',', ".").parse().map_err(|_| "siasn.err.bobot")?;
    if !(0.0..=1000.0).contains(&v) || !v.is_finite() {
        return Err("siasn.err.bobot");
    }
    Ok(Some((v * 100.0).round() / 100.0))
}

async fn save_training(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<TrainingSiasn>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut tx = state.pool.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar("select id from trainings where id = $1 for update")
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
    exists.ok_or(AppError::NotFound)?;
    let mut known =
        async |kind: &str, value: &str, field: &'static str, key: &'static str| -> Result<String, sqlx::Error> {
            let v = clean_text(value, 60).unwrap_or_default();
            if v.is_empty() {
                return Ok(v);
            }
            if !super::refs::known(&mut tx, kind, &v).await? {
                errors.add(field, key);
            }
            Ok(v)
        };
    let latihan = known("latihan_struktural", &form.latihan_struktural, "latihan_struktural", "siasn.err.ref").await?;
    let kompetensi = known("jenis_kompetensi", &form.jenis_kompetensi, "jenis_kompetensi", "siasn.err.ref").await?;
    let sertifikat =
        known("jenis_kursus_sertifikat", &form.jenis_kursus_sertifikat, "jenis_kursus_sertifikat", "siasn.err.ref")
            .await?;
    let lokasi = match clean_text(&form.lokasi, 60) {
        Ok(l) => l,
        Err(k) => {
            errors.add("lokasi", k);
            String::new()
        }
    };
    let bobot = match parse_bobot(&form.bobot) {
        Ok(b) => b,
        Err(k) => {
            errors.add("bobot", k);
            None
        }
    };
    if !errors.is_empty() {
        drop(tx);
        return training_page(&state, ctx, &user, id, Some(form), errors).await;
    }
    let before: Option<serde_json::Value> = sqlx::query_scalar(
        "select jsonb_build_object('siasn_ref', siasn_ref, 'siasn_jenis_kompetensi', siasn_jenis_kompetensi, 'siasn_bobot', siasn_bobot,
                'siasn_jenis_kursus_sertifikat', siasn_jenis_kursus_sertifikat, 'siasn_lokasi_id', siasn_lokasi_id) from trainings where id = $1",
    )
    .bind(id)
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query(
        "update trainings set siasn_ref = $2, siasn_jenis_kompetensi = $3, siasn_bobot = $4, siasn_jenis_kursus_sertifikat = $5,
                siasn_lokasi_id = $6 where id = $1",
    )
    .bind(id)
    .bind(&latihan)
    .bind(&kompetensi)
    .bind(bobot)
    .bind(&sertifikat)
    .bind(&lokasi)
    .execute(&mut *tx)
    .await?;
    let after = serde_json::json!({"siasn_ref": latihan, "siasn_jenis_kompetensi": kompetensi, "siasn_bobot": bobot,
        "siasn_jenis_kursus_sertifikat": sertifikat, "siasn_lokasi_id": lokasi});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "training", id, "update", before, Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/siasn/trainings/{id}"), FlashKind::Ok, "flash.saved"))
}

pub fn routes() -> crate::app::Routes {
    use crate::{app::Access, auth::Role};
    const HR: Access = Access::AnyOf(&[Role::Hr]);
    crate::app::Routes::new()
        .nav(38, |u| u.has(Role::Hr).then(|| ("/siasn".into(), "nav.siasn")))
        .get("/siasn", HR, index)
        .post("/siasn/send", HR, send)
        .get("/siasn/pushes/{id}", HR, log)
        .post("/siasn/pushes/{id}/resend", HR, resend)
        .get("/siasn/trainings/{id}", HR, training_form)
        .post("/siasn/trainings/{id}", HR, save_training)
        .get("/siasn/ids", HR, super::ids::index)
        .post("/siasn/ids", HR, super::ids::import)
        .get("/siasn/ids/template.csv", HR, super::ids::template)
}
