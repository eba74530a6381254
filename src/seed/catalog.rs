//! Demo step 2: the default ICT competency catalog (written for Cakap; no licensed framework
//! text), position standards and assessment histories that leave some staff clearly
//! under-skilled and a few clearly expert.

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::Rng;

/// (code, kind, area, name id, name en, subject id, subject en, e-CF cross-reference code)
type Entry =
    (&'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str);

pub const CATALOG: &[Entry] = &[
    (
        "INF-01",
        "teknis",
        "infrastruktur",
        "Administrasi Jaringan Komputer",
        "Computer Network Administration",
        "konfigurasi, pemantauan dan pemecahan gangguan jaringan LAN/WAN, VLAN dan routing",
        "configuring, monitoring and troubleshooting LAN/WAN networks, VLANs and routing",
        "B.6",
    ),
    (
        "INF-02",
        "teknis",
        "infrastruktur",
        "Pengelolaan Pusat Data dan Server",
        "Data Centre and Server Management",
        "pengoperasian server, penyimpanan, cadangan data dan ruang pusat data",
        "operating servers, storage, backups and the data centre room",
        "C.4",
    ),
    (
        "INF-03",
        "teknis",
        "infrastruktur",
        "Virtualisasi dan Komputasi Awan",
        "Virtualisation and Cloud Computing",
        "pengelolaan mesin virtual, kontainer dan layanan komputasi awan pemerintah",
        "managing virtual machines, containers and government cloud services",
        "B.6",
    ),
    (
        "INF-04",
        "teknis",
        "infrastruktur",
        "Dukungan Teknis Pengguna",
        "User Technical Support",
        "layanan helpdesk, perawatan perangkat dan penyelesaian keluhan pengguna TIK",
        "helpdesk service, device maintenance and resolving ICT users' complaints",
        "C.1",
    ),
    (
        "SEC-01",
        "teknis",
        "keamanan",
        "Manajemen Keamanan Informasi",
        "Information Security Management",
        "penerapan sistem manajemen keamanan informasi, kebijakan dan penilaian risiko",
        "applying an information security management system, policies and risk assessment",
        "E.8",
    ),
    (
        "SEC-02",
        "teknis",
        "keamanan",
        "Penanganan Insiden Siber",
        "Cyber Incident Handling",
        "deteksi, analisis, penanggulangan dan pelaporan insiden siber (CSIRT)",
        "detecting, analysing, containing and reporting cyber incidents (CSIRT)",
        "C.3",
    ),
    (
        "SEC-03",
        "teknis",
        "keamanan",
        "Persandian dan Kriptografi",
        "Cryptography and Secure Communications",
        "pengamanan informasi berklasifikasi, sertifikat elektronik dan kriptografi",
        "protecting classified information, electronic certificates and cryptography",
        "",
    ),
    (
        "SEC-04",
        "teknis",
        "keamanan",
        "Pengujian Keamanan Sistem",
        "Security Testing",
        "uji penetrasi dan penilaian kerentanan aplikasi serta jaringan",
        "penetration testing and vulnerability assessment of applications and networks",
        "B.3",
    ),
    (
        "APL-01",
        "teknis",
        "aplikasi",
        "Pengembangan Aplikasi Web",
        "Web Application Development",
        "pembangunan aplikasi web pemerintahan yang aman dan mudah dirawat",
        "building secure, maintainable government web applications",
        "B.1",
    ),
    (
        "APL-02",
        "teknis",
        "aplikasi",
        "Pengembangan Aplikasi Bergerak",
        "Mobile Application Development",
        "pembangunan aplikasi bergerak untuk layanan publik",
        "building mobile applications for public services",
        "B.1",
    ),
    (
        "APL-03",
        "teknis",
        "aplikasi",
        "Rekayasa dan Pengujian Perangkat Lunak",
        "Software Engineering and Testing",
        "analisis kebutuhan, desain, pengujian dan pengendalian mutu perangkat lunak",
        "requirements analysis, design, testing and quality control of software",
        "B.3",
    ),
    (
        "APL-04",
        "teknis",
        "aplikasi",
        "Integrasi Sistem dan Interoperabilitas",
        "Systems Integration and Interoperability",
        "integrasi aplikasi melalui API dan pertukaran data antarinstansi",
        "integrating applications through APIs and inter-agency data exchange",
        "B.2",
    ),
    (
        "APL-05",
        "teknis",
        "aplikasi",
        "Desain Antarmuka dan Pengalaman Pengguna",
        "User Interface and Experience Design",
        "perancangan antarmuka yang mudah digunakan dan aksesibel bagi warga",
        "designing usable, accessible interfaces for citizens",
        "B.1",
    ),
    (
        "DAT-01",
        "teknis",
        "data",
        "Pengelolaan Basis Data",
        "Database Management",
        "perancangan, administrasi, optimasi dan pemulihan basis data",
        "designing, administering, tuning and recovering databases",
        "B.1",
    ),
    (
        "DAT-02",
        "teknis",
        "data",
        "Analisis dan Visualisasi Data",
        "Data Analysis and Visualisation",
        "pengolahan, analisis dan penyajian data dalam dasbor untuk pimpinan",
        "processing, analysing and presenting data in dashboards for leaders",
        "D.10",
    ),
    (
        "DAT-03",
        "teknis",
        "data",
        "Statistik Sektoral",
        "Sectoral Statistics",
        "perencanaan kegiatan statistik, pengumpulan dan penyajian data statistik sektoral",
        "planning statistical activities, collecting and publishing sectoral statistics",
        "",
    ),
    (
        "DAT-04",
        "teknis",
        "data",
        "Tata Kelola Data (Satu Data)",
        "Data Governance (One Data)",
        "penerapan standar data, metadata, interoperabilitas dan prinsip Satu Data Indonesia",
        "applying data standards, metadata, interoperability and One Data Indonesia principles",
        "D.10",
    ),
    (
        "SPB-01",
        "teknis",
        "spbe",
        "Manajemen Layanan SPBE",
        "E-Government Service Management",
        "pengelolaan layanan SPBE, tingkat layanan dan kepuasan pengguna",
        "managing e-government services, service levels and user satisfaction",
        "E.2",
    ),
    (
        "SPB-02",
        "teknis",
        "spbe",
        "Arsitektur dan Perencanaan SPBE",
        "E-Government Architecture and Planning",
        "penyusunan arsitektur, peta rencana dan evaluasi SPBE daerah",
        "drawing up the regional e-government architecture, road map and evaluation",
        "A.3",
    ),
    (
        "TKL-01",
        "teknis",
        "tata_kelola",
        "Tata Kelola dan Manajemen TI",
        "IT Governance and Management",
        "kebijakan, standar, risiko dan kinerja TI organisasi",
        "IT policies, standards, risk and performance of the organisation",
        "E.9",
    ),
    (
        "TKL-02",
        "teknis",
        "tata_kelola",
        "Manajemen Proyek TI",
        "IT Project Management",
        "perencanaan, pelaksanaan dan pengendalian proyek TIK",
        "planning, running and controlling ICT projects",
        "E.2",
    ),
    (
        "TKL-03",
        "teknis",
        "tata_kelola",
        "Pengadaan Barang/Jasa TIK",
        "ICT Procurement",
        "penyusunan spesifikasi, HPS dan pengadaan barang/jasa TIK sesuai aturan",
        "writing specifications, cost estimates and procuring ICT goods and services by the rules",
        "D.4",
    ),
    (
        "KOM-01",
        "teknis",
        "komunikasi",
        "Pengelolaan Informasi Publik",
        "Public Information Management",
        "layanan informasi publik dan pengelolaan PPID sesuai UU Keterbukaan Informasi Publik",
        "public information services and the information office (PPID) under the freedom of information law",
        "",
    ),
    (
        "KOM-02",
        "teknis",
        "komunikasi",
        "Komunikasi Digital dan Media Sosial",
        "Digital Communication and Social Media",
        "pengelolaan kanal digital, media sosial dan manajemen isu pemerintah daerah",
        "managing the regency's digital channels, social media and issue management",
        "",
    ),
    (
        "KOM-03",
        "teknis",
        "komunikasi",
        "Produksi Konten Multimedia",
        "Multimedia Content Production",
        "produksi konten foto, video dan grafis untuk diseminasi informasi",
        "producing photo, video and graphic content to disseminate information",
        "",
    ),
    (
        "MNJ-01",
        "manajerial",
        "umum",
        "Integritas",
        "Integrity",
        "konsistensi antara kata dan tindakan sesuai nilai dan kode etik ASN",
        "consistency between words and deeds in line with civil service values and ethics",
        "",
    ),
    (
        "MNJ-02",
        "manajerial",
        "umum",
        "Kerja Sama",
        "Teamwork",
        "kerja sama dalam tim dan lintas unit untuk mencapai tujuan bersama",
        "working in teams and across units towards shared goals",
        "",
    ),
    (
        "MNJ-03",
        "manajerial",
        "umum",
        "Komunikasi",
        "Communication",
        "penyampaian informasi secara lisan dan tertulis yang jelas dan efektif",
        "conveying information clearly and effectively, orally and in writing",
        "",
    ),
    (
        "MNJ-04",
        "manajerial",
        "umum",
        "Orientasi pada Hasil",
        "Results Orientation",
        "pencapaian target kinerja dan perbaikan hasil kerja",
        "meeting performance targets and improving results",
        "",
    ),
    (
        "MNJ-05",
        "manajerial",
        "umum",
        "Pelayanan Publik",
        "Public Service",
        "pemberian layanan publik yang responsif dan berkualitas",
        "providing responsive, high-quality public services",
        "",
    ),
    (
        "MNJ-06",
        "manajerial",
        "umum",
        "Pengembangan Diri dan Orang Lain",
        "Developing Self and Others",
        "pengembangan kompetensi diri dan bimbingan bagi rekan kerja",
        "developing one's own competencies and coaching colleagues",
        "",
    ),
    (
        "MNJ-07",
        "manajerial",
        "umum",
        "Mengelola Perubahan",
        "Managing Change",
        "penyesuaian diri dan dukungan terhadap perubahan organisasi",
        "adapting to and supporting organisational change",
        "",
    ),
    (
        "MNJ-08",
        "manajerial",
        "umum",
        "Pengambilan Keputusan",
        "Decision Making",
        "pengambilan keputusan berdasarkan data dan pertimbangan risiko",
        "making decisions based on data and weighing risks",
        "",
    ),
    (
        "SK-01",
        "sosial_kultural",
        "umum",
        "Perekat Bangsa",
        "Nation Unifier",
        "penghargaan terhadap keberagaman dan penguatan persatuan dalam pelayanan",
        "respecting diversity and strengthening unity in public service",
        "",
    ),
];

/// The first catalog's level descriptors: one sentence frame per level with the subject slotted
/// in. Kept to recognise (and replace) them in databases seeded before the written descriptors.
pub fn descriptors(subject_id: &str, subject_en: &str) -> [(String, String); 5] {
    [
        (
            format!(
                "Memahami konsep dasar dan istilah dalam {subject_id}; menjalankan tugas sederhana dengan petunjuk."
            ),
            format!(
                "Understands the basic concepts and terms of {subject_en}; carries out simple tasks by instruction."
            ),
        ),
        (
            format!("Melakukan tugas rutin {subject_id} dengan bimbingan, mengikuti prosedur yang ada."),
            format!("Performs routine tasks in {subject_en} with guidance, following existing procedures."),
        ),
        (
            format!(
                "Melaksanakan {subject_id} secara mandiri, menyelesaikan masalah yang umum dan membimbing rekan yang baru."
            ),
            format!("Carries out {subject_en} independently, solves common problems and guides newer colleagues."),
        ),
        (
            format!(
                "Merancang dan meningkatkan {subject_id} di tingkat unit, menangani kasus yang kompleks dan menetapkan standar kerja."
            ),
            format!(
                "Designs and improves {subject_en} for the unit, handles complex cases and sets working standards."
            ),
        ),
        (
            format!(
                "Menjadi rujukan {subject_id} di tingkat daerah, merumuskan kebijakan dan mengembangkan praktik baru."
            ),
            format!("Is the regency's reference for {subject_en}, shapes policy and develops new practice."),
        ),
    ]
}

/// Technical competencies per unit (prefix of the unit code): (code, weight 0 = core … 2 = extra).
fn technical_for(unit: &str) -> &'static [(&'static str, i16)] {
    match unit {
        "INF-JPD" => &[("INF-01", 0), ("INF-02", 0), ("INF-03", 1), ("SEC-01", 2)],
        "INF-SPT" => &[("INF-04", 0), ("INF-01", 1), ("INF-02", 2)],
        "INF" => &[("INF-01", 0), ("INF-02", 1), ("TKL-02", 1)],
        "APT-PA" => &[("APL-01", 0), ("APL-03", 0), ("DAT-01", 1), ("APL-04", 1), ("APL-05", 2), ("APL-02", 2)],
        "APT-LEG" => &[("SPB-01", 0), ("APL-04", 0), ("SPB-02", 1), ("TKL-01", 2)],
        "APT" => &[("APL-03", 0), ("SPB-02", 0), ("TKL-02", 1)],
        "PKI-SAN" => &[("SEC-03", 0), ("SEC-01", 1)],
        "PKI-KI" => &[("SEC-01", 0), ("SEC-02", 0), ("SEC-04", 1), ("INF-01", 2)],
        "PKI" => &[("SEC-01", 0), ("SEC-02", 1), ("TKL-01", 1)],
        "STA-SS" => &[("DAT-03", 0), ("DAT-02", 0), ("DAT-04", 1)],
        "STA-PD" => &[("DAT-01", 0), ("DAT-04", 0), ("DAT-02", 1)],
        "STA" => &[("DAT-03", 0), ("DAT-04", 1), ("TKL-02", 1)],
        "IKP-PIP" => &[("KOM-01", 0), ("KOM-02", 1)],
        "IKP-KPM" => &[("KOM-02", 0), ("KOM-03", 0)],
        "IKP" => &[("KOM-01", 0), ("KOM-02", 1)],
        "SEK-UK" => &[("DAT-02", 1)],
        "SEK-PK" => &[("TKL-03", 0), ("TKL-02", 1)],
        "SEK" => &[("TKL-02", 0), ("TKL-03", 1)],
        "UPT-CC" => &[("INF-04", 0), ("INF-01", 0), ("DAT-02", 1)],
        _ => &[("TKL-01", 0), ("SPB-02", 0), ("SEC-01", 1)],
    }
}

