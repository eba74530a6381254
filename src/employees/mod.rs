//! Employees (pegawai): list with filters, detail with standard vs current levels, create,
//! edit, deactivate, export.

pub mod db;
pub mod form;
pub mod model;
mod routes;

pub use routes::routes;
