//! Employee newtypes, parsed at the edge (forms, imports); the rest of the code trusts them.

use chrono::{Datelike as _, NaiveDate};

use crate::str_enum;

str_enum!(
    /// ASN kind: career civil servant or contract civil servant.
    EmployeeStatus {
        Pns => "PNS", "emp.status.pns",
        Pppk => "PPPK", "emp.status.pppk",
    }
);

str_enum!(Sex {
    Male => "L", "emp.sex.l",
    Female => "P", "emp.sex.p",
});

str_enum!(EducationLevel {
    Sd => "SD", "edu.sd",
    Smp => "SMP", "edu.smp",
    Sma => "SMA", "edu.sma",
    D1 => "D1", "edu.d1",
    D2 => "D2", "edu.d2",
    D3 => "D3", "edu.d3",
    D4 => "D4", "edu.d4",
    S1 => "S1", "edu.s1",
    S2 => "S2", "edu.s2",
    S3 => "S3", "edu.s3",
});

/// Why a NIP was refused (the i18n key says it to the user).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NipError {
    Length,
    BirthDate,
    AppointmentDate,
    SexDigit,
    TooYoung,
    /// A real date that has not come yet.
    BirthFuture,
}

impl NipError {
    pub fn key(self) -> &'static str {
        match self {
            Self::Length => "nip.err.length",
            Self::BirthDate => "nip.err.birth",
            Self::AppointmentDate => "nip.err.tmt",
            Self::SexDigit => "nip.err.sex",
            Self::TooYoung => "nip.err.too_young",
            Self::BirthFuture => "nip.err.birth_future",
        }
    }
}

/// An 18-digit NIP. For a PNS: birth date YYYYMMDD, appointment (TMT CPNS) YYYYMM, sex digit
/// (1 male, 2 female) and a 3-digit serial; the appointment is no earlier than the 18th birthday.
/// PPPK numbers are checked as 18 digits only.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Nip(String);

impl Nip {
    /// A NIP as typed, without the spaces, dots and dashes people put between its groups.
    pub fn typed_digits(input: &str) -> String {
        input.chars().filter(|c| !matches!(c, ' ' | '.' | '-' | '\u{a0}')).collect()
    }

    /// Spaces, dots and dashes people type between the groups are ignored. `today` is the
    /// agency's date (a birth date after it is refused).
    pub fn parse(input: &str, status: EmployeeStatus, today: NaiveDate) -> Result<Self, NipError> {
        let digits = Self::typed_digits(input);
        if digits.len() != 18 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(NipError::Length);
        }
        if status == EmployeeStatus::Pns {
            let birth = Self::date(&digits[0..8]).ok_or(NipError::BirthDate)?;
            if birth > today {
                return Err(NipError::BirthFuture);
            }
            let tmt = Self::date(&format!("{}01", &digits[8..14])).ok_or(NipError::AppointmentDate)?;
            if !matches!(&digits[14..15], "1" | "2") {
                return Err(NipError::SexDigit);
            }
            let eighteen =
                NaiveDate::from_ymd_opt(birth.year() + 18, birth.month(), 1).ok_or(NipError::AppointmentDate)?;
            if tmt < eighteen {
                return Err(NipError::TooYoung);
            }
        }
        Ok(Self(digits))
    }

    fn date(yyyymmdd: &str) -> Option<NaiveDate> {
        let y = yyyymmdd.get(0..4)?.parse().ok()?;
        let m = yyyymmdd.get(4..6)?.parse().ok()?;
        let d = yyyymmdd.get(6..8)?.parse().ok()?;
        if y < 1900 {
            return None;
        }
        NaiveDate::from_ymd_opt(y, m, d)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// For a PNS NIP: the embedded birth date.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        Self::date(&self.0[0..8])
    }

    /// For a PNS NIP: the embedded sex.
    pub fn sex(&self) -> Option<Sex> {
        match &self.0[14..15] {
            "1" => Some(Sex::Male),
            "2" => Some(Sex::Female),
            _ => None,
        }
    }
}

/// Why a name or title was refused: markup, or a first character a spreadsheet reads as a
/// formula (CSV/formula injection), besides the usual length and control characters.
fn plain_words(input: &str, max: usize) -> Result<String, &'static str> {
    if input.starts_with(['\t', '\r']) {
        return Err("name.err.formula");
    }
    let v = crate::app::form::clean_text(input, max)?;
    if v.contains(['<', '>']) {
        return Err("name.err.markup");
    }
    if v.starts_with(['=', '+', '-', '@']) {
        return Err("name.err.formula");
    }
    Ok(v)
}

