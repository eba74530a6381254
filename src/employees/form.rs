//! The employee form and import row: strings in, a checked `NewEmployee` or field errors out.

use chrono::{Datelike as _, NaiveDate};
use serde::Deserialize;
use sqlx::PgConnection;

use super::model::{EducationLevel, Email, EmployeeStatus, Nip, PersonName, Phone, RankCode, Sex, Title};
use crate::app::form::{FieldErrors, clean_text};

#[derive(Clone, Debug, Default, Deserialize, serde::Serialize)]
#[serde(default)]
pub struct EmployeeInput {
    pub nip: String,
    pub status: String,
    pub front_title: String,
    pub name: String,
    pub back_title: String,
    pub sex: String,
    pub birth_date: String,
    pub rank: String,
    pub position: String,
    /// What was typed to find another position, where the form offers a search instead of the
    /// whole list (`db::POSITION_LIST_MAX`); not part of the record.
    #[serde(skip_serializing)]
    pub position_q: String,
    pub education_level: String,
    pub education_field: String,
    pub email: String,
    pub phone: String,
}

#[derive(Clone, Debug)]
pub struct NewEmployee {
    pub nip: Nip,
    pub status: EmployeeStatus,
    pub front_title: Title,
    pub name: PersonName,
    pub back_title: Title,
    pub sex: Sex,
    pub birth_date: NaiveDate,
    pub rank: Option<RankCode>,
    pub education_level: Option<EducationLevel>,
    pub education_field: String,
    pub email: Option<Email>,
    pub phone: Option<Phone>,
}

/// Dates as people write them: `2026-11-23`, `23/11/2026`, `23-11-2026`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .or_else(|_| NaiveDate::parse_from_str(s, "%d-%m-%Y"))
        .ok()
        .filter(|d| d.year() >= 1900)
}

fn parse_sex(s: &str) -> Option<Sex> {
    match s.trim().to_lowercase().as_str() {
        "l" | "laki-laki" | "laki laki" | "pria" | "m" | "male" | "1" => Some(Sex::Male),
        "p" | "perempuan" | "wanita" | "f" | "female" | "2" => Some(Sex::Female),
        _ => None,
    }
}

impl EmployeeInput {
    /// Check every field; all errors at once (and only real ones). `today` is the agency's date.
    pub fn parse(&self, today: NaiveDate) -> Result<NewEmployee, FieldErrors> {
        let mut errors = FieldErrors::default();
        let status = EmployeeStatus::parse(&self.status.to_uppercase());
        if status.is_none() {
            errors.add("status", "emp.err.status");
        }
        let st = status.unwrap_or(EmployeeStatus::Pns);
        let nip = Nip::parse(&self.nip, st, today).map_err(|e| errors.add("nip", e.key())).ok();
        let text = |errors: &mut FieldErrors, field: &'static str, v: &str, max: usize| {
            clean_text(v, max).map_err(|k| errors.add(field, k)).unwrap_or_default()
        };
        let front_title = Title::parse(&self.front_title, 30).map_err(|k| errors.add("front_title", k)).ok();
        let back_title = Title::parse(&self.back_title, 60).map_err(|k| errors.add("back_title", k)).ok();
        let name = PersonName::parse(&self.name).map_err(|k| errors.add("name", k)).ok();
        let education_field = text(&mut errors, "education_field", &self.education_field, 100);

        let typed_sex = parse_sex(&self.sex);
        if !self.sex.trim().is_empty() && typed_sex.is_none() {
            errors.add("sex", "emp.err.sex");
        }
        let typed_birth = parse_date(&self.birth_date);
        if !self.birth_date.trim().is_empty() && typed_birth.is_none() {
            errors.add("birth_date", "form.bad_date");
        }
        if typed_birth.is_some_and(|b| b > today) {
            errors.add("birth_date", "emp.err.birth_future");
        } else if typed_birth.is_some_and(|b| b.year() > today.year() - 17) {
            errors.add("birth_date", "emp.err.birth_young");
        }
        let (sex, birth_date) = match (&nip, st) {
            (Some(n), EmployeeStatus::Pns) => {
                let (s, b) = (n.sex(), n.birth_date());
                if typed_sex.is_some() && typed_sex != s {
                    errors.add("sex", "emp.err.sex_nip");
                }
                if typed_birth.is_some() && typed_birth != b {
                    errors.add("birth_date", "emp.err.birth_nip");
                }
                (s, b)
            }
            // A PNS whose NIP is wrong: sex and birth date come from the NIP once it is fixed,
            // so asking for them now would be a false error.
            (None, EmployeeStatus::Pns) if status.is_some() => (typed_sex, typed_birth),
            _ => {
                if typed_sex.is_none() && errors.get("sex").is_none() {
                    errors.add("sex", "emp.err.sex");
                }
                if typed_birth.is_none() && errors.get("birth_date").is_none() {
                    errors.add("birth_date", "emp.err.birth_required");
                }
                (typed_sex, typed_birth)
            }
        };
        let rank = if self.rank.trim().is_empty() {
            None
        } else {
            RankCode::parse(&self.rank, st).map_err(|k| errors.add("rank", k)).ok()
        };
        let education_level = if self.education_level.trim().is_empty() {
            None
        } else {
            let e = EducationLevel::parse(&self.education_level.to_uppercase());
            if e.is_none() {
                errors.add("education_level", "emp.err.education");
            }
            e
        };
        let email = if self.email.trim().is_empty() {
            None
        } else {
            Email::parse(&self.email).map_err(|k| errors.add("email", k)).ok()
        };
        let phone = if self.phone.trim().is_empty() {
            None
        } else {
            Phone::parse(&self.phone).map_err(|k| errors.add("phone", k)).ok()
        };
        match (nip, sex, birth_date, status, (name, front_title, back_title), errors.is_empty()) {
            (
                Some(nip),
                Some(sex),
                Some(birth_date),
                Some(status),
                (Some(name), Some(front_title), Some(back_title)),
                true,
            ) => Ok(NewEmployee {
                nip,
                status,
                front_title,
                name,
                back_title,
                sex,
                birth_date,
                rank,
                education_level,
                education_field,
                email,
                phone,
            }),
            _ => Err(errors),
        }
    }
}

