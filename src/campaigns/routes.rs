//! The campaign pages: the list, opening one, its page (progress per unit, the staff and, once
//! closed, who never answered), changing its name or deadline, closing it.

use axum::{
    Form,
    extract::{Path, Query, State},
    response::Response,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sqlx::PgConnection;

use super::{
    db::{self, Header, ListRow, StaffRow, UnitProgress},
    model::{CampaignInput, CampaignScope, parse_deadline, parse_ids},
};
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        edit::{self, Begin, EditState, Versioned},
        export::{self, Table},
        form::{FieldErrors, required_text},
        paging::{PER_PAGE, Pager},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
    employees::db::{Opt, competency_options},
    units::db::UnitOption,
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .nav(38, |u| (u.has(Role::Hr) || u.has(Role::Head)).then(|| ("/campaigns".into(), "nav.campaigns")))
        .get("/campaigns", Access::AnyOf(HR_HEAD), list)
        .get("/campaigns/new", Access::AnyOf(HR_HEAD), new_form)
        .post("/campaigns", Access::AnyOf(HR_HEAD), create)
        .get("/campaigns/{id}", Access::AnyOf(HR_HEAD), detail)
        .get("/campaigns/{id}/edit", Access::AnyOf(HR_HEAD), edit_form)
        .post("/campaigns/{id}", Access::AnyOf(HR_HEAD), update)
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

// ---- opening a campaign

#[derive(askama::Template)]
#[template(path = "campaigns/form.html")]
struct FormPage {
    ctx: Ctx,
    form: CampaignInput,
    errors: FieldErrors,
    units: Vec<UnitOption>,
    competencies: Vec<Opt>,
}

/// The open units this user may ask: all for HR, a head's unit subtrees otherwise.
async fn unit_choices(conn: &mut PgConnection, user: &CurrentUser) -> Result<Vec<UnitOption>, sqlx::Error> {
    let scope = user.scope();
    sqlx::query_as(
        "select id, name, (length(path) - length(replace(path, '/', '')) - 2)::int as depth
         from units where closed_on is null and unit_in_scope($1, $2, path) order by sort_key",
    )
    .bind(scope.all)
    .bind(&scope.unit_patterns)
    .fetch_all(conn)
    .await
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    form: CampaignInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let units = unit_choices(&mut conn, user).await?;
    let competencies = competency_options(&mut conn, ctx.lang.is_en()).await?;
    let status = errors.status();
    render_status(status, &FormPage { ctx, form, errors, units, competencies })
}

async fn new_form(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    let form = CampaignInput {
        scope: CampaignScope::Standard.as_str().into(),
        only_unknown: true,
        deadline: (ctx.today + chrono::Duration::days(14)).format("%Y-%m-%d").to_string(),
        form_token: edit::new_token(),
        // A head of one unit starts with it ticked.
        units: match user.head_units.as_slice() {
            [only] if !user.has(Role::Hr) => vec![only.id.to_string()],
            _ => vec![],
        },
        ..Default::default()
    };
    form_page(&state, ctx, &user, form, FieldErrors::default()).await
}

/// Everyone asked, written in one statement: the active staff of the units (with their
/// sub-units), each with the competencies of their own standard or the ones picked, only the
/// unknown ones if so chosen. Returns how many items.
async fn write_items(conn: &mut PgConnection, id: i64) -> Result<u64, sqlx::Error> {
    Ok(sqlx::query(
        "insert into campaign_items (campaign_id, employee_id, competency_id)
         select distinct c.id, e.id, x.competency_id
         from campaigns c
         join campaign_units cu on cu.campaign_id = c.id join units top on top.id = cu.unit_id
         join units u on u.path like top.path || '%'
         join employees e on e.unit_id = u.id and e.active
         join lateral (
           select ps.competency_id from position_standards ps where c.scope = 'standard' and ps.position_id = e.position_id
           union
           select cc.competency_id from campaign_competencies cc where c.scope = 'picked' and cc.campaign_id = c.id
         ) x on true
         join competencies k on k.id = x.competency_id and k.active
         where c.id = $1
           and (not c.only_unknown
                or not exists (select 1 from current_levels cl where cl.employee_id = e.id and cl.competency_id = x.competency_id))",
    )
    .bind(id)
    .execute(conn)
    .await?
    .rows_affected())
}

async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = CampaignInput::from_pairs(pairs);
    let scope = user.scope();
    let mut errors = FieldErrors::default();
    let mut tx = state.pool.begin().await?;
    // Sent twice: one campaign (the claim is undone with the transaction if the form has errors).
    if let Some(location) = edit::claim(&mut tx, user.account_id, &form.form_token).await? {
        let to = if location.is_empty() { "/campaigns".to_string() } else { location };
        return Ok(redirect_flash(&to, FlashKind::Ok, "flash.already_saved"));
    }
    let name = required_text(&mut errors, "name", &form.name, 200);
    // Units: each one open and, for a head, within the units they lead.
    let units: Vec<i64> = match parse_ids(&form.units) {
        None => {
            errors.add("units", "camp.err.units");
            vec![]
        }
        Some(ids) if ids.is_empty() => {
            errors.add("units", "camp.err.units_none");
            vec![]
        }
        Some(ids) => {
            let found: Vec<(i64, bool)> = sqlx::query_as(
                "select id, unit_in_scope($2, $3, path) from units where id = any($1) and closed_on is null",
            )
            .bind(&ids)
            .bind(scope.all)
            .bind(&scope.unit_patterns)
            .fetch_all(&mut *tx)
            .await?;
            if found.len() != ids.len() {
                errors.add("units", "camp.err.units");
            } else if found.iter().any(|(_, allowed)| !allowed) {
                errors.add("units", "camp.err.unit_scope");
            }
            ids
        }
    };
    let kind = CampaignScope::parse(&form.scope);
    let picked: Vec<i64> = match (kind, parse_ids(&form.competencies)) {
        (None, _) => {
            errors.add("scope", "camp.err.scope");
            vec![]
        }
        (Some(_), None) => {
            errors.add("competencies", "asm.err.competency");
            vec![]
        }
        (Some(CampaignScope::Standard), Some(ids)) => {
            if !ids.is_empty() {
                errors.add("scope", "camp.err.standard_with_picks");
            }
            vec![]
        }
        (Some(CampaignScope::Picked), Some(ids)) if ids.is_empty() => {
            errors.add("competencies", "camp.err.competencies_none");
            vec![]
        }
        (Some(CampaignScope::Picked), Some(ids)) => {
            let n: i64 = sqlx::query_scalar("select count(*) from competencies where id = any($1) and active")
                .bind(&ids)
                .fetch_one(&mut *tx)
                .await?;
            if n != ids.len() as i64 {
                errors.add("competencies", "asm.err.competency");
            }
            ids
        }
    };
    let deadline = parse_deadline(&mut errors, &form.deadline, ctx.today);
    let (Some(kind), Some(deadline), true) = (kind, deadline, errors.is_empty()) else {
        drop(tx);
        return form_page(&state, ctx, &user, form, errors).await;
    };
    let id: i64 = sqlx::query_scalar(
        "insert into campaigns (name, scope, only_unknown, deadline, opened_by) values ($1, $2, $3, $4, $5) returning id",
    )
    .bind(&name)
    .bind(kind.as_str())
    .bind(form.only_unknown)
    .bind(deadline)
    .bind(user.account_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("insert into campaign_units (campaign_id, unit_id) select $1, unnest($2::bigint[])")
        .bind(id)
        .bind(&units)
        .execute(&mut *tx)
        .await?;
    sqlx::query("insert into campaign_competencies (campaign_id, competency_id) select $1, unnest($2::bigint[])")
        .bind(id)
        .bind(&picked)
        .execute(&mut *tx)
        .await?;
    let items = write_items(&mut tx, id).await?;
    if items == 0 {
        // Nobody in those units has anything to assess: nothing is opened.
        drop(tx);
        errors.add("units", "camp.err.nobody");
        return form_page(&state, ctx, &user, form, errors).await;
    }
    let after = json!({"name": name, "scope": kind.as_str(), "only_unknown": form.only_unknown, "deadline": deadline,
                       "unit_id": units, "competency_id": picked, "items": items});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "campaign", id, "create", None, Some(after)).await?;
    let to = format!("/campaigns/{id}");
    edit::remember(&mut tx, &form.form_token, &to).await?;
    tx.commit().await?;
    Ok(redirect_flash(&to, FlashKind::Ok, "flash.campaign_opened"))
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

// ---- changing the name or the deadline

#[derive(Deserialize, Serialize, Default, Clone)]
#[serde(default)]
struct EditForm {
    name: String,
    deadline: String,
}

#[derive(askama::Template)]
#[template(path = "campaigns/edit.html")]
struct EditPage {
    ctx: Ctx,
    id: i64,
    form: EditForm,
    errors: FieldErrors,
    edit: EditState,
    label_prefix: &'static str,
}

fn edit_page(ctx: Ctx, id: i64, form: EditForm, errors: FieldErrors, edit: EditState) -> AppResult<Response> {
    let status = edit.status(&errors);
    render_status(status, &EditPage { ctx, id, form, errors, edit, label_prefix: "camp" })
}

/// A campaign this user may change, read under a row lock when `lock`: its version, its fields as
/// the edit form shows them and whether it is still open. Not seen: 404; seen but neither HR nor
/// the head who opened it: 403.
async fn load_managed(
    conn: &mut PgConnection,
    user: &CurrentUser,
    id: i64,
    lock: bool,
) -> AppResult<(i64, EditForm, bool)> {
    let scope = user.scope();
    let sql = if lock {
        "select c.version, c.name, c.deadline, c.closed_at is null, c.opened_by from campaigns c
         where c.id = $1 and campaign_sees($2, $3, $4, c.id) for update"
    } else {
        "select c.version, c.name, c.deadline, c.closed_at is null, c.opened_by from campaigns c
         where c.id = $1 and campaign_sees($2, $3, $4, c.id)"
    };
    let row: Option<(i64, String, chrono::NaiveDate, bool, i64)> = sqlx::query_as(sql)
        .bind(id)
        .bind(scope.all)
        .bind(user.account_id)
        .bind(&scope.unit_patterns)
        .fetch_optional(conn)
        .await?;
    let (version, name, deadline, open, opened_by) = row.ok_or(AppError::NotFound)?;
    if !(user.has(Role::Hr) || opened_by == user.account_id) {
        return Err(AppError::Forbidden);
    }
    Ok((version, EditForm { name, deadline: deadline.format("%Y-%m-%d").to_string() }, open))
}

async fn edit_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let (version, form, open) = load_managed(&mut conn, &user, id, false).await?;
    if !open {
        return Ok(redirect_flash(&format!("/campaigns/{id}"), FlashKind::Err, "camp.err.closed"));
    }
    let edit = EditState::loaded(version, &form);
    edit_page(ctx, id, form, FieldErrors::default(), edit)
}

