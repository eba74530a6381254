//! Row checks shared by the preview and the apply step (which re-checks inside its transaction).
//! Every problem of a row is reported, and only real ones; a column the file does not carry
//! leaves the stored value as it is.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::file::{Cell, HEADER_SEARCH_ROWS, RawSheet, normalise};
use crate::{
    app::form::clean_text,
    assessments::model::Source,
    competencies::model::Level,
    employees::{
        form::{EmployeeInput, NewEmployee, parse_date},
        model::{EmployeeStatus, Nip},
    },
};

/// What kind of rows a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Employees,
    Assessments,
}

/// A column of an import: its field, the label of the template, the header names accepted
/// (normalised: lower case, letters and digits only), whether it must be there, and whether it
/// is an identifier (which a spreadsheet must hold as text, never as a number).
pub struct Field {
    pub key: &'static str,
    pub label: &'static str,
    pub names: &'static [&'static str],
    pub required: bool,
    pub identifier: bool,
}

const fn f(
    key: &'static str,
    label: &'static str,
    names: &'static [&'static str],
    required: bool,
    identifier: bool,
) -> Field {
    Field { key, label, names, required, identifier }
}

const EMPLOYEE_FIELDS: &[Field] = &[
    f("nip", "NIP", &["nip", "nipbaru", "nippegawai", "nomorindukpegawai", "nipnippk", "nippppk", "nipni"], true, true),
    f("name", "Nama", &["nama", "namalengkap", "namapegawai", "namatanpagelar", "name"], true, false),
    f("front_title", "Gelar Depan", &["gelardepan", "fronttitle", "titlebeforethename"], false, false),
    f("back_title", "Gelar Belakang", &["gelarbelakang", "backtitle", "titleafterthename"], false, false),
    f(
        "status",
        "Status",
        &["status", "statuspegawai", "statuskepegawaian", "jenispegawai", "statusasn", "jenisasn", "jeniskepegawaian"],
        true,
        false,
    ),
    f("sex", "Jenis Kelamin", &["jeniskelamin", "jk", "lp", "sex", "gender"], false, false),
    f("birth_date", "Tanggal Lahir", &["tanggallahir", "tgllahir", "tgllhr", "birthdate"], false, false),
    f(
        "rank",
        "Golongan",
        &[
            "golongan",
            "golonganruang",
            "golruang",
            "gol",
            "pangkatgolongan",
            "pangkatgol",
            "pangkatgolruang",
            "pangkat",
            "golonganpangkat",
            "rank",
        ],
        false,
        false,
    ),
    f(
        "position",
        "Jabatan",
        &["jabatan", "namajabatan", "jabatanterakhir", "jabatansekarang", "position"],
        true,
        false,
    ),
    f(
        "unit",
        "Unit Kerja",
        &["kodeunit", "unitcode", "unitkerjakode", "unitkerja", "unit", "namaunitkerja", "unor"],
        true,
        true,
    ),
    f(
        "education_level",
        "Pendidikan",
        &["pendidikan", "jenjangpendidikan", "pendidikanterakhir", "tingkatpendidikan", "education"],
        false,
        false,
    ),
    f(
        "education_field",
        "Jurusan",
        &["jurusan", "programstudi", "prodi", "bidangstudi", "educationfield"],
        false,
        false,
    ),
    f("email", "Email", &["email", "surel", "alamatemail", "alamatsurel"], false, false),
    f(
        "phone",
        "Telepon",
        &["telepon", "nohp", "nomorhp", "hp", "telp", "phone", "notelepon", "nomortelepon"],
        false,
        true,
    ),
];

const ASSESSMENT_FIELDS: &[Field] = &[
    f("nip", "NIP", &["nip", "nipbaru", "nippegawai"], true, true),
    f(
        "competency",
        "Kode Kompetensi",
        &["kodekompetensi", "kompetensi", "kode", "competencycode", "competency"],
        true,
        true,
    ),
    f("level", "Tingkat", &["tingkat", "level", "tingkatkompetensi", "levelkompetensi"], true, false),
    f("date", "Tanggal Penilaian", &["tanggalpenilaian", "tanggal", "tgl", "date", "assessedon"], true, false),
    f("source", "Sumber", &["sumber", "sumberpenilaian", "source"], true, false),
    f("assessor", "Penilai", &["penilai", "assessor", "namapenilai"], false, false),
    f("note", "Catatan", &["catatan", "keterangan", "note"], false, false),
];

