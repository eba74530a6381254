//! SIASN's reference lists (refreshed from SIASN by HR) and the reconciliation: read `rw-diklat`
//! and `rw-kursus` back for a unit's staff, show what SIASN has that Cakap does not and the
//! reverse, and import a SIASN-only record into Cakap's history with one click.

use axum::{
    Form,
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;
use serde_json::Value;

use super::{
    client::{list_of, text},
    records::{self, Selection},
};
use crate::{
    app::{
        AppError, AppResult, AppState, Ctx,
        render::{FlashKind, redirect_flash, render},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
};

/// The reference lists and where SIASN serves them (paths to confirm with BKN).
pub const REFS: &[(&str, &str, &str)] = &[
    ("jenis_diklat", "/referensi/jenis-diklat", "siasn.ref.jenis_diklat"),
    ("latihan_struktural", "/referensi/latihan-struktural", "siasn.ref.latihan_struktural"),
    ("jenis_kursus_sertifikat", "/referensi/jenis-kursus-sertifikat", "siasn.ref.jenis_kursus_sertifikat"),
    ("jenis_kompetensi", "/referensi/jenis-kompetensi", "siasn.ref.jenis_kompetensi"),
];

pub struct RefRow {
    pub kind: String,
    pub ref_id: String,
    pub name: String,
    pub refreshed_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(askama::Template)]
#[template(path = "siasn/refs.html")]
struct RefsPage {
    ctx: Ctx,
    configured: bool,
    groups: Vec<(&'static str, Vec<RefRow>)>,
}

async fn refs_page(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let rows: Vec<RefRow> = sqlx::query_as!(
        RefRow,
        "select kind, ref_id, name, refreshed_at from siasn_refs
         order by kind, case when ref_id ~ '^[0-9]+$' then lpad(ref_id, 10, '0') else ref_id end",
    )
    .fetch_all(&state.pool)
    .await?;
    let mut groups: Vec<(&'static str, Vec<RefRow>)> = REFS.iter().map(|(_, _, label)| (*label, vec![])).collect();
    for r in rows {
        if let Some(i) = REFS.iter().position(|(k, _, _)| *k == r.kind) {
            groups[i].1.push(r);
        }
    }
    render(&RefsPage { configured: state.siasn.configured(), ctx, groups })
}

async fn refresh(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let Some(client) = state.siasn.client() else {
        return Ok(redirect_flash("/siasn/refs", FlashKind::Err, "siasn.flash.not_configured"));
    };
    // Read every list first; write them in one transaction only when all answered.
    let mut lists = vec![];
    for (kind, path, _) in REFS {
        match client.get(path).await {
            Ok(a) => {
                let rows: Vec<(String, String)> = list_of(&a.json)
                    .iter()
                    .map(|v| {
                        (
                            text(v, "id"),
                            [text(v, "nama"), text(v, "name")].into_iter().find(|n| !n.is_empty()).unwrap_or_default(),
                        )
                    })
                    .filter(|(id, name)| !id.is_empty() && id.len() <= 60 && !name.is_empty() && name.len() <= 300)
                    .collect();
                lists.push((*kind, rows));
            }
            Err(f) => {
                tracing::warn!(kind, status = ?f.status(), "SIASN reference list not read");
                return Ok(redirect_flash("/siasn/refs", FlashKind::Err, "siasn.flash.refs_failed"));
            }
        }
    }
    let mut tx = state.pool.begin().await?;
    let mut total = 0usize;
    for (kind, rows) in &lists {
        let ids: Vec<String> = rows.iter().map(|r| r.0.clone()).collect();
        let names: Vec<String> = rows.iter().map(|r| r.1.clone()).collect();
        total += rows.len();
        sqlx::query!(
            "insert into siasn_refs (kind, ref_id, name, refreshed_at)
             select $1, i, n, now() from unnest($2::text[], $3::text[]) as x (i, n)
             on conflict (kind, ref_id) do update set name = excluded.name, refreshed_at = excluded.refreshed_at",
            *kind,
            &ids,
            &names,
        )
        .execute(&mut *tx)
        .await?;
    }
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "siasn_refs",
        0,
        "refresh",
        None,
        Some(serde_json::json!({ "rows": total })),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash("/siasn/refs", FlashKind::Ok, "siasn.flash.refs_refreshed"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReconcileQuery {
    unit: String,
}

/// A record on one side only.
pub struct Only {
    pub employee_id: i64,
    pub name: String,
    pub nip: String,
    pub kind: String,
    pub siasn_id: String,
    pub title: String,
    pub institusi: String,
    pub dates: String,
    pub jp: String,
    pub participant_id: Option<i64>,
}

#[derive(askama::Template)]
#[template(path = "siasn/reconcile.html")]
struct ReconcilePage {
    ctx: Ctx,
    configured: bool,
    units: Vec<(i64, String)>,
    unit: Option<i64>,
    read: usize,
    siasn_only: Vec<Only>,
    cakap_only: Vec<Only>,
    failed: usize,
}

impl ReconcilePage {
    fn kind_label(&self, kind: &str) -> &'static str {
        self.ctx.t(if kind == "diklat" { "siasn.kind.diklat" } else { "siasn.kind.kursus" })
    }
}

/// How many staff one reconciliation reads (two calls each).
const MAX_STAFF: i64 = 60;

fn record_title(v: &Value, kind: &str) -> String {
    let keys: &[&str] =
        if kind == "diklat" { &["latihanStrukturalNama", "namaDiklat", "nama"] } else { &["namaKursus", "nama"] };
    keys.iter().map(|k| text(v, k)).find(|t| !t.is_empty()).unwrap_or_else(|| text(v, "latihanStrukturalId"))
}

fn record_dates(v: &Value, kind: &str) -> (String, String) {
    if kind == "diklat" {
        (text(v, "tanggal"), text(v, "tanggalSelesai"))
    } else {
        (text(v, "tanggalKursus"), text(v, "tanggalSelesaiKursus"))
    }
}

async fn reconcile(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<ReconcileQuery>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let units: Vec<(i64, String)> =
        sqlx::query!("select id, name from units where closed_on is null order by sort_key")
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .map(|u| (u.id, u.name))
            .collect();
    let unit = q.unit.trim().parse::<i64>().ok().filter(|u| units.iter().any(|(id, _)| id == u));
    let mut page = ReconcilePage {
        configured: state.siasn.configured(),
        units,
        unit,
        read: 0,
        siasn_only: vec![],
        cakap_only: vec![],
        failed: 0,
        ctx,
    };
    let (Some(unit), Some(client)) = (unit, state.siasn.client()) else { return render(&page) };
    let staff: Vec<(i64, String, String)> = sqlx::query!(
        r#"select e.id, employee_display_name(e.front_title, e.name, e.back_title) as "name!", e.nip
         from employees e join units u on u.id = e.unit_id
         where e.active and u.path like (select path from units where id = $1) || '%' order by e.name limit $2"#,
        unit,
        MAX_STAFF,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|s| (s.id, s.name, s.nip))
    .collect();
    let ids: Vec<i64> = staff.iter().map(|s| s.0).collect();
    // What Cakap knows of these staff's SIASN records: sent pushes and imported records.
    let known: Vec<String> = sqlx::query_scalar!(
        r#"select p.siasn_id as "siasn_id!" from siasn_pushes p join training_participants tp on tp.id = p.participant_id
         where tp.employee_id = any($1) and p.siasn_id is not null
         union all select siasn_id from siasn_imported where employee_id = any($1)"#,
        &ids,
    )
    .fetch_all(&mut *conn)
    .await?;
    let cakap: Vec<records::Record> = records::select(&mut conn, &user.scope(), Selection::default())
        .await?
        .into_iter()
        .filter(|r| ids.contains(&r.employee_id))
        .collect();
    drop(conn);
    let mut in_siasn: std::collections::HashSet<String> = Default::default();
    for (id, name, nip) in &staff {
        for kind in ["diklat", "kursus"] {
            match client.get(&format!("/pns/rw-{kind}/{nip}")).await {
                Ok(a) => {
                    page.read += 1;
                    for v in list_of(&a.json) {
                        let sid = text(&v, "id");
                        if sid.is_empty() {
                            continue;
                        }
                        in_siasn.insert(sid.clone());
                        if !known.contains(&sid) {
                            let (from, to) = record_dates(&v, kind);
                            page.siasn_only.push(Only {
                                employee_id: *id,
                                name: name.clone(),
                                nip: nip.clone(),
                                kind: kind.into(),
                                title: record_title(&v, kind),
                                institusi: text(&v, "institusiPenyelenggara"),
                                dates: if from == to || to.is_empty() { from } else { format!("{from} – {to}") },
                                jp: text(&v, "jumlahJam"),
                                siasn_id: sid,
                                participant_id: None,
                            });
                        }
                    }
                }
                Err(f) => {
                    tracing::warn!(status = ?f.status(), "SIASN history not read");
                    page.failed += 1;
                }
            }
        }
    }
    for r in cakap {
        if r.siasn_id.as_ref().is_some_and(|s| in_siasn.contains(s)) {
            continue;
        }
        page.cakap_only.push(Only {
            employee_id: r.employee_id,
            name: r.name.clone(),
            nip: r.nip.clone(),
            kind: r.kind.clone(),
            siasn_id: r.siasn_id.clone().unwrap_or_default(),
            title: r.title.clone(),
            institusi: r.institusi.clone(),
            dates: format!("{} – {}", records::dmy(r.starts_on), records::dmy(r.ends_on)),
            jp: crate::development::model::jp_text(r.jp, page.ctx.lang.is_en()),
            participant_id: Some(r.participant_id),
        });
    }
    render(&page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ImportForm {
    employee: String,
    kind: String,
    siasn_id: String,
    unit: String,
}

fn parse_dmy(s: &str) -> Option<chrono::NaiveDate> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%d-%m-%Y").ok()
}

/// Import one SIASN-only record into the employee's history (read again from SIASN, never from
/// what the browser sent).
async fn import(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<ImportForm>,
) -> AppResult<Response> {
    let back = format!("/siasn/reconcile?unit={}", f.unit.trim().parse::<i64>().unwrap_or_default());
    let Some(client) = state.siasn.client() else {
        return Ok(redirect_flash(&back, FlashKind::Err, "siasn.flash.not_configured"));
    };
    let kind = match f.kind.as_str() {
        "diklat" => "diklat",
        "kursus" => "kursus",
        _ => return Err(AppError::BadRequest("siasn.err.kind")),
    };
    let employee: i64 = f.employee.trim().parse().map_err(|_| AppError::NotFound)?;
    let scope = user.scope();
    let nip: Option<String> = sqlx::query_scalar!(
        "select e.nip from employees e join units u on u.id = e.unit_id where e.id = $1 and scope_sees($2, $3, $4, e.id, u.path)",
        employee,
        scope.all,
        scope.own,
        &scope.unit_patterns,
    )
    .fetch_optional(&state.pool)
    .await?;
    let nip = nip.ok_or(AppError::NotFound)?;
    let answer = match client.get(&format!("/pns/rw-{kind}/{nip}")).await {
        Ok(a) => a,
        Err(_) => return Ok(redirect_flash(&back, FlashKind::Err, "siasn.flash.read_failed")),
    };
    let Some(v) = list_of(&answer.json).into_iter().find(|v| text(v, "id") == f.siasn_id.trim()) else {
        return Ok(redirect_flash(&back, FlashKind::Err, "siasn.flash.not_in_siasn"));
    };
    let (from, to) = record_dates(&v, kind);
    let jp: Option<f64> =
        text(&v, "jumlahJam").replace(',', ".").parse().ok().filter(|j: &f64| (0.0..=2000.0).contains(j));
    let year: Option<i32> = text(&v, if kind == "diklat" { "tahun" } else { "tahunKursus" }).parse().ok();
    let title: String = record_title(&v, kind).chars().take(300).collect();
    let mut tx = state.pool.begin().await?;
    // jp is bound as float8 (as before) and PostgreSQL rounds it into numeric(6, 1) on insert.
    let id: Option<i64> = sqlx::query_scalar!(
        "insert into siasn_imported (employee_id, kind, siasn_id, name, institusi, jp, nomor, starts_on, ends_on, year, imported_by)
         values ($1, $2, $3, $4, $5, $6::float8, $7, $8, $9, $10, $11) on conflict (kind, siasn_id) do nothing returning id",
        employee,
        kind,
        text(&v, "id"),
        if title.is_empty() { "—".to_string() } else { title },
        text(&v, "institusiPenyelenggara").chars().take(300).collect::<String>(),
        jp,
        [text(&v, "nomor"), text(&v, "nomorSertipikat")].into_iter().find(|n| !n.is_empty()).unwrap_or_default(),
        parse_dmy(&from),
        parse_dmy(&to),
        year,
        user.account_id,
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(id) = id {
        let after: Option<Value> =
            sqlx::query_scalar!(r#"select to_jsonb(s) as "row!" from siasn_imported s where id = $1"#, id)
                .fetch_optional(&mut *tx)
                .await?;
        audit::record(&mut tx, &Actor::from_ctx(&ctx), "siasn_imported", id, "create", None, after).await?;
    }
    tx.commit().await?;
    Ok(redirect_flash(&back, FlashKind::Ok, "siasn.flash.imported"))
}

pub fn routes() -> crate::app::Routes {
    use crate::app::Access;
    const HR: Access = Access::AnyOf(&[Role::Hr]);
    crate::app::Routes::new()
        .get("/siasn/refs", HR, refs_page)
        .post("/siasn/refs/refresh", HR, refresh)
        .get("/siasn/reconcile", HR, reconcile)
        .post("/siasn/reconcile/import", HR, import)
}
