//! Shared plumbing: configuration, state, the router, middleware, errors and rendering.

pub mod assets;
pub mod backup;
pub mod chart;
pub mod clock;
pub mod config;
pub mod context;
pub mod db;
pub mod decide;
pub mod edit;
pub mod enums;
pub mod error;
pub mod export;
pub mod form;
pub mod health;
pub mod jobs;
pub mod num;
pub mod paging;
pub mod pdf;
pub mod recent;
pub mod render;
pub mod replica;
pub mod retry;
pub mod router;
pub mod routes;
pub mod rules;
pub mod server;
pub mod state;
pub mod versioned;
pub mod warm;

pub use context::Ctx;
pub use error::{AppError, AppResult};
pub use routes::{Access, RouteInfo, Routes};
pub use state::AppState;
