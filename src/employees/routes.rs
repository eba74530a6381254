use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use serde::Deserialize;
use serde_json::json;

use super::{
    db::{self, Detail, Filter, Line, Opt, RankOpt, Row},
    form::{EmployeeInput, NewEmployee, input_from_detail, parse_date, snapshot},
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        edit::{self, EditState, Outcome, Versioned, reconcile},
        export::{self, Table},
        form::FieldErrors,
        paging::{PER_PAGE, Pager},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    units::db::UnitOption,
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
        .post("/employees", Access::AnyOf(HR), create)
        .get("/employees/{id}", Access::SignedIn, detail)
        .get("/employees/{id}/edit", Access::AnyOf(HR), edit_form)
        .post("/employees/{id}", Access::AnyOf(HR), update)
        .post("/employees/{id}/deactivate", Access::AnyOf(HR), deactivate)
        .post("/employees/{id}/activate", Access::AnyOf(HR), activate)
}

/// What the list page reads from the records.
#[derive(Clone)]
struct ListData {
    total: i64,
    rows: Vec<Row>,
    units: Vec<UnitOption>,
    positions: Option<Vec<Opt>>,
    ranks: Vec<RankOpt>,
    competencies: Vec<Opt>,
}

impl crate::app::versioned::Weigh for ListData {
    fn bytes(&self) -> usize {
        use crate::app::versioned::rows_bytes;
        rows_bytes(&self.rows, 600)
            + rows_bytes(&self.units, 150)
            + self.positions.as_ref().map_or(0, |p| rows_bytes(p, 150))
            + rows_bytes(&self.ranks, 100)
            + rows_bytes(&self.competencies, 150)
    }
}

#[derive(askama::Template)]
#[template(path = "employees/list.html")]
struct ListPage {
    ctx: Ctx,
    f: Filter,
    rows: Vec<Row>,
    pager: Pager,
    units: Vec<UnitOption>,
    /// `None`: too many to offer before a unit is chosen.
    positions: Option<Vec<Opt>>,
    ranks: Vec<RankOpt>,
    competencies: Vec<Opt>,
}

fn clean_filter(mut f: Filter) -> Filter {
    f.q = f.q.trim().chars().take(100).collect();
    f
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(f): Query<Filter>,
) -> AppResult<Response> {
    let f = clean_filter(f);
    if export::wanted(&f.format) {
        let table = export_table(&state, &ctx, &user, &f).await?;
        return export::send(&ctx, &f.format, &table);
    }
    let scope = user.scope();
    let mut conn = state.reader(&ctx).await.acquire().await?;
    // The page as a whole (its count, rows and filter options) is reused while the records are
    // unchanged: the list is read far more often than staff records change.
    // Keyed by what the reader may see, not by who reads: every HR officer shares the
    // department's pages, each head their units'.
    let key = format!(
        "employees.list:{}:{:?}:{:?}:{}:{:?}:{:?}:{:?}:{:?}",
        scope.all,
        scope.own,
        scope.unit_patterns,
        ctx.lang.is_en(),
        f.query_string(),
        f.page,
        f.after,
        f.before
    );
    let (lf, en) = (f.clone(), ctx.lang.is_en());
    let data = state
        .versions
        .get(&mut conn, key, move |conn| {
            Box::pin(async move {
                let (unit, position) = (lf.unit.parse().ok(), lf.position.parse().ok());
                Ok::<_, sqlx::Error>(ListData {
                    total: db::count(&mut *conn, &lf, &scope).await?,
                    rows: db::list(&mut *conn, &lf, &scope, Some(PER_PAGE), Pager::offset(lf.page)).await?,
                    units: crate::units::db::near(&mut *conn, unit, true, &[]).await?,
                    positions: db::position_filter_options(&mut *conn, unit, position).await?,
                    ranks: db::rank_options(&mut *conn).await?,
                    competencies: db::competency_options(&mut *conn, en).await?,
                })
            })
        })
        .await?;
    let ListData { total, rows, units, positions, ranks, competencies } = data.as_ref().clone();
    let query = f.query_string();
    let mut pager = Pager::new(f.page, total, query);
    if f.keyset_order() {
        pager = pager.with_cursors(rows.first().map(|r| r.id), rows.last().map(|r| r.id));
    }
    render(&ListPage { ctx, f, rows, pager, units, positions, ranks, competencies })
}

/// Exports are capped so one request cannot exhaust memory.
const EXPORT_MAX: i64 = 200_000;

