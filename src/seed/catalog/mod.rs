//! Demo step 2: the default ICT competency catalog (written for Cakap; no licensed framework
//! text), position standards and assessment histories that leave some staff clearly
//! under-skilled and a few clearly expert.

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::Rng;

mod assessments;
mod data;

use assessments::*;
pub use data::*;

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

struct Pos {
    id: i64,
    kind: String,
    functional_level: Option<String>,
    unit_code: String,
}

pub async fn seed(conn: &mut PgConnection) -> anyhow::Result<()> {
    for (code, kind, area, name_id, name_en, subj_id, subj_en, reference) in CATALOG {
        let id: i64 = sqlx::query_scalar!(
            "insert into competencies (code, kind, area, name_id, name_en, description_id, description_en, framework_ref)
             values ($1, $2, $3, $4, $5, $6, $7, $8) returning id",
            code,
            kind,
            area,
            name_id,
            name_en,
            format!("Kemampuan dalam {subj_id}."),
            format!("Ability in {subj_en}."),
            if reference.is_empty() { String::new() } else { format!("e-CF {reference}") },
        )
        .fetch_one(&mut *conn)
        .await?;
        let template = descriptors(subj_id, subj_en);
        let written = super::descriptors::of(code);
        for (i, (d_id, d_en)) in template.iter().enumerate() {
            let (d_id, d_en) = match written {
                Some(w) => (w[i].0, w[i].1),
                None => (d_id.as_str(), d_en.as_str()),
            };
            sqlx::query!(
                "insert into competency_levels (competency_id, level, descriptor_id, descriptor_en) values ($1, $2, $3, $4)",
                id,
                i as i16 + 1,
                d_id,
                d_en,
            )
                .execute(&mut *conn)
                .await?;
        }
    }

    // Position standards: technical by unit, managerial and socio-cultural by tier.
    let positions = sqlx::query_as!(
        Pos,
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
    sqlx::query!(
        "insert into position_standards (position_id, competency_id, required_level, priority)
         select s.pos, c.id, s.lvl, s.prio
         from unnest($1::bigint[], $2::text[], $3::smallint[], $4::text[]) as s(pos, code, lvl, prio)
         join competencies c on c.code = s.code",
        &s_pos,
        &s_code,
        &s_level,
        &s_prio as &[&str]
    )
    .execute(&mut *conn)
    .await?;

    seed_assessments(conn).await
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
    sqlx::query!(
        "update competency_levels cl set descriptor_id = n.new_id, descriptor_en = n.new_en
         from unnest($1::text[], $2::smallint[], $3::text[], $4::text[], $5::text[]) as n(code, level, old_id, new_id, new_en)
         join competencies c on c.code = n.code
         where cl.competency_id = c.id and cl.level = n.level and cl.descriptor_id = n.old_id",
        &codes,
        &levels,
        &old_id,
        &new_id,
        &new_en,
    )
    .execute(conn)
    .await?;
    Ok(())
}
