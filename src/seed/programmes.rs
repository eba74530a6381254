//! Demo programme catalogue: what next year's plan can choose from. Free national schemes (BSSN,
//! Kominfo's Digital Talent Scholarship with its Government Transformation Academy, LAN's ASN
//! Unggul, BPS, BIG) and paid providers (BPSDM Jawa Barat, LAN, universities, training firms) with
//! 2026 prices: a class fee (trainers, venue, in-house delivery) and a cost per participant
//! (modules, exam vouchers, accommodation). Offered from this year for three years. Next year's
//! unit budgets, and the demo trainings that were runs of a catalogue programme.

use sqlx::PgConnection;

/// Providers the catalogue needs besides the development step's: (name, kind, contact, e-mail).
const PROVIDERS: &[(&str, &str, &str, &str)] = &[
    (
        "Kementerian Komunikasi dan Digital — Digital Talent Scholarship",
        "ministry",
        "Sekretariat Government Transformation Academy",
        "gta@digitalent.komdigi.go.id",
    ),
    (
        "Institut Teknologi Bandung — Program Pendidikan Berkelanjutan",
        "university",
        "Sekretariat Kursus Singkat",
        "kursus.singkat@itb.ac.id",
    ),
    (
        "Telkom University — Digital Learning Center",
        "university",
        "Koordinator Pelatihan",
        "pelatihan@telkomuniversity.ac.id",
    ),
    (
        "Badan Informasi Geospasial — Pusat Pendidikan dan Pelatihan",
        "ministry",
        "Subbidang Penyelenggaraan Diklat",
        "pusdiklat@big.go.id",
    ),
    (
        "Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah (LKPP)",
        "ministry",
        "Direktorat Sertifikasi Profesi",
        "sertifikasi@lkpp.go.id",
    ),
    ("Pusat Pendidikan dan Pelatihan Badan Pusat Statistik", "ministry", "Bidang Diklat Teknis", "pusdiklat@bps.go.id"),
    ("PT Edukasi Sertifikasi Teknologi Indonesia", "vendor", "Rizky Pratama", "corporate@edusertek.co.id"),
    ("PT Awan Nusantara Akademi", "vendor", "Maya Lestari", "training@awannusantara.co.id"),
];

/// A catalogue programme: (code, title, provider name, scheme, form, jenisDiklatId, JP, days,
/// cost per participant, cost per class, min class, max class, [(competency code, target level)],
/// notes).
type Programme = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    i16,
    f64,
    i16,
    i64,
    i64,
    i32,
    i32,
    &'static [(&'static str, i16)],
    &'static str,
);

const BSSN: &str = "Badan Siber dan Sandi Negara";
const DTS: &str = "Kementerian Komunikasi dan Digital — Digital Talent Scholarship";
const LAN: &str = "Lembaga Administrasi Negara (LAN Corpu)";
const BPSDM: &str = "BPSDM Provinsi Jawa Barat";
const KOMINFO_BDG: &str = "BPSDMP Kominfo Bandung";
const ITB: &str = "Institut Teknologi Bandung — Program Pendidikan Berkelanjutan";
const UNPAD: &str = "Universitas Padjadjaran — Pusat Studi TIK";
const TELU: &str = "Telkom University — Digital Learning Center";
const BIG: &str = "Badan Informasi Geospasial — Pusat Pendidikan dan Pelatihan";
const LKPP: &str = "Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah (LKPP)";
const BPS: &str = "Pusat Pendidikan dan Pelatihan Badan Pusat Statistik";
const BPS_KAB: &str = "Badan Pusat Statistik Kabupaten Bandung";
const EDU: &str = "PT Edukasi Sertifikasi Teknologi Indonesia";
const AWAN: &str = "PT Awan Nusantara Akademi";
const MITRA: &str = "PT Mitra Solusi Data Nusantara";
const JARINGAN: &str = "CV Jaringan Prima Bandung";
const AKSI: &str = "Asosiasi Keamanan Informasi Indonesia";

const PAID: &str = "paid";
const FREE: &str = "national_free";

