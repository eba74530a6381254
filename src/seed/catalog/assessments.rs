//! Assessment histories that leave some staff clearly under-skilled and a few clearly expert.

use super::*;

pub(super) struct Need {
    employee_id: i64,
    unit_code: String,
    competency_id: i64,
    required_level: i16,
    kind: String,
    unit_head_account: Option<i64>,
}

/// How a part of the department stands on its standards: the chance (percent) that a technical
/// requirement, and that a person's managerial round, was assessed within the validity period of
/// 24 months, and the weights of a person's skill against the standard (2 below, 1 below, at it,
/// above).
pub(super) struct Profile {
    technical: i64,
    managerial: i64,
    skill: [i64; 4],
    /// The chance (percent) that a managerial level falls one short of the tier's requirement.
    managerial_short: i64,
}

/// The bidang differ, so the gap analysis has something to tell apart: Infrastruktur is assessed
/// throughout and mostly meets its standard, Aplikasi Informatika is assessed and often falls
/// short, Statistik is mostly not assessed (or assessed too long ago), the rest in between.
pub(super) fn profile(unit_code: &str) -> Profile {
    match unit_code.split('-').next().unwrap_or("") {
        "INF" => Profile { technical: 96, managerial: 95, skill: [0, 10, 35, 55], managerial_short: 5 },
        "APT" => Profile { technical: 93, managerial: 92, skill: [55, 35, 10, 0], managerial_short: 55 },
        "STA" => Profile { technical: 8, managerial: 12, skill: [15, 20, 50, 15], managerial_short: 20 },
        "DKIS" => Profile { technical: 100, managerial: 100, skill: [0, 0, 60, 40], managerial_short: 0 },
        _ => Profile { technical: 76, managerial: 80, skill: [10, 20, 50, 20], managerial_short: 20 },
    }
}

/// One of `weights.len()` outcomes, by weight.
pub(super) fn weighted(rng: &mut Rng, weights: &[i64]) -> usize {
    let mut roll = rng.range(0, weights.iter().sum::<i64>() - 1);
    for (i, w) in weights.iter().enumerate() {
        if roll < *w {
            return i;
        }
        roll -= w;
    }
    weights.len() - 1
}

/// The rows to insert, column by column.
#[derive(Default)]
pub(super) struct Rows {
    emp: Vec<i64>,
    comp: Vec<i64>,
    level: Vec<i16>,
    date: Vec<NaiveDate>,
    minute: Vec<i32>,
    source: Vec<&'static str>,
    assessor: Vec<Option<i64>>,
    name: Vec<&'static str>,
    status: Vec<&'static str>,
}

impl Rows {
    #[expect(clippy::too_many_arguments, reason = "one row's columns")]
    fn push(
        &mut self,
        need: &Need,
        level: i16,
        date: NaiveDate,
        minute: i32,
        source: &'static str,
        assessor: Option<i64>,
        status: &'static str,
    ) {
        self.emp.push(need.employee_id);
        self.comp.push(need.competency_id);
        self.level.push(level.clamp(1, 5));
        self.date.push(date);
        self.minute.push(minute);
        self.source.push(source);
        self.assessor.push(assessor);
        self.name.push(match source {
            "certification" => "Lembaga Sertifikasi Profesi",
            "test" => "Uji kompetensi Diskominfo",
            "training" => "Penyelenggara pelatihan",
            "assessment_centre" => "Assessment center BKPSDM",
            _ => "",
        });
        self.status.push(status);
    }
}

