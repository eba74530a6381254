//! A catalogue programme as the form posts it (strings) and as it is stored (checked values): the
//! code, the scheme, class sizes and the years it is offered. Built only through `TryFrom`.

use serde::{Deserialize, Serialize};

use crate::{
    app::form::{FieldErrors, clean_text, required_text},
    development::model::{Jp, Rupiah, TrainingForm},
    str_enum,
};

str_enum!(
    /// Who pays: a provider the agency pays, or a free national scheme (LAN, BPSDM, BSSN, Kominfo's
    /// Digital Talent Scholarship, e-learning) that costs the agency nothing.
    Scheme {
        Paid => "paid", "prog.scheme.paid",
        NationalFree => "national_free", "prog.scheme.national_free",
    }
);

/// A programme code: upper-case letters, digits, dots, dashes and underscores, 1–30 characters,
/// starting with a letter or digit (e.g. `DTS-CLOUD-2027`). Lower case is accepted and raised.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProgrammeCode(String);

impl ProgrammeCode {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let v = input.trim().to_uppercase();
        if v.is_empty() {
            return Err("form.required");
        }
        let ok = v.chars().count() <= 30
            && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && v.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
        if ok { Ok(Self(v)) } else { Err("prog.err.code") }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A whole number in `lo..=hi` typed in a form ("12", " 12 "); anything else is `None`.
fn whole(s: &str, lo: i32, hi: i32) -> Option<i32> {
    let t = s.trim();
    if t.is_empty() || t.len() > 6 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse::<i32>().ok().filter(|v| (lo..=hi).contains(v))
}

/// The programme form as posted and as re-shown: every field a string, so bad input is kept.
#[derive(Deserialize, Serialize, Default, Clone, Debug)]
#[serde(default)]
pub struct ProgrammeInput {
    pub code: String,
    pub title: String,
    pub provider: String,
    pub scheme: String,
    pub form: String,
    pub jenis_diklat: String,
    pub jp: String,
    pub days: String,
    pub cost_per_participant: String,
    pub cost_per_class: String,
    pub min_class: String,
    pub max_class: String,
    pub offered_from: String,
    pub offered_to: String,
    pub notes: String,
    pub active: String,
}

/// A programme's fields, checked. The provider is an id still to be looked up.
#[derive(Clone, Debug)]
pub struct Programme {
    pub code: ProgrammeCode,
    pub title: String,
    pub provider: Option<i64>,
    pub scheme: Scheme,
    pub form: TrainingForm,
    pub jenis: i16,
    pub jp: Jp,
    pub days: i16,
    pub cost_per_participant: Rupiah,
    pub cost_per_class: Rupiah,
    pub min_class: i32,
    pub max_class: i32,
    pub offered_from: i32,
    pub offered_to: i32,
    pub notes: String,
    pub active: bool,
}

impl TryFrom<&ProgrammeInput> for Programme {
    type Error = FieldErrors;

