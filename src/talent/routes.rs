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
        pdf::{self, Block},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::CurrentUser,
    development::model::jp_text,
    employees::db as emp_db,
    units::db::UnitOption,
};

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
    pub people: Vec<usize>,
}

/// The nine boxes, laid out as drawn: potential high at the top, performance rising to the right.
fn grid(people: &[Placement]) -> Vec<Cell> {
    let mut cells = vec![];
    for pot in [3, 2, 1] {
        for perf in [1, 2, 3] {
            let number = super::model::box_of(perf, pot).unwrap_or(0);
            let people =
                people.iter().enumerate().filter(|(_, p)| p.nine_box == Some(number)).map(|(i, _)| i).collect();
            cells.push(Cell { number, perf, pot, people });
        }
    }
    cells
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct MapQuery {
    unit: String,
    year: String,
    format: String,
}

#[derive(askama::Template)]
#[template(path = "talent/map.html")]
struct MapPage {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    units: Vec<UnitOption>,
    year: i32,
    people: Vec<Placement>,
    cells: Vec<Cell>,
    unrated: Vec<usize>,
    settings: Settings,
    qualification: Vec<(String, i16)>,
}

impl MapPage {
    fn why(&self, p: &Placement) -> String {
        p.why(&self.ctx, self.year)
    }

    fn band(&self, b: &i16) -> &'static str {
        band(&self.ctx, *b)
    }

    fn weight(&self, w: &f64) -> String {
        format!("{} %", (w * 100.0).round())
    }
}

fn year_of(s: &str) -> Option<i32> {
    s.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y))
}

fn map_table(ctx: &Ctx, year: i32, people: &[Placement]) -> Table {
    Table {
        name: "talent-map",
        headers: export::keys(&[
            "col.nip",
            "col.name",
            "col.position",
            "col.unit",
            "tal.col.box",
            "tal.col.performance",
            "tal.col.potential",
            "tal.col.predicate",
            "tal.col.why",
        ]),
        rows: people
            .iter()
            .map(|p| {
                vec![
                    p.nip.clone(),
                    p.name.clone(),
                    p.position.clone(),
                    p.unit.clone(),
                    p.nine_box.map(|b| b.to_string()).unwrap_or_default(),
                    p.performance.map(|v| v.to_string()).unwrap_or_default(),
                    p.potential.to_string(),
                    p.predicate.map(|v| ctx.label(v).to_string()).unwrap_or_default(),
                    p.why(ctx, year),
                ]
            })
            .collect(),
    }
}

/// The map of a unit and its sub-units: heads their units, HR all.
pub(super) async fn map(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<MapQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = crate::gaps::routes::pick_unit(&state, &user, &q.unit).await?;
    let mut conn = state.pool.acquire().await?;
    let this_year = ctx.today.year();
    let year = match year_of(&q.year) {
        Some(y) => y,
        None => db::default_year(&mut conn, this_year).await?,
    };
    let people = db::placements(&mut conn, year, this_year, &path, &user.scope()).await?;
    if q.format == "pdf" {
        let t = map_table(&ctx, year, &people);
        let title = format!("{} {year}: {unit_name}", ctx.t("tal.title"));
        let meta = pdf::meta(&ctx, title.clone(), true);
        let mut blocks = vec![Block::Heading(title)];
        for c in grid(&people) {
            blocks.push(Block::Para(format!(
                "{}: {}",
                ctx.t("tal.box_label")
                    .replace("{n}", &c.number.to_string())
                    .replace("{perf}", band(&ctx, c.perf))
                    .replace("{pot}", band(&ctx, c.pot)),
                c.people.len()
            )));
        }
        blocks.push(Block::Table { headers: t.headers.iter().map(|h| ctx.t(h).to_string()).collect(), rows: t.rows });
        return Ok(pdf::response(&format!("peta-talenta-{year}"), pdf::render(&meta, &blocks)));
    }
    if export::wanted(&q.format) {
        let cols = Columns {
            kinds: vec![Kind::Text, Kind::Text, Kind::Text, Kind::Text, Kind::Integer, Kind::Integer, Kind::Integer],
            totals: None,
        };
        let f = export::file_with(&ctx, &q.format, &map_table(&ctx, year, &people), &cols)?;
        return Ok(axum::response::IntoResponse::into_response(f));
    }
    let units = crate::gaps::db::unit_options(&state, &mut conn, &user, unit_id).await?;
    let settings = db::settings(&mut conn).await?;
    let qualification = db::qualification_scores(&mut conn).await?;
    let cells = grid(&people);
    let unrated = people.iter().enumerate().filter(|(_, p)| p.nine_box.is_none()).map(|(i, _)| i).collect();
    render(&MapPage { ctx, unit_id, unit_name, units, year, people, cells, unrated, settings, qualification })
}

