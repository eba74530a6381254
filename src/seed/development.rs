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

/// (name, kind, contact, e-mail, quality of its trainings 1–5 for the demo evaluations)
const PROVIDERS: &[(&str, &str, &str, &str, i16)] = &[
    (
        "BPSDM Provinsi Jawa Barat",
        "lan_bpsdm",
        "Bidang Pengembangan Kompetensi Teknis",
        "diklat@bpsdm.jabarprov.go.id",
        4,
    ),
    ("Lembaga Administrasi Negara (LAN Corpu)", "lan_bpsdm", "Pusat Pembelajaran ASN", "corpu@lan.go.id", 3),
    ("BPSDMP Kominfo Bandung", "ministry", "Seksi Penyelenggaraan Pelatihan", "pelatihan@bpsdmpkominfo.go.id", 4),
    ("Badan Siber dan Sandi Negara", "ministry", "Direktorat Pengembangan SDM", "sdm@bssn.go.id", 5),
    ("Universitas Padjadjaran — Pusat Studi TIK", "university", "Dr. Rina Kusumawati", "pusat.tik@unpad.ac.id", 4),
    ("PT Mitra Solusi Data Nusantara", "vendor", "Hendra Gunawan", "training@mitrasolusi.co.id", 3),
    (
        "Asosiasi Keamanan Informasi Indonesia",
        "professional_body",
        "Sekretariat Sertifikasi",
        "sertifikasi@aksi.or.id",
        4,
    ),
    ("CV Jaringan Prima Bandung", "vendor", "Agus Setiawan", "admin@jaringanprima.co.id", 2),
    ("Badan Pusat Statistik Kabupaten Bandung", "other", "Fungsi Diseminasi Statistik", "bps3204@bps.go.id", 4),
];

/// A training run each year: (title, form, jenisDiklatId, provider index, JP, cost per participant,
/// fixed cost, quota, budget unit code, [(competency code, target level)], month, day).
type Template = (
    &'static str,
    &'static str,
    i16,
    usize,
    f64,
    i64,
    i64,
    usize,
    &'static str,
    &'static [(&'static str, i16)],
    u32,
    u32,
);

