//! Competency newtypes: the five proficiency levels, kinds, areas, priorities, codes.

use crate::str_enum;

/// A proficiency level 1–5 (PermenPANRB 38/2017): 1 Paham, 2 Dasar, 3 Menengah, 4 Mumpuni, 5 Ahli.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Level(u8);

impl Level {
    pub const ALL: [Level; 5] = [Level(1), Level(2), Level(3), Level(4), Level(5)];

    pub fn new(n: i64) -> Option<Self> {
        (1..=5).contains(&n).then_some(Self(n as u8))
    }

    /// Only the whole numbers 1 to 5: `4.5`, `2,9`, `1e3`, `4 ` + text are not levels.
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let t = s.trim();
        if t.len() != 1 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err("level.err");
        }
        t.parse::<i64>().ok().and_then(Self::new).ok_or("level.err")
    }

    pub fn get(self) -> i16 {
        i16::from(self.0)
    }

    pub fn name_key(self) -> &'static str {
        match self.0 {
            1 => "level.1",
            2 => "level.2",
            3 => "level.3",
            4 => "level.4",
            _ => "level.5",
        }
    }
}

str_enum!(CompetencyKind {
    Teknis => "teknis", "comp.kind.teknis",
    Manajerial => "manajerial", "comp.kind.manajerial",
    SosialKultural => "sosial_kultural", "comp.kind.sosial_kultural",
});

str_enum!(Area {
    Infrastruktur => "infrastruktur", "comp.area.infrastruktur",
    Keamanan => "keamanan", "comp.area.keamanan",
    Aplikasi => "aplikasi", "comp.area.aplikasi",
    Data => "data", "comp.area.data",
    Spbe => "spbe", "comp.area.spbe",
    TataKelola => "tata_kelola", "comp.area.tata_kelola",
    Komunikasi => "komunikasi", "comp.area.komunikasi",
    Umum => "umum", "comp.area.umum",
});

str_enum!(Priority {
    Critical => "critical", "prio.critical",
    Important => "important", "prio.important",
    Useful => "useful", "prio.useful",
});

/// A catalog code: upper-case letters, digits, dots and dashes, 2–20 characters (e.g. `TIK-SEC-01`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompetencyCode(String);

impl CompetencyCode {
    pub fn parse(input: &str) -> Result<Self, &'static str> {
        let v = input.trim().to_uppercase();
        let ok = (2..=20).contains(&v.len())
            && v.chars().next().is_some_and(|c| c.is_ascii_alphanumeric())
            && v.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || matches!(c, '.' | '-'));
        if ok { Ok(Self(v)) } else { Err("comp.err.code") }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_are_one_to_five() {
        assert_eq!(Level::parse("3").map(Level::get), Ok(3));
        assert_eq!(Level::parse(" 4 ").map(Level::get), Ok(4));
        for bad in ["4.5", "2,9", "1e3", "4 - Mumpuni", "04", "+3", "3.0"] {
            assert!(Level::parse(bad).is_err(), "{bad}");
        }
        for bad in ["0", "6", "-1", "", "tiga", "99999999999999999999"] {
            assert!(Level::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(Level::new(5).map(Level::name_key), Some("level.5"));
        assert!(Level::new(0).is_none());
    }

    #[test]
    fn codes_and_enums() {
        assert_eq!(CompetencyCode::parse(" tik-sec-01 ").map(|c| c.0), Ok("TIK-SEC-01".into()));
        assert!(CompetencyCode::parse("X").is_err());
        assert!(CompetencyCode::parse("A B").is_err());
        assert!(CompetencyCode::parse("-AB").is_err());
        assert_eq!(Area::parse("keamanan"), Some(Area::Keamanan));
        assert_eq!(Priority::parse("critical"), Some(Priority::Critical));
        assert_eq!(CompetencyKind::parse("nope"), None);
    }
}
