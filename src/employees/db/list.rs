//! The list: its filters, order and pages (built to the filters given).

use super::*;

/// The list filters, as they appear in the URL.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct Filter {
    pub q: String,
    pub unit: String,
    pub position: String,
    pub rank: String,
    pub competency: String,
    pub status: String,
    pub active: String,
    pub sort: String,
    pub dir: String,
    pub page: Option<i64>,
    /// Keyset paging: the page after (or before) this employee in the list's order (the "next"
    /// and "previous" links carry it; a page number alone skips by offset).
    pub after: Option<i64>,
    pub before: Option<i64>,
    /// `csv` or `xlsx`: the same list as a file.
    pub format: String,
}

impl Filter {
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        vec![
            ("q", self.q.clone()),
            ("unit", self.unit.clone()),
            ("position", self.position.clone()),
            ("rank", self.rank.clone()),
            ("competency", self.competency.clone()),
            ("status", self.status.clone()),
            ("active", self.active.clone()),
            ("sort", self.sort.clone()),
            ("dir", self.dir.clone()),
        ]
    }

    pub fn query_string(&self) -> String {
        let pairs = self.pairs();
        let refs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
        crate::app::paging::query_string(&refs)
    }

    /// The URL of this list sorted by `col` (toggling the direction when already sorted by it).
    pub fn sort_link(&self, col: &str) -> String {
        let mut f = self.clone();
        f.dir = if self.sort == col && self.dir != "desc" { "desc".into() } else { "asc".into() };
        f.sort = col.into();
        format!("?{}", f.query_string())
    }

    pub fn sort_mark(&self, col: &str) -> &'static str {
        match (self.sort == col || (self.sort.is_empty() && col == "name"), self.dir == "desc") {
            (true, true) => "descending",
            (true, false) => "ascending",
            _ => "none",
        }
    }

    /// The order's key as (the list's columns, the same columns of the cursor row `k`, descending)
    /// where the order is on the employee alone (name or NIP, then id): those pages are found by
    /// keyset; orders on joined columns page by offset.
    fn keyset(&self) -> Option<(&'static str, &'static str, bool)> {
        let desc = self.dir == "desc";
        match self.sort.as_str() {
            "nip" => Some(("e.nip, e.id", "k.nip, k.id", desc)),
            "" | "name" => Some(("e.name, e.id", "k.name, k.id", desc)),
            _ => None,
        }
    }

    pub fn keyset_order(&self) -> bool {
        self.keyset().is_some()
    }

    /// The cursor of a keyset page: (employee id, whether the page is before it).
    pub fn cursor(&self) -> Option<(i64, bool)> {
        self.keyset()?;
        self.after.map(|a| (a, false)).or(self.before.map(|b| (b, true)))
    }

    fn order_by(&self) -> &'static str {
        let desc = self.dir == "desc";
        match (self.sort.as_str(), desc) {
            ("nip", false) => "e.nip asc, e.id asc",
            ("nip", true) => "e.nip desc, e.id desc",
            ("unit", false) => "u.sort_key asc, e.name asc, e.id",
            ("unit", true) => "u.sort_key desc, e.name asc, e.id",
            ("position", false) => "p.name asc nulls last, e.name asc, e.id",
            ("position", true) => "p.name desc nulls last, e.name asc, e.id",
            ("rank", false) => "r.status, r.ordinal asc nulls last, e.name, e.id",
            ("rank", true) => "r.status, r.ordinal desc nulls last, e.name, e.id",
            (_, true) => "e.name desc, e.id desc",
            _ => "e.name asc, e.id asc",
        }
    }
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Row {
    pub id: i64,
    pub nip: String,
    pub full_name: String,
    pub front_title: String,
    pub name: String,
    pub back_title: String,
    pub status: crate::employees::model::EmployeeStatus,
    pub rank: String,
    pub position: String,
    pub unit: String,
    pub unit_code: String,
    pub active: bool,
    pub competency_level: Option<i16>,
    pub competency_required: Option<i16>,
}

const SELECT: &str = "select e.id, e.nip,
    employee_display_name(e.front_title, e.name, e.back_title) as full_name, e.front_title, e.name, e.back_title,
    e.status, coalesce(rank_label(r.grade, r.status, r.title), '') as rank,
    coalesce(p.name, '') as position, u.name as unit, u.code as unit_code, e.active";

pub(super) fn push_from(qb: &mut QueryBuilder<'_, Postgres>) {
    qb.push(
        " from employees e join units u on u.id = e.unit_id
          left join positions p on p.id = e.position_id left join ranks r on r.code = e.rank_code",
    );
}

/// Bind the scope (the `scope_sees` rule): HR all, heads their unit subtrees, everyone their own record.
pub fn push_scope(qb: &mut QueryBuilder<'_, Postgres>, scope: &Scope) {
    qb.push(" scope_sees(")
        .push_bind(scope.all)
        .push(", ")
        .push_bind(scope.own)
        .push(", ")
        .push_bind(scope.unit_patterns.clone())
        .push(", e.id, u.path)");
}

