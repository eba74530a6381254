//! One integration test binary: every test gets a fresh migrated database (`#[sqlx::test]`)
//! and talks to the real router.

mod access;
mod accounts;
mod agency_day;
mod akpk;
mod assessments;
mod auth;
mod browser;
mod bulk_accounts;
mod campaigns;
mod concurrency;
mod demo;
mod development;
mod digest;
mod e2e;
mod e2e_accounts;
mod e2e_picker;
mod e2e_talent;
mod fit;
mod foundation;
mod gaps;
mod helpers;
mod idp;
mod imports;
mod picker;
mod programmes;
mod records;
mod rules;
mod scale;
mod schema;
mod siasn;
mod signin;
mod talent;
mod truth;
mod ui;
mod unknown;
