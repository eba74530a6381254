//! Account management for admin and HR: create an account for an employee with a one-time
//! password, reset it, change roles, disable and enable; accounts for a whole unit at once with
//! one-time sign-in codes (letters or e-mail).

mod batch;
mod bulk;
pub mod codes;
mod create;
mod db;
mod form;
mod manage;
mod roles;
mod routes;

pub use db::{create_account, follow_positions, generate_one_time_password};
pub use routes::routes;