impl Kind {
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "employees" => Some(Self::Employees),
            "assessments" => Some(Self::Assessments),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Employees => "employees",
            Self::Assessments => "assessments",
        }
    }

    pub fn fields(self) -> &'static [Field] {
        match self {
            Self::Employees => EMPLOYEE_FIELDS,
            Self::Assessments => ASSESSMENT_FIELDS,
        }
    }

    fn index(self, key: &str) -> usize {
        self.fields().iter().position(|f| f.key == key).unwrap_or(usize::MAX)
    }

    fn label(self, key: &str) -> String {
        self.fields().iter().find(|f| f.key == key).map(|f| f.label.to_string()).unwrap_or_else(|| key.to_string())
    }
}

/// One field that changes: from the stored value to the file's.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    pub field: String,
    pub from: String,
    pub to: String,
}

/// One row of the preview: its values (in field order, "" where the column is absent), what
/// applying would do (create, update, unchanged), its errors and the fields it changes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowResult {
    pub row: usize,
    pub values: Vec<String>,
    pub action: String,
    /// (column label, i18n key of the reason)
    pub errors: Vec<(String, String)>,
    #[serde(default)]
    pub changes: Vec<Change>,
}

/// A data row mapped to the fields: `None` where the file has no such column.
#[derive(Clone, Debug)]
pub struct MappedRow {
    pub row: usize,
    pub values: Vec<Option<String>>,
    /// Fields whose cell the spreadsheet stored as a number.
    pub numeric: Vec<bool>,
}

/// The file's layout: which fields it carries, which of its columns are ignored, and its rows.
pub struct Mapped {
    pub present: Vec<bool>,
    pub ignored: Vec<String>,
    pub rows: Vec<MappedRow>,
}

