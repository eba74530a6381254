//! The page of one competency: its levels and the standards that require it.

use super::*;
use crate::app::paging::{PER_PAGE, Pager};

#[derive(Clone)]
pub struct Comp {
    pub id: i64,
    pub code: String,
    pub kind: crate::competencies::model::CompetencyKind,
    pub area: crate::competencies::model::Area,
    pub name_id: String,
    pub name_en: String,
    pub description_id: String,
    pub description_en: String,
    pub framework_ref: String,
    pub active: bool,
    /// How long a level of it stays valid before it counts as not assessed again.
    pub validity_months: i16,
}

impl Comp {
    pub fn name(&self, en: &bool) -> &str {
        if *en { &self.name_en } else { &self.name_id }
    }
}

#[derive(Clone)]
pub struct LevelRow {
    pub level: i16,
    pub descriptor_id: String,
    pub descriptor_en: String,
}

pub struct StdRow {
    pub position_id: i64,
    pub position: String,
    pub unit: String,
    pub required_level: i16,
    pub priority: crate::competencies::model::Priority,
}

#[derive(askama::Template)]
#[template(path = "competencies/detail.html")]
pub(super) struct DetailPage {
    ctx: Ctx,
    c: Comp,
    levels: Vec<LevelRow>,
    standards: Vec<StdRow>,
    /// Pages of the positions that require it (thousands in a large organisation: 7 857 positions
    /// ask one competency at 100 000 staff, a 1.5 MB page when listed whole).
    pager: Pager,
    is_hr: bool,
    en: bool,
}

pub(super) async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<(Comp, Vec<LevelRow>)>, sqlx::Error> {
    let c: Option<Comp> = sqlx::query_as!(
        Comp,
        r#"select id, code, kind as "kind: crate::competencies::model::CompetencyKind", area as "area: crate::competencies::model::Area", name_id, name_en, description_id, description_en, framework_ref, active,
                validity_months
         from competencies where id = $1"#,
        id,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(c) = c else { return Ok(None) };
    let levels = sqlx::query_as!(
        LevelRow,
        r#"select level, descriptor_id, descriptor_en from competency_levels where competency_id = $1 order by level"#,
        id,
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(Some((c, levels)))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct DetailQuery {
    page: Option<i64>,
}

pub(super) async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<i64>,
    Query(q): Query<DetailQuery>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let (c, levels) = find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let total = sqlx::query_scalar!(r#"select count(*) as "n!" from position_standards where competency_id = $1"#, id)
        .fetch_one(&mut *conn)
        .await?;
    let page = Pager::within(q.page, total);
    let standards = sqlx::query_as!(
        StdRow,
        r#"select p.id as position_id, p.name as position, u.name as unit, s.required_level, s.priority as "priority: crate::competencies::model::Priority"
         from position_standards s join positions p on p.id = s.position_id join units u on u.id = p.unit_id
         where s.competency_id = $1 order by u.sort_key, p.name, p.id limit $2 offset $3"#,
        id,
        PER_PAGE,
        Pager::offset(Some(page)),
    )
    .fetch_all(&mut *conn)
    .await?;
    let pager = Pager::new(Some(page), total, String::new()).at("required-by");
    let is_hr = ctx.has(Role::Hr);
    let en = ctx.lang.is_en();
    render(&DetailPage { ctx, c, levels, standards, pager, is_hr, en })
}
