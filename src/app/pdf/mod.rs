//! Real PDF reports without a PDF engine: A4 pages with the agency's name and the date at the top,
//! "page n of m" at the foot, headings, paragraphs, tables that break across pages (the header
//! row repeated) and a signature block. Text is set in the PDF's standard Helvetica (no font file
//! to embed, text stays selectable and searchable), encoded as WinAnsi, which covers Indonesian
//! and English.
//!
//! Tables are laid out from their content (`fit.rs`): every column is at least as wide as its
//! widest word (so a NIP or a header word is never cut, lines break at spaces only) and the
//! remaining width goes where it saves the most lines; when even the widest words do not fit side
//! by side, the table's font shrinks (down to `TABLE_MIN_SIZE`) before any word is cut.
//!
//! Why hand-written: the reports are text and tables; a PDF crate with layout (or a headless
//! browser) would add megabytes and minutes of build for what ~600 lines do here.

use std::fmt::Write as _;

mod fit;

use fit::{Fit, fit};

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
    /// Column headers and rows; each column as wide as its content asks (see `fit`). A `\n` in a
    /// cell starts a new line.
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// Who signs the report, at the right under the last block, kept on one page.
    Signature(Signature),
    /// What follows starts on a new page (one letter per page).
    PageBreak,
}

/// A signature block: place and date, the office, room to sign, then the signer.
pub struct Signature {
    /// "Soreang, 4 Desember 2026".
    pub place_date: String,
    /// The office that signs: "Kepala Dinas …" (wrapped if long).
    pub office: String,
    /// The signer's name; empty leaves a line to write it on.
    pub name: String,
    /// Pangkat/golongan; empty leaves it out.
    pub rank: String,
    /// The signer's NIP; empty leaves "NIP." and a line.
    pub nip: String,
}

/// The font size of table text, and the smallest it may shrink to so that words stay whole.
const TABLE_SIZE: f64 = 7.5;
const TABLE_MIN_SIZE: f64 = 5.5;
/// Room left and right of a cell's text, in points.
const CELL_PAD: f64 = 3.0;

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

/// A text in WinAnsi.
fn encode(text: &str) -> Vec<u8> {
    text.chars().flat_map(ansi).collect()
}

