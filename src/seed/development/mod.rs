//! Demo development data: three years of trainings (about twenty a year) with real-looking
//! providers and costs, unit budgets, participants with results, certificates, evaluations and
//! the three-month re-assessments after them; the peer sessions in which the department's experts
//! mentor their colleagues, komunitas belajar, e-learning and self-study; training requests.
//!
//! Dates are relative to the day the demo is seeded (trainings by calendar month, status by that
//! day; informal learning within the last months), choices deterministic. Each employee has a
//! learning year: a few nothing at all, about a fifth under the minimum of 20 JP, most between 20
//! and 40, some more; what trainings do not give them, informal learning does. What waits for a
//! decision (nominations, self-study and mentoring logs, requests) arrived over the last six weeks.

use std::collections::{HashMap, HashSet};

use chrono::{Datelike as _, Duration, NaiveDate};
use sqlx::PgConnection;

use super::Rng;

mod data;
mod informal;
mod requests;
mod trainings;

use data::*;
use informal::*;
use requests::*;
use trainings::*;

/// An employee's learning year.
#[derive(Clone, Copy, PartialEq)]
enum Tier {
    /// Nothing at all (long leave, about to retire).
    None,
    /// Under the yearly minimum.
    Low,
    /// Between the minimum and twice it.
    Normal,
    /// In a long training, on an internship, or simply keen.
    High,
}

struct Staff {
    id: i64,
    unit_id: i64,
    unit_code: String,
    path: String,
    position_kind: String,
    /// The employee's own account, if any.
    account: Option<i64>,
    /// The account that decides for them: the nearest head above them (HR where none).
    head: Option<i64>,
}

struct Training {
    id: i64,
    /// The provider's quality (1–5).
    quality: i32,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    status: &'static str,
    jp: f64,
    path: String,
    form: &'static str,
    quota: usize,
}

/// One informal activity to insert, with its learners.
struct Activity {
    kind: &'static str,
    mentor: Option<i64>,
    competency: i64,
    held_on: NaiveDate,
    minutes: i32,
    topic: String,
    report: String,
    pending: bool,
    logged_by: Option<i64>,
    decided_by: Option<i64>,
    learners: Vec<i64>,
}

/// Everything the development data is drawn from.
struct World {
    today: NaiveDate,
    hr: Option<i64>,
    staff: Vec<Staff>,
    /// Per employee: the competencies of their standard (id, required level, technical).
    standard: HashMap<i64, Vec<(i64, i16, bool)>>,
    /// The latest validated level per (employee, competency), and when.
    levels: HashMap<(i64, i64), (i16, NaiveDate)>,
    names: HashMap<i64, String>,
}

impl World {
    fn days_ago(&self, n: i64) -> NaiveDate {
        self.today - Duration::days(n)
    }

    /// A level that still counts (assessed within the last 24 months).
    fn valid_level(&self, employee: i64, competency: i64) -> Option<i16> {
        self.levels.get(&(employee, competency)).filter(|(_, on)| *on > self.days_ago(730)).map(|(l, _)| *l)
    }
}

