//! What next year's plan chooses from in each synthetic dinas: scheduled trainings and a
//! programme catalogue.

/// What next year's plan chooses from: twenty trainings already scheduled for next year in each
/// synthetic dinas (Rp1–7,5 juta a seat, some with a fixed cost, 10–30 seats, two competencies
/// each to level 3 or 4) and a catalogue of 48 programmes offered this year to two years ahead
/// (paid classes of Rp0–24 juta plus Rp0–6 juta a head, minimum 5–15 and maximum 20–30
/// participants; every sixth a free national scheme with no minimum), 1–3 competencies each.
/// Realistic instances: the plan has real choices, classes to fill and money to weigh.
pub(super) async fn next_year(tx: &mut sqlx::PgConnection, year: i32, seed: &str) -> anyhow::Result<()> {
    sqlx::query!(
        "insert into trainings (title, form, jenis_diklat, provider_id, place, starts_on, ends_on, jp, cost_per_participant,
                                fixed_cost, budget_year, budget_unit_id, quota, status)
         select 'Pelatihan Terjadwal ' || u.code || '-' || ($1 + 1) || '-' || k,
                (array['teknis', 'bimtek', 'workshop', 'kursus', 'sertifikasi'])[1 + k % 5],
                (array[3, 8, 4, 11, 11])[1 + k % 5]::smallint,
                (select min(id) from providers) + (k % 8), 'Bandung', d.starts_on, d.starts_on + 2,
                (array[40, 24, 16, 32, 32])[1 + k % 5],
                1000000 + 500000 * (abs(hashtext($2 || 'tc' || u.code || k)) % 14),
                case when k % 3 = 0 then 2500000 * (1 + abs(hashtext($2 || 'tf' || u.code || k)) % 4) else 0 end,
                $1 + 1, u.id, 10 + 5 * (abs(hashtext($2 || 'tq' || u.code || k)) % 5), 'planned'
         from units u cross join generate_series(1, 20) k
         cross join lateral (select make_date($1 + 1, 1 + (k * 7) % 12, 3 + (k * 5) % 24) as starts_on) d
         where u.code ~ '^SYN-[0-9]+$'",
        year,
        seed,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into training_competencies (training_id, competency_id, target_level)
         select t.id, c.id, 3 + abs(hashtext($1 || 'tl' || t.id::text || c.code)) % 2 from trainings t
         join lateral (select id, code from competencies where kind = 'teknis' order by abs(hashtext($1 || t.id::text || code)) limit 2) c on true
         where t.title like 'Pelatihan Terjadwal %'",
        seed,
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into programmes (code, title, provider_id, scheme, form, jenis_diklat, jp, days, cost_per_participant,
                                 cost_per_class, min_class, max_class, offered_from, offered_to)
         select 'SYN-P' || k, 'Program Sintetis ' || k, (select min(id) from providers) + (k % 8),
                case when k % 6 = 0 then 'national_free' else 'paid' end,
                (array['teknis', 'bimtek', 'kursus', 'sertifikasi', 'e_learning', 'workshop'])[1 + k % 6],
                (array[3, 8, 11, 11, 14, 4])[1 + k % 6]::smallint,
                (array[40, 24, 32, 40, 20, 16])[1 + k % 6], 2 + k % 4,
                case when k % 6 = 0 then 0 else 500000 * (abs(hashtext($2 || 'pc' || k)) % 13) end,
                case when k % 6 = 0 then 0 else 2000000 * (abs(hashtext($2 || 'pk' || k)) % 13) end,
                case when k % 6 = 0 then 1 else 5 + abs(hashtext($2 || 'pm' || k)) % 11 end,
                case when k % 6 = 0 then 50 else 20 + 5 * (abs(hashtext($2 || 'px' || k)) % 3) end,
                $1, $1 + 2
         from generate_series(1, 48) k
         on conflict (code) do nothing",
        year,
        seed
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into programme_competencies (programme_id, competency_id, target_level)
         select g.id, c.id, 3 + abs(hashtext($1 || 'gl' || g.id::text || c.code)) % 2 from programmes g
         join lateral (select id, code from competencies where kind = 'teknis'
                       order by abs(hashtext($1 || 'g' || g.id::text || code)) limit 1 + g.id % 3) c on true
         where g.code like 'SYN-P%'
         on conflict do nothing",
        seed
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
