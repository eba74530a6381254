//! A synthetic organisation of any size for measuring Cakap at regency scale: `cakap
//! seed-synthetic --employees N [--seed S]`. On top of the demo department (its accounts and
//! catalog), it adds dinas → 4 bidang → 3 seksi per 400 staff, positions with ~20-competency
//! standards, N employees with valid PNS NIPs and assessment histories. Everything is set-based
//! SQL (a handful of statements whatever N is) and pseudo-random through `hashtext` of the seed,
//! so the same N and seed give the same data on a fresh database.

use std::time::{Duration, Instant};

use sqlx::PgPool;

use super::names::{FAMILY, FEMALE, MALE};

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
    sqlx::query("select pg_advisory_xact_lock(727002)").execute(&mut *tx).await?;
    let done: bool =
        sqlx::query_scalar("select exists(select 1 from app_meta where key = 'synthetic')").fetch_one(&mut *tx).await?;
    anyhow::ensure!(!done, "a synthetic organisation is already seeded in this database (start from an empty one)");
    let dinas = (employees + STAFF_PER_DINAS - 1) / STAFF_PER_DINAS;
    let root: i64 = sqlx::query_scalar("select id from units where parent_id is null order by id limit 1")
        .fetch_one(&mut *tx)
        .await?;
    // Units: dinas under the demo's root (a regency's agencies side by side), bidang, seksi.
    sqlx::query(
        "insert into units (parent_id, code, name, kind)
         select $1, 'SYN-' || d, 'Dinas Sintetis ' || d, 'dinas' from generate_series(1, $2) d",
    )
    .bind(root)
    .bind(dinas)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into units (parent_id, code, name, kind)
         select u.id, u.code || '-B' || b, 'Bidang ' || b || ' ' || u.name, 'bidang'
         from units u cross join generate_series(1, 4) b where u.code ~ '^SYN-[0-9]+$' order by u.id, b",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into units (parent_id, code, name, kind)
         select u.id, u.code || '-S' || s, 'Seksi ' || s || ' ' || u.name, 'seksi'
         from units u cross join generate_series(1, 3) s where u.code ~ '^SYN-[0-9]+-B[0-9]+$' order by u.id, s",
    )
    .execute(&mut *tx)
    .await?;
    // Positions: a head in every unit, and three staff positions in every seksi.
    sqlx::query(
        "insert into positions (unit_id, name, kind, class_grade, is_unit_head)
         select id, case when code ~ '-S[0-9]+$' then 'Kepala Seksi' when code ~ '-B[0-9]+$' then 'Kepala Bidang'
                         else 'Kepala Dinas' end || ' ' || code,
                case when code ~ '-S[0-9]+$' then 'pengawas' else 'administrator' end, 9, true
         from units where code like 'SYN-%' order by id",
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into positions (unit_id, name, kind, functional_level, class_grade)
         select u.id, p.name, p.kind, p.fl, p.class
         from units u cross join (values ('Pranata Komputer Ahli Pertama', 'fungsional', 'ahli_pertama', 8),
                                         ('Pranata Komputer Ahli Muda', 'fungsional', 'ahli_muda', 9),
                                         ('Pengelola Layanan TIK', 'pelaksana', null, 7)) p(name, kind, fl, class)
         where u.code ~ '-S[0-9]+$' and u.code like 'SYN-%' order by u.id, p.name",
    )
    .execute(&mut *tx)
    .await?;
    // Standards: about 20 competencies per position, levels and priorities from the seed.
    sqlx::query(
        "insert into position_standards (position_id, competency_id, required_level, priority)
         select p.id, c.id, 1 + abs(hashtext($1 || ':lvl:' || p.id || ':' || c.id)) % 4,
                (array['critical', 'important', 'useful'])[1 + abs(hashtext($1 || ':pri:' || p.id || ':' || c.id)) % 3]
         from positions p join units u on u.id = p.unit_id
         cross join lateral (select id from competencies where active
                             order by hashtext($1 || ':std:' || p.id || ':' || id) limit 20) c
         where u.code like 'SYN-%'",
    )
    .bind(seed.to_string())
    .execute(&mut *tx)
    .await?;
    // Employees: spread over the seksi staff positions; a PNS NIP that is unique and valid
    // (birth date, appointment month at 22–30, sex digit, serial).
    let male: Vec<&str> = MALE.to_vec();
    let female: Vec<&str> = FEMALE.to_vec();
    let family: Vec<&str> = FAMILY.to_vec();
    sqlx::query(
        "with slots as (select p.id as position_id, p.unit_id, row_number() over (order by p.id) - 1 as n
                        from positions p join units u on u.id = p.unit_id
                        where u.code like 'SYN-%' and not p.is_unit_head),
              people as (select g - 1 as k, 1 + abs(hashtext($1 || ':sex:' || g)) % 2 as sex,
                                date '1965-01-01' + (((g - 1) / 1000 * 97) % 9000)::int as birth
                         from generate_series(1, $2) g)
         insert into employees (nip, status, name, back_title, sex, birth_date, rank_code, position_id, unit_id,
                                education_level, education_field)
         select to_char(birth, 'YYYYMMDD')
                  || to_char(birth + make_interval(years => 22 + abs(hashtext($1 || ':tmt:' || k)) % 9), 'YYYYMM')
                  || sex || lpad((k % 1000)::text, 3, '0'),
                'PNS',
                (case when sex = 1 then $3::text[] else $4::text[] end)[1 + abs(hashtext($1 || ':fn:' || k)) %
                    (case when sex = 1 then cardinality($3::text[]) else cardinality($4::text[]) end)]
                  || ' ' || ($5::text[])[1 + abs(hashtext($1 || ':ln:' || k)) % cardinality($5::text[])],
                (array['S.Kom.', 'S.T.', 'A.Md.', 'S.Si.', ''])[1 + abs(hashtext($1 || ':t:' || k)) % 5],
                case when sex = 1 then 'L' else 'P' end, birth,
                (array['III/a', 'III/b', 'III/c', 'III/d', 'IV/a'])[1 + abs(hashtext($1 || ':r:' || k)) % 5],
                s.position_id, s.unit_id,
                (array['S1', 'S1', 'D3', 'S2'])[1 + abs(hashtext($1 || ':e:' || k)) % 4], 'Teknik Informatika'
         from people join slots s on s.n = people.k % (select count(*) from slots)
         order by k",
    )
    .bind(seed.to_string())
    .bind(employees)
    .bind(&male)
    .bind(&female)
    .bind(&family)
    .execute(&mut *tx)
    .await?;
    // Assessments: most standard competencies have a validated level, some an older one too.
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_name, status, validated_at)
         select e.id, s.competency_id,
                greatest(1, least(5, s.required_level + abs(hashtext($1 || ':a:' || e.id || ':' || s.competency_id)) % 4 - 2)),
                $2::date - (30 + abs(hashtext($1 || ':d:' || e.id || ':' || s.competency_id)) % 700)::int,
                'supervisor', 'Atasan langsung', 'validated', now()
         from employees e join units u on u.id = e.unit_id join position_standards s on s.position_id = e.position_id
         where u.code like 'SYN-%' and abs(hashtext($1 || ':has:' || e.id || ':' || s.competency_id)) % 100 < 85",
    )
    .bind(seed.to_string())
    .bind(today)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_name, status, validated_at)
         select a.employee_id, a.competency_id, greatest(1, a.level - 1), a.assessed_on - 400, 'self', '', 'validated', now()
         from assessments a join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
         where u.code like 'SYN-%' and abs(hashtext($1 || ':old:' || a.id)) % 100 < 30",
    )
    .bind(seed.to_string())
    .execute(&mut *tx)
    .await?;
    development(&mut tx, today, seed).await?;
    sqlx::query("insert into app_meta (key, value) values ('synthetic', $1)")
        .bind(format!("employees={employees} seed={seed}"))
        .execute(&mut *tx)
        .await?;
    let counts: (i64, i64, i64, i64) = sqlx::query_as(
        "select (select count(*) from units where code like 'SYN-%'),
                (select count(*) from positions p join units u on u.id = p.unit_id where u.code like 'SYN-%'),
                (select count(*) from employees e join units u on u.id = e.unit_id where u.code like 'SYN-%'),
                (select count(*) from assessments a join employees e on e.id = a.employee_id
                   join units u on u.id = e.unit_id where u.code like 'SYN-%')",
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    sqlx::query("analyze").execute(pool).await?;
    Ok(Report {
        units: counts.0,
        positions: counts.1,
        employees: counts.2,
        assessments: counts.3,
        took: started.elapsed(),
    })
}

