//! Assessment campaigns: HR or a head asks the staff of some units to assess some competencies
//! (picked, or every competency of each person's own standard) by a deadline, to fill the
//! unknowns ("belum dinilai") before the yearly AKPK. Employees answer with the existing
//! self-assessment and heads validate in the existing approval queue; the campaign only reads
//! where each item stands (`campaign_item_states`, migration 22). The employee sees what to assess
//! by when on their home, in the notifications and in the e-mail digest.

mod close;
pub mod db;
mod edit;
pub mod model;
mod open;
mod routes;

pub use routes::routes;
