//! The closed values and checked numbers of competency development: forms of training, SIASN
//! types, statuses, JP and rupiah amounts. Built only through their parsers.

use crate::str_enum;

str_enum!(ProviderKind {
    University => "university", "prov.kind.university",
    Vendor => "vendor", "prov.kind.vendor",
    LanBpsdm => "lan_bpsdm", "prov.kind.lan_bpsdm",
    Ministry => "ministry", "prov.kind.ministry",
    ProfessionalBody => "professional_body", "prov.kind.professional_body",
    Other => "other", "prov.kind.other",
});

str_enum!(TrainingForm {
    Teknis => "teknis", "tform.teknis",
    Fungsional => "fungsional", "tform.fungsional",
    Manajerial => "manajerial", "tform.manajerial",
    Struktural => "struktural", "tform.struktural",
    Workshop => "workshop", "tform.workshop",
    Seminar => "seminar", "tform.seminar",
    Kursus => "kursus", "tform.kursus",
    Bimtek => "bimtek", "tform.bimtek",
    Sosialisasi => "sosialisasi", "tform.sosialisasi",
    Sertifikasi => "sertifikasi", "tform.sertifikasi",
    ELearning => "e_learning", "tform.e_learning",
    Pjj => "pjj", "tform.pjj",
    Penataran => "penataran", "tform.penataran",
    TugasBelajar => "tugas_belajar", "tform.tugas_belajar",
    Lainnya => "lainnya", "tform.lainnya",
});

impl TrainingForm {
    /// The SIASN `jenisDiklatId` a training of this form usually is (the form offers it first).
    pub fn default_jenis(self) -> i16 {
        match self {
            Self::Struktural => 1,
            Self::Fungsional => 2,
            Self::Teknis => 3,
            Self::Workshop => 4,
            Self::Manajerial => 5,
            Self::Sosialisasi => 7,
            Self::Bimtek => 8,
            Self::Seminar => 9,
            Self::Kursus | Self::Sertifikasi => 11,
            Self::Penataran => 12,
            Self::ELearning => 16,
            Self::Pjj => 17,
            Self::TugasBelajar | Self::Lainnya => 13,
        }
    }
}

/// SIASN `jenisDiklatId` 1–25 with its name (the names are SIASN's own, in Indonesian).
pub const JENIS_DIKLAT: [(i16, &str); 25] = [
    (1, "Struktural"),
    (2, "Fungsional"),
    (3, "Teknis"),
    (4, "Workshop"),
    (5, "Manajerial"),
    (6, "Sosial Kultural"),
    (7, "Sosialisasi"),
    (8, "Bimbingan Teknis"),
    (9, "Seminar"),
    (10, "Magang"),
    (11, "Kursus"),
    (12, "Penataran"),
    (13, "Klasikal lainnya"),
    (14, "Coaching"),
    (15, "Mentoring"),
    (16, "E-Learning"),
    (17, "Pelatihan Jarak Jauh"),
    (18, "Detasering (Secondment)"),
    (19, "Outbound"),
    (20, "Benchmarking"),
    (21, "Pertukaran PNS dengan Swasta"),
    (22, "Belajar Mandiri"),
    (23, "Komunitas Belajar"),
    (24, "Bimbingan di Tempat Kerja"),
    (25, "Nonklasikal lainnya"),
];

/// The SIASN name of a `jenisDiklatId`.
pub fn jenis_name(id: i16) -> &'static str {
    JENIS_DIKLAT.iter().find(|(i, _)| *i == id).map(|(_, n)| *n).unwrap_or("")
}

str_enum!(TrainingStatus {
    Planned => "planned", "tstatus.planned",
    Open => "open", "tstatus.open",
    Running => "running", "tstatus.running",
    Completed => "completed", "tstatus.completed",
    Cancelled => "cancelled", "tstatus.cancelled",
});

str_enum!(ParticipantStatus {
    Nominated => "nominated", "pstatus.nominated",
    Approved => "approved", "pstatus.approved",
    Rejected => "rejected", "pstatus.rejected",
    Attended => "attended", "pstatus.attended",
    Passed => "passed", "pstatus.passed",
    Failed => "failed", "pstatus.failed",
    Absent => "absent", "pstatus.absent",
});