/// Three years of development for every synthetic dinas: budgets, six trainings a year with two
/// developed competencies each, fifteen participants (passed when completed) with evaluations, and
/// a confirmed mentoring session for one in ten employees. Set-based, whatever the size.
async fn development(tx: &mut sqlx::PgConnection, today: chrono::NaiveDate, seed: i64) -> anyhow::Result<()> {
    let year = chrono::Datelike::year(&today);
    let seed = seed.to_string();
    sqlx::query(
        "insert into unit_budgets (year, unit_id, amount)
         select y, u.id, 200000000 from units u cross join generate_series($1 - 2, $1) y where u.code ~ '^SYN-[0-9]+$'
         on conflict do nothing",
    )
    .bind(year)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into trainings (title, form, jenis_diklat, provider_id, place, starts_on, ends_on, jp, cost_per_participant,
                                fixed_cost, budget_year, budget_unit_id, quota, status)
         select 'Pelatihan Sintetis ' || u.code || '-' || y || '-' || k,
                (array['teknis', 'bimtek', 'workshop', 'kursus', 'seminar', 'sertifikasi'])[k],
                (array[3, 8, 4, 11, 9, 11])[k]::smallint,
                (select min(id) from providers) + (k % 8), 'Bandung', make_date(y, 1 + k, 10), make_date(y, 1 + k, 12), 24,
                2500000, 5000000, y, u.id, 20,
                case when make_date(y, 1 + k, 12) < $2::date then 'completed' else 'open' end
         from units u cross join generate_series($1 - 2, $1) y cross join generate_series(1, 6) k
         where u.code ~ '^SYN-[0-9]+$'",
    )
    .bind(year)
    .bind(today)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into training_competencies (training_id, competency_id, target_level)
         select t.id, c.id, 3 from trainings t
         join lateral (select id from competencies where kind = 'teknis' order by abs(hashtext($1 || t.id::text || code)) limit 2) c on true
         where t.title like 'Pelatihan Sintetis %'",
    )
    .bind(&seed)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into training_participants (training_id, employee_id, status)
         select t.id, e.id, case when t.status = 'completed' then 'passed' else 'approved' end
         from trainings t join units bu on bu.id = t.budget_unit_id
         join lateral (select e.id from employees e join units u on u.id = e.unit_id
                       where u.path like bu.path || '%' and e.active
                       order by abs(hashtext($1 || e.id::text || t.id::text)) limit 15) e on true
         where t.title like 'Pelatihan Sintetis %'",
    )
    .bind(&seed)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into training_evaluations (participant_id, relevance, method, trainer, usefulness)
         select tp.id, 2 + abs(hashtext($1 || tp.id)) % 4, 2 + abs(hashtext($1 || 'm' || tp.id)) % 4,
                2 + abs(hashtext($1 || 't' || tp.id)) % 4, 2 + abs(hashtext($1 || 'u' || tp.id)) % 4
         from training_participants tp join trainings t on t.id = tp.training_id
         where t.title like 'Pelatihan Sintetis %' and tp.status = 'passed'",
    )
    .bind(&seed)
    .execute(&mut *tx)
    .await?;
    // Mentoring: one in ten employees learns from the first colleague of their seksi.
    sqlx::query(
        "insert into activities (kind, mentor_id, competency_id, held_on, minutes, topic, status)
         select 'mentoring', m.mentor, (select min(id) from competencies where kind = 'teknis'),
                $2::date - (abs(hashtext($1 || e.id::text)) % 300), 90, 'Mentoring sintetis #' || e.id, 'confirmed'
         from employees e join units u on u.id = e.unit_id
         join lateral (select min(x.id) as mentor from employees x where x.unit_id = e.unit_id and x.id <> e.id) m on m.mentor is not null
         where u.code like 'SYN-%' and abs(hashtext($1 || 'mentee' || e.id::text)) % 10 = 0",
    )
    .bind(&seed)
    .bind(today)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "insert into activity_learners (activity_id, employee_id)
         select id, substring(topic from '#([0-9]+)$')::bigint from activities where topic like 'Mentoring sintetis #%'",
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