fn push_where(qb: &mut QueryBuilder<'_, Postgres>, f: &Filter, scope: &Scope) {
    qb.push(" where");
    push_scope(qb, scope);
    if !scope.all {
        // A head's staff by their units' index first (the rule `units_in_scope`); `scope_sees`
        // above still decides. Callers pass `Scope::under(…, "")`, so a reader who sees the
        // whole department is `all` and keeps the name order's index.
        qb.push(" and (e.id = ")
            .push_bind(scope.own)
            .push(" or e.unit_id = any(units_in_scope(false, ")
            .push_bind(scope.unit_patterns.clone())
            .push(")))");
    }
    match f.active.as_str() {
        "all" => {}
        "no" => {
            qb.push(" and not e.active");
        }
        _ => {
            qb.push(" and e.active");
        }
    }
    let q = f.q.trim();
    if !q.is_empty() {
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let like = crate::app::form::contains_pattern(q);
        qb.push(" and (e.name ilike ").push_bind(like);
        if digits.len() >= 4 && digits.len() == q.chars().filter(|c| !c.is_whitespace()).count() {
            qb.push(" or e.nip like ").push_bind(format!("%{digits}%"));
        }
        qb.push(")");
    }
    if let Ok(unit) = f.unit.parse::<i64>() {
        qb.push(" and u.path like (select path from units where id = ").push_bind(unit).push(") || '%'");
    }
    if let Ok(pos) = f.position.parse::<i64>() {
        qb.push(" and e.position_id = ").push_bind(pos);
    }
    if !f.rank.is_empty() {
        qb.push(" and e.rank_code = ").push_bind(f.rank.clone());
    }
    if matches!(f.status.as_str(), "PNS" | "PPPK") {
        qb.push(" and e.status = ").push_bind(f.status.clone());
    }
    if let Ok(c) = f.competency.parse::<i64>() {
        qb.push(" and (exists (select 1 from position_standards s where s.position_id = e.position_id and s.competency_id = ")
            .push_bind(c)
            .push(") or exists (select 1 from current_levels a where a.employee_id = e.id and a.competency_id = ")
            .push_bind(c)
            .push("))");
    }
}

fn push_competency_columns(qb: &mut QueryBuilder<'_, Postgres>, f: &Filter) {
    match f.competency.parse::<i64>() {
        Ok(c) => {
            qb.push(", (select cl.level from current_levels cl where cl.employee_id = e.id and cl.competency_id = ")
                .push_bind(c)
                .push(") as competency_level")
                .push(", (select s.required_level from position_standards s where s.position_id = e.position_id and s.competency_id = ")
                .push_bind(c)
                .push(") as competency_required");
        }
        Err(_) => {
            qb.push(", null::smallint as competency_level, null::smallint as competency_required");
        }
    }
}

pub async fn count(conn: &mut PgConnection, f: &Filter, scope: &Scope) -> Result<i64, sqlx::Error> {
    let mut qb = QueryBuilder::new("select count(*)");
    push_from(&mut qb);
    push_where(&mut qb, f, scope);
    qb.build_query_scalar().fetch_one(conn).await
}

/// One page of the list (or everything, for exports, with `limit` = None).
pub async fn list(
    conn: &mut PgConnection,
    f: &Filter,
    scope: &Scope,
    limit: Option<i64>,
    offset: i64,
) -> Result<Vec<Row>, sqlx::Error> {
    // The page's ids first (sorted, skipped and cut on the narrow rows), then their columns: the
    // names, ranks and levels are computed for the 50 rows shown, not for every row skipped.
    let mut qb = QueryBuilder::new("with page as (select id, row_number() over () as n from (select e.id");
    push_from(&mut qb);
    push_where(&mut qb, f, scope);
    let cursor = f.cursor().zip(f.keyset());
    match cursor {
        // Keyset: the rows past the cursor's key in the list's order (or, for the page before
        // it, the rows before it taken backwards and turned round below).
        Some(((id, before), (cols, key, desc))) => {
            // Walking down the list's order, or up it for the page before the cursor.
            let down = desc != before;
            let op = if down { "<" } else { ">" };
            qb.push(format!(" and ({cols}) {op} (select {key} from employees k where k.id = ")).push_bind(id).push(")");
            let dir = if down { " desc" } else { " asc" };
            qb.push(" order by ").push(cols.split(", ").map(|c| format!("{c}{dir}")).collect::<Vec<_>>().join(", "));
        }
        None => {
            qb.push(" order by ").push(f.order_by());
        }
    }
    if let Some(l) = limit {
        qb.push(" limit ").push_bind(l);
        if cursor.is_none() {
            qb.push(" offset ").push_bind(offset);
        }
    }
    qb.push(") ids) ");
    qb.push(SELECT);
    push_competency_columns(&mut qb, f);
    push_from(&mut qb);
    qb.push(" join page on page.id = e.id order by page.n");
    if matches!(cursor, Some(((_, true), _))) {
        qb.push(" desc");
    }
    qb.build_query_as().fetch_all(conn).await
}
