//! Three years of development for every synthetic dinas: budgets, trainings, participants,
//! mentoring and informal learning (each employee's learning year, `with_tier!`).

use super::*;

/// A synthetic employee's learning year, from the seed: 2 % nothing, 16 % under the minimum of
/// 20 JP (4–18), 62 % between 20 and 38, 20 % 41–70 (the demo's spread). SQL over `e.id` and `$1`
/// (the seed) giving (tier, target JP). `with_tier!([before…], [after…], args…)` is the checked
/// statement `before` + this lateral select + `after` (written once, pasted as a literal).
macro_rules! with_tier {
    ([$($before:tt),*], [$($after:tt),*] $(, $arg:expr)* $(,)?) => {
        sqlx::query!(
            $($before +)* "(select case when h % 100 < 2 then 0 when h % 100 < 18 then 1 when h % 100 < 80 then 2 else 3 end as tier,
                            case when h % 100 < 2 then 0 when h % 100 < 18 then 4 + h / 100 % 15
                                 when h % 100 < 80 then 20 + h / 100 % 19 else 41 + h / 100 % 30 end as target
                     from (select abs(hashtext($1 || ':tier:' || e.id)) as h) x)" $(+ $after)*
            $(, $arg)*
        )
    };
}

/// What each synthetic employee still lacks for their year's figure, as the CTE `synthetic_need`
/// (id, code, need) before `after`: passed trainings and mentoring of the last twelve months
/// counted. `$1` the seed, `$2` the day.
macro_rules! with_need {
    ([$($after:tt),*] $(, $arg:expr)* $(,)?) => {
        with_tier!(
            ["with synthetic_need as (select e.id, u.code, greatest(0, tier.target
                  - coalesce((select sum(t.jp) from training_participants tp join trainings t on t.id = tp.training_id
                              where tp.employee_id = e.id and tp.status = 'passed' and t.ends_on > $2::date - 365
                                and t.ends_on <= $2::date), 0)
                  - coalesce((select 2 * count(*) from activity_learners l join activities a on a.id = l.activity_id
                              where l.employee_id = e.id and a.kind = 'mentoring' and a.held_on > $2::date - 365), 0))::int as need
         from employees e join units u on u.id = e.unit_id cross join lateral "],
            [" tier
         where u.code like 'SYN-%' and tier.tier > 0)" $(, $after)*]
            $(, $arg)*
        )
    };
}

