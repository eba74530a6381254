use sqlx::PgConnection;

/// A unit for select lists, indented by depth.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct UnitOption {
    pub id: i64,
    pub name: String,
    pub depth: i32,
}

impl crate::app::versioned::Weigh for UnitOption {}

impl UnitOption {
    /// The name indented with non-breaking spaces by depth, for `<option>`s.
    pub fn label(&self) -> String {
        format!("{}{}", "\u{a0}\u{a0}\u{a0}".repeat(self.depth.max(0) as usize), self.name)
    }
}

/// Open units in tree order.
/// The units a filter offers around the chosen one (a regency has thousands): the top of the
/// tree, and the children of every unit from the top down to the chosen one — enough to move up,
/// sideways and one level down. Limited to the units matching `patterns` unless `all`.
pub async fn near(
    conn: &mut PgConnection,
    chosen: Option<i64>,
    all: bool,
    patterns: &[String],
) -> Result<Vec<UnitOption>, sqlx::Error> {
    sqlx::query_as!(
        UnitOption,
        r#"select u.id, u.name, (length(u.path) - length(replace(u.path, '/', '')) - 2)::int as "depth!"
         from units u
         where u.closed_on is null and unit_in_scope($2, $3, u.path)
           and (u.parent_id is null
                or u.parent_id in (select id from units where parent_id is null)
                or u.parent_id in (select a.id from units a join units c on c.path like a.path || '%' where c.id = $1)
                or u.id = $1
                or not $2 and exists (select 1 from unnest($3) p where u.path || '%' = p))
         order by u.sort_key"#,
        chosen,
        all,
        patterns,
    )
    .fetch_all(conn)
    .await
}

/// `near`, reused while the records are unchanged (a regency's tree is otherwise read on every
/// view of a page that offers it).
pub async fn near_reused<'a>(
    state: &crate::app::AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
    chosen: Option<i64>,
    all: bool,
    patterns: &[String],
) -> Result<Vec<UnitOption>, sqlx::Error> {
    let key = format!("units.near:{chosen:?}:{all}:{patterns:?}");
    let patterns = patterns.to_vec();
    let options = state
        .versions
        .get(conn, key, move |conn| Box::pin(async move { near(conn, chosen, all, &patterns).await }))
        .await?;
    Ok(options.as_ref().clone())
}

pub async fn options(conn: &mut PgConnection) -> Result<Vec<UnitOption>, sqlx::Error> {
    sqlx::query_as!(
        UnitOption,
        r#"select id, name, (length(path) - length(replace(path, '/', '')) - 2)::int as "depth!"
         from units where closed_on is null order by sort_key"#,
    )
    .fetch_all(conn)
    .await
}

/// A unit named with the units above it: names repeat across a regency ("Subbagian Umum" in
/// every dinas), so a search or a chosen list shows where each one sits.
#[derive(Clone, Debug)]
pub struct UnitMatch {
    pub id: i64,
    pub name: String,
    /// The units above, top first, joined by " › " (`unit_path_label` of its parent; empty for a
    /// top unit).
    pub above: String,
    /// The typed text is the unit's whole name or code.
    pub exact: bool,
}

/// At most this many units a search lists (more: type more).
pub const UNIT_MATCHES: i64 = 15;

/// The open units within a scope (`all`, `patterns`: `unit_in_scope`) whose name, code and the
/// name of the unit above contain every typed word; a whole name or code first, then tree order.
pub async fn search_in_scope(
    conn: &mut PgConnection,
    text: &str,
    all: bool,
    patterns: &[String],
    limit: i64,
) -> Result<Vec<UnitMatch>, sqlx::Error> {
    let words: Vec<String> = text.split_whitespace().filter(|w| *w != "›").take(8).map(str::to_string).collect();
    if words.is_empty() {
        return Ok(vec![]);
    }
    sqlx::query_as!(
        UnitMatch,
        r#"select u.id, u.name, unit_path_label(p.path) as "above!",
                lower(u.name) = lower($2) or lower(u.code) = lower($2) as "exact!"
         from units u left join units p on p.id = u.parent_id
         where u.closed_on is null and unit_in_scope($3, $4, u.path)
           and (select bool_and(u.name || ' ' || u.code || ' ' || coalesce(p.name, '') ilike
                                '%' || replace(replace(replace(w, '\', '\\'), '%', '\%'), '_', '\_') || '%')
                from unnest($1::text[]) w)
         order by lower(u.name) = lower($2) or lower(u.code) = lower($2) desc, u.sort_key
         limit $5"#,
        &words,
        text.trim(),
        all,
        patterns,
        limit,
    )
    .fetch_all(conn)
    .await
}

/// The units `ids` with the units above them, in tree order (a chosen list shown again).
pub async fn labelled(conn: &mut PgConnection, ids: &[i64]) -> Result<Vec<UnitMatch>, sqlx::Error> {
    sqlx::query_as!(
        UnitMatch,
        r#"select u.id, u.name, unit_path_label(p.path) as "above!", false as "exact!"
         from units u left join units p on p.id = u.parent_id where u.id = any($1) order by u.sort_key"#,
        ids,
    )
    .fetch_all(conn)
    .await
}