impl ParticipantStatus {
    /// The outcomes recorded once the training runs.
    pub const RESULTS: &'static [ParticipantStatus] =
        &[ParticipantStatus::Attended, ParticipantStatus::Passed, ParticipantStatus::Failed, ParticipantStatus::Absent];

    /// Took part, so owes an evaluation once the training is completed.
    pub fn took_part(self) -> bool {
        matches!(self, Self::Attended | Self::Passed | Self::Failed)
    }
}

str_enum!(RequestStatus {
    Pending => "pending", "rstatus.pending",
    Approved => "approved", "rstatus.approved",
    Rejected => "rejected", "rstatus.rejected",
    Scheduled => "scheduled", "rstatus.scheduled",
});

str_enum!(ActivityKind {
    Coaching => "coaching", "akind.coaching",
    Mentoring => "mentoring", "akind.mentoring",
    BelajarMandiri => "belajar_mandiri", "akind.belajar_mandiri",
    KomunitasBelajar => "komunitas_belajar", "akind.komunitas_belajar",
    BimbinganKerja => "bimbingan_kerja", "akind.bimbingan_kerja",
    Magang => "magang", "akind.magang",
    Detasering => "detasering", "akind.detasering",
    Benchmarking => "benchmarking", "akind.benchmarking",
    ELearning => "e_learning", "akind.e_learning",
    Pertukaran => "pertukaran", "akind.pertukaran",
});

impl ActivityKind {
    /// Its SIASN `jenisDiklatId` (informal activities go to SIASN as kursus of this type).
    pub fn jenis(self) -> i16 {
        match self {
            Self::Coaching => 14,
            Self::Mentoring => 15,
            Self::BelajarMandiri => 22,
            Self::KomunitasBelajar => 23,
            Self::BimbinganKerja => 24,
            Self::Magang => 10,
            Self::Detasering => 18,
            Self::Benchmarking => 20,
            Self::ELearning => 16,
            Self::Pertukaran => 21,
        }
    }

    /// Whether a mentor or coach leads it (the form asks for one).
    pub fn has_mentor(self) -> bool {
        matches!(self, Self::Coaching | Self::Mentoring | Self::BimbinganKerja)
    }
}

str_enum!(ActivityStatus {
    Pending => "pending", "astatus.pending",
    Confirmed => "confirmed", "astatus.confirmed",
    Rejected => "rejected", "astatus.rejected",
});

// Which rule produced a JP figure (the `rule` column of `activity_jp` and `training_jp`).
str_enum!(JpRuleApplied {
    Minutes => "minutes", "jprule.minutes",
    SessionCap => "session_cap", "jprule.session_cap",
    MonthCap => "month_cap", "jprule.month_cap",
    DayCap => "day_cap", "jprule.day_cap",
    Fixed => "fixed", "jprule.fixed",
    Training => "training", "jprule.training",
    Credited => "credited", "jprule.credited",
});

/// A number of JP (jam pelajaran): positive, at most 2000, one decimal ("2,5" or "2.5"). The
/// bounds are checked on the figure as stored (rounded to one decimal), so "0,04", which would be
/// stored as 0, is refused here rather than by the database's `check (jp > 0)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Jp(f64);

impl Jp {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let jp = Self::parse_zero(s)?;
        if jp.0 > 0.0 { Ok(jp) } else { Err("dev.err.jp") }
    }

    /// Zero allowed (a participant credited no JP): "0,04" is 0.
    pub fn parse_zero(s: &str) -> Result<Self, &'static str> {
        let v = parse_decimal(s).ok_or("dev.err.jp")?;
        let stored = (v * 10.0).round() / 10.0;
        if !(0.0..=2000.0).contains(&stored) {
            return Err("dev.err.jp");
        }
        Ok(Self(stored))
    }

    pub fn get(self) -> f64 {
        self.0
    }
}

