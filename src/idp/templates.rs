//! HR's IDP templates per position: lines everyone in the position should have; applied in bulk,
//! each person keeps only the lines whose goal is above their validated level.

use axum::{
    Form,
    extract::{Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;
use serde_json::json;

use super::{
    db::{self, TemplateLine},
    model::IdpRoute,
};
use crate::{
    app::{
        AppResult, AppState, Ctx,
        form::FieldErrors,
        render::{FlashKind, redirect_flash, render_status},
    },
    audit::{self, Actor},
    auth::CurrentUser,
    competencies::model::Level,
    development::model::{Jp, jp_text},
    employees::db::{Opt, PositionChoice, competency_options},
};

/// The routes a template may name (a mentor or a training is chosen per person).
const ROUTES: &[IdpRoute] = &[IdpRoute::Programme, IdpRoute::SelfStudy, IdpRoute::Assignment];

#[derive(askama::Template)]
#[template(path = "idp/templates.html")]
struct Page {
    ctx: Ctx,
    /// The position whose template is shown, chosen from a list or typed.
    choice: PositionChoice,
    position: Option<i64>,
    lines: Vec<TemplateLine>,
    competencies: Vec<Opt>,
    programmes: Vec<Opt>,
    levels: [Level; 5],
    routes: &'static [IdpRoute],
    form: AddForm,
    errors: FieldErrors,
    /// Active employees in the position.
    staff: i64,
}

impl Page {
    fn jp(&self, v: &f64) -> String {
        jp_text(*v, self.ctx.lang.is_en())
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PositionQuery {
    position: String,
    /// The position typed, where there are too many to list.
    position_q: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct AddForm {
    position: String,
    competency: String,
    goal_level: String,
    route: String,
    programme: String,
    months: String,
    expected_jp: String,
}

async fn show(
    state: &AppState,
    ctx: Ctx,
    choice: PositionChoice,
    form: AddForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let en = ctx.lang.is_en();
    let choice = choice.offered(state, &mut conn).await?;
    // Only an active position's template (the list and the search offer no other).
    let position = choice.chosen.filter(|p| choice.options.iter().any(|o| o.id == *p));
    let (lines, staff) = match position {
        Some(p) => (
            db::template_lines(&mut conn, p, en).await?,
            sqlx::query_scalar!(r#"select count(*) as "n!" from employees where position_id = $1 and active"#, p)
                .fetch_one(&mut *conn)
                .await?,
        ),
        None => (vec![], 0),
    };
    let competencies = competency_options(&mut conn, en).await?;
    let programmes: Vec<Opt> = sqlx::query_as!(
        Opt,
        r#"select id, code || ' · ' || title as "label!" from programmes where active order by code"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let status = errors.status();
    render_status(
        status,
        &Page {
            ctx,
            choice,
            position,
            lines,
            competencies,
            programmes,
            levels: Level::ALL,
            routes: ROUTES,
            form,
            errors,
            staff,
        },
    )
}

pub(super) async fn page(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(q): Query<PositionQuery>,
) -> AppResult<Response> {
    let choice = {
        let mut conn = state.pool.acquire().await?;
        PositionChoice::read(&mut conn, &q.position, &q.position_q, None).await?
    };
    let form = AddForm { months: "12".into(), expected_jp: "0".into(), ..Default::default() };
    show(&state, ctx, choice, form, FieldErrors::default()).await
}

pub(super) async fn add(State(state): State<AppState>, ctx: Ctx, Form(f): Form<AddForm>) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let position: Option<i64> = match f.position.trim().parse::<i64>() {
        Ok(p) => sqlx::query_scalar!("select id from positions where id = $1", p).fetch_optional(&mut *conn).await?,
        Err(_) => None,
    };
    let mut errors = FieldErrors::default();
    let competency: Option<i64> = match f.competency.trim().parse::<i64>() {
        Ok(c) => {
            sqlx::query_scalar!("select id from competencies where id = $1 and active", c)
                .fetch_optional(&mut *conn)
                .await?
        }
        Err(_) => None,
    };
    if competency.is_none() {
        errors.add("competency", "idp.err.competency");
    }
    let goal = Level::parse(&f.goal_level).map_err(|k| errors.add("goal_level", k)).ok();
    let route = IdpRoute::parse(&f.route).filter(|r| ROUTES.contains(r));
    if route.is_none() {
        errors.add("route", "idp.err.route");
    }
    let programme: Option<i64> = match (route, f.programme.trim().parse::<i64>()) {
        (Some(IdpRoute::Programme), Ok(p)) => {
            sqlx::query_scalar!("select id from programmes where id = $1 and active", p)
                .fetch_optional(&mut *conn)
                .await?
        }
        _ => None,
    };
    if route == Some(IdpRoute::Programme) && programme.is_none() {
        errors.add("programme", "idp.err.programme");
    }
    let months = f.months.trim().parse::<i16>().ok().filter(|m| (1..=36).contains(m));
    if months.is_none() {
        errors.add("months", "idp.err.months");
    }
    let jp = Jp::parse_zero(&f.expected_jp).map_err(|_| errors.add("expected_jp", "idp.err.jp")).ok();
    let (Some(position), Some(competency), Some(goal), Some(route), Some(months), Some(jp)) =
        (position, competency, goal, route, months, jp)
    else {
        drop(conn);
        return show(&state, ctx, PositionChoice::of(position), f, errors).await;
    };
    let mut tx = state.pool.begin().await?;
    let id: i64 = sqlx::query_scalar!(
        "insert into idp_templates (position_id, competency_id, goal_level, route, programme_id, months, expected_jp)
         values ($1, $2, $3, $4, $5, $6, $7::float8)
         on conflict (position_id, competency_id) do update set goal_level = excluded.goal_level, route = excluded.route,
           programme_id = excluded.programme_id, months = excluded.months, expected_jp = excluded.expected_jp
         returning id",
        position,
        competency,
        goal.get(),
        route.as_str(),
        programme,
        months,
        jp.get(),
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "idp_template",
        id,
        "set",
        None,
        Some(json!({"position_id": position, "competency_id": competency, "goal_level": goal.get(),
                    "route": route.as_str(), "programme_id": programme, "months": months, "expected_jp": jp.get()})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/idp/templates?position={position}"), FlashKind::Ok, "flash.saved"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct RemoveForm {
    id: String,
}

pub(super) async fn remove(State(state): State<AppState>, ctx: Ctx, Form(f): Form<RemoveForm>) -> AppResult<Response> {
    let Ok(id) = f.id.trim().parse::<i64>() else {
        return Ok(redirect_flash("/idp/templates", FlashKind::Err, "idp.err.template"));
    };
    let mut tx = state.pool.begin().await?;
    let gone: Option<serde_json::Value> = sqlx::query_scalar!(
        r#"delete from idp_templates where id = $1 returning to_jsonb(idp_templates) - 'created_at' as "row!""#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?;
    let Some(before) = gone else {
        return Ok(redirect_flash("/idp/templates", FlashKind::Ok, "flash.already_saved"));
    };
    let position = before.get("position_id").and_then(serde_json::Value::as_i64).unwrap_or_default();
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "idp_template", id, "remove", Some(before), None).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/idp/templates?position={position}"), FlashKind::Ok, "flash.saved"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ApplyForm {
    position: String,
}

/// Apply the template to everyone in the position, in one transaction.
pub(super) async fn apply(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<ApplyForm>,
) -> AppResult<Response> {
    let Ok(position) = f.position.trim().parse::<i64>() else {
        return Ok(redirect_flash("/idp/templates", FlashKind::Err, "idp.err.template"));
    };
    let mut tx = state.pool.begin().await?;
    let exists: Option<i64> = sqlx::query_scalar!("select id from positions where id = $1 for share", position)
        .fetch_optional(&mut *tx)
        .await?;
    if exists.is_none() {
        return Ok(redirect_flash("/idp/templates", FlashKind::Err, "idp.err.template"));
    }
    let done = db::apply_template(&mut tx, position, ctx.today.year(), ctx.today, user.account_id).await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "idp_template",
        position,
        "apply",
        None,
        Some(json!({"position_id": position, "idps": done.idps, "lines": done.lines, "untouched": done.untouched})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/idp/templates?position={position}"), FlashKind::Ok, "idp.flash.applied"))
}
