use axum::{
    extract::{Path, State},
    response::Response,
};

use super::{
    db::{self, Detail, Line},
    edit::{Employee, new_form},
    list::list,
    status::{activate, deactivate},
};
use crate::{
    app::{Access, AppError, AppResult, AppState, Ctx, Routes, edit, render::render},
    auth::{CurrentUser, Role},
};

const HR: &[Role] = &[Role::Hr];
const LISTERS: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .nav(20, |u| u.employee_id.map(|id| (format!("/employees/{id}"), "nav.my_profile")))
        .nav(30, |u| {
            let hr = u.has(Role::Hr);
            (hr || u.has(Role::Head))
                .then(|| ("/employees".into(), if hr { "nav.employees" } else { "nav.unit_employees" }))
        })
        .get("/employees", Access::AnyOf(LISTERS), list)
        .get("/employees/new", Access::AnyOf(HR), new_form)
        .post("/employees", Access::AnyOf(HR), edit::create::<Employee>)
        .get("/employees/{id}", Access::SignedIn, detail)
        .get("/employees/{id}/edit", Access::AnyOf(HR), edit::edit_page::<Employee>)
        .post("/employees/{id}", Access::AnyOf(HR), edit::update::<Employee>)
        .post("/employees/{id}/deactivate", Access::AnyOf(HR), deactivate)
        .post("/employees/{id}/activate", Access::AnyOf(HR), activate)
}

#[derive(askama::Template)]
#[template(path = "employees/detail.html")]
struct DetailPage {
    ctx: Ctx,
    e: Detail,
    lines: Vec<Line>,
    history: Vec<crate::assessments::db::HistoryRow>,
    is_hr: bool,
    can_assess: bool,
    is_self: bool,
}

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let scope = user.scope();
    // The record as this reader sees it, reused while the records are unchanged.
    let key = format!("employees.detail:{}:{id}", user.account_id);
    let data = state
        .personal
        .get(&state.pool, key, move |conn| {
            Box::pin(async move {
                let Some(e) = db::find(&mut *conn, id, &scope).await? else { return Ok::<_, sqlx::Error>(None) };
                let lines = db::profile_lines(&mut *conn, id).await?;
                let history = crate::assessments::db::history(&mut *conn, id).await?;
                Ok(Some((e, lines, history)))
            })
        })
        .await?;
    let (e, lines, history) = data.as_ref().clone().ok_or(AppError::NotFound)?;
    let is_self = user.employee_id == Some(id);
    let can_assess = user.has(Role::Hr) || e.decides;
    render(&DetailPage { ctx, e, lines, history, is_hr: user.has(Role::Hr), can_assess, is_self })
}
