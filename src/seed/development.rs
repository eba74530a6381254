//! Demo development data: three years of trainings with real-looking providers and costs, unit
//! budgets, participants with results, certificates and evaluations, and the peer sessions in
//! which the department's few experts mentor their colleagues. Dates are relative to the day the
//! demo is seeded (so "this year" always has open trainings), choices are deterministic.

use chrono::Datelike as _;
use sqlx::PgConnection;

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
];

/// A training run each year: (title, form, jenisDiklatId, provider index, JP, cost per participant,
/// fixed cost, quota, budget unit code, [(competency code, target level)]).
type Template =
    (&'static str, &'static str, i16, usize, f64, i64, i64, i32, &'static str, &'static [(&'static str, i16)]);

const TRAININGS: &[Template] = &[
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
    ),
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
    ),
    (
        "Pelatihan Basis Data dan Analitik Data",
        "teknis",
        3,
        4,
        40.0,
        3_500_000,
        0,
        8,
        "STA",
        &[("DAT-01", 3), ("DAT-04", 3)],
    ),
    (
        "Workshop Arsitektur SPBE Kabupaten",
        "workshop",
        4,
        2,
        16.0,
        0,
        12_000_000,
        15,
        "DKIS",
        &[("SPB-01", 3), ("SPB-02", 2)],
    ),
    ("Pelatihan Kepemimpinan Pengawas", "struktural", 1, 0, 100.0, 11_000_000, 0, 2, "DKIS", &[("MNJ-01", 3)]),
    ("Seminar Keamanan Siber Pemerintah Daerah", "seminar", 9, 3, 8.0, 500_000, 0, 20, "PKI", &[("SEC-04", 2)]),
    ("E-learning Dasar Pengelolaan Data", "e_learning", 16, 1, 20.0, 0, 0, 30, "DKIS", &[("DAT-02", 2)]),
    (
        "Sosialisasi Tata Kelola TIK",
        "sosialisasi",
        7,
        2,
        8.0,
        0,
        3_000_000,
        25,
        "DKIS",
        &[("TKL-01", 2), ("TKL-02", 2)],
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
    ),
    ("Kursus Virtualisasi dan Cloud Pusat Data", "kursus", 11, 5, 40.0, 6_000_000, 0, 4, "INF", &[("INF-03", 3)]),
];

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
    let today: chrono::NaiveDate = sqlx::query_scalar("select current_date").fetch_one(&mut *conn).await?;
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
    let hr: Option<i64> =
        sqlx::query_scalar("select id from accounts where username = 'kepegawaian'").fetch_optional(&mut *conn).await?;
    for (off, y) in [(2, year - 2), (1, year - 1), (0, year)] {
        for (i, t) in TRAININGS.iter().enumerate() {
            if (i + off) % 4 == 3 {
                continue;
            }
            let (title, form, jenis, prov, jp, cpp, fixed, quota, unit, targets) = *t;
            // Earlier years: spread over February–November. This year: from four months ago to
            // three months ahead, so some run now and some are still open or planned.
            let starts_on = if off > 0 {
                let month = 2 + ((i * 7 + off * 3) % 10) as u32;
                let day = 3 + ((i * 5 + off) % 20) as u32;
                chrono::NaiveDate::from_ymd_opt(y, month, day).unwrap_or(today)
            } else {
                today + chrono::Duration::days((i as i64 - 6) * 20)
            };
            let days = ((jp / 8.0).ceil() as i64).max(1) - 1;
            let id: i64 = sqlx::query_scalar(
                "insert into trainings (title, form, jenis_diklat, provider_id, place, online, starts_on, ends_on, jp,
                                        cost_per_participant, fixed_cost, budget_year, budget_unit_id, budget_line, quota, status)
                 select $1, $2, $3, $4, case when $2 in ('e_learning') then '' else 'Bandung' end, $2 in ('e_learning', 'seminar'),
                        $5::date, $5::date + $6::int, $7::float8::numeric, $8, $9, extract(year from $5::date)::int, u.id,
                        '5.02.01 Belanja Diklat', $10,
                        case when $5::date + $6::int < current_date then 'completed'
                             when $5::date <= current_date then 'running'
                             when $5::date < current_date + 60 then 'open' else 'planned' end
                 from units u where u.code = $11 returning id",
            )
            .bind(title)
            .bind(form)
            .bind(jenis)
            .bind(provider_ids[prov])
            .bind(starts_on)
            .bind(days as i32)
            .bind(jp)
            .bind(cpp)
            .bind(fixed)
            .bind(quota)
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
            participants(conn, id, hr, PROVIDERS[prov].4).await?;
        }
    }
    peer_learning(conn, hr).await?;
    requests(conn).await?;
    Ok(())
}

