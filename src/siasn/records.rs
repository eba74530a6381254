//! The training results SIASN takes (`siasn_records`), what each still lacks in words, the bodies
//! the sync sends, and the SIASN files (riwayat diklat, riwayat kursus) with a "what is missing"
//! column.

use axum::response::Response;
use chrono::Datelike as _;
use serde_json::{Value, json};

use crate::{
    app::{
        AppResult, AppState, Ctx,
        export::{self, Table},
    },
    auth::Scope,
    development::model::{ActivityKind, jp_text},
};

/// One result as SIASN will get it, with its push (if any) and the employee's name.
#[derive(Clone, Debug)]
pub struct Record {
    pub participant_id: i64,
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub pns_orang_id: String,
    pub training_id: i64,
    pub title: String,
    pub jenis_diklat: i16,
    /// The type's name on SIASN's list as HR last refreshed it.
    pub jenis_name: String,
    pub kind: String,
    pub latihan_struktural_id: String,
    pub jenis_kompetensi: String,
    pub bobot: Option<f64>,
    pub jenis_kursus_sertifikat: String,
    pub lokasi_id: String,
    pub institusi: String,
    pub jp: f64,
    pub certificate_no: String,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub year: i32,
    pub certificate_file_id: Option<i64>,
    pub certificate_file: Option<String>,
    pub missing: Vec<String>,
    pub push_id: Option<i64>,
    pub push_status: Option<String>,
    pub siasn_id: Option<String>,
    pub error_kind: Option<String>,
    pub error_detail: Option<String>,
}

/// Which results: one training, one year, everything not yet sent, or one employee's.
#[derive(Clone, Copy, Debug, Default)]
pub struct Selection {
    pub training: Option<i64>,
    pub year: Option<i32>,
    pub unsent: bool,
    pub employee: Option<i64>,
    pub participant: Option<i64>,
}

/// Every column of `siasn_records` is a view's (PostgreSQL cannot say which are null), so each
/// says it here: the view's not-null ones with `!`, the push's and the file's (outer joins) with `?`.
pub async fn select(conn: &mut sqlx::PgConnection, scope: &Scope, s: Selection) -> Result<Vec<Record>, sqlx::Error> {
    sqlx::query_as!(
        Record,
        r#"select r.participant_id as "participant_id!", r.employee_id as "employee_id!", r.nip as "nip!",
        employee_display_name(e.front_title, e.name, e.back_title) as "name!",
        r.pns_orang_id as "pns_orang_id!", r.training_id as "training_id!", r.title as "title!",
        r.jenis_diklat as "jenis_diklat!", coalesce(rj.name, '') as "jenis_name!", r.kind as "kind!",
        r.latihan_struktural_id as "latihan_struktural_id!", r.jenis_kompetensi as "jenis_kompetensi!", r.bobot,
        r.jenis_kursus_sertifikat as "jenis_kursus_sertifikat!", r.lokasi_id as "lokasi_id!", r.institusi as "institusi!",
        r.jp as "jp!", r.certificate_no as "certificate_no!", r.starts_on as "starts_on!", r.ends_on as "ends_on!",
        r.year as "year!", r.certificate_file_id, f.filename as "certificate_file?", r.missing as "missing!",
        p.id as "push_id?", p.status as "push_status?", p.siasn_id as "siasn_id?", p.error_kind as "error_kind?",
        p.error_detail as "error_detail?"
 from siasn_records r join employees e on e.id = r.employee_id join units u on u.id = e.unit_id
 left join evidence_files f on f.id = r.certificate_file_id left join siasn_pushes p on p.participant_id = r.participant_id
 left join siasn_refs rj on rj.kind = 'jenis_diklat' and rj.ref_id = r.jenis_diklat::text
 where scope_sees($1, $2, $3, e.id, u.path) and ($4::bigint is null or r.training_id = $4) and ($5::int is null or r.year = $5)
   and (not $6 or p.id is null or p.status <> 'sent') and ($7::bigint is null or r.employee_id = $7)
   and ($8::bigint is null or r.participant_id = $8)
 order by r.ends_on desc, r.training_id, e.name, r.participant_id"#,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        s.training,
        s.year,
        s.unsent,
        s.employee,
        s.participant,
    )
    .fetch_all(conn)
    .await
}