const TRAININGS: &[Template] = &[
    (
        "Sosialisasi Tata Kelola TIK",
        "sosialisasi",
        7,
        2,
        8.0,
        0,
        3_000_000,
        20,
        "DKIS",
        &[("TKL-01", 2), ("TKL-02", 2)],
        1,
        27,
    ),
    (
        "Workshop Arsitektur SPBE Kabupaten",
        "workshop",
        4,
        2,
        16.0,
        0,
        12_000_000,
        12,
        "DKIS",
        &[("SPB-01", 3), ("SPB-02", 2)],
        2,
        17,
    ),
    (
        "Pelatihan Administrasi Jaringan Komputer",
        "teknis",
        3,
        7,
        40.0,
        4_500_000,
        0,
        6,
        "INF",
        &[("INF-01", 3), ("INF-02", 3)],
        3,
        9,
    ),
    (
        "Bimtek Pengelolaan Website dan Media Sosial Pemerintah",
        "bimtek",
        8,
        2,
        24.0,
        1_000_000,
        0,
        8,
        "IKP",
        &[("KOM-02", 3), ("KOM-03", 2)],
        3,
        23,
    ),
    ("E-learning Dasar Pengelolaan Data", "e_learning", 16, 1, 20.0, 0, 0, 14, "DKIS", &[("DAT-02", 2)], 4, 14),
    ("Pelatihan Penanganan Insiden Siber (CSIRT)", "teknis", 3, 3, 40.0, 0, 0, 4, "PKI", &[("SEC-02", 3)], 4, 21),
    (
        "Bimtek Pengembangan Aplikasi Web yang Aman",
        "bimtek",
        8,
        0,
        24.0,
        1_500_000,
        6_000_000,
        10,
        "APT",
        &[("APL-01", 3), ("APL-03", 3)],
        5,
        19,
    ),
    ("Pelatihan Kepemimpinan Pengawas", "struktural", 1, 0, 100.0, 11_000_000, 0, 2, "DKIS", &[("MNJ-01", 3)], 6, 2),
    ("Kursus Administrasi Server Linux", "kursus", 11, 5, 32.0, 5_000_000, 0, 4, "INF", &[("INF-02", 3)], 6, 16),
    (
        "Pelatihan Basis Data dan Analitik Data",
        "teknis",
        3,
        4,
        40.0,
        3_500_000,
        0,
        6,
        "STA",
        &[("DAT-01", 3), ("DAT-04", 3)],
        7,
        7,
    ),
    (
        "Pelatihan Pelayanan Publik Prima",
        "manajerial",
        5,
        0,
        24.0,
        1_200_000,
        0,
        10,
        "SEK",
        &[("MNJ-05", 2), ("MNJ-03", 2)],
        7,
        21,
    ),
    (
        "Pelatihan Komunikasi Publik Digital",
        "teknis",
        3,
        4,
        32.0,
        3_000_000,
        0,
        6,
        "IKP",
        &[("KOM-02", 3), ("KOM-03", 3)],
        8,
        11,
    ),
    (
        "Pelatihan Fungsional Pranata Komputer",
        "fungsional",
        2,
        2,
        60.0,
        4_000_000,
        0,
        3,
        "DKIS",
        &[("APL-03", 2), ("INF-04", 2)],
        8,
        25,
    ),
    (
        "Bimtek Statistik Sektoral dan Satu Data",
        "bimtek",
        8,
        8,
        24.0,
        0,
        4_000_000,
        8,
        "STA",
        &[("DAT-03", 3), ("DAT-02", 2)],
        9,
        2,
    ),
    (
        "Sertifikasi Manajemen Keamanan Informasi",
        "sertifikasi",
        11,
        6,
        32.0,
        7_500_000,
        0,
        4,
        "PKI",
        &[("SEC-01", 3), ("SEC-02", 3)],
        9,
        14,
    ),
    (
        "Workshop Manajemen Risiko SPBE",
        "workshop",
        4,
        2,
        16.0,
        0,
        8_000_000,
        10,
        "APT",
        &[("TKL-01", 3), ("SPB-02", 2)],
        10,
        6,
    ),
    ("Seminar Keamanan Siber Pemerintah Daerah", "seminar", 9, 3, 8.0, 500_000, 0, 14, "PKI", &[("SEC-04", 2)], 10, 22),
    (
        "Kursus Virtualisasi dan Cloud Pusat Data",
        "kursus",
        11,
        5,
        40.0,
        6_000_000,
        0,
        4,
        "INF",
        &[("INF-03", 3)],
        11,
        3,
    ),
    (
        "Pelatihan Pengadaan Barang/Jasa Pemerintah",
        "teknis",
        3,
        0,
        32.0,
        2_000_000,
        0,
        4,
        "SEK",
        &[("TKL-03", 3)],
        11,
        24,
    ),
    ("Seminar Transformasi Digital Daerah", "seminar", 9, 4, 8.0, 250_000, 0, 14, "DKIS", &[("SPB-01", 2)], 12, 8),
    ("Pelatihan Uji Penetrasi Aplikasi", "teknis", 3, 6, 40.0, 6_500_000, 0, 3, "PKI", &[("SEC-04", 3)], 12, 14),
    (
        "Bimtek Integrasi Sistem dan Interoperabilitas",
        "bimtek",
        8,
        2,
        24.0,
        1_500_000,
        0,
        8,
        "APT",
        &[("APL-04", 3)],
        12,
        15,
    ),
];

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

