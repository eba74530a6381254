//! Demo step 1: units, positions, about 120 employees and one account per role.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::{DEMO_PASSWORD, Rng, names};
use crate::{accounts::create_account, audit::Actor, auth::Role};

/// (code, name, kind, parent code)
const UNITS: &[(&str, &str, &str, Option<&str>)] = &[
    ("DKIS", "Dinas Komunikasi, Informatika dan Statistik", "dinas", None),
    ("SEK", "Sekretariat", "sekretariat", Some("DKIS")),
    ("SEK-UK", "Subbagian Umum dan Kepegawaian", "subbagian", Some("SEK")),
    ("SEK-PK", "Subbagian Perencanaan dan Keuangan", "subbagian", Some("SEK")),
    ("IKP", "Bidang Informasi dan Komunikasi Publik", "bidang", Some("DKIS")),
    ("IKP-PIP", "Seksi Pengelolaan Informasi Publik", "seksi", Some("IKP")),
    ("IKP-KPM", "Seksi Komunikasi Publik dan Kemitraan Media", "seksi", Some("IKP")),
    ("INF", "Bidang Infrastruktur TIK", "bidang", Some("DKIS")),
    ("INF-JPD", "Seksi Jaringan dan Pusat Data", "seksi", Some("INF")),
    ("INF-SPT", "Seksi Sarana dan Prasarana TIK", "seksi", Some("INF")),
    ("APT", "Bidang Aplikasi Informatika dan e-Government", "bidang", Some("DKIS")),
    ("APT-PA", "Seksi Pengembangan Aplikasi", "seksi", Some("APT")),
    ("APT-LEG", "Seksi Layanan e-Government", "seksi", Some("APT")),
    ("PKI", "Bidang Persandian dan Keamanan Informasi", "bidang", Some("DKIS")),
    ("PKI-SAN", "Seksi Persandian", "seksi", Some("PKI")),
    ("PKI-KI", "Seksi Keamanan Informasi", "seksi", Some("PKI")),
    ("STA", "Bidang Statistik", "bidang", Some("DKIS")),
    ("STA-SS", "Seksi Statistik Sektoral", "seksi", Some("STA")),
    ("STA-PD", "Seksi Pengelolaan Data", "seksi", Some("STA")),
    ("UPT-CC", "UPT Command Center dan Layanan Jaringan", "upt", Some("DKIS")),
];

