//! Account management for admin and HR: create an account for an employee with a one-time
//! password, reset it, change roles, disable and enable.

mod db;
mod routes;

pub use db::{create_account, generate_one_time_password};
pub use routes::routes;