/// Staff of the budget unit's subtree (anyone for the department pool), chosen by a stable hash;
/// results, certificates, evaluations and the assessments measured afterwards.
async fn participants(conn: &mut PgConnection, training: i64, hr: Option<i64>, quality: i16) -> anyhow::Result<()> {
    sqlx::query(
        "insert into training_participants (training_id, employee_id, status, nominated_by, decided_by, decided_at)
         select t.id, e.id,
                case when t.status = 'completed' then
                       case abs(hashtext(e.nip || t.id::text)) % 12 when 0 then 'failed' when 1 then 'absent' else 'passed' end
                     when t.status = 'running' then 'approved'
                     when abs(hashtext(e.nip || t.id::text)) % 3 = 0 then 'nominated' else 'approved' end,
                $2::bigint, case when t.status = 'completed' or abs(hashtext(e.nip || t.id::text)) % 3 <> 0 then $2::bigint end,
                case when t.status = 'completed' or abs(hashtext(e.nip || t.id::text)) % 3 <> 0 then least(t.starts_on - 20, current_date) end
         from trainings t join units bu on bu.id = t.budget_unit_id
         join lateral (
           select e.* from employees e join units u on u.id = e.unit_id
           where e.active and u.path like bu.path || '%'
           order by abs(hashtext(e.nip || t.id::text)) limit greatest(t.quota - case when t.status in ('open', 'planned') then 2 else 0 end, 1)
         ) e on true
         where t.id = $1",
    )
    .bind(training)
    .bind(hr)
    .execute(&mut *conn)
    .await?;
    // Certificates for certification and courses (a certification is valid two years; some of
    // the oldest expire within the next months).
    sqlx::query(
        "update training_participants tp set certificate_no = 'SRT/' || extract(year from t.ends_on) || '/' || lpad(tp.id::text, 5, '0'),
                certificate_issued_on = t.ends_on,
                certificate_expires_on = case when t.form = 'sertifikasi' then
                  case when t.ends_on < current_date - 600 then current_date + (abs(hashtext(tp.id::text)) % 80) + 5
                       else t.ends_on + 730 end end,
                score = 70 + abs(hashtext(tp.id::text || 's')) % 30
         from trainings t where t.id = tp.training_id and tp.training_id = $1 and tp.status = 'passed'
           and t.form in ('sertifikasi', 'kursus', 'teknis', 'struktural')",
    )
    .bind(training)
    .execute(&mut *conn)
    .await?;
    // Reaction, by the provider's quality with some spread.
    sqlx::query(
        "insert into training_evaluations (participant_id, relevance, method, trainer, usefulness, comment, submitted_at)
         select tp.id, least(5, greatest(1, $2 + (abs(hashtext(tp.id::text || 'r')) % 3) - 1)),
                least(5, greatest(1, $2 + (abs(hashtext(tp.id::text || 'm')) % 3) - 1)),
                least(5, greatest(1, $2 + (abs(hashtext(tp.id::text || 't')) % 2))),
                least(5, greatest(1, $2 + (abs(hashtext(tp.id::text || 'u')) % 3) - 1)),
                case abs(hashtext(tp.id::text)) % 5 when 0 then 'Materi relevan, praktiknya perlu lebih banyak.'
                  when 1 then 'Narasumber menguasai materi.' else '' end,
                t.ends_on + 2
         from training_participants tp join trainings t on t.id = tp.training_id
         where tp.training_id = $1 and t.status = 'completed' and tp.status in ('attended', 'passed', 'failed')
           and abs(hashtext(tp.id::text || 'e')) % 6 <> 0",
    )
    .bind(training)
    .bind(quality)
    .execute(&mut *conn)
    .await?;
    // Measured afterwards: for most who passed, a validated level some weeks later; a better
    // provider lifts more people to the target.
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_name, note, status, validated_at)
         select tp.employee_id, tc.competency_id,
                greatest(coalesce(cl.level, 0), least(tc.target_level,
                  coalesce(cl.level, 0) + case when abs(hashtext(tp.id::text || tc.competency_id::text)) % 5 < $2 then 2 else 1 end))::smallint,
                least(current_date, t.ends_on + 21 + abs(hashtext(tp.id::text)) % 40), 'training', 'Evaluasi pascapelatihan', t.title,
                'validated', now()
         from training_participants tp join trainings t on t.id = tp.training_id
         join training_competencies tc on tc.training_id = t.id
         left join current_levels cl on cl.employee_id = tp.employee_id and cl.competency_id = tc.competency_id
         where tp.training_id = $1 and tp.status = 'passed' and t.ends_on + 21 <= current_date
           and abs(hashtext(tp.id::text || 'a')) % 5 < 2",
    )
    .bind(training)
    .bind(i32::from(quality) - 4)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The few experts (current level 4 or more) mentor colleagues of their unit who are at 2 or
