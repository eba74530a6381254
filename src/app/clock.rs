//! The one clock of the portal. "Today" is the agency's date in its time zone (a setting), never
//! UTC's: between 00:00 and 07:00 WIB the UTC date is still yesterday. Tests may fix the instant.

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
    }
}
