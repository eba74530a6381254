//! A campaign's closed values and its form, parsed at the edge: the form holds strings, `parse`
//! gives the checked campaign or every field error at once.

use chrono::NaiveDate;

use crate::{
    app::{context::Val, form::FieldErrors},
    str_enum,
};

str_enum!(
    /// What the campaign asks: every competency of each person's own position standard, or the
    /// competencies picked (for everyone in the units).
    CampaignScope {
        Standard => "standard", "camp.scope.standard",
        Picked => "picked", "camp.scope.picked",
    }
);

str_enum!(
    /// Where one item (a person × a competency) stands (`campaign_item_states`).
    ItemState {
        NotStarted => "not_started", "camp.state.not_started",
        Submitted => "submitted", "camp.state.submitted",
        Validated => "validated", "camp.state.validated",
    }
);

/// The longest a campaign may run, from today.
pub const MAX_DAYS: i64 = 366;

/// The new-campaign form as posted (units and competencies are repeated fields).
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CampaignInput {
    pub name: String,
    pub units: Vec<String>,
    /// A unit's name or code typed in the unit search (a regency's units are too many to list),
    /// resolved when the form is posted without the search's help.
    pub unit_q: String,
    /// The typed text's matches ticked when the form came back with them (kept apart from the
    /// units chosen before, so that only a tick among them settles what was typed).
    pub unit_picks: Vec<String>,
    pub scope: String,
    pub competencies: Vec<String>,
    pub only_unknown: bool,
    pub deadline: String,
    pub form_token: String,
}

impl CampaignInput {
    /// From the posted pairs (`unit` and `competency` may come many times); at most 2 000 of each.
    pub fn from_pairs(pairs: Vec<(String, String)>) -> Self {
        let mut f = Self::default();
        for (k, v) in pairs {
            match k.as_str() {
                "name" => f.name = v,
                "unit" if f.units.len() < 2000 => f.units.push(v),
                "unit_q" => f.unit_q = v,
                "unit_pick" if f.unit_picks.len() < 2000 => f.unit_picks.push(v),
                "scope" => f.scope = v,
                "competency" if f.competencies.len() < 2000 => f.competencies.push(v),
                "only_unknown" => f.only_unknown = !v.is_empty(),
                "deadline" => f.deadline = v,
                "form_token" => f.form_token = v,
                _ => {}
            }
        }
        f
    }

    pub fn has_unit(&self, id: impl Val<i64>) -> bool {
        let id = id.val().to_string();
        self.units.iter().any(|u| u.trim() == id)
    }

    pub fn has_competency(&self, id: impl Val<i64>) -> bool {
        let id = id.val().to_string();
        self.competencies.iter().any(|c| c.trim() == id)
    }

    pub fn scope_is(&self, s: CampaignScope) -> bool {
        CampaignScope::parse(&self.scope) == Some(s)
    }
}

/// The ids typed into a repeated field: whole numbers, each once; `None` when one is not a number.
pub fn parse_ids(values: &[String]) -> Option<Vec<i64>> {
    let mut ids = vec![];
    for v in values.iter().map(|v| v.trim()).filter(|v| !v.is_empty()) {
        let id = v.parse::<i64>().ok().filter(|id| *id > 0)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Some(ids)
}

/// A deadline: a real date after `today` and at most `MAX_DAYS` ahead.
pub fn parse_deadline(errors: &mut FieldErrors, value: &str, today: NaiveDate) -> Option<NaiveDate> {
    if value.trim().is_empty() {
        errors.add("deadline", "form.required");
        return None;
    }
    match crate::employees::form::parse_date(value) {
        None => {
            errors.add("deadline", "form.bad_date");
            None
        }
        Some(d) if d <= today => {
            errors.add("deadline", "camp.err.deadline_past");
            None
        }
        Some(d) if (d - today).num_days() > MAX_DAYS => {
            errors.add("deadline", "camp.err.deadline_far");
            None
        }
        Some(d) => Some(d),
    }
}

/// A person's standing in a campaign, from the counts of their items.
pub fn person_state(items: i64, not_started: i64, validated: i64) -> &'static str {
    if items > 0 && validated == items {
        "camp.person.validated"
    } else if not_started == 0 {
        "camp.person.submitted"
    } else if not_started == items {
        "camp.person.not_started"
    } else {
        "camp.person.partial"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).expect("date")
    }

    #[test]
    fn deadlines_are_future_dates_within_a_year() {
        let today = d(2026, 12, 3);
        let mut e = FieldErrors::default();
        assert_eq!(parse_deadline(&mut e, "2026-12-04", today), Some(d(2026, 12, 4)));
        assert_eq!(parse_deadline(&mut e, "15/01/2027", today), Some(d(2027, 1, 15)));
        assert!(e.is_empty());
        for (v, key) in [
            ("", "form.required"),
            ("besok", "form.bad_date"),
            ("2026-02-30", "form.bad_date"),
            ("2026-12-03", "camp.err.deadline_past"),
            ("2025-01-01", "camp.err.deadline_past"),
            ("2028-01-01", "camp.err.deadline_far"),
        ] {
            let mut e = FieldErrors::default();
            assert_eq!(parse_deadline(&mut e, v, today), None, "{v}");
            assert_eq!(e.get("deadline"), Some(key), "{v}");
        }
    }

    #[test]
    fn ids_are_positive_whole_numbers_each_once() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(parse_ids(&s(&["3", " 4 ", "3", ""])), Some(vec![3, 4]));
        assert_eq!(parse_ids(&s(&["3", "x"])), None);
        assert_eq!(parse_ids(&s(&["-1"])), None);
        assert_eq!(parse_ids(&s(&["99999999999999999999"])), None);
        assert_eq!(parse_ids(&[]), Some(vec![]));
    }

    #[test]
    fn repeated_fields_are_collected() {
        let f = CampaignInput::from_pairs(vec![
            ("name".into(), "Kampanye".into()),
            ("unit".into(), "1".into()),
            ("unit".into(), "2".into()),
            ("competency".into(), "7".into()),
            ("only_unknown".into(), "on".into()),
        ]);
        assert_eq!(f.units, vec!["1", "2"]);
        assert!(f.has_unit(2) && !f.has_unit(3) && f.has_competency(7) && f.only_unknown);
    }

    #[test]
    fn a_person_s_standing() {
        assert_eq!(person_state(3, 3, 0), "camp.person.not_started");
        assert_eq!(person_state(3, 1, 1), "camp.person.partial");
        assert_eq!(person_state(3, 0, 1), "camp.person.submitted");
        assert_eq!(person_state(3, 0, 3), "camp.person.validated");
    }
}
