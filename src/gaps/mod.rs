//! Gap analysis, the heart of Cakap: who is under-skilled, in what, how badly, and the best way
//! to close each gap with the money available — a colleague who can teach it, or a training worth
//! its cost. Computed in SQL over the live records (`requirement_gaps`, `gap_summary`); the plan
//! and the mentor assignment are exact optimisations over what the queries return.

pub mod akpk;
pub mod assign;
pub mod db;
pub mod plan;
pub mod plan_run;
pub mod planning;
pub mod routes;

pub fn routes() -> crate::app::Routes {
    routes::routes().merge(planning::routes()).merge(akpk::routes())
}
