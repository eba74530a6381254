//! Creating and editing an employee: the form, and the record as `edit::save` saves it (the
//! versioned edit written once). A new position also moves the account's head role with it.

use axum::{extract::State, response::Response};
use serde_json::Value;
use sqlx::PgConnection;

use super::{
    db::{self, Opt, RankOpt},
    form::{EmployeeInput, NewEmployee, input_from_detail, snapshot},
};
use crate::{
    app::{
        AppResult, AppState, Ctx,
        edit::{self, EditState},
        form::FieldErrors,
        render::render_status,
    },
    audit::Actor,
    auth::Scope,
};

#[derive(askama::Template)]
#[template(path = "employees/form.html")]
struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: EmployeeInput,
    errors: FieldErrors,
    /// Every active position, or (`search`) the chosen one and the matches of what was typed.
    positions: Vec<Opt>,
    /// Too many positions to list: the form offers a search.
    search: bool,
    ranks: Vec<RankOpt>,
    edit: EditState,
    label_prefix: &'static str,
}

pub(super) async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = EmployeeInput { status: "PNS".into(), ..Default::default() };
    <Employee as edit::Editable>::page(&state, ctx, None, form, FieldErrors::default(), EditState::create()).await
}

/// An employee, edited through its versioned form (`edit::save`). Only HR edits employees, and
/// HR sees every one.
pub(super) struct Employee;

/// An employee's values once checked, with their position and that position's unit.
pub(super) struct CheckedEmployee {
    employee: NewEmployee,
    position: i64,
    unit: i64,
}

impl edit::Editable for Employee {
    type Form = EmployeeInput;
    type Checked = CheckedEmployee;
    const ENTITY: &'static str = "employee";
    const LIST: &'static str = "/employees";

    async fn load(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, EmployeeInput)>, sqlx::Error> {
        if lock {
            let found: Option<i64> = sqlx::query_scalar!(r#"select id from employees where id = $1 for update"#, id,)
                .fetch_optional(&mut *conn)
                .await?;
            if found.is_none() {
                return Ok(None);
            }
        }
        let every = Scope { all: true, own: None, unit_patterns: vec![] };
        Ok(db::find(conn, id, &every).await?.map(|e| (e.version, input_from_detail(&e))))
    }

    /// Every field (the dates against the agency's date today), then the position (and so the
    /// unit) and whether the NIP is someone else's.
    async fn check_in(
        conn: &mut PgConnection,
        ctx: &Ctx,
        id: Option<i64>,
        form: &EmployeeInput,
        errors: &mut FieldErrors,
    ) -> Result<Option<CheckedEmployee>, sqlx::Error> {
        let parsed = form.parse(ctx.today);
        if let Err(found) = &parsed {
            for (field, key) in &found.0 {
                errors.add(field, key);
            }
        }
        // A typed position (the form's search, where there are too many positions to list) is
        // taken when it names one position, else the ticked one among its matches (the form came
        // back with them to choose from, the text kept); with nothing typed, the ticked one.
        let typed = form.position_q.trim();
        let position: Option<(i64, i64)> = if !typed.is_empty() {
            let found = db::search_positions(conn, typed, db::POSITION_MATCHES + 1).await?;
            match db::typed_position(&found, form.position.trim().parse().ok()) {
                Ok(m) => Some((m.id, m.unit_id)),
                Err(key) => {
                    errors.add("position", key);
                    None
                }
            }
        } else {
            match form.position.trim().parse::<i64>() {
                Ok(pid) => sqlx::query!(
                    "select p.id, p.unit_id from positions p join units u on u.id = p.unit_id
                     where p.id = $1 and p.active and u.closed_on is null",
                    pid,
                )
                .fetch_optional(&mut *conn)
                .await?
                .map(|r| (r.id, r.unit_id)),
                Err(_) => None,
            }
        };
        if position.is_none() && typed.is_empty() {
            errors.add("position", "emp.err.position");
        }
        if let Ok(e) = &parsed {
            let taken: bool = sqlx::query_scalar!(
                r#"select exists(select 1 from employees where nip = $1 and id is distinct from $2) as "taken!""#,
                e.nip.as_str(),
                id,
            )
            .fetch_one(&mut *conn)
            .await?;
            if taken {
                errors.add("nip", "emp.err.nip_taken");
            }
        }
        Ok(match (parsed, position) {
            (Ok(employee), Some((position, unit))) => Some(CheckedEmployee { employee, position, unit }),
            _ => None,
        })
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<Value>, sqlx::Error> {
        snapshot(conn, id).await
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<i64>,
        _: &EmployeeInput,
        c: &CheckedEmployee,
    ) -> Result<i64, sqlx::Error> {
        c.employee.save(conn, id, Some(c.position), c.unit).await
    }

    /// A new position: the account's head role follows it.
    async fn after(
        conn: &mut PgConnection,
        actor: &Actor,
        _edited: Option<i64>,
        saved: i64,
        (before, after): (Option<&Value>, Option<&Value>),
    ) -> Result<(), sqlx::Error> {
        if before.map(|b| &b["position_id"]) != after.map(|a| &a["position_id"]) {
            crate::accounts::follow_positions(conn, actor, &[saved]).await?;
        }
        Ok(())
    }

    fn location(saved: i64) -> String {
        format!("/employees/{saved}")
    }

    fn saved_flash(_created: bool) -> &'static str {
        "flash.employee_saved"
    }

    async fn page(
        state: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: EmployeeInput,
        errors: FieldErrors,
        edit: EditState,
    ) -> AppResult<Response> {
        let mut conn = state.pool.acquire().await?;
        let search = db::too_many_positions(state, &mut conn).await?;
        let positions =
            if search { searched_positions(&mut conn, &form).await? } else { db::position_options(&mut conn).await? };
        let ranks = db::rank_options(&mut conn).await?;
        let status = edit.status(&errors);
        render_status(status, &FormPage { ctx, id, form, errors, positions, search, ranks, edit, label_prefix: "emp" })
    }
}

/// The positions the form's search offers: the ticked one, then those matching what was typed
/// (when it named no single one, the form comes back with them to tick).
async fn searched_positions(conn: &mut PgConnection, form: &EmployeeInput) -> Result<Vec<Opt>, sqlx::Error> {
    let typed = form.position_q.trim();
    let matches =
        if typed.is_empty() { vec![] } else { db::search_positions(conn, typed, db::POSITION_MATCHES).await? };
    db::searched_options(conn, form.position.trim().parse().ok(), &matches).await
}
