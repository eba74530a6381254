//! What the plan is for and who can mentor: each gap of the unit's staff, the colleagues
//! who hold a competency, and the mentor graph between them.

use super::*;

/// One gap of one person in the unit.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct NeedRow {
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub unit_id: i64,
    pub competency_id: i64,
    pub code: String,
    pub competency: String,
    pub kind: String,
    pub required_level: i16,
    pub current_level: i16,
    pub gap: i16,
    pub priority: String,
    pub weight: f64,
}

impl NeedRow {
    /// What closing the whole gap is worth: the priority's weight times each level closed,
    /// the deepest level counting most (a gap of 2 closed is worth 2 + 1, not 2 × 1).
    pub fn value(&self) -> f64 {
        self.levels_value(f64::from(self.gap))
    }

    /// What a colleague's mentoring is worth: the first level of the gap (a mentor at the
    /// required level brings one level in a year; a deeper gap needs a training for the rest).
    pub fn mentor_value(&self) -> f64 {
        self.levels_value(MENTOR_LEVELS)
    }

    /// What closing `levels` of the gap from the current level up is worth.
    pub fn levels_value(&self, levels: f64) -> f64 {
        let g = f64::from(self.gap);
        let l = levels.clamp(0.0, g);
        self.weight * (l * g - l * (l - 1.0) / 2.0)
    }
}

/// Every gap of active staff under `path` (`only_flagged`: of the staff the analysis flags).
pub async fn needs(
    conn: &mut PgConnection,
    today: chrono::NaiveDate,
    path: &str,
    en: bool,
    only_flagged: bool,
) -> sqlx::Result<Vec<NeedRow>> {
    sqlx::query_as!(
        NeedRow,
        r#"select g.employee_id as "employee_id!", e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                e.unit_id, g.competency_id as "competency_id!", c.code,
                case when $3 then c.name_en else c.name_id end as "competency!", c.kind,
                g.required_level as "required_level!", g.current_level as "current_level!", g.gap as "gap!",
                g.priority as "priority!", g.weight as "weight!"
         from requirement_gaps g join employees e on e.id = g.employee_id join units u on u.id = e.unit_id
         join competencies c on c.id = g.competency_id
         where u.path like $2 || '%' and g.gap > 0
           and (not $4 or g.employee_id in (
             select s.employee_id from gap_summary($1, $2) s where s.flagged))
         order by g.gap * g.weight desc, e.name, c.code"#,
        today,
        path,
        en,
        only_flagged,
    )
    .fetch_all(conn)
    .await
}

/// A colleague who holds a competency.
#[derive(Clone, Debug)]
pub struct Holder {
    pub employee_id: i64,
    pub competency_id: i64,
    pub level: i16,
    pub unit_id: i64,
    pub name: String,
    pub nip: String,
    pub unit: String,
}

/// Mentor candidates for these needs (the unit's agency: its nearest dinas, itself included),
/// and each mentor's capacity left in the period.
pub async fn holders(
    conn: &mut PgConnection,
    needs: &[NeedRow],
    unit_path: &str,
    today: chrono::NaiveDate,
    s: &GapSettings,
) -> sqlx::Result<(Vec<Holder>, HashMap<i64, u32>)> {
    let comps: Vec<i64> = needs.iter().map(|n| n.competency_id).collect();
    let levels: Vec<i16> = needs.iter().map(|n| n.required_level).collect();
    let holders: Vec<Holder> = sqlx::query_as!(
        Holder,
        r#"with need as (select competency_id, min(level) as level from unnest($1::bigint[], $2::smallint[]) as n(competency_id, level)
                       group by competency_id)
         select cl.employee_id as "employee_id!", cl.competency_id as "competency_id!", cl.level as "level!", e.unit_id,
                employee_display_name(e.front_title, e.name, e.back_title) as "name!", e.nip, u.name as unit
         from need n join current_levels cl on cl.competency_id = n.competency_id and cl.level >= n.level
         join employees e on e.id = cl.employee_id and e.active join units u on u.id = e.unit_id
         where u.path like coalesce((select a.path from units a where a.kind = 'dinas' and $3 like a.path || '%'
                                     order by length(a.path) desc limit 1), $3) || '%'
         order by cl.employee_id, cl.competency_id"#,
        &comps,
        &levels,
        unit_path,
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut ids: Vec<i64> = holders.iter().map(|h| h.employee_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let load: Vec<(i64, i64)> = sqlx::query!(
        r#"select mentor_id as "mentor_id!", mentees as "mentees!" from mentor_load($2::date) where mentor_id = any($1)"#,
        &ids,
        today,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.mentor_id, r.mentees))
    .collect();
    let load: HashMap<i64, i64> = load.into_iter().collect();
    let caps = ids
        .iter()
        .map(|id| (*id, (i64::from(s.mentor_cap) - load.get(id).copied().unwrap_or(0)).max(0) as u32))
        .collect();
    Ok((holders, caps))
}

/// A need routed to a mentor.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct MentorMatch {
    pub need: NeedRow,
    pub mentor_id: i64,
    pub mentor: String,
    pub mentor_nip: String,
    pub mentor_unit: String,
    pub mentor_level: i16,
    pub same_unit: bool,
}

/// The mentors and their edges for these needs: every holder at the required level or above
/// (the whole candidate graph), the same unit marked.
pub(super) fn mentor_graph(
    needs: &[NeedRow],
    holders: &[Holder],
    caps: &HashMap<i64, u32>,
) -> (Vec<i64>, Vec<u32>, Vec<MentorEdge>) {
    let mut ids: Vec<i64> = holders.iter().map(|h| h.employee_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let capacities: Vec<u32> = ids.iter().map(|id| caps.get(id).copied().unwrap_or(0)).collect();
    let mut by_comp: HashMap<i64, Vec<&Holder>> = HashMap::new();
    for h in holders {
        by_comp.entry(h.competency_id).or_default().push(h);
    }
    let mut edges = vec![];
    for (n, need) in needs.iter().enumerate() {
        for h in by_comp.get(&need.competency_id).into_iter().flatten() {
            if h.level >= need.required_level
                && h.employee_id != need.employee_id
                && capacities[index[&h.employee_id]] > 0
            {
                edges.push(MentorEdge { need: n, mentor: index[&h.employee_id], same_unit: h.unit_id == need.unit_id });
            }
        }
    }
    (ids, capacities, edges)
}

/// The matches of a routing, with the mentor's details.
pub(super) fn matches(
    needs: &[NeedRow],
    holders: &[Holder],
    ids: &[i64],
    routed: &[(usize, usize)],
) -> Vec<MentorMatch> {
    let by_key: HashMap<(i64, i64), &Holder> = holders.iter().map(|h| ((h.employee_id, h.competency_id), h)).collect();
    routed
        .iter()
        .filter_map(|(n, m)| {
            let need = &needs[*n];
            let h = by_key.get(&(ids[*m], need.competency_id))?;
            Some(MentorMatch {
                need: need.clone(),
                mentor_id: h.employee_id,
                mentor: h.name.clone(),
                mentor_nip: h.nip.clone(),
                mentor_unit: h.unit.clone(),
                mentor_level: h.level,
                same_unit: h.unit_id == need.unit_id,
            })
        })
        .collect()
}