#[derive(sqlx::FromRow)]
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
        let id: i64 = sqlx::query_scalar(
            "insert into providers (name, kind, contact_person, email) values ($1, $2, $3, $4) returning id",
        )
        .bind(name)
        .bind(kind)
        .bind(contact)
        .bind(email)
        .fetch_one(&mut *conn)
        .await?;
        provider_ids.push(id);
    }
    let today: NaiveDate = sqlx::query_scalar("select agency_today()").fetch_one(&mut *conn).await?;
    let year = today.year();
    // Budgets: the department pool, each bidang, the others smaller.
    sqlx::query(
        "insert into unit_budgets (year, unit_id, amount)
         select y, u.id, case u.kind when 'dinas' then 150000000 when 'bidang' then 70000000 else 20000000 end
         from units u cross join generate_series($1 - 2, $1) y where u.kind in ('dinas', 'bidang', 'sekretariat', 'upt')",
    )
    .bind(year)
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
    sqlx::query(
        "insert into training_participants (training_id, employee_id, status, nominated_by, decided_by, decided_at, created_at)
         select t, e, s, $6::bigint, case when d is not null then $6::bigint end,
                (d + time '10:00') at time zone 'Asia/Jakarta',
                (c + time '08:30' + make_interval(mins => (abs(hashtext(e::text || t::text)) % 420)::int)) at time zone 'Asia/Jakarta'
         from unnest($1::bigint[], $2::bigint[], $3::text[], $4::date[], $5::date[]) as p(t, e, s, d, c)",
    )
    .bind(&p_training)
    .bind(&p_employee)
    .bind(&p_status)
    .bind(&p_decided)
    .bind(&p_created)
    .bind(world.hr)
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
    let hr: Option<i64> =
        sqlx::query_scalar("select id from accounts where username = 'kepegawaian'").fetch_optional(&mut *conn).await?;
    let staff: Vec<Staff> = sqlx::query_as(
        "select e.id, e.unit_id, u.code as unit_code, u.path, coalesce(p.kind, '') as position_kind,
                (select a.id from accounts a where a.employee_id = e.id order by a.id limit 1) as account,
                coalesce((select r.account_id from account_roles r join units h on h.id = r.unit_id join accounts a on a.id = r.account_id
                          where r.role = 'head' and u.path like h.path || '%' and a.employee_id is distinct from e.id
                          order by length(h.path) desc limit 1), $1) as head
         from employees e join units u on u.id = e.unit_id left join positions p on p.id = e.position_id
         where e.active order by e.id",
    )
    .bind(hr)
    .fetch_all(&mut *conn)
    .await?;
    let rows: Vec<(i64, i64, i16, bool)> = sqlx::query_as(
        "select e.id, ps.competency_id, ps.required_level, c.kind = 'teknis'
         from employees e join position_standards ps on ps.position_id = e.position_id join competencies c on c.id = ps.competency_id
         order by e.id, ps.competency_id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut standard: HashMap<i64, Vec<(i64, i16, bool)>> = HashMap::new();
    for (e, c, l, t) in rows {
        standard.entry(e).or_default().push((c, l, t));
    }
    let rows: Vec<(i64, i64, i16, NaiveDate)> = sqlx::query_as(
        "select distinct on (employee_id, competency_id) employee_id, competency_id, level, assessed_on from assessments
         where status = 'validated' order by employee_id, competency_id, assessed_on desc, id desc",
    )
    .fetch_all(&mut *conn)
    .await?;
    let levels = rows.into_iter().map(|(e, c, l, d)| ((e, c), (l, d))).collect();
    let names =
        sqlx::query_as::<_, (i64, String)>("select id, name_id from competencies").fetch_all(&mut *conn).await?;
    Ok(World { today, hr, staff, standard, levels, names: names.into_iter().collect() })
}

