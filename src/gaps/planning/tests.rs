use super::gap_text;
use crate::i18n::Lang;

/// A plan not proven never reads "0,0 %" from the optimum: its gap is rounded up.
#[test]
fn a_gap_is_rounded_up() {
    assert_eq!(gap_text(0.00004, Lang::Id), "0,1");
    assert_eq!(gap_text(0.0, Lang::En), "0.1");
    assert_eq!(gap_text(0.0123, Lang::En), "1.3");
    assert_eq!(gap_text(0.012, Lang::En), "1.2");
    assert_eq!(gap_text(0.25, Lang::Id), "25,0");
}
