//! The demo's talent management: last year's SKP ratings for everyone (spread so that all nine
//! boxes hold people, most in the middle), an IDP for every employee of Bidang Aplikasi made from
//! their gaps exactly as the head's button makes it (two in three approved, started three months
//! ago so the records since count; some mentoring logged on them), key positions (the seksi heads
//! of Bidang Aplikasi and Infrastruktur) and a template for the Pranata Komputer Ahli Pertama.

use chrono::{Datelike as _, Duration, NaiveDate};
use sqlx::PgConnection;

use crate::idp::routes::{Made, make};

pub async fn seed(conn: &mut PgConnection) -> anyhow::Result<()> {
    let today: NaiveDate = sqlx::query_scalar!(r#"select agency_today() as "today!""#).fetch_one(&mut *conn).await?;
    let year = today.year() - 1;
    // Ratings: within each potential band (which does not depend on the rating), a repeating
    // pattern of performance — one in five low, three in five middle, one in five high — so every
    // box is reached and the middle holds most.
    sqlx::query!(
        "with t as (select employee_id, pot_band,
                           row_number() over (partition by pot_band order by employee_id) as rn
                    from talent_placements($1)),
         pick as (select employee_id,
                         (array['as_expected','above','as_expected','below','as_expected','above','as_expected','as_expected','above','as_expected'])[(rn % 10) + 1] as hk,
                         (array['as_expected','as_expected','above','as_expected','below','above','as_expected','above','as_expected','as_expected'])[(rn % 10) + 1] as pk
                  from t)
         insert into performance_ratings (employee_id, year, hasil_kerja, perilaku_kerja, predicate, source)
         select employee_id, $1, hk, pk,
                case when hk = 'below' and pk = 'below' then 'sangat_kurang' when pk = 'below' then 'kurang'
                     when hk = 'below' then 'butuh_perbaikan' when hk = 'above' and pk = 'above' then 'sangat_baik'
                     else 'baik' end, 'import'
         from pick",
        year,
    )
    .execute(&mut *conn)
    .await?;

    // Key positions: the seksi heads of the two technical bidang.
    sqlx::query!(
        "update positions p set is_key = true from units u
         where u.id = p.unit_id and p.is_unit_head and u.kind = 'seksi'
           and exists (select 1 from units b where b.code in ('APT', 'INF') and u.path like b.path || '%')",
    )
    .execute(&mut *conn)
    .await?;

    // IDPs for Bidang Aplikasi, made as the head makes them.
    let head: Option<i64> = sqlx::query_scalar!("select id from accounts where username = 'kabid.aptika'")
        .fetch_optional(&mut *conn)
        .await?;
    let staff: Vec<i64> = sqlx::query_scalar!(
        "select e.id from employees e join units u on u.id = e.unit_id
         where e.active and u.path like (select path from units where code = 'APT') || '%'
         order by e.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let start = today - Duration::days(90);
    for (i, id) in staff.iter().enumerate() {
        let Made::Made { idp, .. } = make(conn, *id, today, head).await? else { continue };
        sqlx::query!("update idps set starts_on = $2 where id = $1", idp, start).execute(&mut *conn).await?;
        if i % 3 != 2 {
            sqlx::query!(
                "update idps set status = 'approved', approved_by = $2, approved_at = now() - interval '80 days' where id = $1",
                idp,
                head,
            )
            .execute(&mut *conn)
            .await?;
        }
        // Every other approved IDP: two confirmed sessions with the mentor of its first mentored line.
        if i % 2 == 0 && i % 3 != 2 {
            sqlx::query!(
                "with l as (select competency_id, mentor_id from idp_lines where idp_id = $1 and route = 'mentor'
                            order by competency_id limit 1),
                 a as (insert into activities (kind, mentor_id, competency_id, held_on, minutes, topic, status, decided_by, decided_at)
                       select 'mentoring', l.mentor_id, l.competency_id, $3::date - d, 90, 'Pendampingan rencana pengembangan',
                              'confirmed', $4, now()
                       from l, unnest(array[40, 12]) as d returning id)
                 insert into activity_learners (activity_id, employee_id) select id, $2 from a",
                idp,
                id,
                today,
                head,
            )
            .execute(&mut *conn)
            .await?;
        }
    }

    // A template for the Pranata Komputer Ahli Pertama: the two technical competencies most
    // often short among them, at the standard's level.
    sqlx::query!(
        "insert into idp_templates (position_id, competency_id, goal_level, route, months, expected_jp)
         select ps.position_id, ps.competency_id, ps.required_level, 'self_study', 9, 8
         from position_standards ps join positions p on p.id = ps.position_id
         join competencies c on c.id = ps.competency_id
         where p.name = 'Pranata Komputer Ahli Pertama' and c.kind = 'teknis'
         order by (select count(*) from requirement_gaps g where g.position_id = ps.position_id
                   and g.competency_id = ps.competency_id and g.gap > 0) desc, c.code
         limit 2
         on conflict do nothing",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