/// The trainings of the last two years, this year and the first weeks of the next: each template
/// in its month, a few left out each year; the status follows the seed's day.
async fn trainings(conn: &mut PgConnection, world: &World, provider_ids: &[i64]) -> anyhow::Result<Vec<Training>> {
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
            let (id, path): (i64, String) = sqlx::query_as(
                "insert into trainings (title, form, jenis_diklat, provider_id, place, online, starts_on, ends_on, jp,
                                        cost_per_participant, fixed_cost, budget_year, budget_unit_id, budget_line, quota,
                                        status, created_at)
                 select $1, $2, $3, $4, case when $2 in ('e_learning', 'pjj') then '' else 'Bandung' end,
                        $2 in ('e_learning', 'seminar', 'pjj'), $5, $6, $7::float8::numeric, $8, $9, $10, u.id,
                        '5.02.01 Belanja Diklat', $11, $12, least(now(), ($5::date - 75 + time '09:00') at time zone 'Asia/Jakarta')
                 from units u where u.code = $13 returning id, (select path from units where code = $13)",
            )
            .bind(title)
            .bind(form)
            .bind(jenis)
            .bind(provider_ids[prov])
            .bind(starts_on)
            .bind(ends_on)
            .bind(jp)
            .bind(cpp)
            .bind(fixed)
            .bind(y)
            .bind(quota as i32)
            .bind(status)
            .bind(unit)
            .fetch_one(&mut *conn)
            .await?;
            for (code, level) in targets {
                sqlx::query(
                    "insert into training_competencies (training_id, competency_id, target_level)
                     select $1, id, $3 from competencies where code = $2",
                )
                .bind(id)
                .bind(code)
                .bind(level)
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
async fn results(conn: &mut PgConnection, today: NaiveDate, trainings: &[Training]) -> anyhow::Result<()> {
    let ids: Vec<i64> = trainings.iter().map(|t| t.id).collect();
    let quality: Vec<i32> = trainings.iter().map(|t| t.quality).collect();
    // Certificates for certification and courses (a certification is valid two years; some of
    // the oldest expire within the next months).
    sqlx::query(
        "update training_participants tp set certificate_no = 'SRT/' || extract(year from t.ends_on) || '/' || lpad(tp.id::text, 5, '0'),
                certificate_issued_on = t.ends_on,
                certificate_expires_on = case when t.form = 'sertifikasi' then
                  case when t.ends_on < $2::date - 600 then $2::date + (abs(hashtext(tp.id::text)) % 80) + 5
                       else t.ends_on + 730 end end,
                score = 70 + abs(hashtext(tp.id::text || 's')) % 30
         from trainings t where t.id = tp.training_id and t.id = any($1) and tp.status = 'passed'
           and t.form in ('sertifikasi', 'kursus', 'teknis', 'struktural', 'fungsional')",
    )
    .bind(&ids)
    .bind(today)
    .execute(&mut *conn)
    .await?;
    // Reaction, by the provider's quality with some spread.
    sqlx::query(
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
    )
    .bind(&ids)
    .bind(&quality)
    .execute(&mut *conn)
    .await?;
    // The three-month re-assessment: the level before the training, one level up after a pass for
    // most (more often with a better provider: 80 % at quality 5, 35 % at 2) but never past the
    // target, unchanged by a failure; one under the target for those never assessed before.
    sqlx::query(
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
    )
    .bind(&ids)
    .bind(&quality)
    .bind(today)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// What informal learning adds: activities with their learners, and the assessments made after
/// mentoring (employee, competency, level, date, assessor).
#[derive(Default)]
struct Informal {
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
fn free_day(rng: &mut Rng, used: &mut HashSet<i64>, lo: i64, hi: i64) -> i64 {
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
fn informal(world: &World, rng: &mut Rng, w: usize, tiers: &[(Tier, f64)], formal: &[f64], out: &mut Informal) {
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
fn waiting_activities(world: &World, rng: &mut Rng, out: &mut Informal) {
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
async fn insert_informal(conn: &mut PgConnection, informal: &Informal) -> anyhow::Result<()> {
    let all = &informal.activities;
    let ids: Vec<i64> =
        sqlx::query_scalar("select nextval(pg_get_serial_sequence('activities', 'id')) from generate_series(1, $1)")
            .bind(all.len() as i64)
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
    sqlx::query(
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
    )
    .bind(&ids)
    .bind(&kinds)
    .bind(&mentors)
    .bind(&comps)
    .bind(&held)
    .bind(&minutes)
    .bind(&topics)
    .bind(&reports)
    .bind(&pending)
    .bind(&logged)
    .bind(&decided)
    .execute(&mut *conn)
    .await?;
    let (mut l_act, mut l_emp) = (vec![], vec![]);
    for (a, id) in all.iter().zip(&ids) {
        for e in &a.learners {
            l_act.push(*id);
            l_emp.push(*e);
        }
    }
    sqlx::query(
        "insert into activity_learners (activity_id, employee_id) select * from unnest($1::bigint[], $2::bigint[])",
    )
    .bind(&l_act)
    .bind(&l_emp)
    .execute(&mut *conn)
    .await?;
    let a = &informal.assessments;
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_account_id, assessor_name, note,
                                  status, validated_at, created_at)
         select e, c, l, d, 'supervisor', a, 'Atasan langsung', 'Penilaian setelah mentoring', 'validated',
                (d + time '11:00') at time zone 'Asia/Jakarta', (d + time '11:00') at time zone 'Asia/Jakarta'
         from unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::date[], $5::bigint[]) as t(e, c, l, d, a)",
    )
    .bind(a.iter().map(|x| x.0).collect::<Vec<_>>())
    .bind(a.iter().map(|x| x.1).collect::<Vec<_>>())
    .bind(a.iter().map(|x| x.2).collect::<Vec<_>>())
    .bind(a.iter().map(|x| x.3).collect::<Vec<_>>())
    .bind(a.iter().map(|x| x.4).collect::<Vec<_>>())
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Training requests for named gaps across the department: waiting for the head (asked over the
/// last six weeks), approved (for HR to schedule) and rejected (months ago).
async fn requests(conn: &mut PgConnection, world: &World, rng: &mut Rng) -> anyhow::Result<()> {
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
    sqlx::query(
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
    )
    .bind(&r_emp)
    .bind(&r_comp)
    .bind(&r_level)
    .bind(&r_status)
    .bind(&r_by)
    .bind(&r_decider)
    .bind(&r_created)
    .execute(&mut *conn)
    .await?;
    Ok(())
}
