//! Real PDF reports without a PDF engine: A4 pages with the agency's name and the date at the top,
//! "page n of m" at the foot, headings, paragraphs and tables that break across pages (the header
//! row repeated). Text is set in the PDF's standard Helvetica (no font file to embed, text stays
//! selectable and searchable), encoded as WinAnsi, which covers Indonesian and English.
//!
//! Why hand-written: the reports are text and tables; a PDF crate with layout (or a headless
//! browser) would add megabytes and minutes of build for what ~300 lines do here.

use std::fmt::Write as _;

/// Widths of Helvetica's printable ASCII characters (32..=126), in 1/1000 of the font size.
const WIDTHS: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556,
    556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833,
    722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556,
    556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334,
    260, 334, 584,
];

/// A part of a report.
pub enum Block {
    Heading(String),
    Para(String),
    /// Column headers, relative column widths, rows.
    Table {
        headers: Vec<String>,
        widths: Vec<f64>,
        rows: Vec<Vec<String>>,
    },
}

/// What every page carries.
pub struct Meta {
    pub title: String,
    pub agency: String,
    pub date: String,
    /// "Halaman {n} dari {m}" / "Page {n} of {m}".
    pub page_label: String,
    pub landscape: bool,
}

/// One character in WinAnsi (the encoding of the standard fonts); what it cannot show becomes
/// the nearest plain form.
fn ansi(c: char) -> Vec<u8> {
    match c {
        ' '..='~' => vec![c as u8],
        '\u{a0}'..='\u{ff}' => vec![c as u32 as u8],
        '–' => vec![0x96],
        '—' => vec![0x97],
        '•' => vec![0x95],
        '‘' => vec![0x91],
        '’' => vec![0x92],
        '“' => vec![0x93],
        '”' => vec![0x94],
        '…' => vec![0x85],
        '›' => vec![0x9b],
        '‹' => vec![0x8b],
        '€' => vec![0x80],
        '→' => b"->".to_vec(),
        '≤' => b"<=".to_vec(),
        '≥' => b">=".to_vec(),
        '✔' => b"v".to_vec(),
        '\n' | '\t' => vec![b' '],
        _ => vec![b'?'],
    }
}

fn width_of(b: u8) -> f64 {
    match b {
        32..=126 => f64::from(WIDTHS[(b - 32) as usize]),
        0x96 => 556.0,
        0x97 => 1000.0,
        0x85 => 1000.0,
        _ => 556.0,
    }
}

/// The width of a text at a font size, in points.
fn measure(text: &[u8], size: f64, bold: bool) -> f64 {
    let w: f64 = text.iter().map(|b| width_of(*b)).sum::<f64>() * size / 1000.0;
    if bold { w * 1.06 } else { w }
}

/// Encode and break a text into lines that fit `width`.
fn wrap(text: &str, width: f64, size: f64, bold: bool) -> Vec<Vec<u8>> {
    let mut lines = vec![];
    for para in text.split('\n') {
        let mut line: Vec<u8> = vec![];
        for word in para.split(' ') {
            let w: Vec<u8> = word.chars().flat_map(ansi).collect();
            let candidate = if line.is_empty() { w.clone() } else { [line.clone(), vec![b' '], w.clone()].concat() };
            if measure(&candidate, size, bold) <= width || line.is_empty() {
                // A single word longer than the column is cut where it must be.
                if measure(&candidate, size, bold) > width && line.is_empty() {
                    let mut part = vec![];
                    for b in w {
                        if measure(&[part.clone(), vec![b]].concat(), size, bold) > width && !part.is_empty() {
                            lines.push(std::mem::take(&mut part));
                        }
                        part.push(b);
                    }
                    line = part;
                } else {
                    line = candidate;
                }
            } else {
                lines.push(std::mem::replace(&mut line, w));
            }
        }
        lines.push(line);
    }
    lines
}

/// A PDF string literal.
fn lit(bytes: &[u8]) -> String {
    let mut s = String::from("(");
    for b in bytes {
        match b {
            b'(' | b')' | b'\\' => {
                s.push('\\');
                s.push(*b as char);
            }
            32..=126 => s.push(*b as char),
            _ => {
                let _ = write!(s, "\\{:03o}", b);
            }
        }
    }
    s.push(')');
    s
}

struct Layout {
    w: f64,
    h: f64,
    margin: f64,
    pages: Vec<String>,
    y: f64,
}

impl Layout {
    fn new(landscape: bool) -> Self {
        let (w, h) = if landscape { (842.0, 595.0) } else { (595.0, 842.0) };
        let mut l = Self { w, h, margin: 40.0, pages: vec![], y: 0.0 };
        l.page();
        l
    }