async fn export_table(state: &AppState, ctx: &Ctx, user: &CurrentUser, f: &Filter) -> AppResult<Table> {
    let mut conn = state.reader(ctx).await.acquire().await?;
    let rows = db::list(&mut conn, f, &user.scope(), Some(EXPORT_MAX), 0).await?;
    let with_comp = !f.competency.is_empty();
    // The columns the import reads back (titles apart from the name, the unit's code): an export
    // edited in a spreadsheet and imported again changes only what was edited.
    let mut headers = vec![
        "col.nip",
        "col.front_title",
        "col.name",
        "col.back_title",
        "col.status",
        "col.rank",
        "col.position",
        "col.unit_code",
        "col.unit",
        "col.active",
    ];
    if with_comp {
        headers.extend(["col.level_current", "col.level_required"]);
    }
    let rows = rows
        .into_iter()
        .map(|r| {
            let mut v = vec![
                r.nip,
                r.front_title,
                r.name,
                r.back_title,
                r.status.to_string(),
                r.rank,
                r.position,
                r.unit_code,
                r.unit,
                ctx.yes_no(r.active).into(),
            ];
            if with_comp {
                v.push(r.competency_level.map(|l| l.to_string()).unwrap_or_default());
                v.push(r.competency_required.map(|l| l.to_string()).unwrap_or_default());
            }
            v
        })
        .collect();
    Ok(Table { name: "pegawai", headers: export::keys(&headers), rows })
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

#[derive(askama::Template)]
#[template(path = "employees/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: EmployeeInput,
    errors: FieldErrors,
    positions: Vec<Opt>,
    ranks: Vec<RankOpt>,
    edit: EditState,
    label_prefix: &'static str,
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    id: Option<i64>,
    form: EmployeeInput,
    errors: FieldErrors,
    edit: EditState,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let positions = db::position_options(&mut conn).await?;
    let ranks = db::rank_options(&mut conn).await?;
    let status = edit.status(&errors);
    render_status(status, &FormPage { ctx, id, form, errors, positions, ranks, edit, label_prefix: "emp" })
}

async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = EmployeeInput { status: "PNS".into(), ..Default::default() };
    form_page(&state, ctx, None, form, FieldErrors::default(), EditState::create()).await
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let e = db::find(&mut conn, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    drop(conn);
    let form = input_from_detail(&e);
    let edit = EditState::loaded(e.version, &form);
    form_page(&state, ctx, Some(id), form, FieldErrors::default(), edit).await
}

/// Check the form and resolve the position (and so the unit). Returns field errors to re-show.
async fn check(
    conn: &mut sqlx::PgConnection,
    form: &EmployeeInput,
    id: Option<i64>,
    today: chrono::NaiveDate,
) -> AppResult<Result<(NewEmployee, Option<i64>, i64), FieldErrors>> {
    let parsed = form.parse(today);
    let mut errors = parsed.as_ref().err().cloned().unwrap_or_default();
    let position: Option<(i64, i64)> = match form.position.trim().parse::<i64>() {
        Ok(pid) => {
            sqlx::query_as(
                "select p.id, p.unit_id from positions p join units u on u.id = p.unit_id
                 where p.id = $1 and p.active and u.closed_on is null",
            )
            .bind(pid)
            .fetch_optional(&mut *conn)
            .await?
        }
        Err(_) => None,
    };
    if position.is_none() {
        errors.add("position", "emp.err.position");
    }
    if let Ok(e) = &parsed {
        let taken: bool =
            sqlx::query_scalar("select exists(select 1 from employees where nip = $1 and id is distinct from $2)")
                .bind(e.nip.as_str())
                .bind(id)
                .fetch_one(&mut *conn)
                .await?;
        if taken {
            errors.add("nip", "emp.err.nip_taken");
        }
    }
    match (parsed, position, errors.is_empty()) {
        (Ok(e), Some((pid, uid)), true) => Ok(Ok((e, Some(pid), uid))),
        _ => Ok(Err(errors)),
    }
}

