//! Export a list exactly as filtered on screen, as CSV or XLSX (`?format=csv|xlsx` on every
//! list). Column headers are i18n keys, written in the user's language; an XLSX carries the
//! agency's name and the date in its properties and printed header.
//!
//! Every column is text unless its `Kind` says it holds numbers (`Columns`): the XLSX then
//! writes numbers a spreadsheet can sum, with a number format, and may end with a totals row; the
//! CSV writes the same figures as people read them.

use std::borrow::Cow;

use axum::{
    http::header,
    response::{IntoResponse, Response},
};
use rust_xlsxwriter::{DocProperties, Format, Formula, Workbook, utility::column_number_to_name};

use crate::{
    app::{AppError, Ctx},
    development::model::{jp_text, rupiah},
};

/// A table to export: the column headers (i18n keys, or text kept as it is) and rows of text.
pub struct Table {
    pub name: &'static str,
    pub headers: Vec<Cow<'static, str>>,
    pub rows: Vec<Vec<String>>,
}

/// What a column holds. A number column's cells hold the plain number as Rust prints it
/// (`5000000`, `24.5`); an empty cell stays empty.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    /// Text, kept as it is (NIPs too: 18 digits are more than a spreadsheet's number holds).
    #[default]
    Text,
    /// A whole number (levels, counts): `0` in the XLSX, as it is in the CSV.
    Integer,
    /// Rupiah: `#,##0` in the XLSX, "Rp1.250.000" in the CSV.
    Money,
    /// A figure with at most one decimal (JP): `0.0` in the XLSX, "2,5" / "2.5" in the CSV.
    Decimal,
}

/// How a table's columns are written beyond text: their kinds, and a totals row (XLSX only, so
/// that a CSV still imports back as a plain table). The default: all text, no totals.
#[derive(Default)]
pub struct Columns {
    /// One per column; missing ones are text.
    pub kinds: Vec<Kind>,
    /// The label (an i18n key, written in the first column) and the columns summed.
    pub totals: Option<(&'static str, Vec<usize>)>,
}

impl Columns {
    fn kind(&self, c: usize) -> Kind {
        self.kinds.get(c).copied().unwrap_or_default()
    }
}

/// Number formats of the XLSX (the reader's spreadsheet shows its own separators).
const WHOLE: &str = "0";
const RUPIAH: &str = "#,##0";
const ONE_DECIMAL: &str = "0.0";

/// A number column's cell as a number (`None`: empty, or not a number, kept as text).
fn number(kind: Kind, v: &str) -> Option<f64> {
    match kind {
        Kind::Text => None,
        Kind::Integer | Kind::Money => v.trim().parse::<i64>().ok().map(|n| n as f64),
        Kind::Decimal => v.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
    }
}

/// A cell as the CSV shows it: numbers as people read them in the reader's language.
fn csv_text(ctx: Option<&Ctx>, kind: Kind, v: &str) -> String {
    match (kind, number(kind, v)) {
        (Kind::Money, Some(n)) => rupiah(n as i64),
        (Kind::Decimal, Some(n)) => jp_text(n, ctx.is_none_or(|c| c.lang.is_en())),
        _ => cell(v),
    }
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
    csv_file(ctx, t, &Columns::default()).map(IntoResponse::into_response)
}

pub fn xlsx(ctx: Option<&Ctx>, t: &Table) -> Result<Response, AppError> {
    xlsx_file(ctx, t, &Columns::default()).map(IntoResponse::into_response)
}

fn csv_file(ctx: Option<&Ctx>, t: &Table, cols: &Columns) -> Result<File, AppError> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(header_texts(ctx, t)).map_err(anyhow::Error::from)?;
    for r in &t.rows {
        w.write_record(r.iter().enumerate().map(|(c, v)| csv_text(ctx, cols.kind(c), v)))
            .map_err(anyhow::Error::from)?;
    }
    let mut bytes = vec![0xEF, 0xBB, 0xBF]; // BOM so spreadsheet programs read UTF-8
    bytes.extend(w.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?);
    Ok(File {
        content_type: "text/csv; charset=utf-8",
        disposition: format!("attachment; filename=\"{}.csv\"", file_name(ctx, t)),
        bytes: bytes.into(),
    })
}