/// below; some self-study with reports; a few sessions still waiting for the head.
async fn peer_learning(conn: &mut PgConnection, hr: Option<i64>) -> anyhow::Result<()> {
    let pairs: Vec<(i64, i64, i64, i32)> = sqlx::query_as(
        "with experts as (
           select cl.employee_id as mentor, cl.competency_id, e.unit_id from current_levels cl join employees e on e.id = cl.employee_id
           where cl.level >= 4 and e.active),
         pairs as (
           select x.mentor, x.competency_id, l.id as learner,
                  row_number() over (partition by x.mentor, x.competency_id order by abs(hashtext(l.nip))) as rn
           from experts x join employees l on l.unit_id = x.unit_id and l.id <> x.mentor and l.active
           left join current_levels lc on lc.employee_id = l.id and lc.competency_id = x.competency_id
           where coalesce(lc.level, 0) <= 2)
         select mentor, competency_id, learner, (abs(hashtext(mentor::text || learner::text)) % 1000)::int from pairs
         where rn <= 2 order by mentor, competency_id, learner limit 80",
    )
    .fetch_all(&mut *conn)
    .await?;
    for (n, (mentor, competency, learner, h)) in pairs.iter().enumerate() {
        let kind = if h % 3 == 0 { "coaching" } else { "mentoring" };
        for k in 0..3 {
            let pending = n % 9 == 0 && k == 0;
            let id: i64 = sqlx::query_scalar(
                "insert into activities (kind, mentor_id, competency_id, target_level, held_on, minutes, topic, notes, outcome,
                                         status, logged_by, decided_by, decided_at)
                 select $1, $2, $3, 3, current_date - ($4::int * 75 + $5::int % 40 + 5), 90 + ($5::int % 3) * 30,
                        'Pendampingan ' || c.name_id, 'Sesi praktik langsung pada pekerjaan sehari-hari.',
                        case when $4::int > 0 then 'Peserta dapat mengerjakan tugas dengan pendampingan minimal.' else '' end,
                        case when $6 then 'pending' else 'confirmed' end, $7::bigint, case when $6 then null else $7::bigint end,
                        case when $6 then null else now() end
                 from competencies c where c.id = $3 returning id",
            )
            .bind(kind)
            .bind(mentor)
            .bind(competency)
            .bind(k)
            .bind(h)
            .bind(pending)
            .bind(hr)
            .fetch_one(&mut *conn)
            .await?;
            sqlx::query("insert into activity_learners (activity_id, employee_id) values ($1, $2)")
                .bind(id)
                .bind(learner)
                .execute(&mut *conn)
                .await?;
        }
        // A third of the mentees were assessed after their sessions: one level up.
        if h % 3 == 0 {
            sqlx::query(
                "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_name, note, status, validated_at)
                 select $1, $2, least(5, coalesce(cl.level, 1) + 1)::smallint, current_date - 2, 'supervisor', 'Atasan langsung',
                        'Penilaian setelah mentoring', 'validated', now()
                 from (select 1) one left join current_levels cl on cl.employee_id = $1 and cl.competency_id = $2",
            )
            .bind(learner)
            .bind(competency)
            .execute(&mut *conn)
            .await?;
        }
    }
    // Self-study with a report, a few of them still waiting for the head.
    sqlx::query(
        "with learners as (
           select e.id, row_number() over (order by abs(hashtext(e.nip || 'mandiri'))) as rn
           from employees e where e.active and e.position_id is not null),
         picked as (
           select l.id, l.rn, ps.competency_id from learners l join employees e on e.id = l.id
           join lateral (select competency_id from position_standards s where s.position_id = e.position_id
                         order by s.competency_id limit 1) ps on true
           where l.rn <= 40)
         , ins as (
           insert into activities (kind, competency_id, held_on, minutes, topic, report, status, logged_by, decided_by, decided_at, notes)
           select 'belajar_mandiri', p.competency_id, current_date - (p.rn * 9)::int, 120,
                  'Belajar mandiri: ' || c.name_id,
                  'Mempelajari modul daring dan dokumentasi resmi tentang ' || lower(c.name_id) || ', lalu mencoba latihan di lingkungan uji.',
                  case when p.rn % 8 = 0 then 'pending' else 'confirmed' end, $1::bigint,
                  case when p.rn % 8 = 0 then null else $1::bigint end, case when p.rn % 8 = 0 then null else now() end,
                  p.id::text
           from picked p join competencies c on c.id = p.competency_id returning id, notes)
         insert into activity_learners (activity_id, employee_id) select id, notes::bigint from ins",
    )
    .bind(hr)
    .execute(&mut *conn)
    .await?;
    sqlx::query("update activities set notes = '' where kind = 'belajar_mandiri'").execute(&mut *conn).await?;
    Ok(())
}

