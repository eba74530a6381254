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

mod layout;
mod text;

pub use layout::*;
use text::*;

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
mod tests;
