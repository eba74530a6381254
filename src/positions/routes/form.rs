//! The position form, and the position as a versioned record (`edit::save`).

use super::*;

#[derive(Deserialize, serde::Serialize, Default, Clone)]
#[serde(default)]
pub(super) struct PosForm {
    name: String,
    kind: String,
    functional_level: String,
    class_grade: String,
    unit: String,
    is_unit_head: Option<String>,
    active: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "positions/form.html")]
pub(super) struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: PosForm,
    errors: FieldErrors,
    units: Vec<UnitOption>,
    kinds: &'static [PositionKind],
    levels: &'static [FunctionalLevel],
    edit: EditState,
    label_prefix: &'static str,
}

pub(super) async fn form_page(
    state: &AppState,
    ctx: Ctx,
    id: Option<i64>,
    form: PosForm,
    errors: FieldErrors,
    edit: EditState,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let units = unit_options(&mut conn).await?;
    let status = edit.status(&errors);
    let (kinds, levels) = (PositionKind::ALL, FunctionalLevel::ALL);
    render_status(status, &FormPage { ctx, id, form, errors, units, kinds, levels, edit, label_prefix: "pos" })
}

pub(super) async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let form = PosForm { kind: "pelaksana".into(), active: Some("on".into()), ..Default::default() };
    form_page(&state, ctx, None, form, FieldErrors::default(), EditState::create()).await
}

/// A position as its edit form shows it, with its version (`lock`: held until the transaction ends).
pub(super) async fn load_form(
    conn: &mut sqlx::PgConnection,
    id: i64,
    lock: bool,
) -> Result<Option<(i64, PosForm)>, sqlx::Error> {
    let r = if lock {
        sqlx::query_as!(
            PosRecord,
            "select version, name, kind, functional_level, class_grade, unit_id, is_unit_head, active from positions
             where id = $1 for update",
            id,
        )
        .fetch_optional(conn)
        .await?
    } else {
        sqlx::query_as!(
            PosRecord,
            "select version, name, kind, functional_level, class_grade, unit_id, is_unit_head, active from positions
             where id = $1",
            id,
        )
        .fetch_optional(conn)
        .await?
    };
    Ok(r.map(|r| {
        let form = PosForm {
            name: r.name,
            kind: r.kind,
            functional_level: r.functional_level.unwrap_or_default(),
            class_grade: r.class_grade.map(|c| c.to_string()).unwrap_or_default(),
            unit: r.unit_id.to_string(),
            is_unit_head: r.is_unit_head.then(|| "on".into()),
            active: r.active.then(|| "on".into()),
        };
        (r.version, form)
    }))
}

pub(super) struct PosRecord {
    version: i64,
    name: String,
    kind: String,
    functional_level: Option<String>,
    class_grade: Option<i16>,
    unit_id: i64,
    is_unit_head: bool,
    active: bool,
}

/// A position, edited through its versioned form (`edit::save`).
pub(super) struct Position;

/// A position's values once checked.
pub(super) struct CheckedPos {
    name: String,
    kind: PositionKind,
    level: Option<FunctionalLevel>,
    class: Option<i16>,
    unit: i64,
    head: bool,
}

impl edit::Editable for Position {
    type Form = PosForm;
    type Checked = CheckedPos;
    const ENTITY: &'static str = "position";
    const LIST: &'static str = "/positions";

    async fn load(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, PosForm)>, sqlx::Error> {
        load_form(conn, id, lock).await
    }

