//! The summary's charts (SVG): readiness by unit and the top gaps.

use super::*;

/// The summary's two charts: readiness of each part, and the largest gaps.
pub(super) fn summary_charts(
    parts: &[UnitReadiness],
    top: &[CompetencyGap],
    titles: (&str, &str),
    lang: crate::i18n::Lang,
) -> (String, String) {
    let readiness_chart = chart::bars(
        "readiness",
        titles.0,
        &parts
            .iter()
            .skip(1)
            .map(|p| Bar {
                label: p.name.clone(),
                value: p.readiness().unwrap_or(0.0),
                text: percent_or_dash(p.percent()),
            })
            .collect::<Vec<_>>(),
        1.0,
    );
    let max = top.first().map(|t| t.weighted).unwrap_or(1.0);
    let gaps_chart = chart::bars(
        "topgaps",
        titles.1,
        &top.iter()
            .map(|t| Bar {
                label: format!("{} {}", t.code, t.name),
                value: t.weighted,
                text: crate::app::num::fixed(t.weighted, 1, lang),
            })
            .collect::<Vec<_>>(),
        max,
    );
    (readiness_chart, gaps_chart)
}
