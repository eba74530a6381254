//! The training results SIASN takes (`siasn_records`), what each still lacks in words, the bodies
//! the sync sends, and the SIASN files (riwayat diklat, riwayat kursus) with a "what is missing"
//! column.

use axum::response::Response;
use serde_json::{Value, json};

use crate::{
    app::{
        AppResult, AppState, Ctx,
        export::{self, CsvStream, Table},
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
    /// `diklat` or `kursus`.
    pub kind: Option<&'static str>,
}

/// Every column of `siasn_records` is a view's (PostgreSQL cannot say which are null), so each
/// says it here: the view's not-null ones with `!`, the push's and the file's (outer joins) with `?`.
pub async fn select(conn: &mut sqlx::PgConnection, scope: &Scope, s: Selection) -> Result<Vec<Record>, sqlx::Error> {
    use futures_util::TryStreamExt as _;
    each(conn, scope, s).try_collect().await
}

/// The results chosen, one at a time as they are read.
pub fn each<'c>(
    conn: &'c mut sqlx::PgConnection,
    scope: &'c Scope,
    s: Selection,
) -> futures_util::stream::BoxStream<'c, Result<Record, sqlx::Error>> {
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
   and ($8::bigint is null or r.participant_id = $8) and ($9::text is null or r.kind = $9)
 order by r.ends_on desc, r.training_id, e.name, r.participant_id"#,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        s.training,
        s.year,
        s.unsent,
        s.employee,
        s.participant,
        s.kind,
    )
    .fetch(conn)
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
/// field SIASN's save takes, and a last column saying in words what a row still lacks. Sent while
/// it is read (`CsvStream`): HR's kursus file at 100 000 staff is 270 MB.
pub async fn file(
    state: &AppState,
    ctx: &Ctx,
    scope: &Scope,
    employee: Option<i64>,
    year: Option<i32>,
    diklat: bool,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let instansi = state.siasn.client().map(|c| c.settings.instansi_id.clone()).unwrap_or_default();
    let names: std::collections::HashMap<String, String> = if diklat {
        Default::default()
    } else {
        super::refs::options(&mut conn, "jenis_diklat").await?.into_iter().collect()
    };
    let (response, mut out) = CsvStream::start(Some(ctx), &if diklat { diklat_table() } else { kursus_table() })?;
    let (ctx, scope) = (ctx.clone(), scope.clone());
    tokio::spawn(async move {
        let written = if diklat {
            diklat_rows(&mut conn, &ctx, (&scope, employee, year), &mut out).await
        } else {
            kursus_rows(&mut conn, &ctx, (&scope, employee, year), (&instansi, &names), &mut out).await
        };
        match written {
            Ok(()) => {
                if let Err(e) = out.finish().await {
                    tracing::debug!(error = %e, "a SIASN file was not taken whole");
                }
            }
            Err(e) => out.fail(e).await,
        }
    });
    Ok(response)
}

/// SIASN's fields of riwayat diklat, and what is missing.
fn diklat_table() -> Table {
    Table {
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
        rows: vec![],
    }
}

/// SIASN's fields of riwayat kursus, and what is missing.
fn kursus_table() -> Table {
    Table {
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
        rows: vec![],
    }
}

/// What a row of a SIASN file lacks: the result's own `codes`, the employee's SIASN id when it has
/// not been read yet (`pns`), and the agency's instance id where the file needs one and no setting
/// gives it (`instansi`: the kursus file's results).
fn file_missing(mut codes: Vec<String>, pns_orang_id: &str, instansi: Option<&str>) -> Vec<String> {
    if pns_orang_id.is_empty() {
        codes.push("pns".into());
    }
    if instansi.is_some_and(str::is_empty) {
        codes.push("instansi".into());
    }
    codes
}

/// The diklat results in scope, newest first.
async fn diklat_rows(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    (scope, employee, year): (&Scope, Option<i64>, Option<i32>),
    out: &mut CsvStream,
) -> anyhow::Result<()> {
    use futures_util::TryStreamExt as _;
    let jam = |v: f64| jp_text(v, true);
    let mut records = each(conn, scope, Selection { year, employee, kind: Some("diklat"), ..Selection::default() });
    while let Some(r) = records.try_next().await? {
        let m = file_missing(r.missing.clone(), &r.pns_orang_id, None);
        out.row(&[
            r.nip,
            r.pns_orang_id,
            r.latihan_struktural_id,
            r.certificate_no,
            dmy(r.starts_on),
            dmy(r.ends_on),
            r.year.to_string(),
            jam(r.jp),
            r.bobot.map(jam).unwrap_or_default(),
            r.jenis_kompetensi,
            r.institusi,
            r.certificate_file.unwrap_or_default(),
            missing_words(ctx, &m),
        ])
        .await?;
    }
    Ok(())
}