/// Staff positions: (unit code, name, kind, functional level, class, number of holders).
/// (unit code, name, kind, functional level, class, number of holders)
type StaffRow = (&'static str, &'static str, &'static str, Option<&'static str>, i16, usize);
const STAFF: &[StaffRow] = &[
    ("SEK-UK", "Analis Kepegawaian", "pelaksana", None, 7, 2),
    ("SEK-UK", "Pengadministrasi Umum", "pelaksana", None, 5, 3),
    ("SEK-UK", "Pengelola Barang Milik Daerah", "pelaksana", None, 6, 1),
    ("SEK-UK", "Arsiparis Terampil", "fungsional", Some("terampil"), 6, 2),
    ("SEK-PK", "Perencana Ahli Pertama", "fungsional", Some("ahli_pertama"), 8, 2),
    ("SEK-PK", "Analis Keuangan", "pelaksana", None, 7, 2),
    ("SEK-PK", "Bendahara", "pelaksana", None, 6, 2),
    ("IKP-PIP", "Pranata Humas Ahli Pertama", "fungsional", Some("ahli_pertama"), 8, 3),
    ("IKP-PIP", "Pengelola Informasi Publik", "pelaksana", None, 6, 3),
    ("IKP-KPM", "Pranata Humas Ahli Muda", "fungsional", Some("ahli_muda"), 9, 2),
    ("IKP-KPM", "Pranata Humas Terampil", "fungsional", Some("terampil"), 6, 2),
    ("IKP-KPM", "Pengelola Media Sosial", "pelaksana", None, 6, 2),
    ("INF-JPD", "Pranata Komputer Ahli Pertama", "fungsional", Some("ahli_pertama"), 8, 3),
    ("INF-JPD", "Pranata Komputer Ahli Muda", "fungsional", Some("ahli_muda"), 9, 2),
    ("INF-JPD", "Pranata Komputer Terampil", "fungsional", Some("terampil"), 6, 2),
    ("INF-JPD", "Teknisi Jaringan", "pelaksana", None, 6, 2),
    ("INF-SPT", "Pranata Komputer Terampil", "fungsional", Some("terampil"), 6, 2),
    ("INF-SPT", "Pranata Komputer Mahir", "fungsional", Some("mahir"), 7, 1),
    ("INF-SPT", "Pengelola Sarana dan Prasarana TIK", "pelaksana", None, 6, 3),
    ("APT-PA", "Pranata Komputer Ahli Pertama", "fungsional", Some("ahli_pertama"), 8, 4),
    ("APT-PA", "Pranata Komputer Ahli Muda", "fungsional", Some("ahli_muda"), 9, 2),
    ("APT-PA", "Pranata Komputer Ahli Madya", "fungsional", Some("ahli_madya"), 11, 1),
    ("APT-PA", "Pengembang Aplikasi", "pelaksana", None, 7, 3),
    ("APT-LEG", "Pranata Komputer Ahli Pertama", "fungsional", Some("ahli_pertama"), 8, 3),
    ("APT-LEG", "Analis Layanan SPBE", "pelaksana", None, 7, 3),
    ("APT-LEG", "Pengelola Layanan Aplikasi", "pelaksana", None, 6, 2),
    ("PKI-SAN", "Sandiman Ahli Pertama", "fungsional", Some("ahli_pertama"), 8, 2),
    ("PKI-SAN", "Sandiman Terampil", "fungsional", Some("terampil"), 6, 2),
    ("PKI-SAN", "Pengelola Persandian", "pelaksana", None, 6, 2),
    ("PKI-KI", "Manggala Informatika Ahli Pertama", "fungsional", Some("ahli_pertama"), 8, 3),
    ("PKI-KI", "Manggala Informatika Ahli Muda", "fungsional", Some("ahli_muda"), 9, 1),
    ("PKI-KI", "Analis Keamanan Informasi", "pelaksana", None, 7, 3),
    ("STA-SS", "Statistisi Ahli Pertama", "fungsional", Some("ahli_pertama"), 8, 3),
    ("STA-SS", "Statistisi Ahli Muda", "fungsional", Some("ahli_muda"), 9, 1),
    ("STA-SS", "Pengolah Data Statistik", "pelaksana", None, 6, 3),
    ("STA-PD", "Statistisi Ahli Pertama", "fungsional", Some("ahli_pertama"), 8, 2),
    ("STA-PD", "Pranata Komputer Ahli Pertama", "fungsional", Some("ahli_pertama"), 8, 2),
    ("STA-PD", "Pengelola Data", "pelaksana", None, 6, 3),
    ("UPT-CC", "Pranata Komputer Terampil", "fungsional", Some("terampil"), 6, 3),
    ("UPT-CC", "Pranata Komputer Mahir", "fungsional", Some("mahir"), 7, 1),
    ("UPT-CC", "Operator Command Center", "pelaksana", None, 5, 6),
    ("UPT-CC", "Teknisi Jaringan", "pelaksana", None, 6, 4),
];

const PNS_RANKS: [&str; 17] = [
    "I/a", "I/b", "I/c", "I/d", "II/a", "II/b", "II/c", "II/d", "III/a", "III/b", "III/c", "III/d", "IV/a", "IV/b",
    "IV/c", "IV/d", "IV/e",
];
const PPPK_RANKS: [&str; 17] =
    ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI", "XVII"];