    async fn check(
        conn: &mut PgConnection,
        id: Option<i64>,
        form: &PosForm,
        errors: &mut FieldErrors,
    ) -> Result<Option<CheckedPos>, sqlx::Error> {
        let name = required_text(errors, "name", &form.name, 200);
        let kind = PositionKind::parse(&form.kind);
        if kind.is_none() {
            errors.add("kind", "pos.err.kind");
        }
        let level = FunctionalLevel::parse(&form.functional_level);
        match (kind, level) {
            (Some(PositionKind::Fungsional), None) => errors.add("functional_level", "pos.err.level_needed"),
            (Some(k), Some(_)) if k != PositionKind::Fungsional => {
                errors.add("functional_level", "pos.err.level_only_functional")
            }
            _ => {}
        }
        let class = if form.class_grade.trim().is_empty() {
            None
        } else {
            match form.class_grade.trim().parse::<i16>() {
                Ok(c) if (1..=17).contains(&c) => Some(c),
                _ => {
                    errors.add("class_grade", "pos.err.class");
                    None
                }
            }
        };
        let unit: Option<i64> = match form.unit.trim().parse::<i64>() {
            Ok(u) => {
                sqlx::query_scalar!(r#"select id from units where id = $1 and closed_on is null"#, u,)
                    .fetch_optional(&mut *conn)
                    .await?
            }
            Err(_) => None,
        };
        if unit.is_none() {
            errors.add("unit", "acct.err.unit");
        }
        let head = form.is_unit_head.is_some();
        if let (true, Some(u)) = (head, unit) {
            let other: bool = sqlx::query_scalar!(
                r#"select exists(select 1 from positions where unit_id = $1 and is_unit_head and id is distinct from $2) as "exists!""#,
                u,
                id,
            )
            .fetch_one(&mut *conn)
            .await?;
            if other {
                errors.add("is_unit_head", "pos.err.head_taken");
            }
        }
        Ok(kind.zip(unit).map(|(kind, unit)| CheckedPos { name, kind, level, class, unit, head }))
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
        audit::snapshot(conn, AuditTable::Positions, id).await
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<i64>,
        form: &PosForm,
        c: &CheckedPos,
    ) -> Result<i64, sqlx::Error> {
        let active = id.is_none() || form.active.is_some();
        let level = c.level.map(FunctionalLevel::as_str);
        match id {
            Some(id) => {
                sqlx::query_scalar!(
                    "update positions set name = $1, kind = $2, functional_level = $3, class_grade = $4, unit_id = $5,
                       is_unit_head = $6, active = $7 where id = $8 returning id",
                    &c.name,
                    c.kind.as_str(),
                    level,
                    c.class,
                    c.unit,
                    c.head,
                    active,
                    id,
                )
                .fetch_one(conn)
                .await
            }
            None => {
                sqlx::query_scalar!(
                    "insert into positions (name, kind, functional_level, class_grade, unit_id, is_unit_head, active)
                     values ($1, $2, $3, $4, $5, $6, $7) returning id",
                    &c.name,
                    c.kind.as_str(),
                    level,
                    c.class,
                    c.unit,
                    c.head,
                    active,
                )
                .fetch_one(conn)
                .await
            }
        }
    }

    /// Whoever holds an edited position gains or loses the head role with it.
    async fn after(
        conn: &mut PgConnection,
        actor: &Actor,
        edited: Option<i64>,
        saved: i64,
        (before, after): (Option<&serde_json::Value>, Option<&serde_json::Value>),
    ) -> Result<(), sqlx::Error> {
        let heads_moved =
            ["is_unit_head", "unit_id", "active"].iter().any(|k| before.map(|b| &b[*k]) != after.map(|a| &a[*k]));
        if heads_moved && edited.is_some() {
            let holders: Vec<i64> = sqlx::query_scalar!(r#"select id from employees where position_id = $1"#, saved,)
                .fetch_all(&mut *conn)
                .await?;
            crate::accounts::follow_positions(conn, actor, &holders).await?;
        }
        Ok(())
    }

    fn location(saved: i64) -> String {
        format!("/positions/{saved}")
    }

    async fn page(
        state: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: PosForm,
        errors: FieldErrors,
        edit: EditState,
    ) -> AppResult<Response> {
        form_page(state, ctx, id, form, errors, edit).await
    }
}
