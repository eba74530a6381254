//! Settings the admin keeps (values DOMAIN.md marks "to confirm" live here, not in code).

mod model;

pub use model::{AgencySettings, SettingsCache};

use axum::{Form, extract::State, http::StatusCode, response::Response};
use serde::Deserialize;
use serde_json::json;
use sqlx::PgConnection;

use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        clock::TimeZone,
        edit::{EditState, Outcome, Versioned, reconcile},
        form::{FieldErrors, required_text},
        render::{FlashKind, redirect_flash, render_status},
    },
    audit::{self, Actor},
    auth::Role,
};

pub fn routes() -> Routes {
    Routes::new()
        .nav(110, |u| u.has(Role::Admin).then(|| ("/settings".into(), "nav.settings")))
        .get("/settings", Access::AnyOf(&[Role::Admin]), page)
        .post("/settings", Access::AnyOf(&[Role::Admin]), save)
}

#[derive(Deserialize, serde::Serialize, Default, Clone, Debug)]
#[serde(default)]
pub struct SettingsForm {
    pub department_name: String,
    pub jp_per_year: String,
    pub time_zone: String,
}

/// Read all settings (three small rows).
pub async fn load(conn: &mut PgConnection) -> Result<SettingsForm, sqlx::Error> {
    let rows = sqlx::query!("select key, value from settings").fetch_all(conn).await?;
    let get = |k: &str| rows.iter().find(|r| r.key == k).map(|r| r.value.clone()).unwrap_or_default();
    Ok(SettingsForm {
        department_name: get("department_name"),
        jp_per_year: get("jp_per_year"),
        time_zone: get("time_zone"),
    })
}

#[derive(askama::Template)]
#[template(path = "settings/index.html")]
struct Page {
    ctx: Ctx,
    form: SettingsForm,
    errors: FieldErrors,
    zones: &'static [TimeZone],
    edit: EditState,
    label_prefix: &'static str,
}

async fn page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let version = version(&mut conn, false).await?;
    let form = load(&mut conn).await?;
    let edit = EditState::loaded(version, &form);
    let page = Page { ctx, form, errors: FieldErrors::default(), zones: TimeZone::ALL, edit, label_prefix: "set" };
    render_status(StatusCode::OK, &page)
}

/// A number in a range, with at most one decimal (JP are counted in halves at most).
fn number(errors: &mut FieldErrors, field: &'static str, v: &str, min: f64, max: f64, key: &'static str) -> String {
    let t = v.trim().replace(',', ".");
    match t.parse::<f64>() {
        Ok(n) if n.is_finite() && (min..=max).contains(&n) && (n * 10.0).fract() == 0.0 => {
            if n.fract() == 0.0 {
                format!("{}", n as i64)
            } else {
                format!("{n:.1}")
            }
        }
        _ => {
            errors.add(field, key);
            t
        }
    }
}

/// The settings' version: the sum of their rows' versions, which grows with every change
/// (`lock`: the rows stay locked until the transaction ends).
async fn version(conn: &mut PgConnection, lock: bool) -> Result<i64, sqlx::Error> {
    let v = if lock {
        sqlx::query_scalar!("select version from settings for update").fetch_all(conn).await?
    } else {
        sqlx::query_scalar!("select version from settings").fetch_all(conn).await?
    };
    Ok(v.iter().sum())
}

async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    Form(posted): Form<Versioned<SettingsForm>>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let current_version = version(&mut tx, true).await?;
    let current = load(&mut tx).await?;
    let (form, merged) = match reconcile(posted.loaded(), current_version, &posted.base, &posted.form, &current) {
        Outcome::Fresh => (posted.form.clone(), false),
        Outcome::Merged(m) => (m, true),
        Outcome::Conflict(clashes) => {
            drop(tx);
            let edit = EditState::conflict(current_version, &current, clashes);
            let page = Page {
                ctx,
                form: posted.form,
                errors: FieldErrors::default(),
                zones: TimeZone::ALL,
                edit,
                label_prefix: "set",
            };
            return render_status(StatusCode::CONFLICT, &page);
        }
    };
    let mut errors = FieldErrors::default();
    let name = required_text(&mut errors, "department_name", &form.department_name, 200);
    let jp = number(&mut errors, "jp_per_year", &form.jp_per_year, 1.0, 500.0, "set.err.jp");
    let tz = TimeZone::parse(&form.time_zone);
    if tz.is_none() {
        errors.add("time_zone", "set.err.time_zone");
    }
    let (false, Some(tz)) = (!errors.is_empty(), tz) else {
        drop(tx);
        let edit = posted.again();
        let page = Page { ctx, form, errors, zones: TimeZone::ALL, edit, label_prefix: "set" };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let before = current;
    for (k, v) in [("department_name", name.as_str()), ("jp_per_year", &jp), ("time_zone", tz.as_str())] {
        sqlx::query!(
            "insert into settings (key, value) values ($1, $2) on conflict (key) do update set value = excluded.value",
            k,
            v,
        )
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "settings",
        "",
        "update",
        Some(json!({"department_name": before.department_name, "jp_per_year": before.jp_per_year, "time_zone": before.time_zone})),
        Some(json!({"department_name": name, "jp_per_year": jp, "time_zone": tz.as_str()})),
    )
    .await?;
    tx.commit().await?;
    state.settings.invalidate();
    Ok(redirect_flash("/settings", FlashKind::Ok, if merged { "flash.saved_merged" } else { "flash.saved" }))
}
