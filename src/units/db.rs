use sqlx::PgConnection;

/// A unit for select lists, indented by depth.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct UnitOption {
    pub id: i64,
    pub name: String,
    pub depth: i32,
}

impl UnitOption {
    /// The name indented with non-breaking spaces by depth, for `<option>`s.
    pub fn label(&self) -> String {
        format!("{}{}", "\u{a0}\u{a0}\u{a0}".repeat(self.depth.max(0) as usize), self.name)
    }
}

/// Open units in tree order.
pub async fn options(conn: &mut PgConnection) -> Result<Vec<UnitOption>, sqlx::Error> {
    sqlx::query_as(
        "select id, name, (length(path) - length(replace(path, '/', '')) - 2)::int as depth
         from units where closed_on is null order by sort_key",
    )
    .fetch_all(conn)
    .await
}
