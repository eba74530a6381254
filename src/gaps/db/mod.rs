//! The gap queries. Everything is set work in SQL over the live records; Rust only arranges rows.

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::app::Ctx;

mod card;
mod units;

pub use card::*;
pub use units::*;

/// HR's thresholds and weights (one row).
#[derive(Clone, Debug)]
pub struct GapSettings {
    pub weight_critical: f64,
    pub weight_important: f64,
    pub weight_useful: f64,
    pub coverage_threshold: i16,
    pub development_months: i16,
    pub assessment_months: i16,
    pub mentor_cap: i16,
    pub mentor_period_days: i16,
    pub trainings_per_person: i16,
    pub effect_min_participants: i16,
    pub version: i64,
}

pub async fn settings(conn: &mut PgConnection) -> Result<GapSettings, sqlx::Error> {
    sqlx::query_as!(
        GapSettings,
        r#"select weight_critical::float8 as "weight_critical!", weight_important::float8 as "weight_important!",
                weight_useful::float8 as "weight_useful!", coverage_threshold, development_months, assessment_months,
                mentor_cap, mentor_period_days, trainings_per_person, effect_min_participants, version
         from gap_settings where id = 1"#
    )
    .fetch_one(conn)
    .await
}

impl crate::app::versioned::Weigh for GapSettings {}

/// The settings as pages show them, kept per version of the records (read on every gap card).
pub async fn settings_seen<'a>(
    state: &crate::AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
) -> Result<GapSettings, sqlx::Error> {
    let kept = state.versions.get(conn, "gap.settings".to_string(), |conn| Box::pin(settings(conn))).await?;
    Ok(kept.as_ref().clone())
}

/// The settings, locked for an update (the same columns as `settings`).
pub async fn settings_for_update(conn: &mut PgConnection) -> Result<GapSettings, sqlx::Error> {
    sqlx::query_as!(
        GapSettings,
        r#"select weight_critical::float8 as "weight_critical!", weight_important::float8 as "weight_important!",
                weight_useful::float8 as "weight_useful!", coverage_threshold, development_months, assessment_months,
                mentor_cap, mentor_period_days, trainings_per_person, effect_min_participants, version
         from gap_settings where id = 1 for update"#
    )
    .fetch_one(conn)
    .await
}

/// One employee's gap summary with the facts behind each flag.
#[derive(Clone, Debug)]
pub struct StaffGap {
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub position: String,
    pub requirements: i64,
    pub met: i64,
    pub coverage: f64,
    pub score: f64,
    pub max_gap: i32,
    pub critical_below: Option<String>,
    pub big_gaps: Option<String>,
    pub jp_year: f64,
    pub jp_minimum: f64,
    pub last_development: Option<NaiveDate>,
    pub last_assessment: Option<NaiveDate>,
    pub flag_critical: bool,
    pub flag_coverage: bool,
    pub flag_big_gap: bool,
    pub flag_jp: bool,
    pub flag_development: bool,
    pub flag_assessment: bool,
    /// Requirements with a known, valid level.
    pub assessed: i64,
    /// Met / assessed; None when nothing is known.
    pub readiness: Option<f64>,
    /// Critical competencies two or more levels short (the top tier).
    pub critical_big: Option<String>,
    /// 1 act now, 2 develop, 3 not yet assessed, 0 on track (the rule is `gap_summary`'s alone).
    pub tier: i16,
    /// Under-skilled in what is known (tiers 1 and 2).
    pub flagged: bool,
}

impl StaffGap {
    pub fn flagged(&self) -> bool {
        self.flagged
    }

    /// Assessment coverage: assessed / required, in percent.
    pub fn coverage_percent(&self) -> i64 {
        (self.coverage * 100.0).round() as i64
    }

    /// Readiness over what is known (met / assessed), in percent; None when nothing is known.
    pub fn readiness_percent(&self) -> Option<i64> {
        self.readiness.map(|r| (r * 100.0).round() as i64)
    }

