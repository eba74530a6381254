//! The list of competencies, filtered and paged.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct ListQuery {
    q: String,
    kind: String,
    area: String,
    format: String,
}

#[derive(Clone)]
pub struct CompRow {
    pub id: i64,
    pub code: String,
    pub kind: crate::competencies::model::CompetencyKind,
    pub area: crate::competencies::model::Area,
    pub name_id: String,
    pub name_en: String,
    pub active: bool,
    pub positions: i64,
}

impl crate::app::versioned::Weigh for CompRow {}

#[derive(askama::Template)]
#[template(path = "competencies/list.html")]
pub(super) struct ListPage {
    ctx: Ctx,
    f: ListQuery,
    rows: Vec<CompRow>,
    kinds: &'static [CompetencyKind],
    areas: &'static [Area],
    is_hr: bool,
}

pub(super) async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    Query(mut f): Query<ListQuery>,
) -> AppResult<Response> {
    f.q = f.q.trim().chars().take(100).collect();
    let like = crate::app::form::contains_pattern(&f.q);
    // How many positions ask each competency counts every standard of the organisation: the
    // list is reused while the records are unchanged.
    let key = format!("catalog:{:?}", (&f.q, &f.kind, &f.area));
    let (q, kind, area) = (f.q.clone(), f.kind.clone(), f.area.clone());
    let rows: Vec<CompRow> = (*state
        .versions
        .get(state.reader(&ctx).await, key, move |conn| {
            Box::pin(async move {
                sqlx::query_as!(
                    CompRow,
                    r#"select c.id, c.code, c.kind as "kind: crate::competencies::model::CompetencyKind",
                            c.area as "area: crate::competencies::model::Area", c.name_id, c.name_en, c.active,
                            (select count(*) from position_standards s where s.competency_id = c.id) as "positions!"
                     from competencies c
                     where ($1 = '' or c.code ilike $2 or c.name_id ilike $2 or c.name_en ilike $2)
                       and ($3 = '' or c.kind = $3) and ($4 = '' or c.area = $4)
                     order by c.kind <> 'teknis', c.code"#,
                    &q,
                    &like,
                    &kind,
                    &area,
                )
                .fetch_all(conn)
                .await
            })
        })
        .await?)
        .clone();
    if export::wanted(&f.format) {
        let table = Table {
            name: "kompetensi",
            headers: export::keys(&[
                "col.code",
                "col.name",
                "col.name_en",
                "col.kind",
                "col.area",
                "col.active",
                "col.position",
            ]),
            rows: rows
                .iter()
                .map(|c| {
                    vec![
                        c.code.clone(),
                        c.name_id.clone(),
                        c.name_en.clone(),
                        ctx.label(c.kind).to_string(),
                        ctx.label(c.area).to_string(),
                        ctx.yes_no(c.active).into(),
                        c.positions.to_string(),
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &f.format, &table);
    }
    let is_hr = ctx.has(Role::Hr);
    render(&ListPage { ctx, f, rows, kinds: CompetencyKind::ALL, areas: Area::ALL, is_hr })
}