pub async fn seed(conn: &mut PgConnection) -> anyhow::Result<()> {
    let mut provider_ids = vec![];
    for (name, kind, contact, email, _) in PROVIDERS {
        let id: i64 = sqlx::query_scalar!(
            "insert into providers (name, kind, contact_person, email) values ($1, $2, $3, $4) returning id",
            name,
            kind,
            contact,
            email
        )
        .fetch_one(&mut *conn)
        .await?;
        provider_ids.push(id);
    }
    let today: NaiveDate = sqlx::query_scalar!(r#"select agency_today() as "today!""#).fetch_one(&mut *conn).await?;
    let year = today.year();
    // Budgets: the department pool, each bidang, the others smaller.
    sqlx::query!(
        "insert into unit_budgets (year, unit_id, amount)
         select y, u.id, case u.kind when 'dinas' then 150000000 when 'bidang' then 70000000 else 20000000 end
         from units u cross join generate_series($1 - 2, $1) y where u.kind in ('dinas', 'bidang', 'sekretariat', 'upt')",
        year,
    )
    .execute(&mut *conn)
    .await?;
    let world = load(conn, today).await?;
    let mut rng = Rng::new(20_261_203);
    // Learning years: this one (the last twelve months) and the one before.
    let tiers: Vec<Vec<(Tier, f64)>> = (0..2)
        .map(|_| {
            world
                .staff
                .iter()
                .map(|_| match rng.range(0, 99) {
                    0..=1 => (Tier::None, 0.0),
                    2..=17 => (Tier::Low, rng.range(4, 18) as f64),
                    18..=79 => (Tier::Normal, rng.range(20, 38) as f64),
                    _ => (Tier::High, rng.range(41, 70) as f64),
                })
                .collect()
        })
        .collect();
    // Which learning year a day falls in: 0 the last twelve months, 1 the twelve before.
    let window = |d: NaiveDate| -> Option<usize> {
        let ago = (today - d).num_days();
        match ago {
            0..=364 => Some(0),
            365..=729 => Some(1),
            _ => None,
        }
    };
    let trainings = trainings(conn, &world, &provider_ids).await?;
    // Formal JP per (learning year, employee index): passed, and booked (failed and absent too).
    let mut formal = vec![vec![0.0f64; world.staff.len()]; 2];
    let mut booked = formal.clone();
    let (mut p_training, mut p_employee, mut p_status, mut p_decided, mut p_created) =
        (vec![], vec![], vec![], vec![], vec![]);
    for t in &trainings {
        let w = if t.status == "completed" { window(t.ends_on) } else { None };
        // Candidates of the budget unit's subtree in a random order; the keen first for long ones,
        // only heads of seksi for the leadership training of pengawas.
        let mut candidates: Vec<(i64, usize)> = world
            .staff
            .iter()
            .enumerate()
            .filter(|(_, s)| s.path.starts_with(&t.path))
            .filter(|(_, s)| t.form != "struktural" || s.position_kind == "pengawas")
            .map(|(i, _)| {
                let keen = w.is_some_and(|w| tiers[w][i].0 == Tier::High) && t.jp >= 32.0;
                (rng.range(0, 999) - if keen { 1000 } else { 0 }, i)
            })
            .collect();
        candidates.sort();
        let seats = match t.status {
            "completed" | "running" => t.quota - rng.range(0, (t.quota / 4) as i64) as usize,
            "open" => t.quota.saturating_sub(2).max(1),
            _ => (t.quota / 2).max(1),
        };
        let mut taken = 0;
        for (_, i) in candidates {
            if taken == seats {
                break;
            }
            if let Some(w) = w {
                let (tier, _) = tiers[w][i];
                let so_far = booked[w][i];
                let fits = match tier {
                    Tier::None => false,
                    Tier::Low => so_far == 0.0 && t.jp <= 16.0,
                    Tier::Normal => so_far + t.jp <= 40.0,
                    Tier::High => so_far == 0.0 || so_far + t.jp <= 80.0,
                };
                if !fits {
                    continue;
                }
            }
            taken += 1;
            let roll = rng.range(0, 99);
            let (status, created, decided) = match t.status {
                "completed" => {
                    let status = if roll < 86 {
                        "passed"
                    } else if roll < 93 {
                        "failed"
                    } else {
                        "absent"
                    };
                    (status, t.starts_on - Duration::days(rng.range(30, 50)), Some(t.starts_on - Duration::days(20)))
                }
                "running" => ("approved", t.starts_on - Duration::days(40), Some(t.starts_on - Duration::days(20))),
                // Nominations of the last six weeks wait for the head.
                _ if roll < 35 => ("nominated", world.days_ago(rng.range(1, 42)), None),
                _ => {
                    let created = world.days_ago(rng.range(43, 70)).min(t.starts_on - Duration::days(20));
                    ("approved", created, Some((created + Duration::days(rng.range(2, 9))).min(world.days_ago(1))))
                }
            };
            if let Some(w) = w {
                booked[w][i] += t.jp;
                if status == "passed" {
                    formal[w][i] += t.jp;
                }
            }
            p_training.push(t.id);
            p_employee.push(world.staff[i].id);
            p_status.push(status);
            p_decided.push(decided);
            p_created.push(created.min(world.days_ago(1)));
        }
    }
    sqlx::query!(
        "insert into training_participants (training_id, employee_id, status, nominated_by, decided_by, decided_at, created_at)
         select t, e, s, $6::bigint, case when d is not null then $6::bigint end,
                (d + time '10:00') at time zone 'Asia/Jakarta',
                (c + time '08:30' + make_interval(mins => (abs(hashtext(e::text || t::text)) % 420)::int)) at time zone 'Asia/Jakarta'
         from unnest($1::bigint[], $2::bigint[], $3::text[], $4::date[], $5::date[]) as p(t, e, s, d, c)",
        &p_training,
        &p_employee,
        &p_status as &[&str],
        &p_decided as &[Option<NaiveDate>],
        &p_created,
        world.hr,
    )
    .execute(&mut *conn)
    .await?;
    results(conn, today, &trainings).await?;
    let mut learning = Informal::default();
    for (w, tiers) in tiers.iter().enumerate() {
        informal(&world, &mut rng, w, tiers, &formal[w], &mut learning);
    }
    waiting_activities(&world, &mut rng, &mut learning);
    insert_informal(conn, &learning).await?;
    requests(conn, &world, &mut rng).await?;
    Ok(())
}

async fn load(conn: &mut PgConnection, today: NaiveDate) -> anyhow::Result<World> {
    let hr: Option<i64> = sqlx::query_scalar!("select id from accounts where username = 'kepegawaian'")
        .fetch_optional(&mut *conn)
        .await?;
    let staff = sqlx::query_as!(
        Staff,
        r#"select e.id, e.unit_id, u.code as unit_code, u.path, coalesce(p.kind, '') as "position_kind!",
                (select a.id from accounts a where a.employee_id = e.id order by a.id limit 1) as "account?",
                coalesce((select r.account_id from account_roles r join units h on h.id = r.unit_id join accounts a on a.id = r.account_id
                          where r.role = 'head' and u.path like h.path || '%' and a.employee_id is distinct from e.id
                          order by length(h.path) desc limit 1), $1) as "head?"
         from employees e join units u on u.id = e.unit_id left join positions p on p.id = e.position_id
         where e.active order by e.id"#,
        hr,
    )
    .fetch_all(&mut *conn)
    .await?;
    let rows = sqlx::query!(
        r#"select e.id, ps.competency_id, ps.required_level, c.kind = 'teknis' as "technical!"
         from employees e join position_standards ps on ps.position_id = e.position_id join competencies c on c.id = ps.competency_id
         order by e.id, ps.competency_id"#,
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut standard: HashMap<i64, Vec<(i64, i16, bool)>> = HashMap::new();
    for r in rows {
        standard.entry(r.id).or_default().push((r.competency_id, r.required_level, r.technical));
    }
    let rows = sqlx::query!(
        "select distinct on (employee_id, competency_id) employee_id, competency_id, level, assessed_on from assessments
         where status = 'validated' order by employee_id, competency_id, assessed_on desc, id desc",
    )
    .fetch_all(&mut *conn)
    .await?;
    let levels = rows.into_iter().map(|r| ((r.employee_id, r.competency_id), (r.level, r.assessed_on))).collect();
    let names = sqlx::query!("select id, name_id from competencies").fetch_all(&mut *conn).await?;
    Ok(World { today, hr, staff, standard, levels, names: names.into_iter().map(|r| (r.id, r.name_id)).collect() })
}
