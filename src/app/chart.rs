//! Server-rendered SVG charts (no script, no CDN). Each chart carries its own text alternative:
//! a title and a description listing every value, and the pages show the same figures as a table.

/// Escape text for SVG/XML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// One bar: its label, its value (0..=max) and the value as text.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

/// A horizontal bar chart. `id` makes the title/description ids unique on the page. Each label
/// stands on its own line above its bar, from the left edge, so a long unit or competency name is
/// never cut at its start (the drawing scales with the page; the labels stay whole on a phone).
pub fn bars(id: &str, title: &str, bars: &[Bar], max: f64) -> String {
    let row = 44.0;
    let width = 560.0;
    let bar_w = 470.0;
    let height = row * bars.len().max(1) as f64 + 4.0;
    let desc: Vec<String> = bars.iter().map(|b| format!("{}: {}", b.label, b.text)).collect();
    let mut out = format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {width} {height}\" width=\"100%\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{t}</title><desc id=\"{id}-d\">{d}</desc>",
        t = esc(title),
        d = esc(&desc.join("; ")),
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 2.0 + i as f64 * row;
        let len = if max > 0.0 { (b.value / max).clamp(0.0, 1.0) * bar_w } else { 0.0 };
        // At 13 px a character is 7 px wide at most on average: 78 of them fill the width.
        let label: String = if b.label.chars().count() > 78 {
            b.label.chars().take(77).chain(std::iter::once('…')).collect()
        } else {
            b.label.clone()
        };
        out.push_str(&format!(
            "<text x=\"0\" y=\"{ly}\" class=\"chart-label\">{l}</text><rect x=\"0\" y=\"{by}\" width=\"{bar_w}\" height=\"16\" class=\"chart-track\"/><rect x=\"0\" y=\"{by}\" width=\"{len:.1}\" height=\"16\" class=\"chart-bar\"/><text x=\"{vx}\" y=\"{vy}\" class=\"chart-value\">{v}</text>",
            ly = y + 13.0,
            by = y + 19.0,
            vy = y + 32.0,
            l = esc(&label),
            vx = bar_w + 8.0,
            v = esc(&b.text),
        ));
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_escaped_and_values_described() {
        let svg = bars("x", "Kesiapan <unit>", &[Bar { label: "A & B".into(), value: 0.5, text: "50%".into() }], 1.0);
        assert!(svg.contains("A &amp; B") && svg.contains("Kesiapan &lt;unit&gt;"));
        assert!(svg.contains("<desc id=\"x-d\">A &amp; B: 50%</desc>"));
        assert!(svg.contains("width=\"235.0\""), "half of the bar");
        assert!(
            svg.contains("<text x=\"0\" y=\"15\" class=\"chart-label\">A &amp; B</text>"),
            "the label from the left edge: {svg}"
        );
    }
}
