//! Importing employees and assessments from CSV and XLSX: preview, all-or-nothing, update by NIP.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{Resp, TestApp};

pub(crate) fn batch_id(r: &Resp) -> String {
    r.body.split("/imports/batches/").nth(1).and_then(|s| s.split('/').next()).expect("apply form").to_string()
}

#[sqlx::test]
async fn employees_csv_preview_apply_and_reimport_updates(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let existing: String =
        sqlx::query_scalar("select nip from employees order by id limit 1").fetch_one(&app.pool).await.expect("nip");
    let csv = format!(
        "NIP;Nama Lengkap;Gelar Belakang;Status;Jenis Kelamin;Tanggal Lahir;Golongan;Jabatan;Unit Kerja;Pendidikan;Email\n\
         199203152019031004;Yogi Permadi;S.Kom.;PNS;;;III/b;Pranata Komputer Ahli Pertama;APT-PA;S1;yogi@bandungkab.go.id\n\
         199811222023212001;Siti Nuraeni;;PPPK;P;22/11/1998;IX;Operator Command Center;UPT Command Center dan Layanan Jaringan;D3;\n\
         {existing};Nama Diperbarui;;PNS;;;IV/a;Kepala Dinas;DKIS;S2;\n"
    );
    let mut hr = app.as_user("kepegawaian").await;
    let before = app.scalar("select count(*) from employees").await;
    let r = hr.upload("employees", "pegawai.csv", csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(r.body.contains("Terapkan impor"));
    assert_eq!(app.scalar("select count(*) from employees").await, before, "nothing written before applying");
    let id = batch_id(&r);
    let r = hr.post(&format!("/imports/batches/{id}/apply"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar("select count(*) from employees").await, before + 2);
    assert_eq!(
        app.scalar(&format!("select count(*) from employees where nip = '{existing}' and name = 'Nama Diperbarui'"))
            .await,
        1
    );
    assert_eq!(
        app.scalar(
            "select count(*) from employees where nip = '199811222023212001' and sex = 'P' and rank_code = 'PPPK-IX'"
        )
        .await,
        1
    );
    assert_eq!(
        app.scalar("select count(*) from audit_log where action = 'apply' and entity = 'import_batch'").await,
        1
    );
    // Applying twice does nothing more.
    hr.post(&format!("/imports/batches/{id}/apply"), &[]).await;
    assert_eq!(app.scalar("select count(*) from employees").await, before + 2);
    // Re-importing the same file updates by NIP instead of duplicating.
    let r = hr.upload("employees", "pegawai.csv", csv.as_bytes()).await;
    assert!(r.body.contains("<span class=\"tile-num\">0</span><span class=\"tile-label\">baris baru"));
    let id = batch_id(&r);
    hr.post(&format!("/imports/batches/{id}/apply"), &[]).await;
    assert_eq!(app.scalar("select count(*) from employees").await, before + 2);
}

#[sqlx::test]
async fn a_partly_bad_file_shows_every_error_and_writes_nothing(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let csv = "NIP,Nama,Status,Golongan,Jabatan,Unit Kerja,Email\n\
               199203152019031004,Yogi Permadi,PNS,III/b,Pranata Komputer Ahli Pertama,APT-PA,yogi@bandungkab.go.id\n\
               199202302019031004,Tanggal Salah,PNS,III/b,Pranata Komputer Ahli Pertama,APT-PA,\n\
               199203152019031005,Tanpa Unit,PNS,III/b,Pranata Komputer Ahli Pertama,Bidang Antah Berantah,\n\
               199203152019031006,Email Salah,PNS,Z/z,Jabatan Fiktif,APT-PA,bukan-email\n\
               199203152019031004,Duplikat,PNS,III/b,Pranata Komputer Ahli Pertama,APT-PA,\n";
    let mut hr = app.as_user("kepegawaian").await;
    let before = app.scalar("select count(*) from employees").await;
    let r = hr.upload("employees", "campur.csv", csv.as_bytes()).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Tidak ada yang disimpan"));
    assert!(!r.body.contains("Terapkan impor"));
    for msg in [
        "Tanggal lahir dalam NIP",
        "Unit kerja tidak dikenal",
        "Jabatan tidak ada di unit",
        "Alamat email tidak valid",
        "Golongan tidak dikenal",
        "lebih dari sekali",
    ] {
        assert!(r.body.contains(msg), "{msg}");
    }
    assert!(r.body.contains("<strong>Unit Kerja</strong>"), "the column is named");
    assert!(r.body.contains("<td class=\"num\">3</td>"), "the row is numbered as in the file");
    let id: i64 = app.scalar("select max(id) from import_batches").await;
    let r = hr.post(&format!("/imports/batches/{id}/apply"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("select count(*) from employees").await, before, "all or nothing");
}

#[sqlx::test]
async fn malformed_files_get_one_clear_message(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("kosong.csv", vec![], "Berkas kosong"),
        ("spasi.csv", b" \r\n\r\n".to_vec(), "Berkas kosong"),
        ("judul.csv", b"NIP,Nama,Status,Jabatan,Unit Kerja\n".to_vec(), "hanya berisi judul"),
        (
            "kolom.csv",
            b"Nomor,Nama\n1,Asep\n".to_vec(),
            "Baris judul kolom tidak ditemukan. Nama kolom yang dikenali: NIP, Nama",
        ),
        ("kurang.csv", b"NIP,Nama\n1,Asep\n".to_vec(), "Kolom wajib tidak ditemukan: Status, Jabatan, Unit Kerja"),
        ("rusak.xlsx", b"PK\x03\x04this is not a zip".to_vec(), "XLSX rusak"),
        ("gambar.csv", vec![0x89, b'P', b'N', b'G', 0, 0, 0], "bukan CSV atau XLSX"),
        ("latin1.csv", b"NIP,Nama\n1,Jos\xe9\n".to_vec(), "UTF-8"),
    ];
    for (name, bytes, msg) in cases {
        let r = hr.upload("employees", name, &bytes).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        assert!(r.body.contains(msg), "{name}: {msg}");
    }
    assert_eq!(app.scalar("select count(*) from import_batches").await, 0, "nothing stored");
    let big = vec![b'a'; 11 * 1024 * 1024];
    let r = hr.upload("employees", "besar.csv", &big).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{}", r.body.split("<main").nth(1).unwrap_or(""));
    assert_eq!(hr.post_multipart("/imports/unknown", &[], None).await.status, StatusCode::NOT_FOUND);
}

#[sqlx::test]
async fn xlsx_template_round_trip_and_assessment_import(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    // The downloadable template is itself importable (with a real position and unit).
    let t = hr.get("/imports/templates/employees.csv").await;
    assert!(t.body.contains("NIP,Nama,Gelar Depan"));
    let x =
        axum::http::Request::get("/imports/templates/assessments.xlsx").body(axum::body::Body::empty()).expect("req");
    assert!(hr.send(x).await.headers["content-type"].to_str().unwrap_or("").contains("spreadsheetml"));

    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let nip: String = sqlx::query_scalar(
        "select nip from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA' order by e.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("nip");
    let rows = [
        ["NIP", "Kode Kompetensi", "Tingkat", "Tanggal Penilaian", "Sumber", "Penilai", "Catatan"],
        [nip.as_str(), "apl-02", "3", "2026-10-15", "Sertifikasi", "LSP", "Lulus"],
        [nip.as_str(), "SEC-04", "2", "15/10/2026", "Atasan", "", ""],
    ];
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            ws.write_string(r as u32, c as u16, *v).expect("write");
        }
    }
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2026, 10, 15).expect("date");
    ws.write_datetime_with_format(2, 3, &date, &date_format).expect("date cell");
    let bytes = wb.save_to_buffer().expect("xlsx");
    let before = app.scalar("select count(*) from assessments").await;
    let r = hr.upload("assessments", "penilaian.xlsx", &bytes).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let id = batch_id(&r);
    assert_eq!(hr.post(&format!("/imports/batches/{id}/apply"), &[]).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar("select count(*) from assessments").await, before + 2);
    // Re-import: updated in place, not duplicated.
    let r = hr.upload("assessments", "penilaian.xlsx", &bytes).await;
    let id = batch_id(&r);
    hr.post(&format!("/imports/batches/{id}/apply"), &[]).await;
    assert_eq!(app.scalar("select count(*) from assessments").await, before + 2);
    // Another HR user's batch is not reachable.
    let mut admin = app.as_user("admin").await;
    assert_eq!(admin.get(&format!("/imports/batches/{id}")).await.status, StatusCode::FORBIDDEN);
}

/// The template's example row is recognised and skipped, said so in the preview.
#[sqlx::test]
async fn the_template_example_row_is_never_imported(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let template = hr.get("/imports/templates/employees.csv").await;
    let r = hr.upload("employees", "templat-pegawai.csv", template.body.as_bytes()).await;
    assert!(r.body.contains("contoh dari templat: dilewati"), "{}", r.body);
    let before = app.scalar("select count(*) from employees").await;
    let batch = app.scalar("select max(id) from import_batches").await;
    let applied = hr.post(&format!("/imports/batches/{batch}/apply"), &[]).await;
    assert!(applied.status.is_redirection() || applied.status.is_success());
    assert_eq!(app.scalar("select count(*) from employees").await, before, "nothing created");
    assert_eq!(
        app.scalar(&format!("select count(*) from employees where nip = '{}'", cakap::imports::validate::EXAMPLE_NIP))
            .await,
        0
    );
}