/// A person's name (without titles): 1–200 characters of plain words, no markup, not starting
/// like a spreadsheet formula. Every edge that takes a name (form, import) builds it here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PersonName(String);

impl PersonName {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let v = plain_words(input, 200)?;
        if v.is_empty() {
            return Err("emp.err.name");
        }
        Ok(Self(v))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An academic or professional title before or after a name ("Dr.", "S.Kom., M.T."); may be
/// empty; the same refusals as a name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn parse(input: &str, max: usize) -> Result<Self, &'static str> {
        plain_words(input, max).map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An e-mail address (a plain, practical check: one `@`, a dotted domain, no spaces).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let v = input.trim().to_lowercase();
        let ok = v.len() <= 254
            && v.split('@').count() == 2
            && v.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && domain.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
            })
            && !v.chars().any(|c| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | ',' | ';'));
        if ok { Ok(Self(v)) } else { Err("emp.err.email") }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A phone number: digits with optional leading `+`, spaces or dashes; 8–15 digits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Phone(String);

impl Phone {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let v = input.trim();
        let digits = v.chars().filter(char::is_ascii_digit).count();
        let allowed =
            v.chars().enumerate().all(|(i, c)| c.is_ascii_digit() || matches!(c, ' ' | '-') || (c == '+' && i == 0));
        if allowed && (8..=15).contains(&digits) { Ok(Self(v.to_string())) } else { Err("emp.err.phone") }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A rank code from the official list that fits the status: PNS `III/a`…, PPPK `PPPK-IX`…
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RankCode(String);

pub const PNS_RANKS: [(&str, &str); 17] = [
    ("I/a", "Juru Muda"),
    ("I/b", "Juru Muda Tingkat I"),
    ("I/c", "Juru"),
    ("I/d", "Juru Tingkat I"),
    ("II/a", "Pengatur Muda"),
    ("II/b", "Pengatur Muda Tingkat I"),
    ("II/c", "Pengatur"),
    ("II/d", "Pengatur Tingkat I"),
    ("III/a", "Penata Muda"),
    ("III/b", "Penata Muda Tingkat I"),
    ("III/c", "Penata"),
    ("III/d", "Penata Tingkat I"),
    ("IV/a", "Pembina"),
    ("IV/b", "Pembina Tingkat I"),
    ("IV/c", "Pembina Utama Muda"),
    ("IV/d", "Pembina Utama Madya"),
    ("IV/e", "Pembina Utama"),
];
pub const PPPK_GRADES: [&str; 17] =
    ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII"];

impl RankCode {
    /// Accepts `III/a`, `iii/a`, `III/a Penata`, `Penata` (PNS) or `IX`, `PPPK-IX`, `IX` (PPPK).
    pub fn parse(input: &str, status: EmployeeStatus) -> Result<Self, &'static str> {
        let v = input.trim();
        match status {
            EmployeeStatus::Pns => {
                let head = v.split_whitespace().next().unwrap_or("");
                PNS_RANKS
                    .iter()
                    .find(|(code, title)| code.eq_ignore_ascii_case(head) || title.eq_ignore_ascii_case(v))
                    .map(|(code, _)| Self((*code).to_string()))
                    .ok_or("emp.err.rank")
            }
            EmployeeStatus::Pppk => {
                let g = ["PPPK-", "pppk-", "PPPK ", "pppk "].iter().fold(v, |acc, p| acc.trim_start_matches(p)).trim();
                PPPK_GRADES
                    .iter()
                    .find(|x| x.eq_ignore_ascii_case(g))
                    .map(|x| Self(format!("PPPK-{x}")))
                    .ok_or("emp.err.rank_pppk")
            }
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("date")
    }

    #[test]
    fn nip_of_a_pns() {
        let nip = Nip::parse("19860926 201505 1 001", EmployeeStatus::Pns, day()).expect("valid");
        assert_eq!(nip.as_str(), "198609262015051001");
        assert_eq!(nip.birth_date(), NaiveDate::from_ymd_opt(1986, 9, 26));
        assert_eq!(nip.sex(), Some(Sex::Male));
        assert_eq!(Nip::parse("19860926201505100", EmployeeStatus::Pns, day()), Err(NipError::Length));
        assert_eq!(Nip::parse("1986092620150510011", EmployeeStatus::Pns, day()), Err(NipError::Length));
        assert_eq!(Nip::parse("19860926201505100a", EmployeeStatus::Pns, day()), Err(NipError::Length));
        assert_eq!(Nip::parse("19860231201505 1001", EmployeeStatus::Pns, day()), Err(NipError::BirthDate));
        assert_eq!(Nip::parse("198609262015131001", EmployeeStatus::Pns, day()), Err(NipError::AppointmentDate));
        assert_eq!(Nip::parse("198609262015053001", EmployeeStatus::Pns, day()), Err(NipError::SexDigit));
        assert_eq!(Nip::parse("198609262000051001", EmployeeStatus::Pns, day()), Err(NipError::TooYoung));
        assert_eq!(Nip::parse("209909262015051001", EmployeeStatus::Pns, day()), Err(NipError::BirthFuture));
        assert_eq!(NipError::BirthFuture.key(), "nip.err.birth_future");
        assert_eq!(Nip::parse("' or 1=1 --", EmployeeStatus::Pns, day()), Err(NipError::Length));
    }

