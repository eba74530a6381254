//! Laying blocks out on pages, and assembling the document.

use super::*;

pub(super) struct Layout {
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
pub(super) fn assemble(meta: &Meta, w: f64, h: f64, streams: &[String]) -> Vec<u8> {
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
