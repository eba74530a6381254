//! Cakap: a portal for developing the competencies of civil servants (ASN) in a regional ICT
//! department. One module folder per domain; shared plumbing lives in `app`.

pub mod accounts;
pub mod app;
pub mod approvals;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod campaigns;
pub mod competencies;
pub mod development;
pub mod employees;
pub mod gaps;
pub mod home;
pub mod i18n;
pub mod idp;
pub mod imports;
pub mod notifications;
pub mod people;
pub mod positions;
pub mod programmes;
pub mod search;
pub mod seed;
pub mod settings;
pub mod siasn;
pub mod talent;
pub mod units;

pub use app::config::Config;
pub use app::state::AppState;
