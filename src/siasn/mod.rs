//! SIASN, BKN's national civil-service system: records complete before they leave (what each
//! training result still lacks, in words), the SIASN files, a live sync through SIASN's web
//! service (pushes as jobs with a log per record, resending, reconciling) and a simulator of that
//! service for the tests and the demo.

pub mod client;
pub mod ids;
pub mod push;
pub mod reconcile;
pub mod records;
pub mod refs;
pub mod routes;
pub mod settings;
pub mod sim;

pub use settings::{Settings, Siasn};

pub fn routes() -> crate::app::Routes {
    routes::routes().merge(reconcile::routes())
}