    fn page(&mut self) {
        self.pages.push(String::new());
        self.y = self.h - self.margin - 28.0;
    }

    fn out(&mut self) -> &mut String {
        self.pages.last_mut().expect("a page")
    }

    fn text(&mut self, x: f64, y: f64, size: f64, bold: bool, t: &[u8]) {
        let font = if bold { "F2" } else { "F1" };
        let _ = writeln!(self.out(), "BT /{font} {size} Tf {x:.2} {y:.2} Td {} Tj ET", lit(t));
    }

    fn need(&mut self, height: f64) -> bool {
        if self.y - height < self.margin + 20.0 {
            self.page();
            true
        } else {
            false
        }
    }

    fn lines(&mut self, text: &str, size: f64, bold: bool) {
        let width = self.w - 2.0 * self.margin;
        for line in wrap(text, width, size, bold) {
            self.need(size * 1.35);
            self.y -= size * 1.35;
            let (x, y) = (self.margin, self.y);
            self.text(x, y, size, bold, &line);
        }
        self.y -= size * 0.6;
    }

    fn table(&mut self, headers: &[String], widths: &[f64], rows: &[Vec<String>]) {
        let size = 8.0;
        let lead = size * 1.25;
        let total: f64 = widths.iter().sum::<f64>().max(1e-9);
        let avail = self.w - 2.0 * self.margin;
        let cols: Vec<f64> = widths.iter().map(|w| w / total * avail).collect();
        let cell = |l: &Layout, row: &[String], bold: bool| -> Vec<Vec<Vec<u8>>> {
            let _ = l;
            row.iter().zip(&cols).map(|(t, w)| wrap(t, w - 6.0, size, bold)).collect()
        };
        let draw_row = |l: &mut Layout, cells: &[Vec<Vec<u8>>], bold: bool| {
            let n = cells.iter().map(Vec::len).max().unwrap_or(1).max(1);
            let height = n as f64 * lead + 4.0;
            let top = l.y;
            let mut x = l.margin;
            for (c, w) in cells.iter().zip(&cols) {
                for (i, line) in c.iter().enumerate() {
                    let ty = top - 2.0 - (i as f64 + 1.0) * lead + 2.0;
                    l.text(x + 3.0, ty, size, bold, line);
                }
                x += w;
            }
            let (left, right, bottom) = (l.margin, l.w - l.margin, top - height);
            let _ = writeln!(l.out(), "0.75 G 0.4 w {left:.2} {bottom:.2} m {right:.2} {bottom:.2} l S 0 G");
            l.y = bottom;
        };
        let head = cell(self, headers, true);
        let head_height = head.iter().map(Vec::len).max().unwrap_or(1) as f64 * lead + 4.0;
        self.need(head_height + lead * 2.0);
        draw_row(self, &head, true);
        for r in rows {
            let cells = cell(self, r, false);
            let height = cells.iter().map(Vec::len).max().unwrap_or(1) as f64 * lead + 4.0;
            if self.need(height) {
                draw_row(self, &head, true);
            }
            draw_row(self, &cells, false);
        }
        self.y -= 10.0;
    }
}

/// The report as PDF bytes.
pub fn render(meta: &Meta, blocks: &[Block]) -> Vec<u8> {
    let mut l = Layout::new(meta.landscape);
    l.lines(&meta.title, 14.0, true);
    for b in blocks {
        match b {
            Block::Heading(t) => {
                l.need(40.0);
                l.y -= 4.0;
                l.lines(t, 11.0, true);
            }
            Block::Para(t) => l.lines(t, 9.0, false),
            Block::Table { headers, widths, rows } => l.table(headers, widths, rows),
        }
    }
    // Every page: the agency and the date at the top, the page number at the foot.
    let n = l.pages.len();
    let (w, h, m) = (l.w, l.h, l.margin);
    let agency: Vec<u8> = meta.agency.chars().flat_map(ansi).collect();
    let date: Vec<u8> = meta.date.chars().flat_map(ansi).collect();
    let date_w = measure(&date, 8.0, false);
    let mut streams = vec![];
    for (i, body) in l.pages.iter().enumerate() {
        let label: Vec<u8> = meta
            .page_label
            .replace("{n}", &(i + 1).to_string())
            .replace("{m}", &n.to_string())
            .chars()
            .flat_map(ansi)
            .collect();
        let lw = measure(&label, 8.0, false);
        let mut s = String::new();
        let _ = writeln!(s, "BT /F1 8 Tf {m:.2} {:.2} Td {} Tj ET", h - m + 8.0, lit(&agency));
        let _ = writeln!(s, "BT /F1 8 Tf {:.2} {:.2} Td {} Tj ET", w - m - date_w, h - m + 8.0, lit(&date));
        let _ = writeln!(s, "0.6 G 0.5 w {m:.2} {:.2} m {:.2} {:.2} l S 0 G", h - m + 4.0, w - m, h - m + 4.0);
        let _ = writeln!(s, "BT /F1 8 Tf {:.2} {:.2} Td {} Tj ET", (w - lw) / 2.0, m - 16.0, lit(&label));
        s.push_str(body);
        streams.push(s);
    }
    assemble(meta, w, h, &streams)
}