/// The i18n key saying what to do about a missing field.
pub fn missing_key(code: &str) -> &'static str {
    match code {
        "latihan_struktural" => "siasn.missing.latihan_struktural",
        "jenis_kompetensi" => "siasn.missing.jenis_kompetensi",
        "bobot" => "siasn.missing.bobot",
        "jenis_kursus_sertifikat" => "siasn.missing.jenis_kursus_sertifikat",
        "lokasi" => "siasn.missing.lokasi",
        "institusi" => "siasn.missing.institusi",
        "nomor" => "siasn.missing.nomor",
        "berkas" => "siasn.missing.berkas",
        "pns" => "siasn.missing.pns",
        "instansi" => "siasn.missing.instansi",
        "informal" => "siasn.missing.informal",
        _ => "siasn.missing.other",
    }
}

/// Whether a missing field is fixed on the training's SIASN form (else on the participant's result).
pub fn on_training(code: &str) -> bool {
    matches!(
        code,
        "latihan_struktural" | "jenis_kompetensi" | "bobot" | "jenis_kursus_sertifikat" | "lokasi" | "institusi"
    )
}

/// The missing fields in words, joined.
pub fn missing_words(ctx: &Ctx, codes: &[String]) -> String {
    codes.iter().map(|c| ctx.t(missing_key(c))).collect::<Vec<_>>().join("; ")
}

