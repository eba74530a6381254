//! Reading a spreadsheet (CSV or XLSX) into header-mapped text rows.

use std::collections::HashMap;
use std::io::Cursor;

use calamine::{Data, Reader as _, Xlsx};

pub const MAX_ROWS: usize = 100_000;

/// A sheet: the normalised header names and the rows (1-based spreadsheet row numbers).
pub struct Sheet {
    pub headers: Vec<String>,
    pub rows: Vec<(usize, Vec<String>)>,
}

/// Why a file could not be read at all (i18n keys).
pub type FileError = &'static str;

/// `Nama Lengkap` → `namalengkap`.
pub fn normalise(h: &str) -> String {
    h.trim_start_matches('\u{feff}').chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

pub fn read(bytes: &[u8]) -> Result<Sheet, FileError> {
    if bytes.is_empty() {
        return Err("imp.err.empty");
    }
    let raw = if bytes.starts_with(b"PK\x03\x04") { read_xlsx(bytes)? } else { read_csv(bytes)? };
    let mut it = raw.into_iter().filter(|(_, r)| r.iter().any(|c| !c.trim().is_empty()));
    let (_, header) = it.next().ok_or("imp.err.empty")?;
    let headers: Vec<String> = header.iter().map(|h| normalise(h)).collect();
    // Control characters cannot be stored as text; they never belong in these cells.
    let rows: Vec<(usize, Vec<String>)> = it
        .map(|(n, r)| (n, r.into_iter().map(|c| c.chars().filter(|ch| !ch.is_control()).collect()).collect()))
        .collect();
    if rows.is_empty() {
        return Err("imp.err.no_rows");
    }
    if rows.len() > MAX_ROWS {
        return Err("imp.err.too_many_rows");
    }
    Ok(Sheet { headers, rows })
}

fn read_csv(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, FileError> {
    if bytes.contains(&0) {
        return Err("imp.err.type");
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "imp.err.encoding")?;
    let first = text.lines().next().unwrap_or("");
    let delimiter = [b';', b',', b'\t'].into_iter().max_by_key(|d| first.matches(*d as char).count()).unwrap_or(b',');
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut out = vec![];
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.map_err(|_| "imp.err.csv")?;
        let line = rec.position().map(|p| p.line() as usize).unwrap_or(i + 1);
        out.push((line, rec.iter().map(|s| s.trim().to_string()).collect()));
        if out.len() > MAX_ROWS + 1 {
            return Err("imp.err.too_many_rows");
        }
    }
    Ok(out)
}

fn cell(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        // 18-digit NIPs typed as numbers lose digits: keep the text so the check reports it.
        Data::Float(f) => format!("{f}"),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.as_datetime().map(|d| d.date().format("%Y-%m-%d").to_string()).unwrap_or_default(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(_) => String::new(),
    }
}

fn read_xlsx(bytes: &[u8]) -> Result<Vec<(usize, Vec<String>)>, FileError> {
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).map_err(|_| "imp.err.xlsx")?;
    let range = wb.worksheet_range_at(0).ok_or("imp.err.empty")?.map_err(|_| "imp.err.xlsx")?;
    if range.height() > MAX_ROWS + 1 {
        return Err("imp.err.too_many_rows");
    }
    let start = range.start().map(|(r, _)| r as usize).unwrap_or(0);
    Ok(range.rows().enumerate().map(|(i, r)| (start + i + 1, r.iter().map(cell).collect())).collect())
}

/// Find the columns: for each field, the first header among its accepted names.
pub fn columns(headers: &[String], fields: &[(&'static str, &[&str])]) -> HashMap<&'static str, usize> {
    let mut out = HashMap::new();
    for (field, names) in fields {
        if let Some(i) = headers.iter().position(|h| names.iter().any(|n| n == h)) {
            out.insert(*field, i);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_semicolons_and_bom() {
        let s = read("\u{feff}NIP;Nama Lengkap\n1;Asep\n2;Euis\n".as_bytes()).expect("csv");
        assert_eq!(s.headers, vec!["nip", "namalengkap"]);
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[1], (3, vec!["2".to_string(), "Euis".to_string()]));
    }

    #[test]
    fn bad_files() {
        assert_eq!(read(b"").err(), Some("imp.err.empty"));
        assert_eq!(read(b"NIP,Nama\n").err(), Some("imp.err.no_rows"));
        assert_eq!(read(&[0xff, 0xfe, 0x00, 0x41]).err(), Some("imp.err.type"));
        assert_eq!(read(&[0xc3, 0x28, b',', b'\n']).err(), Some("imp.err.encoding"));
        assert_eq!(read(b"PK\x03\x04garbage").err(), Some("imp.err.xlsx"));
    }
}
