//! Each employee's id in SIASN (`pnsOrangId`, the `id` of `data-utama`), which every write to
//! SIASN needs. The sync reads it once per person; where SIASN is not connected, or for many
//! staff at once, HR imports it from a spreadsheet (XLSX or CSV: NIP, pnsOrangId), for example
//! the agency's export from SIASN. All rows or none: every row is checked first (a NIP typed as a
//! number, an unknown NIP, an id that is not an id, the same NIP twice, one id for two people),
//! and each problem is shown with its row. One transaction; each change in the audit log.

use axum::{
    extract::{Multipart, State},
    response::Response,
};
use serde_json::json;

use crate::{
    app::{
        AppResult, AppState, Ctx,
        form::read_multipart,
        render::{FlashKind, redirect_flash, render_status},
    },
    audit::{self, Actor},
    employees::model::Nip,
    imports::file::{self, normalise},
};

#[derive(askama::Template)]
#[template(path = "siasn/ids.html")]
struct Page {
    ctx: Ctx,
    /// Active staff, and how many of them have their SIASN id.
    staff: i64,
    known: i64,
    problems: Vec<(usize, String)>,
}

async fn page(state: &AppState, ctx: Ctx, problems: Vec<(usize, String)>) -> AppResult<Response> {
    let counts = sqlx::query!(
        r#"select count(*) as "staff!", count(se.employee_id) as "known!" from employees e
         left join siasn_employees se on se.employee_id = e.id where e.active"#,
    )
    .fetch_one(&state.pool)
    .await?;
    let (staff, known) = (counts.staff, counts.known);
    let status =
        if problems.is_empty() { axum::http::StatusCode::OK } else { axum::http::StatusCode::UNPROCESSABLE_ENTITY };
    render_status(status, &Page { ctx, staff, known, problems })
}

pub(super) async fn index(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    page(&state, ctx, vec![]).await
}

