//! The AKPK (analisis kebutuhan pengembangan kompetensi): a unit's yearly competency-development
//! needs, from the plan accepted last, as a page, a landscape PDF signed by the head of the dinas,
//! and a CSV or XLSX whose levels, JP and costs are numbers (with a totals row in the XLSX).

use std::sync::OnceLock;

use axum::{
    extract::{Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;
use sqlx::PgConnection;

use super::routes::pick_unit;
use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        context::Val,
        export::{self, Columns, Kind, Table},
        pdf::{self, Block, Signature},
        render::render,
    },
    auth::{CurrentUser, Role},
    development::model::{jenis_name, jp_text, rupiah},
};

mod document;

use document::*;

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new().get("/gaps/akpk", Access::AnyOf(HR_HEAD), akpk)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AkpkQuery {
    unit: String,
    year: String,
    format: String,
}

/// One AKPK row.
#[derive(Clone, Debug)]
pub struct AkpkRow {
    pub nip: String,
    pub name: String,
    pub position: String,
    pub unit: String,
    pub kind: String,
    pub code: String,
    pub competency: String,
    pub required_level: i16,
    pub current_level: i16,
    pub priority: String,
    pub route: String,
    pub jenis_diklat: i16,
    pub programme: String,
    pub provider: String,
    pub jp: f64,
    pub estimated_cost: i64,
    pub funding: String,
    pub status: Option<String>,
}

impl AkpkRow {
    pub fn gap(&self) -> i16 {
        (self.required_level - self.current_level).max(0)
    }
}

/// Who signs the AKPK: the head of the dinas the unit belongs to (the topmost unit of kind
/// `dinas` above it, or itself), as the records hold it. No head recorded: the name, rank and
/// NIP stay blank, to be written by hand.
#[derive(Clone, Debug, Default)]
pub struct Signer {
    /// The dinas' name ("Dinas Komunikasi, Informatika dan Statistik"); empty if the unit has no
    /// dinas above it.
    pub dinas: String,
    pub name: Option<String>,
    pub nip: Option<String>,
    /// Pangkat/golongan: "IV/c Pembina Utama Muda".
    pub rank: Option<String>,
}

#[derive(askama::Template)]
#[template(path = "gaps/akpk.html")]
struct AkpkPage<'a> {
    ctx: Ctx,
    unit_id: i64,
    unit_name: String,
    year: i32,
    plan: Option<AcceptedPlan>,
    rows: &'a [AkpkRow],
}

/// The plan accepted last: id, when, budget, whether it was the optimal one.
type AcceptedPlan = (i64, chrono::DateTime<chrono::Utc>, i64, bool);

/// A unit's AKPK for a year at one version of the records (in the key's language): the plan
/// accepted last, its lines, who signs, and each file once made (an XLSX took longer to make than
/// any page to draw).
struct AkpkData {
    plan: Option<AcceptedPlan>,
    rows: Vec<AkpkRow>,
    signer: Signer,
    csv: OnceLock<export::File>,
    xlsx: OnceLock<export::File>,
}

impl crate::app::versioned::Weigh for AkpkData {
    fn bytes(&self) -> usize {
        // The rows, and the files made from them for the first reader who asks.
        crate::app::versioned::rows_bytes(&self.rows, 2_500) + 20_000
    }
}

impl AkpkPage<'_> {
    fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }

    fn jenis(&self, j: impl Val<i16>) -> String {
        format!("{} {}", j.val(), jenis_name(j.val()))
    }

    fn status_label(&self, r: &AkpkRow) -> &'static str {
        status_label(&self.ctx, r)
    }

    fn total_jp(&self) -> f64 {
        self.rows.iter().map(|r| r.jp).sum()
    }

    fn total_cost(&self) -> i64 {
        self.rows.iter().map(|r| r.estimated_cost).sum()
    }
}

fn status_label(ctx: &Ctx, r: &AkpkRow) -> &'static str {
    match &r.status {
        Some(s) => ctx.tv("pstatus", s),
        None => ctx.t("akpk.proposed"),
    }
}

/// The place a document of the agency is signed at, from its name (there is no setting for the
/// city): the region its name ends with, "Kabupaten Bandung" from "Dinas … Kabupaten Bandung";
/// a city's name alone ("Bandung" from "… Kota Bandung"); nothing if the name names no region.
pub fn signing_place(agency: &str) -> String {
    let found = ["Kabupaten ", "Kab. ", "Kota ", "Provinsi "]
        .iter()
        .filter_map(|p| agency.rfind(p).map(|i| (i, *p)))
        .max_by_key(|(i, _)| *i);
    match found {
        Some((i, "Kota ")) => agency[i + "Kota ".len()..].trim().to_string(),
        Some((i, _)) => agency[i..].trim().to_string(),
        None => String::new(),
    }
}

