//! Queries several development pages share: a budget's figures, JP totals, select options.

use sqlx::PgConnection;

/// One budget (year, unit): allocated, committed, spent and remaining (`budget_figures`).
#[derive(Clone, Debug, Default)]
pub struct BudgetFigures {
    pub unit_id: i64,
    pub unit: String,
    pub year: i32,
    pub allocated: i64,
    pub committed: i64,
    pub spent: i64,
    pub remaining: i64,
}

/// The figures of one budget, computed from the trainings charged to it.
pub async fn budget(conn: &mut PgConnection, year: i32, unit_id: i64) -> Result<BudgetFigures, sqlx::Error> {
    sqlx::query_as!(
        BudgetFigures,
        r#"select b.unit_id as "unit_id!", u.name as unit, b.year as "year!", b.allocated as "allocated!",
                b.committed as "committed!", b.spent as "spent!", b.remaining as "remaining!"
         from budget_figures($1) b join units u on u.id = b.unit_id
         where b.unit_id = $2"#,
        year,
        unit_id,
    )
    .fetch_one(conn)
    .await
}

/// Serialise every decision that spends from one budget: approvals charged to (year, unit) run
/// one after another, so two approvals cannot both pass a check only one of them fits.
pub async fn lock_budget(conn: &mut PgConnection, year: i32, unit_id: i64) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "select pg_advisory_xact_lock(727100, hashtext($1::int::text || '/' || $2::bigint::text))",
        year,
        unit_id
    )
    .execute(conn)
    .await?;
    Ok(())
}

/// An employee's JP in a year, formal and informal.
#[derive(Clone, Debug, Default)]
pub struct JpYear {
    pub year: i32,
    pub formal: f64,
    pub informal: f64,
}

impl JpYear {
    pub fn total(&self) -> f64 {
        self.formal + self.informal
    }
}

/// JP per year for one employee, newest year first.
/// The employee's JP per year: every year from the one they joined (a PNS's appointment year in
/// the NIP, otherwise the year the record was made; not before 2017, when PP 11/2017 gave the
/// yearly 20 JP) to this year, years without any JP included as 0, newest first.
pub async fn jp_years(conn: &mut PgConnection, employee_id: i64, this_year: i32) -> Result<Vec<JpYear>, sqlx::Error> {
    sqlx::query_as!(
        JpYear,
        r#"with t as (
           select year, coalesce(sum(jp) filter (where source = 'formal'), 0)::float8 as formal,
                  coalesce(sum(jp) filter (where source = 'informal'), 0)::float8 as informal
           from jp_entries where employee_id = $1 group by year),
         span as (
           select least(greatest(case when e.status = 'PNS' and substr(e.nip, 9, 4) ~ '^(19|20)[0-9]{2}$'
                                      then substr(e.nip, 9, 4)::int
                                      else extract(year from agency_date(e.created_at))::int end, 2017),
                        $2, coalesce((select min(year) from t), $2)) as first,
                  greatest($2, coalesce((select max(year) from t), $2)) as last
           from employees e where e.id = $1)
         select y.year as "year!", coalesce(t.formal, 0) as "formal!", coalesce(t.informal, 0) as "informal!"
         from span cross join lateral generate_series(span.first, span.last) as y(year)
         left join t on t.year = y.year
         order by y.year desc"#,
        employee_id,
        this_year,
    )
    .fetch_all(conn)
    .await
}

pub use crate::employees::db::Opt;

pub async fn provider_options(conn: &mut PgConnection) -> Result<Vec<Opt>, sqlx::Error> {
    sqlx::query_as!(Opt, "select id, name as label from providers where active order by name").fetch_all(conn).await
}

/// Trainings one can still be scheduled into (planned or open), newest first.
pub async fn open_training_options(conn: &mut PgConnection) -> Result<Vec<Opt>, sqlx::Error> {
    sqlx::query_as!(
        Opt,
        r#"select id, title || ' (' || to_char(starts_on, 'DD-MM-YYYY') || ')' as "label!" from trainings
         where status in ('planned', 'open') order by starts_on, id"#
    )
    .fetch_all(conn)
    .await
}
