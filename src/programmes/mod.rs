//! The programme catalogue: development programmes offered by providers and free national schemes
//! (LAN, BPSDM Jawa Barat, BSSN, Kominfo's Digital Talent Scholarship, e-learning), each with the
//! competencies it develops and to which level. Next year's plan opens classes of them; their
//! runs (trainings with `programme_id`) measure what they do. HR keeps the catalogue; heads read it.

mod catalogue;
pub mod db;
mod detail;
pub mod model;

use crate::{
    app::{Access, Routes},
    auth::Role,
};

const HR: &[Role] = &[Role::Hr];
const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .nav(35, |u| (u.has(Role::Hr) || u.has(Role::Head)).then(|| ("/programmes".into(), "nav.programmes")))
        .get("/programmes", Access::AnyOf(HR_HEAD), catalogue::list)
        .get("/programmes/new", Access::AnyOf(HR), catalogue::new_form)
        .post("/programmes", Access::AnyOf(HR), crate::app::edit::create::<catalogue::ProgrammeRecord>)
        .get("/programmes/{id}", Access::AnyOf(HR_HEAD), detail::detail)
        .get("/programmes/{id}/edit", Access::AnyOf(HR), crate::app::edit::edit_page::<catalogue::ProgrammeRecord>)
        .post("/programmes/{id}", Access::AnyOf(HR), crate::app::edit::update::<catalogue::ProgrammeRecord>)
        .post("/programmes/{id}/competencies", Access::AnyOf(HR), detail::add_competency)
        .post("/programmes/{id}/competencies/remove", Access::AnyOf(HR), detail::remove_competency)
}