/// The technical level a position needs for a core competency.
fn core_level(kind: &str, level: Option<&str>) -> i16 {
    match (kind, level) {
        ("jpt_pratama", _) => 4,
        ("administrator", _) => 4,
        ("pengawas", _) => 3,
        (_, Some("ahli_madya")) => 4,
        (_, Some("ahli_muda" | "penyelia")) => 3,
        (_, Some("ahli_pertama" | "mahir")) => 3,
        _ => 2,
    }
}

fn managerial_level(kind: &str) -> i16 {
    match kind {
        "jpt_madya" | "jpt_utama" => 5,
        "jpt_pratama" => 4,
        "administrator" => 3,
        "pengawas" => 2,
        _ => 1,
    }
}

#[derive(sqlx::FromRow)]
struct Pos {
    id: i64,
    kind: String,
    functional_level: Option<String>,
    unit_code: String,
}

pub async fn seed(conn: &mut PgConnection) -> anyhow::Result<()> {
    for (code, kind, area, name_id, name_en, subj_id, subj_en, reference) in CATALOG {
        let id: i64 = sqlx::query_scalar(
            "insert into competencies (code, kind, area, name_id, name_en, description_id, description_en, framework_ref)
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
        )
        .bind(code)
        .bind(kind)
        .bind(area)
        .bind(name_id)
        .bind(name_en)
        .bind(format!("Kemampuan dalam {subj_id}."))
        .bind(format!("Ability in {subj_en}."))
        .bind(if reference.is_empty() { String::new() } else { format!("e-CF {reference}") })
        .fetch_one(&mut *conn)
        .await?;
        let template = descriptors(subj_id, subj_en);
        let written = super::descriptors::of(code);
        for (i, (d_id, d_en)) in template.iter().enumerate() {
            let (d_id, d_en) = match written {
                Some(w) => (w[i].0, w[i].1),
                None => (d_id.as_str(), d_en.as_str()),
            };
            sqlx::query("insert into competency_levels (competency_id, level, descriptor_id, descriptor_en) values ($1, $2, $3, $4)")
                .bind(id)
                .bind(i as i16 + 1)
                .bind(d_id)
                .bind(d_en)
                .execute(&mut *conn)
                .await?;
        }
    }

    // Position standards: technical by unit, managerial and socio-cultural by tier.
    let positions: Vec<Pos> = sqlx::query_as(
        "select p.id, p.kind, p.functional_level, u.code as unit_code from positions p join units u on u.id = p.unit_id order by p.id",
    )
    .fetch_all(&mut *conn)
    .await?;
    let (mut s_pos, mut s_code, mut s_level, mut s_prio) = (vec![], vec![], vec![], vec![]);
    for p in &positions {
        let core = core_level(&p.kind, p.functional_level.as_deref());
        for (i, (code, weight)) in technical_for(&p.unit_code).iter().enumerate() {
            s_pos.push(p.id);
            s_code.push(code.to_string());
            // Level 1 (Paham) only for the extras: a core or important competency asks at least 2.
            s_level.push((core - weight).max(if *weight < 2 { 2 } else { 1 }));
            s_prio.push(match (i, weight) {
                (0, _) | (_, 0) => "critical",
                (_, 1) => "important",
                _ => "useful",
            });
        }
        let m = managerial_level(&p.kind);
        for code in ["MNJ-01", "MNJ-02", "MNJ-03", "MNJ-04", "MNJ-05", "MNJ-06", "MNJ-07", "MNJ-08", "SK-01"] {
            s_pos.push(p.id);
            s_code.push(code.to_string());
            s_level.push(m);
            s_prio.push(if code == "MNJ-01" || code == "MNJ-05" { "important" } else { "useful" });
        }
    }
    sqlx::query(
        "insert into position_standards (position_id, competency_id, required_level, priority)
         select s.pos, c.id, s.lvl, s.prio
         from unnest($1::bigint[], $2::text[], $3::smallint[], $4::text[]) as s(pos, code, lvl, prio)
         join competencies c on c.code = s.code",
    )
    .bind(&s_pos)
    .bind(&s_code)
    .bind(&s_level)
    .bind(&s_prio)
    .execute(&mut *conn)
    .await?;

    seed_assessments(conn).await
}

