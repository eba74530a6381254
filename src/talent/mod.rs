//! Talent management (PermenPANRB 3/2020): yearly performance ratings (SKP 2022, PermenPANRB
//! 6/2022), the nine-box talent map of performance against potential for a unit with every
//! person's box explained, the succession pool of key positions (boxes 7–9 and their gap against
//! the position's standard), and the map's weights as settings with their sources named.

pub mod db;
pub mod model;
mod ratings;
mod routes;
mod siasn_skp;

pub use routes::warm;

use crate::{
    app::{Access, Routes},
    auth::Role,
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];
const HR: &[Role] = &[Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .nav(39, |u| {
            if u.has(Role::Hr) || u.has(Role::Head) {
                Some(("/talent".into(), "nav.talent"))
            } else {
                u.employee_id.map(|id| (format!("/employees/{id}/talent"), "nav.talent_own"))
            }
        })
        .get("/talent", Access::AnyOf(HR_HEAD), routes::map)
        .get("/talent/me", Access::SignedIn, routes::me)
        .get("/employees/{id}/talent", Access::SignedIn, routes::own)
        .get("/talent/settings", Access::AnyOf(HR_HEAD), routes::settings_form)
        .post("/talent/settings", Access::AnyOf(HR), routes::save_settings)
        .get("/talent/pool", Access::AnyOf(HR_HEAD), routes::pool)
        .post("/talent/pool/key", Access::AnyOf(HR), routes::set_key)
        .get("/talent/ratings", Access::AnyOf(HR), ratings::list)
        .post("/talent/ratings", Access::AnyOf(HR), ratings::record)
        .post("/talent/ratings/import", Access::AnyOf(HR), ratings::import)
        .get("/talent/ratings/template.csv", Access::AnyOf(HR), ratings::template)
        .get("/talent/ratings/siasn", Access::AnyOf(HR), siasn_skp::form)
        .post("/talent/ratings/siasn", Access::AnyOf(HR), siasn_skp::pull)
}
