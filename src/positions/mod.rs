//! Positions (jabatan) and their competency standards (standar kompetensi jabatan).

mod routes;

pub use routes::routes;

use crate::str_enum;

str_enum!(PositionKind {
    JptUtama => "jpt_utama", "pos.kind.jpt_utama",
    JptMadya => "jpt_madya", "pos.kind.jpt_madya",
    JptPratama => "jpt_pratama", "pos.kind.jpt_pratama",
    Administrator => "administrator", "pos.kind.administrator",
    Pengawas => "pengawas", "pos.kind.pengawas",
    Pelaksana => "pelaksana", "pos.kind.pelaksana",
    Fungsional => "fungsional", "pos.kind.fungsional",
});

str_enum!(FunctionalLevel {
    Terampil => "terampil", "pos.fl.terampil",
    Mahir => "mahir", "pos.fl.mahir",
    Penyelia => "penyelia", "pos.fl.penyelia",
    AhliPertama => "ahli_pertama", "pos.fl.ahli_pertama",
    AhliMuda => "ahli_muda", "pos.fl.ahli_muda",
    AhliMadya => "ahli_madya", "pos.fl.ahli_madya",
    AhliUtama => "ahli_utama", "pos.fl.ahli_utama",
});