pub const PROGRAMMES: &[Programme] = &[
    // Security: BSSN's free programmes, certifications from paid providers.
    (
        "BSSN-CSIRT",
        "Pelatihan Penanganan Insiden Siber (CSIRT) Pemerintah Daerah",
        BSSN,
        FREE,
        "teknis",
        3,
        40.0,
        5,
        0,
        0,
        2,
        30,
        &[("SEC-02", 3), ("SEC-01", 2)],
        "Kuota per instansi ditetapkan BSSN; peserta dari tim CSIRT kabupaten.",
    ),
    (
        "BSSN-KAMI",
        "Bimtek Penilaian Indeks KAMI dan Keamanan Informasi SPBE",
        BSSN,
        FREE,
        "bimtek",
        8,
        24.0,
        3,
        0,
        0,
        2,
        25,
        &[("SEC-01", 3), ("TKL-01", 2)],
        "",
    ),
    (
        "BSSN-SANDI",
        "Pelatihan Teknis Persandian dan Pengamanan Informasi Berklasifikasi",
        BSSN,
        FREE,
        "teknis",
        3,
        48.0,
        6,
        0,
        0,
        2,
        20,
        &[("SEC-03", 3)],
        "Untuk Sandiman dan pengelola persandian.",
    ),
    (
        "SEC-PLUS",
        "Sertifikasi CompTIA Security+ (termasuk voucher ujian)",
        EDU,
        PAID,
        "sertifikasi",
        11,
        40.0,
        5,
        7_250_000,
        32_000_000,
        6,
        20,
        &[("SEC-01", 3), ("SEC-02", 3)],
        "Kelas in-house; biaya per peserta memuat voucher ujian dan modul resmi.",
    ),
    (
        "CEH-V13",
        "Certified Ethical Hacker (CEH) untuk Pengujian Keamanan Aplikasi",
        AKSI,
        PAID,
        "sertifikasi",
        11,
        40.0,
        5,
        9_500_000,
        35_000_000,
        5,
        20,
        &[("SEC-04", 4)],
        "",
    ),
    (
        "ISO27001-LI",
        "ISO/IEC 27001:2022 Lead Implementer",
        AKSI,
        PAID,
        "sertifikasi",
        11,
        40.0,
        5,
        6_500_000,
        30_000_000,
        5,
        20,
        &[("SEC-01", 4), ("TKL-01", 3)],
        "",
    ),
    // Kominfo's Digital Talent Scholarship, Government Transformation Academy: free, online.
    (
        "DTS-GTA-CLOUD",
        "Digital Talent Scholarship GTA: Cloud Computing (AWS Cloud Practitioner)",
        DTS,
        FREE,
        "pjj",
        17,
        48.0,
        14,
        0,
        0,
        1,
        30,
        &[("INF-03", 3)],
        "Daring dengan ujian sertifikasi internasional bagi peserta yang lulus seleksi.",
    ),
    (
        "DTS-GTA-DATA",
        "Digital Talent Scholarship GTA: Data Science untuk Pemerintahan",
        DTS,
        FREE,
        "pjj",
        17,
        56.0,
        21,
        0,
        0,
        1,
        30,
        &[("DAT-02", 3), ("DAT-01", 2)],
        "",
    ),
    (
        "DTS-GTA-AI",
        "Digital Talent Scholarship GTA: Artificial Intelligence untuk Layanan Publik",
        DTS,
        FREE,
        "pjj",
        17,
        48.0,
        14,
        0,
        0,
        1,
        30,
        &[("DAT-02", 3), ("APL-03", 2)],
        "",
    ),
    (
        "DTS-GTA-CYBER",
        "Digital Talent Scholarship GTA: Cybersecurity Fundamentals",
        DTS,
        FREE,
        "pjj",
        17,
        48.0,
        14,
        0,
        0,
        1,
        30,
        &[("SEC-01", 2), ("SEC-02", 2)],
        "",
    ),
    (
        "DTS-KELAS-DIGITAL",
        "Kelas Digital: Literasi Keamanan Data Pribadi bagi ASN",
        DTS,
        FREE,
        "e_learning",
        16,
        12.0,
        3,
        0,
        0,
        1,
        200,
        &[("SEC-01", 1), ("KOM-01", 2)],
        "Belajar mandiri daring; sertifikat elektronik.",
    ),
    // LAN and BPSDM Jawa Barat: leadership, managerial, procurement.
    (
        "LAN-ASNUNGGUL-MNJ",
        "ASN Unggul: Orientasi Pelayanan dan Pengambilan Keputusan (e-learning)",
        LAN,
        FREE,
        "e_learning",
        16,
        20.0,
        10,
        0,
        0,
        1,
        200,
        &[("MNJ-05", 2), ("MNJ-08", 2)],
        "Platform asnunggul.lan.go.id; JP diakui setelah lulus evaluasi akhir.",
    ),
    (
        "LAN-ASNUNGGUL-DIG",
        "ASN Unggul: Kepemimpinan Digital dan Mengelola Perubahan (e-learning)",
        LAN,
        FREE,
        "e_learning",
        16,
        16.0,
        7,
        0,
        0,
        1,
        200,
        &[("MNJ-07", 2), ("MNJ-06", 2)],
        "",
    ),
    (
        "BPSDM-PKP",
        "Pelatihan Kepemimpinan Pengawas (PKP)",
        BPSDM,
        PAID,
        "struktural",
        1,
        480.0,
        90,
        17_500_000,
        0,
        1,
        30,
        &[("MNJ-01", 3), ("MNJ-04", 3), ("MNJ-08", 2)],
        "Klasikal dan aktualisasi di tempat kerja; kuota kabupaten per angkatan.",
    ),
    (
        "BPSDM-PKA",
        "Pelatihan Kepemimpinan Administrator (PKA)",
        BPSDM,
        PAID,
        "struktural",
        1,
        580.0,
        120,
        32_000_000,
        0,
        1,
        30,
        &[("MNJ-07", 4), ("MNJ-08", 3), ("MNJ-02", 3)],
        "",
    ),
    (
        "BPSDM-PBJ-DASAR",
        "Pelatihan Pengadaan Barang/Jasa Tingkat Dasar (ujian sertifikasi LKPP)",
        BPSDM,
        PAID,
        "sertifikasi",
        11,
        32.0,
        4,
        1_750_000,
        18_000_000,
        10,
        30,
        &[("TKL-03", 2)],
        "",
    ),
    (
        "LKPP-PBJ-KATALOG",
        "Bimtek E-Katalog dan Pengadaan Produk TIK Dalam Negeri",
        LKPP,
        FREE,
        "bimtek",
        8,
        16.0,
        2,
        0,
        0,
        1,
        25,
        &[("TKL-03", 3)],
        "",
    ),
    (
        "BPSDM-PELAYANAN",
        "Pelatihan Pelayanan Publik Prima dan Komunikasi Efektif",
        BPSDM,
        PAID,
        "manajerial",
        5,
        24.0,
        3,
        1_200_000,
        9_000_000,
        10,
        30,
        &[("MNJ-05", 3), ("MNJ-03", 3)],
        "",
    ),
    // Governance and project management certifications.
    (
        "ITIL4-F",
        "ITIL 4 Foundation (termasuk ujian)",
        EDU,
        PAID,
        "sertifikasi",
        11,
        24.0,
        3,
        5_500_000,
        24_000_000,
        6,
        20,
        &[("SPB-01", 3), ("TKL-01", 3)],
        "",
    ),
    (
        "TOGAF-10-F",
        "TOGAF Standard 10 Foundation untuk Arsitektur SPBE",
        EDU,
        PAID,
        "sertifikasi",
        11,
        32.0,
        4,
        6_750_000,
        28_000_000,
        5,
        20,
        &[("SPB-02", 4), ("TKL-01", 3)],
        "",
    ),
    (
        "PMP-PREP",
        "Persiapan Sertifikasi PMP (35 jam kontak)",
        ITB,
        PAID,
        "kursus",
        11,
        35.0,
        5,
        8_500_000,
        25_000_000,
        5,
        25,
        &[("TKL-02", 4)],
        "Biaya ujian PMI tidak termasuk.",
    ),
    (
        "PSM-I",
        "Professional Scrum Master I dan Manajemen Proyek Agile",
        TELU,
        PAID,
        "sertifikasi",
        11,
        16.0,
        2,
        3_250_000,
        15_000_000,
        8,
        25,
        &[("TKL-02", 3), ("APL-03", 2)],
        "",
    ),
    (
        "SPBE-ARSITEKTUR",
        "Bimtek Arsitektur dan Peta Rencana SPBE Pemerintah Daerah",
        KOMINFO_BDG,
        FREE,
        "bimtek",
        8,
        24.0,
        3,
        0,
        0,
        2,
        25,
        &[("SPB-02", 3), ("SPB-01", 2)],
        "",
    ),
    // Infrastructure.
    (
        "CCNA-200-301",
        "Cisco CCNA 200-301 (kelas in-house, termasuk voucher ujian)",
        JARINGAN,
        PAID,
        "sertifikasi",
        11,
        40.0,
        5,
        5_400_000,
        30_000_000,
        6,
        20,
        &[("INF-01", 3)],
        "",
    ),
    (
        "NET-ADM",
        "Pelatihan Administrasi Jaringan Komputer",
        JARINGAN,
        PAID,
        "teknis",
        3,
        40.0,
        5,
        2_500_000,
        12_000_000,
        5,
        20,
        &[("INF-01", 3), ("INF-02", 3)],
        "",
    ),
    (
        "AWS-SAA",
        "AWS Solutions Architect Associate: Migrasi Layanan ke Cloud",
        AWAN,
        PAID,
        "sertifikasi",
        11,
        32.0,
        4,
        4_800_000,
        28_000_000,
        6,
        20,
        &[("INF-03", 4), ("INF-02", 3)],
        "",
    ),
    (
        "LINUX-LFCS",
        "Linux Foundation Certified System Administrator (LFCS)",
        AWAN,
        PAID,
        "sertifikasi",
        11,
        40.0,
        5,
        6_200_000,
        26_000_000,
        5,
        20,
        &[("INF-02", 3)],
        "",
    ),
    (
        "DEVOPS-CICD",
        "DevOps, Kontainer dan CI/CD untuk Aplikasi Pemerintah",
        AWAN,
        PAID,
        "teknis",
        3,
        40.0,
        5,
        2_000_000,
        30_000_000,
        8,
        20,
        &[("APL-03", 3), ("INF-03", 3)],
        "",
    ),
    // Applications and data.
    (
        "UIUX-DT",
        "Desain UI/UX dengan Design Thinking untuk Layanan Publik",
        TELU,
        PAID,
        "teknis",
        3,
        32.0,
        4,
        1_500_000,
        22_000_000,
        8,
        25,
        &[("APL-05", 3)],
        "",
    ),
    (
        "WEB-SECURE",
        "Pengembangan Aplikasi Web yang Aman (OWASP Top 10)",
        UNPAD,
        PAID,
        "teknis",
        3,
        32.0,
        4,
        1_750_000,
        20_000_000,
        8,
        25,
        &[("APL-01", 3), ("SEC-04", 2)],
        "",
    ),
    (
        "MOBILE-FLUTTER",
        "Pengembangan Aplikasi Bergerak dengan Flutter",
        TELU,
        PAID,
        "teknis",
        3,
        40.0,
        5,
        1_500_000,
        24_000_000,
        8,
        25,
        &[("APL-02", 3)],
        "",
    ),
    (
        "API-SPLP",
        "Integrasi Layanan melalui API dan SPLP (Sistem Penghubung Layanan Pemerintah)",
        KOMINFO_BDG,
        FREE,
        "bimtek",
        8,
        24.0,
        3,
        0,
        0,
        2,
        25,
        &[("APL-04", 3)],
        "",
    ),
    (
        "PGSQL-DBA",
        "Administrasi Basis Data PostgreSQL",
        MITRA,
        PAID,
        "kursus",
        11,
        32.0,
        4,
        1_500_000,
        20_000_000,
        5,
        20,
        &[("DAT-01", 3)],
        "",
    ),
    (
        "ITB-DATA-KEBIJAKAN",
        "Analitik Data untuk Perumusan Kebijakan Publik",
        ITB,
        PAID,
        "kursus",
        11,
        40.0,
        5,
        3_500_000,
        30_000_000,
        8,
        25,
        &[("DAT-02", 4), ("DAT-04", 3)],
        "",
    ),
    (
        "BPS-STAT-SEKTORAL",
        "Pelatihan Statistik Sektoral untuk Walidata dan Produsen Data",
        BPS,
        FREE,
        "teknis",
        3,
        30.0,
        4,
        0,
        0,
        2,
        30,
        &[("DAT-03", 3), ("DAT-04", 2)],
        "",
    ),
    (
        "BPS-SATU-DATA",
        "Bimtek Statistik Sektoral dan Satu Data Kabupaten",
        BPS_KAB,
        FREE,
        "bimtek",
        8,
        24.0,
        3,
        0,
        0,
        2,
        30,
        &[("DAT-03", 3), ("DAT-02", 2)],
        "",
    ),
    (
        "BIG-SIG-QGIS",
        "Sistem Informasi Geografis dengan QGIS untuk Satu Peta Daerah",
        BIG,
        PAID,
        "teknis",
        3,
        40.0,
        5,
        3_000_000,
        15_000_000,
        5,
        25,
        &[("DAT-02", 3), ("DAT-04", 2)],
        "",
    ),
    // Public communication.
    (
        "UNPAD-KOMDIG",
        "Strategi Komunikasi Publik Digital dan Manajemen Media Sosial",
        UNPAD,
        PAID,
        "teknis",
        3,
        24.0,
        3,
        1_250_000,
        15_000_000,
        10,
        30,
        &[("KOM-02", 3), ("KOM-01", 2)],
        "",
    ),
    (
        "KONTEN-VIDEO",
        "Produksi Konten Video dan Multimedia untuk Humas Pemerintah",
        KOMINFO_BDG,
        PAID,
        "bimtek",
        8,
        24.0,
        3,
        750_000,
        8_000_000,
        8,
        25,
        &[("KOM-03", 3)],
        "",
    ),
];