/// A few training requests: waiting for the head, approved (for HR to schedule), rejected.
async fn requests(conn: &mut PgConnection) -> anyhow::Result<()> {
    sqlx::query(
        "insert into training_requests (employee_id, competency_id, target_level, reason, requested_by, status, decided_at, decision_reason)
         select s.employee_id, s.competency_id, s.required_level,
                'Kesenjangan pada ' || c.name_id || ' menghambat tugas; mohon diikutkan pelatihan tahun ini.',
                a.id, case s.rn % 4 when 0 then 'approved' when 1 then 'rejected' else 'pending' end,
                case when s.rn % 4 in (0, 1) then now() end,
                case when s.rn % 4 = 1 then 'Dapat ditutup melalui mentoring oleh rekan di unit.' else '' end
         from (
           select e.id as employee_id, ps.competency_id, ps.required_level,
                  row_number() over (order by abs(hashtext(e.nip || ps.competency_id::text))) as rn
           from employees e join units u on u.id = e.unit_id join position_standards ps on ps.position_id = e.position_id
           left join current_levels cl on cl.employee_id = e.id and cl.competency_id = ps.competency_id
           where e.active and coalesce(cl.level, 0) < ps.required_level and u.code like 'APT%') s
         join competencies c on c.id = s.competency_id left join accounts a on a.employee_id = s.employee_id
         where s.rn <= 6",
    )
    .execute(&mut *conn)
    .await?;
    Ok(())
}
