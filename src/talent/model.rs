//! The talent map's closed values: SKP 2022 ratings against expectation and the predicate.

use crate::str_enum;

str_enum!(Expectation {
    Above => "above", "tal.exp.above",
    AsExpected => "as_expected", "tal.exp.as_expected",
    Below => "below", "tal.exp.below",
});

str_enum!(Predicate {
    SangatBaik => "sangat_baik", "tal.pred.sangat_baik",
    Baik => "baik", "tal.pred.baik",
    ButuhPerbaikan => "butuh_perbaikan", "tal.pred.butuh_perbaikan",
    Kurang => "kurang", "tal.pred.kurang",
    SangatKurang => "sangat_kurang", "tal.pred.sangat_kurang",
});

impl Expectation {
    /// As written in an SKP or a spreadsheet: "Di atas ekspektasi", "sesuai", "Below expectations"…
    pub fn read(s: &str) -> Option<Self> {
        let n = crate::imports::file::normalise(s);
        match n.as_str() {
            "above" | "diatas" | "diatasekspektasi" | "aboveexpectation" | "aboveexpectations" => Some(Self::Above),
            "asexpected" | "sesuai" | "sesuaiekspektasi" | "meetsexpectation" | "meetsexpectations" => {
                Some(Self::AsExpected)
            }
            "below" | "dibawah" | "dibawahekspektasi" | "belowexpectation" | "belowexpectations" => Some(Self::Below),
            _ => Self::parse(s),
        }
    }
}

impl Predicate {
    /// As written: "Sangat Baik", "Kurang/Misconduct", "Needs improvement"…
    pub fn read(s: &str) -> Option<Self> {
        let n = crate::imports::file::normalise(s);
        match n.as_str() {
            "sangatbaik" | "excellent" | "outstanding" => Some(Self::SangatBaik),
            "baik" | "good" => Some(Self::Baik),
            "butuhperbaikan" | "needsimprovement" => Some(Self::ButuhPerbaikan),
            "kurang" | "kurangmisconduct" | "poor" | "misconduct" => Some(Self::Kurang),
            "sangatkurang" | "verypoor" => Some(Self::SangatKurang),
            _ => Self::parse(s),
        }
    }

    /// The predicate of a rating pair (PermenPANRB 6/2022, the matrix of hasil kerja against
    /// perilaku kerja): behaviour below expectation is Kurang (Misconduct) whatever the results,
    /// Sangat Kurang when both are below; results below expectation need improvement; both above
    /// is Sangat Baik; the rest Baik.
    pub fn of(hasil: Expectation, perilaku: Expectation) -> Self {
        use Expectation::*;
        match (hasil, perilaku) {
            (Below, Below) => Self::SangatKurang,
            (_, Below) => Self::Kurang,
            (Below, _) => Self::ButuhPerbaikan,
            (Above, Above) => Self::SangatBaik,
            _ => Self::Baik,
        }
    }
}

/// The box of a performance band and a potential band (1 low, 2 middle, 3 high), PermenPANRB 3/2020.
pub fn box_of(perf: i16, pot: i16) -> Option<i16> {
    const BOX: [i16; 9] = [1, 2, 4, 3, 5, 7, 6, 8, 9];
    if !(1..=3).contains(&perf) || !(1..=3).contains(&pot) {
        return None;
    }
    BOX.get(((perf - 1) * 3 + (pot - 1)) as usize).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_predicate_follows_the_skp_matrix() {
        use Expectation::*;
        assert_eq!(Predicate::of(Above, Above), Predicate::SangatBaik);
        assert_eq!(Predicate::of(Above, AsExpected), Predicate::Baik);
        assert_eq!(Predicate::of(AsExpected, Above), Predicate::Baik);
        assert_eq!(Predicate::of(AsExpected, AsExpected), Predicate::Baik);
        assert_eq!(Predicate::of(Below, Above), Predicate::ButuhPerbaikan);
        assert_eq!(Predicate::of(Below, AsExpected), Predicate::ButuhPerbaikan);
        assert_eq!(Predicate::of(Above, Below), Predicate::Kurang);
        assert_eq!(Predicate::of(Below, Below), Predicate::SangatKurang);
        assert_eq!(Expectation::read("Di atas ekspektasi"), Some(Above));
        assert_eq!(Predicate::read("Kurang/Misconduct"), Some(Predicate::Kurang));
        assert_eq!(Predicate::read("Luar biasa"), None);
    }

    #[test]
    fn boxes_run_from_low_low_to_high_high() {
        assert_eq!(box_of(1, 1), Some(1));
        assert_eq!(box_of(1, 3), Some(4));
        assert_eq!(box_of(2, 1), Some(3));
        assert_eq!(box_of(3, 1), Some(6));
        assert_eq!(box_of(2, 3), Some(7));
        assert_eq!(box_of(3, 3), Some(9));
        assert_eq!(box_of(0, 3), None);
    }
}
