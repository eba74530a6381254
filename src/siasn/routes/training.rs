//! A training's SIASN fields (the references it is sent with).

use super::*;

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
pub(super) struct TrainingPage {
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

pub(super) async fn training_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    form: Option<TrainingSiasn>,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    type T = (String, i16, String, String, Option<f64>, String, String);
    let t: Option<T> = sqlx::query!(
        r#"select title, jenis_diklat, siasn_ref, siasn_jenis_kompetensi, siasn_bobot::float8 as "siasn_bobot?",
                  siasn_jenis_kursus_sertifikat, siasn_lokasi_id
         from trainings where id = $1"#,
        id,
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|t| {
        (
            t.title,
            t.jenis_diklat,
            t.siasn_ref,
            t.siasn_jenis_kompetensi,
            t.siasn_bobot,
            t.siasn_jenis_kursus_sertifikat,
            t.siasn_lokasi_id,
        )
    });
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
        latihan: crate::siasn::refs::options(&mut conn, "latihan_struktural").await?,
        kompetensi: crate::siasn::refs::options(&mut conn, "jenis_kompetensi").await?,
        sertifikat: crate::siasn::refs::options(&mut conn, "jenis_kursus_sertifikat").await?,
        records,
        ctx,
    };
    render_status(status, &page)
}

pub(super) async fn training_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    training_page(&state, ctx, &user, id, None, FieldErrors::default()).await
}

/// A decimal with a comma or a point, 0–1000.
pub(super) fn parse_bobot(s: &str) -> Result<Option<f64>, &'static str> {
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

pub(super) async fn save_training(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<TrainingSiasn>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut tx = state.pool.begin().await?;
    let exists: Option<i64> =
        sqlx::query_scalar!("select id from trainings where id = $1 for update", id).fetch_optional(&mut *tx).await?;
    exists.ok_or(AppError::NotFound)?;
    let mut known =
        async |kind: &str, value: &str, field: &'static str, key: &'static str| -> Result<String, sqlx::Error> {
            let v = clean_text(value, 60).unwrap_or_default();
            if v.is_empty() {
                return Ok(v);
            }
            if !crate::siasn::refs::known(&mut tx, kind, &v).await? {
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
    let before: Option<serde_json::Value> = sqlx::query_scalar!(
        r#"select jsonb_build_object('siasn_ref', siasn_ref, 'siasn_jenis_kompetensi', siasn_jenis_kompetensi, 'siasn_bobot', siasn_bobot,
                'siasn_jenis_kursus_sertifikat', siasn_jenis_kursus_sertifikat, 'siasn_lokasi_id', siasn_lokasi_id) as "before!"
           from trainings where id = $1"#,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    // bobot is bound as float8 (as before); PostgreSQL rounds it into numeric(6, 2).
    sqlx::query!(
        "update trainings set siasn_ref = $2, siasn_jenis_kompetensi = $3, siasn_bobot = $4::float8,
                siasn_jenis_kursus_sertifikat = $5, siasn_lokasi_id = $6 where id = $1",
        id,
        latihan,
        kompetensi,
        bobot,
        sertifikat,
        lokasi,
    )
    .execute(&mut *tx)
    .await?;
    let after = serde_json::json!({"siasn_ref": latihan, "siasn_jenis_kompetensi": kompetensi, "siasn_bobot": bobot,
        "siasn_jenis_kursus_sertifikat": sertifikat, "siasn_lokasi_id": lokasi});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "training", id, "update", before, Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/siasn/trainings/{id}"), FlashKind::Ok, "flash.saved"))
}
