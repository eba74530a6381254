//! SKP 2022 ratings read from SIASN (`/pns/rw-skp22/{nipBaru}`) for a unit's staff and one year.
//! A record is taken only when its values are understood (1 above expectation, 2 as expected,
//! 3 below, or the same in words, and never two that disagree). In one transaction, with the
//! staff's ratings for the year locked: a new rating is added, one SIASN gave before is updated,
//! and one recorded by hand or imported that differs is left as it is and shown beside SIASN's
//! (HR corrects it if SIASN is right). What SIASN could not answer is listed too.

use axum::{
    Form,
    extract::{Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;
use serde_json::Value;

use super::{
    db::{self, NewRating},
    model::{Expectation, Predicate},
};
use crate::{
    app::{AppResult, AppState, Ctx, form::FieldErrors, render::render},
    audit::{self, Actor},
    auth::CurrentUser,
    siasn::client::{list_of, text},
};

/// How many staff one pull reads (one call each), as a reconciliation does.
const MAX_STAFF: i64 = 60;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct PullForm {
    unit: String,
    year: String,
}

/// One person's line in the result.
pub struct Line {
    pub employee_id: i64,
    pub name: String,
    pub nip: String,
    /// What SIASN says, when read.
    pub siasn: Option<(Expectation, Expectation)>,
    /// What Cakap had: (hasil, perilaku, source).
    pub cakap: Option<(Expectation, Expectation, String)>,
    /// Why nothing was taken (a message key), when so.
    pub reason: Option<&'static str>,
}

#[derive(Default)]
pub struct Outcome {
    pub added: Vec<Line>,
    pub updated: Vec<Line>,
    pub same: usize,
    pub conflicts: Vec<Line>,
    pub missing: Vec<Line>,
    pub unreadable: Vec<Line>,
    pub failed: Vec<Line>,
    /// Staff beyond `MAX_STAFF` not read.
    pub more: i64,
}

#[derive(askama::Template)]
#[template(path = "talent/siasn_pull.html")]
struct Page {
    ctx: Ctx,
    configured: bool,
    units: Vec<(i64, String)>,
    form: PullForm,
    errors: FieldErrors,
    outcome: Option<Outcome>,
}

impl Page {
    fn exp(&self, e: &Expectation) -> &'static str {
        self.ctx.label(*e)
    }

    /// The lists of ratings taken, with their headings.
    fn taken(&self) -> Vec<(&'static str, &Vec<Line>)> {
        match &self.outcome {
            Some(o) => vec![("tal.siasn.added", &o.added), ("tal.siasn.updated", &o.updated)],
            None => vec![],
        }
    }
}

/// The value of one of SIASN's number-or-word fields: `key`Nilai (any first-letter case), else
/// the words in `key`. None when absent; Err when present but not understood or disagreeing.
fn expectation(v: &Value, key: &str) -> Result<Option<Expectation>, ()> {
    let mut cap = key.to_string();
    if let Some(first) = cap.get_mut(0..1) {
        first.make_ascii_uppercase();
    }
    let number =
        [format!("{key}Nilai"), format!("{cap}Nilai")].into_iter().map(|k| text(v, &k)).find(|t| !t.is_empty());
    let by_number = match number.as_deref() {
        None => None,
        Some("1") => Some(Expectation::Above),
        Some("2") => Some(Expectation::AsExpected),
        Some("3") => Some(Expectation::Below),
        Some(_) => return Err(()),
    };
    let words = text(v, key);
    let by_words = match words.is_empty() {
        true => None,
        false => Some(Expectation::read(&words).ok_or(())?),
    };
    match (by_number, by_words) {
        (Some(a), Some(b)) if a != b => Err(()),
        (a, b) => Ok(a.or(b)),
    }
}

/// What SIASN's record for `year` says: Ok(None) when it has none for that year.
pub fn read_year(records: &[Value], year: i32) -> Result<Option<(Expectation, Expectation)>, &'static str> {
    let of_year: Vec<&Value> = records.iter().filter(|r| text(r, "tahun").parse::<i32>().ok() == Some(year)).collect();
    let mut found: Option<(Expectation, Expectation)> = None;
    for r in of_year {
        let (Ok(Some(h)), Ok(Some(p))) = (expectation(r, "hasilKinerja"), expectation(r, "perilakuKerja")) else {
            return Err("tal.siasn.unreadable");
        };
        // Two records for one year that disagree: neither is taken.
        if found.is_some_and(|f| f != (h, p)) {
            return Err("tal.siasn.twice");
        }
        found = Some((h, p));
    }
    Ok(found)
}

