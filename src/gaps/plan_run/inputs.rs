//! What the plan may choose from (scheduled trainings, catalogue classes), the money it may
//! spend, and everything a run reads in one snapshot.

use super::*;

/// Something the plan may send people to: a training scheduled in the year, or a class of a
/// catalogue programme offered that year.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Choice {
    /// `training` or `programme`.
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub provider: String,
    pub jenis_diklat: i16,
    pub jp: f64,
    pub starts_on: Option<chrono::NaiveDate>,
    pub cost_per_participant: i64,
    /// Paid once if anybody goes: a scheduled training's fixed cost not yet paid, a class's cost.
    pub fixed_cost: i64,
    pub seats: i64,
    pub min_class: i64,
    /// (competency, declared target level, participants measured, mean gain measured).
    pub develops: Vec<(i64, i16, i64, Option<f64>)>,
}

impl Choice {
    pub fn is_programme(&self) -> bool {
        self.kind == "programme"
    }

    /// The levels it closes of a need: the measured gain where enough participants back it,
    /// else up to its declared level; never past the declared level, never past the gap.
    pub fn closes(&self, n: &NeedRow, min_measured: i64) -> Option<(f64, bool)> {
        let (_, target, measured_n, gain) = self.develops.iter().find(|d| d.0 == n.competency_id)?;
        let declared = (f64::from((*target).min(n.required_level)) - f64::from(n.current_level)).max(0.0);
        Some(match gain {
            Some(g) if *measured_n >= min_measured => (g.max(0.0).min(declared), true),
            _ => (declared, false),
        })
    }
}

pub(super) struct ChoiceRow {
    kind: String,
    id: i64,
    title: String,
    provider: String,
    jenis_diklat: i16,
    jp: f64,
    starts_on: Option<chrono::NaiveDate>,
    cost_per_participant: i64,
    fixed_cost: i64,
    seats: i64,
    min_class: i64,
    competency_id: i64,
    target_level: i16,
    measured_n: i64,
    measured_gain: Option<f64>,
}

/// What the plan may choose from for these competencies in `year`: trainings planned or open
/// that year, charged to the unit's subtree (or free), with seats left; and the catalogue's
/// programmes offered that year. Effects are measured on completed runs (a programme's runs,
/// or a training's earlier runs of the same title), from participants whose level before was
/// known.
pub(super) async fn choices(
    conn: &mut PgConnection,
    competencies: &[i64],
    year: i32,
    path: &str,
) -> sqlx::Result<Vec<Choice>> {
    let rows: Vec<ChoiceRow> = sqlx::query_as!(
        ChoiceRow,
        r#"with fx as (
           select coalesce(past.programme_id::text, 't:' || past.title) as run_of, e.competency_id, count(*) as n,
                  avg(e.after_level - e.before_level)::float8 as gain
           from training_effect e join trainings past on past.id = e.training_id
           where e.after_level is not null and e.before_level > 0 and e.competency_id = any($1)
           group by 1, 2)
         select 'training' as "kind!", t.id as "id!", t.title as "title!", coalesce(p.name, '') as "provider!",
                t.jenis_diklat as "jenis_diklat!", t.jp::float8 as "jp!", t.starts_on as "starts_on?",
                t.cost_per_participant as "cost_per_participant!",
                case when tcost.paid_participants > 0 then 0 else t.fixed_cost end as "fixed_cost!",
                (t.quota - (select count(*) from training_participants x where x.training_id = t.id and x.status <> 'rejected'))::bigint as "seats!",
                1::bigint as "min_class!", tc.competency_id as "competency_id!", tc.target_level as "target_level!",
                coalesce(fx.n, 0) as "measured_n!", fx.gain as "measured_gain?"
         from trainings t join training_competencies tc on tc.training_id = t.id
         join training_costs tcost on tcost.training_id = t.id
         join units bu on bu.id = t.budget_unit_id
         left join providers p on p.id = t.provider_id
         left join fx on fx.run_of = coalesce(t.programme_id::text, 't:' || t.title) and fx.competency_id = tc.competency_id
         where t.status in ('planned', 'open') and t.budget_year = $2 and tc.competency_id = any($1)
           and (bu.path like $3 || '%' or (t.cost_per_participant = 0 and t.fixed_cost = 0))
         union all
         select 'programme', g.id, g.title, coalesce(p.name, ''), g.jenis_diklat, g.jp::float8, null::date,
                g.cost_per_participant, g.cost_per_class, g.max_class::bigint, g.min_class::bigint,
                gc.competency_id, gc.target_level, coalesce(fx.n, 0), fx.gain
         from programmes g join programme_competencies gc on gc.programme_id = g.id
         left join providers p on p.id = g.provider_id
         left join fx on fx.run_of = g.id::text and fx.competency_id = gc.competency_id
         where g.active and $2 between g.offered_from and g.offered_to and gc.competency_id = any($1)
         order by 1 desc, 2, 12"#,
        competencies,
        year,
        path,
    )
    .fetch_all(conn)
    .await?;
    let mut out: Vec<Choice> = vec![];
    for r in rows {
        if r.seats <= 0 {
            continue;
        }
        match out.last_mut() {
            Some(c) if c.kind == r.kind && c.id == r.id => {
                c.develops.push((r.competency_id, r.target_level, r.measured_n, r.measured_gain));
            }
            _ => out.push(Choice {
                kind: r.kind,
                id: r.id,
                title: r.title,
                provider: r.provider,
                jenis_diklat: r.jenis_diklat,
                jp: r.jp,
                starts_on: r.starts_on,
                cost_per_participant: r.cost_per_participant,
                fixed_cost: r.fixed_cost,
                seats: r.seats,
                min_class: r.min_class,
                develops: vec![(r.competency_id, r.target_level, r.measured_n, r.measured_gain)],
            }),
        }
    }
    Ok(out)
}

