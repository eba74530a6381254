//! Employees (pegawai): list with filters, detail with standard vs current levels, create,
//! edit, deactivate, export.

pub mod db;
mod edit;
pub mod form;
mod list;
pub mod model;
mod routes;
mod status;

pub use routes::routes;
