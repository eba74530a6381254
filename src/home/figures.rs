//! What the home page shows each role: own standing and development, the units' summaries, the
//! department's figures, and what a head should act on now.

use super::*;

#[derive(Clone)]
pub struct OwnProfile {
    pub nip: String,
    pub name: String,
    pub position: String,
    pub unit: String,
    pub rank: String,
    pub status: crate::employees::model::EmployeeStatus,
}

pub struct UnitSummary {
    pub id: i64,
    pub name: String,
    pub sub_units: i64,
    pub employees: i64,
}

#[derive(Default)]
pub struct Totals {
    pub employees: i64,
    pub pns: i64,
    pub pppk: i64,
    pub units: i64,
    pub positions: i64,
    pub accounts: i64,
    pub disabled_accounts: i64,
    pub failed_logins_24h: i64,
}

/// The employee's own standard at a glance.
#[derive(Default, Clone)]
pub struct OwnStanding {
    pub required: i64,
    pub met: i64,
    pub below: i64,
    pub not_assessed: i64,
    pub pending: i64,
    /// Requirements whose assessed level is no longer valid (counted in `not_assessed`): re-assess.
    pub expired: i64,
}

/// An employee's development this year at a glance.
#[derive(Default, Clone)]
pub struct OwnDevelopment {
    pub jp_year: f64,
    pub evaluations_owed: i64,
    /// The owed evaluations themselves (participation id, training title), oldest first.
    pub owed_ids: Vec<i64>,
    pub owed_titles: Vec<String>,
    pub certificates_expiring: i64,
    pub activities_waiting: i64,
    pub trainings_ahead: i64,
}

/// The department's development figures for HR.
#[derive(Default, Clone)]
pub struct DepartmentFigures {
    pub below_jp: i64,
    pub staff: i64,
    pub allocated: i64,
    pub committed: i64,
    pub spent: i64,
    pub trainings_this_month: i64,
    pub certificates_expiring: i64,
    pub evaluation: Option<f64>,
}

impl crate::app::versioned::Weigh for DepartmentFigures {}

/// A person to act on now, with the largest known gap and the suggested route to close it.
#[derive(Clone)]
pub struct ActRow {
    pub employee_id: i64,
    pub name: String,
    pub position: String,
    pub unit: String,
    pub tier: i16,
    pub code: Option<String>,
    pub competency: Option<String>,
    pub current_level: Option<i16>,
    pub required_level: Option<i16>,
    /// The colleague suggested as mentor (chosen after the query, within each one's spare capacity).
    pub mentor_id: Option<i64>,
    pub mentor: Option<String>,
    /// Colleagues who hold the level, best first, with the mentoring capacity each has left.
    pub mentor_ids: Vec<i64>,
    pub mentor_names: Vec<String>,
    pub mentor_spare: Vec<i32>,
    pub training_id: Option<i64>,
    pub training: Option<String>,
}

/// Gives each row the first candidate mentor who still has capacity once the rows above took
/// theirs (the cap of `/settings/gaps` counts, as on `/gaps/mentors`); a row without one keeps
/// its training.
pub(super) fn choose_mentors(rows: &mut [ActRow]) {
    let mut taken: HashMap<i64, i32> = HashMap::new();
    for r in rows.iter_mut() {
        let pick = r
            .mentor_ids
            .iter()
            .zip(&r.mentor_names)
            .zip(&r.mentor_spare)
            .find(|((id, _), spare)| taken.get(id).copied().unwrap_or(0) < **spare);
        if let Some(((id, name), _)) = pick {
            *taken.entry(*id).or_default() += 1;
            r.mentor_id = Some(*id);
            r.mentor = Some(name.clone());
        }
    }
}

/// The budget of a unit's subtree this year against its latest accepted plan.
#[derive(Clone, Default)]
pub struct BudgetFigures {
    pub allocated: i64,
    pub remaining: i64,
    pub plan_year: Option<i32>,
    pub plan_budget: Option<i64>,
}

impl ActRow {
    pub fn tier_key(&self) -> &'static str {
        crate::gaps::db::tier_key(self.tier)
    }
}

/// What a head (their unit) or HR (the department) needs first: readiness and coverage, whom to
/// act on now and how, the largest gaps, the budget. Computed once per version of the records.
#[derive(Clone)]
pub struct UnitFocus {
    pub readiness: crate::gaps::db::UnitReadiness,
    pub act_now: Vec<ActRow>,
    pub top_gaps: Vec<crate::gaps::db::CompetencyGap>,
    pub budget: BudgetFigures,
}

impl crate::app::versioned::Weigh for UnitFocus {}

/// How many people the home lists to act on.
pub(super) const ACT_NOW: i64 = 5;

