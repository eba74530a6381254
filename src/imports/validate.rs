//! Row checks shared by the preview and the apply step (which re-checks inside its transaction).

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sqlx::PgConnection;

use super::file::{Sheet, columns};
use crate::{
    app::form::clean_text,
    assessments::model::Source,
    competencies::model::Level,
    employees::{
        form::{EmployeeInput, parse_date},
        model::{EmployeeStatus, Nip},
    },
};

/// What kind of rows a file holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Employees,
    Assessments,
}

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

    /// (field, column label in the template, accepted header names after normalising, required)
    pub fn fields(self) -> &'static [(&'static str, &'static str, &'static [&'static str], bool)] {
        match self {
            Self::Employees => &[
                ("nip", "NIP", &["nip", "nipnippk", "nippppk"], true),
                ("name", "Nama", &["nama", "namalengkap", "namapegawai", "name"], true),
                ("front_title", "Gelar Depan", &["gelardepan", "fronttitle"], false),
                ("back_title", "Gelar Belakang", &["gelarbelakang", "backtitle"], false),
                ("status", "Status", &["status", "statuskepegawaian", "jenispegawai", "statusasn"], true),
                ("sex", "Jenis Kelamin", &["jeniskelamin", "jk", "lp", "sex"], false),
                ("birth_date", "Tanggal Lahir", &["tanggallahir", "tgllahir", "birthdate"], false),
                ("rank", "Golongan", &["golongan", "golonganruang", "pangkatgolongan", "pangkat", "rank"], false),
                ("position", "Jabatan", &["jabatan", "namajabatan", "position"], true),
                ("unit", "Unit Kerja", &["unitkerja", "unit", "kodeunit", "unitkerjakode"], true),
                (
                    "education_level",
                    "Pendidikan",
                    &["pendidikan", "jenjangpendidikan", "pendidikanterakhir", "education"],
                    false,
                ),
                ("education_field", "Jurusan", &["jurusan", "programstudi", "bidangstudi", "educationfield"], false),
                ("email", "Email", &["email", "surel", "alamatemail"], false),
                ("phone", "Telepon", &["telepon", "nohp", "nomorhp", "hp", "telp", "phone", "notelepon"], false),
            ],
            Self::Assessments => &[
                ("nip", "NIP", &["nip"], true),
                (
                    "competency",
                    "Kode Kompetensi",
                    &["kodekompetensi", "kompetensi", "kode", "competencycode", "competency"],
                    true,
                ),
                ("level", "Tingkat", &["tingkat", "level", "tingkatkompetensi"], true),
                ("date", "Tanggal Penilaian", &["tanggalpenilaian", "tanggal", "tgl", "date", "assessedon"], true),
                ("source", "Sumber", &["sumber", "sumberpenilaian", "source"], true),
                ("assessor", "Penilai", &["penilai", "assessor", "namapenilai"], false),
                ("note", "Catatan", &["catatan", "keterangan", "note"], false),
            ],
        }
    }
}

/// One row of the preview: its values (in field order), what applying would do, its errors.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct RowResult {
    pub row: usize,
    pub values: Vec<String>,
    pub action: String,
    /// (column label, i18n key of the reason)
    pub errors: Vec<(String, String)>,
}

/// The header check: the file's columns mapped to fields, or the missing required columns.
pub fn map_rows(kind: Kind, sheet: &Sheet) -> Result<Vec<(usize, Vec<String>)>, Vec<&'static str>> {
    let spec: Vec<(&'static str, &[&str])> = kind.fields().iter().map(|(f, _, names, _)| (*f, *names)).collect();
    let cols = columns(&sheet.headers, &spec);
    let missing: Vec<&'static str> = kind
        .fields()
        .iter()
        .filter(|(f, _, _, req)| *req && !cols.contains_key(f))
        .map(|(_, label, _, _)| *label)
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    Ok(sheet
        .rows
        .iter()
        .map(|(n, r)| {
            let values = kind
                .fields()
                .iter()
                .map(|(f, _, _, _)| cols.get(f).and_then(|i| r.get(*i)).cloned().unwrap_or_default())
                .collect();
            (*n, values)
        })
        .collect())
}

fn label(kind: Kind, field: &str) -> String {
    kind.fields()
        .iter()
        .find(|(f, ..)| *f == field)
        .map(|(_, l, ..)| l.to_string())
        .unwrap_or_else(|| field.to_string())
}

/// A checked employee row ready to write.
pub struct EmployeeRow {
    pub input: EmployeeInput,
    pub position_id: i64,
    pub unit_id: i64,
}

fn employee_input(v: &[String]) -> (EmployeeInput, String) {
    let g = |i: usize| v.get(i).cloned().unwrap_or_default();
    (
        EmployeeInput {
            nip: g(0),
            name: g(1),
            front_title: g(2),
            back_title: g(3),
            status: g(4).to_uppercase(),
            sex: g(5),
            birth_date: g(6),
            rank: g(7),
            position: g(8),
            education_level: g(10),
            education_field: g(11),
            email: g(12),
            phone: g(13),
        },
        g(9),
    )
}

