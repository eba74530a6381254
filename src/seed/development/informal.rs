//! Informal learning: peer mentoring, komunitas belajar, e-learning and self-study that bring
//! each employee to their learning year, and the logs still waiting for a decision.

use super::*;

/// What informal learning adds: activities with their learners, and the assessments made after
/// mentoring (employee, competency, level, date, assessor).
#[derive(Default)]
pub(super) struct Informal {
    activities: Vec<Activity>,
    assessments: Vec<(i64, i64, i16, NaiveDate, Option<i64>)>,
}

impl Informal {
    /// A confirmed activity of one learner, logged by HR and confirmed by their head.
    #[expect(clippy::too_many_arguments, reason = "one activity's fields")]
    fn confirmed(
        &mut self,
        world: &World,
        s: &Staff,
        kind: &'static str,
        mentor: Option<i64>,
        competency: i64,
        ago: i64,
        minutes: i32,
        topic: String,
        report: String,
    ) -> usize {
        self.activities.push(Activity {
            kind,
            mentor,
            competency,
            held_on: world.days_ago(ago),
            minutes,
            topic,
            report,
            pending: false,
            logged_by: world.hr,
            decided_by: s.head.or(world.hr),
            learners: vec![s.id],
        });
        self.activities.len() - 1
    }
}

/// A day `lo..=hi` days ago that `used` does not hold yet (a few tries, then any).
pub(super) fn free_day(rng: &mut Rng, used: &mut HashSet<i64>, lo: i64, hi: i64) -> i64 {
    for _ in 0..20 {
        let d = rng.range(lo, hi);
        if used.insert(d) {
            return d;
        }
    }
    rng.range(lo, hi)
}

