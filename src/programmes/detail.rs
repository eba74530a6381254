//! One programme: its fields, the competencies it develops (HR adds and removes targets), and what
//! its earlier runs measurably did.

use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;
use serde_json::json;

use super::db::{self, Detail, EffectLine, Run, Target};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx,
        context::Val,
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    competencies::model::Level,
    development::{
        db::Opt,
        model::{jp_text, rupiah},
    },
    employees::db::competency_options,
};

#[derive(askama::Template)]
#[template(path = "programmes/detail.html")]
pub struct DetailPage {
    pub ctx: Ctx,
    pub p: Detail,
    pub targets: Vec<Target>,
    pub effect: Vec<EffectLine>,
    pub runs: Vec<Run>,
    pub competencies: Vec<Opt>,
    pub levels: [Level; 5],
    /// Why a target was refused (shown above the page).
    pub problem: Vec<String>,
}

impl DetailPage {
    pub fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    pub fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }

    /// A mean level with two decimals, the decimal mark of the reader's language.
    pub fn avg(&self, v: &Option<f64>) -> String {
        match v {
            Some(x) => crate::app::num::fixed(*x, 2, self.ctx.lang),
            None => "—".into(),
        }
    }

    /// A gain with its sign ("+0,75"), the decimal mark of the reader's language.
    pub fn signed(&self, v: &Option<f64>) -> String {
        match v {
            Some(x) => {
                let s = format!("{x:+.2}");
                if self.ctx.lang.is_en() { s } else { s.replace('.', ",") }
            }
            None => "—".into(),
        }
    }

    pub fn is_hr(&self) -> bool {
        self.ctx.is_hr()
    }
}

async fn page(state: &AppState, ctx: Ctx, id: i64, problem: Vec<String>) -> AppResult<DetailPage> {
    let mut conn = state.pool.acquire().await?;
    let p = db::find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let en = ctx.lang.is_en();
    let targets = db::targets(&mut conn, id, en).await?;
    let effect = db::effect(&mut conn, id, en).await?;
    let runs = db::runs(&mut conn, id).await?;
    let competencies = if ctx.is_hr() { competency_options(&mut conn, en).await? } else { vec![] };
    Ok(DetailPage { ctx, p, targets, effect, runs, competencies, levels: Level::ALL, problem })
}

pub(super) async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    render(&page(&state, ctx, id, vec![]).await?)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct TargetForm {
    competency: String,
    level: String,
}

pub(super) async fn add_competency(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TargetForm>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let exists: Option<i64> =
        sqlx::query_scalar!("select id from programmes where id = $1 for update", id).fetch_optional(&mut *tx).await?;
    exists.ok_or(AppError::NotFound)?;
    let competency: Option<i64> = match f.competency.trim().parse::<i64>() {
        Ok(c) => {
            sqlx::query_scalar!("select id from competencies where id = $1 and active", c)
                .fetch_optional(&mut *tx)
                .await?
        }
        Err(_) => None,
    };
    let level = Level::parse(&f.level).ok();
    let (Some(competency), Some(level)) = (competency, level) else {
        drop(tx);
        let problem = vec![ctx.t("trn.err.target").to_string()];
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page(&state, ctx, id, problem).await?);
    };
    let before: Option<i16> = sqlx::query_scalar!(
        "select target_level from programme_competencies where programme_id = $1 and competency_id = $2",
        id,
        competency,
    )
    .fetch_optional(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into programme_competencies (programme_id, competency_id, target_level) values ($1, $2, $3)
         on conflict (programme_id, competency_id) do update set target_level = excluded.target_level",
        id,
        competency,
        level.get(),
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "programme",
        id,
        "target_set",
        before.map(|l| json!({"competency_id": competency, "target_level": l})),
        Some(json!({"competency_id": competency, "target_level": level.get()})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/programmes/{id}"), FlashKind::Ok, "flash.saved"))
}

pub(super) async fn remove_competency(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<TargetForm>,
) -> AppResult<Response> {
    let Ok(competency) = f.competency.trim().parse::<i64>() else {
        return Ok(redirect_flash(&format!("/programmes/{id}"), FlashKind::Err, "trn.err.target"));
    };
    let mut tx = state.pool.begin().await?;
    let removed: Option<i16> = sqlx::query_scalar!(
        "delete from programme_competencies where programme_id = $1 and competency_id = $2 returning target_level",
        id,
        competency,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(level) = removed else {
        return Ok(redirect_flash(&format!("/programmes/{id}"), FlashKind::Ok, "flash.already_saved"));
    };
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "programme",
        id,
        "target_remove",
        Some(json!({"competency_id": competency, "target_level": level})),
        None,
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/programmes/{id}"), FlashKind::Ok, "flash.saved"))
}
