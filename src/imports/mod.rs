//! Import employees and assessments from CSV or XLSX laid out as HR keeps them. A preview shows
//! every row with its errors before anything is written; applying is all or nothing in one
//! transaction; employees are matched by NIP, so re-importing a file updates instead of duplicating.

pub mod file;
mod routes;
pub mod validate;

pub use routes::routes;