/// Encode and break a text into lines that fit `width`, at spaces.
fn wrap(text: &str, width: f64, size: f64, bold: bool) -> Vec<Vec<u8>> {
    // A word exactly as wide as its column fits (sums of widths are not exact in floating point).
    let width = width + 0.01;
    let mut lines = vec![];
    for para in text.split('\n') {
        let mut line: Vec<u8> = vec![];
        for word in para.split(' ') {
            let w = encode(word);
            let candidate = if line.is_empty() { w.clone() } else { [line.clone(), vec![b' '], w.clone()].concat() };
            if measure(&candidate, size, bold) <= width || line.is_empty() {
                // A single word longer than the column is cut where it must be (only when even the
                // smallest table font cannot keep it whole).
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
        let mut l = Self { w, h, margin: if landscape { 32.0 } else { 40.0 }, pages: vec![], y: 0.0 };
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

    fn table(&mut self, headers: &[String], rows: &[Vec<String>]) {
        let Fit { size, cols } = fit(headers, rows, self.w - 2.0 * self.margin);
        let lead = size * 1.15;
        let pad = size * 0.3;
        let cells = |row: &[String], bold: bool| -> Vec<Vec<Vec<u8>>> {
            row.iter().zip(&cols).map(|(t, w)| wrap(t, w - 2.0 * CELL_PAD, size, bold)).collect()
        };
        let height =
            |cells: &[Vec<Vec<u8>>]| cells.iter().map(Vec::len).max().unwrap_or(1).max(1) as f64 * lead + pad * 2.0;
        let draw_row = |l: &mut Layout, cells: &[Vec<Vec<u8>>], bold: bool| {
            let top = l.y;
            let bottom = top - height(cells);
            let mut x = l.margin;
            for (c, w) in cells.iter().zip(&cols) {
                for (i, line) in c.iter().enumerate().filter(|(_, line)| !line.is_empty()) {
                    // The baseline sits a fifth of the font above the foot of its line.
                    let ty = top - pad - (i as f64 + 1.0) * lead + size * 0.25;
                    l.text(x + CELL_PAD, ty, size, bold, line);
                }
                x += w;
            }
            let (left, right) = (l.margin, l.w - l.margin);
            let _ = writeln!(l.out(), "0.75 G 0.4 w {left:.2} {bottom:.2} m {right:.2} {bottom:.2} l S 0 G");
            l.y = bottom;
        };
        let head = cells(headers, true);
        self.need(height(&head) + lead * 2.0);
        draw_row(self, &head, true);
        for r in rows {
            let row = cells(r, false);
            if self.need(height(&row)) {
                draw_row(self, &head, true);
            }
            draw_row(self, &row, false);
        }
        self.y -= 10.0;
    }

    /// The signature block at the right: lines centred on one another, 60 points to sign in.
    fn signature(&mut self, s: &Signature) {
        let (size, lead, room) = (10.0, 13.0, 60.0);
        let width = 270.0_f64.min(self.w - 2.0 * self.margin);
        let left = self.w - self.margin - width;
        let office = wrap(&s.office, width, size, false);
        let lines = 1 + office.len() + 1 + usize::from(!s.rank.is_empty()) + 1;
        self.y -= 14.0;
        self.need(lines as f64 * lead + room);
        let centred = |l: &mut Layout, t: &[u8], bold: bool| -> (f64, f64) {
            l.y -= lead;
            let w = measure(t, size, bold);
            let x = left + (width - w) / 2.0;
            l.text(x, l.y, size, bold, t);
            (x, w)
        };
        centred(self, &encode(&s.place_date), false);
        for line in &office {
            centred(self, line, false);
        }
        self.y -= room;
        // The name, underlined; no name: a line to write it on.
        let blank = 170.0;
        let (x, w) = if s.name.trim().is_empty() {
            self.y -= lead;
            (left + (width - blank) / 2.0, blank)
        } else {
            centred(self, &encode(&s.name), true)
        };
        let under = self.y - 2.0;
        let _ = writeln!(self.out(), "0.6 w {x:.2} {under:.2} m {:.2} {under:.2} l S", x + w);
        if !s.rank.is_empty() {
            centred(self, &encode(&s.rank), false);
        }
        if s.nip.trim().is_empty() {
            // "NIP." and a blank to fill in, as wide as a NIP would be.
            let label = encode("NIP.");
            let gap = measure(b"000000000000000000 ", size, false);
            let lw = measure(&label, size, false);
            let x = left + (width - lw - gap) / 2.0;
            self.y -= lead;
            let y = self.y;
            self.text(x, y, size, false, &label);
            let (a, b) = (x + lw + 4.0, x + lw + gap);
            let _ = writeln!(self.out(), "0.4 w {a:.2} {y:.2} m {b:.2} {y:.2} l S");
        } else {
            centred(self, &encode(&format!("NIP. {}", s.nip)), false);
        }
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
            Block::Table { headers, rows } => l.table(headers, rows),
            Block::Signature(s) => l.signature(s),
            Block::PageBreak => l.page(),
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
            &[Block::Heading("Klasikal".into()), Block::Table { headers: vec!["Nama".into(), "Judul".into()], rows }],
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
    fn columns_fit_their_words_and_shrink_before_cutting() {
        let headers: Vec<String> = ["NIP", "Nama", "Kesenjangan", "Program pelatihan"].map(String::from).to_vec();
        let rows: Vec<Vec<String>> = (0..30)
            .map(|i| {
                vec![
                    format!("19900101201503{i:04}"),
                    "Dr. Andri Purnama, S.Si. · Statistisi Ahli Pertama".into(),
                    "1".into(),
                    "Mentoring: Firman Supriatna, S.Kom. · Seksi Statistik Sektoral".into(),
                ]
            })
            .collect();
        let Fit { size, cols } = fit(&headers, &rows, 400.0);
        assert_eq!(size, TABLE_SIZE, "the widest words fit at the table's size");
        assert!((cols.iter().sum::<f64>() - 400.0).abs() < 0.01, "{cols:?}");
        for (c, h) in headers.iter().enumerate() {
            let lines = wrap(h, cols[c] - 2.0 * CELL_PAD, size, true);
            let words: Vec<String> = lines
                .iter()
                .flat_map(|l| String::from_utf8_lossy(l).split(' ').map(String::from).collect::<Vec<_>>())
                .collect();
            assert_eq!(words, h.split(' ').collect::<Vec<_>>(), "{h}: broken at spaces only");
        }
        assert_eq!(wrap(&rows[0][0], cols[0] - 2.0 * CELL_PAD, size, false).len(), 1, "a NIP on one line");
        // Twelve NIP columns do not fit 762 points at 7.5: the font shrinks, the NIPs stay whole.
        let wide: Vec<String> = (0..12).map(|i| format!("NIP {i}")).collect();
        let row: Vec<Vec<String>> = vec![(0..12).map(|_| "199001012015031001".to_string()).collect()];
        let Fit { size, cols } = fit(&wide, &row, 762.0);
        assert!((TABLE_MIN_SIZE..TABLE_SIZE).contains(&size), "{size}");
        assert!(cols.iter().all(|w| wrap(&row[0][0], w - 2.0 * CELL_PAD, size, false).len() == 1));
    }

    #[test]
    fn a_signature_without_a_head_leaves_blanks() {
        let meta = Meta {
            title: "AKPK".into(),
            agency: "Dinas".into(),
            date: "4 Desember 2026".into(),
            page_label: "{n}/{m}".into(),
            landscape: true,
        };
        let sign = |name: &str, nip: &str| Signature {
            place_date: "Kabupaten Bandung, 4 Desember 2026".into(),
            office: "Kepala Dinas Komunikasi, Informatika dan Statistik".into(),
            name: name.into(),
            rank: String::new(),
            nip: nip.into(),
        };
        let signed = String::from_utf8_lossy(&render(&meta, &[Block::Signature(sign("Nining", "197107251995022001"))]))
            .into_owned();
        assert!(signed.contains("(Nining) Tj") && signed.contains("(NIP. 197107251995022001) Tj"));
        assert!(signed.contains("/MediaBox [0 0 842 595]"));
        let blank = String::from_utf8_lossy(&render(&meta, &[Block::Signature(sign("", ""))])).into_owned();
        assert!(blank.contains("(NIP.) Tj") && !blank.contains("(NIP. "));
        assert!(blank.contains("(Kabupaten Bandung, 4 Desember 2026) Tj"));
    }

    #[test]
    fn long_words_and_plain_forms() {
        let lines = wrap("sebuahkatayangsangatpanjangsekalihinggatidakmuat", 40.0, 8.0, false);
        assert!(lines.len() > 1);
        assert_eq!(ansi('→'), b"->".to_vec());
        assert_eq!(ansi('é'), vec![0xe9]);
    }
}
