//! The demo's trainings from the templates, and after them certificates, evaluations and the
//! three-month re-assessments.

use super::*;

/// The trainings of the last two years, this year and the first weeks of the next: each template
/// in its month, a few left out each year; the status follows the seed's day.
pub(super) async fn trainings(
    conn: &mut PgConnection,
    world: &World,
    provider_ids: &[i64],
) -> anyhow::Result<Vec<Training>> {
    let year = world.today.year();
    let mut out = vec![];
    for off in [2, 1, 0, -1] {
        for (i, t) in TRAININGS.iter().enumerate() {
            let (title, form, jenis, prov, jp, cpp, fixed, quota, unit, targets, month, day) = *t;
            // Not every training runs every year; next year only its first two months are planned.
            if (i as i32 + off * 3).rem_euclid(9) == 4 || (off < 0 && month > 2) {
                continue;
            }
            let y = year - off;
            let starts_on =
                NaiveDate::from_ymd_opt(y, month, day).ok_or_else(|| anyhow::anyhow!("bad training date"))?;
            let ends_on = starts_on + Duration::days(((jp / 8.0).ceil() as i64).max(1) - 1);
            let status = if ends_on < world.today {
                "completed"
            } else if starts_on <= world.today {
                "running"
            } else if starts_on < world.today + Duration::days(60) {
                "open"
            } else {
                "planned"
            };
            let row = sqlx::query!(
                r#"insert into trainings (title, form, jenis_diklat, provider_id, place, online, starts_on, ends_on, jp,
                                        cost_per_participant, fixed_cost, budget_year, budget_unit_id, budget_line, quota,
                                        status, created_at)
                 select $1, $2, $3, $4, case when $2 in ('e_learning', 'pjj') then '' else 'Bandung' end,
                        $2 in ('e_learning', 'seminar', 'pjj'), $5, $6, $7::float8::numeric, $8, $9, $10, u.id,
                        '5.02.01 Belanja Diklat', $11, $12, least(now(), ($5::date - 75 + time '09:00') at time zone 'Asia/Jakarta')
                 from units u where u.code = $13 returning id, (select path from units where code = $13) as "path!""#,
                title,
                form,
                jenis,
                provider_ids[prov],
                starts_on,
                ends_on,
                jp,
                cpp,
                fixed,
                y,
                quota as i32,
                status,
                unit,
            )
            .fetch_one(&mut *conn)
            .await?;
            let (id, path) = (row.id, row.path);
            for (code, level) in targets {
                sqlx::query!(
                    "insert into training_competencies (training_id, competency_id, target_level)
                     select $1, id, $3 from competencies where code = $2",
                    id,
                    code,
                    level
                )
                .execute(&mut *conn)
                .await?;
            }
            let quality = i32::from(PROVIDERS[prov].4);
            out.push(Training { id, quality, starts_on, ends_on, status, jp, path, form, quota });
        }
    }
    out.sort_by_key(|t| (t.ends_on, t.id));
    Ok(out)
}