/// Why no header line was found: the required columns missing from the best candidate, or
/// (when nothing looked like a header) every name expected.
#[derive(Debug, PartialEq, Eq)]
pub enum HeaderError {
    Missing(Vec<&'static str>),
    NotFound(Vec<&'static str>),
    TooManyRows,
}

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
    if data.len() > super::file::MAX_ROWS {
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
fn number_in_identifier(kind: Kind, r: &MappedRow, errors: &mut Vec<(String, String)>) -> HashSet<&'static str> {
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
fn nip_digits(r: &MappedRow) -> String {
    r.values[0].as_deref().unwrap_or("").chars().filter(char::is_ascii_digit).collect()
}

/// Rows whose NIP (or key) appears more than once: every copy is reported.
fn repeated<K: std::hash::Hash + Eq>(keys: &[Option<K>]) -> Vec<bool> {
    let mut count: HashMap<&K, usize> = HashMap::new();
    for k in keys.iter().flatten() {
        *count.entry(k).or_default() += 1;
    }
    keys.iter().map(|k| k.as_ref().is_some_and(|k| count.get(k).copied().unwrap_or(0) > 1)).collect()
}

/// An employee as stored, for merging absent columns and showing what changes.
#[derive(sqlx::FromRow, Clone, Debug)]
struct Stored {
    nip: String,
    status: String,
    front_title: String,
    name: String,
    back_title: String,
    sex: String,
    birth_date: NaiveDate,
    rank_code: Option<String>,
    position_id: Option<i64>,
    position: String,
    unit_id: i64,
    unit: String,
    education_level: Option<String>,
    education_field: String,
    email: Option<String>,
    phone: Option<String>,
}

impl Stored {
    /// The stored value of a field as the import would write it.
    fn value(&self, key: &str) -> String {
        match key {
            "nip" => self.nip.clone(),
            "name" => self.name.clone(),
            "front_title" => self.front_title.clone(),
            "back_title" => self.back_title.clone(),
            "status" => self.status.clone(),
            "sex" => self.sex.clone(),
            "birth_date" => self.birth_date.format("%Y-%m-%d").to_string(),
            "rank" => self.rank_code.clone().unwrap_or_default().trim_start_matches("PPPK-").to_string(),
            "position" => self.position.clone(),
            "unit" => self.unit.clone(),
            "education_level" => self.education_level.clone().unwrap_or_default(),
            "education_field" => self.education_field.clone(),
            "email" => self.email.clone().unwrap_or_default(),
            "phone" => self.phone.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

/// The checked value of a field as it would be stored (for the change list).
fn new_value(e: &NewEmployee, key: &str, position: &str, unit: &str) -> String {
    match key {
        "nip" => e.nip.as_str().to_string(),
        "name" => e.name.as_str().to_string(),
        "front_title" => e.front_title.as_str().to_string(),
        "back_title" => e.back_title.as_str().to_string(),
        "status" => e.status.as_str().to_string(),
        "sex" => e.sex.as_str().to_string(),
        "birth_date" => e.birth_date.format("%Y-%m-%d").to_string(),
        "rank" => e.rank.as_ref().map(|r| r.as_str().trim_start_matches("PPPK-").to_string()).unwrap_or_default(),
        "position" => position.to_string(),
        "unit" => unit.to_string(),
        "education_level" => e.education_level.map(|l| l.as_str().to_string()).unwrap_or_default(),
        "education_field" => e.education_field.clone(),
        "email" => e.email.as_ref().map(|m| m.as_str().to_string()).unwrap_or_default(),
        "phone" => e.phone.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default(),
        _ => String::new(),
    }
}

/// A checked employee row ready to write.
pub struct EmployeeRow {
    pub employee: NewEmployee,
    pub position_id: i64,
    pub unit_id: i64,
    /// Whether applying writes anything (a new employee, or a field that changes).
    pub changes: bool,
}

/// Check employee rows with a bounded number of queries (look-ups are loaded as sets).
pub async fn employees(
    conn: &mut PgConnection,
    mapped: &Mapped,
    today: NaiveDate,
) -> Result<(Vec<RowResult>, Vec<EmployeeRow>), sqlx::Error> {
    let kind = Kind::Employees;
    let units: Vec<(i64, String, String, String)> =
        sqlx::query_as("select id, lower(code), lower(name), code from units where closed_on is null")
            .fetch_all(&mut *conn)
            .await?;
    let positions: Vec<(i64, i64, String, String)> =
        sqlx::query_as("select id, unit_id, lower(name), name from positions where active")
            .fetch_all(&mut *conn)
            .await?;
    let nips: Vec<String> = mapped.rows.iter().map(nip_digits).collect();
    let stored: HashMap<String, Stored> = sqlx::query_as::<_, Stored>(
        "select e.nip, e.status, e.front_title, e.name, e.back_title, e.sex, e.birth_date, e.rank_code,
                e.position_id, coalesce(p.name, '') as position, e.unit_id, u.code as unit, e.education_level,
                e.education_field, e.email, e.phone
         from employees e join units u on u.id = e.unit_id left join positions p on p.id = e.position_id
         where e.nip = any($1)",
    )
    .bind(&nips)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|s| (s.nip.clone(), s))
    .collect();
    let mut unit_by: HashMap<String, (i64, String)> = HashMap::new();
    for (id, code, name, shown) in &units {
        unit_by.insert(code.clone(), (*id, shown.clone()));
        unit_by.entry(name.clone()).or_insert((*id, shown.clone()));
    }
    let pos_by: HashMap<(i64, String), (i64, String)> =
        positions.into_iter().map(|(id, u, n, shown)| ((u, n), (id, shown))).collect();
    let dup = repeated(&nips.iter().map(|n| (!n.is_empty()).then_some(n.clone())).collect::<Vec<_>>());
    let fields = kind.fields();
    let mut results = vec![];
    let mut ok = vec![];
    for (ri, r) in mapped.rows.iter().enumerate() {
        if is_example(r) {
            let values = r.values.iter().map(|v| v.clone().unwrap_or_default()).collect();
            results.push(RowResult { row: r.row, values, action: "example".into(), errors: vec![], changes: vec![] });
            continue;
        }
        let mut errors: Vec<(String, String)> = vec![];
        let numbers = number_in_identifier(kind, r, &mut errors);
        let existing = stored.get(&nips[ri]);
        // A column the file does not carry keeps the stored value.
        let get = |key: &str| -> String {
            let i = kind.index(key);
            match r.values.get(i).cloned().flatten() {
                Some(v) => v,
                None => existing.map(|s| s.value(key)).unwrap_or_default(),
            }
        };
        let input = EmployeeInput {
            nip: get("nip"),
            name: get("name"),
            front_title: get("front_title"),
            back_title: get("back_title"),
            status: get("status").to_uppercase(),
            sex: get("sex"),
            birth_date: get("birth_date"),
            rank: get("rank"),
            position: get("position"),
            education_level: get("education_level"),
            education_field: get("education_field"),
            email: get("email"),
            phone: get("phone"),
        };
        let parsed = input.parse(today);
        if let Err(fe) = &parsed {
            for (field, key) in &fe.0 {
                if !numbers.contains(*field) {
                    errors.push((kind.label(field), (*key).to_string()));
                }
            }
        }
        let unit =
            if numbers.contains("unit") { None } else { unit_by.get(&get("unit").trim().to_lowercase()).cloned() };
        if unit.is_none() && !numbers.contains("unit") {
            errors.push((kind.label("unit"), "imp.err.unit".into()));
        }
        let position =
            unit.as_ref().and_then(|(u, _)| pos_by.get(&(*u, input.position.trim().to_lowercase())).cloned());
        if unit.is_some() && position.is_none() {
            errors.push((kind.label("position"), "imp.err.position".into()));
        }
        if dup[ri] {
            errors.push((kind.label("nip"), "imp.err.duplicate".into()));
        }
        let mut changes = vec![];
        let mut action = if existing.is_some() { "update" } else { "create" };
        if let (Ok(e), Some((pid, pname)), Some((uid, ucode)), true) = (&parsed, &position, &unit, errors.is_empty()) {
            if let Some(s) = existing {
                for fld in fields {
                    let from = s.value(fld.key);
                    let to = new_value(e, fld.key, pname, ucode);
                    let same = match fld.key {
                        "position" => s.position_id == Some(*pid),
                        "unit" => s.unit_id == *uid,
                        _ => from == to,
                    };
                    if !same {
                        changes.push(Change { field: fld.label.into(), from, to });
                    }
                }
                if changes.is_empty() {
                    action = "unchanged";
                }
            }
            ok.push(EmployeeRow {
                employee: e.clone(),
                position_id: *pid,
                unit_id: *uid,
                changes: action != "unchanged",
            });
        }
        let values = r.values.iter().map(|v| v.clone().unwrap_or_default()).collect();
        results.push(RowResult { row: r.row, values, action: action.into(), errors, changes });
    }
    Ok((results, ok))
}

/// The NIP of the templates' example row: a row carrying it is the example left in the file, shown
/// in the preview as skipped and never imported.
pub const EXAMPLE_NIP: &str = "198609262015051001";

fn is_example(r: &MappedRow) -> bool {
    r.values.first().cloned().flatten().is_some_and(|v| v.trim() == EXAMPLE_NIP)
}

/// A checked assessment row ready to write.
pub struct AssessmentRow {
    pub employee_id: i64,
    pub competency_id: i64,
    pub level: Level,
    pub date: NaiveDate,
    pub source: Source,
    /// `None` where the file has no such column (the stored value stays).
    pub assessor: Option<String>,
    pub note: Option<String>,
    pub changes: bool,
}

fn source(s: &str) -> Option<Source> {
    let n: String = s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    match n.as_str() {
        "atasan" | "penilaianatasan" | "supervisor" => Some(Source::Supervisor),
        "sertifikasi" | "sertifikat" | "certification" => Some(Source::Certification),
        "uji" | "ujikompetensi" | "tes" | "test" => Some(Source::Test),
        "assessmentcenter" | "assessmentcentre" | "pusatpenilaian" => Some(Source::AssessmentCentre),
        "pelatihan" | "hasilpelatihan" | "training" => Some(Source::Training),
        "mandiri" | "penilaianmandiri" | "self" => Some(Source::SelfAssessment),
        _ => Source::parse(s),
    }
}

/// A validated assessment already stored under the same key (employee, competency, date, source).
#[derive(sqlx::FromRow)]
struct StoredAssessment {
    employee_id: i64,
    competency_id: i64,
    assessed_on: NaiveDate,
    source: Source,
    level: i16,
    assessor_name: String,
    note: String,
}

pub async fn assessments(
    conn: &mut PgConnection,
    mapped: &Mapped,
    today: NaiveDate,
) -> Result<(Vec<RowResult>, Vec<AssessmentRow>), sqlx::Error> {
    let kind = Kind::Assessments;
    let nips: Vec<String> = mapped.rows.iter().map(nip_digits).collect();
    let codes: Vec<String> =
        mapped.rows.iter().map(|r| r.values[1].clone().unwrap_or_default().trim().to_uppercase()).collect();
    let emps: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("select nip, id from employees where nip = any($1)")
            .bind(&nips)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let comps: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("select code, id from competencies where code = any($1)")
            .bind(&codes)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let ids: Vec<i64> = emps.values().copied().collect();
    let stored: HashMap<(i64, i64, NaiveDate, Source), StoredAssessment> = sqlx::query_as::<_, StoredAssessment>(
        "select distinct on (employee_id, competency_id, assessed_on, source)
                employee_id, competency_id, assessed_on, source, level, assessor_name, note
         from assessments where status = 'validated' and employee_id = any($1)
         order by employee_id, competency_id, assessed_on, source, id",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|s| ((s.employee_id, s.competency_id, s.assessed_on, s.source), s))
    .collect();
    let mut checked = vec![];
    for (ri, r) in mapped.rows.iter().enumerate() {
        let g = |i: usize| r.values.get(i).cloned().flatten().unwrap_or_default();
        let mut errors: Vec<(String, String)> = vec![];
        let numbers = number_in_identifier(kind, r, &mut errors);
        let mut err = |fld: &str, k: &str| errors.push((kind.label(fld), k.to_string()));
        let employee = if numbers.contains("nip") {
            None
        } else {
            match Nip::parse(&g(0), EmployeeStatus::Pppk, today) {
                Err(e) => {
                    err("nip", e.key());
                    None
                }
                Ok(nip) => match emps.get(nip.as_str()) {
                    Some(id) => Some(*id),
                    None => {
                        err("nip", "imp.err.unknown_nip");
                        None
                    }
                },
            }
        };
        let competency = comps.get(&codes[ri]).copied();
        if competency.is_none() && !numbers.contains("competency") {
            err("competency", "imp.err.competency");
        }
        let level = Level::parse(&g(2)).map_err(|k| err("level", k)).ok();
        let date = match parse_date(&g(3)) {
            None => {
                err("date", "form.bad_date");
                None
            }
            Some(d) if d > today => {
                err("date", "asm.err.future");
                None
            }
            Some(d) => Some(d),
        };
        let src = source(&g(4));
        if src.is_none() {
            err("source", "asm.err.source");
        }
        let assessor =
            r.values[5].as_ref().map(|v| clean_text(v, 200).map_err(|k| err("assessor", k)).unwrap_or_default());
        let note = r.values[6].as_ref().map(|v| clean_text(v, 2000).map_err(|k| err("note", k)).unwrap_or_default());
        let key = match (employee, competency, date, src) {
            (Some(e), Some(c), Some(d), Some(s)) => Some((e, c, d, s)),
            _ => None,
        };
        checked.push((key, level, assessor, note, errors));
    }
    let dup = repeated(&checked.iter().map(|c| c.0).collect::<Vec<_>>());
    let mut results = vec![];
    let mut ok = vec![];
    for (ri, (key, level, assessor, note, mut errors)) in checked.into_iter().enumerate() {
        let r = &mapped.rows[ri];
        if is_example(r) {
            let values = r.values.iter().map(|v| v.clone().unwrap_or_default()).collect();
            results.push(RowResult { row: r.row, values, action: "example".into(), errors: vec![], changes: vec![] });
            continue;
        }
        if dup[ri] {
            errors.push((kind.label("nip"), "imp.err.duplicate_assessment".into()));
        }
        let mut changes = vec![];
        let mut action = "create";
        if let (Some(k), Some(level), true) = (key, level, errors.is_empty()) {
            if let Some(s) = stored.get(&k) {
                action = "update";
                let mut change = |field: &str, from: String, to: String| {
                    if from != to {
                        changes.push(Change { field: kind.label(field), from, to });
                    }
                };
                change("level", s.level.to_string(), level.get().to_string());
                if let Some(a) = &assessor {
                    change("assessor", s.assessor_name.clone(), a.clone());
                }
                if let Some(n) = &note {
                    change("note", s.note.clone(), n.clone());
                }
                if changes.is_empty() {
                    action = "unchanged";
                }
            }
            ok.push(AssessmentRow {
                employee_id: k.0,
                competency_id: k.1,
                date: k.2,
                source: k.3,
                level,
                assessor: assessor.clone(),
                note: note.clone(),
                changes: action != "unchanged",
            });
        }
        let values = r.values.iter().map(|v| v.clone().unwrap_or_default()).collect();
        results.push(RowResult { row: r.row, values, action: action.into(), errors, changes });
    }
    Ok((results, ok))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sheet(rows: &[&[&str]]) -> RawSheet {
        RawSheet {
            rows: rows.iter().enumerate().map(|(i, r)| (i + 1, r.iter().map(|c| Cell::text(c)).collect())).collect(),
        }
    }

    #[test]
    fn header_below_a_title_block_and_ignored_columns() {
        let s = sheet(&[
            &["DINAS KOMUNIKASI, INFORMATIKA DAN STATISTIK"],
            &["Daftar Pegawai per 1 November 2026"],
            &["No", "NIP Baru", "Nama", "Status Pegawai", "Gol/Ruang", "Jabatan Terakhir", "Unit Kerja", "Agama"],
            &["1", "198609262015051001", "Asep", "PNS", "III/b", "Pranata Komputer", "APT-PA", "Islam"],
        ]);
        let m = map_rows(Kind::Employees, &s).expect("header found");
        assert_eq!(m.ignored, vec!["No".to_string(), "Agama".to_string()]);
        assert_eq!(m.rows.len(), 1);
        assert_eq!(m.rows[0].row, 4);
        assert_eq!(m.rows[0].values[7], Some("III/b".into()));
        assert_eq!(m.rows[0].values[2], None, "no Gelar Depan column: absent, not empty");
    }

    #[test]
    fn no_header_says_what_is_expected() {
        let s = sheet(&[&["a", "b"], &["1", "2"]]);
        match map_rows(Kind::Assessments, &s) {
            Err(HeaderError::NotFound(names)) => assert!(names.contains(&"Kode Kompetensi")),
            other => panic!("unexpected {:?}", other.err()),
        }
        let s = sheet(&[&["NIP", "Nama"], &["1", "2"]]);
        assert_eq!(
            map_rows(Kind::Employees, &s).err(),
            Some(HeaderError::Missing(vec!["Status", "Jabatan", "Unit Kerja"]))
        );
    }

    #[test]
    fn numbers_in_identifiers_are_refused() {
        let r = MappedRow {
            row: 2,
            values: vec![Some("198609262015051000".into()), None, None, None, None, None, None],
            numeric: vec![true, false, false, false, false, false, false],
        };
        let mut errors = vec![];
        let bad = number_in_identifier(Kind::Assessments, &r, &mut errors);
        assert!(bad.contains("nip"));
        assert_eq!(errors, vec![("NIP".to_string(), "imp.err.nip_number".to_string())]);
        let r = MappedRow { numeric: vec![false; 7], values: vec![Some("1.98609262015051E+17".into()); 7], row: 2 };
        let mut errors = vec![];
        assert!(number_in_identifier(Kind::Assessments, &r, &mut errors).contains("nip"));
    }
}