/// The AKPK of a unit for a year: the plan accepted last and its lines, in the language asked,
/// and the head of its dinas.
async fn akpk_data(
    conn: &mut PgConnection,
    unit_id: i64,
    path: &str,
    year: i32,
    en: bool,
) -> Result<AkpkData, sqlx::Error> {
    let plan: Option<AcceptedPlan> = sqlx::query!(
        "select id, accepted_at, budget, optimal from dev_plans where unit_id = $1 and year = $2 order by accepted_at desc, id desc limit 1",
        unit_id,
        year,
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| (r.id, r.accepted_at, r.budget, r.optimal));
    let rows: Vec<AkpkRow> = match plan {
        Some((id, ..)) => {
            sqlx::query_as!(
                AkpkRow,
                r#"select e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                        coalesce(p.name, '') as "position!", u.name as unit, c.kind, c.code,
                        case when $2 then c.name_en else c.name_id end as "competency!",
                        i.required_level, i.current_level, i.priority, i.route, i.jenis_diklat, i.programme, i.provider,
                        i.jp::float8 as "jp!", i.estimated_cost, i.funding, tp.status as "status?"
                 from dev_plan_items i join employees e on e.id = i.employee_id join units u on u.id = e.unit_id
                 left join positions p on p.id = e.position_id join competencies c on c.id = i.competency_id
                 left join training_participants tp on tp.training_id = i.training_id and tp.employee_id = i.employee_id
                 where i.plan_id = $1 order by e.name, c.code, i.id"#,
                id,
                en,
            )
            .fetch_all(&mut *conn)
            .await?
        }
        None => vec![],
    };
    // The head of the topmost dinas at or above the unit: an active account with the head role
    // for that unit (the latest given, if several), and its employee's rank.
    let signer: Signer = sqlx::query_as!(
        Signer,
        r#"select d.name as dinas, h.name as "name?", h.nip as "nip?", h.rank as "rank?"
         from units d
         left join lateral (
           select employee_display_name(e.front_title, e.name, e.back_title) as name, e.nip,
                  rank_label(r.grade, r.status, r.title) as rank
           from account_roles ar join accounts a on a.id = ar.account_id
           join employees e on e.id = a.employee_id left join ranks r on r.code = e.rank_code
           where ar.role = 'head' and ar.unit_id = d.id and a.disabled_at is null and e.active
           order by ar.created_at desc, ar.id desc limit 1
         ) h on true
         where d.kind = 'dinas' and $1 like d.path || '%'
         order by length(d.path) limit 1"#,
        path,
    )
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or_default();
    Ok(AkpkData { plan, rows, signer, csv: OnceLock::new(), xlsx: OnceLock::new() })
}

async fn akpk(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<AkpkQuery>,
) -> AppResult<Response> {
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &q.unit).await?;
    let year = q.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or(ctx.today.year());
    let (en, today) = (ctx.lang.is_en(), ctx.today);
    let key = format!("gaps.akpk:{unit_id}:{year}:{en}:{today}");
    let data = state
        .versions
        .get(&state.pool, key, move |conn| Box::pin(async move { akpk_data(conn, unit_id, &path, year, en).await }))
        .await?;
    if q.format == "pdf" {
        let meta = pdf::meta(&ctx, format!("AKPK {year}: {unit_name}"), true);
        return Ok(pdf::response(&format!("akpk-{year}"), pdf::render(&meta, &pdf_blocks(&ctx, &data))));
    }
    if export::wanted(&q.format) {
        let cell = if q.format == "xlsx" { &data.xlsx } else { &data.csv };
        let file = crate::app::versioned::once(cell, || {
            let (table, columns) = export_table(&ctx, year, &data.rows);
            export::file_with(&ctx, &q.format, &table, &columns)
        })?;
        return Ok(axum::response::IntoResponse::into_response(file.clone()));
    }
    render(&AkpkPage { ctx, unit_id, unit_name, year, plan: data.plan, rows: &data.rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_place_is_the_region_the_agency_is_named_after() {
        assert_eq!(signing_place("Dinas Komunikasi, Informatika dan Statistik Kabupaten Bandung"), "Kabupaten Bandung");
        assert_eq!(signing_place("Dinas Komunikasi dan Informatika Kota Bandung"), "Bandung");
        assert_eq!(signing_place("Diskominfo"), "");
    }
}
