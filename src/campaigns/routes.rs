//! The campaign pages: the list and a campaign's page (progress per unit, the staff and, once
//! closed, who never answered). Opening one is `open`, changing its name or deadline `edit`,
//! closing it `close`.

use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use serde::Deserialize;

use super::{
    close::close,
    db::{self, Header, ListRow, StaffRow, UnitProgress},
    edit::CampaignEdit,
    open::{create, new_form},
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes, edit,
        export::{self, Table},
        paging::{PER_PAGE, Pager},
        render::render,
    },
    auth::{CurrentUser, Role},
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .nav(38, |u| (u.has(Role::Hr) || u.has(Role::Head)).then(|| ("/campaigns".into(), "nav.campaigns")))
        .get("/campaigns", Access::AnyOf(HR_HEAD), list)
        .get("/campaigns/new", Access::AnyOf(HR_HEAD), new_form)
        .post("/campaigns", Access::AnyOf(HR_HEAD), create)
        .get("/campaigns/{id}", Access::AnyOf(HR_HEAD), detail)
        .get("/campaigns/{id}/edit", Access::AnyOf(HR_HEAD), edit::edit_page::<CampaignEdit>)
        .post("/campaigns/{id}", Access::AnyOf(HR_HEAD), edit::update::<CampaignEdit>)
        .post("/campaigns/{id}/close", Access::AnyOf(HR_HEAD), close)
}

// ---- the list

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    page: Option<i64>,
}

#[derive(askama::Template)]
#[template(path = "campaigns/list.html")]
struct ListPage {
    ctx: Ctx,
    rows: Vec<ListRow>,
    pager: Pager,
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let rows = db::list(&mut conn, &user.scope(), user.account_id, PER_PAGE, Pager::offset(q.page)).await?;
    let pager = Pager::new(q.page, rows.first().map_or(0, |r| r.total), String::new());
    render(&ListPage { ctx, rows, pager })
}

// ---- a campaign's page

#[derive(Deserialize, Default)]
#[serde(default)]
struct DetailQuery {
    page: Option<i64>,
    format: String,
    /// `unanswered`: the export of who never answered (a closed campaign).
    list: String,
}

#[derive(askama::Template)]
#[template(path = "campaigns/detail.html")]
struct DetailPage {
    ctx: Ctx,
    c: Header,
    progress: Vec<UnitProgress>,
    totals: UnitProgress,
    staff: Vec<StaffRow>,
    unanswered: Vec<StaffRow>,
    pager: Pager,
    manages: bool,
}

/// The most who-never-answered rows shown on the page (the export has them all).
const UNANSWERED_SHOWN: i64 = 500;

async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> AppResult<Response> {
    let scope = user.scope();
    let mut conn = state.pool.acquire().await?;
    let c = db::header(&mut conn, id, &scope, user.account_id, ctx.lang.is_en()).await?.ok_or(AppError::NotFound)?;
    if export::wanted(&q.format) {
        let unanswered = q.list == "unanswered";
        let rows = db::staff(&mut conn, id, &scope, unanswered, i64::MAX, 0).await?;
        return export::send(&ctx, &q.format, &staff_table(&ctx, &rows, unanswered));
    }
    let progress = db::progress(&mut conn, id, &scope).await?;
    let totals = progress.iter().fold(UnitProgress::default(), |mut t, p| {
        t.staff += p.staff;
        t.not_started += p.not_started;
        t.submitted += p.submitted;
        t.validated += p.validated;
        t
    });
    let staff = db::staff(&mut conn, id, &scope, false, PER_PAGE, Pager::offset(q.page)).await?;
    let unanswered =
        if c.is_open() { vec![] } else { db::staff(&mut conn, id, &scope, true, UNANSWERED_SHOWN, 0).await? };
    let pager = Pager::new(q.page, staff.first().map_or(0, |r| r.total), String::new());
    let manages = c.is_open() && db::manages(&c, &user);
    render(&DetailPage { ctx, c, progress, totals, staff, unanswered, pager, manages })
}

/// The staff (or who never answered) as a file, headers in the reader's language.
fn staff_table(ctx: &Ctx, rows: &[StaffRow], unanswered: bool) -> Table {
    Table {
        name: if unanswered { "kampanye-belum-menjawab" } else { "kampanye-pegawai" },
        headers: export::keys(&[
            "col.nip",
            "col.name",
            "col.unit",
            "camp.col.items",
            "camp.state.not_started",
            "camp.state.submitted",
            "camp.state.validated",
            "camp.col.state",
            "camp.col.missing",
        ]),
        rows: rows
            .iter()
            .map(|r| {
                vec![
                    r.nip.clone(),
                    r.name.clone(),
                    r.unit.clone(),
                    r.items.to_string(),
                    r.not_started.to_string(),
                    r.submitted.to_string(),
                    r.validated.to_string(),
                    ctx.t(r.state_key()).to_string(),
                    r.missing.clone(),
                ]
            })
            .collect(),
    }
}
