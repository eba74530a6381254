//! Employee queries. Every read is filtered by the caller's scope.

use sqlx::{PgConnection, Postgres, QueryBuilder};

use crate::auth::Scope;

mod list;
mod options;
mod record;

pub use list::*;
pub use options::*;
pub use record::*;
