//! A synthetic organisation of any size for measuring Cakap at regency scale: `cakap
//! seed-synthetic --employees N [--seed S]`. On top of the demo department (its accounts and
//! catalog), it adds dinas → 4 bidang → 3 seksi per 400 staff, positions with ~20-competency
//! standards, N employees with valid PNS NIPs and assessment histories. Everything is set-based
//! SQL (a handful of statements whatever N is) and pseudo-random through `hashtext` of the seed,
//! so the same N and seed give the same data on a fresh database.

use std::time::{Duration, Instant};

use sqlx::PgPool;

use super::names;

mod development;
mod next_year;

use development::*;
use next_year::*;

/// What a run created and how long it took.
#[derive(Debug)]
pub struct Report {
    pub units: i64,
    pub positions: i64,
    pub employees: i64,
    pub assessments: i64,
    pub took: Duration,
}

/// Staff per dinas: a dinas has 4 bidang of 3 seksi each.
const STAFF_PER_DINAS: i64 = 400;

pub async fn seed(pool: &PgPool, employees: i64, seed: i64) -> anyhow::Result<Report> {
    anyhow::ensure!((1..=1_000_000).contains(&employees), "--employees must be between 1 and 1 000 000");
    let started = Instant::now();
    super::demo(pool).await?;
    let agency = crate::settings::AgencySettings::load(pool).await?;
    let today = crate::app::clock::Clock::default().today(agency.time_zone);
    let mut tx = pool.begin().await?;
    sqlx::query!("select pg_advisory_xact_lock(727002)").execute(&mut *tx).await?;
    let done: bool =
        sqlx::query_scalar!(r#"select exists(select 1 from app_meta where key = 'synthetic') as "done!""#,)
            .fetch_one(&mut *tx)
            .await?;
    anyhow::ensure!(!done, "a synthetic organisation is already seeded in this database (start from an empty one)");
    let dinas = (employees + STAFF_PER_DINAS - 1) / STAFF_PER_DINAS;
    let root: i64 = sqlx::query_scalar!("select id from units where parent_id is null order by id limit 1",)
        .fetch_one(&mut *tx)
        .await?;
    // Units: dinas under the demo's root (a regency's agencies side by side), bidang, seksi.
    sqlx::query!(
        "insert into units (parent_id, code, name, kind)
         select $1, 'SYN-' || d, 'Dinas Sintetis ' || d, 'dinas' from generate_series(1, $2::int8) d",
        root,
        dinas
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into units (parent_id, code, name, kind)
         select u.id, u.code || '-B' || b, 'Bidang ' || b || ' ' || u.name, 'bidang'
         from units u cross join generate_series(1, 4) b where u.code ~ '^SYN-[0-9]+$' order by u.id, b"
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into units (parent_id, code, name, kind)
         select u.id, u.code || '-S' || s, 'Seksi ' || s || ' ' || u.name, 'seksi'
         from units u cross join generate_series(1, 3) s where u.code ~ '^SYN-[0-9]+-B[0-9]+$' order by u.id, s"
    )
    .execute(&mut *tx)
    .await?;
    // Positions: a head in every unit, and three staff positions in every seksi.
    sqlx::query!(
        "insert into positions (unit_id, name, kind, class_grade, is_unit_head)
         select id, case when code ~ '-S[0-9]+$' then 'Kepala Seksi' when code ~ '-B[0-9]+$' then 'Kepala Bidang'
                         else 'Kepala Dinas' end || ' ' || code,
                case when code ~ '-S[0-9]+$' then 'pengawas' else 'administrator' end, 9, true
         from units where code like 'SYN-%' order by id"
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into positions (unit_id, name, kind, functional_level, class_grade)
         select u.id, p.name, p.kind, p.fl, p.class
         from units u cross join (values ('Pranata Komputer Ahli Pertama', 'fungsional', 'ahli_pertama', 8),
                                         ('Pranata Komputer Ahli Muda', 'fungsional', 'ahli_muda', 9),
                                         ('Pengelola Layanan TIK', 'pelaksana', null, 7)) p(name, kind, fl, class)
         where u.code ~ '-S[0-9]+$' and u.code like 'SYN-%' order by u.id, p.name"
    )
    .execute(&mut *tx)
    .await?;
    // Standards: about 20 competencies per position, levels and priorities from the seed.
    sqlx::query!(
        "insert into position_standards (position_id, competency_id, required_level, priority)
         select p.id, c.id, 1 + abs(hashtext($1 || ':lvl:' || p.id || ':' || c.id)) % 4,
                (array['critical', 'important', 'useful'])[1 + abs(hashtext($1 || ':pri:' || p.id || ':' || c.id)) % 3]
         from positions p join units u on u.id = p.unit_id
         cross join lateral (select id from competencies where active
                             order by hashtext($1 || ':std:' || p.id || ':' || id) limit 20) c
         where u.code like 'SYN-%'",
        seed.to_string()
    )
    .execute(&mut *tx)
    .await?;
    // Employees: spread over the seksi staff positions; a PNS NIP that is unique and valid
    // (birth date, appointment month at 22–30, sex digit, serial). Names fit the sex, and within
    // a unit no full name repeats: the n-th man (woman) of a unit takes the first name n·7 and the
    // second name n·5 + n / (first names)·181 places on from where the unit starts (7 and 181 are
    // prime to the list lengths, so the pairs differ for the first thousand of each sex).
    let owned = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<String>>();
    let (male, male_family) = names::for_sex(false);
    let (female, female_family) = names::for_sex(true);
    let (male, male_family, female, female_family) =
        (owned(male), owned(&male_family), owned(female), owned(&female_family));
    sqlx::query!(
        "with slots as (select p.id as position_id, p.unit_id, row_number() over (order by p.id) - 1 as n
                        from positions p join units u on u.id = p.unit_id
                        where u.code like 'SYN-%' and not p.is_unit_head),
              people as (select g - 1 as k, 1 + abs(hashtext($1 || ':sex:' || g)) % 2 as sex,
                                date '1965-01-01' + (((g - 1) / 1000 * 97) % 9000)::int as birth
                         from generate_series(1, $2::int8) g),
              placed as (select people.*, s.position_id, s.unit_id,
                                row_number() over (partition by s.unit_id, people.sex order by people.k) - 1 as rn
                         from people join slots s on s.n = people.k % (select count(*) from slots)),
              named as (select placed.*,
                               case when sex = 1 then $3::text[] else $4::text[] end as firsts,
                               case when sex = 1 then $5::text[] else $6::text[] end as families,
                               abs(hashtext($1 || ':fn:' || unit_id)) as h1, abs(hashtext($1 || ':ln:' || unit_id)) as h2
                        from placed)
         insert into employees (nip, status, name, back_title, sex, birth_date, rank_code, position_id, unit_id,
                                education_level, education_field)
         select to_char(birth, 'YYYYMMDD')
                  || to_char(birth + make_interval(years => 22 + abs(hashtext($1 || ':tmt:' || k)) % 9), 'YYYYMM')
                  || sex || lpad((k % 1000)::text, 3, '0'),
                'PNS',
                firsts[1 + (h1 + rn * 7) % cardinality(firsts)] || ' '
                  || families[1 + (h2 + rn * 5 + rn / cardinality(firsts) * 181) % cardinality(families)],
                (array['S.Kom.', 'S.T.', 'A.Md.', 'S.Si.', ''])[1 + abs(hashtext($1 || ':t:' || k)) % 5],
                case when sex = 1 then 'L' else 'P' end, birth,
                (array['III/a', 'III/b', 'III/c', 'III/d', 'IV/a'])[1 + abs(hashtext($1 || ':r:' || k)) % 5],
                position_id, unit_id,
                (array['S1', 'S1', 'D3', 'S2'])[1 + abs(hashtext($1 || ':e:' || k)) % 4], 'Teknik Informatika'
         from named order by k",
        seed.to_string(),
        employees,
        &male,
        &female,
        &male_family,
        &female_family,
    )
    .execute(&mut *tx)
    .await?;
    // Assessments, as in the demo: about 80 % of the requirements have a validated level of the
    // last 24 months, and the bidang differ. Bidang 1 of each dinas is assessed throughout and
    // mostly meets its standards, bidang 2 is assessed and often falls short, bidang 3 is mostly
    // not assessed (some only long ago, no longer valid), bidang 4 and the heads of the dinas in
    // between. `p` is the chance (percent) of a valid level, `lo` the lowest offset from the
    // required level (offsets lo..lo+3, one each).
    sqlx::query!(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_name, status, validated_at)
         select x.employee_id, x.competency_id, greatest(1, least(5, x.required_level + x.lo + x.h % 4)),
                $2::date - case when x.valid then 20 + x.d % 680 else 760 + x.d % 500 end,
                'supervisor', 'Atasan langsung', 'validated', now()
         from (
           select e.id as employee_id, s.competency_id, s.required_level,
                  abs(hashtext($1 || ':a:' || e.id || ':' || s.competency_id)) as h,
                  abs(hashtext($1 || ':d:' || e.id || ':' || s.competency_id)) as d,
                  abs(hashtext($1 || ':has:' || e.id || ':' || s.competency_id)) % 100 < b.p as valid, b.lo
           from employees e join units u on u.id = e.unit_id join position_standards s on s.position_id = e.position_id
           cross join lateral (select case substring(u.code from '-B([0-9]+)') when '1' then 97 when '2' then 93
                                            when '3' then 35 else 88 end as p,
                                       case substring(u.code from '-B([0-9]+)') when '1' then -1 when '2' then -3
                                            else -2 end as lo) b
           where u.code like 'SYN-%'
         ) x
         where x.valid or x.d % 2 = 0",
        seed.to_string(),
        today,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_name, status, validated_at)
         select a.employee_id, a.competency_id, greatest(1, a.level - 1), a.assessed_on - 400, 'self', '', 'validated', now()
         from assessments a join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
         where u.code like 'SYN-%' and abs(hashtext($1 || ':old:' || a.id)) % 100 < 30",
        seed.to_string(),
    )
    .execute(&mut *tx)
    .await?;
    development(&mut tx, today, seed).await?;
    sqlx::query!(
        "insert into app_meta (key, value) values ('synthetic', $1)",
        format!("employees={employees} seed={seed}")
    )
    .execute(&mut *tx)
    .await?;
    let counts = sqlx::query!(
        r#"select (select count(*) from units where code like 'SYN-%') as "units!",
                (select count(*) from positions p join units u on u.id = p.unit_id where u.code like 'SYN-%') as "positions!",
                (select count(*) from employees e join units u on u.id = e.unit_id where u.code like 'SYN-%') as "employees!",
                (select count(*) from assessments a join employees e on e.id = a.employee_id
                   join units u on u.id = e.unit_id where u.code like 'SYN-%') as "assessments!""#,
    )
    .fetch_one(&mut *tx)
    .await?;
    // The commit refreshes the kept gap facts of every new employee: with statistics of what this
    // transaction loaded (ANALYZE counts its own rows), not of the empty tables it began with.
    sqlx::query!(
        "analyze units, positions, position_standards, employees, assessments, current_level_rows, trainings,
                 training_competencies, training_participants, activities, activity_learners"
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query!("analyze").execute(pool).await?;
    Ok(Report {
        units: counts.units,
        positions: counts.positions,
        employees: counts.employees,
        assessments: counts.assessments,
        took: started.elapsed(),
    })
}
