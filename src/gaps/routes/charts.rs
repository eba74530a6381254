//! The summary's charts (SVG): readiness by unit and the top gaps.

use super::*;

/// The summary's two charts: readiness of each part, and the largest gaps.
/// The summary charts' titles in the reader's language.
#[derive(Clone, Copy)]
pub struct ChartTitles {
    readiness: &'static str,
    /// "… the {n} least ready of {total}", for a unit with more than `PARTS_SHOWN` parts.
    least: &'static str,
    top: &'static str,
}

impl ChartTitles {
    pub fn of(t: impl Fn(&str) -> &'static str) -> Self {
        Self { readiness: t("gap.chart.readiness"), least: t("gap.chart.readiness_least"), top: t("gap.chart.top") }
    }
}

/// The readiness chart of the parts `shown_parts` picks (the least ready, where there are many),
/// and the top gaps' chart.
pub(super) fn summary_charts(
    parts: &[UnitReadiness],
    top: &[CompetencyGap],
    titles: ChartTitles,
    lang: crate::i18n::Lang,
) -> (String, String) {
    let shown = shown_parts(parts);
    let title = if shown.len() + 1 < parts.len() {
        titles.least.replace("{n}", &shown.len().to_string()).replace("{total}", &(parts.len() - 1).to_string())
    } else {
        titles.readiness.to_string()
    };
    let readiness_chart = chart::bars(
        "readiness",
        &title,
        &shown
            .iter()
            .map(|&i| &parts[i])
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
        titles.top,
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
