//! The IDP's closed values and the progress of a line, read from the records.

use chrono::NaiveDate;

use crate::str_enum;

str_enum!(IdpRoute {
    Programme => "programme", "idp.route.programme",
    Training => "training", "idp.route.training",
    Mentor => "mentor", "idp.route.mentor",
    SelfStudy => "self_study", "idp.route.self_study",
    Assignment => "assignment", "idp.route.assignment",
});

str_enum!(IdpStatus {
    Draft => "draft", "idp.status.draft",
    Approved => "approved", "idp.status.approved",
});

str_enum!(LineSource {
    Gap => "gap", "idp.source.gap",
    Plan => "plan", "idp.source.plan",
    Template => "template", "idp.source.template",
});

/// Where a line stands (the `state` of `idp_line_progress`): its label and colour class.
pub fn state_key(state: &str) -> &'static str {
    match state {
        "reached" => "idp.state.reached",
        "moving" => "idp.state.moving",
        _ => "idp.state.not_started",
    }
}

pub fn state_class(state: &str) -> &'static str {
    match state {
        "reached" => "gap-met",
        "moving" => "gap-1",
        _ => "gap-unknown",
    }
}

/// The IDP's progress: the mean of its lines' (0 without lines).
pub fn idp_percent(lines: &[i64]) -> i64 {
    if lines.is_empty() {
        return 0;
    }
    (lines.iter().sum::<i64>() as f64 / lines.len() as f64).round() as i64
}

/// The last day of a year: the default target date of a line.
pub fn year_end(year: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(year, 12, 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_idp_percent_is_the_mean_of_its_lines() {
        assert_eq!(idp_percent(&[100, 0, 50]), 50);
        assert_eq!(idp_percent(&[100, 0, 0]), 33);
        assert_eq!(idp_percent(&[]), 0);
        assert_eq!(state_key("moving"), "idp.state.moving");
    }
}
