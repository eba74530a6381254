//! The competency catalog: three kinds, ICT areas, five levels with descriptors each.

pub mod model;
mod routes;

pub use routes::routes;
