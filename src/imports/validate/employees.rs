//! Validating an employee import: each row against the stored employee, with its changes.

use super::*;

/// An employee as stored, for merging absent columns and showing what changes.
#[derive(Clone, Debug)]
pub(super) struct Stored {
    nip: String,
    status: String,
    front_title: String,
    name: String,
    back_title: String,
    sex: String,
    birth_date: NaiveDate,
    rank_code: Option<String>,
    position_id: Option<i64>,
    position: String,
    unit_id: i64,
    unit: String,
    education_level: Option<String>,
    education_field: String,
    email: Option<String>,
    phone: Option<String>,
}

impl Stored {
    /// The stored value of a field as the import would write it.
    fn value(&self, key: &str) -> String {
        match key {
            "nip" => self.nip.clone(),
            "name" => self.name.clone(),
            "front_title" => self.front_title.clone(),
            "back_title" => self.back_title.clone(),
            "status" => self.status.clone(),
            "sex" => self.sex.clone(),
            "birth_date" => self.birth_date.format("%Y-%m-%d").to_string(),
            "rank" => self.rank_code.clone().unwrap_or_default().trim_start_matches("PPPK-").to_string(),
            "position" => self.position.clone(),
            "unit" => self.unit.clone(),
            "education_level" => self.education_level.clone().unwrap_or_default(),
            "education_field" => self.education_field.clone(),
            "email" => self.email.clone().unwrap_or_default(),
            "phone" => self.phone.clone().unwrap_or_default(),
            _ => String::new(),
        }
    }
}

/// The checked value of a field as it would be stored (for the change list).
pub(super) fn new_value(e: &NewEmployee, key: &str, position: &str, unit: &str) -> String {
    match key {
        "nip" => e.nip.as_str().to_string(),
        "name" => e.name.as_str().to_string(),
        "front_title" => e.front_title.as_str().to_string(),
        "back_title" => e.back_title.as_str().to_string(),
        "status" => e.status.as_str().to_string(),
        "sex" => e.sex.as_str().to_string(),
        "birth_date" => e.birth_date.format("%Y-%m-%d").to_string(),
        "rank" => e.rank.as_ref().map(|r| r.as_str().trim_start_matches("PPPK-").to_string()).unwrap_or_default(),
        "position" => position.to_string(),
        "unit" => unit.to_string(),
        "education_level" => e.education_level.map(|l| l.as_str().to_string()).unwrap_or_default(),
        "education_field" => e.education_field.clone(),
        "email" => e.email.as_ref().map(|m| m.as_str().to_string()).unwrap_or_default(),
        "phone" => e.phone.as_ref().map(|p| p.as_str().to_string()).unwrap_or_default(),
        _ => String::new(),
    }
}

/// A checked employee row ready to write.
pub struct EmployeeRow {
    pub employee: NewEmployee,
    pub position_id: i64,
    pub unit_id: i64,
    /// Whether applying writes anything (a new employee, or a field that changes).
    pub changes: bool,
}