/// Assessment histories relative to the day the demo is seeded: most requirements have a level
/// assessed within the last 24 months, some only an older one (no longer valid), some none;
/// managerial competencies come from assessment-centre rounds; a few self-assessments of the
/// last six weeks wait for the head.
pub(super) async fn seed_assessments(conn: &mut PgConnection) -> anyhow::Result<()> {
    let today: NaiveDate = sqlx::query_scalar!(r#"select agency_today() as "today!""#).fetch_one(&mut *conn).await?;
    let needs = sqlx::query_as!(
        Need,
        r#"select e.id as employee_id, u.code as unit_code, s.competency_id, s.required_level, c.kind,
                (select r.account_id from account_roles r join units h on h.id = r.unit_id
                  where r.role = 'head' and u.path like h.path || '%' and h.id <> e.unit_id
                  order by length(h.path) desc limit 1) as "unit_head_account?"
         from employees e
         join units u on u.id = e.unit_id
         join position_standards s on s.position_id = e.position_id
         join competencies c on c.id = s.competency_id
         order by e.id, c.kind <> 'teknis', s.competency_id"#,
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut rng = Rng::new(7_770_002);
    let days = |n: i64| today - chrono::Duration::days(n);
    // Assessment-centre rounds of the regency's BKPSDM (days before the seed), recent and expired.
    const ROUNDS: [i64; 6] = [45, 150, 265, 400, 530, 680];
    const EXPIRED_ROUNDS: [i64; 2] = [790, 1060];
    let mut rows = Rows::default();
    // Per employee: (id, skill offset, managerial round: days ago or none).
    let mut person: Option<(i64, i16, Option<i64>)> = None;
    for n in &needs {
        let (skill, round) = match person {
            Some((e, s, r)) if e == n.employee_id => (s, r),
            _ => {
                let p = profile(&n.unit_code);
                let skill = weighted(&mut rng, &p.skill) as i16 - 2;
                let round = if rng.range(0, 99) < p.managerial {
                    Some(rng.pick(&ROUNDS) + rng.range(0, 3))
                } else if rng.range(0, 1) == 0 {
                    Some(rng.pick(&EXPIRED_ROUNDS) + rng.range(0, 3))
                } else {
                    None
                };
                person = Some((n.employee_id, skill, round));
                (skill, round)
            }
        };
        if n.kind != "teknis" {
            // Managerial and socio-cultural: one level per round, close to the tier's requirement.
            let Some(ago) = round else { continue };
            let short = rng.range(0, 99) < profile(&n.unit_code).managerial_short;
            let level =
                if short { n.required_level - 1 } else { n.required_level + [0, 0, 0, 1][rng.range(0, 3) as usize] };
            rows.push(n, level, days(ago), 9 * 60, "assessment_centre", None, "validated");
            if ago < 700 && rng.range(0, 9) < 4 {
                rows.push(
                    n,
                    level - rng.range(0, 1) as i16,
                    days(ago + 900),
                    9 * 60,
                    "assessment_centre",
                    None,
                    "validated",
                );
            }
            continue;
        }
        let p = profile(&n.unit_code);
        let current = (n.required_level + skill + [-1, 0, 0, 1][rng.range(0, 3) as usize]).clamp(1, 5);
        // The latest assessment: within the validity period, long ago (expired), or none.
        let latest = if rng.range(0, 99) < p.technical {
            Some(rng.range(20, 700))
        } else if rng.range(0, 1) == 0 {
            Some(rng.range(760, 1300))
        } else {
            None
        };
        if let Some(latest) = latest {
            // Earlier assessments a year or so apart, each a level lower.
            let mut agos = vec![latest];
            for _ in 1..rng.range(1, 3) {
                agos.push(agos[agos.len() - 1] + rng.range(330, 420));
            }
            let mut level = (current - (agos.len() as i16 - 1)).max(1);
            for ago in agos.into_iter().rev() {
                let source = ["supervisor", "supervisor", "test", "certification", "training", "assessment_centre"]
                    [rng.range(0, 5) as usize];
                let assessor = if source == "supervisor" { n.unit_head_account } else { None };
                rows.push(n, level, days(ago), rng.range(8 * 60, 15 * 60) as i32, source, assessor, "validated");
                level = (level + 1).min(current);
            }
        }
        // A few self-assessments of the last six weeks wait for the head.
        if rng.range(0, 13) == 0 {
            let level = if latest.is_some_and(|d| d < 730) { current + 1 } else { n.required_level };
            rows.push(n, level, days(rng.range(1, 42)), rng.range(7 * 60, 21 * 60) as i32, "self", None, "pending");
        }
    }
    sqlx::query!(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_account_id, assessor_name, status,
                                  validated_at, created_at)
         select e, c, l, d, s, a, n, st,
                case when st = 'validated' then (d + make_interval(mins => m)) at time zone 'Asia/Jakarta' end,
                (d + make_interval(mins => m)) at time zone 'Asia/Jakarta'
         from unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::date[], $5::int[], $6::text[], $7::bigint[], $8::text[],
                     $9::text[]) as t(e, c, l, d, m, s, a, n, st)",
        &rows.emp,
        &rows.comp,
        &rows.level,
        &rows.date,
        &rows.minute,
        &rows.source as &[&str],
        &rows.assessor as &[Option<i64>],
        &rows.name as &[&str],
        &rows.status as &[&str],
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
