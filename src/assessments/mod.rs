//! Assessments: an employee's level in a competency on a date, with source, assessor, note and
//! evidence. Self-assessments wait for the head or HR; the current level is the latest validated.

pub mod db;
pub mod model;
pub(crate) mod routes;

pub use routes::routes;
