//! Export a list exactly as filtered on screen, as CSV or XLSX.

use axum::{
    http::header,
    response::{IntoResponse, Response},
};
use rust_xlsxwriter::{Format, Workbook};

use crate::app::AppError;

/// A table to export: headers and rows of text.
pub struct Table {
    pub name: &'static str,
    pub headers: Vec<&'static str>,
    pub rows: Vec<Vec<String>>,
}

/// Guard against formula injection when a spreadsheet opens the CSV.
fn cell(v: &str) -> String {
    if v.starts_with(['=', '+', '-', '@']) && !v.chars().all(|c| c.is_ascii_digit() || c == '-') {
        format!("'{v}")
    } else {
        v.to_string()
    }
}

pub fn csv(t: &Table) -> Result<Response, AppError> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(&t.headers).map_err(anyhow::Error::from)?;
    for r in &t.rows {
        w.write_record(r.iter().map(|v| cell(v))).map_err(anyhow::Error::from)?;
    }
    let mut bytes = vec![0xEF, 0xBB, 0xBF]; // BOM so spreadsheet programs read UTF-8
    bytes.extend(w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.csv\"", t.name)),
        ],
        bytes,
    )
        .into_response())
}

pub fn xlsx(t: &Table) -> Result<Response, AppError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let bold = Format::new().set_bold();
    let text = Format::new().set_num_format("@");
    let err = |e: rust_xlsxwriter::XlsxError| AppError::Other(anyhow::anyhow!("xlsx: {e}"));
    for (c, h) in t.headers.iter().enumerate() {
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
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.xlsx\"", t.name)),
        ],
        bytes,
    )
        .into_response())
}

/// `?format=csv` or `?format=xlsx` on a list page: the same rows, as a file.
pub fn wanted(format: &str) -> bool {
    matches!(format, "csv" | "xlsx")
}

pub fn send(format: &str, t: &Table) -> Result<Response, AppError> {
    if format == "xlsx" { xlsx(t) } else { csv(t) }
}