/// The money a plan for a unit may spend in a year: the budgets of the unit and every unit
/// under it, less what is committed or spent from them.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct BudgetFigures {
    pub allocated: i64,
    pub used: i64,
    /// (unit, amount) of each budget counted, when there are several.
    pub parts: Vec<(String, i64)>,
}

impl crate::app::versioned::Weigh for BudgetFigures {}

impl BudgetFigures {
    pub fn remaining(&self) -> i64 {
        (self.allocated - self.used).max(0)
    }
}

pub async fn budget(conn: &mut PgConnection, year: i32, path: &str) -> sqlx::Result<BudgetFigures> {
    let parts: Vec<(String, i64, i64)> = sqlx::query!(
        r#"select u.name, f.allocated as "allocated!", f.committed + f.spent as "used!"
         from units u join budget_figures($1) f on f.unit_id = u.id
         where u.path like $2 || '%' and f.recorded
         order by u.path"#,
        year,
        path,
    )
    .fetch_all(conn)
    .await?
    .into_iter()
    .map(|r| (r.name, r.allocated, r.used))
    .collect();
    let with_money: Vec<(String, i64)> = parts.iter().filter(|p| p.1 > 0).map(|p| (p.0.clone(), p.1)).collect();
    Ok(BudgetFigures {
        allocated: parts.iter().map(|p| p.1).sum(),
        used: parts.iter().map(|p| p.2).sum(),
        parts: if with_money.len() > 1 { with_money } else { vec![] },
    })
}

/// Everything a run reads, in one snapshot.
pub struct Inputs {
    pub year: i32,
    pub budget: i64,
    pub settings: GapSettings,
    pub needs: Vec<NeedRow>,
    pub choices: Vec<Choice>,
    pub holders: Vec<Holder>,
    pub caps: HashMap<i64, u32>,
    /// Each person's enrolments in the year, and the (person, scheduled training) pairs taken.
    pub enrolled: HashMap<i64, u32>,
    pub taken: HashSet<(i64, i64)>,
    /// The records' version the inputs were read at.
    pub data_version: i64,
}

/// The version of the records a plan for the unit under `path` depends on: its scope (a
/// bidang's plan is not outdated by a write in another bidang) and what concerns everyone.
pub async fn plan_version(conn: &mut PgConnection, path: &str) -> Result<i64, sqlx::Error> {
    crate::app::versioned::version_of(conn, &crate::app::versioned::Depends::Unit(path.to_string())).await
}

/// Read what a plan for the unit under `path` draws on, at one version of the records.
pub async fn read_inputs(
    conn: &mut PgConnection,
    path: &str,
    year: i32,
    budget: i64,
    today: chrono::NaiveDate,
) -> Result<Inputs, sqlx::Error> {
    let data_version = plan_version(&mut *conn, path).await?;
    let settings = db::settings(&mut *conn).await?;
    let needs = needs(&mut *conn, today, path, false, true).await?;
    let mut comps: Vec<i64> = needs.iter().map(|n| n.competency_id).collect();
    comps.sort_unstable();
    comps.dedup();
    let choices = choices(&mut *conn, &comps, year, path).await?;
    let (holders, caps) = holders(&mut *conn, &needs, path, today, &settings).await?;
    let mut people: Vec<i64> = needs.iter().map(|n| n.employee_id).collect();
    people.sort_unstable();
    people.dedup();
    let rows: Vec<(i64, i64, bool)> = sqlx::query!(
        r#"select p.employee_id, p.training_id, t.budget_year = $2 as "this_year!"
         from training_participants p join trainings t on t.id = p.training_id
         where p.employee_id = any($1) and p.status <> 'rejected' and t.status <> 'cancelled'
           and (t.budget_year = $2 or t.status in ('planned', 'open'))"#,
        &people,
        year,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.employee_id, r.training_id, r.this_year))
    .collect();
    let mut enrolled: HashMap<i64, u32> = HashMap::new();
    let mut taken = HashSet::new();
    for (e, t, this_year) in rows {
        if this_year {
            *enrolled.entry(e).or_default() += 1;
        }
        taken.insert((e, t));
    }
    Ok(Inputs { year, budget, settings, needs, choices, holders, caps, enrolled, taken, data_version })
}