/// The PDF file: catalog, page tree, fonts, pages with their content, info, cross-reference table.
fn assemble(meta: &Meta, w: f64, h: f64, streams: &[String]) -> Vec<u8> {
    let n = streams.len();
    // Objects: 1 catalog, 2 pages, 3 Helvetica, 4 Helvetica-Bold, 5 info, then page/content pairs.
    let mut objects: Vec<Vec<u8>> = vec![];
    let kids: Vec<String> = (0..n).map(|i| format!("{} 0 R", 6 + 2 * i)).collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(format!("<< /Type /Pages /Kids [{}] /Count {n} >>", kids.join(" ")).into_bytes());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".to_vec());
    objects.push(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>".to_vec());
    let title: Vec<u8> = meta.title.chars().flat_map(ansi).collect();
    let author: Vec<u8> = meta.agency.chars().flat_map(ansi).collect();
    objects.push(format!("<< /Title {} /Author {} /Producer (Cakap) >>", lit(&title), lit(&author)).into_bytes());
    for (i, s) in streams.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w:.0} {h:.0}] /Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> /Contents {} 0 R >>",
                7 + 2 * i
            )
            .into_bytes(),
        );
        let mut content = format!("<< /Length {} >>\nstream\n", s.len()).into_bytes();
        content.extend(s.as_bytes());
        content.extend(b"\nendstream");
        objects.push(content);
    }
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = vec![];
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(o);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!("trailer\n<< /Size {} /Root 1 0 R /Info 5 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1)
            .as_bytes(),
    );
    out
}

/// A PDF download response.
pub fn response(name: &str, bytes: Vec<u8>) -> axum::response::Response {
    use axum::{http::header, response::IntoResponse};
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.pdf\"")),
        ],
        bytes,
    )
        .into_response()
}

/// The frame of a report from the request's context: agency, date, language.
pub fn meta(ctx: &super::Ctx, title: String, landscape: bool) -> Meta {
    Meta {
        title,
        agency: ctx.agency_name().to_string(),
        date: ctx.date(ctx.today),
        page_label: ctx.t("pdf.page").to_string(),
        landscape,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_report_is_a_pdf_with_its_text_and_page_numbers() {
        let rows: Vec<Vec<String>> =
            (0..120).map(|i| vec![format!("Pegawai {i}"), "Pelatihan (teknis) — 2026".into()]).collect();
        let meta = Meta {
            title: "Riwayat pengembangan kompetensi".into(),
            agency: "Dinas Komunikasi, Informatika dan Statistik".into(),
            date: "23 November 2026".into(),
            page_label: "Halaman {n} dari {m}".into(),
            landscape: false,
        };
        let pdf = render(
            &meta,
            &[
                Block::Heading("Klasikal".into()),
                Block::Table { headers: vec!["Nama".into(), "Judul".into()], widths: vec![1.0, 2.0], rows },
            ],
        );
        let text = String::from_utf8_lossy(&pdf);
        assert!(pdf.starts_with(b"%PDF-1.4"));
        assert!(text.contains("(Riwayat pengembangan kompetensi)"));
        assert!(text.contains("(Pegawai 119)"));
        assert!(text.contains("(Pelatihan \\(teknis\\) \\227 2026)"), "escaped, em dash in WinAnsi");
        assert!(text.contains("(Halaman 1 dari ") && text.contains("/Count "));
        let pages: usize = text.matches("/Type /Page ").count();
        assert!(pages >= 3, "120 rows take several pages: {pages}");
        assert!(text.contains(&format!("(Halaman {pages} dari {pages})")));
        assert!(text.trim_end().ends_with("%%EOF"));
    }

    #[test]
    fn long_words_and_plain_forms() {
        let lines = wrap("sebuahkatayangsangatpanjangsekalihinggatidakmuat", 40.0, 8.0, false);
        assert!(lines.len() > 1);
        assert_eq!(ansi('→'), b"->".to_vec());
        assert_eq!(ansi('é'), vec![0xe9]);
    }
}