async fn save(
    state: AppState,
    ctx: Ctx,
    user: CurrentUser,
    id: Option<i64>,
    posted: Versioned<EmployeeInput>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let mut form = posted.form.clone();
    let mut merged = false;
    match id {
        // The record as it is now, locked until this transaction ends: nobody saves in between.
        Some(id) => {
            let version: i64 = sqlx::query_scalar("select version from employees where id = $1 for update")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?
                .ok_or(AppError::NotFound)?;
            let current = db::find(&mut tx, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
            let current = input_from_detail(&current);
            match reconcile(posted.loaded(), version, &posted.base, &form, &current) {
                Outcome::Fresh => {}
                Outcome::Merged(m) => {
                    form = m;
                    merged = true;
                }
                Outcome::Conflict(clashes) => {
                    drop(tx);
                    let edit = EditState::conflict(version, &current, clashes);
                    return form_page(&state, ctx, Some(id), form, FieldErrors::default(), edit).await;
                }
            }
        }
        // A create form submitted twice creates one employee.
        None => {
            if let Some(location) = edit::claim(&mut tx, user.account_id, &posted.form_token).await? {
                drop(tx);
                let to = if location.is_empty() { "/employees".to_string() } else { location };
                return Ok(redirect_flash(&to, FlashKind::Ok, "flash.already_saved"));
            }
        }
    }
    let (e, pid, uid) = match check(&mut tx, &form, id, ctx.today).await? {
        Ok(v) => v,
        Err(errors) => {
            drop(tx);
            return form_page(&state, ctx, id, form, errors, posted.again()).await;
        }
    };
    let before = match id {
        Some(id) => snapshot(&mut tx, id).await?,
        None => None,
    };
    let saved = match e.save(&mut tx, id, pid, uid).await {
        Ok(saved) => saved,
        Err(err) => match crate::app::error::constraint_field(&err) {
            Some((field, key)) => {
                drop(tx);
                let mut errors = FieldErrors::default();
                errors.add(field, key);
                return form_page(&state, ctx, id, form, errors, posted.again()).await;
            }
            None => return Err(err.into()),
        },
    };
    let after = snapshot(&mut tx, saved).await?;
    let moved = before.as_ref().map(|b| &b["position_id"]) != after.as_ref().map(|a| &a["position_id"]);
    let action = if id.is_some() { "update" } else { "create" };
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "employee", saved, action, before, after).await?;
    if moved {
        // A new position: the account's head role follows it.
        crate::accounts::follow_positions(&mut tx, &Actor::from_ctx(&ctx), &[saved]).await?;
    }
    let to = format!("/employees/{saved}");
    if id.is_none() {
        edit::remember(&mut tx, &posted.form_token, &to).await?;
    }
    tx.commit().await?;
    Ok(redirect_flash(&to, FlashKind::Ok, if merged { "flash.saved_merged" } else { "flash.employee_saved" }))
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(form): Form<Versioned<EmployeeInput>>,
) -> AppResult<Response> {
    save(state, ctx, user, None, form).await
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(form): Form<Versioned<EmployeeInput>>,
) -> AppResult<Response> {
    save(state, ctx, user, Some(id), form).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeactivateForm {
    date: String,
}

async fn set_active(
    state: AppState,
    ctx: Ctx,
    id: i64,
    active: bool,
    date: Option<chrono::NaiveDate>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let before = snapshot(&mut tx, id).await?.ok_or(AppError::NotFound)?;
    let changed = sqlx::query(
        "update employees set active = $2, deactivated_on = case when $2 then null else coalesce($3::date, $4::date) end
         where id = $1 and active <> $2",
    )
    .bind(id)
    .bind(active)
    .bind(date)
    .bind(ctx.today)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed > 0 {
        let after = snapshot(&mut tx, id).await?;
        let action = if active { "activate" } else { "deactivate" };
        audit::record(&mut tx, &Actor::from_ctx(&ctx), "employee", id, action, Some(before), after).await?;
        // Leaving ends the head role with the position; returning brings it back.
        crate::accounts::follow_positions(&mut tx, &Actor::from_ctx(&ctx), &[id]).await?;
        if !active {
            // Someone who has left no longer signs in: their account is disabled with them.
            let accounts: Vec<i64> = sqlx::query_scalar(
                "update accounts set disabled_at = now() where employee_id = $1 and disabled_at is null returning id",
            )
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            for account in accounts {
                crate::auth::session::delete_all_for(&mut tx, account, None).await?;
                audit::record(
                    &mut tx,
                    &Actor::from_ctx(&ctx),
                    "account",
                    account,
                    "disable",
                    Some(json!({"disabled": false})),
                    Some(json!({"disabled": true, "reason": "employee deactivated"})),
                )
                .await?;
            }
        }
    } else {
        let action = if active { "activate" } else { "deactivate" };
        return edit::already_done(&mut tx, ctx, "employee", id, action, &format!("/employees/{id}")).await;
    }
    tx.commit().await?;
    let key = if active { "flash.employee_activated" } else { "flash.employee_deactivated" };
    Ok(redirect_flash(&format!("/employees/{id}"), FlashKind::Ok, key))
}

async fn deactivate(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Form(f): Form<DeactivateForm>,
) -> AppResult<Response> {
    let date = if f.date.trim().is_empty() {
        None
    } else {
        match parse_date(&f.date) {
            Some(d) if d <= ctx.today => Some(d),
            Some(_) => return Ok(redirect_flash(&format!("/employees/{id}"), FlashKind::Err, "emp.err.leave_future")),
            None => return Ok(redirect_flash(&format!("/employees/{id}"), FlashKind::Err, "form.bad_date")),
        }
    };
    set_active(state, ctx, id, false, date).await
}

async fn activate(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    set_active(state, ctx, id, true, None).await
}