#[derive(askama::Template)]
#[template(path = "talent/own.html")]
struct OwnPage {
    ctx: Ctx,
    e: emp_db::Detail,
    year: i32,
    p: Option<Placement>,
    settings: Settings,
}

impl OwnPage {
    fn why(&self, p: &Placement) -> String {
        p.why(&self.ctx, self.year)
    }

    fn band(&self, b: &i16) -> &'static str {
        band(&self.ctx, *b)
    }
}

/// One person's box and why: the employee their own, heads their units, HR all (404 outside).
pub(super) async fn own(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<MapQuery>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let e = emp_db::find(&mut conn, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let this_year = ctx.today.year();
    let year = match year_of(&q.year) {
        Some(y) => y,
        None => db::default_year(&mut conn, this_year).await?,
    };
    let p = db::placement(&mut conn, year, this_year, id).await?;
    let settings = db::settings(&mut conn).await?;
    render(&OwnPage { ctx, e, year, p, settings })
}

/// `/talent/me`: the employee's own box.
pub(super) async fn me(user: CurrentUser) -> AppResult<Response> {
    let id = user.employee_id.ok_or(AppError::NotFound)?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to(&format!("/employees/{id}/talent"))))
}

#[derive(Deserialize, Default, Clone, serde::Serialize)]
#[serde(default)]
pub(super) struct SettingsForm {
    perf_hasil: String,
    perf_perilaku: String,
    pot_readiness: String,
    pot_qualification: String,
    pot_development: String,
    exp_above: String,
    exp_as_expected: String,
    exp_below: String,
    low_cut: String,
    high_cut: String,
    pot_low_cut: String,
    pot_high_cut: String,
}

impl SettingsForm {
    fn of(s: &Settings) -> Self {
        let pct = |w: f64| format!("{}", (w * 100.0).round() as i64);
        Self {
            perf_hasil: pct(s.perf_hasil),
            perf_perilaku: pct(s.perf_perilaku),
            pot_readiness: pct(s.pot_readiness),
            pot_qualification: pct(s.pot_qualification),
            pot_development: pct(s.pot_development),
            exp_above: s.exp_above.to_string(),
            exp_as_expected: s.exp_as_expected.to_string(),
            exp_below: s.exp_below.to_string(),
            low_cut: s.low_cut.to_string(),
            high_cut: s.high_cut.to_string(),
            pot_low_cut: s.pot_low_cut.to_string(),
            pot_high_cut: s.pot_high_cut.to_string(),
        }
    }

    fn value(&self, f: &str) -> &str {
        match f {
            "perf_hasil" => &self.perf_hasil,
            "perf_perilaku" => &self.perf_perilaku,
            "pot_readiness" => &self.pot_readiness,
            "pot_qualification" => &self.pot_qualification,
            "pot_development" => &self.pot_development,
            "exp_above" => &self.exp_above,
            "exp_as_expected" => &self.exp_as_expected,
            "exp_below" => &self.exp_below,
            "low_cut" => &self.low_cut,
            "high_cut" => &self.high_cut,
            "pot_low_cut" => &self.pot_low_cut,
            _ => &self.pot_high_cut,
        }
    }
}

/// The settings' fields: (field, label key, source key).
const SETTING_FIELDS: &[(&str, &str, &str)] = &[
    ("perf_hasil", "tal.set.perf_hasil", "tal.src.perf"),
    ("perf_perilaku", "tal.set.perf_perilaku", "tal.src.perf"),
    ("exp_above", "tal.set.exp_above", "tal.src.exp"),
    ("exp_as_expected", "tal.set.exp_as_expected", "tal.src.exp"),
    ("exp_below", "tal.set.exp_below", "tal.src.exp"),
    ("pot_readiness", "tal.set.pot_readiness", "tal.src.readiness"),
    ("pot_qualification", "tal.set.pot_qualification", "tal.src.qualification"),
    ("pot_development", "tal.set.pot_development", "tal.src.development"),
    ("low_cut", "tal.set.low_cut", "tal.src.cuts"),
    ("high_cut", "tal.set.high_cut", "tal.src.cuts"),
    ("pot_low_cut", "tal.set.pot_low_cut", "tal.src.cuts"),
    ("pot_high_cut", "tal.set.pot_high_cut", "tal.src.cuts"),
];