impl NewEmployee {
    /// Insert or (with `id`) update; returns the id. Position and unit are resolved by the caller.
    pub async fn save(
        &self,
        conn: &mut PgConnection,
        id: Option<i64>,
        position_id: Option<i64>,
        unit_id: i64,
    ) -> Result<i64, sqlx::Error> {
        let rank = self.rank.as_ref().map(RankCode::as_str);
        let education = self.education_level.map(EducationLevel::as_str);
        let email = self.email.as_ref().map(Email::as_str);
        let phone = self.phone.as_ref().map(Phone::as_str);
        match id {
            None => {
                sqlx::query_scalar!(
                    "insert into employees (nip, status, front_title, name, back_title, sex, birth_date, rank_code, position_id,
                       unit_id, education_level, education_field, email, phone)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) returning id",
                    self.nip.as_str(),
                    self.status.as_str(),
                    self.front_title.as_str(),
                    self.name.as_str(),
                    self.back_title.as_str(),
                    self.sex.as_str(),
                    self.birth_date,
                    rank,
                    position_id,
                    unit_id,
                    education,
                    &self.education_field,
                    email,
                    phone,
                )
                .fetch_one(conn)
                .await
            }
            Some(id) => {
                sqlx::query_scalar!(
                    "update employees set nip = $1, status = $2, front_title = $3, name = $4, back_title = $5, sex = $6,
                       birth_date = $7, rank_code = $8, position_id = $9, unit_id = $10, education_level = $11,
                       education_field = $12, email = $13, phone = $14
                     where id = $15 returning id",
                    self.nip.as_str(),
                    self.status.as_str(),
                    self.front_title.as_str(),
                    self.name.as_str(),
                    self.back_title.as_str(),
                    self.sex.as_str(),
                    self.birth_date,
                    rank,
                    position_id,
                    unit_id,
                    education,
                    &self.education_field,
                    email,
                    phone,
                    id,
                )
                .fetch_one(conn)
                .await
            }
        }
    }
}

/// The employee row as JSON for the audit log.
pub async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
    crate::audit::snapshot(conn, crate::audit::Table::Employees, id).await
}

pub fn input_from_detail(d: &super::db::Detail) -> EmployeeInput {
    EmployeeInput {
        nip: d.nip.clone(),
        status: d.status.as_str().to_string(),
        front_title: d.front_title.clone(),
        name: d.name.clone(),
        back_title: d.back_title.clone(),
        sex: d.sex.as_str().to_string(),
        birth_date: d.birth_date.format("%Y-%m-%d").to_string(),
        rank: d.rank_code.clone().unwrap_or_default(),
        position: d.position_id.map(|p| p.to_string()).unwrap_or_default(),
        education_level: d.education_level.clone().unwrap_or_default(),
        education_field: d.education_field.clone(),
        email: d.email.clone().unwrap_or_default(),
        phone: d.phone.clone().unwrap_or_default(),
        position_q: String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 24).expect("date")
    }

    fn pns() -> EmployeeInput {
        EmployeeInput {
            nip: "198609262015051001".into(),
            status: "PNS".into(),
            name: "Asep Sutisna".into(),
            rank: "III/b".into(),
            ..Default::default()
        }
    }

    #[test]
    fn pns_birth_date_and_sex_come_from_the_nip() {
        let e = pns().parse(day()).expect("valid");
        assert_eq!(e.birth_date, NaiveDate::from_ymd_opt(1986, 9, 26).expect("date"));
        assert_eq!(e.sex, Sex::Male);
        let mut wrong = pns();
        wrong.sex = "P".into();
        wrong.birth_date = "1990-01-01".into();
        let errs = wrong.parse(day()).expect_err("mismatch");
        assert_eq!(errs.get("sex"), Some("emp.err.sex_nip"));
        assert_eq!(errs.get("birth_date"), Some("emp.err.birth_nip"));
    }

    #[test]
    fn pppk_needs_sex_and_birth_date() {
        let mut p = pns();
        p.status = "PPPK".into();
        p.rank = "IX".into();
        let errs = p.parse(day()).expect_err("missing");
        assert_eq!(errs.get("sex"), Some("emp.err.sex"));
        assert_eq!(errs.get("birth_date"), Some("emp.err.birth_required"));
        p.sex = "Perempuan".into();
        p.birth_date = "26/09/1986".into();
        let e = p.parse(day()).expect("valid");
        assert_eq!(e.rank.map(|r| r.as_str().to_string()), Some("PPPK-IX".into()));
        p.birth_date = "2099-01-01".into();
        assert_eq!(p.parse(day()).expect_err("future").get("birth_date"), Some("emp.err.birth_future"));
    }

    #[test]
    fn every_bad_field_is_reported() {
        let bad = EmployeeInput {
            nip: "123".into(),
            status: "honorer".into(),
            name: "  ".into(),
            rank: "Z/z".into(),
            email: "nope".into(),
            phone: "abc".into(),
            education_level: "S9".into(),
            ..Default::default()
        };
        let errs = bad.parse(day()).expect_err("bad");
        for f in ["nip", "status", "name", "rank", "email", "phone", "education_level"] {
            assert!(errs.get(f).is_some(), "{f}");
        }
    }
}
