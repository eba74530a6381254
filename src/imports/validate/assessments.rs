//! Validating an assessment import: each row's employee, competency, level and source.

use super::*;

/// The NIP of the templates' example row: a row carrying it is the example left in the file, shown
/// in the preview as skipped and never imported.
pub const EXAMPLE_NIP: &str = "198609262015051001";

pub(super) fn is_example(r: &MappedRow) -> bool {
    r.values.first().cloned().flatten().is_some_and(|v| v.trim() == EXAMPLE_NIP)
}

/// A checked assessment row ready to write.
pub struct AssessmentRow {
    pub employee_id: i64,
    pub competency_id: i64,
    pub level: Level,
    pub date: NaiveDate,
    pub source: Source,
    /// `None` where the file has no such column (the stored value stays).
    pub assessor: Option<String>,
    pub note: Option<String>,
    pub changes: bool,
}

pub(super) fn source(s: &str) -> Option<Source> {
    let n: String = s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect();
    match n.as_str() {
        "atasan" | "penilaianatasan" | "supervisor" => Some(Source::Supervisor),
        "sertifikasi" | "sertifikat" | "certification" => Some(Source::Certification),
        "uji" | "ujikompetensi" | "tes" | "test" => Some(Source::Test),
        "assessmentcenter" | "assessmentcentre" | "pusatpenilaian" => Some(Source::AssessmentCentre),
        "pelatihan" | "hasilpelatihan" | "training" => Some(Source::Training),
        "mandiri" | "penilaianmandiri" | "self" => Some(Source::SelfAssessment),
        _ => Source::parse(s),
    }
}

/// A validated assessment already stored under the same key (employee, competency, date, source).
pub(super) struct StoredAssessment {
    employee_id: i64,
    competency_id: i64,
    assessed_on: NaiveDate,
    source: Source,
    level: i16,
    assessor_name: String,
    note: String,
}

pub async fn assessments(
    conn: &mut PgConnection,
    mapped: &Mapped,
    today: NaiveDate,
) -> Result<(Vec<RowResult>, Vec<AssessmentRow>), sqlx::Error> {
    let kind = Kind::Assessments;
    let nips: Vec<String> = mapped.rows.iter().map(nip_digits).collect();
    let codes: Vec<String> =
        mapped.rows.iter().map(|r| r.values[1].clone().unwrap_or_default().trim().to_uppercase()).collect();
    let emps: HashMap<String, i64> = sqlx::query!("select nip, id from employees where nip = any($1)", &nips)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| (r.nip, r.id))
        .collect();
    let comps: HashMap<String, i64> = sqlx::query!("select code, id from competencies where code = any($1)", &codes)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|r| (r.code, r.id))
        .collect();
    let ids: Vec<i64> = emps.values().copied().collect();
    let stored: HashMap<(i64, i64, NaiveDate, Source), StoredAssessment> = sqlx::query_as!(
        StoredAssessment,
        r#"select distinct on (employee_id, competency_id, assessed_on, source)
                employee_id, competency_id, assessed_on, source as "source: Source", level, assessor_name, note
         from assessments where status = 'validated' and employee_id = any($1)
         order by employee_id, competency_id, assessed_on, source, id"#,
        &ids,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|s| ((s.employee_id, s.competency_id, s.assessed_on, s.source), s))
    .collect();
    let mut checked = vec![];
    for (ri, r) in mapped.rows.iter().enumerate() {
        let g = |i: usize| r.values.get(i).cloned().flatten().unwrap_or_default();
        let mut errors: Vec<(String, String)> = vec![];
        let numbers = number_in_identifier(kind, r, &mut errors);
        let mut err = |fld: &str, k: &str| errors.push((kind.label(fld), k.to_string()));
        let employee = if numbers.contains("nip") {
            None
        } else {
            match Nip::parse(&g(0), EmployeeStatus::Pppk, today) {
                Err(e) => {
                    err("nip", e.key());
                    None
                }
                Ok(nip) => match emps.get(nip.as_str()) {
                    Some(id) => Some(*id),
                    None => {
                        err("nip", "imp.err.unknown_nip");
                        None
                    }
                },
            }
        };
        let competency = comps.get(&codes[ri]).copied();
        if competency.is_none() && !numbers.contains("competency") {
            err("competency", "imp.err.competency");
        }
        let level = Level::parse(&g(2)).map_err(|k| err("level", k)).ok();
        let date = match parse_date(&g(3)) {
            None => {
                err("date", "form.bad_date");
                None
            }
            Some(d) if d > today => {
                err("date", "asm.err.future");
                None
            }
            Some(d) => Some(d),
        };
        let src = source(&g(4));
        if src.is_none() {
            err("source", "asm.err.source");
        }
        let assessor =
            r.values[5].as_ref().map(|v| clean_text(v, 200).map_err(|k| err("assessor", k)).unwrap_or_default());
        let note = r.values[6].as_ref().map(|v| clean_text(v, 2000).map_err(|k| err("note", k)).unwrap_or_default());
        let key = match (employee, competency, date, src) {
            (Some(e), Some(c), Some(d), Some(s)) => Some((e, c, d, s)),
            _ => None,
        };
        checked.push((key, level, assessor, note, errors));
    }
    let dup = repeated(&checked.iter().map(|c| c.0).collect::<Vec<_>>());
    let mut results = vec![];
    let mut ok = vec![];
    for (ri, (key, level, assessor, note, mut errors)) in checked.into_iter().enumerate() {
        let r = &mapped.rows[ri];
        if is_example(r) {
            let values = r.values.iter().map(|v| v.clone().unwrap_or_default()).collect();
            results.push(RowResult { row: r.row, values, action: "example".into(), errors: vec![], changes: vec![] });
            continue;
        }
        if dup[ri] {
            errors.push((kind.label("nip"), "imp.err.duplicate_assessment".into()));
        }
        let mut changes = vec![];
        let mut action = "create";
        if let (Some(k), Some(level), true) = (key, level, errors.is_empty()) {
            if let Some(s) = stored.get(&k) {
                action = "update";
                let mut change = |field: &str, from: String, to: String| {
                    if from != to {
                        changes.push(Change { field: kind.label(field), from, to });
                    }
                };
                change("level", s.level.to_string(), level.get().to_string());
                if let Some(a) = &assessor {
                    change("assessor", s.assessor_name.clone(), a.clone());
                }
                if let Some(n) = &note {
                    change("note", s.note.clone(), n.clone());
                }
                if changes.is_empty() {
                    action = "unchanged";
                }
            }
            ok.push(AssessmentRow {
                employee_id: k.0,
                competency_id: k.1,
                date: k.2,
                source: k.3,
                level,
                assessor: assessor.clone(),
                note: note.clone(),
                changes: action != "unchanged",
            });
        }
        let values = r.values.iter().map(|v| v.clone().unwrap_or_default()).collect();
        results.push(RowResult { row: r.row, values, action: action.into(), errors, changes });
    }
    Ok((results, ok))
}
