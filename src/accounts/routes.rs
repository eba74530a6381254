//! The account pages' routes, and the list of accounts.

use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;

use super::{
    create,
    db::{AccountRow, account_rows},
    manage,
    roles::{self, AccountRoles},
};
use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes, edit,
        export::{self, Table},
        paging::{Pager, query_string},
        render::render,
    },
    auth::Role,
};

const MANAGERS: &[Role] = &[Role::Admin, Role::Hr];

pub fn routes() -> Routes {
    Routes::new()
        .nav(90, |u| (u.has(Role::Hr) || u.has(Role::Admin)).then(|| ("/accounts".into(), "nav.accounts")))
        .get("/accounts", Access::AnyOf(MANAGERS), list)
        .get("/accounts/new", Access::AnyOf(MANAGERS), create::new_form)
        .get("/accounts/bulk", Access::AnyOf(MANAGERS), super::bulk::bulk_form)
        .post("/accounts/bulk", Access::AnyOf(MANAGERS), super::bulk::bulk_create)
        .get("/accounts/batches/{id}", Access::AnyOf(MANAGERS), super::batch::batch)
        .post("/accounts/batches/{id}/letters", Access::AnyOf(MANAGERS), super::batch::batch_letters)
        .post("/accounts/batches/{id}/email", Access::AnyOf(MANAGERS), super::batch::batch_email)
        .post("/accounts/{id}/code-letter", Access::AnyOf(MANAGERS), super::batch::account_letter)
        .post("/accounts/{id}/code-email", Access::AnyOf(MANAGERS), super::batch::account_email)
        .post("/accounts", Access::AnyOf(MANAGERS), create::create)
        .get("/accounts/{id}", Access::AnyOf(MANAGERS), roles::detail)
        .post("/accounts/{id}/roles", Access::AnyOf(MANAGERS), edit::update::<AccountRoles>)
        .post("/accounts/{id}/reset-password", Access::AnyOf(MANAGERS), manage::reset_password)
        .post("/accounts/{id}/disable", Access::AnyOf(MANAGERS), manage::disable)
        .post("/accounts/{id}/enable", Access::AnyOf(MANAGERS), manage::enable)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    q: String,
    page: Option<i64>,
    format: String,
}

#[derive(askama::Template)]
#[template(path = "accounts/list.html")]
struct ListPage {
    ctx: Ctx,
    q: String,
    rows: Vec<AccountRow>,
    pager: Pager,
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let search: String = q.q.trim().chars().take(100).collect();
    let pattern = crate::app::form::contains_pattern(&search);
    let mut conn = state.pool.acquire().await?;
    let total: i64 = sqlx::query_scalar!(
        r#"select count(*) as "n!" from accounts a left join employees e on e.id = a.employee_id
           where ($1 = '' or a.username ilike $2 or e.name ilike $2 or e.nip like $2)"#,
        search,
        pattern
    )
    .fetch_one(&mut *conn)
    .await?;
    let rows: Vec<AccountRow> = account_rows!(
        "where ($1 = '' or a.username ilike $2 or e.name ilike $2 or e.nip like $2)
         order by a.username limit $3 offset $4",
        search,
        pattern,
        if export::wanted(&q.format) { 200_000 } else { crate::app::paging::PER_PAGE },
        if export::wanted(&q.format) { 0 } else { Pager::offset(q.page) }
    )
    .fetch_all(&mut *conn)
    .await?;
    if export::wanted(&q.format) {
        let table = Table {
            name: "akun",
            headers: export::keys(&[
                "col.username",
                "col.name",
                "col.nip",
                "col.roles",
                "col.unit_head",
                "col.disabled",
                "col.must_change",
            ]),
            rows: rows
                .iter()
                .map(|a| {
                    vec![
                        a.username.clone(),
                        a.employee_name.clone().unwrap_or_default(),
                        a.nip.clone().unwrap_or_default(),
                        a.roles.iter().map(|r| ctx.t(r.label_key())).collect::<Vec<_>>().join(", "),
                        a.head_units.join(", "),
                        if a.disabled { ctx.t("col.yes").into() } else { String::new() },
                        if a.must_change_password { ctx.t("col.yes").into() } else { String::new() },
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &q.format, &table);
    }
    let pager = Pager::new(q.page, total, query_string(&[("q", &search)]));
    render(&ListPage { ctx, q: search, rows, pager })
}