async fn units(state: &AppState) -> AppResult<Vec<(i64, String)>> {
    let rows = sqlx::query!("select id, name from units where closed_on is null order by sort_key")
        .fetch_all(&state.pool)
        .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.name)).collect())
}

pub(super) async fn form(State(state): State<AppState>, ctx: Ctx, Query(f): Query<PullForm>) -> AppResult<Response> {
    let year = if f.year.is_empty() { (ctx.today.year() - 1).to_string() } else { f.year.clone() };
    let page = Page {
        configured: state.siasn.configured(),
        units: units(&state).await?,
        form: PullForm { year, ..f },
        errors: FieldErrors::default(),
        outcome: None,
        ctx,
    };
    render(&page)
}

pub(super) async fn pull(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<PullForm>,
) -> AppResult<Response> {
    let units = units(&state).await?;
    let unit = f.unit.trim().parse::<i64>().ok().filter(|u| units.iter().any(|(id, _)| id == u));
    let year = f.year.trim().parse::<i32>().ok().filter(|y| (2022..=ctx.today.year()).contains(y));
    let client = state.siasn.client();
    let mut errors = FieldErrors::default();
    if unit.is_none() {
        errors.add("unit", "tal.siasn.err.unit");
    }
    if year.is_none() {
        errors.add("year", "tal.siasn.err.year");
    }
    let mut page = Page { configured: client.is_some(), units, errors, form: f, outcome: None, ctx };
    let (Some(unit), Some(year), Some(client)) = (unit, year, client) else { return render(&page) };
    let staff: Vec<(i64, String, String, i64)> = sqlx::query!(
        r#"select e.id, employee_display_name(e.front_title, e.name, e.back_title) as "name!", e.nip,
                count(*) over () as "total!"
         from employees e join units u on u.id = e.unit_id
         where e.active and u.path like (select path from units where id = $1) || '%' order by e.name, e.id limit $2"#,
        unit,
        MAX_STAFF,
    )
    .fetch_all(&state.pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name, r.nip, r.total))
    .collect();
    let mut outcome = Outcome { more: staff.first().map_or(0, |s| s.3 - staff.len() as i64), ..Default::default() };
    // Read SIASN first, outside any transaction.
    let mut read: Vec<(Line, (Expectation, Expectation))> = vec![];
    for (employee_id, name, nip, _) in staff {
        let mut line = Line { employee_id, name, nip, siasn: None, cakap: None, reason: None };
        match client.get(&format!("/pns/rw-skp22/{}", line.nip)).await {
            Err(f) => {
                tracing::warn!(status = ?f.status(), "SIASN rw-skp22 not read");
                line.reason = Some("tal.siasn.failed");
                outcome.failed.push(line);
            }
            Ok(a) => match read_year(&list_of(&a.json), year) {
                Err(k) => {
                    line.reason = Some(k);
                    outcome.unreadable.push(line);
                }
                Ok(None) => outcome.missing.push(line),
                Ok(Some(v)) => {
                    line.siasn = Some(v);
                    read.push((line, v));
                }
            },
        }
    }
    // Then decide and write in one transaction, with the staff's ratings of the year locked, so a
    // rating recorded meanwhile by hand is seen and kept.
    let mut tx = state.pool.begin().await?;
    let ids: Vec<i64> = read.iter().map(|(l, _)| l.employee_id).collect();
    let held: Vec<(i64, Expectation, Expectation, String)> = sqlx::query!(
        r#"select employee_id, hasil_kerja as "hasil_kerja: Expectation", perilaku_kerja as "perilaku_kerja: Expectation",
                source
         from performance_ratings
         where employee_id = any($1) and year = $2 order by employee_id for update"#,
        &ids,
        year,
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.employee_id, r.hasil_kerja, r.perilaku_kerja, r.source))
    .collect();
    let mut rows = vec![];
    for (mut line, (h, p)) in read {
        let had = held.iter().find(|x| x.0 == line.employee_id);
        line.cakap = had.map(|x| (x.1, x.2, x.3.clone()));
        let new = NewRating {
            employee_id: line.employee_id,
            year,
            hasil_kerja: h,
            perilaku_kerja: p,
            predicate: Predicate::of(h, p),
        };
        match had {
            None => {
                rows.push(new);
                outcome.added.push(line);
            }
            Some(x) if (x.1, x.2) == (h, p) => outcome.same += 1,
            Some(x) if x.3 == "siasn" => {
                rows.push(new);
                outcome.updated.push(line);
            }
            Some(_) => outcome.conflicts.push(line),
        }
    }
    let changed = db::upsert_ratings(&mut tx, &rows, "siasn", user.account_id).await?;
    let actor = Actor::from_ctx(&page.ctx);
    for (id, before, after) in &changed {
        let action = if before.is_some() { "update" } else { "create" };
        audit::record(&mut tx, &actor, "performance_rating", id, action, before.clone(), Some(after.clone())).await?;
    }
    tx.commit().await?;
    page.outcome = Some(outcome);
    render(&page)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn siasn_values_are_read_without_guessing() {
        use Expectation::*;
        let r = |v: Value| read_year(&[v], 2025);
        assert_eq!(
            r(json!({"tahun": 2025, "hasilKinerjaNilai": 1, "PerilakuKerjaNilai": 2})),
            Ok(Some((Above, AsExpected)))
        );
        assert_eq!(
            r(json!({"tahun": "2025", "hasilKinerjaNilai": "3", "perilakuKerjaNilai": 3})),
            Ok(Some((Below, Below)))
        );
        // Words alone, and words that agree with the numbers.
        assert_eq!(
            r(json!({"tahun": 2025, "hasilKinerja": "SESUAI EKSPEKTASI", "perilakuKerja": "Diatas Ekspektasi"})),
            Ok(Some((AsExpected, Above)))
        );
        assert_eq!(
            r(
                json!({"tahun": 2025, "hasilKinerjaNilai": 2, "hasilKinerja": "SESUAI EKSPEKTASI", "PerilakuKerjaNilai": 2})
            ),
            Ok(Some((AsExpected, AsExpected)))
        );
        // Another year: none for this one.
        assert_eq!(r(json!({"tahun": 2024, "hasilKinerjaNilai": 1, "PerilakuKerjaNilai": 1})), Ok(None));
        // A value out of range, words that disagree with the number, a value missing: refused.
        assert_eq!(
            r(json!({"tahun": 2025, "hasilKinerjaNilai": 4, "PerilakuKerjaNilai": 1})),
            Err("tal.siasn.unreadable")
        );
        assert_eq!(
            r(
                json!({"tahun": 2025, "hasilKinerjaNilai": 1, "hasilKinerja": "DIBAWAH EKSPEKTASI", "PerilakuKerjaNilai": 1})
            ),
            Err("tal.siasn.unreadable")
        );
        assert_eq!(r(json!({"tahun": 2025, "hasilKinerjaNilai": 1})), Err("tal.siasn.unreadable"));
        // Two records of one year that disagree.
        let two = [
            json!({"tahun": 2025, "hasilKinerjaNilai": 1, "PerilakuKerjaNilai": 1}),
            json!({"tahun": 2025, "hasilKinerjaNilai": 2, "PerilakuKerjaNilai": 1}),
        ];
        assert_eq!(read_year(&two, 2025), Err("tal.siasn.twice"));
    }

    #[test]
    fn the_simulators_made_up_history_is_readable() {
        let made = crate::siasn::sim::made_up_skp("199001012015031001", 2025);
        assert_eq!(made.len(), 4);
        for y in 2022..=2025 {
            assert!(matches!(read_year(&made, y), Ok(Some(_))), "{y}");
        }
    }
}
