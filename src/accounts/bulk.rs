//! Accounts for everyone: HR creates the accounts of a unit (with its sub-units, optionally) or of
//! all active staff at once, after a preview of who gets one and who already has one. The
//! username is the NIP; the role is employee, plus head where the person holds a head position.
//! Then the batch's letters or e-mails carry each a one-time code (`batch.rs`).

use axum::{
    Form,
    extract::{Query, State},
    http::StatusCode,
    response::Response,
};
use serde::Deserialize;

use crate::{
    app::{
        AppResult, AppState, Ctx,
        form::FieldErrors,
        render::{FlashKind, redirect_flash, render_status},
    },
    audit::Actor,
    units::db::{UnitOption, options as unit_options},
};

/// At most this many names are listed in each part of a preview (the counts are exact).
const PREVIEW_ROWS: usize = 500;

#[derive(Deserialize, Default, Clone, Debug)]
#[serde(default)]
pub struct BulkForm {
    /// `unit` or `all`.
    pub scope: String,
    pub unit: String,
    pub subunits: Option<String>,
}

/// The checked choice: everybody, or one unit (and its sub-units).
struct Choice {
    unit: Option<i64>,
    subunits: bool,
}

#[derive(Clone, Debug)]
pub struct PreviewRow {
    pub name: String,
    pub nip: String,
    pub unit: String,
    pub position: String,
    pub head_of: Option<String>,
    pub has_email: bool,
    pub username: Option<String>,
    pub disabled: bool,
    pub name_taken: bool,
}

#[derive(askama::Template)]
#[template(path = "accounts/bulk.html")]
struct BulkPage {
    ctx: Ctx,
    form: BulkForm,
    errors: FieldErrors,
    units: Vec<UnitOption>,
    previewed: bool,
    new_rows: Vec<PreviewRow>,
    new_total: usize,
    have_rows: Vec<PreviewRow>,
    have_total: usize,
    taken_rows: Vec<PreviewRow>,
    heads: usize,
    with_email: usize,
    batches: Vec<BatchRow>,
}

#[derive(Clone, Debug)]
pub struct BatchRow {
    pub id: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: String,
    pub unit: Option<String>,
    pub with_subunits: bool,
    pub created_count: i32,
    pub waiting: i64,
}

impl BatchRow {
    pub fn scope(&self, ctx: &Ctx) -> String {
        match &self.unit {
            None => ctx.t("bulk.scope_all").to_string(),
            Some(u) if self.with_subunits => format!("{u} {}", ctx.t("bulk.with_sub_short")),
            Some(u) => u.clone(),
        }
    }
}

/// `sqlx::query_as!` of `BatchRow`s over `account_batches b`, its creator `c` and unit `u`, then
/// `$rest` (a literal: where, order) with its binds.
macro_rules! batch_rows {
    ($rest:literal $(, $arg:expr)* $(,)?) => {
        sqlx::query_as!(
            $crate::accounts::bulk::BatchRow,
            r#"select b.id, b.created_at, coalesce(c.username, '') as "created_by!", u.name as "unit?", b.with_subunits,
                      b.created_count,
                      (select count(*) from accounts a
                       where a.batch_id = b.id and a.last_login_at is null and a.disabled_at is null) as "waiting!"
               from account_batches b left join accounts c on c.id = b.created_by left join units u on u.id = b.unit_id "#
                + $rest
            $(, $arg)*
        )
    };
}
pub(super) use batch_rows;

fn check(form: &BulkForm, units: &[UnitOption], errors: &mut FieldErrors) -> Option<Choice> {
    match form.scope.as_str() {
        "all" => Some(Choice { unit: None, subunits: true }),
        "unit" => match form.unit.trim().parse::<i64>().ok().filter(|id| units.iter().any(|u| u.id == *id)) {
            Some(id) => Some(Choice { unit: Some(id), subunits: form.subunits.is_some() }),
            None => {
                errors.add("unit", "bulk.err.unit");
                None
            }
        },
        _ => {
            errors.add("scope", "bulk.err.scope");
            None
        }
    }
}

/// Everybody active in the choice, with the account they have (if any).
async fn preview_rows(conn: &mut sqlx::PgConnection, c: &Choice) -> Result<Vec<PreviewRow>, sqlx::Error> {
    sqlx::query_as!(
        PreviewRow,
        r#"select employee_display_name(e.front_title, e.name, e.back_title) as "name!", e.nip, u.name as unit,
                  coalesce(p.name, '') as "position!",
                  case when p.is_unit_head and p.active then hu.name end as head_of,
                  coalesce(e.email like '%_@_%', false) as "has_email!",
                  a.username as "username?", coalesce(a.disabled_at is not null, false) as "disabled!",
                  a.id is null and exists (select 1 from accounts x where x.username = e.nip) as "name_taken!"
           from employees e join units u on u.id = e.unit_id
           left join positions p on p.id = e.position_id left join units hu on hu.id = p.unit_id
           left join accounts a on a.employee_id = e.id
           where e.active and ($1::bigint is null or u.id = $1
                 or ($2 and u.path like (select path from units where id = $1) || '%'))
           order by u.sort_key, e.name, e.id"#,
        c.unit,
        c.subunits
    )
    .fetch_all(conn)
    .await
}