/// Informal learning in learning year `w` (0: the last twelve months): what each employee's
/// trainings left short of their year's figure comes from mentoring by a colleague who masters a
/// competency they lack, their unit's komunitas belajar, e-learning and self-study.
pub(super) fn informal(
    world: &World,
    rng: &mut Rng,
    w: usize,
    tiers: &[(Tier, f64)],
    formal: &[f64],
    out: &mut Informal,
) {
    // Days before the seed the year's sessions fall in (within the calendar year when the demo
    // is seeded late in it, as it is shown in December).
    let (lo, hi) = (1 + 365 * w as i64, 330 + 365 * w as i64);
    // The unit's komunitas belajar meets once a month: (unit, days ago) → its activity.
    let mut meetings: HashMap<(i64, i64), usize> = HashMap::new();
    // Experts of each unit: (unit, mentor, competency, mentees this year).
    let mut experts: Vec<(i64, i64, i64, usize)> = vec![];
    for s in &world.staff {
        for (c, _, technical) in world.standard.get(&s.id).into_iter().flatten() {
            if *technical && world.valid_level(s.id, *c).is_some_and(|l| l >= 4) {
                experts.push((s.unit_id, s.id, *c, 0));
            }
        }
    }
    let name = |c: i64| world.names.get(&c).cloned().unwrap_or_default();
    for (i, s) in world.staff.iter().enumerate() {
        let (tier, target) = tiers[i];
        let mut left = target - formal[i];
        if tier == Tier::None || left <= 0.0 {
            continue;
        }
        // What they learn: the technical competencies of their standard (any of it when none).
        let standard = world.standard.get(&s.id).map(Vec::as_slice).unwrap_or_default();
        let mut topics: Vec<i64> = standard.iter().filter(|c| c.2).map(|c| c.0).collect();
        if topics.is_empty() {
            topics = standard.iter().map(|c| c.0).collect();
        }
        if topics.is_empty() {
            continue;
        }
        let pick = |rng: &mut Rng| topics[rng.range(0, topics.len() as i64 - 1) as usize];
        // An internship for a few of the keen.
        if tier == Tier::High && left >= 18.0 && rng.range(0, 4) == 0 {
            let c = pick(rng);
            let topic = format!("Magang di Diskominfo Provinsi Jawa Barat: {}", name(c));
            out.confirmed(world, s, "magang", None, c, rng.range(lo + 30, hi), 4500, topic, String::new());
            left -= 20.0;
        }
        // Account holders log their own mentoring and self-study: those are left to them.
        let own_log = s.account.is_some();
        // Mentoring by a colleague of the unit who masters a competency they lack (at most three
        // mentees a year each), a session a month.
        let lacking = |c: i64| topics.contains(&c) && world.valid_level(s.id, c).unwrap_or(0) <= 2;
        let expert = experts.iter_mut().find(|x| x.0 == s.unit_id && x.1 != s.id && x.3 < 3 && lacking(x.2));
        if let (Some(x), true, false) = (expert, left >= 4.0, own_log) {
            x.3 += 1;
            let (mentor, c) = (x.1, x.2);
            let start = rng.range(lo + 70, hi);
            let mut last = start;
            for k in 0..((left / 2.0).ceil() as i64).min(3) {
                last = (start - k * 31 - rng.range(0, 5)).max(lo);
                let kind = if rng.range(0, 2) == 0 { "coaching" } else { "mentoring" };
                let minutes = 90 + 30 * rng.range(0, 1) as i32;
                out.confirmed(
                    world,
                    s,
                    kind,
                    Some(mentor),
                    c,
                    last,
                    minutes,
                    format!("Pendampingan {}", name(c)),
                    String::new(),
                );
                left -= 2.0;
            }
            // A third of this year's mentees were assessed after their sessions: one level up.
            if w == 0 && rng.range(0, 2) == 0 {
                let level = (world.valid_level(s.id, c).unwrap_or(1) + 1).min(5);
                let on = world.days_ago((last - rng.range(14, 30)).max(1));
                out.assessments.push((s.id, c, level, on, s.head.or(world.hr)));
            }
        }
        // The unit's komunitas belajar: some of its monthly meetings.
        if left >= 2.0 {
            let times = ((left / 2.0).ceil() as i64).min(rng.range(1, 4));
            let mut months: Vec<i64> = (0..10).collect();
            for k in 0..times {
                let m = months.remove(rng.range(0, 9 - k) as usize);
                let ago = lo + 13 + 30 * m + s.unit_id % 10;
                if let Some(&a) = meetings.get(&(s.unit_id, ago)) {
                    out.activities[a].learners.push(s.id);
                } else {
                    let c = pick(rng);
                    let topic = format!("Komunitas belajar {}: {}", s.unit_code, name(c));
                    let report = format!(
                        "Berbagi praktik {} di unit dan membahas kasus dari pekerjaan sehari-hari.",
                        name(c).to_lowercase()
                    );
                    let a = out.confirmed(world, s, "komunitas_belajar", None, c, ago, 90, topic, report);
                    meetings.insert((s.unit_id, ago), a);
                }
                left -= 2.0;
            }
        }
        // E-learning courses (4 JP a day) and self-study (2 JP a day) for the rest.
        let mut used: HashSet<i64> = HashSet::new();
        while left > 0.0 {
            let c = pick(rng);
            let ago = free_day(rng, &mut used, lo, hi);
            if own_log || (left >= 4.0 && rng.range(0, 2) == 0) {
                out.confirmed(
                    world,
                    s,
                    "e_learning",
                    None,
                    c,
                    ago,
                    180,
                    format!("E-learning ASN: {}", name(c)),
                    String::new(),
                );
                left -= 4.0;
            } else {
                let report = format!(
                    "Mempelajari modul daring dan dokumentasi resmi tentang {}, lalu mencoba latihan di lingkungan uji.",
                    name(c).to_lowercase()
                );
                out.confirmed(
                    world,
                    s,
                    "belajar_mandiri",
                    None,
                    c,
                    ago,
                    120,
                    format!("Belajar mandiri: {}", name(c)),
                    report,
                );
                left -= 2.0;
            }
        }
    }
}

/// Self-study and mentoring logged over the last six weeks that wait for the learner's head, in
/// every bidang (Aplikasi Informatika's head has several).
pub(super) fn waiting_activities(world: &World, rng: &mut Rng, out: &mut Informal) {
    let mut picked: Vec<&Staff> =
        world.staff.iter().filter(|s| s.account.is_none() && s.unit_code.starts_with("APT-")).take(4).collect();
    for s in world.staff.iter().filter(|s| s.account.is_none() && !s.unit_code.starts_with("APT")) {
        if rng.range(0, 8) == 0 {
            picked.push(s);
        }
    }
    for (n, s) in picked.into_iter().enumerate() {
        let Some(&(c, _, _)) = world.standard.get(&s.id).and_then(|cs| cs.iter().find(|c| c.2)) else { continue };
        let name = world.names.get(&c).cloned().unwrap_or_default();
        let mentor = world
            .staff
            .iter()
            .find(|m| m.unit_id == s.unit_id && m.id != s.id && world.valid_level(m.id, c).is_some_and(|l| l >= 4))
            .map(|m| m.id)
            .filter(|_| n % 2 == 0);
        let (kind, topic, report) = match mentor {
            Some(_) => ("mentoring", format!("Pendampingan {name}"), String::new()),
            None => (
                "belajar_mandiri",
                format!("Belajar mandiri: {name}"),
                format!("Mengikuti kursus daring tentang {} dan merangkum materinya untuk tim.", name.to_lowercase()),
            ),
        };
        out.activities.push(Activity {
            kind,
            mentor,
            competency: c,
            held_on: world.days_ago(rng.range(2, 42)),
            minutes: 120,
            topic,
            report,
            pending: true,
            logged_by: world.hr,
            decided_by: None,
            learners: vec![s.id],
        });
    }
}

