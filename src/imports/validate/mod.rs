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

mod assessments;
mod employees;
mod map;

pub use assessments::*;
pub use employees::*;
pub use map::*;

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

#[cfg(test)]
mod tests;
