//! Numbers as people write them: one formatter for every page, chart, PDF and spreadsheet label.
//! Indonesian: thousands dot, decimal comma ("1.250,5"); English: thousands comma, decimal point
//! ("1,250.5").

use crate::i18n::Lang;

/// `v` with exactly `decimals` decimals, digits grouped by thousands, in `lang`'s marks.
pub fn fixed(v: f64, decimals: usize, lang: Lang) -> String {
    let v = if v.is_finite() { v } else { 0.0 };
    let s = format!("{:.*}", decimals, v.abs());
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    let (group, point) = if lang.is_en() { (',', '.') } else { ('.', ',') };
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    // "-0,0" reads as nonsense: a figure that rounds to zero has no sign.
    if v < 0.0 && out.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.insert(0, '-');
    }
    out
}

/// A figure with one decimal at most, the decimal left out when it is zero ("20", "2,5").
pub fn figure(v: f64, lang: Lang) -> String {
    let r = (v * 10.0).round() / 10.0;
    fixed(r, if r.fract() == 0.0 { 0 } else { 1 }, lang)
}

/// A whole number, grouped ("1.250").
pub fn whole(v: i64, lang: Lang) -> String {
    fixed(v as f64, 0, lang)
}

/// A share as a percentage with at most one decimal ("33,3 %" / "33.3%").
pub fn percent(share: f64, lang: Lang) -> String {
    let p = figure(share * 100.0, lang);
    if lang.is_en() { format!("{p}%") } else { format!("{p} %") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_group_and_mark_decimals() {
        assert_eq!(fixed(1250.5, 1, Lang::Id), "1.250,5");
        assert_eq!(fixed(1250.5, 1, Lang::En), "1,250.5");
        assert_eq!(fixed(208.0, 1, Lang::Id), "208,0");
        assert_eq!(fixed(3.844, 2, Lang::Id), "3,84");
        assert_eq!(fixed(3.844, 2, Lang::En), "3.84");
        assert_eq!(fixed(1_234_567.0, 0, Lang::Id), "1.234.567");
        assert_eq!(fixed(-0.01, 1, Lang::Id), "0,0");
        assert_eq!(fixed(-1500.0, 0, Lang::Id), "-1.500");
        assert_eq!(fixed(f64::NAN, 1, Lang::Id), "0,0");
        assert_eq!(figure(20.0, Lang::Id), "20");
        assert_eq!(figure(6.55, Lang::Id), "6,6");
        assert_eq!(figure(1999.96, Lang::En), "2,000");
        assert_eq!(whole(124, Lang::Id), "124");
        assert_eq!(percent(0.333, Lang::Id), "33,3 %");
        assert_eq!(percent(0.5, Lang::En), "50%");
    }
}
