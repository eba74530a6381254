//! Opening a campaign: the form, and the campaign as `edit::save` creates it (the form's one-time
//! token: sent twice, one campaign). Who is asked is worked out before anything is written: a
//! campaign that would ask nobody is refused beside its units.

use axum::{Form, extract::State, response::Response};
use serde_json::Value;
use sqlx::PgConnection;

use super::model::{CampaignInput, CampaignScope, parse_deadline, parse_ids};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx,
        edit::{self, EditState, Versioned},
        form::{FieldErrors, required_text},
        render::render_status,
    },
    auth::{CurrentUser, Role, Scope},
    employees::db::{Opt, competency_options},
    units::db::{UNIT_MATCHES, UnitMatch, UnitOption, labelled, search_in_scope},
};

#[derive(askama::Template)]
#[template(path = "campaigns/form.html")]
struct FormPage {
    ctx: Ctx,
    form: CampaignInput,
    errors: FieldErrors,
    units: UnitPick,
    competencies: Vec<Opt>,
}

/// The units are listed to tick up to this many; a regency's thousands are searched by name.
const UNIT_LIST_MAX: i64 = 150;

/// The form's units as shown: every open unit in reach to tick, or (too many to list) the
/// chosen ones with a search.
struct UnitPick {
    search: bool,
    /// Every open unit in reach, in tree order (a list).
    list: Vec<UnitOption>,
    /// The units ticked and the one the typed text named (a search).
    chosen: Vec<UnitMatch>,
    /// What was typed, kept when it named no single unit.
    typed: String,
    /// The typed text's matches not chosen yet, offered to tick.
    matches: Vec<UnitMatch>,
    /// More matched than are offered: type more.
    more: bool,
}

