//! Export a list exactly as filtered on screen, as CSV or XLSX (`?format=csv|xlsx` on every
//! list). Column headers are i18n keys, written in the user's language; an XLSX carries the
//! agency's name and the date in its properties and printed header.

use std::borrow::Cow;

use axum::{
    http::header,
    response::{IntoResponse, Response},
};
use rust_xlsxwriter::{DocProperties, Format, Workbook};

use crate::app::{AppError, Ctx};

/// A table to export: the column headers (i18n keys, or text kept as it is) and rows of text.
pub struct Table {
    pub name: &'static str,
    pub headers: Vec<Cow<'static, str>>,
    pub rows: Vec<Vec<String>>,
}

/// Who exported and when: the agency's name and its date (XLSX only; a CSV stays a plain table
/// that imports back).
pub struct Stamp {
    pub agency: String,
    pub date: String,
}

impl Stamp {
    pub fn from_ctx(ctx: &Ctx) -> Self {
        Self { agency: ctx.agency_name().to_string(), date: ctx.date(ctx.today) }
    }
}

/// Guard against formula injection when a spreadsheet opens the CSV.
fn cell(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@']) && !v.chars().all(|c| c.is_ascii_digit() || c == '-') {
        format!("'{v}")
    } else {
        v.to_string()
    }
}

/// The file's name: the list and the agency's date (`pegawai-2026-11-23`); a file made without a
/// user (an import template) keeps the list's name alone.
fn file_name(ctx: Option<&Ctx>, t: &Table) -> String {
    match ctx {
        Some(ctx) => format!("{}-{}", t.name, ctx.today.format("%Y-%m-%d")),
        None => t.name.to_string(),
    }
}

/// Headers that are i18n keys.
pub fn keys(keys: &[&'static str]) -> Vec<Cow<'static, str>> {
    keys.iter().map(|k| Cow::Borrowed(*k)).collect()
}

/// The headers as text: i18n keys are translated, anything else (import templates, competency
/// codes) is kept.
fn header_texts<'a>(ctx: Option<&Ctx>, t: &'a Table) -> Vec<&'a str> {
    t.headers
        .iter()
        .map(|h| match (ctx, crate::i18n::key(h)) {
            (Some(ctx), Some(k)) => ctx.t(k),
            _ => h.as_ref(),
        })
        .collect()
}

/// An exported file, ready to send (and cheap to keep and send again).
#[derive(Clone)]
pub struct File {
    content_type: &'static str,
    disposition: String,
    bytes: axum::body::Bytes,
}

impl IntoResponse for File {
    fn into_response(self) -> Response {
        (
            [(header::CONTENT_TYPE, self.content_type.to_string()), (header::CONTENT_DISPOSITION, self.disposition)],
            self.bytes,
        )
            .into_response()
    }
}

pub fn csv(ctx: Option<&Ctx>, t: &Table) -> Result<Response, AppError> {
    csv_file(ctx, t).map(IntoResponse::into_response)
}

pub fn xlsx(ctx: Option<&Ctx>, t: &Table) -> Result<Response, AppError> {
    xlsx_file(ctx, t).map(IntoResponse::into_response)
}

fn csv_file(ctx: Option<&Ctx>, t: &Table) -> Result<File, AppError> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(header_texts(ctx, t)).map_err(anyhow::Error::from)?;
    for r in &t.rows {
        w.write_record(r.iter().map(|v| cell(v))).map_err(anyhow::Error::from)?;
    }
    let mut bytes = vec![0xEF, 0xBB, 0xBF]; // BOM so spreadsheet programs read UTF-8
    bytes.extend(w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?);
    Ok(File {
        content_type: "text/csv; charset=utf-8",
        disposition: format!("attachment; filename=\"{}.csv\"", file_name(ctx, t)),
        bytes: bytes.into(),
    })
}

fn xlsx_file(ctx: Option<&Ctx>, t: &Table) -> Result<File, AppError> {
    let mut wb = Workbook::new();
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Other(anyhow::anyhow!("xlsx: {e}"));
    let stamp = ctx.map(Stamp::from_ctx);
    if let Some(s) = &stamp {
        wb.set_properties(&DocProperties::new().set_company(&s.agency).set_title(t.name).set_author("Cakap"));
    }
    let ws = wb.add_worksheet();
    // The sheet is named after the list (at most 31 characters, as spreadsheets allow).
    let sheet: String = t.name.chars().filter(|c| c.is_alphanumeric() || *c == '-').take(31).collect();
    if !sheet.is_empty() {
        ws.set_name(&sheet).map_err(err)?;
    }
    if let Some(s) = &stamp {
        // Printed on every page: the agency on the left, the date on the right, page numbers.
        let esc = |v: &str| v.replace('&', "&&");
        ws.set_header(format!("&L{}&R{}", esc(&s.agency), esc(&s.date)));
        ws.set_footer("&C&P / &N");
    }
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    for (c, h) in header_texts(ctx, t).iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(err)?;
        ws.set_column_width(c as u16, 18).map_err(err)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string_with_format(r as u32 + 1, c as u16, v, &text).map_err(err)?;
        }
    }
    ws.set_freeze_panes(1, 0).map_err(err)?;
    let bytes = wb.save_to_buffer().map_err(err)?;
    Ok(File {
        content_type: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        disposition: format!("attachment; filename=\"{}.xlsx\"", file_name(ctx, t)),
        bytes: bytes.into(),
    })
}

/// `?format=csv` or `?format=xlsx` on a list page: the same rows, as a file.
pub fn wanted(format: &str) -> bool {
    matches!(format, "csv" | "xlsx")
}

/// The list as the file the user asked for, headers in their language.
pub fn send(ctx: &Ctx, format: &str, t: &Table) -> Result<Response, AppError> {
    file(ctx, format, t).map(IntoResponse::into_response)
}

/// The list as the file the user asked for, to send now or keep.
pub fn file(ctx: &Ctx, format: &str, t: &Table) -> Result<File, AppError> {
    if format == "xlsx" { xlsx_file(Some(ctx), t) } else { csv_file(Some(ctx), t) }
}