#[derive(sqlx::FromRow)]
struct Need {
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
struct Profile {
    technical: i64,
    managerial: i64,
    skill: [i64; 4],
    /// The chance (percent) that a managerial level falls one short of the tier's requirement.
    managerial_short: i64,
}

/// The bidang differ, so the gap analysis has something to tell apart: Infrastruktur is assessed
/// throughout and mostly meets its standard, Aplikasi Informatika is assessed and often falls
/// short, Statistik is mostly not assessed (or assessed too long ago), the rest in between.
fn profile(unit_code: &str) -> Profile {
    match unit_code.split('-').next().unwrap_or("") {
        "INF" => Profile { technical: 96, managerial: 95, skill: [0, 10, 35, 55], managerial_short: 5 },
        "APT" => Profile { technical: 93, managerial: 92, skill: [55, 35, 10, 0], managerial_short: 55 },
        "STA" => Profile { technical: 8, managerial: 12, skill: [15, 20, 50, 15], managerial_short: 20 },
        "DKIS" => Profile { technical: 100, managerial: 100, skill: [0, 0, 60, 40], managerial_short: 0 },
        _ => Profile { technical: 76, managerial: 80, skill: [10, 20, 50, 20], managerial_short: 20 },
    }
}

/// One of `weights.len()` outcomes, by weight.
fn weighted(rng: &mut Rng, weights: &[i64]) -> usize {
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
struct Rows {
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
async fn seed_assessments(conn: &mut PgConnection) -> anyhow::Result<()> {
    let today: NaiveDate = sqlx::query_scalar("select agency_today()").fetch_one(&mut *conn).await?;
    let needs: Vec<Need> = sqlx::query_as(
        "select e.id as employee_id, u.code as unit_code, s.competency_id, s.required_level, c.kind,
                (select r.account_id from account_roles r join units h on h.id = r.unit_id
                  where r.role = 'head' and u.path like h.path || '%' and h.id <> e.unit_id
                  order by length(h.path) desc limit 1) as unit_head_account
         from employees e
         join units u on u.id = e.unit_id
         join position_standards s on s.position_id = e.position_id
         join competencies c on c.id = s.competency_id
         order by e.id, c.kind <> 'teknis', s.competency_id",
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
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_account_id, assessor_name, status,
                                  validated_at, created_at)
         select e, c, l, d, s, a, n, st,
                case when st = 'validated' then (d + make_interval(mins => m)) at time zone 'Asia/Jakarta' end,
                (d + make_interval(mins => m)) at time zone 'Asia/Jakarta'
         from unnest($1::bigint[], $2::bigint[], $3::smallint[], $4::date[], $5::int[], $6::text[], $7::bigint[], $8::text[],
                     $9::text[]) as t(e, c, l, d, m, s, a, n, st)",
    )
    .bind(&rows.emp)
    .bind(&rows.comp)
    .bind(&rows.level)
    .bind(&rows.date)
    .bind(&rows.minute)
    .bind(&rows.source)
    .bind(&rows.assessor)
    .bind(&rows.name)
    .bind(&rows.status)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Replace the sentence-frame descriptors of the default catalog with the written ones, where HR
/// has not edited them (an edited text stays as it is).
pub async fn upgrade_descriptors(conn: &mut PgConnection) -> anyhow::Result<()> {
    let (mut codes, mut levels, mut old_id, mut new_id, mut new_en) = (vec![], vec![], vec![], vec![], vec![]);
    for (code, _, _, _, _, subj_id, subj_en, _) in CATALOG {
        let Some(written) = super::descriptors::of(code) else { continue };
        for (i, (template_id, _)) in descriptors(subj_id, subj_en).into_iter().enumerate() {
            codes.push(code.to_string());
            levels.push(i as i16 + 1);
            old_id.push(template_id);
            new_id.push(written[i].0.to_string());
            new_en.push(written[i].1.to_string());
        }
    }
    sqlx::query(
        "update competency_levels cl set descriptor_id = n.new_id, descriptor_en = n.new_en
         from unnest($1::text[], $2::smallint[], $3::text[], $4::text[], $5::text[]) as n(code, level, old_id, new_id, new_en)
         join competencies c on c.code = n.code
         where cl.competency_id = c.id and cl.level = n.level and cl.descriptor_id = n.old_id",
    )
    .bind(&codes)
    .bind(&levels)
    .bind(&old_id)
    .bind(&new_id)
    .bind(&new_en)
    .execute(conn)
    .await?;
    Ok(())
}