pub(super) async fn unit_focus<'a>(
    state: &AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
    (unit_id, path): (i64, &str),
    today: chrono::NaiveDate,
    en: bool,
) -> Result<Option<UnitFocus>, sqlx::Error> {
    let key = format!("home.focus:{unit_id}:{today}:{en}");
    let path = path.to_string();
    let focus = state
        .versions
        .get(conn, key, move |conn| {
            Box::pin(async move {
                let Some(readiness) =
                    crate::gaps::db::readiness(&mut *conn, today, unit_id, &path).await?.into_iter().next()
                else {
                    return Ok(None);
                };
                // The first people of the summary's own order (the top tier, then the weighted
                // gap in what is known), each with their largest known gap and one route: a
                // colleague who holds it (same unit first), else a planned or open training.
                let settings = crate::gaps::db::settings(&mut *conn).await?;
                let act_now: Vec<ActRow> = sqlx::query_as!(
                    ActRow,
                    r#"with s as (
                       select s.employee_id, s.tier, s.critical_big, s.score, s.sort_name from gap_summary($1, $2) s
                       where s.flagged
                       order by s.critical_big is not null desc, s.score desc, s.sort_name, s.employee_id limit $3),
                     need as (
                       select distinct on (g.employee_id) g.employee_id, g.competency_id, g.required_level, g.current_level
                       from requirement_gaps g join s on s.employee_id = g.employee_id where g.gap > 0
                       order by g.employee_id, g.gap * g.weight desc, g.competency_id)
                     select s.employee_id as "employee_id!", employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                            coalesce(p.name, '') as "position!", u.name as unit, s.tier as "tier!", c.code as "code?",
                            case when $4 then c.name_en else c.name_id end as "competency?", n.current_level as "current_level?", n.required_level as "required_level?",
                            coalesce(m.ids, '{}') as "mentor_ids!", coalesce(m.names, '{}') as "mentor_names!",
                            coalesce(m.spare, '{}') as "mentor_spare!", t.id as "training_id?", t.title as "training?",
                            null::bigint as "mentor_id?", null::text as "mentor?"
                     from s join employees e on e.id = s.employee_id join units u on u.id = e.unit_id
                     left join positions p on p.id = e.position_id
                     left join need n on n.employee_id = s.employee_id left join competencies c on c.id = n.competency_id
                     left join lateral (
                       select array_agg(c.mentor_id order by c.mentor_rank) as ids,
                              array_agg(employee_display_name(x.front_title, x.name, x.back_title) order by c.mentor_rank) as names,
                              array_agg(($5::int - c.mentees)::int order by c.mentor_rank) as spare
                       from mentor_candidates(array[n.competency_id]::bigint[], array[n.required_level]::smallint[], e.id, $1::date, 12) c
                       join employees x on x.id = c.mentor_id
                       where n.competency_id is not null and $5::int - c.mentees > 0) m on true
                     left join lateral (
                       select t.id, t.title from trainings t join training_competencies tc on tc.training_id = t.id
                       where tc.competency_id = n.competency_id and tc.target_level >= n.required_level
                         and t.status in ('planned', 'open')
                       order by t.starts_on, t.id limit 1) t on true
                     order by s.critical_big is not null desc, s.score desc, s.sort_name, s.employee_id"#,
                    today,
                    &path,
                    ACT_NOW,
                    en,
                    i32::from(settings.mentor_cap),
                )
                .fetch_all(&mut *conn)
                .await?;
                let mut act_now = act_now;
                choose_mentors(&mut act_now);
                let top_gaps = crate::gaps::db::top_gaps(&mut *conn, &path, en, 3).await?;
                let year = chrono::Datelike::year(&today);
                let budget: BudgetFigures = sqlx::query_as!(
                    BudgetFigures,
                    r#"select f.allocated as "allocated!", f.remaining as "remaining!", p.year as "plan_year?", p.budget as "plan_budget?"
                     from (select coalesce(sum(b.allocated), 0)::bigint as allocated, coalesce(sum(b.remaining), 0)::bigint as remaining
                           from budget_figures($2) b join units u on u.id = b.unit_id where u.path like $1 || '%') f
                     left join lateral (select d.year, d.budget from dev_plans d where d.unit_id = $3 and d.year in ($2, $2 + 1)
                                        order by d.year desc, d.accepted_at desc limit 1) p on true"#,
                    &path,
                    year,
                    unit_id,
                )
                .fetch_one(&mut *conn)
                .await?;
                Ok::<_, sqlx::Error>(Some(UnitFocus { readiness, act_now, top_gaps, budget }))
            })
        })
        .await?;
    Ok(focus.as_ref().clone())
}
