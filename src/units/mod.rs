//! The unit tree (dinas → bidang/sekretariat → seksi/subbagian/UPT): move, rename, close.

pub mod db;
mod routes;
mod search;

pub use routes::routes;

use crate::str_enum;

str_enum!(UnitKind {
    Dinas => "dinas", "unit.kind.dinas",
    Sekretariat => "sekretariat", "unit.kind.sekretariat",
    Bidang => "bidang", "unit.kind.bidang",
    Subbagian => "subbagian", "unit.kind.subbagian",
    Seksi => "seksi", "unit.kind.seksi",
    Upt => "upt", "unit.kind.upt",
});