/// Check employee rows with a bounded number of queries (lookups are loaded as sets).
pub async fn employees(
    conn: &mut PgConnection,
    rows: &[(usize, Vec<String>)],
) -> Result<(Vec<RowResult>, Vec<EmployeeRow>), sqlx::Error> {
    let units: Vec<(i64, String, String)> =
        sqlx::query_as("select id, lower(code), lower(name) from units where closed_on is null")
            .fetch_all(&mut *conn)
            .await?;
    let positions: Vec<(i64, i64, String)> =
        sqlx::query_as("select id, unit_id, lower(name) from positions where active").fetch_all(&mut *conn).await?;
    let nips: Vec<String> = rows
        .iter()
        .map(|(_, v)| v.first().cloned().unwrap_or_default().chars().filter(char::is_ascii_digit).collect())
        .collect();
    let existing: HashSet<String> = sqlx::query_scalar::<_, String>("select nip from employees where nip = any($1)")
        .bind(&nips)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect();
    let mut unit_by: HashMap<String, i64> = HashMap::new();
    for (id, code, name) in &units {
        unit_by.insert(code.clone(), *id);
        unit_by.entry(name.clone()).or_insert(*id);
    }
    let pos_by: HashMap<(i64, String), i64> = positions.into_iter().map(|(id, u, n)| ((u, n), id)).collect();
    let mut seen: HashSet<String> = HashSet::new();
    let mut results = vec![];
    let mut ok = vec![];
    for (n, values) in rows {
        let (input, unit_text) = employee_input(values);
        let mut errors: Vec<(String, String)> = vec![];
        let parsed = input.parse();
        if let Err(fe) = &parsed {
            for (f, k) in &fe.0 {
                errors.push((label(Kind::Employees, f), (*k).to_string()));
            }
        }
        let unit = unit_by.get(&unit_text.trim().to_lowercase()).copied();
        if unit.is_none() {
            errors.push((label(Kind::Employees, "unit"), "imp.err.unit".into()));
        }
        let position = unit.and_then(|u| pos_by.get(&(u, input.position.trim().to_lowercase())).copied());
        if unit.is_some() && position.is_none() {
            errors.push((label(Kind::Employees, "position"), "imp.err.position".into()));
        }
        let nip = parsed.as_ref().map(|e| e.nip.as_str().to_string()).unwrap_or_default();
        if !nip.is_empty() && !seen.insert(nip.clone()) {
            errors.push((label(Kind::Employees, "nip"), "imp.err.duplicate".into()));
        }
        let action = if existing.contains(&nip) { "update" } else { "create" };
        if let (true, Some(p), Some(u)) = (errors.is_empty(), position, unit) {
            ok.push(EmployeeRow { input: input.clone(), position_id: p, unit_id: u });
        }
        results.push(RowResult { row: *n, values: values.clone(), action: action.into(), errors });
    }
    Ok((results, ok))
}

/// A checked assessment row ready to write.
pub struct AssessmentRow {
    pub employee_id: i64,
    pub competency_id: i64,
    pub level: Level,
    pub date: chrono::NaiveDate,
    pub source: Source,
    pub assessor: String,
    pub note: String,
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

pub async fn assessments(
    conn: &mut PgConnection,
    rows: &[(usize, Vec<String>)],
) -> Result<(Vec<RowResult>, Vec<AssessmentRow>), sqlx::Error> {
    let nips: Vec<String> = rows
        .iter()
        .map(|(_, v)| v.first().cloned().unwrap_or_default().chars().filter(char::is_ascii_digit).collect())
        .collect();
    let codes: Vec<String> =
        rows.iter().map(|(_, v)| v.get(1).cloned().unwrap_or_default().trim().to_uppercase()).collect();
    let emps: HashMap<String, (i64, String)> =
        sqlx::query_as::<_, (String, i64, String)>("select nip, id, status from employees where nip = any($1)")
            .bind(&nips)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|(nip, id, st)| (nip, (id, st)))
            .collect();
    let comps: HashMap<String, i64> =
        sqlx::query_as::<_, (String, i64)>("select code, id from competencies where code = any($1)")
            .bind(&codes)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect();
    let today = chrono::Utc::now().date_naive();
    let mut results = vec![];
    let mut ok = vec![];
    for (n, v) in rows {
        let g = |i: usize| v.get(i).cloned().unwrap_or_default();
        let mut errors: Vec<(String, String)> = vec![];
        let mut err = |f: &str, k: &str| errors.push((label(Kind::Assessments, f), k.to_string()));
        let nip_digits: String = g(0).chars().filter(|c| !c.is_whitespace()).collect();
        let employee = match Nip::parse(&nip_digits, EmployeeStatus::Pppk) {
            Err(e) => {
                err("nip", e.key());
                None
            }
            Ok(nip) => match emps.get(nip.as_str()) {
                Some((id, _)) => Some(*id),
                None => {
                    err("nip", "imp.err.unknown_nip");
                    None
                }
            },
        };
        let competency = comps.get(&g(1).trim().to_uppercase()).copied();
        if competency.is_none() {
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
        let assessor = clean_text(&g(5), 200).map_err(|k| err("assessor", k)).unwrap_or_default();
        let note = clean_text(&g(6), 2000).map_err(|k| err("note", k)).unwrap_or_default();
        if let (Some(employee_id), Some(competency_id), Some(level), Some(date), Some(source), true) =
            (employee, competency, level, date, src, errors.is_empty())
        {
            ok.push(AssessmentRow { employee_id, competency_id, level, date, source, assessor, note });
        }
        results.push(RowResult { row: *n, values: v.clone(), action: "create".into(), errors });
    }
    Ok((results, ok))
}