async fn page(
    state: &AppState,
    ctx: Ctx,
    form: BulkForm,
    mut errors: FieldErrors,
    preview: bool,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let units = unit_options(&mut conn).await?;
    let batches: Vec<BatchRow> = batch_rows!("order by b.id desc limit 10").fetch_all(&mut *conn).await?;
    let mut p = BulkPage {
        ctx,
        form: form.clone(),
        errors: FieldErrors::default(),
        units,
        previewed: false,
        new_rows: vec![],
        new_total: 0,
        have_rows: vec![],
        have_total: 0,
        taken_rows: vec![],
        heads: 0,
        with_email: 0,
        batches,
    };
    if preview
        && errors.is_empty()
        && let Some(choice) = check(&form, &p.units, &mut errors)
    {
        let rows = preview_rows(&mut conn, &choice).await?;
        let (have, rest): (Vec<_>, Vec<_>) = rows.into_iter().partition(|r| r.username.is_some());
        let (taken, new): (Vec<_>, Vec<_>) = rest.into_iter().partition(|r| r.name_taken);
        p.heads = new.iter().filter(|r| r.head_of.is_some()).count();
        p.with_email = new.iter().filter(|r| r.has_email).count();
        p.new_total = new.len();
        p.have_total = have.len();
        p.new_rows = new.into_iter().take(PREVIEW_ROWS).collect();
        p.have_rows = have.into_iter().take(PREVIEW_ROWS).collect();
        p.taken_rows = taken.into_iter().take(PREVIEW_ROWS).collect();
        p.previewed = true;
    }
    let status = if errors.is_empty() { StatusCode::OK } else { StatusCode::UNPROCESSABLE_ENTITY };
    p.errors = errors;
    render_status(status, &p)
}

pub async fn bulk_form(State(state): State<AppState>, ctx: Ctx, Query(q): Query<BulkForm>) -> AppResult<Response> {
    let preview = !q.scope.is_empty();
    let form = if preview { q } else { BulkForm { scope: "unit".into(), subunits: Some("on".into()), ..q } };
    page(&state, ctx, form, FieldErrors::default(), preview).await
}

/// Create the accounts of everybody in the choice who has none, in one transaction: accounts,
/// roles (employee; head where the person holds a head position) and an audit row each. Creating
/// again creates nobody twice; two officers at once take turns.
pub async fn bulk_create(State(state): State<AppState>, ctx: Ctx, Form(form): Form<BulkForm>) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let mut conn = state.pool.acquire().await?;
    let units = unit_options(&mut conn).await?;
    drop(conn);
    let Some(choice) = check(&form, &units, &mut errors) else {
        return page(&state, ctx, form, errors, false).await;
    };
    let actor = Actor::from_ctx(&ctx);
    let mut tx = state.pool.begin().await?;
    sqlx::query!("select pg_advisory_xact_lock(3, hashtext('accounts.bulk'))").execute(&mut *tx).await?;
    let batch: i64 = sqlx::query_scalar!(
        "insert into account_batches (created_by, unit_id, with_subunits) values ($1, $2, $3) returning id",
        actor.account_id,
        choice.unit,
        choice.subunits
    )
    .fetch_one(&mut *tx)
    .await?;
    let created: i64 = sqlx::query_scalar!(
        r#"with cand as (
           select e.id as employee_id, e.nip, case when p.is_unit_head and p.active then p.unit_id end as head_unit
           from employees e join units u on u.id = e.unit_id left join positions p on p.id = e.position_id
           where e.active and ($1::bigint is null or u.id = $1
                 or ($2 and u.path like (select path from units where id = $1) || '%'))
             and not exists (select 1 from accounts a where a.employee_id = e.id)
             and not exists (select 1 from accounts a where a.username = e.nip)),
         made as (
           insert into accounts (username, employee_id, password_hash, must_change_password, batch_id)
           select nip, employee_id, '', true, $3 from cand
           returning id, employee_id, username),
         roles as (
           insert into account_roles (account_id, role, unit_id)
           select m.id, 'employee', null from made m
           union all
           select m.id, 'head', c.head_unit from made m join cand c on c.employee_id = m.employee_id
           where c.head_unit is not null
           returning account_id),
         audited as (
           insert into audit_log (account_id, actor, ip, entity, entity_id, action, after)
           select $4, $5, $6, 'account', m.id::text, 'create',
                  jsonb_build_object('username', m.username, 'employee_id', m.employee_id, 'batch_id', $3,
                    'must_change_password', true,
                    'roles', jsonb_build_array(jsonb_build_object('role', 'employee', 'unit_id', null))
                             || case when c.head_unit is null then '[]'::jsonb
                                     else jsonb_build_array(jsonb_build_object('role', 'head', 'unit_id', c.head_unit)) end)
           from made m join cand c on c.employee_id = m.employee_id
           returning 1)
         select count(*) as "n!" from made"#,
        choice.unit,
        choice.subunits,
        batch,
        actor.account_id,
        actor.label,
        actor.ip
    )
    .fetch_one(&mut *tx)
    .await?;
    if created == 0 {
        // Nothing to do (everyone has an account already): no empty batch is kept.
        drop(tx);
        return Ok(redirect_flash("/accounts/bulk", FlashKind::Ok, "bulk.none_created"));
    }
    sqlx::query!("update account_batches set created_count = $2 where id = $1", batch, created as i32)
        .execute(&mut *tx)
        .await?;
    crate::audit::record(
        &mut tx,
        &actor,
        "account_batch",
        batch,
        "bulk_create",
        None,
        Some(serde_json::json!({"unit_id": choice.unit, "with_subunits": choice.subunits, "created": created})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/accounts/batches/{batch}"), FlashKind::Ok, "bulk.created"))
}
