//! The page of one position with its competency standard.

use super::*;

pub struct StdLine {
    pub competency_id: i64,
    pub code: String,
    pub name_id: String,
    pub name_en: String,
    pub required_level: i16,
    pub priority: crate::competencies::model::Priority,
    pub met: i64,
    pub holders: i64,
}

#[derive(askama::Template)]
#[template(path = "positions/detail.html")]
pub(super) struct DetailPage {
    ctx: Ctx,
    p: PosRow,
    seen: String,
    lines: Vec<StdLine>,
    competencies: Vec<Opt>,
    /// The position to copy the standard from (HR only).
    from: PositionChoice,
    priorities: &'static [Priority],
    levels: [Level; 5],
    errors: FieldErrors,
    is_hr: bool,
}

pub(super) async fn detail_page(state: &AppState, ctx: Ctx, id: i64, errors: FieldErrors) -> AppResult<Response> {
    detail_page_with(state, ctx, id, errors, None).await
}

/// The page again with the copy form's choice as sent (what was typed kept, its matches offered).
pub(super) async fn detail_page_with(
    state: &AppState,
    ctx: Ctx,
    id: i64,
    errors: FieldErrors,
    from: Option<PositionChoice>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    // The standard as this page shows it: its forms send it back, so a change someone else made
    // meanwhile is noticed instead of overwritten.
    let seen = standard_json(&mut conn, id).await?.to_string();
    let p: PosRow =
        pos_rows!("", " 0::bigint as \"total!\" from positions p join units u on u.id = p.unit_id where p.id = $1", id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or(AppError::NotFound)?;
    let lines: Vec<StdLine> = sqlx::query_as!(
        StdLine,
        r#"select c.id as competency_id, c.code, c.name_id, c.name_en, s.required_level,
                s.priority as "priority: crate::competencies::model::Priority",
                count(cl.employee_id) filter (where cl.level >= s.required_level) as "met!",
                count(e.id) as "holders!"
         from position_standards s join competencies c on c.id = s.competency_id
         left join employees e on e.position_id = s.position_id and e.active
         left join current_levels cl on cl.employee_id = e.id and cl.competency_id = s.competency_id
         where s.position_id = $1
         group by c.id, s.required_level, s.priority
         order by c.kind <> 'teknis', case s.priority when 'critical' then 0 when 'important' then 1 else 2 end, c.code"#,
        id,
    )
    .fetch_all(&mut *conn)
    .await?;
    let competencies = competency_options(&mut conn, ctx.lang.is_en()).await?;
    let is_hr = ctx.has(Role::Hr);
    let mut from = match from {
        Some(from) => from.offered(state, &mut conn).await?,
        None if is_hr => PositionChoice::offer(state, &mut conn, None, Some(id)).await?,
        None => PositionChoice::default(),
    };
    from.error = from.error.or(errors.get("from"));
    let status = if errors.get("competency") == Some("pos.err.std_changed")
        || errors.get("from") == Some("pos.err.std_changed_all")
    {
        axum::http::StatusCode::CONFLICT
    } else {
        errors.status()
    };
    let page = DetailPage {
        ctx,
        p,
        seen,
        lines,
        competencies,
        from,
        priorities: Priority::ALL,
        levels: Level::ALL,
        errors,
        is_hr,
    };
    render_status(status, &page)
}

pub(super) async fn detail(State(state): State<AppState>, ctx: Ctx, Path(id): Path<i64>) -> AppResult<Response> {
    detail_page(&state, ctx, id, FieldErrors::default()).await
}
