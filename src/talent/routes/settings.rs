//! The talent settings (HR): the map's weights and cut points, and their sources.

use super::*;

#[derive(Deserialize, Default, Clone, serde::Serialize)]
#[serde(default)]
pub(in crate::talent) struct SettingsForm {
    perf_hasil: String,
    perf_perilaku: String,
    pot_readiness: String,
    pot_qualification: String,
    pot_development: String,
    exp_above: String,
    exp_as_expected: String,
    exp_below: String,
    low_cut: String,
    high_cut: String,
    pot_low_cut: String,
    pot_high_cut: String,
}

impl SettingsForm {
    fn of(s: &Settings) -> Self {
        let pct = |w: f64| format!("{}", (w * 100.0).round() as i64);
        Self {
            perf_hasil: pct(s.perf_hasil),
            perf_perilaku: pct(s.perf_perilaku),
            pot_readiness: pct(s.pot_readiness),
            pot_qualification: pct(s.pot_qualification),
            pot_development: pct(s.pot_development),
            exp_above: s.exp_above.to_string(),
            exp_as_expected: s.exp_as_expected.to_string(),
            exp_below: s.exp_below.to_string(),
            low_cut: s.low_cut.to_string(),
            high_cut: s.high_cut.to_string(),
            pot_low_cut: s.pot_low_cut.to_string(),
            pot_high_cut: s.pot_high_cut.to_string(),
        }
    }

    fn value(&self, f: &str) -> &str {
        match f {
            "perf_hasil" => &self.perf_hasil,
            "perf_perilaku" => &self.perf_perilaku,
            "pot_readiness" => &self.pot_readiness,
            "pot_qualification" => &self.pot_qualification,
            "pot_development" => &self.pot_development,
            "exp_above" => &self.exp_above,
            "exp_as_expected" => &self.exp_as_expected,
            "exp_below" => &self.exp_below,
            "low_cut" => &self.low_cut,
            "high_cut" => &self.high_cut,
            "pot_low_cut" => &self.pot_low_cut,
            _ => &self.pot_high_cut,
        }
    }
}

/// The settings' fields: (field, label key, source key).
pub(super) const SETTING_FIELDS: &[(&str, &str, &str)] = &[
    ("perf_hasil", "tal.set.perf_hasil", "tal.src.perf"),
    ("perf_perilaku", "tal.set.perf_perilaku", "tal.src.perf"),
    ("exp_above", "tal.set.exp_above", "tal.src.exp"),
    ("exp_as_expected", "tal.set.exp_as_expected", "tal.src.exp"),
    ("exp_below", "tal.set.exp_below", "tal.src.exp"),
    ("pot_readiness", "tal.set.pot_readiness", "tal.src.readiness"),
    ("pot_qualification", "tal.set.pot_qualification", "tal.src.qualification"),
    ("pot_development", "tal.set.pot_development", "tal.src.development"),
    ("low_cut", "tal.set.low_cut", "tal.src.cuts"),
    ("high_cut", "tal.set.high_cut", "tal.src.cuts"),
    ("pot_low_cut", "tal.set.pot_low_cut", "tal.src.cuts"),
    ("pot_high_cut", "tal.set.pot_high_cut", "tal.src.cuts"),
];

#[derive(askama::Template)]
#[template(path = "talent/settings.html")]
pub(super) struct SettingsPage {
    ctx: Ctx,
    form: SettingsForm,
    errors: FieldErrors,
    fields: &'static [(&'static str, &'static str, &'static str)],
    qualification: Vec<(String, i16)>,
}

pub(super) async fn settings_page(
    state: &AppState,
    ctx: Ctx,
    form: SettingsForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let qualification = db::qualification_scores(&mut conn).await?;
    let status = errors.status();
    render_status(status, &SettingsPage { ctx, form, errors, fields: SETTING_FIELDS, qualification })
}

pub(in crate::talent) async fn settings_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let s = db::settings(&mut conn).await?;
    drop(conn);
    settings_page(&state, ctx, SettingsForm::of(&s), FieldErrors::default()).await
}

pub(in crate::talent) async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut v = std::collections::HashMap::new();
    for (field, _, _) in SETTING_FIELDS {
        match f.value(field).trim().parse::<i16>() {
            Ok(n) if (0..=100).contains(&n) => {
                v.insert(*field, n);
            }
            _ => errors.add(field, "tal.err.percent"),
        }
    }
    let get = |k: &str| v.get(k).copied().unwrap_or(0);
    if errors.is_empty() {
        if get("perf_hasil") + get("perf_perilaku") != 100 {
            errors.add("perf_perilaku", "tal.err.perf_sum");
        }
        if get("pot_readiness") + get("pot_qualification") + get("pot_development") != 100 {
            errors.add("pot_development", "tal.err.pot_sum");
        }
        if !(1..=99).contains(&get("low_cut")) || get("low_cut") >= get("high_cut") {
            errors.add("high_cut", "tal.err.cuts");
        }
        if !(1..=99).contains(&get("pot_low_cut")) || get("pot_low_cut") >= get("pot_high_cut") {
            errors.add("pot_high_cut", "tal.err.cuts");
        }
    }
    if !errors.is_empty() {
        return settings_page(&state, ctx, f, errors).await;
    }
    let mut tx = state.pool.begin().await?;
    let before: serde_json::Value = sqlx::query_scalar!(
        r#"select to_jsonb(s) - 'updated_at' as "row!" from talent_settings s where id = 1 for update"#
    )
    .fetch_one(&mut *tx)
    .await?;
    let w = |k: &str| f64::from(get(k)) / 100.0;
    let after: serde_json::Value = sqlx::query_scalar!(
        r#"update talent_settings set perf_hasil = $1::float8, perf_perilaku = $2::float8, pot_readiness = $3::float8,
                pot_qualification = $4::float8, pot_development = $5::float8, exp_above = $6, exp_as_expected = $7,
                exp_below = $8, low_cut = $9, high_cut = $10,
                pot_low_cut = $12, pot_high_cut = $13, updated_by = $11, updated_at = now(), version = version + 1
         where id = 1 returning to_jsonb(talent_settings) - 'updated_at' as "row!""#,
        w("perf_hasil"),
        w("perf_perilaku"),
        w("pot_readiness"),
        w("pot_qualification"),
        w("pot_development"),
        get("exp_above"),
        get("exp_as_expected"),
        get("exp_below"),
        get("low_cut"),
        get("high_cut"),
        user.account_id,
        get("pot_low_cut"),
        get("pot_high_cut"),
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "talent_settings", 1, "update", Some(before), Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash("/talent/settings", FlashKind::Ok, "flash.saved"))
}