#[derive(askama::Template)]
#[template(path = "talent/settings.html")]
struct SettingsPage {
    ctx: Ctx,
    form: SettingsForm,
    errors: FieldErrors,
    fields: &'static [(&'static str, &'static str, &'static str)],
    qualification: Vec<(String, i16)>,
}

async fn settings_page(state: &AppState, ctx: Ctx, form: SettingsForm, errors: FieldErrors) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let qualification = db::qualification_scores(&mut conn).await?;
    let status = errors.status();
    render_status(status, &SettingsPage { ctx, form, errors, fields: SETTING_FIELDS, qualification })
}

pub(super) async fn settings_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let s = db::settings(&mut conn).await?;
    drop(conn);
    settings_page(&state, ctx, SettingsForm::of(&s), FieldErrors::default()).await
}

pub(super) async fn save_settings(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<SettingsForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut v = std::collections::HashMap::new();
    for (field, _, _) in SETTING_FIELDS {
        match f.value(field).trim().parse::<i16>() {
            Ok(n) if (0..=100).contains(&n) => {
                v.insert(*field, n);
            }
            _ => errors.add(field, "tal.err.percent"),
        }
    }
    let get = |k: &str| v.get(k).copied().unwrap_or(0);
    if errors.is_empty() {
        if get("perf_hasil") + get("perf_perilaku") != 100 {
            errors.add("perf_perilaku", "tal.err.perf_sum");
        }
        if get("pot_readiness") + get("pot_qualification") + get("pot_development") != 100 {
            errors.add("pot_development", "tal.err.pot_sum");
        }
        if !(1..=99).contains(&get("low_cut")) || get("low_cut") >= get("high_cut") {
            errors.add("high_cut", "tal.err.cuts");
        }
        if !(1..=99).contains(&get("pot_low_cut")) || get("pot_low_cut") >= get("pot_high_cut") {
            errors.add("pot_high_cut", "tal.err.cuts");
        }
    }
    if !errors.is_empty() {
        return settings_page(&state, ctx, f, errors).await;
    }
    let mut tx = state.pool.begin().await?;
    let before: serde_json::Value =
        sqlx::query_scalar("select to_jsonb(s) - 'updated_at' from talent_settings s where id = 1 for update")
            .fetch_one(&mut *tx)
            .await?;
    let w = |k: &str| f64::from(get(k)) / 100.0;
    let after: serde_json::Value = sqlx::query_scalar(
        "update talent_settings set perf_hasil = $1, perf_perilaku = $2, pot_readiness = $3, pot_qualification = $4,
                pot_development = $5, exp_above = $6, exp_as_expected = $7, exp_below = $8, low_cut = $9, high_cut = $10,
                pot_low_cut = $12, pot_high_cut = $13, updated_by = $11, updated_at = now(), version = version + 1
         where id = 1 returning to_jsonb(talent_settings) - 'updated_at'",
    )
    .bind(w("perf_hasil"))
    .bind(w("perf_perilaku"))
    .bind(w("pot_readiness"))
    .bind(w("pot_qualification"))
    .bind(w("pot_development"))
    .bind(get("exp_above"))
    .bind(get("exp_as_expected"))
    .bind(get("exp_below"))
    .bind(get("low_cut"))
    .bind(get("high_cut"))
    .bind(user.account_id)
    .bind(get("pot_low_cut"))
    .bind(get("pot_high_cut"))
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "talent_settings", 1, "update", Some(before), Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash("/talent/settings", FlashKind::Ok, "flash.saved"))
}

#[derive(askama::Template)]
#[template(path = "talent/pool.html")]
struct PoolPage {
    ctx: Ctx,
    year: i32,
    keys: Vec<KeyPosition>,
    candidates: Vec<Candidate>,
    /// Positions HR may mark as key (HR only).
    positions: Vec<emp_db::Opt>,
}

