//! The select lists: positions, competencies and ranks.

use super::*;

/// Options for the filter and form select lists.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Opt {
    pub id: i64,
    pub label: String,
}

impl crate::app::versioned::Weigh for Opt {
    fn bytes(&self) -> usize {
        std::mem::size_of::<Self>() + self.label.len()
    }
}

/// `position_options`, reused while the records are unchanged (the pages that offer every
/// position read it on every view).
pub async fn position_options_kept<'a>(
    state: &crate::AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
) -> Result<std::sync::Arc<Vec<Opt>>, sqlx::Error> {
    state.versions.get(conn, "positions.options".to_string(), |conn| Box::pin(position_options(conn))).await
}

pub async fn position_options(conn: &mut PgConnection) -> Result<Vec<Opt>, sqlx::Error> {
    sqlx::query_as!(
        Opt,
        r#"select p.id, p.name || ' — ' || u.name as "label!" from positions p join units u on u.id = p.unit_id
         where p.active and u.closed_on is null order by u.sort_key, p.is_unit_head desc, p.name"#,
    )
    .fetch_all(conn)
    .await
}

/// Most positions offered in the list's filter at once; more (a regency has thousands) and the
/// filter asks for a unit first.
pub const POSITION_FILTER_MAX: usize = 300;

/// The positions the list's filter offers: those of the chosen unit's subtree, or all when there
/// are few; `None` when there are too many to list without a unit (the chosen one is kept).
pub async fn position_filter_options(
    conn: &mut PgConnection,
    unit: Option<i64>,
    chosen: Option<i64>,
) -> Result<Option<Vec<Opt>>, sqlx::Error> {
    let found: Vec<Opt> = sqlx::query_as!(
        Opt,
        r#"select p.id, p.name || ' — ' || u.name as "label!" from positions p join units u on u.id = p.unit_id
         where ((p.active and u.closed_on is null
                 and ($1::bigint is null or u.path like (select path from units where id = $1) || '%')) or p.id = $2)
         order by u.sort_key, p.is_unit_head desc, p.name limit $3"#,
        unit,
        chosen,
        POSITION_FILTER_MAX as i64 + 1,
    )
    .fetch_all(conn)
    .await?;
    if found.len() > POSITION_FILTER_MAX && unit.is_none() {
        return Ok(None);
    }
    Ok(Some(found))
}

pub async fn competency_options(conn: &mut PgConnection, en: bool) -> Result<Vec<Opt>, sqlx::Error> {
    sqlx::query_as!(
        Opt,
        r#"select id, code || ' ' || case when $1 then name_en else name_id end as "label!" from competencies where active order by code"#,
        en,
    )
    .fetch_all(conn)
    .await
}

#[derive(sqlx::FromRow, Clone, Debug)]
pub struct RankOpt {
    pub code: String,
    pub label: String,
    /// PNS or PPPK: the form offers only the ranks of the chosen status.
    pub status: String,
}

pub async fn rank_options(conn: &mut PgConnection) -> Result<Vec<RankOpt>, sqlx::Error> {
    sqlx::query_as!(
        RankOpt,
        r#"select code, rank_label(grade, status, title) as "label!", status
         from ranks order by status, ordinal"#,
    )
    .fetch_all(conn)
    .await
}

/// Up to this many active positions the employee form offers them all in one list; beyond, a
/// regency's thousands (13 000 at 100 000 staff: a 1.3 MB form), it offers a search.
pub const POSITION_LIST_MAX: i64 = POSITION_FILTER_MAX as i64;

/// Matches offered for a typed position at once.
pub const POSITION_MATCHES: i64 = 10;

pub async fn active_position_count(conn: &mut PgConnection) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from positions p join units u on u.id = p.unit_id
         where p.active and u.closed_on is null"#
    )
    .fetch_one(conn)
    .await
}