pub fn dmy(d: chrono::NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// What `POST /diklat/save` or `POST /kursus/save` gets for this result.
pub fn body(r: &Record, pns_orang_id: &str, instansi_id: &str, siasn_id: Option<&str>, doc: Option<&Value>) -> Value {
    let path: Vec<Value> = doc.cloned().into_iter().collect();
    let jam = (r.jp * 10.0).round() / 10.0;
    if r.kind == "diklat" {
        json!({
            "id": siasn_id,
            "pnsOrangId": pns_orang_id,
            "latihanStrukturalId": r.latihan_struktural_id,
            "nomor": r.certificate_no,
            "tanggal": dmy(r.starts_on),
            "tanggalSelesai": dmy(r.ends_on),
            "tahun": r.year,
            "jumlahJam": jam,
            "bobot": r.bobot,
            "jenisKompetensi": r.jenis_kompetensi,
            "institusiPenyelenggara": r.institusi,
            "path": path,
        })
    } else {
        json!({
            "id": siasn_id,
            "instansiId": instansi_id,
            "pnsOrangId": pns_orang_id,
            "jenisDiklatId": r.jenis_diklat.to_string(),
            "jenisKursus": r.jenis_name,
            "jenisKursusSertipikat": r.jenis_kursus_sertifikat,
            "namaKursus": r.title,
            "institusiPenyelenggara": r.institusi,
            "jumlahJam": jam,
            "lokasiId": r.lokasi_id,
            "nomorSertipikat": r.certificate_no,
            "tahunKursus": r.year,
            "tanggalKursus": dmy(r.starts_on),
            "tanggalSelesaiKursus": dmy(r.ends_on),
            "path": path,
        })
    }
}

/// The SIASN files as CSV, for one employee (`employee`) or everyone in scope in a year: every
/// field SIASN's save takes, and a last column saying in words what a row still lacks.
pub async fn file(
    state: &AppState,
    ctx: &Ctx,
    scope: &Scope,
    employee: Option<i64>,
    year: Option<i32>,
    diklat: bool,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let records = select(&mut conn, scope, Selection { year, employee, ..Selection::default() }).await?;
    let instansi = state.siasn.client().map(|c| c.settings.instansi_id.clone()).unwrap_or_default();
    let missing = |r: &Record| {
        let mut m = r.missing.clone();
        if r.pns_orang_id.is_empty() {
            m.push("pns".into());
        }
        if !diklat && instansi.is_empty() {
            m.push("instansi".into());
        }
        missing_words(ctx, &m)
    };
    let jam = |v: f64| jp_text(v, true);
    if diklat {
        let table = Table {
            name: "siasn-riwayat-diklat",
            headers: export::keys(&[
                "nip",
                "pnsOrangId",
                "latihanStrukturalId",
                "nomor",
                "tanggal",
                "tanggalSelesai",
                "tahun",
                "jumlahJam",
                "bobot",
                "jenisKompetensi",
                "institusiPenyelenggara",
                "path",
                "siasn.col.missing",
            ]),
            rows: records
                .iter()
                .filter(|r| r.kind == "diklat")
                .map(|r| {
                    vec![
                        r.nip.clone(),
                        r.pns_orang_id.clone(),
                        r.latihan_struktural_id.clone(),
                        r.certificate_no.clone(),
                        dmy(r.starts_on),
                        dmy(r.ends_on),
                        r.year.to_string(),
                        jam(r.jp),
                        r.bobot.map(jam).unwrap_or_default(),
                        r.jenis_kompetensi.clone(),
                        r.institusi.clone(),
                        r.certificate_file.clone().unwrap_or_default(),
                        missing(r),
                    ]
                })
                .collect(),
        };
        return export::csv(Some(ctx), &table);
    }
    let mut rows: Vec<Vec<String>> = records
        .iter()
        .filter(|r| r.kind == "kursus")
        .map(|r| {
            vec![
                r.nip.clone(),
                r.pns_orang_id.clone(),
                instansi.clone(),
                r.jenis_diklat.to_string(),
                r.jenis_name.clone(),
                r.jenis_kursus_sertifikat.clone(),
                r.title.clone(),
                r.institusi.clone(),
                jam(r.jp),
                r.lokasi_id.clone(),
                r.certificate_no.clone(),
                r.year.to_string(),
                dmy(r.starts_on),
                dmy(r.ends_on),
                r.certificate_file.clone().unwrap_or_default(),
                missing(r),
            ]
        })
        .collect();
    // Confirmed informal learning goes to SIASN as kursus of its type; the sync does not send it.
    type Informal = (String, String, String, String, f64, chrono::NaiveDate);
    // aj.jp > 0: never null in what is read. The staff in scope are chosen first and handed to
    // `activity_jp` as a list of keys: its windows are per employee, so the list reaches its scan
    // of the learners (a join filter would compute every learner's JP first: 5 s at 100 000 staff).
    let informal: Vec<Informal> = sqlx::query!(
        r#"with seen as materialized (
             select e.id, e.nip, coalesce(se.pns_orang_id, '') as pns from employees e join units u on u.id = e.unit_id
             left join siasn_employees se on se.employee_id = e.id
             where ($1::bigint is null or e.id = $1) and scope_sees($3, $4, $5, e.id, u.path))
         select s.nip as "nip!", s.pns as "pns!", a.kind, a.topic, aj.jp::float8 as "jp!", a.held_on
         from activity_jp aj join activities a on a.id = aj.activity_id join seen s on s.id = aj.employee_id
         where aj.employee_id = any(array(select id from seen)) and aj.jp > 0 and ($2::int is null or aj.year = $2)
         order by s.nip, a.held_on"#,
        employee,
        year,
        scope.all,
        scope.own,
        &scope.unit_patterns,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.nip, r.pns, r.kind, r.topic, r.jp, r.held_on))
    .collect();
    let agency = ctx.agency_name().to_string();
    let names: std::collections::HashMap<String, String> =
        super::refs::options(&mut conn, "jenis_diklat").await?.into_iter().collect();
    rows.extend(informal.into_iter().map(|(nip, pns, kind, topic, jp, on)| {
        let jenis = ActivityKind::parse(&kind).map(ActivityKind::jenis).unwrap_or(25);
        let mut m = vec!["informal".to_string()];
        if pns.is_empty() {
            m.push("pns".into());
        }
        vec![
            nip,
            pns,
            instansi.clone(),
            jenis.to_string(),
            names.get(&jenis.to_string()).cloned().unwrap_or_default(),
            String::new(),
            topic,
            agency.clone(),
            jam(jp),
            String::new(),
            String::new(),
            on.year().to_string(),
            dmy(on),
            dmy(on),
            String::new(),
            missing_words(ctx, &m),
        ]
    }));
    rows.sort_by(|a, b| a[0].cmp(&b[0]));
    let table = Table {
        name: "siasn-riwayat-kursus",
        headers: export::keys(&[
            "nip",
            "pnsOrangId",
            "instansiId",
            "jenisDiklatId",
            "jenisKursus",
            "jenisKursusSertipikat",
            "namaKursus",
            "institusiPenyelenggara",
            "jumlahJam",
            "lokasiId",
            "nomorSertipikat",
            "tahunKursus",
            "tanggalKursus",
            "tanggalSelesaiKursus",
            "path",
            "siasn.col.missing",
        ]),
        rows,
    };
    export::csv(Some(ctx), &table)
}
