//! One integration test binary: every test gets a fresh migrated database (`#[sqlx::test]`)
//! and talks to the real router.

mod access;
mod accounts;
mod akpk;
mod assessments;
mod auth;
mod browser;
mod campaigns;
mod concurrency;
mod demo;
mod development;
mod digest;
mod e2e;
mod foundation;
mod gaps;
mod helpers;
mod imports;
mod programmes;
mod records;
mod schema;
mod siasn;
mod signin;
mod truth;
mod unknown;
