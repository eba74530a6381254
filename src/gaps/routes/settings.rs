//! The gap settings (HR): priority weights and the thresholds that flag staff.

use super::*;

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub(super) struct SettingsForm {
    weight_critical: String,
    weight_important: String,
    weight_useful: String,
    coverage_threshold: String,
    development_months: String,
    assessment_months: String,
    mentor_cap: String,
    mentor_period_days: String,
    trainings_per_person: String,
    effect_min_participants: String,
}

impl SettingsForm {
    fn of(s: &GapSettings) -> Self {
        let n = crate::development::model::jp_plain;
        Self {
            weight_critical: n(s.weight_critical),
            weight_important: n(s.weight_important),
            weight_useful: n(s.weight_useful),
            coverage_threshold: s.coverage_threshold.to_string(),
            development_months: s.development_months.to_string(),
            assessment_months: s.assessment_months.to_string(),
            mentor_cap: s.mentor_cap.to_string(),
            mentor_period_days: s.mentor_period_days.to_string(),
            trainings_per_person: s.trainings_per_person.to_string(),
            effect_min_participants: s.effect_min_participants.to_string(),
        }
    }
}

#[derive(askama::Template)]
#[template(path = "gaps/settings.html")]
pub(super) struct SettingsPage {
    ctx: Ctx,
    form: SettingsForm,
    errors: FieldErrors,
    edit: EditState,
    label_prefix: &'static str,
    fields: [(&'static str, &'static str); 10],
}

impl SettingsPage {
    fn value(&self, f: &str) -> &str {
        match f {
            "weight_critical" => &self.form.weight_critical,
            "weight_important" => &self.form.weight_important,
            "weight_useful" => &self.form.weight_useful,
            "coverage_threshold" => &self.form.coverage_threshold,
            "development_months" => &self.form.development_months,
            "assessment_months" => &self.form.assessment_months,
            "mentor_cap" => &self.form.mentor_cap,
            "mentor_period_days" => &self.form.mentor_period_days,
            "trainings_per_person" => &self.form.trainings_per_person,
            _ => &self.form.effect_min_participants,
        }
    }
}

/// (field, what it takes: "weight" 0.1–100 or "n:lo:hi").
pub(super) const FIELDS: [(&str, &str); 10] = [
    ("weight_critical", "w"),
    ("weight_important", "w"),
    ("weight_useful", "w"),
    ("coverage_threshold", "1:100"),
    ("development_months", "1:60"),
    ("assessment_months", "1:120"),
    ("mentor_cap", "1:50"),
    ("mentor_period_days", "7:366"),
    ("trainings_per_person", "1:10"),
    ("effect_min_participants", "1:1000"),
];

pub(super) fn settings_page(ctx: Ctx, form: SettingsForm, errors: FieldErrors, edit: EditState) -> AppResult<Response> {
    let status = edit.status(&errors);
    render_status(status, &SettingsPage { ctx, form, errors, edit, label_prefix: "gapset", fields: FIELDS })
}

pub(super) async fn settings_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let s = db::settings(&mut conn).await?;
    let form = SettingsForm::of(&s);
    let edit = EditState::loaded(s.version, &form);
    settings_page(ctx, form, FieldErrors::default(), edit)
}

pub(super) async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(posted): Form<Versioned<SettingsForm>>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let current: GapSettings = db::settings_for_update(&mut tx).await?;
    let now = SettingsForm::of(&current);
    let form = match edit::begin(&mut tx, user.account_id, &posted, Some((current.version, now))).await? {
        Begin::Go { form, .. } => form,
        Begin::Conflict(edit) => return settings_page(ctx, posted.form, FieldErrors::default(), edit),
        Begin::Duplicate(_) => return Ok(redirect_flash("/gaps/settings", FlashKind::Ok, "flash.already_saved")),
    };
    let page = SettingsPage {
        ctx: ctx.clone(),
        form: form.clone(),
        errors: FieldErrors::default(),
        edit: EditState::default(),
        label_prefix: "gapset",
        fields: FIELDS,
    };
    let mut errors = FieldErrors::default();
    let mut values: Vec<f64> = vec![];
    for (field, rule) in FIELDS {
        let raw = page.value(field).trim().replace(',', ".");
        let v = raw.parse::<f64>().ok().filter(|v| v.is_finite());
        let ok = match (rule, v) {
            ("w", Some(v)) => (0.1..=100.0).contains(&v),
            (r, Some(v)) => {
                let (lo, hi) = r.split_once(':').unwrap_or(("0", "0"));
                v.fract() == 0.0 && v >= lo.parse().unwrap_or(0.0) && v <= hi.parse().unwrap_or(0.0)
            }
            _ => false,
        };
        if ok {
            values.push(v.unwrap_or_default());
        } else {
            errors.add(field, if rule == "w" { "gapset.err.weight" } else { "gapset.err.range" });
        }
    }
    if !errors.is_empty() {
        drop(tx);
        return settings_page(ctx, form, errors, posted.again());
    }
    let before: serde_json::Value =
        sqlx::query_scalar!(r#"select to_jsonb(g) - 'updated_at' as "row!" from gap_settings g where id = 1"#)
            .fetch_one(&mut *tx)
            .await?;
    let after: serde_json::Value = sqlx::query_scalar!(
        r#"update gap_settings g set weight_critical = $1::float8, weight_important = $2::float8, weight_useful = $3::float8,
                coverage_threshold = $4, development_months = $5, assessment_months = $6, mentor_cap = $7,
                mentor_period_days = $8, trainings_per_person = $9, effect_min_participants = $10
         where id = 1 returning to_jsonb(g) - 'updated_at' as "row!""#,
        values[0],
        values[1],
        values[2],
        values[3] as i16,
        values[4] as i16,
        values[5] as i16,
        values[6] as i16,
        values[7] as i16,
        values[8] as i16,
        values[9] as i16,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "gap_settings", 1, "update", Some(before), Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash("/gaps/settings", FlashKind::Ok, "flash.saved"))
}