impl PoolPage {
    fn of(&self, position: &i64) -> Vec<&Candidate> {
        self.candidates.iter().filter(|c| c.position_id == *position).collect()
    }
}

fn pool_table(ctx: &Ctx, keys: &[KeyPosition], candidates: &[Candidate]) -> Table {
    let name =
        |id: i64| keys.iter().find(|k| k.id == id).map(|k| format!("{} ({})", k.name, k.unit)).unwrap_or_default();
    Table {
        name: "succession-pool",
        headers: export::keys(&[
            "tal.col.key_position",
            "col.nip",
            "col.name",
            "col.position",
            "col.unit",
            "tal.col.box",
            "tal.col.met",
            "tal.col.short",
            "tal.col.unknown",
            "tal.col.levels_short",
        ]),
        rows: candidates
            .iter()
            .map(|c| {
                vec![
                    name(c.position_id),
                    c.nip.clone(),
                    c.name.clone(),
                    c.current_position.clone(),
                    c.unit.clone(),
                    c.nine_box.to_string(),
                    c.met.to_string(),
                    c.short.to_string(),
                    c.unknown.to_string(),
                    c.levels_short.to_string(),
                ]
            })
            .chain(keys.iter().filter(|k| !candidates.iter().any(|c| c.position_id == k.id)).map(|k| {
                let mut r = vec![name(k.id), String::new(), ctx.t("tal.pool_none").to_string()];
                r.resize(10, String::new());
                r
            }))
            .collect(),
    }
}

/// The succession pool: boxes 7–9 against each key position in reach, with their gap.
pub(super) async fn pool(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<MapQuery>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let year = match year_of(&q.year) {
        Some(y) => y,
        None => db::default_year(&mut conn, ctx.today.year()).await?,
    };
    let scope = user.scope();
    let keys = db::key_positions(&mut conn, &scope).await?;
    let candidates = db::candidates(&mut conn, year, &scope).await?;
    if q.format == "pdf" {
        let t = pool_table(&ctx, &keys, &candidates);
        let title = format!("{} {year}", ctx.t("tal.pool_title"));
        let meta = pdf::meta(&ctx, title.clone(), true);
        let blocks = vec![
            Block::Heading(title),
            Block::Table { headers: t.headers.iter().map(|h| ctx.t(h).to_string()).collect(), rows: t.rows },
        ];
        return Ok(pdf::response(&format!("kelompok-suksesi-{year}"), pdf::render(&meta, &blocks)));
    }
    if export::wanted(&q.format) {
        let mut kinds = vec![Kind::Text; 5];
        kinds.extend([Kind::Integer; 5]);
        let f = export::file_with(
            &ctx,
            &q.format,
            &pool_table(&ctx, &keys, &candidates),
            &Columns { kinds, totals: None },
        )?;
        return Ok(axum::response::IntoResponse::into_response(f));
    }
    let positions = if ctx.is_hr() { emp_db::position_options(&mut conn).await? } else { vec![] };
    render(&PoolPage { ctx, year, keys, candidates, positions })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct KeyForm {
    position: String,
    key: String,
}

/// HR marks a position as key (or not).
pub(super) async fn set_key(State(state): State<AppState>, ctx: Ctx, Form(f): Form<KeyForm>) -> AppResult<Response> {
    let Ok(position) = f.position.trim().parse::<i64>() else {
        return Ok(redirect_flash("/talent/pool", FlashKind::Err, "tal.err.position"));
    };
    let key = f.key == "1";
    let mut tx = state.pool.begin().await?;
    let before: Option<bool> = sqlx::query_scalar("select is_key from positions where id = $1 for update")
        .bind(position)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(before) = before else {
        return Ok(redirect_flash("/talent/pool", FlashKind::Err, "tal.err.position"));
    };
    if before != key {
        sqlx::query("update positions set is_key = $2, version = version + 1 where id = $1")
            .bind(position)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            &Actor::from_ctx(&ctx),
            "position",
            position,
            "key_position",
            Some(json!({"is_key": before})),
            Some(json!({"is_key": key})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_flash("/talent/pool", FlashKind::Ok, "flash.saved"))
}
