//! One source of truth and no silently wrong data: every case here stored or showed something
//! wrong before (a lossy NIP from a numeric cell, a re-import erasing columns it did not carry,
//! 4.5 read as level 4, UTC's date instead of the agency's, a race answered with a 500…).

use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use sqlx::PgPool;

use crate::helpers::{Client, TestApp, count_queries};

async fn last_batch(app: &TestApp) -> i64 {
    app.scalar("select max(id) from import_batches").await
}

async fn text(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.expect(sql)
}

/// An XLSX whose first sheet holds these rows; `numbers` lists (row, column) cells written as numbers.
fn xlsx(rows: &[Vec<&str>], numbers: &[(u32, u16)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            let (r, c) = (r as u32, c as u16);
            if numbers.contains(&(r, c)) {
                ws.write_number(r, c, v.parse::<f64>().expect("number")).expect("write");
            } else if !v.is_empty() {
                ws.write_string(r, c, *v).expect("write");
            }
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

#[sqlx::test]
async fn a_nip_stored_as_a_number_is_refused_never_guessed(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let existing = text(&app, "select nip from employees where status = 'PNS' order by id limit 1").await;
    let name_before = text(&app, &format!("select name from employees where nip = '{existing}'")).await;
    // What Excel holds when a clerk types the NIP without an apostrophe: the digits of a float.
    let lossy = format!("{}", existing.parse::<f64>().expect("digits"));
    let bytes = xlsx(
        &[
            vec!["NIP", "Nama", "Status", "Jabatan", "Unit Kerja"],
            vec![&lossy, "Nama Tertimpa", "PNS", "Kepala Dinas", "DKIS"],
        ],
        &[(1, 0)],
    );
    let r = hr.upload("employees", "angka.xlsx", &bytes).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("NIP tersimpan sebagai angka"), "says why");
    assert!(r.body.contains("Format kolom NIP sebagai Teks"), "says how to fix it");
    assert!(!r.body.contains("Terapkan impor"));
    let id = last_batch(&app).await;
    assert_eq!(hr.post(&format!("/imports/batches/{id}/apply"), &[]).await.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(text(&app, &format!("select name from employees where nip = '{existing}'")).await, name_before);
    // Excel's scientific notation typed into a CSV is refused the same way.
    let csv = "NIP,Nama,Status,Jabatan,Unit Kerja\n1.98609262015051E+17,Asep,PNS,Kepala Dinas,DKIS\n";
    let r = hr.upload("employees", "sci.csv", csv.as_bytes()).await;
    assert!(r.body.contains("NIP tersimpan sebagai angka"));
    // A phone number typed as a number has lost its leading zero: refused too.
    let nip = existing.as_str();
    let bytes = xlsx(
        &[
            vec!["NIP", "Nama", "Status", "Jabatan", "Unit Kerja", "Telepon"],
            vec![nip, "A", "PNS", "Kepala Dinas", "DKIS", "81234567890"],
        ],
        &[(1, 5)],
    );
    let r = hr.upload("employees", "telp.xlsx", &bytes).await;
    assert!(r.body.contains("<strong>Telepon</strong>: Sel ini tersimpan sebagai angka"));
}

#[sqlx::test]
async fn a_file_with_fewer_columns_leaves_the_others_as_they_are(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let emp = app
        .scalar("select id from employees where status = 'PNS' and position_id is not null order by id limit 1")
        .await;
    sqlx::query("update employees set email = 'lama@bandungkab.go.id', phone = '081111111111', education_field = 'Informatika' where id = $1")
        .bind(emp)
        .execute(&app.pool)
        .await
        .expect("set");
    let (nip, name, position, unit): (String, String, String, String) = sqlx::query_as(
        "select e.nip, e.name, p.name, u.code from employees e join positions p on p.id = e.position_id
         join units u on u.id = e.unit_id where e.id = $1",
    )
    .bind(emp)
    .fetch_one(&app.pool)
    .await
    .expect("row");
    // No e-mail, phone or education columns at all: those stay; the name changes.
    let csv = format!("NIP;Nama;Status;Jabatan;Unit Kerja\n{nip};{name} Baru;PNS;{position};{unit}\n");
    let r = hr.upload("employees", "sedikit.csv", csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Kolom yang tidak ada di berkas"), "absent columns are named");
    assert!(r.body.contains(&format!("<strong>Nama</strong>: {name} → {name} Baru")), "the change is shown");
    let id = last_batch(&app).await;
    assert_eq!(hr.post(&format!("/imports/batches/{id}/apply"), &[]).await.status, StatusCode::SEE_OTHER);
    let (got_name, email, phone, field): (String, Option<String>, Option<String>, String) =
        sqlx::query_as("select name, email, phone, education_field from employees where id = $1")
            .bind(emp)
            .fetch_one(&app.pool)
            .await
            .expect("row");
    assert_eq!(got_name, format!("{name} Baru"));
    assert_eq!(email.as_deref(), Some("lama@bandungkab.go.id"));
    assert_eq!(phone.as_deref(), Some("081111111111"));
    assert_eq!(field, "Informatika");
    // A present but empty cell clears the field (and the preview says so).
    let csv = format!("NIP;Nama;Status;Jabatan;Unit Kerja;Email\n{nip};{name} Baru;PNS;{position};{unit};\n");
    let r = hr.upload("employees", "kosongkan.csv", csv.as_bytes()).await;
    assert!(r.body.contains("<strong>Email</strong>: lama@bandungkab.go.id → <em>kosong</em>"));
    let id = last_batch(&app).await;
    hr.post(&format!("/imports/batches/{id}/apply"), &[]).await;
    let email: Option<String> = sqlx::query_scalar("select email from employees where id = $1")
        .bind(emp)
        .fetch_one(&app.pool)
        .await
        .expect("e");
    assert_eq!(email, None);
    assert_eq!(
        text(&app, &format!("select phone from employees where id = {emp}")).await,
        "081111111111",
        "phone still kept"
    );
}

#[sqlx::test]
async fn re_importing_unchanged_data_writes_nothing(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    // The employee list's own export, in either language, imports back unchanged.
    hr.get("/lang/en?next=/").await;
    let csv = hr.get("/employees?format=csv").await.body;
    hr.get("/lang/id?next=/").await;
    let r = hr.upload("employees", "pegawai.csv", csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let pns = app.scalar("select count(*) from employees where active").await;
    let changes: Vec<&str> = r.body.split("<ul class=\"changes\">").skip(1).take(3).collect();
    assert!(
        r.body.contains(&format!("<span class=\"tile-num\">{pns}</span><span class=\"tile-label\">tidak berubah")),
        "every row unchanged: {changes:?}"
    );
    let audit_before = app.scalar("select count(*) from audit_log").await;
    let stamp_before = text(&app, "select max(updated_at)::text from employees").await;
    let id = last_batch(&app).await;
    let r = hr.post(&format!("/imports/batches/{id}/apply"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(hr.get(r.location()).await.body.contains("Tidak ada yang berubah"));
    assert_eq!(app.scalar("select count(*) from audit_log").await, audit_before, "no audit rows");
    assert_eq!(text(&app, "select max(updated_at)::text from employees").await, stamp_before, "no row touched");
}

#[sqlx::test]
async fn applying_is_set_based_whatever_the_number_of_rows(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    hr.get("/").await;
    let file = |n: usize, from: usize| {
        let mut csv = String::from("NIP,Nama,Status,Jenis Kelamin,Tanggal Lahir,Golongan,Jabatan,Unit Kerja\n");
        for i in from..from + n {
            csv.push_str(&format!(
                "{:018},Pegawai {i},PPPK,P,01/02/1995,IX,Teknisi Jaringan,UPT-CC\n",
                800_000_000_000_000_000u64 + i as u64
            ));
        }
        csv
    };
    let mut counts = vec![];
    for (n, from) in [(20, 0), (600, 100)] {
        let r = hr.upload("employees", "banyak.csv", file(n, from).as_bytes()).await;
        assert_eq!(r.status, StatusCode::OK, "{}", &r.body[..400.min(r.body.len())]);
        let id = last_batch(&app).await;
        let (r, q) = count_queries(hr.post(&format!("/imports/batches/{id}/apply"), &[])).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
        counts.push(q);
    }
    assert_eq!(counts[0], counts[1], "the same statements for 20 and 600 rows");
    assert!(counts[0] <= 16, "{} statements", counts[0]);
    assert_eq!(app.scalar("select count(*) from employees where name like 'Pegawai %'").await, 620);
    assert_eq!(
        app.scalar("select count(*) from audit_log where entity = 'employee' and action = 'create'").await,
        620,
        "every created employee audited"
    );
}

#[sqlx::test]
async fn a_stale_preview_is_checked_again_and_says_so(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let (nip, name, position, unit): (String, String, String, String) = sqlx::query_as(
        "select e.nip, e.name, p.name, u.code from employees e join positions p on p.id = e.position_id
         join units u on u.id = e.unit_id where e.status = 'PNS' order by e.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("row");
    let csv = format!("NIP,Nama,Status,Jabatan,Unit Kerja\n{nip},{name} Impor,PNS,{position},{unit}\n");
    hr.upload("employees", "basi.csv", csv.as_bytes()).await;
    let id = last_batch(&app).await;
    // Someone renames the employee after the preview was made.
    sqlx::query("update employees set name = 'Diubah Orang Lain' where nip = $1")
        .bind(&nip)
        .execute(&app.pool)
        .await
        .expect("edit");
    let r = hr.post(&format!("/imports/batches/{id}/apply"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert!(r.body.contains("Data berubah sejak pratinjau dibuat"));
    assert!(r.body.contains(&format!("Diubah Orang Lain → {name} Impor")), "the fresh change is shown");
    assert_eq!(text(&app, &format!("select name from employees where nip = '{nip}'")).await, "Diubah Orang Lain");
    // Applying the refreshed preview works.
    assert_eq!(hr.post(&format!("/imports/batches/{id}/apply"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(text(&app, &format!("select name from employees where nip = '{nip}'")).await, format!("{name} Impor"));
}

#[sqlx::test]
async fn spreadsheets_as_they_come_from_simpeg(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    // A title block, header variants, an unknown column, CRLF line ends and blank lines.
    let csv = "PEMERINTAH KABUPATEN BANDUNG\r\nDaftar Pegawai Diskominfo\r\n\r\n\
               No;NIP Baru;Nama;Status Pegawai;Gol/Ruang;Jabatan Terakhir;Unit Kerja;Agama\r\n\
               1;199203152019031004;Yogi Permadi;PNS;III/b;Pranata Komputer Ahli Pertama;APT-PA;Islam\r\n\
               \r\n\
               2;199203152019031;Salah NIP;PNS;III/b;Pranata Komputer Ahli Pertama;APT-PA;Islam\r\n\
               3;199811222023212001;Siti;PPPK;IX;Operator Command Center;UPT-CC;Islam\r\n\
               4;199811222023212001;Siti Lagi;PPPK;X;Operator Command Center;Antah;Islam\r\n";
    let r = hr.upload("employees", "simpeg.csv", csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("<strong>No</strong>, <strong>Agama</strong>"), "unknown columns listed as ignored");
    let row = |n: usize| {
        r.body
            .split(&format!("<td class=\"num\">{n}</td>"))
            .nth(1)
            .and_then(|s| s.split("</tr>").next())
            .unwrap_or_else(|| panic!("row {n} not in the preview"))
            .to_string()
    };
    assert!(row(5).contains("baru"), "first data row is spreadsheet row 5");
    // Row 7 (after a blank line): a PNS with a bad NIP hears about the NIP only.
    let seven = row(7);
    assert!(seven.contains("NIP harus 18 angka"), "{seven}");
    assert!(
        !seven.contains("Tanggal lahir wajib") && !seven.contains("Pilih jenis kelamin"),
        "no false errors: {seven}"
    );
    // A NIP twice: both copies are told, and every problem of a row is listed.
    assert!(row(8).contains("lebih dari sekali"));
    let nine = row(9);
    assert!(
        nine.contains("lebih dari sekali")
            && nine.contains("Unit kerja tidak dikenal")
            && nine.contains("Pilih jenis kelamin"),
        "{nine}"
    );
    // No header at all: the expected names are listed.
    let r = hr.upload("employees", "tanpa.csv", b"a;b;c\n1;2;3\n").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Baris judul kolom tidak ditemukan") && r.body.contains("Unit Kerja"));
}

#[sqlx::test]
async fn levels_are_whole_numbers_one_to_five(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let nip = text(&app, "select nip from employees order by id limit 1").await;
    let csv = format!(
        "NIP,Kode Kompetensi,Tingkat,Tanggal Penilaian,Sumber\n\
         {nip},APL-01,4.5,2026-10-01,Atasan\n{nip},APL-02,\"2,9\",2026-10-01,Atasan\n{nip},APL-03,1e3,2026-10-01,Atasan\n"
    );
    let r = hr.upload("assessments", "tingkat.csv", csv.as_bytes()).await;
    assert_eq!(r.body.matches("Tingkat harus bilangan bulat").count(), 3);
    // An XLSX numeric cell holding exactly 4.0 is level 4; 4.5 is not a level.
    let bytes = xlsx(
        &[
            vec!["NIP", "Kode Kompetensi", "Tingkat", "Tanggal Penilaian", "Sumber"],
            vec![&nip, "APL-04", "4", "2026-10-01", "Atasan"],
            vec![&nip, "APL-05", "4.5", "2026-10-01", "Atasan"],
        ],
        &[(1, 2), (2, 2)],
    );
    let r = hr.upload("assessments", "tingkat.xlsx", &bytes).await;
    assert_eq!(r.body.matches("Tingkat harus bilangan bulat").count(), 1);
    // The form refuses the same.
    let emp = app.scalar("select id from employees order by id limit 1").await;
    let comp = app.scalar("select id from competencies where code = 'APL-01'").await.to_string();
    let r = hr
        .post_multipart(
            &format!("/employees/{emp}/assessments"),
            &[("competency", &comp), ("level", "4.5"), ("assessed_on", "2026-10-01"), ("source", "supervisor")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Tingkat harus bilangan bulat"));
    assert_eq!(app.scalar(&format!("select count(*) from assessments where employee_id = {emp} and competency_id = {comp} and assessed_on = '2026-10-01'")).await, 0);
}

fn at(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).expect("instant").with_timezone(&Utc)
}

#[sqlx::test]
async fn today_is_the_agency_s_date(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // 01:30 WIB on 24 November is still 23 November in UTC.
    app.state.clock.set(Some(at("2026-11-23T18:30:00Z")));
    let mut hr = app.as_user("kepegawaian").await;
    let emp = app.scalar("select id from employees order by id limit 1").await;
    let comp = app.scalar("select id from competencies where code = 'APL-01'").await.to_string();
    let form = hr.get(&format!("/employees/{emp}/assessments/new?competency={comp}")).await;
    assert!(form.body.contains("value=\"24-11-2026\""), "the form offers the agency's today, as dd-mm-yyyy");
    let r = hr
        .post_multipart(
            &format!("/employees/{emp}/assessments"),
            &[("competency", &comp), ("level", "3"), ("assessed_on", "2026-11-24"), ("source", "supervisor")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "today's date is not 'in the future'");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from assessments where employee_id = {emp} and assessed_on = '2026-11-24'"
        ))
        .await,
        1
    );
    let r = hr
        .post_multipart(
            &format!("/employees/{emp}/assessments"),
            &[("competency", &comp), ("level", "3"), ("assessed_on", "2026-11-25"), ("source", "supervisor")],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "tomorrow still is");
    // A WIT agency: 16:30 UTC on 31 December is already the new year in Jayapura, not in Jakarta.
    sqlx::query("update settings set value = 'Asia/Jayapura' where key = 'time_zone'")
        .execute(&app.pool)
        .await
        .expect("tz");
    app.state.settings.invalidate();
    app.state.clock.set(Some(at("2026-12-31T16:30:00Z")));
    let form = hr.get(&format!("/employees/{emp}/assessments/new?competency={comp}")).await;
    assert!(form.body.contains("value=\"01-01-2027\""));
    // Deactivation on "today" stores the agency's date.
    let r = hr.post(&format!("/employees/{emp}/deactivate"), &[("date", "")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(text(&app, &format!("select deactivated_on::text from employees where id = {emp}")).await, "2027-01-01");
}

#[sqlx::test]
async fn exports_carry_the_agency_s_name(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut admin = app.as_user("admin").await;
    let r = admin
        .post_edit(
            "/settings",
            "/settings",
            &[("department_name", "Diskominfo Kabupaten Contoh"), ("jp_per_year", "20"), ("time_zone", "Asia/Jakarta")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let mut hr = app.as_user("kepegawaian").await;
    hr.get("/").await;
    // Read the workbook's parts: the properties and the printed header name the agency.
    let req = axum::http::Request::get("/units?format=xlsx").body(axum::body::Body::empty()).expect("req");
    let res = tower::ServiceExt::oneshot(app.router.clone(), with_cookies(req, &hr)).await.expect("res");
    assert_eq!(res.status(), StatusCode::OK);
    let raw = axum::body::to_bytes(res.into_body(), usize::MAX).await.expect("body").to_vec();
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(raw)).expect("xlsx is a zip");
    let mut all = String::new();
    for name in ["docProps/app.xml", "xl/worksheets/sheet1.xml"] {
        let mut f = zip.by_name(name).expect(name);
        std::io::Read::read_to_string(&mut f, &mut all).expect("read");
    }
    assert!(all.contains("<Company>Diskominfo Kabupaten Contoh</Company>"));
    assert!(all.contains("&amp;LDiskominfo Kabupaten Contoh&amp;R"), "printed header");
    let page = hr.get("/units").await;
    assert!(page.body.contains("<span class=\"dept\">Diskominfo Kabupaten Contoh</span>"));
}

fn with_cookies(mut req: axum::http::Request<axum::body::Body>, c: &Client) -> axum::http::Request<axum::body::Body> {
    let cookie: Vec<String> = c.cookies.iter().map(|(k, v)| format!("{k}={v}")).collect();
    req.headers_mut().insert(axum::http::header::COOKIE, cookie.join("; ").parse().expect("cookie"));
    req
}

#[sqlx::test]
async fn two_officers_saving_the_same_username_get_a_field_error(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("admin").await;
    hr.prime().await;
    // Officer A's save is in flight (inserted, not yet committed) when officer B saves.
    let mut a = app.pool.begin().await.expect("tx");
    sqlx::query("insert into accounts (username, password_hash) values ('operator.baru', 'x')")
        .execute(&mut *a)
        .await
        .expect("insert");
    let b =
        tokio::spawn(async move { hr.post("/accounts", &[("username", "operator.baru"), ("role_hr", "on")]).await });
    app.wait_for_locks(1).await;
    a.commit().await.expect("commit");
    let r = b.await.expect("join");
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a field error, not a 500");
    assert!(r.body.contains("Nama pengguna ini sudah dipakai"));
    assert!(r.body.contains("value=\"operator.baru\""), "input kept");
    assert_eq!(app.scalar("select count(*) from accounts where username = 'operator.baru'").await, 1);
}

#[sqlx::test]
async fn two_officers_making_a_head_for_one_unit_get_a_field_error(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let unit = app.scalar("select id from units where code = 'UPT-CC'").await;
    sqlx::query("update positions set is_unit_head = false where unit_id = $1")
        .bind(unit)
        .execute(&app.pool)
        .await
        .expect("clear");
    let mut hr = app.as_user("kepegawaian").await;
    hr.prime().await;
    let mut a = app.pool.begin().await.expect("tx");
    sqlx::query(
        "insert into positions (unit_id, name, kind, is_unit_head) values ($1, 'Kepala UPT', 'pengawas', true)",
    )
    .bind(unit)
    .execute(&mut *a)
    .await
    .expect("insert");
    let unit_s = unit.to_string();
    let b = tokio::spawn(async move {
        hr.post(
            "/positions",
            &[("name", "Kepala UPT Kedua"), ("kind", "pengawas"), ("unit", &unit_s), ("is_unit_head", "on")],
        )
        .await
    });
    app.wait_for_locks(1).await;
    a.commit().await.expect("commit");
    let r = b.await.expect("join");
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a field error, not a 500: {}", r.status);
    assert!(r.body.contains("value=\"Kepala UPT Kedua\""), "input kept");
    assert_eq!(app.scalar(&format!("select count(*) from positions where unit_id = {unit} and is_unit_head")).await, 1);
}

#[sqlx::test]
async fn a_server_error_shows_a_request_id(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    hr.get("/").await;
    sqlx::query("alter table competencies rename to competencies_gone").execute(&app.pool).await.expect("break");
    let r = hr.get("/competencies").await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
    let id = r.body.split("<code>").nth(1).and_then(|s| s.split("</code>").next()).unwrap_or("");
    assert_eq!(id.len(), 8, "an 8-digit request id on the page: {id:?}");
    let r = hr.get_json("/competencies").await;
    assert!(r.body.contains("\"request_id\""));
}

#[sqlx::test]
async fn csrf_origin_is_checked_against_the_public_address(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    hr.prime().await;
    let post = |origin: &'static str, host: &'static str, token: String| {
        axum::http::Request::post("/lang/id")
            .header("origin", origin)
            .header("host", host)
            .header("x-csrf-token", token)
            .body(axum::body::Body::empty())
            .expect("req")
    };
    // Behind a proxy that rewrites Host, the browser's Origin is the public address.
    let r = hr.send(post("http://localhost", "10.0.0.5:8080", hr.csrf())).await;
    assert_ne!(r.status, StatusCode::FORBIDDEN, "public origin accepted");
    let r = hr.send(post("https://evil.example", "10.0.0.5:8080", hr.csrf())).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN, "another site refused");
}

#[sqlx::test]
async fn an_xlsx_that_expands_too_far_is_refused_before_it_is_read(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
        z.start_file("xl/worksheets/sheet1.xml", opts).expect("start");
        let zeros = vec![b' '; 1024 * 1024];
        for _ in 0..70 {
            std::io::Write::write_all(&mut z, &zeros).expect("write");
        }
        z.finish().expect("finish");
    }
    let bytes = buf.into_inner();
    assert!(bytes.len() < 2 * 1024 * 1024, "small on the wire: {}", bytes.len());
    let r = hr.upload("employees", "bom.xlsx", &bytes).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("terlalu besar setelah diekstrak"));
    assert_eq!(app.scalar("select count(*) from import_batches").await, 0);
}

/// By hand: `CAKAP_MEASURE_IMPORT=/path/to/file.csv cargo test --test it measure_import -- --nocapture`
/// prints how long checking and applying a large employee file takes (not a timed test).
#[sqlx::test]
async fn measure_import(pool: PgPool) {
    let Ok(path) = std::env::var("CAKAP_MEASURE_IMPORT") else { return };
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let bytes = std::fs::read(path).expect("file");
    let t = std::time::Instant::now();
    let r = hr.post_multipart("/imports/employees", &[], Some(("file", "big.csv", &bytes))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let checked = t.elapsed();
    let id = last_batch(&app).await;
    let t = std::time::Instant::now();
    let r = hr.post(&format!("/imports/batches/{id}/apply"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", &r.body[..300.min(r.body.len())]);
    eprintln!("import of {} bytes: check and preview {checked:?}, apply {:?}", bytes.len(), t.elapsed());
}

/// The kept current levels equal their definition (each pair's latest validated assessment) after
/// loads large enough to take the bulk refresh, planned with its values (more than 200 levels in
/// one statement, migration 94), and after a write's small one. With one generic plan, the
/// 100 000-staff seed's load of 500 000 levels took 439 s.
#[sqlx::test]
async fn kept_current_levels_are_each_pairs_latest_assessment_after_a_bulk_load(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let differ = "with latest as (
          select distinct on (employee_id, competency_id) employee_id, competency_id, id from assessments
          where status = 'validated' order by employee_id, competency_id, assessed_on desc, id desc),
        kept as (select employee_id, competency_id, assessment_id as id from current_level_rows)
        select count(*) from ((select * from kept except select * from latest)
                              union all (select * from latest except select * from kept)) d";
    let pairs = app.scalar("select count(*) from current_level_rows").await;
    assert!(pairs > 250, "the demo has levels to load over ({pairs})");
    assert_eq!(app.scalar(differ).await, 0, "after the demo's own loads");
    // Older levels for 300 pairs in one statement: the current ones stay.
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_name, status, validated_at)
         select employee_id, competency_id, greatest(1, level - 1), assessed_on - 400, 'self', '', 'validated', now()
         from current_level_rows order by employee_id, competency_id limit 300",
    )
    .execute(&app.pool)
    .await
    .expect("older levels");
    assert_eq!(app.scalar(differ).await, 0, "after a load of older levels");
    // Newer levels for 250 pairs in one statement: they become the current ones.
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_name, status, validated_at)
         select employee_id, competency_id, 5, current_date, 'supervisor', 'Atasan langsung', 'validated', now()
         from current_level_rows order by employee_id desc, competency_id limit 250",
    )
    .execute(&app.pool)
    .await
    .expect("newer levels");
    assert_eq!(app.scalar(differ).await, 0, "after a load of newer levels");
    assert!(
        app.scalar("select count(*) from current_level_rows where assessed_on = current_date and level = 5").await
            >= 250,
        "the newer levels are current"
    );
    // A write's few: one newer level.
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_name, status, validated_at)
         select employee_id, competency_id, 1, current_date, 'supervisor', 'Atasan langsung', 'validated', now()
         from current_level_rows order by employee_id, competency_id limit 1",
    )
    .execute(&app.pool)
    .await
    .expect("one level");
    assert_eq!(app.scalar(differ).await, 0, "after one level");
}
