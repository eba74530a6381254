//! The talent map (nine-box) for a unit, one person's box, the map's settings and the succession
//! pool of key positions.

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;
use serde_json::json;

use super::db::{self, Candidate, KeyPosition, Placement, Settings};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx,
        export::{self, Columns, Kind, Table},
        form::FieldErrors,
        paging::{PER_PAGE, Pager, query_string},
        pdf::{self, Block},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::CurrentUser,
    development::model::jp_text,
    employees::db as emp_db,
    units::db::UnitOption,
};

mod map;
mod pool;
mod settings;

/// Keeps HR's talent map and succession pool of the current rating year ready (the start-up
/// warm): each places everyone in reach.
pub async fn warm(state: &AppState, user: &CurrentUser, today: chrono::NaiveDate) -> AppResult<()> {
    map::warm_map(state, user, today).await?;
    pool::warm_pool(state, user, today).await
}
pub(super) use map::*;
pub(super) use pool::*;
pub(super) use settings::*;

/// A number with the reader's decimal mark.
fn num(ctx: &Ctx, v: f64) -> String {
    jp_text(v, ctx.lang.is_en())
}

fn band(ctx: &Ctx, b: i16) -> &'static str {
    match b {
        3 => ctx.t("tal.band.3"),
        2 => ctx.t("tal.band.2"),
        _ => ctx.t("tal.band.1"),
    }
}

impl Placement {
    /// Why the person stands in their box, in words, with every figure the box rests on.
    pub fn why(&self, ctx: &Ctx, year: i32) -> String {
        let potential = {
            let readiness = match self.readiness {
                Some(r) => ctx
                    .t("tal.why.readiness")
                    .replace("{r}", &r.to_string())
                    .replace("{met}", &self.met.to_string())
                    .replace("{n}", &self.assessed.to_string()),
                None => ctx.t("tal.why.readiness_unknown").to_string(),
            };
            ctx.t("tal.why.potential")
                .replace("{band}", band(ctx, self.pot_band))
                .replace("{score}", &self.potential.to_string())
                .replace("{readiness}", &readiness)
                .replace("{edu}", self.education_level.as_deref().unwrap_or("—"))
                .replace("{q}", &self.qualification.to_string())
                .replace("{jp}", &num(ctx, self.development_jp))
                .replace("{d}", &self.development.to_string())
        };
        match (self.performance, self.hasil_kerja, self.perilaku_kerja, self.predicate, self.perf_band, self.nine_box) {
            (Some(score), Some(hk), Some(pk), Some(pred), Some(pb), Some(b)) => {
                let perf = ctx
                    .t("tal.why.performance")
                    .replace("{band}", band(ctx, pb))
                    .replace("{score}", &score.to_string())
                    .replace("{hk}", ctx.label(hk))
                    .replace("{pk}", ctx.label(pk))
                    .replace("{pred}", ctx.label(pred))
                    .replace("{year}", &year.to_string());
                format!("{} {perf} {potential}", ctx.t("tal.why.box").replace("{box}", &b.to_string()))
            }
            _ => format!("{} {potential}", ctx.t("tal.why.unrated").replace("{year}", &year.to_string())),
        }
    }

    /// Low performance and low potential: the box that links to the IDP.
    pub fn low(&self) -> bool {
        self.nine_box == Some(1)
    }
}

/// One box of the grid.
pub struct Cell {
    pub number: i16,
    pub perf: i16,
    pub pot: i16,
    /// Those shown (on the map page, the first `PER_BOX`).
    pub people: Vec<usize>,
    /// How many the box holds.
    pub count: i64,
}

/// The nine boxes, laid out as drawn: potential high at the top, performance rising to the right;
/// each with the people `shown(box, index)` picks and its count.
fn grid_with(people: &[Placement], shown: impl Fn(i16, usize) -> bool, count: impl Fn(i16) -> i64) -> Vec<Cell> {
    let mut cells = vec![];
    for pot in [3, 2, 1] {
        for perf in [1, 2, 3] {
            let number = super::model::box_of(perf, pot).unwrap_or(0);
            let people = people
                .iter()
                .enumerate()
                .filter(|(i, p)| p.nine_box == Some(number) && shown(number, *i))
                .map(|(i, _)| i)
                .collect();
            cells.push(Cell { number, perf, pot, people, count: count(number) });
        }
    }
    cells
}

/// Every one of `people` in their box.
fn grid(people: &[Placement]) -> Vec<Cell> {
    grid_with(people, |_, _| true, |b| people.iter().filter(|p| p.nine_box == Some(b)).count() as i64)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct MapQuery {
    unit: String,
    year: String,
    format: String,
    /// The table's filter: a box 1–9, or 0 for those without a box.
    r#box: String,
    page: Option<i64>,
    /// The succession pool: the key position whose every candidate is listed.
    position: String,
}
