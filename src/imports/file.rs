//! Reading a spreadsheet (CSV or XLSX) into rows of cells, numbered as the spreadsheet numbers
//! them. Spreadsheets are hostile input: a cell keeps whether it was stored as a *number* (an
//! 18-digit NIP typed as a number has already lost digits), and an XLSX is measured before it is
//! expanded.

use std::collections::BTreeMap;
use std::io::{Cursor, Read as _};

use calamine::{DataRef, Reader as _, Xlsx};

/// The most data rows a file may hold.
pub const MAX_ROWS: usize = 20_000;
/// The most columns read from a row.
pub const MAX_COLUMNS: usize = 100;
/// An XLSX may expand to at most this many bytes (all its parts together), checked before it is read.
pub const MAX_XLSX_UNCOMPRESSED: u64 = 64 * 1024 * 1024;
/// Rows searched for the header line (a title block may stand above it).
pub const HEADER_SEARCH_ROWS: usize = 20;

/// One cell: its text, and whether the spreadsheet stored it as a number.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Cell {
    pub text: String,
    pub numeric: bool,
}

impl Cell {
    pub fn text(t: &str) -> Self {
        Self { text: t.to_string(), numeric: false }
    }
}

/// The non-blank rows of the first sheet, each with its spreadsheet row number (1-based).
pub struct RawSheet {
    pub rows: Vec<(usize, Vec<Cell>)>,
}

/// Why a file could not be read at all (i18n keys).
pub type FileError = &'static str;

/// `Nama Lengkap` → `namalengkap`, `Gol/Ruang` → `golruang`.
pub fn normalise(h: &str) -> String {
    h.trim_start_matches('\u{feff}').chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

pub fn read(bytes: &[u8]) -> Result<RawSheet, FileError> {
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err("imp.err.empty");
    }
    let raw = if bytes.starts_with(b"PK\x03\x04") { read_xlsx(bytes)? } else { read_csv(bytes)? };
    // Control characters cannot be stored as text; they never belong in these cells.
    let rows: Vec<(usize, Vec<Cell>)> = raw
        .into_iter()
        .filter(|(_, r)| r.iter().any(|c| !c.text.trim().is_empty()))
        .map(|(n, r)| {
            let cells = r
                .into_iter()
                .map(|c| Cell { text: c.text.chars().filter(|ch| !ch.is_control()).collect(), numeric: c.numeric })
                .collect();
            (n, cells)
        })
        .collect();
    if rows.is_empty() {
        return Err("imp.err.empty");
    }
    Ok(RawSheet { rows })
}

fn read_csv(bytes: &[u8]) -> Result<Vec<(usize, Vec<Cell>)>, FileError> {
    if bytes.contains(&0) {
        return Err("imp.err.type");
    }
    let text = std::str::from_utf8(bytes).map_err(|_| "imp.err.encoding")?;
    let text = text.trim_start_matches('\u{feff}');
    // The delimiter that splits the most of the first lines (a title line may have none).
    let delimiter = [b';', b',', b'\t']
        .into_iter()
        .max_by_key(|d| text.lines().take(HEADER_SEARCH_ROWS).map(|l| l.matches(*d as char).count()).sum::<usize>())
        .unwrap_or(b',');
    let mut rdr =
        csv::ReaderBuilder::new().has_headers(false).flexible(true).delimiter(delimiter).from_reader(text.as_bytes());
    let mut out = vec![];
    let mut rec = csv::StringRecord::new();
    // The spreadsheet's row of a record is its first line, counting blank lines (which the csv
    // reader skips) but not the line breaks inside quoted cells, which stay in one row.
    let mut newlines_before = 0usize;
    let mut scanned = 0usize;
    let mut breaks_inside = 0usize;
    loop {
        let start = rdr.position().byte() as usize;
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(_) => return Err("imp.err.csv"),
        }
        // The reader's position may still stand before the blank lines it skipped.
        let mut start = rec.position().map(|p| p.byte() as usize).unwrap_or(start).min(text.len());
        while start < text.len() && matches!(text.as_bytes()[start], b'\r' | b'\n') {
            start += 1;
        }
        newlines_before += text.as_bytes()[scanned..start].iter().filter(|b| **b == b'\n').count();
        scanned = start;
        let row = newlines_before + 1 - breaks_inside;
        breaks_inside += rec.iter().map(|f| f.matches('\n').count()).sum::<usize>();
        out.push((row, rec.iter().take(MAX_COLUMNS).map(|s| Cell::text(s.trim())).collect()));
        if out.len() > MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err("imp.err.too_many_rows");
        }
    }
    Ok(out)
}