/// Whether there are too many active positions to list (the pages then search them): the count
/// kept per version of the records, where every view of a page counted them (13 312 positions at
/// 100 000 staff, ~6 ms of the database a gap card).
pub async fn too_many_positions<'a>(
    state: &crate::AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
) -> Result<bool, sqlx::Error> {
    // It may lag a moment even after one's own write: either way the page offers every position
    // (listed or searched), and every write recounted it (0.5 ms a form under HR's writes).
    let n = state
        .versions
        .get_in_lagging(crate::app::versioned::Depends::All, conn, "positions.active_count".to_string(), |conn| {
            Box::pin(active_position_count(conn))
        })
        .await?;
    Ok(*n > POSITION_LIST_MAX)
}

/// A position found by what was typed: its unit, its label, and whether the text is its whole
/// name or whole label.
#[derive(Clone, Debug)]
pub struct PositionMatch {
    pub id: i64,
    pub unit_id: i64,
    pub name: String,
    pub unit: String,
    pub exact: bool,
}

impl PositionMatch {
    pub fn opt(&self) -> Opt {
        Opt { id: self.id, label: format!("{} — {}", self.name, self.unit) }
    }
}

/// Active positions whose name and unit together contain every word typed (case ignored), the
/// whole name or label first, then in the tree's order; at most `limit`.
pub async fn search_positions(
    conn: &mut PgConnection,
    text: &str,
    limit: i64,
) -> Result<Vec<PositionMatch>, sqlx::Error> {
    let words: Vec<String> = text.split_whitespace().filter(|w| *w != "—").take(8).map(str::to_string).collect();
    if words.is_empty() {
        return Ok(vec![]);
    }
    sqlx::query_as!(
        PositionMatch,
        r#"select p.id, p.unit_id, p.name, u.name as unit,
                lower(p.name) = lower($2) or lower(p.name || ' — ' || u.name) = lower($2) as "exact!"
         from positions p join units u on u.id = p.unit_id
         where p.active and u.closed_on is null
           and (select bool_and(p.name || ' ' || u.name ilike
                                '%' || replace(replace(replace(w, '\', '\\'), '%', '\%'), '_', '\_') || '%')
                from unnest($1::text[]) w)
         order by lower(p.name) = lower($2) or lower(p.name || ' — ' || u.name) = lower($2) desc,
                  u.sort_key, p.is_unit_head desc, p.name, p.id
         limit $3"#,
        &words,
        text.trim(),
        limit,
    )
    .fetch_all(conn)
    .await
}

/// The one position a typed text names: the only match, or the only exact one.
pub fn single_position(found: &[PositionMatch]) -> Option<&PositionMatch> {
    let exact: Vec<&PositionMatch> = found.iter().filter(|m| m.exact).collect();
    match (found.len(), exact.len()) {
        (1, _) => found.first(),
        (_, 1) => exact.first().copied(),
        _ => None,
    }
}

/// What a typed position chooses: the one position it names, else the ticked one among its
/// matches (a form that came back with them to choose from, the text kept); else the message key
/// saying why not.
pub fn typed_position(found: &[PositionMatch], ticked: Option<i64>) -> Result<&PositionMatch, &'static str> {
    single_position(found).or_else(|| found.iter().find(|m| Some(m.id) == ticked)).ok_or(if found.is_empty() {
        "emp.err.position_none"
    } else {
        "emp.err.position_several"
    })
}

/// What a position search offers to tick: the chosen position (if it is active), then the
/// matches of what was typed.
pub async fn searched_options(
    conn: &mut PgConnection,
    chosen: Option<i64>,
    matches: &[PositionMatch],
) -> Result<Vec<Opt>, sqlx::Error> {
    let mut out: Vec<Opt> = match chosen {
        Some(id) => sqlx::query_as!(
            Opt,
            r#"select p.id, p.name || ' — ' || u.name as "label!" from positions p join units u on u.id = p.unit_id
             where p.id = $1 and p.active and u.closed_on is null"#,
            id,
        )
        .fetch_optional(conn)
        .await?
        .into_iter()
        .collect(),
        None => vec![],
    };
    out.extend(matches_but(matches, chosen));
    Ok(out)
}

/// The typed text's matches to tick, but the chosen position (offered first when there is one).
fn matches_but(matches: &[PositionMatch], chosen: Option<i64>) -> impl Iterator<Item = Opt> + '_ {
    matches.iter().filter(move |m| Some(m.id) != chosen).map(PositionMatch::opt)
}

/// A position chosen on a page that offers every position: a list where there are few, a search
/// where there are too many to list (the same rules as the employee form's and the gap card's).
#[derive(Clone, Debug, Default)]
pub struct PositionChoice {
    /// Too many positions to list: the field is typed and searched.
    pub search: bool,
    /// Every active position (a list), or the chosen one and the typed text's matches (a search).
    pub options: Vec<Opt>,
    /// The position chosen: the one the typed text names (or the ticked one among its matches),
    /// else the one ticked or selected.
    pub chosen: Option<i64>,
    /// What was typed, kept when it named no single position, with the message key saying why.
    pub typed: String,
    pub error: Option<&'static str>,
    /// The typed text's matches, offered to tick when it named no single position.
    matches: Vec<PositionMatch>,
    /// A position never offered (a position copying from itself).
    except: Option<i64>,
}

impl PositionChoice {
    /// Reads a choice sent as `ticked` (the position's id, from the list or a ticked match) and
    /// `typed` (the search text, empty when nothing was typed); `except` is never chosen. Only
    /// what the write needs: [`PositionChoice::offered`] adds what a page shows.
    /// `conn` is used only when something was typed.
    pub async fn read<'a>(
        conn: impl Into<crate::app::versioned::Source<'a>>,
        ticked: &str,
        typed: &str,
        except: Option<i64>,
    ) -> Result<PositionChoice, sqlx::Error> {
        let mut chosen = ticked.trim().parse::<i64>().ok();
        let typed = typed.trim();
        let (mut matches, mut error) = (vec![], None);
        if !typed.is_empty() {
            let mut db = crate::app::versioned::LazyConn::from(conn.into());
            matches = search_positions(db.conn().await?, typed, POSITION_MATCHES).await?;
            matches.retain(|m| Some(m.id) != except);
            match typed_position(&matches, chosen) {
                Ok(m) => chosen = Some(m.id),
                Err(key) => error = Some(key),
            }
        }
        if error.is_none() {
            matches.clear();
        }
        let typed = if error.is_some() { typed.to_string() } else { String::new() };
        Ok(PositionChoice { search: false, options: vec![], chosen, typed, error, matches, except })
    }

    /// What the page offers: every active position, or where there are too many to list the
    /// chosen one and (after a text that named no single position) its matches. `conn` is used
    /// only for what is not kept: a search with nothing chosen asks the database nothing.
    pub async fn offered<'a>(
        mut self,
        state: &crate::AppState,
        conn: impl Into<crate::app::versioned::Source<'a>>,
    ) -> Result<PositionChoice, sqlx::Error> {
        let mut db = crate::app::versioned::LazyConn::from(conn.into());
        self.search = too_many_positions(state, db.source()).await?;
        self.options = if !self.search {
            position_options_kept(state, db.source()).await?.as_ref().clone()
        } else if self.chosen.is_some() {
            searched_options(db.conn().await?, self.chosen, &self.matches).await?
        } else {
            matches_but(&self.matches, None).collect()
        };
        let except = self.except;
        self.options.retain(|o| Some(o.id) != except);
        Ok(self)
    }

    /// A position already chosen (a form's hidden field), nothing typed.
    pub fn of(chosen: Option<i64>) -> PositionChoice {
        PositionChoice { chosen, ..Default::default() }
    }

    /// The choice offered afresh: nothing typed, `chosen` ticked or selected.
    pub async fn offer(
        state: &crate::AppState,
        conn: &mut PgConnection,
        chosen: Option<i64>,
        except: Option<i64>,
    ) -> Result<PositionChoice, sqlx::Error> {
        Self::read(&mut *conn, &chosen.map(|c| c.to_string()).unwrap_or_default(), "", except)
            .await?
            .offered(state, conn)
            .await
    }

    /// Whether `id` is the chosen position (for the list's `selected` and the search's `checked`).
    pub fn is(&self, id: &i64) -> bool {
        self.chosen == Some(*id)
    }
}