/// The activities and their learners in a few statements (ids taken from the sequence first),
/// and the assessments after mentoring.
pub(super) async fn insert_informal(conn: &mut PgConnection, informal: &Informal) -> anyhow::Result<()> {
    let all = &informal.activities;
    let ids: Vec<i64> = sqlx::query_scalar!(
        r#"select nextval(pg_get_serial_sequence('activities', 'id')) as "id!" from generate_series(1, $1)"#,
        all.len() as i64
    )
    .fetch_all(&mut *conn)
    .await?;
    let kinds: Vec<&str> = all.iter().map(|a| a.kind).collect();
    let topics: Vec<&str> = all.iter().map(|a| a.topic.as_str()).collect();
    let reports: Vec<&str> = all.iter().map(|a| a.report.as_str()).collect();
    let mentors: Vec<Option<i64>> = all.iter().map(|a| a.mentor).collect();
    let comps: Vec<i64> = all.iter().map(|a| a.competency).collect();
    let held: Vec<NaiveDate> = all.iter().map(|a| a.held_on).collect();
    let minutes: Vec<i32> = all.iter().map(|a| a.minutes).collect();
    let pending: Vec<bool> = all.iter().map(|a| a.pending).collect();
    let logged: Vec<Option<i64>> = all.iter().map(|a| a.logged_by).collect();
    let decided: Vec<Option<i64>> = all.iter().map(|a| a.decided_by).collect();
    sqlx::query!(
        "insert into activities (id, kind, mentor_id, competency_id, target_level, held_on, minutes, topic, notes, outcome, report,
                                 status, logged_by, decided_by, decided_at, created_at)
         overriding system value
         select id, kind, mentor, comp, case when kind in ('coaching', 'mentoring') then 3 end, held, minutes, topic,
                case when kind in ('coaching', 'mentoring') then 'Sesi praktik langsung pada pekerjaan sehari-hari.' else '' end,
                case when kind in ('coaching', 'mentoring') and not pending
                     then 'Peserta dapat mengerjakan tugas dengan pendampingan minimal.' else '' end,
                report, case when pending then 'pending' else 'confirmed' end, logged, case when not pending then decided end,
                case when not pending then
                  least(now(), (held + 1 + abs(hashtext(id::text)) % 5 + time '10:00') at time zone 'Asia/Jakarta') end,
                (held + time '15:00' + make_interval(mins => abs(hashtext(id::text || 'c')) % 120)) at time zone 'Asia/Jakarta'
         from unnest($1::bigint[], $2::text[], $3::bigint[], $4::bigint[], $5::date[], $6::int[], $7::text[], $8::text[],
                     $9::bool[], $10::bigint[], $11::bigint[])
           as t(id, kind, mentor, comp, held, minutes, topic, report, pending, logged, decided)",
        &ids,
        &kinds as &[&str],
        &mentors as &[Option<i64>],
        &comps,
        &held,
        &minutes,
        &topics as &[&str],
        &reports as &[&str],
        &pending,
        &logged as &[Option<i64>],
        &decided as &[Option<i64>],
    )
    .execute(&mut *conn)
    .await?;
    let (mut l_act, mut l_emp) = (vec![], vec![]);
    for (a, id) in all.iter().zip(&ids) {
        for e in &a.learners {
            l_act.push(*id);
            l_emp.push(*e);
        }
    }
    sqlx::query!(
        "insert into activity_learners (activity_id, employee_id) select * from unnest($1::bigint[], $2::bigint[])",
        &l_act,
        &l_emp
    )
    .execute(&mut *conn)
    .await?;
    let a = &informal.assessments;
    sqlx::query!(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_account_id, assessor_name, note,
                                  status, validated_at, created_at)
         select e, c, l, d, 'supervisor', a, 'Atasan langsung', 'Penilaian setelah mentoring', 'validated',
                (d + time '11:00') at time zone 'Asia/Jakarta', (d + time '11:00') at time zone 'Asia/Jakarta'
         from unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::date[], $5::bigint[]) as t(e, c, l, d, a)",
        &a.iter().map(|x| x.0).collect::<Vec<_>>(),
        &a.iter().map(|x| x.1).collect::<Vec<_>>(),
        &a.iter().map(|x| x.2).collect::<Vec<_>>(),
        &a.iter().map(|x| x.3).collect::<Vec<_>>(),
        &a.iter().map(|x| x.4).collect::<Vec<_>>() as &[Option<i64>],
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
