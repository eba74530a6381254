//! Mapping a sheet's rows onto an import's fields, and the checks shared by every kind.

use super::*;

/// Find the header line (a title block may stand above it), map the columns to fields, and
/// list the columns that are not recognised.
pub fn map_rows(kind: Kind, sheet: &RawSheet) -> Result<Mapped, HeaderError> {
    let fields = kind.fields();
    let match_row = |cells: &[Cell]| -> Vec<Option<usize>> {
        let headers: Vec<String> = cells.iter().map(|c| normalise(&c.text)).collect();
        fields.iter().map(|f| headers.iter().position(|h| f.names.contains(&h.as_str()))).collect()
    };
    let mut best: Option<(usize, Vec<Option<usize>>)> = None;
    for (i, (_, cells)) in sheet.rows.iter().enumerate().take(HEADER_SEARCH_ROWS) {
        let cols = match_row(cells);
        let complete = fields.iter().zip(&cols).all(|(f, c)| !f.required || c.is_some());
        let score = cols.iter().filter(|c| c.is_some()).count();
        if complete {
            best = Some((i, cols));
            break;
        }
        if score >= 2 && best.as_ref().is_none_or(|(_, b)| b.iter().filter(|c| c.is_some()).count() < score) {
            best = Some((i, cols));
        }
    }
    let Some((header_at, cols)) = best else {
        return Err(HeaderError::NotFound(fields.iter().map(|f| f.label).collect()));
    };
    let missing: Vec<&'static str> =
        fields.iter().zip(&cols).filter(|(f, c)| f.required && c.is_none()).map(|(f, _)| f.label).collect();
    if !missing.is_empty() {
        return Err(HeaderError::Missing(missing));
    }
    let header = &sheet.rows[header_at].1;
    let used: HashSet<usize> = cols.iter().flatten().copied().collect();
    let ignored = header
        .iter()
        .enumerate()
        .filter(|(i, c)| !used.contains(i) && !c.text.trim().is_empty())
        .map(|(_, c)| c.text.trim().to_string())
        .collect();
    let data = &sheet.rows[header_at + 1..];
    if data.len() > crate::imports::file::MAX_ROWS {
        return Err(HeaderError::TooManyRows);
    }
    let rows = data
        .iter()
        .map(|(n, r)| MappedRow {
            row: *n,
            values: cols.iter().map(|c| c.map(|i| r.get(i).map(|c| c.text.clone()).unwrap_or_default())).collect(),
            numeric: cols.iter().map(|c| c.and_then(|i| r.get(i)).is_some_and(|c| c.numeric)).collect(),
        })
        .collect();
    Ok(Mapped { present: cols.iter().map(Option::is_some).collect(), ignored, rows })
}

/// An identifier that reached us as a number (or as Excel's scientific notation of one) has
/// already lost digits or leading zeros: it is refused, never guessed.
pub(super) fn number_in_identifier(
    kind: Kind,
    r: &MappedRow,
    errors: &mut Vec<(String, String)>,
) -> HashSet<&'static str> {
    let mut bad = HashSet::new();
    for (i, f) in kind.fields().iter().enumerate() {
        if !f.identifier {
            continue;
        }
        let text = r.values[i].as_deref().unwrap_or("");
        let scientific = text.contains(['E', 'e'])
            && text.chars().all(|c| c.is_ascii_digit() || matches!(c, 'E' | 'e' | '+' | '.' | ',' | '-'))
            && text.chars().next().is_some_and(|c| c.is_ascii_digit());
        if (r.numeric[i] && !text.is_empty()) || scientific {
            let key = if f.key == "nip" { "imp.err.nip_number" } else { "imp.err.number_cell" };
            errors.push((f.label.to_string(), key.into()));
            bad.insert(f.key);
        }
    }
    bad
}

/// The NIP of a row as digits (for look-ups before the full check).
pub(super) fn nip_digits(r: &MappedRow) -> String {
    r.values[0].as_deref().unwrap_or("").chars().filter(char::is_ascii_digit).collect()
}

/// Rows whose NIP (or key) appears more than once: every copy is reported.
pub(super) fn repeated<K: std::hash::Hash + Eq>(keys: &[Option<K>]) -> Vec<bool> {
    let mut count: HashMap<&K, usize> = HashMap::new();
    for k in keys.iter().flatten() {
        *count.entry(k).or_default() += 1;
    }
    keys.iter().map(|k| k.as_ref().is_some_and(|k| count.get(k).copied().unwrap_or(0) > 1)).collect()
}