/// A decimal typed the Indonesian or the English way, without thousands separators.
fn parse_decimal(s: &str) -> Option<f64> {
    let t = s.trim().replace(',', ".");
    if t.is_empty() || t.len() > 12 || !t.chars().all(|c| c.is_ascii_digit() || c == '.') || t.matches('.').count() > 1
    {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A rupiah amount: whole rupiah, not negative, below a trillion. "Rp1.250.000", "1.250.000"
/// and "1250000" are the same; a decimal comma is refused rather than guessed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rupiah(i64);

impl Rupiah {
    pub fn parse(s: &str) -> Result<Self, &'static str> {
        let t = s.trim();
        let t = t.strip_prefix("Rp").or_else(|| t.strip_prefix("rp")).or_else(|| t.strip_prefix("RP")).unwrap_or(t);
        let t = t.trim();
        if t.starts_with('-') {
            return Err("dev.err.negative");
        }
        if t.is_empty() {
            return Err("dev.err.money");
        }
        // Thousands separators: dots (or spaces) in groups of three.
        let groups: Vec<&str> = t.split(['.', ' ']).collect();
        let grouped = groups.len() > 1;
        if grouped && (groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3)) {
            return Err("dev.err.money");
        }
        let digits: String = groups.concat();
        if digits.is_empty() || digits.len() > 12 || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err("dev.err.money");
        }
        digits.parse::<i64>().map(Self).map_err(|_| "dev.err.money")
    }

    pub fn get(self) -> i64 {
        self.0
    }
}

/// "Rp1.250.000" (the same in both languages, as Indonesian documents write it).
pub fn rupiah(v: i64) -> String {
    let digits = v.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('.');
        }
        out.push(c);
    }
    if v < 0 { format!("-Rp{out}") } else { format!("Rp{out}") }
}

/// A JP figure as people write it: "2", "2,5" (Indonesian) or "2.5" (English).
/// A JP figure for a form field or a machine-read file: one decimal at most, a decimal point and
/// no grouping ("1500", "2.5"), which every parser here reads back.
pub fn jp_plain(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 { format!("{r:.0}") } else { format!("{r:.1}") }
}

pub fn jp_text(v: f64, en: bool) -> String {
    crate::app::num::figure(v, if en { crate::i18n::Lang::En } else { crate::i18n::Lang::Id })
}

/// A score 1–5 from a form.
pub fn rating(s: &str) -> Option<i16> {
    s.trim().parse::<i16>().ok().filter(|v| (1..=5).contains(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupiah_is_parsed_without_guessing() {
        assert_eq!(Rupiah::parse("Rp1.250.000").map(Rupiah::get), Ok(1_250_000));
        assert_eq!(Rupiah::parse("1250000").map(Rupiah::get), Ok(1_250_000));
        assert_eq!(Rupiah::parse(" 0 ").map(Rupiah::get), Ok(0));
        assert_eq!(Rupiah::parse("-5"), Err("dev.err.negative"));
        assert!(Rupiah::parse("1.25").is_err(), "not a group of three");
        assert!(Rupiah::parse("1,5").is_err());
        assert!(Rupiah::parse("").is_err());
        assert_eq!(rupiah(1_250_000), "Rp1.250.000");
        assert_eq!(rupiah(0), "Rp0");
        assert_eq!(rupiah(999), "Rp999");
    }

    #[test]
    fn jp_takes_either_decimal_mark() {
        assert_eq!(Jp::parse("2,5").map(Jp::get), Ok(2.5));
        assert_eq!(Jp::parse("2.5").map(Jp::get), Ok(2.5));
        assert!(Jp::parse("0").is_err());
        assert_eq!(Jp::parse_zero("0").map(Jp::get), Ok(0.0));
        assert!(Jp::parse("-1").is_err());
        assert!(Jp::parse("1e3").is_err());
        assert!(Jp::parse("2001").is_err());
        // Checked as stored, one decimal: "0,04" would be 0 (and break `check (jp > 0)`).
        assert_eq!(Jp::parse("0,04"), Err("dev.err.jp"));
        assert_eq!(Jp::parse("0,06").map(Jp::get), Ok(0.1));
        assert_eq!(Jp::parse_zero("0,04").map(Jp::get), Ok(0.0));
        assert_eq!(Jp::parse("2000,04").map(Jp::get), Ok(2000.0));
        assert!(Jp::parse("2000,06").is_err());
        assert_eq!(jp_text(2.5, false), "2,5");
        assert_eq!(jp_text(20.0, true), "20");
    }

    #[test]
    fn every_form_maps_to_a_siasn_type() {
        for f in TrainingForm::ALL {
            assert!(!jenis_name(f.default_jenis()).is_empty());
        }
        for k in ActivityKind::ALL {
            assert!(!jenis_name(k.jenis()).is_empty());
        }
    }
}