    /// Every field checked at once; the errors name the field they belong to.
    fn try_from(f: &ProgrammeInput) -> Result<Self, FieldErrors> {
        let mut errors = FieldErrors::default();
        let code = ProgrammeCode::parse(&f.code).map_err(|k| errors.add("code", k)).ok();
        let title = required_text(&mut errors, "title", &f.title, 300);
        let provider = match f.provider.trim() {
            "" => None,
            p => match p.parse::<i64>() {
                Ok(id) if id > 0 => Some(id),
                _ => {
                    errors.add("provider", "trn.err.provider");
                    None
                }
            },
        };
        let scheme = Scheme::parse(&f.scheme);
        if scheme.is_none() {
            errors.add("scheme", "prog.err.scheme");
        }
        let form = TrainingForm::parse(&f.form);
        if form.is_none() {
            errors.add("form", "trn.err.form");
        }
        let jenis = f.jenis_diklat.trim().parse::<i16>().ok().filter(|j| (1..=25).contains(j));
        if jenis.is_none() {
            errors.add("jenis_diklat", "trn.err.jenis");
        }
        let jp = Jp::parse(&f.jp).map_err(|k| errors.add("jp", k)).ok();
        let days = whole(&f.days, 1, 365).and_then(|d| i16::try_from(d).ok());
        if days.is_none() {
            errors.add("days", "prog.err.days");
        }
        let cpp = Rupiah::parse(&f.cost_per_participant).map_err(|k| errors.add("cost_per_participant", k)).ok();
        let cpc = Rupiah::parse(&f.cost_per_class).map_err(|k| errors.add("cost_per_class", k)).ok();
        if scheme == Some(Scheme::NationalFree) {
            if cpp.is_some_and(|c| c.get() > 0) {
                errors.add("cost_per_participant", "prog.err.free_cost");
            }
            if cpc.is_some_and(|c| c.get() > 0) {
                errors.add("cost_per_class", "prog.err.free_cost");
            }
        }
        let min_class = whole(&f.min_class, 1, 1000);
        if min_class.is_none() {
            errors.add("min_class", "prog.err.class_size");
        }
        let max_class = whole(&f.max_class, 1, 1000);
        match (min_class, max_class) {
            (_, None) => errors.add("max_class", "prog.err.class_size"),
            (Some(lo), Some(hi)) if hi < lo => errors.add("max_class", "prog.err.max_below_min"),
            _ => {}
        }
        let from = whole(&f.offered_from, 2000, 2100);
        if from.is_none() {
            errors.add("offered_from", "prog.err.year");
        }
        let to = whole(&f.offered_to, 2000, 2100);
        match (from, to) {
            (_, None) => errors.add("offered_to", "prog.err.year"),
            (Some(a), Some(b)) if b < a => errors.add("offered_to", "prog.err.to_before_from"),
            _ => {}
        }
        let notes = clean_text(&f.notes, 2000).map_err(|k| errors.add("notes", k)).unwrap_or_default();
        match (code, scheme, form, jenis, jp, days, cpp, cpc, min_class, max_class, from, to) {
            (
                Some(code),
                Some(scheme),
                Some(form),
                Some(jenis),
                Some(jp),
                Some(days),
                Some(cost_per_participant),
                Some(cost_per_class),
                Some(min_class),
                Some(max_class),
                Some(offered_from),
                Some(offered_to),
            ) if errors.is_empty() => Ok(Self {
                code,
                title,
                provider,
                scheme,
                form,
                jenis,
                jp,
                days,
                cost_per_participant,
                cost_per_class,
                min_class,
                max_class,
                offered_from,
                offered_to,
                notes,
                active: f.active == "on",
            }),
            _ => Err(errors),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn good() -> ProgrammeInput {
        ProgrammeInput {
            code: "dts-cloud.27".into(),
            title: "Digital Talent Scholarship: Cloud".into(),
            scheme: "paid".into(),
            form: "sertifikasi".into(),
            jenis_diklat: "11".into(),
            jp: "32,5".into(),
            days: "5".into(),
            cost_per_participant: "Rp4.500.000".into(),
            cost_per_class: "0".into(),
            min_class: "5".into(),
            max_class: "25".into(),
            offered_from: "2026".into(),
            offered_to: "2028".into(),
            active: "on".into(),
            ..Default::default()
        }
    }

    #[test]
    fn a_good_form_parses() {
        let p = Programme::try_from(&good()).expect("parses");
        assert_eq!(p.code.as_str(), "DTS-CLOUD.27");
        assert_eq!(p.jp.get(), 32.5);
        assert_eq!(p.cost_per_participant.get(), 4_500_000);
        assert!(p.active);
    }

    #[test]
    fn codes() {
        assert!(ProgrammeCode::parse("BSSN_CSIRT-01").is_ok());
        for bad in ["-X", "A B", "KODE/1", "Ä", &"X".repeat(31)] {
            assert_eq!(ProgrammeCode::parse(bad), Err("prog.err.code"), "{bad}");
        }
        assert_eq!(ProgrammeCode::parse("  "), Err("form.required"));
    }

    #[test]
    fn every_bad_field_is_named() {
        let mut f = good();
        f.code = "x y".into();
        f.title = " ".into();
        f.jp = "0".into();
        f.days = "366".into();
        f.min_class = "20".into();
        f.max_class = "10".into();
        f.offered_from = "2028".into();
        f.offered_to = "2026".into();
        f.jenis_diklat = "26".into();
        f.form = "kuliah".into();
        f.cost_per_class = "1,5".into();
        let e = Programme::try_from(&f).expect_err("refused");
        for (field, key) in [
            ("code", "prog.err.code"),
            ("title", "form.required"),
            ("jp", "dev.err.jp"),
            ("days", "prog.err.days"),
            ("max_class", "prog.err.max_below_min"),
            ("offered_to", "prog.err.to_before_from"),
            ("jenis_diklat", "trn.err.jenis"),
            ("form", "trn.err.form"),
            ("cost_per_class", "dev.err.money"),
        ] {
            assert_eq!(e.get(field), Some(key), "{field}");
        }
    }

    #[test]
    fn a_free_scheme_costs_nothing() {
        let mut f = good();
        f.scheme = "national_free".into();
        let e = Programme::try_from(&f).expect_err("refused");
        assert_eq!(e.get("cost_per_participant"), Some("prog.err.free_cost"));
        f.cost_per_participant = "0".into();
        assert!(Programme::try_from(&f).is_ok());
    }
}
