//! Yearly training budgets per unit and for the department: allocated (HR sets it), committed,
//! spent and remaining, all derived from the trainings charged to each budget.

use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;

use super::model::{Rupiah, rupiah};
use crate::app::context::Val;
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        export::{self, Table},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
};

pub fn routes() -> Routes {
    Routes::new().get("/budgets", Access::AnyOf(&[Role::Hr, Role::Head]), list).post(
        "/budgets/{year}/{unit}",
        Access::AnyOf(&[Role::Hr]),
        save,
    )
}

pub struct BudgetRow {
    pub unit_id: i64,
    pub unit: String,
    pub depth: i32,
    pub allocated: i64,
    pub committed: i64,
    pub spent: i64,
    pub remaining: i64,
    pub version: i64,
    pub trainings: i64,
}

impl BudgetRow {
    pub fn indent(&self) -> String {
        "\u{a0}\u{a0}\u{a0}".repeat(self.depth.max(0) as usize)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BudgetQuery {
    year: String,
    format: String,
    page: Option<i64>,
}

#[derive(askama::Template)]
#[template(path = "development/budgets.html")]
struct BudgetPage {
    ctx: Ctx,
    /// The units of this page (50 a page: a department of 4 000 units was a 3.4 MB page).
    rows: Vec<BudgetRow>,
    year: i32,
    years: Vec<i32>,
    /// Allocated, committed and spent over every unit in reach, not only this page's.
    total: (i64, i64, i64),
    problem: Option<(i64, &'static str, String)>,
    pager: crate::app::paging::Pager,
}

impl BudgetPage {
    fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    /// The unit whose amount was refused, by name.
    fn problem_unit(&self) -> &str {
        let id = self.problem.as_ref().map(|(u, _, _)| *u);
        self.rows.iter().find(|r| Some(r.unit_id) == id).map_or("", |r| r.unit.as_str())
    }
}

async fn page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    (year, page_no): (i32, Option<i64>),
    problem: Option<(i64, &'static str, String)>,
) -> AppResult<BudgetPage> {
    let scope = user.scope();
    // Units within the reader's reach (HR: all; a head: their subtrees), with each budget's figures
    // (`budget_figures`): open units, and closed ones that still have a budget.
    let rows = sqlx::query_as!(
        BudgetRow,
        r#"
        select u.id as unit_id, u.name as unit, (length(u.path) - length(replace(u.path, '/', '')) - 2)::int as "depth!",
               b.allocated as "allocated!", b.committed as "committed!", b.spent as "spent!", b.remaining as "remaining!",
               coalesce((select v.version from unit_budgets v where v.year = $1 and v.unit_id = u.id), 0) as "version!",
               (select count(*) from trainings t where t.budget_year = $1 and t.budget_unit_id = u.id and t.status <> 'cancelled') as "trainings!"
        from budget_figures($1) b join units u on u.id = b.unit_id
        where (u.closed_on is null or b.recorded) and unit_in_scope($2, $3, u.path)
        order by u.sort_key"#,
        year,
        scope.all,
        &scope.unit_patterns,
    )
    .fetch_all(state.reader(&ctx).await)
    .await?;
    let total = rows.iter().fold((0, 0, 0), |t, r| (t.0 + r.allocated, t.1 + r.committed, t.2 + r.spent));
    let this_year = ctx.today.year();
    let years = ((this_year - 3)..=(this_year + 1)).rev().collect();
    // A refused amount is shown on the page that holds its unit; no page: every unit (exports).
    let per = crate::app::paging::PER_PAGE;
    let total_rows = rows.len() as i64;
    let page_no = match (problem.as_ref().and_then(|(u, _, _)| rows.iter().position(|r| r.unit_id == *u)), page_no) {
        (Some(at), _) => Some(at as i64 / per + 1),
        (None, Some(n)) => Some(n.clamp(1, ((total_rows + per - 1) / per).max(1))),
        (None, None) => None,
    };
    let pager = crate::app::paging::Pager::new(page_no, total_rows, format!("year={year}")).at("budgets");
    let rows = match page_no {
        Some(n) => rows.into_iter().skip(((n - 1) * per) as usize).take(per as usize).collect(),
        None => rows,
    };
    Ok(BudgetPage { ctx, rows, year, years, total, problem, pager })
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<BudgetQuery>,
) -> AppResult<Response> {
    let year: i32 = q.year.trim().parse().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or(ctx.today.year());
    let page_no = if export::wanted(&q.format) { None } else { Some(q.page.unwrap_or(1)) };
    let p = page(&state, ctx, &user, (year, page_no), None).await?;
    if export::wanted(&q.format) {
        let table = Table {
            name: "anggaran",
            headers: export::keys(&[
                "col.unit",
                "col.year",
                "col.allocated",
                "col.committed",
                "col.spent",
                "col.remaining",
            ]),
            rows: p
                .rows
                .iter()
                .map(|r| {
                    vec![
                        r.unit.clone(),
                        year.to_string(),
                        rupiah(r.allocated),
                        rupiah(r.committed),
                        rupiah(r.spent),
                        rupiah(r.remaining),
                    ]
                })
                .collect(),
        };
        return export::send(&p.ctx, &q.format, &table);
    }
    render(&p)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BudgetForm {
    amount: String,
    version: String,
    /// The page of units the form was on, to return to.
    page: String,
}

/// Set a unit's budget for a year. The form carries the version it showed (0: none yet); a budget
/// changed meanwhile is not overwritten.
async fn save(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path((year, unit)): Path<(i32, i64)>,
    Form(f): Form<BudgetForm>,
) -> AppResult<Response> {
    if !(2000..=2100).contains(&year) {
        return Err(AppError::NotFound);
    }
    // One transaction, run again if it meets another writer (a deadlock PostgreSQL broke).
    crate::app::retry::transaction(|| save_once(&state, ctx.clone(), &user, year, unit, &f)).await
}

async fn save_once(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    year: i32,
    unit: i64,
    f: &BudgetForm,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let exists: Option<i64> =
        sqlx::query_scalar!("select id from units where id = $1", unit).fetch_optional(&mut *tx).await?;
    exists.ok_or(AppError::NotFound)?;
    super::db::lock_budget(&mut tx, year, unit).await?;
    let current: Option<(i64, i64)> = sqlx::query!(
        "select amount, version from unit_budgets where year = $1 and unit_id = $2 for update",
        year,
        unit
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| (r.amount, r.version));
    let amount = Rupiah::parse(&f.amount);
    let problem = match (&amount, current) {
        (Err(k), _) => Some(*k),
        (Ok(_), Some((_, v))) if f.version.trim().parse::<i64>().ok() != Some(v) => Some("budget.err.changed"),
        (Ok(_), None) if f.version.trim() != "0" => Some("budget.err.changed"),
        _ => None,
    };
    let (Ok(amount), None) = (amount, problem) else {
        drop(tx);
        let p =
            page(state, ctx, user, (year, Some(1)), Some((unit, problem.unwrap_or("dev.err.money"), f.amount.clone())))
                .await?;
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &p);
    };
    sqlx::query!(
        "insert into unit_budgets (year, unit_id, amount) values ($1, $2, $3)
         on conflict (year, unit_id) do update set amount = excluded.amount",
        year,
        unit,
        amount.get(),
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "budget",
        format!("{year}/{unit}"),
        "set",
        current.map(|(a, _)| serde_json::json!({"amount": a})),
        Some(serde_json::json!({"amount": amount.get()})),
    )
    .await?;
    tx.commit().await?;
    let back = match f.page.trim().parse::<i64>() {
        Ok(n) if n > 1 => format!("/budgets?year={year}&page={n}"),
        _ => format!("/budgets?year={year}"),
    };
    Ok(redirect_flash(&back, FlashKind::Ok, "flash.saved"))
}