fn head_position(kind: &str, name: &str) -> (String, &'static str, i16) {
    match kind {
        "dinas" => ("Kepala Dinas".into(), "jpt_pratama", 14),
        "sekretariat" => ("Sekretaris Dinas".into(), "administrator", 12),
        "bidang" => (format!("Kepala {name}"), "administrator", 11),
        "upt" => (format!("Kepala {name}"), "pengawas", 9),
        _ => (format!("Kepala {name}"), "pengawas", 9),
    }
}

/// (education level, field, academic title after the name)
fn education(rng: &mut Rng, kind: &str, level: Option<&str>, unit: &str) -> (&'static str, &'static str, String) {
    let field: &'static str = match unit.split('-').next().unwrap_or("") {
        "INF" | "APT" | "UPT" => {
            rng.pick(&["Teknik Informatika", "Sistem Informasi", "Ilmu Komputer", "Teknik Elektro"])
        }
        "PKI" => rng.pick(&["Teknik Informatika", "Rekayasa Kriptografi", "Sistem Informasi"]),
        "STA" => rng.pick(&["Statistika", "Matematika", "Sistem Informasi"]),
        "IKP" => rng.pick(&["Ilmu Komunikasi", "Ilmu Komunikasi", "Jurnalistik"]),
        "SEK" => rng.pick(&["Administrasi Publik", "Manajemen", "Akuntansi"]),
        _ => rng.pick(&["Administrasi Publik", "Ilmu Pemerintahan", "Teknik Informatika"]),
    };
    let s1 = match field {
        "Teknik Informatika" | "Sistem Informasi" | "Ilmu Komputer" => "S.Kom.",
        "Teknik Elektro" => "S.T.",
        "Rekayasa Kriptografi" => "S.Tr.Kom.",
        "Statistika" | "Matematika" => "S.Si.",
        "Ilmu Komunikasi" | "Jurnalistik" => "S.I.Kom.",
        "Manajemen" | "Akuntansi" => "S.E.",
        "Ilmu Pemerintahan" => "S.IP.",
        _ => "S.AP.",
    };
    let s2 = match s1 {
        "S.Kom." | "S.Tr.Kom." => "M.Kom.",
        "S.T." => "M.T.",
        "S.Si." => "M.Si.",
        "S.E." => "M.M.",
        _ => "M.Si.",
    };
    let head = matches!(kind, "jpt_pratama" | "administrator" | "pengawas");
    let roll = rng.range(0, 9);
    match (kind, level) {
        _ if head && roll < 7 => ("S2", field, format!("{s1}, {s2}")),
        _ if head => ("S1", field, s1.into()),
        (_, Some("ahli_madya" | "ahli_muda")) if roll < 4 => ("S2", field, format!("{s1}, {s2}")),
        (_, Some(l)) if l.starts_with("ahli") => ("S1", field, s1.into()),
        (_, Some(_)) => ("D3", field, if s1 == "S.Kom." { "A.Md.Kom.".into() } else { "A.Md.".into() }),
        _ if roll < 4 => ("SMA", "IPA", String::new()),
        _ if roll < 7 => ("D3", field, if s1 == "S.Kom." { "A.Md.Kom.".into() } else { "A.Md.".into() }),
        _ => ("S1", field, s1.into()),
    }
}

struct Person {
    unit: &'static str,
    position: i64,
    kind: &'static str,
    level: Option<&'static str>,
}