    #[test]
    fn names_and_titles_refuse_markup_and_formulas() {
        assert_eq!(PersonName::parse("  Siti Nurhaliza ").map(|n| n.0), Ok("Siti Nurhaliza".into()));
        assert_eq!(PersonName::parse("R. A. Kartini-Putri").map(|n| n.0), Ok("R. A. Kartini-Putri".into()));
        assert_eq!(PersonName::parse("O'Neil @ Bandung").map(|n| n.0), Ok("O'Neil @ Bandung".into()));
        for bad in ["<script>alert(1)</script>", "Budi <b>", "Ani>", "a<b"] {
            assert_eq!(PersonName::parse(bad), Err("name.err.markup"), "{bad}");
        }
        for bad in ["=HYPERLINK(\"x\")", "+62 Budi", "-Budi", "@SUM(A1)", "\t=1+1", "\rBudi", " =1"] {
            assert_eq!(PersonName::parse(bad), Err("name.err.formula"), "{bad:?}");
        }
        assert_eq!(PersonName::parse("   "), Err("emp.err.name"));
        assert_eq!(PersonName::parse(&"a".repeat(201)), Err("form.too_long"));
        assert_eq!(Title::parse("S.Kom., M.T.", 60).map(|t| t.0), Ok("S.Kom., M.T.".into()));
        assert_eq!(Title::parse("", 30).map(|t| t.0), Ok(String::new()));
        assert_eq!(Title::parse("<i>Dr.</i>", 30), Err("name.err.markup"));
        assert_eq!(Title::parse("=Dr.", 30), Err("name.err.formula"));
    }

    #[test]
    fn nip_of_a_pppk_is_only_18_digits() {
        assert!(Nip::parse("199001012023211001", EmployeeStatus::Pppk, day()).is_ok());
        assert!(Nip::parse("999999999999999999", EmployeeStatus::Pppk, day()).is_ok());
        assert_eq!(Nip::parse("12345", EmployeeStatus::Pppk, day()), Err(NipError::Length));
    }

    #[test]
    fn email_phone_rank() {
        assert_eq!(Email::parse(" Budi@BandungKab.go.id ").map(|e| e.0), Ok("budi@bandungkab.go.id".into()));
        for bad in ["budi", "budi@", "@x.id", "a@b", "a b@c.id", "<script>@x.id", "a@b@c.id", "a@.id"] {
            assert!(Email::parse(bad).is_err(), "{bad}");
        }
        assert!(Phone::parse("0812-3456-7890").is_ok());
        assert!(Phone::parse("+62 812 3456 7890").is_ok());
        assert!(Phone::parse("12345").is_err());
        assert!(Phone::parse("0812abc4567").is_err());
        assert_eq!(RankCode::parse("iii/a", EmployeeStatus::Pns).map(|r| r.0), Ok("III/a".into()));
        assert_eq!(RankCode::parse("Penata Muda", EmployeeStatus::Pns).map(|r| r.0), Ok("III/a".into()));
        assert_eq!(RankCode::parse("IV/e Pembina Utama", EmployeeStatus::Pns).map(|r| r.0), Ok("IV/e".into()));
        assert!(RankCode::parse("V/a", EmployeeStatus::Pns).is_err());
        assert_eq!(RankCode::parse("ix", EmployeeStatus::Pppk).map(|r| r.0), Ok("PPPK-IX".into()));
        assert!(RankCode::parse("III/a", EmployeeStatus::Pppk).is_err());
        assert!(RankCode::parse("XVIII", EmployeeStatus::Pppk).is_err());
    }

    #[test]
    fn enums_round_trip() {
        for s in EmployeeStatus::ALL {
            assert_eq!(EmployeeStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(EducationLevel::parse("S1"), Some(EducationLevel::S1));
        assert_eq!(Sex::parse("X"), None);
    }
}
