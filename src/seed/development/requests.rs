//! The demo's training requests: waiting for the head, approved and rejected.

use super::*;

/// Training requests for named gaps across the department: waiting for the head (asked over the
/// last six weeks), approved (for HR to schedule) and rejected (months ago).
pub(super) async fn requests(conn: &mut PgConnection, world: &World, rng: &mut Rng) -> anyhow::Result<()> {
    let (mut r_emp, mut r_comp, mut r_level, mut r_status, mut r_by, mut r_decider, mut r_created) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut per_unit: HashMap<&str, usize> = HashMap::new();
    for s in &world.staff {
        let bidang = s.unit_code.split('-').next().unwrap_or("");
        let wanted = if bidang == "APT" { 6 } else { 2 };
        if per_unit.get(bidang).copied().unwrap_or(0) >= wanted || rng.range(0, 2) > 0 {
            continue;
        }
        let gap = world.standard.get(&s.id).and_then(|cs| {
            cs.iter().find(|(c, required, technical)| {
                *technical && world.valid_level(s.id, *c).is_some_and(|l| l < *required)
            })
        });
        let Some(&(c, required, _)) = gap else { continue };
        let n = per_unit.entry(bidang).or_default();
        *n += 1;
        let (status, ago) = match r_emp.len() % 4 {
            0 => ("approved", rng.range(60, 150)),
            1 => ("rejected", rng.range(60, 150)),
            _ => ("pending", rng.range(1, 42)),
        };
        r_emp.push(s.id);
        r_comp.push(c);
        r_level.push(required);
        r_status.push(status);
        r_by.push(s.account);
        r_decider.push(s.head.or(world.hr));
        r_created.push(world.days_ago(ago));
    }
    sqlx::query!(
        "insert into training_requests (employee_id, competency_id, target_level, reason, requested_by, status, decided_by, decided_at,
                                        decision_reason, created_at)
         select r.e, r.c, r.l, 'Kesenjangan pada ' || c.name_id || ' menghambat tugas; mohon diikutkan pelatihan tahun ini.',
                r.b, r.s, case when r.s <> 'pending' then r.d end,
                case when r.s <> 'pending' then (r.at + 6 + time '10:00') at time zone 'Asia/Jakarta' end,
                case when r.s = 'rejected' then 'Dapat ditutup melalui mentoring oleh rekan di unit.' else '' end,
                (r.at + time '09:15' + make_interval(mins => abs(hashtext(r.e::text || r.c::text)) % 400)) at time zone 'Asia/Jakarta'
         from unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::text[], $5::bigint[], $6::bigint[], $7::date[])
           as r(e, c, l, s, b, d, at)
         join competencies c on c.id = r.c",
        &r_emp,
        &r_comp,
        &r_level,
        &r_status as &[&str],
        &r_by as &[Option<i64>],
        &r_decider as &[Option<i64>],
        &r_created,
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