/// Three years of development for every synthetic dinas: budgets, eighteen trainings a year (8 to
/// 40 JP) with two developed competencies each, twenty participants each (mostly passed when
/// completed) with evaluations, a confirmed mentoring session for one in ten employees, and the
/// informal learning that brings each employee to their year's figure (see `with_tier!`): the seksi's
/// monthly komunitas belajar, e-learning beyond it. Set-based, whatever the size.
pub(super) async fn development(
    tx: &mut sqlx::PgConnection,
    today: chrono::NaiveDate,
    seed: i64,
) -> anyhow::Result<()> {
    let year = chrono::Datelike::year(&today);
    let seed = seed.to_string();
    sqlx::query!(
        "insert into unit_budgets (year, unit_id, amount)
         select y, u.id, 200000000 from units u cross join generate_series($1 - 2, $1 + 1) y where u.code ~ '^SYN-[0-9]+$'
         on conflict do nothing",
        year,
    )
    .execute(&mut *tx)
    .await?;
    next_year(&mut *tx, year, &seed.to_string()).await?;
    sqlx::query!(
        "insert into trainings (title, form, jenis_diklat, provider_id, place, starts_on, ends_on, jp, cost_per_participant,
                                fixed_cost, budget_year, budget_unit_id, quota, status)
         select 'Pelatihan Sintetis ' || u.code || '-' || y || '-' || k,
                (array['teknis', 'bimtek', 'workshop', 'kursus', 'seminar', 'sertifikasi'])[1 + k % 6],
                (array[3, 8, 4, 11, 9, 11])[1 + k % 6]::smallint,
                (select min(id) from providers) + (k % 8), 'Bandung', d.starts_on, d.starts_on + 2,
                (array[40, 24, 16, 32, 8, 32])[1 + k % 6], 2500000, 5000000, y, u.id, 20,
                case when d.starts_on + 2 < $2::date then 'completed' when d.starts_on <= $2::date then 'running'
                     else 'open' end
         from units u cross join generate_series($1 - 2, $1) y cross join generate_series(1, 18) k
         cross join lateral (select make_date(y, 1 + (k * 7) % 12, 3 + (k * 5) % 24) as starts_on) d
         where u.code ~ '^SYN-[0-9]+$'",
        year,
        today,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into training_competencies (training_id, competency_id, target_level)
         select t.id, c.id, 3 from trainings t
         join lateral (select id from competencies where kind = 'teknis' order by abs(hashtext($1 || t.id::text || code)) limit 2) c on true
         where t.title like 'Pelatihan Sintetis %'",
        &seed,
    )
    .execute(&mut *tx)
    .await?;
    // Participants: nobody of the "nothing" tier, and of the "under the minimum" tier only short
    // ones, in the last twelve months. A training's staff are its dinas's subtree as a range of
    // paths (the paths' index), and the tables are analysed first: without statistics of what this
    // transaction loaded, the planner reads every employee once per training.
    analyze_loaded(&mut *tx).await?;
    with_tier!(
        ["insert into training_participants (training_id, employee_id, status)
         select t.id, e.id,
                case when t.status <> 'completed' then 'approved'
                     when abs(hashtext($1 || 'res' || e.id::text || t.id::text)) % 100 < 88 then 'passed'
                     when abs(hashtext($1 || 'res' || e.id::text || t.id::text)) % 2 = 0 then 'failed' else 'absent' end
         from trainings t join units bu on bu.id = t.budget_unit_id
         join lateral (select e.id from employees e join units u on u.id = e.unit_id cross join lateral "],
        [" tier
                       where u.path ~>=~ bu.path and u.path ~<~ (left(bu.path, -1) || '0') and e.active
                         and (t.ends_on <= $2::date - 365 or t.ends_on >= $2::date or tier.tier >= 2
                              or (tier.tier = 1 and t.jp <= 8))
                       order by abs(hashtext($1 || e.id::text || t.id::text)) limit 20) e on true
         where t.title like 'Pelatihan Sintetis %'"],
        &seed,
        today,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into training_evaluations (participant_id, relevance, method, trainer, usefulness)
         select tp.id, 2 + abs(hashtext($1 || tp.id)) % 4, 2 + abs(hashtext($1 || 'm' || tp.id)) % 4,
                2 + abs(hashtext($1 || 't' || tp.id)) % 4, 2 + abs(hashtext($1 || 'u' || tp.id)) % 4
         from training_participants tp join trainings t on t.id = tp.training_id
         where t.title like 'Pelatihan Sintetis %' and tp.status = 'passed'",
        &seed
    )
    .execute(&mut *tx)
    .await?;
    // Mentoring: one in ten employees (not of the "nothing" tier) learns from the first colleague
    // of their seksi.
    with_tier!(
        ["insert into activities (kind, mentor_id, competency_id, held_on, minutes, topic, status)
         select 'mentoring', m.mentor, (select min(id) from competencies where kind = 'teknis'),
                $2::date - (1 + abs(hashtext($1 || e.id::text)) % 300), 90, 'Mentoring sintetis #' || e.id, 'confirmed'
         from employees e join units u on u.id = e.unit_id cross join lateral "],
        [" tier
         join lateral (select min(x.id) as mentor from employees x where x.unit_id = e.unit_id and x.id <> e.id) m on m.mentor is not null
         where u.code like 'SYN-%' and abs(hashtext($1 || 'mentee' || e.id::text)) % 10 = 0 and tier.tier > 0"],
        &seed,
        today,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into activity_learners (activity_id, employee_id)
         select id, substring(topic from '#([0-9]+)$')::bigint from activities where topic like 'Mentoring sintetis #%'",
    )
    .execute(&mut *tx)
    .await?;
    // What each employee still lacks for their year's figure (`with_need!`), made up by the seksi's
    // komunitas belajar (ten monthly meetings of 2 JP) and, beyond 20 JP, by e-learning days of 4 JP.
    sqlx::query!(
        "insert into activities (kind, competency_id, held_on, minutes, topic, status)
         select 'komunitas_belajar', (select min(id) from competencies where kind = 'teknis'),
                $1::date - (14 + 30 * m + u.id % 10)::int, 90, 'Komunitas belajar sintetis ' || u.code || ' #' || m, 'confirmed'
         from units u cross join generate_series(0, 9) m where u.code ~ '^SYN-[0-9]+-B[0-9]+-S[0-9]+$'",
        today,
    )
    .execute(&mut *tx)
    .await?;
    analyze_loaded(&mut *tx).await?;
    with_need!(
        ["
         insert into activity_learners (activity_id, employee_id)
         select a.id, n.id from synthetic_need n cross join generate_series(0, 9) m
         join activities a on a.topic = 'Komunitas belajar sintetis ' || n.code || ' #' || m
         where m < least(10, (n.need + 1) / 2)"],
        &seed,
        today,
    )
    .execute(&mut *tx)
    .await?;
    with_need!(
        ["
         insert into activities (kind, competency_id, held_on, minutes, topic, status)
         select 'e_learning', (select min(id) from competencies where kind = 'teknis'),
                $2::date - (1 + (abs(hashtext($1 || 'el' || n.id)) + g * 17) % 330)::int, 180, 'E-learning sintetis #' || n.id,
                'confirmed'
         from synthetic_need n cross join generate_series(1, 20) g where g <= (n.need - 20 + 3) / 4"],
        &seed,
        today,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into activity_learners (activity_id, employee_id)
         select id, substring(topic from '#([0-9]+)$')::bigint from activities where topic like 'E-learning sintetis #%'",
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Statistics of what this transaction has loaded so far (ANALYZE counts its own rows): without
/// them the planner takes the new tables for empty and joins them row by row, which at 100 000
/// staff stalled the seed for many minutes (a training's staff, each employee's year, each
/// seksi's meetings by topic).
async fn analyze_loaded(tx: &mut sqlx::PgConnection) -> sqlx::Result<()> {
    sqlx::query!("analyze units, employees, trainings, training_participants, activities, activity_learners")
        .execute(tx)
        .await
        .map(|_| ())
}