/// The open units this user may ask, at most `limit`: all for HR, a head's unit subtrees
/// otherwise.
async fn unit_choices(conn: &mut PgConnection, scope: &Scope, limit: i64) -> Result<Vec<UnitOption>, sqlx::Error> {
    sqlx::query_as!(
        UnitOption,
        r#"select id, name, (length(path) - length(replace(path, '/', '')) - 2)::int as "depth!"
         from units where closed_on is null and unit_in_scope($1, $2, path) order by sort_key limit $3"#,
        scope.all,
        &scope.unit_patterns,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// What the unit search's typed text adds to the ticked units `ticked`.
enum Typed {
    /// Nothing typed, or one of its matches offered on the form ticked (`picked`).
    Nothing,
    /// The only open unit in reach it matches, or the only one it names whole (name or code).
    One(i64),
    /// No unit or several: the message key, the matches to tick and whether more matched.
    Unresolved(&'static str, Vec<UnitMatch>, bool),
}

/// What `typed` names among the open units in reach; `picked` are the ticked ones among the
/// matches the form offered when it came back with them.
async fn typed_unit(conn: &mut PgConnection, scope: &Scope, typed: &str, picked: &[i64]) -> Result<Typed, sqlx::Error> {
    let typed = typed.trim();
    if typed.is_empty() {
        return Ok(Typed::Nothing);
    }
    let mut found = search_in_scope(conn, typed, scope.all, &scope.unit_patterns, UNIT_MATCHES + 1).await?;
    let more = found.len() as i64 > UNIT_MATCHES;
    found.truncate(UNIT_MATCHES as usize);
    let exact: Vec<i64> = found.iter().filter(|m| m.exact).map(|m| m.id).collect();
    Ok(match (found.as_slice(), exact.as_slice()) {
        ([], _) => Typed::Unresolved("camp.err.unit_typed_none", vec![], false),
        ([one], _) => Typed::One(one.id),
        (_, [one]) => Typed::One(*one),
        _ if found.iter().any(|m| picked.contains(&m.id)) => Typed::Nothing,
        _ => Typed::Unresolved("camp.err.unit_typed_many", found, more),
    })
}

/// The units ticked (chosen before, and among the offered matches) and the offered ones ticked;
/// `None` when an id is not a number.
fn ticked_units(form: &CampaignInput) -> Option<(Vec<i64>, Vec<i64>)> {
    let picked = parse_ids(&form.unit_picks)?;
    let mut ids = parse_ids(&form.units)?;
    for id in &picked {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
    Some((ids, picked))
}

impl UnitPick {
    async fn read(conn: &mut PgConnection, scope: &Scope, form: &CampaignInput) -> Result<UnitPick, sqlx::Error> {
        let list = unit_choices(conn, scope, UNIT_LIST_MAX + 1).await?;
        if list.len() as i64 <= UNIT_LIST_MAX {
            return Ok(UnitPick {
                search: false,
                list,
                chosen: vec![],
                typed: String::new(),
                matches: vec![],
                more: false,
            });
        }
        let (mut ids, picked) = ticked_units(form).unwrap_or_default();
        let (mut typed, mut matches, mut more) = (form.unit_q.trim().to_string(), vec![], false);
        match typed_unit(conn, scope, &typed, &picked).await? {
            Typed::One(id) => {
                if !ids.contains(&id) {
                    ids.push(id);
                }
                typed.clear();
            }
            Typed::Nothing => typed.clear(),
            Typed::Unresolved(_, found, beyond) => {
                matches = found.into_iter().filter(|m| !ids.contains(&m.id)).collect();
                more = beyond;
            }
        }
        let chosen = labelled(conn, &ids).await?;
        Ok(UnitPick { search: true, list: vec![], chosen, typed, matches, more })
    }

    /// The "several match" legend, with what was typed.
    fn which(&self, template: &str) -> String {
        template.replace("{q}", &self.typed)
    }
}

async fn form_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    form: CampaignInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let units = UnitPick::read(&mut conn, &user.scope(), &form).await?;
    let competencies = competency_options(&mut conn, ctx.lang.is_en()).await?;
    let status = errors.status();
    render_status(status, &FormPage { ctx, form, errors, units, competencies })
}

pub(super) async fn new_form(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
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

/// `POST /campaigns`: units and competencies are repeated fields, so the form is read as pairs.
pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(pairs): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let form = CampaignInput::from_pairs(pairs);
    let posted = Versioned { form_token: form.form_token.clone(), form, ..Default::default() };
    edit::save::<NewCampaign>(&state, ctx, &user, None, posted).await
}

/// Everyone a campaign asks, as (employee, competency): the active staff of the units `$1` (with
/// their sub-units), each with the competencies of their own standard (`$2` = 'standard') or the
/// ones picked (`$3`), only the unknown ones if `$4`. One statement, counted before the campaign
/// is opened and then written: `asked!(query_macro, "before", "after", args…)` is the checked
/// statement `before` + this select + `after` (the select written once, pasted as a literal).
macro_rules! asked {
    ($query:ident, $before:tt, $after:tt, $($arg:expr),* $(,)?) => {
        sqlx::$query!(
            $before
                + "select distinct e.id as employee_id, x.competency_id
     from units top
     join units u on u.path like top.path || '%'
     join employees e on e.unit_id = u.id and e.active
     join lateral (
       select ps.competency_id from position_standards ps where $2::text = 'standard' and ps.position_id = e.position_id
       union
       select p.id from unnest($3::bigint[]) as p(id) where $2::text = 'picked'
     ) x on true
     join competencies k on k.id = x.competency_id and k.active
     where top.id = any($1)
       and (not $4
            or not exists (select 1 from current_levels cl where cl.employee_id = e.id and cl.competency_id = x.competency_id))"
                + $after,
            $($arg),*
        )
    };
}

/// A new campaign, opened through its create form (`edit::save`). What it asks (units,
/// competencies) is fixed once opened: its name and deadline change through `super::edit`.
pub(super) struct NewCampaign;

/// A new campaign's values once checked.
pub(super) struct Opening {
    name: String,
    scope: CampaignScope,
    deadline: chrono::NaiveDate,
    units: Vec<i64>,
    picked: Vec<i64>,
    opened_by: i64,
}

impl edit::Editable for NewCampaign {
    type Form = CampaignInput;
    type Checked = Opening;
    const ENTITY: &'static str = "campaign";
    const LIST: &'static str = "/campaigns";

    /// Never edited through this form.
    async fn load(_: &mut PgConnection, _: i64, _: bool) -> Result<Option<(i64, CampaignInput)>, sqlx::Error> {
        Ok(None)
    }

    /// Units: each one open and, for a head, within the units they lead; the competencies of the
    /// standard or those picked; a deadline ahead of today; and somebody to ask.
    async fn check_in(
        conn: &mut PgConnection,
        ctx: &Ctx,
        _: Option<i64>,
        form: &CampaignInput,
        errors: &mut FieldErrors,
    ) -> Result<Option<Opening>, sqlx::Error> {
        let Some(user) = ctx.user.as_ref() else { return Ok(None) };
        let scope = user.scope();
        let name = required_text(errors, "name", &form.name, 200);
        let units: Vec<i64> = match ticked_units(form) {
            None => {
                errors.add("units", "camp.err.units");
                vec![]
            }
            Some((mut ids, picked)) => {
                // A unit typed in the search and not chosen from its matches (no script, or
                // the form sent straight away).
                match typed_unit(conn, &scope, &form.unit_q, &picked).await? {
                    Typed::One(id) if !ids.contains(&id) => ids.push(id),
                    Typed::Unresolved(key, ..) => errors.add("units", key),
                    _ => {}
                }
                if ids.is_empty() && errors.get("units").is_none() {
                    errors.add("units", "camp.err.units_none");
                }
                let found: Vec<(i64, bool)> = sqlx::query!(
                    r#"select id, unit_in_scope($2, $3, path) as "allowed!" from units where id = any($1) and closed_on is null"#,
                    &ids,
                    scope.all,
                    &scope.unit_patterns,
                )
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|u| (u.id, u.allowed))
                .collect();
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
                let n: i64 = sqlx::query_scalar!(
                    r#"select count(*) as "n!" from competencies where id = any($1) and active"#,
                    &ids
                )
                .fetch_one(&mut *conn)
                .await?;
                if n != ids.len() as i64 {
                    errors.add("competencies", "asm.err.competency");
                }
                ids
            }
        };
        let deadline = parse_deadline(errors, &form.deadline, ctx.today);
        let (Some(scope), Some(deadline), true) = (kind, deadline, errors.is_empty()) else { return Ok(None) };
        // Nobody in those units has anything to assess: nothing is opened.
        let asked: i64 = asked!(
            query_scalar,
            r#"select count(*) as "n!" from ("#,
            ") a",
            &units,
            scope.as_str(),
            &picked,
            form.only_unknown,
        )
        .fetch_one(&mut *conn)
        .await?;
        if asked == 0 {
            errors.add("units", "camp.err.nobody");
            return Ok(None);
        }
        Ok(Some(Opening { name, scope, deadline, units, picked, opened_by: user.account_id }))
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<Value>, sqlx::Error> {
        super::edit::snapshot(conn, id).await
    }

    /// The campaign, its units and competencies, and everyone it asks.
    async fn write(
        conn: &mut PgConnection,
        _: Option<i64>,
        form: &CampaignInput,
        c: &Opening,
    ) -> Result<i64, sqlx::Error> {
        let id: i64 = sqlx::query_scalar!(
            "insert into campaigns (name, scope, only_unknown, deadline, opened_by) values ($1, $2, $3, $4, $5) returning id",
            c.name,
            c.scope.as_str(),
            form.only_unknown,
            c.deadline,
            c.opened_by,
        )
        .fetch_one(&mut *conn)
        .await?;
        sqlx::query!("insert into campaign_units (campaign_id, unit_id) select $1, unnest($2::bigint[])", id, &c.units)
            .execute(&mut *conn)
            .await?;
        sqlx::query!(
            "insert into campaign_competencies (campaign_id, competency_id) select $1, unnest($2::bigint[])",
            id,
            &c.picked,
        )
        .execute(&mut *conn)
        .await?;
        asked!(
            query,
            "insert into campaign_items (campaign_id, employee_id, competency_id) select $5, employee_id, competency_id from (",
            ") a",
            &c.units,
            c.scope.as_str(),
            &c.picked,
            form.only_unknown,
            id,
        )
        .execute(&mut *conn)
        .await?;
        Ok(id)
    }

    fn location(saved: i64) -> String {
        format!("/campaigns/{saved}")
    }

    fn saved_flash(_created: bool) -> &'static str {
        "flash.campaign_opened"
    }

    async fn page(
        state: &AppState,
        ctx: Ctx,
        _: Option<i64>,
        form: CampaignInput,
        errors: FieldErrors,
        _: EditState,
    ) -> AppResult<Response> {
        let user = ctx.user.clone().ok_or(AppError::Unauthorized)?;
        form_page(state, ctx, &user, form, errors).await
    }
}
