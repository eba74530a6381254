//! Individual development plans (rencana pengembangan individu, IDP; PermenPANRB 3/2020): made
//! from the gap card in one step, a line per gap with its goal level, target date, route (a
//! catalogue programme, a scheduled training, a named mentor, self-study with a report, an
//! assignment) and expected JP; approved by the head; progress read from the records (passed
//! trainings, confirmed informal learning, validated levels), never typed twice. HR's templates per
//! position apply in bulk, each person keeping only the lines they need; the accepted unit plan
//! (AKPK) pre-fills the lines.

pub mod db;
pub mod model;
pub mod routes;
mod templates;

use crate::{
    app::{Access, Routes},
    auth::Role,
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];
const HR: &[Role] = &[Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .nav(38, |u| (u.has(Role::Hr) || u.has(Role::Head)).then(|| ("/idp".into(), "nav.idp")))
        .get("/idp", Access::AnyOf(HR_HEAD), routes::unit)
        .get("/employees/{id}/idp", Access::SignedIn, routes::show)
        .post("/employees/{id}/idp", Access::AnyOf(HR_HEAD), routes::create)
        .post("/employees/{id}/idp/lines/{line}", Access::SignedIn, routes::save_line)
        .post("/employees/{id}/idp/approve", Access::AnyOf(HR_HEAD), routes::approve)
        .get("/idp/templates", Access::AnyOf(HR), templates::page)
        .post("/idp/templates", Access::AnyOf(HR), templates::add)
        .post("/idp/templates/remove", Access::AnyOf(HR), templates::remove)
        .post("/idp/templates/apply", Access::AnyOf(HR), templates::apply)
}
