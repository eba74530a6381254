//! Bahasa Indonesia first, English second. Strings live in `strings.rs` as (key, id, en);
//! the language is passed per call, never set process-wide.

use std::{collections::HashMap, sync::LazyLock};

mod accounts;
mod picker;
mod plan_run;
mod siasn;
mod strings;
mod talent;
mod ui;

/// Every string table: the original one, then one file per later feature (so parallel work on
/// different features never edits the same lines). Keys stay unique across all of them.
const TABLES: &[&[(&str, &str, &str)]] = &[
    strings::STRINGS,
    picker::STRINGS,
    accounts::STRINGS,
    talent::STRINGS,
    ui::STRINGS,
    siasn::STRINGS,
    plan_run::STRINGS,
];

fn all_strings() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    TABLES.iter().flat_map(|t| t.iter())
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    pub fn from_code(code: &str) -> Self {
        if code.eq_ignore_ascii_case("en") { Self::En } else { Self::Id }
    }

    pub fn code(self) -> &'static str {
        match self {
            Self::Id => "id",
            Self::En => "en",
        }
    }

    pub fn is_en(self) -> bool {
        self == Self::En
    }
}

static TABLE: LazyLock<HashMap<&'static str, (&'static str, &'static str)>> =
    LazyLock::new(|| all_strings().map(|(k, id, en)| (*k, (*id, *en))).collect());

/// The text for `key`; a missing key shows itself (and fails the i18n test).
pub fn t(lang: Lang, key: &str) -> &'static str {
    match TABLE.get(key) {
        Some((id, en)) => match lang {
            Lang::Id => id,
            Lang::En => en,
        },
        None => TABLE.get_key_value(key).map(|(k, _)| *k).unwrap_or("?"),
    }
}

/// The static form of a known key (used to accept keys from cookies safely).
pub fn key(k: &str) -> Option<&'static str> {
    TABLE.get_key_value(k).map(|(k, _)| *k)
}

/// Format a date as "23 November 2026" in either language.
pub fn date(lang: Lang, d: chrono::NaiveDate) -> String {
    use chrono::Datelike as _;
    const ID: [&str; 12] = [
        "Januari",
        "Februari",
        "Maret",
        "April",
        "Mei",
        "Juni",
        "Juli",
        "Agustus",
        "September",
        "Oktober",
        "November",
        "Desember",
    ];
    const EN: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    let months = if lang.is_en() { EN } else { ID };
    format!("{} {} {}", d.day(), months[d.month0() as usize], d.year())
}

/// An instant as the agency's date and time, with its zone's name: "23 November 2026 14:05 WITA".
pub fn datetime(lang: Lang, tz: crate::app::clock::TimeZone, at: chrono::DateTime<chrono::Utc>) -> String {
    let (day, time) = tz.local(at);
    format!("{} {time}", date(lang, day))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_and_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for (k, id, en) in all_strings() {
            assert!(seen.insert(*k), "duplicate key {k}");
            assert!(!id.is_empty() && !en.is_empty(), "empty text for {k}");
        }
    }

    /// Every `t("…")` used in templates and code has a string.
    #[test]
    fn every_used_key_exists() {
        let root = env!("CARGO_MANIFEST_DIR");
        let mut files = vec![];
        for dir in ["templates", "src"] {
            let mut stack = vec![std::path::PathBuf::from(root).join(dir)];
            while let Some(p) = stack.pop() {
                for e in std::fs::read_dir(&p).expect("readable dir").flatten() {
                    let path = e.path();
                    if path.is_dir() {
                        stack.push(path);
                    } else {
                        files.push(path);
                    }
                }
            }
        }
        let mut missing = vec![];
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap_or_default();
            for part in text.split("t(\"").skip(1) {
                let Some(end) = part.find('"') else { continue };
                let k = &part[..end];
                if k.contains('.')
                    && k.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.')
                    && key(k).is_none()
                {
                    missing.push(format!("{}: {k}", f.display()));
                }
            }
        }
        assert!(missing.is_empty(), "missing i18n keys:\n{}", missing.join("\n"));
    }

    #[test]
    fn dates_in_both_languages() {
        let d = chrono::NaiveDate::from_ymd_opt(2026, 8, 17).expect("date");
        assert_eq!(date(Lang::Id, d), "17 Agustus 2026");
        assert_eq!(date(Lang::En, d), "17 August 2026");
        assert_eq!(t(Lang::En, "nav.home"), "Home");
        assert_eq!(t(Lang::Id, "nav.home"), "Beranda");
    }
}