/// The kursus results in scope and the confirmed informal learning (which goes to SIASN as kursus
/// of its type; the sync does not send it), by NIP: each person's results newest first, then
/// their learning by date.
async fn kursus_rows(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    (scope, employee, year): (&Scope, Option<i64>, Option<i32>),
    (instansi, names): (&str, &std::collections::HashMap<String, String>),
    out: &mut CsvStream,
) -> anyhow::Result<()> {
    use futures_util::TryStreamExt as _;
    let jam = |v: f64| jp_text(v, true);
    let agency = ctx.agency_name().to_string();
    // The staff in scope are chosen first and handed to `activity_jp` as a list of keys: its
    // windows are per employee, so the list reaches its scan of the learners (a join filter
    // computed every learner's JP first: a kabid's file took 4 s at 100 000 staff). Columns
    // 17–20 only order the rows.
    let mut rows = sqlx::query!(
        r#"with seen as materialized (
             select e.id, e.nip, coalesce(se.pns_orang_id, '') as pns from employees e join units u on u.id = e.unit_id
             left join siasn_employees se on se.employee_id = e.id
             where ($1::bigint is null or e.id = $1) and scope_sees($3, $4, $5, e.id, u.path))
         select 0 as "part!", r.nip as "nip!", r.pns_orang_id as "pns!", r.jenis_diklat::int as "jenis!",
                coalesce(rj.name, '') as "jenis_name!", r.jenis_kursus_sertifikat as "sertifikat!", r.title as "title!",
                r.institusi as "institusi!", r.jp as "jp!", r.lokasi_id as "lokasi!", r.certificate_no as "nomor!",
                r.year as "year!", r.starts_on as "starts_on!", r.ends_on as "ends_on!", coalesce(f.filename, '') as "path!",
                r.missing as "missing!", '' as "kind!", r.ends_on as newest, null::date as oldest, r.training_id as k1, r.participant_id as k2
         from siasn_records r join seen s on s.id = r.employee_id
         left join evidence_files f on f.id = r.certificate_file_id
         left join siasn_refs rj on rj.kind = 'jenis_diklat' and rj.ref_id = r.jenis_diklat::text
         where r.kind = 'kursus' and ($2::int is null or r.year = $2)
         union all
         select 1, s.nip, s.pns, 0, '', '', a.topic, '', aj.jp::float8, '', '', extract(year from a.held_on)::int,
                a.held_on, a.held_on, '', array[]::text[], a.kind, null::date, a.held_on, a.id, 0
         from activity_jp aj join activities a on a.id = aj.activity_id join seen s on s.id = aj.employee_id
         where aj.employee_id = any(array(select id from seen)) and aj.jp > 0 and ($2::int is null or aj.year = $2)
         order by 2, 1, 18 desc, 19, 20, 21"#,
        employee,
        year,
        scope.all,
        scope.own,
        &scope.unit_patterns,
    )
    .fetch(conn);
    while let Some(r) = rows.try_next().await? {
        let informal = r.part == 1;
        let m = if informal {
            file_missing(vec!["informal".to_string()], &r.pns, None)
        } else {
            file_missing(r.missing, &r.pns, Some(instansi))
        };
        let (jenis, jenis_name) = if informal {
            let jenis = ActivityKind::parse(&r.kind).map(ActivityKind::jenis).unwrap_or(25).to_string();
            let name = names.get(&jenis).cloned().unwrap_or_default();
            (jenis, name)
        } else {
            (r.jenis.to_string(), r.jenis_name)
        };
        out.row(&[
            r.nip,
            r.pns,
            instansi.to_string(),
            jenis,
            jenis_name,
            r.sertifikat,
            r.title,
            if informal { agency.clone() } else { r.institusi },
            jam(r.jp),
            r.lokasi,
            r.nomor,
            r.year.to_string(),
            dmy(r.starts_on),
            dmy(r.ends_on),
            r.path,
            missing_words(ctx, &m),
        ])
        .await?;
    }
    Ok(())
}