pub async fn seed(conn: &mut PgConnection) -> anyhow::Result<()> {
    let mut rng = Rng::new(20_261_123);
    let mut unit_ids: HashMap<&str, i64> = HashMap::new();
    let mut people: Vec<Person> = vec![];
    for (code, name, kind, parent) in UNITS {
        let parent_id = parent.and_then(|p| unit_ids.get(p).copied());
        let id: i64 = sqlx::query_scalar!(
            "insert into units (parent_id, code, name, kind) values ($1, $2, $3, $4) returning id",
            parent_id,
            code,
            name,
            kind
        )
        .fetch_one(&mut *conn)
        .await?;
        unit_ids.insert(code, id);
        let (pname, pkind, class) = head_position(
            kind,
            name.trim_start_matches("Bidang ").trim_start_matches("Seksi ").trim_start_matches("Subbagian "),
        );
        let pname = match *kind {
            "bidang" => format!("Kepala Bidang {}", name.trim_start_matches("Bidang ")),
            "seksi" => format!("Kepala Seksi {}", name.trim_start_matches("Seksi ")),
            "subbagian" => format!("Kepala Subbagian {}", name.trim_start_matches("Subbagian ")),
            _ => pname,
        };
        let pid: i64 = sqlx::query_scalar!(
            "insert into positions (unit_id, name, kind, class_grade, is_unit_head) values ($1, $2, $3, $4, true) returning id",
            id,
            &pname,
            pkind,
            class,
        )
        .fetch_one(&mut *conn)
        .await?;
        people.push(Person { unit: code, position: pid, kind: pkind, level: None });
    }
    for (unit, name, kind, level, class, count) in STAFF {
        let uid = unit_ids[unit];
        let pid: i64 = sqlx::query_scalar!(
            "insert into positions (unit_id, name, kind, functional_level, class_grade) values ($1, $2, $3, $4, $5) returning id",
            uid,
            name,
            kind,
            *level,
            class,
        )
        .fetch_one(&mut *conn)
        .await?;
        for _ in 0..*count {
            people.push(Person { unit, position: pid, kind, level: *level });
        }
    }

    let this_year: i32 = sqlx::query_scalar!(r#"select extract(year from agency_today())::int as "year!""#,)
        .fetch_one(&mut *conn)
        .await?;
    // The `pegawai` demo account: the first Pranata Komputer Ahli Pertama of Pengembangan Aplikasi,
    // a young woman appointed CPNS three years before the demo's year.
    let young = people.iter().position(|p| p.unit == "APT-PA" && p.level == Some("ahli_pertama"));
    let mut taken: HashSet<String> = HashSet::new();
    let mut employee_ids: Vec<i64> = vec![];
    for (i, p) in people.iter().enumerate() {
        let is_young = Some(i) == young;
        let female = is_young || rng.range(0, 1) == 1;
        // A first and a second name that fit the sex, never twice in the department.
        let (firsts, families) = names::for_sex(female);
        let (first, family) = loop {
            let (f, l) = (rng.pick(firsts), rng.pick(&families));
            if taken.insert(format!("{f} {l}")) {
                break (f, l);
            }
        };
        let (y0, y1) = match (p.kind, p.level) {
            ("jpt_pratama", _) => (1968, 1972),
            ("administrator", _) => (1970, 1978),
            ("pengawas", _) => (1975, 1985),
            (_, Some("ahli_madya")) => (1974, 1980),
            (_, Some("ahli_muda" | "mahir" | "penyelia")) => (1982, 1990),
            _ => (1986, 2000),
        };
        let year = if is_young { this_year - 26 } else { rng.range(y0, y1) as i32 };
        let birth = NaiveDate::from_ymd_opt(year, rng.range(1, 12) as u32, rng.range(1, 28) as u32)
            .ok_or_else(|| anyhow::anyhow!("bad demo birth date"))?;
        let pppk = !is_young
            && (p.kind == "pelaksana" && rng.range(0, 3) == 0 || (p.level == Some("terampil") && rng.range(0, 4) == 0));
        let tmt_year = if is_young {
            this_year - 3
        } else if pppk {
            rng.range(2022, 2024) as i32
        } else {
            (year + rng.range(23, 29) as i32).min(this_year - 2)
        };
        let tmt_month = rng.range(1, 12) as u32;
        let sex_digit = if female { 2 } else { 1 };
        let nip = format!("{}{tmt_year:04}{tmt_month:02}{sex_digit}{:03}", birth.format("%Y%m%d"), (i % 999) + 1);
        let (edu, field, back) = education(&mut rng, p.kind, p.level, p.unit);
        let years = (this_year - tmt_year).max(0) as usize;
        let base = match edu {
            "S2" => 9,
            "S1" => 8,
            "D3" => 6,
            _ => 4,
        };
        // Ranks follow the position's range (e.g. Ahli Pertama III/a–III/b) and years of service.
        let (lo, hi) = match (p.kind, p.level) {
            ("jpt_pratama", _) => (13, 14),
            ("administrator", _) => (12, 13),
            ("pengawas", _) => (10, 12),
            (_, Some("ahli_madya")) => (12, 14),
            (_, Some("ahli_muda" | "penyelia")) => (10, 11),
            (_, Some("ahli_pertama" | "mahir")) => (8, 9),
            (_, Some(_)) => (6, 7),
            _ => (4, 11),
        };
        let rank_idx = (base + years / 4).clamp(lo, hi);
        let rank_code = if pppk {
            let idx = match edu {
                "S1" | "S2" => 8,
                "D3" => 6,
                _ => 4,
            };
            format!("PPPK-{}", PPPK_RANKS[idx])
        } else {
            PNS_RANKS[rank_idx].to_string()
        };
        let email = format!("{}.{}{}@bandungkab.go.id", first.to_lowercase(), family.to_lowercase(), i + 1);
        let phone = format!("08{}{:08}", rng.range(11, 59), rng.range(0, 99_999_999));
        let front = if p.kind == "jpt_pratama" && rng.range(0, 1) == 0 { "Dr." } else { "" };
        let id: i64 = sqlx::query_scalar!(
            "insert into employees (nip, status, front_title, name, back_title, sex, birth_date, rank_code, position_id,
                                    unit_id, education_level, education_field, email, phone)
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning id",
            &nip,
            if pppk { "PPPK" } else { "PNS" },
            front,
            format!("{first} {family}"),
            &back,
            if female { "P" } else { "L" },
            birth,
            &rank_code,
            p.position,
            unit_ids[p.unit],
            edu,
            field,
            &email,
            &phone,
        )
        .fetch_one(&mut *conn)
        .await?;
        employee_ids.push(id);
    }

    // One demo account per role.
    let find = |unit: &str, pos_pred: &dyn Fn(&Person) -> bool| {
        people.iter().position(|p| p.unit == unit && pos_pred(p)).map(|i| employee_ids[i])
    };
    let kadis = find("DKIS", &|_| true);
    let kabid_apt = find("APT", &|_| true);
    let kabid_inf = find("INF", &|_| true);
    let hr = find("SEK-UK", &|p| p.kind == "pelaksana");
    let staff = find("APT-PA", &|p| p.level == Some("ahli_pertama"));
    let actor = Actor::system("demo seed");
    let hash = crate::auth::hash_password(DEMO_PASSWORD.to_string()).await?;
    type DemoAccount<'a> = (&'a str, Option<i64>, Vec<Role>, Option<&'a str>);
    let accounts: [DemoAccount; 6] = [
        ("admin", None, vec![Role::Admin], None),
        ("kepegawaian", hr, vec![Role::Hr, Role::Employee], None),
        ("kadis", kadis, vec![Role::Employee, Role::Head], Some("DKIS")),
        ("kabid.aptika", kabid_apt, vec![Role::Employee, Role::Head], Some("APT")),
        ("kabid.infra", kabid_inf, vec![Role::Employee, Role::Head], Some("INF")),
        ("pegawai", staff, vec![Role::Employee], None),
    ];
    for (username, employee, roles, head) in accounts {
        let head_unit = head.map(|c| unit_ids[c]);
        create_account(conn, &actor, username, employee, &hash, false, &roles, head_unit).await?;
    }
    Ok(())
}
