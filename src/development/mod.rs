//! Competency development, formal and informal: providers, trainings and their participants,
//! training requests, peer learning, JP against the yearly minimum, budgets, the development
//! history with its SIASN files, and the evaluation of what worked.

pub mod activities;
pub mod budgets;
pub mod db;
pub mod effect;
pub mod history;
pub mod hub;
pub mod jp;
pub mod model;
pub mod participants;
pub mod providers;
pub mod requests;
pub mod trainings;

use crate::app::Routes;

pub fn routes() -> Routes {
    Routes::new()
        .merge(hub::routes())
        .merge(providers::routes())
        .merge(trainings::routes())
        .merge(participants::routes())
        .merge(requests::routes())
        .merge(activities::routes())
        .merge(jp::routes())
        .merge(budgets::routes())
        .merge(history::routes())
        .merge(effect::routes())
}