/// Check employee rows with a bounded number of queries (look-ups are loaded as sets).
pub async fn employees(
    conn: &mut PgConnection,
    mapped: &Mapped,
    today: NaiveDate,
) -> Result<(Vec<RowResult>, Vec<EmployeeRow>), sqlx::Error> {
    let kind = Kind::Employees;
    let units: Vec<(i64, String, String, String)> = sqlx::query!(
        r#"select id, lower(code) as "code_key!", lower(name) as "name_key!", code from units where closed_on is null"#
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.id, r.code_key, r.name_key, r.code))
    .collect();
    let positions: Vec<(i64, i64, String, String)> =
        sqlx::query!(r#"select id, unit_id, lower(name) as "name_key!", name from positions where active"#)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|r| (r.id, r.unit_id, r.name_key, r.name))
            .collect();
    let nips: Vec<String> = mapped.rows.iter().map(nip_digits).collect();
    let stored: HashMap<String, Stored> = sqlx::query_as!(
        Stored,
        r#"select e.nip, e.status, e.front_title, e.name, e.back_title, e.sex, e.birth_date, e.rank_code,
                e.position_id, coalesce(p.name, '') as "position!", e.unit_id, u.code as unit, e.education_level,
                e.education_field, e.email, e.phone
         from employees e join units u on u.id = e.unit_id left join positions p on p.id = e.position_id
         where e.nip = any($1)"#,
        &nips,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|s| (s.nip.clone(), s))
    .collect();
    let mut unit_by: HashMap<String, (i64, String)> = HashMap::new();
    for (id, code, name, shown) in &units {
        unit_by.insert(code.clone(), (*id, shown.clone()));
        unit_by.entry(name.clone()).or_insert((*id, shown.clone()));
    }
    let pos_by: HashMap<(i64, String), (i64, String)> =
        positions.into_iter().map(|(id, u, n, shown)| ((u, n), (id, shown))).collect();
    let dup = repeated(&nips.iter().map(|n| (!n.is_empty()).then_some(n.clone())).collect::<Vec<_>>());
    let fields = kind.fields();
    let mut results = vec![];
    let mut ok = vec![];
    for (ri, r) in mapped.rows.iter().enumerate() {
        if is_example(r) {
            let values = r.values.iter().map(|v| v.clone().unwrap_or_default()).collect();
            results.push(RowResult { row: r.row, values, action: "example".into(), errors: vec![], changes: vec![] });
            continue;
        }
        let mut errors: Vec<(String, String)> = vec![];
        let numbers = number_in_identifier(kind, r, &mut errors);
        let existing = stored.get(&nips[ri]);
        // A column the file does not carry keeps the stored value.
        let get = |key: &str| -> String {
            let i = kind.index(key);
            match r.values.get(i).cloned().flatten() {
                Some(v) => v,
                None => existing.map(|s| s.value(key)).unwrap_or_default(),
            }
        };
        let input = EmployeeInput {
            nip: get("nip"),
            name: get("name"),
            front_title: get("front_title"),
            back_title: get("back_title"),
            status: get("status").to_uppercase(),
            sex: get("sex"),
            birth_date: get("birth_date"),
            rank: get("rank"),
            position: get("position"),
            education_level: get("education_level"),
            education_field: get("education_field"),
            email: get("email"),
            phone: get("phone"),
            position_q: String::new(),
        };
        let parsed = input.parse(today);
        if let Err(fe) = &parsed {
            for (field, key) in &fe.0 {
                if !numbers.contains(*field) {
                    errors.push((kind.label(field), (*key).to_string()));
                }
            }
        }
        let unit =
            if numbers.contains("unit") { None } else { unit_by.get(&get("unit").trim().to_lowercase()).cloned() };
        if unit.is_none() && !numbers.contains("unit") {
            errors.push((kind.label("unit"), "imp.err.unit".into()));
        }
        let position =
            unit.as_ref().and_then(|(u, _)| pos_by.get(&(*u, input.position.trim().to_lowercase())).cloned());
        if unit.is_some() && position.is_none() {
            errors.push((kind.label("position"), "imp.err.position".into()));
        }
        if dup[ri] {
            errors.push((kind.label("nip"), "imp.err.duplicate".into()));
        }
        let mut changes = vec![];
        let mut action = if existing.is_some() { "update" } else { "create" };
        if let (Ok(e), Some((pid, pname)), Some((uid, ucode)), true) = (&parsed, &position, &unit, errors.is_empty()) {
            if let Some(s) = existing {
                for fld in fields {
                    let from = s.value(fld.key);
                    let to = new_value(e, fld.key, pname, ucode);
                    let same = match fld.key {
                        "position" => s.position_id == Some(*pid),
                        "unit" => s.unit_id == *uid,
                        _ => from == to,
                    };
                    if !same {
                        changes.push(Change { field: fld.label.into(), from, to });
                    }
                }
                if changes.is_empty() {
                    action = "unchanged";
                }
            }
            ok.push(EmployeeRow {
                employee: e.clone(),
                position_id: *pid,
                unit_id: *uid,
                changes: action != "unchanged",
            });
        }
        let values = r.values.iter().map(|v| v.clone().unwrap_or_default()).collect();
        results.push(RowResult { row: r.row, values, action: action.into(), errors, changes });
    }
    Ok((results, ok))
}