async fn update(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Form(posted): Form<Versioned<EditForm>>,
) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let (version, current, open) = load_managed(&mut tx, &user, id, true).await?;
    if !open {
        return Ok(redirect_flash(&format!("/campaigns/{id}"), FlashKind::Err, "camp.err.closed"));
    }
    let before = current.clone();
    let (form, merged) = match edit::begin(&mut tx, user.account_id, &posted, Some((version, current))).await? {
        Begin::Go { form, merged } => (form, merged),
        Begin::Conflict(edit) => {
            drop(tx);
            return edit_page(ctx, id, posted.form, FieldErrors::default(), edit);
        }
        Begin::Duplicate(_) => return Ok(redirect_flash(&format!("/campaigns/{id}"), FlashKind::Ok, "flash.saved")),
    };
    let mut errors = FieldErrors::default();
    let name = required_text(&mut errors, "name", &form.name, 200);
    let deadline = parse_deadline(&mut errors, &form.deadline, ctx.today);
    let (Some(deadline), true) = (deadline, errors.is_empty()) else {
        drop(tx);
        return edit_page(ctx, id, form, errors, posted.again());
    };
    sqlx::query("update campaigns set name = $2, deadline = $3 where id = $1")
        .bind(id)
        .bind(&name)
        .bind(deadline)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "campaign",
        id,
        "update",
        Some(json!({"name": before.name, "deadline": before.deadline})),
        Some(json!({"name": name, "deadline": deadline})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(
        &format!("/campaigns/{id}"),
        FlashKind::Ok,
        if merged { "flash.saved_merged" } else { "flash.saved" },
    ))
}