/// SIASN's ids are letters, digits and dashes (a UUID, or 32 hexadecimal characters).
pub fn orang_id(s: &str) -> Option<String> {
    let s = s.trim();
    (!s.is_empty() && s.len() <= 100 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')).then(|| s.to_string())
}

/// Import a spreadsheet of SIASN ids: all rows or none.
pub(super) async fn import(State(state): State<AppState>, ctx: Ctx, mp: Multipart) -> AppResult<Response> {
    let posted = read_multipart(mp, "file").await?;
    let Some((_, bytes)) = posted.file else {
        let m = ctx.t("tal.err.no_file").to_string();
        return page(&state, ctx, vec![(0, m)]).await;
    };
    let sheet = match file::read(&bytes) {
        Ok(s) => s,
        Err(k) => {
            let m = ctx.t(k).to_string();
            return page(&state, ctx, vec![(0, m)]).await;
        }
    };
    let Some(h) = sheet.rows.iter().position(|(_, r)| r.iter().any(|c| normalise(&c.text) == "nip")) else {
        let m = ctx.t("siasn.ids.err.header").to_string();
        return page(&state, ctx, vec![(0, m)]).await;
    };
    let header: Vec<String> = sheet.rows[h].1.iter().map(|c| normalise(&c.text)).collect();
    let col = |names: &[&str]| header.iter().position(|x| names.contains(&x.as_str()));
    let (Some(c_nip), Some(c_id)) = (col(&["nip", "nipbaru"]), col(&["pnsorangid", "idpns", "idsiasn", "pnsid"]))
    else {
        let m = ctx.t("siasn.ids.err.header").to_string();
        return page(&state, ctx, vec![(0, m)]).await;
    };
    let cell = |r: &[file::Cell], c: usize| r.get(c).map(|x| x.text.clone()).unwrap_or_default();
    // (row, nip digits, nip typed as a number, id)
    let parsed: Vec<(usize, String, bool, String)> = sheet.rows[h + 1..]
        .iter()
        .filter(|(_, r)| r.iter().any(|c| !c.text.trim().is_empty()))
        .map(|(n, r)| (*n, Nip::typed_digits(&cell(r, c_nip)), r.get(c_nip).is_some_and(|x| x.numeric), cell(r, c_id)))
        .collect();
    let nips: Vec<String> = parsed.iter().map(|p| p.1.clone()).collect();
    let mut tx = state.pool.begin().await?;
    let found: Vec<(String, i64)> = sqlx::query!("select nip, id from employees where nip = any($1)", &nips)
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .map(|r| (r.nip, r.id))
        .collect();
    let ids: Vec<String> = parsed.iter().filter_map(|p| orang_id(&p.3)).collect();
    // Ids already held, by whom: locked, so two imports at once cannot give one id to two people.
    let held: Vec<(String, i64)> = sqlx::query!(
        "select pns_orang_id, employee_id from siasn_employees where pns_orang_id = any($1) order by employee_id for update",
        &ids,
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.pns_orang_id, r.employee_id))
    .collect();
    let mut problems = vec![];
    let mut rows: Vec<(i64, String)> = vec![];
    let mut nips_seen = std::collections::HashSet::new();
    let mut ids_seen = std::collections::HashMap::new();
    for (n, nip, numeric, raw_id) in parsed {
        let mut bad = |k: &'static str| problems.push((n, ctx.t(k).to_string()));
        let employee = found.iter().find(|(x, _)| *x == nip).map(|f| f.1);
        match employee {
            None if numeric => bad("tal.err.nip_number"),
            None => bad("tal.err.nip"),
            Some(_) if !nips_seen.insert(nip.clone()) => bad("siasn.ids.err.twice"),
            Some(_) => {}
        }
        let id = orang_id(&raw_id);
        if id.is_none() {
            bad("siasn.ids.err.id");
        }
        if let (Some(e), Some(id)) = (employee, id) {
            let other_in_file = ids_seen.insert(id.clone(), e).is_some_and(|o| o != e);
            let other_held = held.iter().any(|(h, he)| *h == id && *he != e);
            if other_in_file || other_held {
                bad("siasn.ids.err.taken");
            }
            rows.push((e, id));
        }
    }
    if rows.is_empty() && problems.is_empty() {
        problems.push((0, ctx.t("tal.err.no_rows").to_string()));
    }
    if !problems.is_empty() {
        drop(tx);
        return page(&state, ctx, problems).await;
    }
    let employees: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let before: Vec<(i64, String)> = sqlx::query!(
        "select employee_id, pns_orang_id from siasn_employees where employee_id = any($1) order by employee_id for update",
        &employees,
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| (r.employee_id, r.pns_orang_id))
    .collect();
    let changed: Vec<&(i64, String)> =
        rows.iter().filter(|(e, id)| !before.iter().any(|(b, bid)| b == e && bid == id)).collect();
    let (changed_ids, changed_values): (Vec<i64>, Vec<String>) = changed.iter().map(|(e, id)| (*e, id.clone())).unzip();
    sqlx::query!(
        "insert into siasn_employees (employee_id, pns_orang_id)
         select * from unnest($1::bigint[], $2::text[])
         on conflict (employee_id) do update set pns_orang_id = excluded.pns_orang_id, read_at = now()",
        &changed_ids,
        &changed_values,
    )
    .execute(&mut *tx)
    .await?;
    let actor = Actor::from_ctx(&ctx);
    for (e, id) in &changed {
        let old = before.iter().find(|(b, _)| b == e).map(|(_, v)| json!({ "pns_orang_id": v }));
        let action = if old.is_some() { "update" } else { "create" };
        audit::record(
            &mut tx,
            &actor,
            "siasn_employee",
            e,
            action,
            old,
            Some(json!({ "pns_orang_id": id, "source": "import" })),
        )
        .await?;
    }
    tx.commit().await?;
    let flash = if changed.is_empty() { "siasn.ids.flash.same" } else { "siasn.ids.flash.imported" };
    Ok(redirect_flash("/siasn/ids", FlashKind::Ok, flash))
}

/// The file HR fills in: a CSV with the header line and one example row.
pub(super) async fn template() -> Response {
    use axum::{http::header, response::IntoResponse as _};
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"id-siasn-pegawai.csv\""),
        ],
        "NIP,pnsOrangId\n199001012015031001,A8ACA7397AEB3912E040640A040269BB\n",
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::orang_id;

    #[test]
    fn siasn_ids_are_ids() {
        assert_eq!(orang_id(" A8ACA7397AEB3912E040640A040269BB "), Some("A8ACA7397AEB3912E040640A040269BB".into()));
        assert_eq!(
            orang_id("0f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b"),
            Some("0f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b".into())
        );
        assert_eq!(orang_id(""), None);
        assert_eq!(orang_id("=HYPERLINK(\"x\")"), None);
        assert_eq!(orang_id("A8AC A739"), None);
    }
}
