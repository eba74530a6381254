//! One item waiting, and what it claims in words.

use super::*;

/// One item waiting: its kind and id (the form's value), who, and what is claimed, with the
/// figures that say it in words (the claimed and current level, the activity's form and minutes,
/// the training's dates, JP and cost), its note and evidence, and where its own page is.
#[derive(Clone, Debug)]
pub struct Item {
    pub kind: String,
    pub id: i64,
    pub employee: String,
    pub unit: String,
    pub code: String,
    pub competency: String,
    /// The level claimed (assessment), asked for (request) or aimed at (activity).
    pub level: Option<i16>,
    pub current_level: Option<i16>,
    pub source: Option<AssessmentSource>,
    pub activity_kind: Option<ActivityKind>,
    pub minutes: Option<i32>,
    pub held_on: Option<chrono::NaiveDate>,
    pub mentor: Option<String>,
    /// The training's title or the activity's topic.
    pub title: String,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
    pub jp: Option<f64>,
    pub cost: Option<i64>,
    /// The claim's note, the request's reason, the activity's report and notes.
    pub note: String,
    pub evidence_id: Option<i64>,
    pub href: String,
    pub since: chrono::DateTime<chrono::Utc>,
}

/// A whole number as people write it: "1.440" (Indonesian), "1,440" (English).
pub fn count_text(n: i64, en: bool) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = if en { ',' } else { '.' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

impl Item {
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }

    /// The key as an id and a field name ("assessment-12").
    pub fn dom(&self) -> String {
        format!("{}-{}", self.kind, self.id)
    }

    /// "saat ini 2" / "belum dinilai".
    fn now(&self, ctx: &Ctx) -> String {
        match self.current_level {
            Some(c) => ctx.t("appr.now").replace("{n}", &c.to_string()),
            None => ctx.t("appr.now_none").to_string(),
        }
    }

    /// What is claimed, in words: "Penilaian mandiri APL-02: level 3 (saat ini 2)",
    /// "Mentoring 150 menit", "Usulan peserta: Pelatihan Keamanan Aplikasi".
    pub fn claim(&self, ctx: &Ctx) -> String {
        let level = self.level.map(|l| l.to_string()).unwrap_or_else(|| "—".into());
        let fill = |key: &str| {
            ctx.t(key).replace("{code}", &self.code).replace("{level}", &level).replace("{now}", &self.now(ctx))
        };
        match self.kind.as_str() {
            "assessment" => match self.source {
                Some(AssessmentSource::SelfAssessment) | None => fill("appr.claim.self"),
                Some(AssessmentSource::Training) => fill("appr.claim.training"),
                Some(s) => fill("appr.claim.other").replace("{source}", ctx.label(s)),
            },
            "request" => fill("appr.claim.request"),
            "participant" => ctx.t("appr.claim.participant").replace("{title}", &self.title),
            "activity" => ctx
                .t("appr.claim.activity")
                .replace("{kind}", self.activity_kind.map(|k| ctx.label(k)).unwrap_or(""))
                .replace("{minutes}", &count_text(i64::from(self.minutes.unwrap_or(0)), ctx.lang.is_en())),
            _ => self.title.clone(),
        }
    }

    /// The facts under the claim: the competency's name, the activity's topic, mentor and date,
    /// the training's dates, JP and cost.
    pub fn facts(&self, ctx: &Ctx) -> Vec<String> {
        let mut out = vec![];
        if !self.competency.is_empty() {
            out.push(format!("{} {}", self.code, self.competency));
        }
        if self.kind == "activity" {
            if !self.title.is_empty() {
                out.push(ctx.t("appr.fact.topic").replace("{topic}", &self.title));
            }
            if let Some(m) = &self.mentor {
                out.push(ctx.t("appr.fact.mentor").replace("{name}", m));
            }
            if let Some(l) = self.level {
                out.push(ctx.t("appr.fact.target").replace("{n}", &l.to_string()));
            }
            if let Some(d) = self.held_on {
                out.push(ctx.date(d));
            }
        }
        if self.kind == "participant" {
            match (self.starts_on, self.ends_on) {
                (Some(a), Some(b)) if a != b => out.push(format!("{} – {}", ctx.date(a), ctx.date(b))),
                (Some(a), _) => out.push(ctx.date(a)),
                _ => {}
            }
            if let Some(j) = self.jp {
                out.push(format!("{} JP", crate::development::model::jp_text(j, ctx.lang.is_en())));
            }
            if let Some(c) = self.cost {
                out.push(ctx.t("appr.fact.cost").replace("{cost}", &crate::development::model::rupiah(c)));
            }
        }
        out
    }

    /// The label of the note: the claim's note, the training behind a proposal, the request's
    /// reason, the activity's report.
    pub fn note_label(&self, ctx: &Ctx) -> &'static str {
        match (self.kind.as_str(), self.source) {
            ("assessment", Some(AssessmentSource::Training)) => ctx.t("appr.note.training"),
            ("assessment", _) => ctx.t("appr.note.assessment"),
            ("request", _) => ctx.t("appr.note.request"),
            _ => ctx.t("appr.note.activity"),
        }
    }
}