// ---- closing

/// Close a campaign: each item keeps the state it has now (one statement), so who never answered
/// is recorded as of this moment. HR or the head who opened it; twice at once closes once.
async fn close(State(state): State<AppState>, ctx: Ctx, user: CurrentUser, Path(id): Path<i64>) -> AppResult<Response> {
    let mut tx = state.pool.begin().await?;
    let (_, _, open) = load_managed(&mut tx, &user, id, true).await?;
    let to = format!("/campaigns/{id}");
    if !open {
        return Ok(redirect_flash(&to, FlashKind::Err, "camp.err.already_closed"));
    }
    let (not_started, submitted, validated, unanswered): (i64, i64, i64, i64) = sqlx::query_as(
        "with frozen as (
           update campaign_items i set closed_state = s.state
           from campaign_item_states s
           where s.campaign_id = $1 and i.campaign_id = s.campaign_id and i.employee_id = s.employee_id
             and i.competency_id = s.competency_id
           returning i.employee_id, i.closed_state)
         select count(*) filter (where closed_state = 'not_started'), count(*) filter (where closed_state = 'submitted'),
                count(*) filter (where closed_state = 'validated'),
                count(distinct employee_id) filter (where closed_state = 'not_started')
         from frozen",
    )
    .bind(id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("update campaigns set closed_at = now(), closed_by = $2 where id = $1")
        .bind(id)
        .bind(user.account_id)
        .execute(&mut *tx)
        .await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "campaign",
        id,
        "close",
        Some(json!({"closed": false})),
        Some(json!({"closed": true, "not_started": not_started, "submitted": submitted, "validated": validated,
                    "unanswered_staff": unanswered})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&to, FlashKind::Ok, "flash.campaign_closed"))
}