    /// The tier's label key.
    pub fn tier_key(&self) -> &'static str {
        tier_key(self.tier)
    }

    /// Each flag with its reason, in the reader's language.
    pub fn reasons(&self, ctx: &Ctx, s: &GapSettings) -> Vec<String> {
        let en = ctx.lang.is_en();
        let mut out = vec![];
        if let Some(c) = &self.critical_big {
            out.push(ctx.t("gap.flag.critical_big").replace("{list}", c));
        } else if let Some(c) = self.critical_below.as_ref().filter(|_| self.flag_critical) {
            out.push(ctx.t("gap.flag.critical").replace("{list}", c));
        }
        if self.flag_coverage {
            out.push(
                ctx.t("gap.flag.readiness")
                    .replace("{pct}", &self.readiness_percent().unwrap_or(0).to_string())
                    .replace("{min}", &s.coverage_threshold.to_string()),
            );
        }
        if self.requirements > self.assessed {
            out.push(
                ctx.t("gap.flag.not_assessed")
                    .replace("{n}", &(self.requirements - self.assessed).to_string())
                    .replace("{of}", &self.requirements.to_string()),
            );
        }
        if let Some(c) = self.big_gaps.as_ref().filter(|_| self.flag_big_gap) {
            out.push(ctx.t("gap.flag.big_gap").replace("{list}", c));
        }
        if self.flag_jp {
            out.push(
                ctx.t("gap.flag.jp")
                    .replace("{jp}", &crate::development::model::jp_text(self.jp_year, en))
                    .replace("{min}", &crate::development::model::jp_text(self.jp_minimum, en)),
            );
        }
        if self.flag_development {
            out.push(match self.last_development {
                Some(d) => ctx
                    .t("gap.flag.development")
                    .replace("{date}", &ctx.date(d))
                    .replace("{months}", &s.development_months.to_string()),
                None => ctx.t("gap.flag.development_never").to_string(),
            });
        }
        if self.flag_assessment {
            out.push(match self.last_assessment {
                Some(d) => ctx
                    .t("gap.flag.assessment")
                    .replace("{date}", &ctx.date(d))
                    .replace("{months}", &s.assessment_months.to_string()),
                None => ctx.t("gap.flag.assessment_never").to_string(),
            });
        }
        out
    }
}

/// The label key of a tier as `gap_summary` gives it (1 act now, 2 develop, 3 not yet assessed,
/// 0 on track).
pub fn tier_key(tier: i16) -> &'static str {
    match tier {
        1 => "gap.tier.1",
        2 => "gap.tier.2",
        3 => "gap.tier.3",
        _ => "gap.tier.0",
    }
}

/// One employee's summary (computed for them alone).
pub async fn staff_gap(
    conn: &mut PgConnection,
    today: NaiveDate,
    employee: i64,
) -> Result<Option<StaffGap>, sqlx::Error> {
    // The same columns as `staff_page` (kept as whole statements: the schema test
    // prepares every static statement).
    sqlx::query_as!(
        StaffGap,
        r#"select s.employee_id as "employee_id!", e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                u.name as unit, coalesce(p.name, '') as "position!", s.requirements as "requirements!", s.met as "met!",
                s.coverage as "coverage!", s.score as "score!", s.max_gap as "max_gap!", s.critical_below, s.big_gaps,
                s.jp_year as "jp_year!", s.jp_minimum as "jp_minimum!", s.last_development, s.last_assessment,
                s.flag_critical as "flag_critical!", s.flag_coverage as "flag_coverage!", s.flag_big_gap as "flag_big_gap!",
                s.flag_jp as "flag_jp!", s.flag_development as "flag_development!", s.flag_assessment as "flag_assessment!",
                s.assessed as "assessed!", s.readiness, s.critical_big, s.tier as "tier!", s.flagged as "flagged!"
         from gap_summary($1, '/', $2) s join employees e on e.id = s.employee_id join units u on u.id = e.unit_id
         left join positions p on p.id = e.position_id"#,
        today,
        employee,
    )
    .fetch_optional(conn)
    .await
}
