//! The one clock of the portal. "Today" is the agency's date in its time zone (a setting), never
//! UTC's: between 00:00 and 07:00 WIB the UTC date is still yesterday. Tests may fix the instant.
//! An instant is shown in the agency's zone with its name (`i18n::datetime`: "23 November 2026 14:05 WITA").
//! The database has the same rules as SQL functions (`agency_today()`, `agency_date(instant)`,
//! `agency_day_start(date)`, migration 50) for the statements that need "today" themselves.

use std::sync::{Arc, RwLock};

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};

use crate::str_enum;

str_enum!(
    /// Indonesia's three time zones (no daylight saving), stored by their IANA names.
    TimeZone {
        Wib => "Asia/Jakarta", "tz.wib",
        Wita => "Asia/Makassar", "tz.wita",
        Wit => "Asia/Jayapura", "tz.wit",
    }
);

impl TimeZone {
    pub fn offset(self) -> FixedOffset {
        let hours = match self {
            Self::Wib => 7,
            Self::Wita => 8,
            Self::Wit => 9,
        };
        FixedOffset::east_opt(hours * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("zero offset"))
    }

    /// The zone's name as Indonesians write it after a time (the same in both languages).
    pub fn abbrev(self) -> &'static str {
        match self {
            Self::Wib => "WIB",
            Self::Wita => "WITA",
            Self::Wit => "WIT",
        }
    }

    /// The instant `day` begins in this zone (its local midnight), as SQL's `agency_day_start`.
    pub fn day_start(self, day: NaiveDate) -> DateTime<Utc> {
        (day.and_time(chrono::NaiveTime::MIN) - chrono::Duration::seconds(i64::from(self.offset().local_minus_utc())))
            .and_utc()
    }

    /// An instant as the agency's date and its time of day.
    pub fn local(self, at: DateTime<Utc>) -> (NaiveDate, String) {
        let t = at.with_timezone(&self.offset());
        (t.date_naive(), format!("{} {}", t.format("%H:%M"), self.abbrev()))
    }
}

/// The current instant: the system clock, or a fixed instant set by a test.
#[derive(Clone, Default)]
pub struct Clock {
    fixed: Arc<RwLock<Option<DateTime<Utc>>>>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.read().ok().and_then(|f| *f).unwrap_or_else(Utc::now)
    }

    /// Tests: pretend it is `at` from now on (`None` goes back to the system clock).
    pub fn set(&self, at: Option<DateTime<Utc>>) {
        if let Ok(mut f) = self.fixed.write() {
            *f = at;
        }
    }

    /// The agency's date now.
    pub fn today(&self, tz: TimeZone) -> NaiveDate {
        self.now().with_timezone(&tz.offset()).date_naive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_follows_the_agency_time_zone() {
        let c = Clock::default();
        // 23 Nov 2026 18:30 UTC = 24 Nov 01:30 WIB, 02:30 WITA, 03:30 WIT.
        c.set(Some(DateTime::parse_from_rfc3339("2026-11-23T18:30:00Z").expect("instant").with_timezone(&Utc)));
        let d = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).expect("date");
        assert_eq!(c.today(TimeZone::Wib), d(2026, 11, 24));
        assert_eq!(c.today(TimeZone::Wit), d(2026, 11, 24));
        c.set(Some(DateTime::parse_from_rfc3339("2026-12-31T16:30:00Z").expect("instant").with_timezone(&Utc)));
        assert_eq!(c.today(TimeZone::Wib), d(2026, 12, 31));
        assert_eq!(c.today(TimeZone::Wita), d(2027, 1, 1));
        assert_eq!(TimeZone::parse("Asia/Makassar"), Some(TimeZone::Wita));
        let at = DateTime::parse_from_rfc3339("2026-11-23T16:30:00Z").expect("instant").with_timezone(&Utc);
        assert_eq!(TimeZone::Wib.local(at), (d(2026, 11, 23), "23:30 WIB".to_string()));
        assert_eq!(TimeZone::Wita.local(at), (d(2026, 11, 24), "00:30 WITA".to_string()));
        assert_eq!(TimeZone::Wit.local(at), (d(2026, 11, 24), "01:30 WIT".to_string()));
        let start = |tz: TimeZone| tz.day_start(d(2026, 11, 24)).to_rfc3339();
        assert_eq!(start(TimeZone::Wib), "2026-11-23T17:00:00+00:00");
        assert_eq!(start(TimeZone::Wita), "2026-11-23T16:00:00+00:00");
        assert_eq!(start(TimeZone::Wit), "2026-11-23T15:00:00+00:00");
    }
}