/// Refuse an XLSX whose parts would expand past the bound, before expanding it: the declared
/// sizes first, then the real ones, streamed into nothing (memory stays flat).
fn check_xlsx_size(bytes: &[u8]) -> Result<(), FileError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| "imp.err.xlsx")?;
    let mut declared = 0u64;
    for i in 0..zip.len() {
        declared = declared.saturating_add(zip.by_index_raw(i).map_err(|_| "imp.err.xlsx")?.size());
    }
    if declared > MAX_XLSX_UNCOMPRESSED {
        return Err("imp.err.xlsx_too_big");
    }
    let mut real = 0u64;
    for i in 0..zip.len() {
        let entry = zip.by_index(i).map_err(|_| "imp.err.xlsx")?;
        let left = MAX_XLSX_UNCOMPRESSED - real;
        let n = std::io::copy(&mut entry.take(left + 1), &mut std::io::sink()).map_err(|_| "imp.err.xlsx")?;
        real += n;
        if real > MAX_XLSX_UNCOMPRESSED {
            return Err("imp.err.xlsx_too_big");
        }
    }
    Ok(())
}

fn cell(d: &DataRef<'_>) -> Cell {
    let number = |text: String| Cell { text, numeric: true };
    match d {
        DataRef::Empty | DataRef::Error(_) => Cell::default(),
        DataRef::String(s) => Cell::text(s.trim()),
        DataRef::SharedString(s) => Cell::text(s.trim()),
        // A whole number is written without ".0" (a level 4.0 reads "4"); anything else keeps
        // its decimals so the field check can refuse it.
        DataRef::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => number(format!("{}", *f as i64)),
        DataRef::Float(f) => number(format!("{f}")),
        DataRef::Int(i) => number(i.to_string()),
        DataRef::Bool(b) => Cell::text(if *b { "TRUE" } else { "FALSE" }),
        DataRef::DateTime(dt) => {
            Cell::text(&dt.as_datetime().map(|d| d.date().format("%Y-%m-%d").to_string()).unwrap_or_default())
        }
        DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => Cell::text(s),
    }
}

/// The first sheet, cell by cell (a sheet whose two cells lie far apart costs nothing).
fn read_xlsx(bytes: &[u8]) -> Result<Vec<(usize, Vec<Cell>)>, FileError> {
    check_xlsx_size(bytes)?;
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|_| "imp.err.xlsx")?;
    let first = wb.sheet_names().first().cloned().ok_or("imp.err.empty")?;
    let mut reader = wb.worksheet_cells_reader(&first).map_err(|_| "imp.err.xlsx")?;
    let mut rows: BTreeMap<u32, Vec<Cell>> = BTreeMap::new();
    while let Some(c) = reader.next_cell().map_err(|_| "imp.err.xlsx")? {
        let (r, col) = c.get_position();
        let value = cell(c.get_value());
        if value.text.is_empty() || col as usize >= MAX_COLUMNS {
            continue;
        }
        if !rows.contains_key(&r) && rows.len() >= MAX_ROWS + HEADER_SEARCH_ROWS {
            return Err("imp.err.too_many_rows");
        }
        let row = rows.entry(r).or_default();
        if row.len() <= col as usize {
            row.resize(col as usize + 1, Cell::default());
        }
        row[col as usize] = value;
    }
    Ok(rows.into_iter().map(|(r, cells)| (r as usize + 1, cells)).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &RawSheet) -> Vec<(usize, Vec<String>)> {
        s.rows.iter().map(|(n, r)| (*n, r.iter().map(|c| c.text.clone()).collect())).collect()
    }

    #[test]
    fn csv_with_semicolons_and_bom() {
        let s = read("\u{feff}NIP;Nama Lengkap\n1;Asep\n2;Euis\n".as_bytes()).expect("csv");
        assert_eq!(texts(&s)[0].1, vec!["NIP", "Nama Lengkap"]);
        assert_eq!(texts(&s)[2], (3, vec!["2".to_string(), "Euis".to_string()]));
    }

    #[test]
    fn csv_rows_are_the_spreadsheet_rows() {
        // CRLF, blank lines and a quoted cell with a line break inside.
        let s = read(b"NIP,Nama\r\n\r\n1,Asep\r\n2,\"Euis\r\nSari\"\r\n\r\n\r\n3,Ujang\r\n").expect("csv");
        let rows: Vec<usize> = s.rows.iter().map(|(n, _)| *n).collect();
        assert_eq!(rows, vec![1, 3, 4, 7]);
        let s = read(b"NIP,Nama\n\n\n1,Asep\n").expect("csv");
        assert_eq!(s.rows[1].0, 4);
    }

    #[test]
    fn bad_files() {
        assert_eq!(read(b"").err(), Some("imp.err.empty"));
        assert_eq!(read(b" \r\n\n").err(), Some("imp.err.empty"));
        assert_eq!(read(b",,\n,,\n").err(), Some("imp.err.empty"));
        assert_eq!(read(&[0xff, 0xfe, 0x00, 0x41]).err(), Some("imp.err.type"));
        assert_eq!(read(&[0xc3, 0x28, b',', b'\n']).err(), Some("imp.err.encoding"));
        assert_eq!(read(b"PK\x03\x04garbage").err(), Some("imp.err.xlsx"));
    }
}