/// Certificates, evaluations, and the three-month re-assessments of those who took part: done for
/// most whose three months ended weeks ago (fewer in Statistik, where little is assessed), for
/// fewer of those whose three months ended lately, so the due list holds recent ones.
pub(super) async fn results(conn: &mut PgConnection, today: NaiveDate, trainings: &[Training]) -> anyhow::Result<()> {
    let ids: Vec<i64> = trainings.iter().map(|t| t.id).collect();
    let quality: Vec<i32> = trainings.iter().map(|t| t.quality).collect();
    // Certificates for certification and courses (a certification is valid two years; some of
    // the oldest expire within the next months).
    sqlx::query!(
        "update training_participants tp set certificate_no = 'SRT/' || extract(year from t.ends_on) || '/' || lpad(tp.id::text, 5, '0'),
                certificate_issued_on = t.ends_on,
                certificate_expires_on = case when t.form = 'sertifikasi' then
                  case when t.ends_on < $2::date - 600 then $2::date + (abs(hashtext(tp.id::text)) % 80) + 5
                       else t.ends_on + 730 end end,
                score = 70 + abs(hashtext(tp.id::text || 's')) % 30
         from trainings t where t.id = tp.training_id and t.id = any($1) and tp.status = 'passed'
           and t.form in ('sertifikasi', 'kursus', 'teknis', 'struktural', 'fungsional')",
        &ids,
        today,
    )
    .execute(&mut *conn)
    .await?;
    // Reaction, by the provider's quality with some spread.
    sqlx::query!(
        "insert into training_evaluations (participant_id, relevance, method, trainer, usefulness, comment, submitted_at)
         select tp.id, least(5, greatest(1, q.quality + (abs(hashtext(tp.id::text || 'r')) % 3) - 1)),
                least(5, greatest(1, q.quality + (abs(hashtext(tp.id::text || 'm')) % 3) - 1)),
                least(5, greatest(1, q.quality + (abs(hashtext(tp.id::text || 't')) % 2))),
                least(5, greatest(1, q.quality + (abs(hashtext(tp.id::text || 'u')) % 3) - 1)),
                case abs(hashtext(tp.id::text)) % 5 when 0 then 'Materi relevan, praktiknya perlu lebih banyak.'
                  when 1 then 'Narasumber menguasai materi.' else '' end,
                (t.ends_on + 2 + time '14:00') at time zone 'Asia/Jakarta'
         from unnest($1::bigint[], $2::int[]) as q(training_id, quality)
         join trainings t on t.id = q.training_id join training_participants tp on tp.training_id = t.id
         where t.status = 'completed' and tp.status in ('attended', 'passed', 'failed')
           and abs(hashtext(tp.id::text || 'e')) % 6 <> 0",
        &ids,
        &quality,
    )
    .execute(&mut *conn)
    .await?;
    // The three-month re-assessment: the level before the training, one level up after a pass for
    // most (more often with a better provider: 80 % at quality 5, 35 % at 2) but never past the
    // target, unchanged by a failure; one under the target for those never assessed before.
    sqlx::query!(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_name, note, status,
                                  validated_at, created_at)
         select x.employee_id, x.competency_id, x.level, x.on_date, 'supervisor', 'Atasan langsung',
                'Penilaian ulang 3 bulan setelah ' || x.title, 'validated', x.at, x.at
         from (
           select tp.employee_id, tc.competency_id, t.title, d.on_date,
                  (d.on_date + time '10:00' + make_interval(mins => h.h)) at time zone 'Asia/Jakarta' as at,
                  greatest(1, case when tp.status = 'passed' then
                    greatest(coalesce(b.level, 0), least(tc.target_level,
                      case when b.level is null then tc.target_level - 1
                           else b.level + (h.h % 20 < 3 * q.quality + 1)::int end))
                    else coalesce(b.level, 1) end)::smallint as level
           from unnest($1::bigint[], $2::int[]) as q(training_id, quality)
           join trainings t on t.id = q.training_id
           join training_participants tp on tp.training_id = t.id
           join training_competencies tc on tc.training_id = t.id
           join employees e on e.id = tp.employee_id join units u on u.id = e.unit_id
           cross join lateral (select abs(hashtext(tp.id::text || ':' || tc.competency_id::text)) % 100 as h) h
           cross join lateral (select least($3::date - 1, t.ends_on + 90 + h.h % 20) as on_date) d
           left join lateral (select a.level from assessments a
                              where a.employee_id = tp.employee_id and a.competency_id = tc.competency_id
                                and a.status = 'validated' and a.assessed_on < t.starts_on
                              order by a.assessed_on desc, a.id desc limit 1) b on true
           where t.status = 'completed' and tp.status in ('passed', 'failed') and t.ends_on + 90 <= $3::date
             and h.h < case when t.ends_on + 90 > $3::date - 42 then 40 when u.code like 'STA%' then 45 else 94 end
         ) x",
        &ids,
        &quality,
        today
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
