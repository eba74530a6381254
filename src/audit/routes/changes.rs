//! How an entry's change reads: each field's label and value in words, the link to the record.

use super::*;

pub(super) fn show(v: &Option<serde_json::Value>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

/// Fields never shown: internal ids and bookkeeping, secrets, file contents.
pub(super) const HIDDEN: &[&str] =
    &["id", "version", "created_at", "updated_at", "password_hash", "data", "sha256", "path", "sort_key"];

/// A value in words: yes/no, empty as "—", names for the ids we can name.
pub(super) fn value(
    ctx: &Ctx,
    entity: &str,
    key: &str,
    v: Option<&serde_json::Value>,
    names: &HashMap<(String, String), String>,
) -> String {
    use serde_json::Value;
    if let (Some(Value::String(s)), Some(prefix)) = (v, enum_prefix(entity, key)) {
        let k = format!("{prefix}.{}", s.to_lowercase());
        if let Some(k) = crate::i18n::key(&k) {
            return ctx.t(k).to_string();
        }
    }
    match v {
        None | Some(Value::Null) => "—".into(),
        Some(Value::Bool(b)) => ctx.yes_no(*b).into(),
        Some(Value::String(s)) if s.is_empty() => "—".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => match ref_table(key) {
            Some(t) => names.get(&(t.to_string(), n.to_string())).cloned().unwrap_or_else(|| n.to_string()),
            None => n.to_string(),
        },
        Some(Value::Array(a)) => a
            .iter()
            .map(|x| match x {
                Value::String(s) => s.clone(),
                // A role held: "Kepala unit (Bidang …)".
                Value::Object(o) if o.contains_key("role") => {
                    let role = o.get("role").and_then(|r| r.as_str()).unwrap_or("");
                    let label = crate::i18n::key(&format!("role.{role}")).map(|k| ctx.t(k)).unwrap_or(role);
                    match o.get("unit_id").filter(|u| !u.is_null()) {
                        Some(u) => format!(
                            "{label} ({})",
                            names.get(&("unit".to_string(), u.to_string())).cloned().unwrap_or_else(|| u.to_string())
                        ),
                        None => label.to_string(),
                    }
                }
                other => ref_table(key)
                    .and_then(|t| names.get(&(t.to_string(), other.to_string())).cloned())
                    .unwrap_or_else(|| other.to_string()),
            })
            .collect::<Vec<_>>()
            .join(", "),
        Some(Value::Object(o)) => {
            o.iter().map(|(k, v)| format!("{}: {}", field_label(ctx, k), v)).collect::<Vec<_>>().join("; ")
        }
    }
}

/// The label family of a stored code (statuses, kinds, sources…), so it reads in words.
pub(super) fn enum_prefix(entity: &str, key: &str) -> Option<&'static str> {
    Some(match (entity, key) {
        ("assessment", "status") => "status",
        ("assessment", "source") => "src",
        ("participant", "status") => "pstatus",
        ("training", "status") => "tstatus",
        ("training", "form") => "tform",
        ("activity", "status") => "astatus",
        ("activity", "kind") | ("jp_rule", "kind") => "akind",
        ("training_request", "status") => "rstatus",
        ("provider", "kind") => "prov.kind",
        ("unit", "kind") => "unit.kind",
        ("position", "kind") => "pos.kind",
        ("competency", "kind") => "comp.kind",
        ("competency", "area") => "comp.area",
        ("employee", "sex") => "emp.sex",
        ("account", "delivery") => "code.delivery",
        (_, "priority") => "prio",
        _ => return None,
    })
}

/// Which record an id field points to, for naming it.
pub(super) fn ref_table(key: &str) -> Option<&'static str> {
    match key {
        "employee_id" | "mentor_id" | "learners" => Some("employee"),
        "unit_id" | "parent_id" | "budget_unit_id" => Some("unit"),
        "position_id" => Some("position"),
        "competency_id" => Some("competency"),
        "training_id" => Some("training"),
        "provider_id" => Some("provider"),
        _ => None,
    }
}

/// A field's label in the reader's language (known fields), else the field in plain words.
pub(super) fn field_label(ctx: &Ctx, key: &str) -> String {
    let k = format!("aud.field.{key}");
    match crate::i18n::key(&k) {
        Some(k) => ctx.t(k).to_string(),
        None => {
            let words = key.trim_end_matches("_id").replace('_', " ");
            let mut c = words.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        }
    }
}

/// The fields that differ between before and after (all of them for a create or a removal).
pub(super) fn changes(
    ctx: &Ctx,
    entity: &str,
    before: &Option<serde_json::Value>,
    after: &Option<serde_json::Value>,
    names: &HashMap<(String, String), String>,
) -> Vec<Change> {
    let empty = serde_json::Map::new();
    let b = before.as_ref().and_then(|v| v.as_object()).unwrap_or(&empty);
    let a = after.as_ref().and_then(|v| v.as_object()).unwrap_or(&empty);
    let mut keys: Vec<&String> = b.keys().chain(a.keys()).collect();
    keys.sort();
    keys.dedup();
    keys.into_iter()
        .filter(|k| !HIDDEN.contains(&k.as_str()) && b.get(*k) != a.get(*k))
        .map(|k| Change {
            field: field_label(ctx, k),
            before: if before.is_some() { value(ctx, entity, k, b.get(k), names) } else { String::new() },
            after: if after.is_some() { value(ctx, entity, k, a.get(k), names) } else { String::new() },
        })
        .collect()
}

/// Where a record's page is, if it has one.
pub(super) fn link(entity: &str, id: &str) -> Option<String> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(match entity {
        "employee" => format!("/employees/{id}"),
        "unit" => format!("/units/{id}/edit"),
        "position" | "position_standard" => format!("/positions/{id}"),
        "competency" => format!("/competencies/{id}"),
        "training" => format!("/trainings/{id}"),
        "provider" => format!("/providers/{id}/edit"),
        "account" => format!("/accounts/{id}"),
        _ => return None,
    })
}