/// Demo trainings that were runs of a catalogue programme: (training title, programme code).
const RUNS: &[(&str, &str)] = &[
    ("Pelatihan Penanganan Insiden Siber (CSIRT)", "BSSN-CSIRT"),
    ("Pelatihan Administrasi Jaringan Komputer", "NET-ADM"),
    ("Bimtek Statistik Sektoral dan Satu Data", "BPS-SATU-DATA"),
];

pub async fn seed(conn: &mut PgConnection) -> anyhow::Result<()> {
    for (name, kind, contact, email) in PROVIDERS {
        sqlx::query(
            "insert into providers (name, kind, contact_person, email) values ($1, $2, $3, $4)
             on conflict (lower(name)) do nothing",
        )
        .bind(name)
        .bind(kind)
        .bind(contact)
        .bind(email)
        .execute(&mut *conn)
        .await?;
    }
    let year: i32 = sqlx::query_scalar("select extract(year from agency_today())::int").fetch_one(&mut *conn).await?;
    for (code, title, provider, scheme, form, jenis, jp, days, cpp, cpc, min, max, targets, notes) in PROGRAMMES {
        let id: Option<i64> = sqlx::query_scalar(
            "insert into programmes (code, title, provider_id, scheme, form, jenis_diklat, jp, days, cost_per_participant,
                                     cost_per_class, min_class, max_class, offered_from, offered_to, notes)
             values ($1, $2, (select id from providers where lower(name) = lower($3)), $4, $5, $6, $7::float8::numeric, $8, $9, $10,
                     $11, $12, $13, $13 + 2, $14)
             on conflict (code) do nothing returning id",
        )
        .bind(code)
        .bind(title)
        .bind(provider)
        .bind(scheme)
        .bind(form)
        .bind(jenis)
        .bind(jp)
        .bind(days)
        .bind(cpp)
        .bind(cpc)
        .bind(min)
        .bind(max)
        .bind(year)
        .bind(notes)
        .fetch_optional(&mut *conn)
        .await?;
        // A code HR already used is left as HR made it.
        let Some(id) = id else { continue };
        for (competency, level) in *targets {
            sqlx::query(
                "insert into programme_competencies (programme_id, competency_id, target_level)
                 select $1, id, $3 from competencies where code = $2",
            )
            .bind(id)
            .bind(competency)
            .bind(level)
            .execute(&mut *conn)
            .await?;
        }
    }
    // Next year's budgets, a little above this year's, so next year's plan has money.
    sqlx::query(
        "insert into unit_budgets (year, unit_id, amount)
         select $1 + 1, u.id, case u.kind when 'dinas' then 160000000 when 'bidang' then 75000000 else 21000000 end
         from units u where u.kind in ('dinas', 'bidang', 'sekretariat', 'upt')
         on conflict (year, unit_id) do nothing",
    )
    .bind(year)
    .execute(&mut *conn)
    .await?;
    // Earlier runs of a programme carry its id, so its page shows what they measurably did.
    for (title, code) in RUNS {
        sqlx::query(
            "update trainings set programme_id = (select id from programmes where code = $2)
             where title = $1 and programme_id is null",
        )
        .bind(title)
        .bind(code)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_programme_parses_as_the_form_would() {
        use crate::programmes::model::{Programme as Checked, ProgrammeInput};
        let mut codes = std::collections::HashSet::new();
        for (code, title, _, scheme, form, jenis, jp, days, cpp, cpc, min, max, targets, notes) in PROGRAMMES {
            assert!(codes.insert(*code), "{code} twice");
            assert!(!targets.is_empty(), "{code} develops nothing");
            let input = ProgrammeInput {
                code: code.to_string(),
                title: title.to_string(),
                scheme: scheme.to_string(),
                form: form.to_string(),
                jenis_diklat: jenis.to_string(),
                jp: jp.to_string(),
                days: days.to_string(),
                cost_per_participant: cpp.to_string(),
                cost_per_class: cpc.to_string(),
                min_class: min.to_string(),
                max_class: max.to_string(),
                offered_from: "2026".into(),
                offered_to: "2028".into(),
                notes: notes.to_string(),
                ..Default::default()
            };
            if let Err(e) = Checked::try_from(&input) {
                panic!("{code}: {:?}", e.0);
            }
        }
    }
}
