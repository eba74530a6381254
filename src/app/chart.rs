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

/// A horizontal bar chart. `id` makes the title/description ids unique on the page.
pub fn bars(id: &str, title: &str, bars: &[Bar], max: f64) -> String {
    let row = 28.0;
    let label_w = 260.0;
    let bar_w = 360.0;
    let height = row * bars.len().max(1) as f64 + 8.0;
    let desc: Vec<String> = bars.iter().map(|b| format!("{}: {}", b.label, b.text)).collect();
    let mut out = format!(
        "<svg class=\"chart\" role=\"img\" viewBox=\"0 0 {w} {height}\" width=\"100%\" aria-labelledby=\"{id}-t {id}-d\" xmlns=\"http://www.w3.org/2000/svg\"><title id=\"{id}-t\">{t}</title><desc id=\"{id}-d\">{d}</desc>",
        w = label_w + bar_w + 90.0,
        t = esc(title),
        d = esc(&desc.join("; ")),
    );
    for (i, b) in bars.iter().enumerate() {
        let y = 4.0 + i as f64 * row;
        let len = if max > 0.0 { (b.value / max).clamp(0.0, 1.0) * bar_w } else { 0.0 };
        let label: String = b.label.chars().take(40).collect();
        out.push_str(&format!(
            "<text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" class=\"chart-label\">{l}</text><rect x=\"{bx}\" y=\"{y}\" width=\"{bar_w}\" height=\"18\" class=\"chart-track\"/><rect x=\"{bx}\" y=\"{y}\" width=\"{len:.1}\" height=\"18\" class=\"chart-bar\"/><text x=\"{vx}\" y=\"{ty}\" class=\"chart-value\">{v}</text>",
            lx = label_w - 8.0,
            ty = y + 14.0,
            l = esc(&label),
            bx = label_w,
            vx = label_w + bar_w + 8.0,
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
        assert!(svg.contains("width=\"180.0\""), "half of the bar");
    }
}