fn xlsx_file(ctx: Option<&Ctx>, t: &Table, cols: &Columns) -> Result<File, AppError> {
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
    let format = |kind: Kind| match kind {
        Kind::Text => text.clone(),
        Kind::Integer => Format::new().set_num_format(WHOLE),
        Kind::Money => Format::new().set_num_format(RUPIAH),
        Kind::Decimal => Format::new().set_num_format(ONE_DECIMAL),
    };
    for (c, h) in header_texts(ctx, t).iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold).map_err(err)?;
        ws.set_column_width(c as u16, 18).map_err(err)?;
    }
    for (r, row) in t.rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, kind) = (r as u32 + 1, cols.kind(c));
            match number(kind, v) {
                Some(n) => ws.write_number_with_format(r, c as u16, n, &format(kind)).map_err(err)?,
                None => ws.write_string_with_format(r, c as u16, v, &text).map_err(err)?,
            };
        }
    }
    // The totals: a SUM over each column's cells (it follows edits), its value stored as well.
    if let Some((label, columns)) = &cols.totals {
        let last = t.rows.len() as u32 + 1;
        let label = match (ctx, crate::i18n::key(label)) {
            (Some(ctx), Some(k)) => ctx.t(k),
            _ => label,
        };
        ws.write_string_with_format(last, 0, label, &bold).map_err(err)?;
        for &c in columns {
            let kind = cols.kind(c);
            let sum: f64 = t.rows.iter().filter_map(|r| r.get(c).and_then(|v| number(kind, v))).sum();
            let col = column_number_to_name(c as u16);
            let formula = Formula::new(format!("=SUM({col}2:{col}{last})")).set_result(sum.to_string());
            ws.write_formula_with_format(last, c as u16, formula, &format(kind).set_bold()).map_err(err)?;
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
    file_with(ctx, format, t, &Columns::default())
}

/// The list as the file the user asked for, with number columns (and perhaps totals).
pub fn file_with(ctx: &Ctx, format: &str, t: &Table, cols: &Columns) -> Result<File, AppError> {
    if format == "xlsx" { xlsx_file(Some(ctx), t, cols) } else { csv_file(Some(ctx), t, cols) }
}

/// A CSV sent while it is written: a file of any size costs the node a chunk's memory, not the
/// file's (HR's SIASN kursus file at 100 000 staff is 270 MB; written whole it took 1.4 GB). The
/// header goes with the response; a task writes the rows (`row`) and ends with `finish`, or with
/// `fail`, which cuts the download short so that it is never taken for a whole file.
///
/// The rows go through a spool file (unlinked at once: the disk's space comes back when the
/// download ends or is dropped), and the download reads it behind the writer. So the writer,
/// which holds a database connection for its query, runs at the database's pace, not the
/// client's: a slow download no longer holds one of the pool's connections for its whole length.
pub struct CsvStream {
    w: csv::Writer<Vec<u8>>,
    spool: tokio::fs::File,
    /// How much of the spool is written, and how the file ended; read by the download.
    progress: tokio::sync::watch::Sender<Spooled>,
}

/// Where a spooled file stands.
#[derive(Clone, Copy, Debug, Default)]
struct Spooled {
    written: u64,
    end: Option<Ending>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Ending {
    Whole,
    Failed,
}

/// What is sent at a time.
const CHUNK: usize = 64 * 1024;

/// The largest file spooled (HR's kursus file at 100 000 staff is 276 MB): a download that would
/// need more, or a client that stalls while the file grows, costs the disk at most this.
const SPOOL_MAX: u64 = 2 * 1024 * 1024 * 1024;

/// A new spool file, open to write and to read, already unlinked.
fn spool_file() -> std::io::Result<(std::fs::File, std::fs::File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    let path = std::env::temp_dir().join(format!(
        "cakap-download-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let write = std::fs::OpenOptions::new().write(true).create_new(true).open(&path)?;
    let read = std::fs::File::open(&path);
    std::fs::remove_file(&path)?;
    Ok((write, read?))
}

/// The download's next chunk: what the writer has put in the spool past `at`, waiting for more
/// while it writes; an error when it failed or went away without finishing.
async fn next_chunk(
    (mut file, at, mut progress): (tokio::fs::File, u64, tokio::sync::watch::Receiver<Spooled>),
) -> Option<(Result<axum::body::Bytes, std::io::Error>, (tokio::fs::File, u64, tokio::sync::watch::Receiver<Spooled>))>
{
    use tokio::io::AsyncReadExt;
    if at == u64::MAX {
        return None;
    }
    loop {
        let now = *progress.borrow_and_update();
        if now.written > at {
            let mut buf = vec![0u8; (now.written - at).min(CHUNK as u64) as usize];
            let read = file.read_exact(&mut buf).await;
            return Some(match read {
                Ok(_) => {
                    let n = buf.len() as u64;
                    (Ok(buf.into()), (file, at + n, progress))
                }
                Err(e) => (Err(e), (file, u64::MAX, progress)),
            });
        }
        match now.end {
            Some(Ending::Whole) => return None,
            Some(Ending::Failed) => {
                return Some((
                    Err(std::io::Error::other("the file could not be completed")),
                    (file, u64::MAX, progress),
                ));
            }
            None => {
                if progress.changed().await.is_err() {
                    // The writer went away without finishing: never a whole file.
                    return Some((Err(std::io::Error::other("the file was not finished")), (file, u64::MAX, progress)));
                }
            }
        }
    }
}

impl CsvStream {
    /// The response to send now (the file `t`'s name and headers; its `rows` are not read) and
    /// the writer of its rows.
    pub fn start(ctx: Option<&Ctx>, t: &Table) -> Result<(Response, CsvStream), AppError> {
        let (write, read) = spool_file().map_err(anyhow::Error::from)?;
        let (progress, watching) = tokio::sync::watch::channel(Spooled::default());
        // BOM so spreadsheet programs read UTF-8.
        let mut w = csv::Writer::from_writer(vec![0xEF, 0xBB, 0xBF]);
        w.write_record(header_texts(ctx, t)).map_err(anyhow::Error::from)?;
        let chunks = futures_util::stream::unfold((tokio::fs::File::from_std(read), 0u64, watching), next_chunk);
        let response = (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{}.csv\"", file_name(ctx, t))),
            ],
            axum::body::Body::from_stream(chunks),
        )
            .into_response();
        Ok((response, CsvStream { w, spool: tokio::fs::File::from_std(write), progress }))
    }

    /// One row (text cells, guarded as `csv` guards them).
    pub async fn row(&mut self, row: &[String]) -> anyhow::Result<()> {
        self.w.write_record(row.iter().map(|v| cell(v)))?;
        if self.w.get_ref().len() >= CHUNK {
            self.send().await?;
        }
        Ok(())
    }

    async fn send(&mut self) -> anyhow::Result<()> {
        use tokio::io::AsyncWriteExt;
        if self.progress.is_closed() {
            anyhow::bail!("the download was closed");
        }
        let written = std::mem::replace(&mut self.w, csv::Writer::from_writer(Vec::with_capacity(CHUNK + 8 * 1024)));
        let bytes = written.into_inner().map_err(|e| anyhow::anyhow!("csv: {e}"))?;
        if !bytes.is_empty() {
            if self.progress.borrow().written + bytes.len() as u64 > SPOOL_MAX {
                anyhow::bail!("the file would be larger than {SPOOL_MAX} bytes");
            }
            self.spool.write_all(&bytes).await?;
            // Written through to the file before the download is told it may read it.
            self.spool.flush().await?;
            self.progress.send_modify(|p| p.written += bytes.len() as u64);
        }
        Ok(())
    }

    /// The rest of the file.
    pub async fn finish(mut self) -> anyhow::Result<()> {
        self.send().await?;
        self.progress.send_modify(|p| p.end = Some(Ending::Whole));
        Ok(())
    }

    /// Ends the download as failed after `e` (logged).
    pub async fn fail(self, e: anyhow::Error) {
        tracing::error!(error = %e, "a streamed CSV failed part way");
        self.progress.send_modify(|p| p.end = Some(Ending::Failed));
    }
}

#[cfg(test)]
mod tests {
    use calamine::{Data, Reader as _, Xlsx};

    use super::*;

    /// A streamed CSV of many chunks reads back as the same table as one written whole, and a
    /// failure part way fails the download.
    #[tokio::test]
    async fn a_streamed_csv_is_the_file_written_whole() {
        let rows: Vec<Vec<String>> = (0..20_000)
            .map(|i| vec![format!("1990010120150310{i:05}"), format!("=kursus {i}, \"bagian\""), "2,5".into()])
            .collect();
        let t = Table { name: "uji", headers: vec!["NIP".into(), "Nama".into(), "JP".into()], rows };
        let whole = csv_file(None, &t, &Columns::default()).expect("whole");
        let (response, mut out) = CsvStream::start(None, &t).expect("start");
        let sent = t.rows.clone();
        let writer = tokio::spawn(async move {
            for r in &sent {
                out.row(r).await.expect("row");
            }
            out.finish().await.expect("finish");
        });
        // The writer finishes while nobody reads yet: a slow download does not hold it (nor
        // the database connection its rows come from).
        tokio::time::timeout(std::time::Duration::from_secs(30), writer)
            .await
            .expect("the writer is not held by the reader")
            .expect("writer");
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        assert!(whole.bytes.len() > 10 * CHUNK, "the test spans many chunks");
        assert_eq!(body, whole.bytes, "the same bytes");

        // Read while it is written, the same bytes.
        let (response, mut out) = CsvStream::start(None, &t).expect("start");
        let sent = t.rows.clone();
        tokio::spawn(async move {
            for r in &sent {
                out.row(r).await.expect("row");
                tokio::task::yield_now().await;
            }
            out.finish().await.expect("finish");
        });
        let body = axum::body::to_bytes(response.into_body(), usize::MAX).await.expect("body");
        assert_eq!(body, whole.bytes, "the same bytes read behind the writer");
        // A download dropped part way stops the writer.
        let (response, mut out) = CsvStream::start(None, &t).expect("start");
        drop(response);
        let mut stopped = false;
        for r in &t.rows {
            if out.row(r).await.is_err() {
                stopped = true;
                break;
            }
        }
        assert!(stopped, "the writer learns the download was closed");

        let (response, mut out) = CsvStream::start(None, &t).expect("start");
        tokio::spawn(async move {
            out.row(&["1".into(), "2".into(), "3".into()]).await.expect("row");
            out.fail(anyhow::anyhow!("the database went away")).await;
        });
        assert!(
            axum::body::to_bytes(response.into_body(), usize::MAX).await.is_err(),
            "a failed file is not taken whole"
        );
        // A writer gone without finishing (a panic, a dropped task): not whole either.
        let (response, mut out) = CsvStream::start(None, &t).expect("start");
        tokio::spawn(async move {
            for r in t.rows.iter().take(5_000) {
                out.row(r).await.expect("row");
            }
            drop(out);
        });
        assert!(
            axum::body::to_bytes(response.into_body(), usize::MAX).await.is_err(),
            "an unfinished file is not taken whole"
        );
    }

    #[test]
    fn number_columns_are_numbers_with_totals_and_the_csv_reads_as_before() {
        let t = Table {
            name: "uji",
            headers: vec!["NIP".into(), "JP".into(), "Biaya".into(), "Tingkat".into()],
            rows: vec![
                vec!["199001012015031001".into(), "2.5".into(), "1250000".into(), "3".into()],
                vec!["199001012015031002".into(), "4".into(), "0".into(), "".into()],
            ],
        };
        let cols = Columns {
            kinds: vec![Kind::Text, Kind::Decimal, Kind::Money, Kind::Integer],
            totals: Some(("Jumlah", vec![1, 2])),
        };
        let file = xlsx_file(None, &t, &cols).expect("xlsx");
        let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(file.bytes.to_vec())).expect("read back");
        let sheet = wb.worksheet_range("uji").expect("sheet");
        let rows: Vec<&[Data]> = sheet.rows().collect();
        assert_eq!(rows[1][0], Data::String("199001012015031001".into()), "NIPs stay text");
        assert_eq!(
            (&rows[1][1], &rows[1][2], &rows[1][3]),
            (&Data::Float(2.5), &Data::Float(1_250_000.0), &Data::Float(3.0))
        );
        assert_eq!(rows[2][3], Data::Empty, "an empty number cell stays empty");
        assert_eq!(
            (&rows[3][0], &rows[3][1], &rows[3][2]),
            (&Data::String("Jumlah".into()), &Data::Float(6.5), &Data::Float(1_250_000.0))
        );
        let csv = csv_file(None, &t, &cols).expect("csv");
        let text = String::from_utf8_lossy(&csv.bytes).into_owned();
        assert!(text.contains("199001012015031001,2.5,Rp1.250.000,3"), "{text}");
        assert!(!text.contains("Jumlah"), "no totals in a CSV");
    }
}
