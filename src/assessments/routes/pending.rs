//! What waits for this reader's validation, as a page or an export.

use super::*;

#[derive(askama::Template)]
#[template(path = "assessments/pending.html")]
struct PendingPage {
    ctx: Ctx,
    rows: Vec<PendingRow>,
    pager: crate::app::paging::Pager,
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct PendingQuery {
    format: String,
    page: Option<i64>,
}

pub(super) async fn pending(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<PendingQuery>,
) -> AppResult<Response> {
    use crate::app::paging::{PER_PAGE, Pager};
    let scope = user.scope();
    let en = ctx.lang.is_en();
    // A page of 50 (the oldest first), or every row for an export. During a campaign thousands
    // wait: the whole list on one page was ~750 KB of forms.
    let (limit, offset) = if export::wanted(&q.format) { (i64::MAX, 0) } else { (PER_PAGE, Pager::offset(q.page)) };
    // What waits for this reader's validation, reused while the records are unchanged.
    let key = format!("assessments.pending:{}:{en}:{limit}:{offset}", user.account_id);
    let rows: Vec<PendingRow> = state
        .personal
        .get(&state.pool, key, move |conn| {
            Box::pin(async move {
                sqlx::query_as!(
                    PendingRow,
                    r#"select a.id, e.id as employee_id, e.nip,
                            employee_display_name(e.front_title, e.name, e.back_title) as "employee!",
                            u.name as unit, c.code, c.name_id, c.name_en, a.level,
                            (select cl.level from current_levels cl where cl.employee_id = a.employee_id
                               and cl.competency_id = a.competency_id) as "current_level?",
                            a.assessed_on, a.note, a.evidence_id,
                            coalesce((select case when $4 then cl.descriptor_en else cl.descriptor_id end from competency_levels cl
                                      where cl.competency_id = a.competency_id and cl.level = a.level), '') as "descriptor!",
                            w.total as "total!"
                     from (select p.id, count(*) over () as total from pending_assessments($1, $2, $3) p
                           join assessments a on a.id = p.id
                           order by a.created_at, a.id limit $5 offset $6) w
                     join assessments a on a.id = w.id
                     join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
                     join competencies c on c.id = a.competency_id
                     order by a.created_at, a.id"#,
                    scope.all,
                    scope.own,
                    &scope.unit_patterns,
                    en,
                    limit,
                    offset,
                )
                .fetch_all(&mut *conn)
                .await
            })
        })
        .await?
        .as_ref()
        .clone();
    if export::wanted(&q.format) {
        let table = Table {
            name: "penilaian-menunggu",
            headers: export::keys(&[
                "col.nip",
                "col.name",
                "col.unit",
                "col.code",
                "col.competency",
                "col.level_proposed",
                "col.level_current",
                "col.date",
                "col.note",
            ]),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.nip.clone(),
                        r.employee.clone(),
                        r.unit.clone(),
                        r.code.clone(),
                        r.name_id.clone(),
                        r.level.to_string(),
                        r.current_level.map(|l| l.to_string()).unwrap_or_default(),
                        r.assessed_on.format("%Y-%m-%d").to_string(),
                        r.note.clone(),
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &q.format, &table);
    }
    let total = match rows.first() {
        Some(r) => r.total,
        // Past the last page, or none waiting: how many wait is counted for the pager.
        None if offset > 0 => {
            let scope = user.scope();
            sqlx::query_scalar!(
                r#"select count(*) as "n!" from pending_assessments($1, $2, $3)"#,
                scope.all,
                scope.own,
                &scope.unit_patterns
            )
            .fetch_one(&state.pool)
            .await?
        }
        None => 0,
    };
    let pager = Pager::new(q.page, total, String::new());
    render(&PendingPage { ctx, rows, pager })
}
