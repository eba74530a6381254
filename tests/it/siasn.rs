//! The SIASN sync against the simulator (started in-process on a free port): pushes store SIASN's
//! ids and update on a second push, a 5xx or a time-out is retried, a 4xx is not and shows SIASN's
//! message, expired tokens are fetched again, an incomplete record is never sent and the page
//! says which field; the files list what is missing; secrets never show; reconciling imports a
//! SIASN-only record; and a Chromium run from preview to resend.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use cakap::siasn::sim::{self, Fault, Sim};
use sqlx::PgPool;

use crate::helpers::{Client, TestApp};

/// Two trainings finished last year: a technical one (kursus) with two passed participants whose
/// records are complete, and a leadership one (PKP, diklat) whose latihan struktural is empty.
pub struct Fixture {
    pub kursus: i64,
    pub diklat: i64,
    pub kursus_people: Vec<i64>,
    pub diklat_person: i64,
    pub year: i32,
}

pub async fn fixture(app: &TestApp) -> Fixture {
    let year = chrono::Utc::now().format("%Y").to_string().parse::<i32>().unwrap_or(2026) - 1;
    let provider = app
        .scalar("insert into providers (name, kind) values ('BPSDM Jawa Barat Uji', 'lan_bpsdm') returning id")
        .await;
    let training = |title: &str, form: &str, jenis: i16| {
        let sql = format!(
            "insert into trainings (title, form, jenis_diklat, provider_id, starts_on, ends_on, jp, budget_year, budget_unit_id, quota,
                                    place, status, siasn_jenis_kursus_sertifikat, siasn_lokasi_id, siasn_jenis_kompetensi, siasn_bobot)
             select '{title}', '{form}', {jenis}, {provider}, '{year}-03-02', '{year}-03-06', 32, {year}, id, 10, 'Bandung', 'completed',
                    'P', '3204', 'M', 2.5
             from units where code = 'DKIS' returning id"
        );
        async move { app.scalar(&sql).await }
    };
    let kursus = training("Keamanan Aplikasi Web Uji", "teknis", 3).await;
    let diklat = training("Pelatihan Kepemimpinan Pengawas Uji", "struktural", 1).await;
    let staff: Vec<i64> = sqlx::query_scalar(
        "select e.id from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA' and e.active order by e.id limit 3",
    )
    .fetch_all(&app.pool)
    .await
    .expect("staff");
    let add = async |t: i64, e: i64, no: &str| -> i64 {
        let file: i64 = sqlx::query_scalar(
            "insert into evidence_files (employee_id, filename, content_type, size_bytes, sha256, data)
             values ($1, $2, 'application/pdf', length($3::bytea), sha256($3::bytea), $3::bytea) returning id",
        )
        .bind(e)
        .bind(format!("sertifikat-{e}.pdf"))
        .bind(b"%PDF-1.4 sertifikat uji %%EOF".to_vec())
        .fetch_one(&app.pool)
        .await
        .expect("file");
        sqlx::query_scalar(
            "insert into training_participants (training_id, employee_id, status, certificate_no, certificate_file_id)
             values ($1, $2, 'passed', $3, $4) returning id",
        )
        .bind(t)
        .bind(e)
        .bind(no)
        .bind(file)
        .fetch_one(&app.pool)
        .await
        .expect("participant")
    };
    let p1 = add(kursus, staff[0], "KAW/2025/001").await;
    let p2 = add(kursus, staff[1], "KAW/2025/002").await;
    let p3 = add(diklat, staff[2], "PKP/2025/017").await;
    Fixture { kursus, diklat, kursus_people: vec![p1, p2], diklat_person: p3, year }
}

/// The app with its sync pointed at a fresh simulator.
pub async fn app_with_sim(pool: PgPool) -> (TestApp, Sim) {
    let app = TestApp::seeded(pool).await;
    let sim = sim::start("127.0.0.1:0", Default::default()).await.expect("simulator");
    app.state.siasn.configure(Some(sim.settings()));
    (app, sim)
}

async fn send(hr: &mut Client, scope: &str, training: i64) -> crate::helpers::Resp {
    let t = training.to_string();
    hr.post("/siasn/send", &[("scope", scope), ("training", &t), ("year", "")]).await
}

async fn run(app: &TestApp) -> usize {
    cakap::siasn::push::run_due(&app.state).await.expect("pushes run")
}

fn saves(sim: &Sim, kind: &str) -> Vec<serde_json::Value> {
    sim.received()
        .into_iter()
        .filter(|r| r.path == format!("/{kind}/save") && r.status == 200)
        .map(|r| r.body)
        .collect()
}

#[sqlx::test]
async fn a_push_stores_the_ids_and_a_second_push_updates(pool: PgPool) {
    let (app, sim) = app_with_sim(pool).await;
    let f = fixture(&app).await;
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get(&format!("/siasn?scope=training&training={}", f.kursus)).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("2 siap dikirim"), "{}", page.body);
    assert!(page.body.contains("Siap dikirim") && page.body.contains("Riwayat kursus"));
    let r = send(&mut hr, "training", f.kursus).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(run(&app).await, 2);
    let ids: Vec<(String, Option<String>)> = sqlx::query_as(
        "select status, siasn_id from siasn_pushes where participant_id = any($1) order by participant_id",
    )
    .bind(&f.kursus_people)
    .fetch_all(&app.pool)
    .await
    .expect("pushes");
    assert!(
        ids.iter().all(|(s, id)| s == "sent" && id.as_deref().is_some_and(|i| i.starts_with("kursus-"))),
        "{ids:?}"
    );
    let (_, kursus) = sim.records();
    assert_eq!(kursus.len(), 2);
    // What SIASN got: every field its save needs, dates dd-mm-yyyy, the uploaded certificate.
    let body = &saves(&sim, "kursus")[0];
    for field in [
        "instansiId",
        "pnsOrangId",
        "jenisDiklatId",
        "jenisKursusSertipikat",
        "namaKursus",
        "lokasiId",
        "nomorSertipikat",
    ] {
        assert!(body[field].as_str().is_some_and(|v| !v.is_empty()), "{field} in {body}");
    }
    assert_eq!(body["tanggalKursus"], format!("02-03-{}", f.year));
    assert_eq!(body["jumlahJam"], 32.0);
    assert!(body["path"][0]["dok_uri"].as_str().is_some_and(|u| u.contains("sertifikat-")), "{body}");
    let uploads: Vec<_> = sim.received().into_iter().filter(|r| r.path == "/upload-dok").collect();
    assert_eq!(uploads.len(), 2);
    assert_eq!(uploads[0].body["id_ref_dokumen"], "874");
    // The pnsOrangId was read once per employee and kept.
    assert_eq!(app.scalar("select count(*) from siasn_employees").await, 2);

    // Again: the same SIASN records are updated (their ids sent), nothing duplicated, nothing
    // uploaded or read again.
    let first_ids: Vec<String> = ids.into_iter().filter_map(|(_, i)| i).collect();
    let r = send(&mut hr, "training", f.kursus).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(run(&app).await, 2);
    let (_, kursus) = sim.records();
    assert_eq!(kursus.len(), 2, "updated, not duplicated");
    let again = saves(&sim, "kursus");
    assert_eq!(again.len(), 4);
    let resent: Vec<String> = again[2..].iter().filter_map(|b| b["id"].as_str().map(str::to_string)).collect();
    let mut a = resent.clone();
    a.sort();
    let mut b = first_ids.clone();
    b.sort();
    assert_eq!(a, b);
    assert_eq!(sim.received().iter().filter(|r| r.path == "/upload-dok").count(), 2);
    assert_eq!(sim.received().iter().filter(|r| r.path.starts_with("/pns/data-utama")).count(), 2);
    // The log per record: who, what was sent, SIASN's answer.
    let push = app.scalar(&format!("select id from siasn_pushes where participant_id = {}", f.kursus_people[0])).await;
    let log = hr.get(&format!("/siasn/pushes/{push}")).await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(
        log.body.contains("Terkirim") && log.body.contains("Menyimpan riwayat") && log.body.contains("kepegawaian")
    );
    assert!(log.body.contains("rwKursusId") && log.body.contains("nomorSertipikat"), "what was sent and the answer");
    assert_eq!(app.audit_count("send").await, 2);
}

#[sqlx::test]
async fn a_5xx_or_a_time_out_is_retried_and_succeeds(pool: PgPool) {
    let (app, sim) = app_with_sim(pool).await;
    let f = fixture(&app).await;
    let mut hr = app.as_user("kepegawaian").await;
    sim.fail(Fault::Unavailable, 1, Some("/kursus/save"));
    sim.fail(Fault::Timeout, 1, Some("/upload-dok"));
    send(&mut hr, "training", f.kursus).await;
    run(&app).await;
    let rows: Vec<(String, i32)> = sqlx::query_as("select status, attempts from siasn_pushes order by participant_id")
        .fetch_all(&app.pool)
        .await
        .expect("pushes");
    assert!(rows.iter().all(|(s, _)| s == "sent"), "{rows:?}");
    assert_eq!(rows.iter().map(|r| r.1).sum::<i32>(), 4, "each failure cost one more attempt");
    assert_eq!(sim.records().1.len(), 2, "no duplicate from the retry");
    let retries: Vec<(Option<i32>, String)> =
        sqlx::query_as("select http_status, answer from siasn_push_log where outcome = 'retry' order by id")
            .fetch_all(&app.pool)
            .await
            .expect("log");
    assert!(retries.contains(&(None, "timeout".to_string())), "{retries:?}");
    assert!(retries.contains(&(Some(503), "Service Unavailable".to_string())), "{retries:?}");
    assert_eq!(retries.len(), 2);
}

#[sqlx::test]
async fn a_4xx_shows_siasns_message_and_is_not_retried(pool: PgPool) {
    let (app, sim) = app_with_sim(pool).await;
    let f = fixture(&app).await;
    let mut hr = app.as_user("kepegawaian").await;
    sim.fail(Fault::Reject("nomorSertipikat sudah terdaftar".into()), 1, Some("/kursus/save"));
    send(&mut hr, "training", f.kursus).await;
    run(&app).await;
    let failed: Vec<(i64, i32, String)> =
        sqlx::query_as("select id, attempts, error_detail from siasn_pushes where status = 'failed'")
            .fetch_all(&app.pool)
            .await
            .expect("failed");
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].1, 1, "never retried");
    assert_eq!(sim.received().iter().filter(|r| r.path == "/kursus/save").count(), 2, "one refused, one saved");
    let page = hr.get("/siasn").await;
    assert!(page.body.contains("SIASN menolak: nomorSertipikat sudah terdaftar"), "{}", page.body);
    let log = hr.get(&format!("/siasn/pushes/{}", failed[0].0)).await;
    assert!(log.body.contains("ditolak SIASN") && log.body.contains("HTTP 400"));
    // Running the queue again sends nothing; HR resends and it goes.
    assert_eq!(run(&app).await, 0);
    let r = hr.post(&format!("/siasn/pushes/{}/resend", failed[0].0), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(run(&app).await, 1);
    assert_eq!(app.scalar("select count(*) from siasn_pushes where status = 'sent'").await, 2);
    let en = {
        hr.get("/lang/en").await;
        hr.get(&format!("/siasn/pushes/{}", failed[0].0)).await
    };
    assert!(en.body.contains("SIASN push log") && en.body.contains("refused by SIASN"));
}

#[sqlx::test]
async fn an_expired_token_is_fetched_again(pool: PgPool) {
    let (app, sim) = app_with_sim(pool).await;
    let f = fixture(&app).await;
    let mut hr = app.as_user("kepegawaian").await;
    send(&mut hr, "training", f.kursus).await;
    run(&app).await;
    assert_eq!(sim.tokens_issued(), (1, 1), "one pair of tokens for every call while they are fresh");
    // SIASN says the tokens expired: both are fetched again and the call goes through.
    sim.fail(Fault::ExpireTokens, 1, Some("/kursus/save"));
    send(&mut hr, "training", f.kursus).await;
    run(&app).await;
    assert_eq!(app.scalar("select count(*) from siasn_pushes where status = 'sent'").await, 2);
    assert_eq!(sim.tokens_issued(), (2, 2));
    assert_eq!(sim.received().iter().filter(|r| r.status == 401).count(), 1, "one refusal, then the fresh tokens");
    // Tokens about to expire are fetched again before they are used, not after a refusal.
    sim.token_lifetime(Some(std::time::Duration::from_secs(120)));
    app.state.siasn.configure(Some(sim.settings()));
    send(&mut hr, "training", f.kursus).await;
    run(&app).await;
    let after = sim.tokens_issued();
    assert!(after.0 >= 4 && after.1 >= 4, "{after:?}");
    assert_eq!(sim.received().iter().filter(|r| r.status == 401).count(), 1, "no new refusal");
}

#[sqlx::test]
async fn an_incomplete_record_is_never_sent_and_the_page_says_which_field(pool: PgPool) {
    let (app, sim) = app_with_sim(pool).await;
    let f = fixture(&app).await;
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get(&format!("/siasn?scope=training&training={}", f.diklat)).await;
    assert!(page.body.contains("isi jenis pelatihan struktural"), "{}", page.body);
    assert!(page.body.contains(&format!("/siasn/trainings/{}", f.diklat)), "a link to fix it");
    assert!(!page.body.contains("id=\"siasn-send\""), "no send button when nothing is ready");
    let r = send(&mut hr, "training", f.diklat).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar("select count(*) from siasn_pushes").await, 0);
    run(&app).await;
    assert!(saves(&sim, "diklat").is_empty());
    // The file says it too, per row, in words.
    let file = hr.get(&format!("/development/siasn?file=diklat&year={}", f.year)).await;
    let lines: Vec<&str> = file.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "nip,pnsOrangId,latihanStrukturalId,nomor,tanggal,tanggalSelesai,tahun,jumlahJam,bobot,jenisKompetensi,institusiPenyelenggara,path,Kekurangan (belum bisa dikirim)"
    );
    let row = lines.iter().find(|l| l.contains("PKP/2025/017")).expect("the PKP row");
    assert!(
        row.contains("isi jenis pelatihan struktural") && row.contains(",2.5,M,BPSDM Jawa Barat Uji,sertifikat-"),
        "{row}"
    );
    let kursus = hr.get(&format!("/development/siasn?file=kursus&year={}", f.year)).await;
    let head = kursus.body.trim_start_matches('\u{feff}').lines().next().unwrap_or("").to_string();
    assert!(
        head.starts_with("nip,pnsOrangId,instansiId,jenisDiklatId,jenisKursus,jenisKursusSertipikat,namaKursus"),
        "{head}"
    );
    // A record that loses a field after it was queued is checked again and not sent.
    send(&mut hr, "training", f.kursus).await;
    sqlx::query("update training_participants set certificate_no = '' where id = $1")
        .bind(f.kursus_people[0])
        .execute(&app.pool)
        .await
        .expect("clear");
    run(&app).await;
    let (id, kind, detail): (i64, String, String) =
        sqlx::query_as("select id, error_kind, error_detail from siasn_pushes where participant_id = $1")
            .bind(f.kursus_people[0])
            .fetch_one(&app.pool)
            .await
            .expect("push");
    assert_eq!((kind.as_str(), detail.as_str()), ("missing", "nomor"));
    assert_eq!(saves(&sim, "kursus").len(), 1, "only the complete one went");
    let log = hr.get(&format!("/siasn/pushes/{id}")).await;
    assert!(log.body.contains("isi nomor sertifikat"), "{}", log.body);
    // Fixing the training's SIASN data: a bad weight is refused next to the field, input kept.
    let form = format!("/siasn/trainings/{}", f.diklat);
    let bad = hr.post(&form, &[("latihan_struktural", "6"), ("jenis_kompetensi", "M"), ("bobot", "banyak")]).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("Bobot berupa angka") && bad.body.contains("value=\"banyak\""));
    let ok = hr.post(&form, &[("latihan_struktural", "6"), ("jenis_kompetensi", "M"), ("bobot", "2,5")]).await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    send(&mut hr, "training", f.diklat).await;
    run(&app).await;
    let d = saves(&sim, "diklat");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0]["latihanStrukturalId"], "6");
    assert_eq!(d[0]["bobot"], 2.5);
    assert_eq!(d[0]["tanggalSelesai"], format!("06-03-{}", f.year));
    let _ = f.diklat_person;
}

#[sqlx::test]
async fn without_settings_nothing_is_sent_and_the_page_says_how_to_configure(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let f = fixture(&app).await;
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get("/siasn").await;
    assert!(page.body.contains("Sinkronisasi SIASN belum diatur") && page.body.contains("CAKAP_SIASN_GATEWAY_URL"));
    let r = send(&mut hr, "training", f.kursus).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar("select count(*) from siasn_pushes").await, 0);
    let file = hr.get(&format!("/development/siasn?file=kursus&year={}", f.year)).await;
    assert_eq!(file.status, StatusCode::OK);
    assert!(file.body.contains("KAW/2025/001"));
    assert!(file.body.contains("isi ID instansi"), "the file says the agency id is not set");
    // Heads and employees never reach the sync.
    let mut head = app.as_user("kabid.aptika").await;
    assert_eq!(head.get("/siasn").await.status, StatusCode::FORBIDDEN);
}

/// A writer that keeps everything logged (the test greps it).
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[sqlx::test]
async fn secrets_never_show_in_pages_logs_or_the_audit_log(pool: PgPool) {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);
    let (app, sim) = app_with_sim(pool).await;
    let f = fixture(&app).await;
    let mut hr = app.as_user("kepegawaian").await;
    sim.fail(Fault::Unavailable, 1, None);
    sim.fail(Fault::ExpireTokens, 1, None);
    send(&mut hr, "training", f.kursus).await;
    run(&app).await;
    hr.post("/siasn/refs/refresh", &[]).await;
    let push = app.scalar("select min(id) from siasn_pushes").await;
    let unit = app.scalar("select id from units where code = 'APT-PA'").await;
    let mut seen = String::new();
    for path in [
        "/siasn".to_string(),
        format!("/siasn/pushes/{push}"),
        "/siasn/refs".into(),
        format!("/siasn/reconcile?unit={unit}"),
        "/audit".into(),
        "/audit?format=csv".into(),
        format!("/development/siasn?file=kursus&year={}", f.year),
    ] {
        let r = hr.get(&path).await;
        assert_eq!(r.status, StatusCode::OK, "{path}");
        seen.push_str(&r.body);
    }
    let audit: String = sqlx::query_scalar("select coalesce(string_agg(to_jsonb(a)::text, ' '), '') from audit_log a")
        .fetch_one(&app.pool)
        .await
        .expect("audit");
    let log: String =
        sqlx::query_scalar("select coalesce(string_agg(to_jsonb(l)::text, ' '), '') from siasn_push_log l")
            .fetch_one(&app.pool)
            .await
            .expect("push log");
    let logs = String::from_utf8_lossy(&captured.0.lock().map(|v| v.clone()).unwrap_or_default()).into_owned();
    assert!(logs.contains("SIASN record saved"), "the logs were captured");
    assert!(log.contains("rwKursusId"), "the push log was written");
    let settings = sim.settings();
    for secret in settings.secrets() {
        for (what, text) in [("pages", &seen), ("logs", &logs), ("audit log", &audit), ("push log", &log)] {
            assert!(!text.contains(secret), "a secret shows in the {what}");
        }
    }
}

#[sqlx::test]
async fn reconcile_shows_both_sides_and_imports_a_siasn_only_record(pool: PgPool) {
    let (app, sim) = app_with_sim(pool).await;
    let f = fixture(&app).await;
    let mut hr = app.as_user("kepegawaian").await;
    send(&mut hr, "training", f.kursus).await;
    run(&app).await;
    let nip: String = sqlx::query_scalar(
        "select e.nip from training_participants p join employees e on e.id = p.employee_id where p.id = $1",
    )
    .bind(f.kursus_people[0])
    .fetch_one(&app.pool)
    .await
    .expect("nip");
    sim.add_record(
        "kursus",
        serde_json::json!({"nip": nip, "namaKursus": "Bimtek Tata Kelola Data Uji", "institusiPenyelenggara": "Kominfo",
            "jumlahJam": 16, "tanggalKursus": "10-02-2024", "tanggalSelesaiKursus": "11-02-2024", "tahunKursus": 2024,
            "nomorSertipikat": "TKD/2024/9"}),
    );
    let unit = app.scalar("select id from units where code = 'APT-PA'").await;
    let page = hr.get(&format!("/siasn/reconcile?unit={unit}")).await;
    assert_eq!(page.status, StatusCode::OK);
    let only_siasn = page.body.split("id=\"siasn-only\"").nth(1).unwrap_or("").split("</table>").next().unwrap_or("");
    assert!(only_siasn.contains("Bimtek Tata Kelola Data Uji"), "{}", page.body);
    assert!(!only_siasn.contains("Keamanan Aplikasi Web Uji"), "what was pushed is on both sides");
    let only_cakap = page.body.split("id=\"cakap-only\"").nth(1).unwrap_or("");
    assert!(only_cakap.contains("Pelatihan Kepemimpinan Pengawas Uji"), "the unsent PKP is only in Cakap");
    let sid = hidden_after(&page.body, "Bimtek Tata Kelola Data Uji");
    let employee = app.scalar(&format!("select id from employees where nip = '{nip}'")).await.to_string();
    let r = hr
        .post(
            "/siasn/reconcile/import",
            &[("employee", &employee), ("kind", "kursus"), ("siasn_id", &sid), ("unit", &unit.to_string())],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let (name, jp): (String, f64) = sqlx::query_as("select name, jp::float8 from siasn_imported where siasn_id = $1")
        .bind(&sid)
        .fetch_one(&app.pool)
        .await
        .expect("imported");
    assert_eq!((name.as_str(), jp), ("Bimtek Tata Kelola Data Uji", 16.0));
    let again = hr.get(&format!("/siasn/reconcile?unit={unit}")).await;
    let only_siasn = again.body.split("id=\"siasn-only\"").nth(1).unwrap_or("").split("</table>").next().unwrap_or("");
    assert!(!only_siasn.contains("Bimtek Tata Kelola Data Uji"));
    let history = hr.get(&format!("/employees/{employee}/development")).await;
    assert!(history.body.contains("Bimtek Tata Kelola Data Uji"), "in the employee's history");
    // The reference lists come from SIASN.
    let r = hr.post("/siasn/refs/refresh", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let name: String = sqlx::query_scalar(
        "select name from siasn_refs where kind = 'latihan_struktural' and ref_id = '6' and refreshed_at is not null",
    )
    .fetch_one(&app.pool)
    .await
    .expect("refreshed");
    assert_eq!(name, "PELATIHAN KEPEMIMPINAN PENGAWAS");
}

/// The `siasn_id` hidden field of the import form in the row that names `title`.
fn hidden_after(body: &str, title: &str) -> String {
    let row = body.split(title).nth(1).unwrap_or("");
    row.split("name=\"siasn_id\" value=\"").nth(1).and_then(|s| s.split('"').next()).unwrap_or("").to_string()
}

/// How many pushes the sync page lists as sent (reloading it).
async fn sent_on_page(b: &crate::browser::Browser, want: u64) {
    for _ in 0..120 {
        b.goto("/siasn").await;
        let n = b
            .client
            .execute("return document.querySelectorAll('#siasn-pushes tr.push-sent').length;", vec![])
            .await
            .ok()
            .and_then(|v| v.as_u64())
            .unwrap_or(0);
        if n >= want {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    panic!("the page never listed {want} sent pushes: {}", b.text("main").await);
}

#[sqlx::test]
async fn hr_previews_sends_reads_the_log_fixes_a_field_and_resends_in_chromium(pool: PgPool) {
    use crate::{
        browser::{Checks, open},
        helpers::PW,
    };
    let (app, sim) = app_with_sim(pool).await;
    let f = fixture(&app).await;
    let Some(b) = open(&app).await else { return };
    let mut checks = Checks::new();
    // As the portal does: pushes run in a worker, never in the request.
    let worker = tokio::spawn(cakap::siasn::push::worker(app.state.clone()));
    b.login("kepegawaian", PW).await;
    b.click("nav.sidenav a[href='/siasn']").await;
    assert_eq!(b.text("main h1").await, "Sinkronisasi SIASN");
    // Everything not yet sent: the demo's complete results wait beside the fixture's, and the PKP
    // says what it lacks.
    b.click("#siasn-choose button[type=submit]").await;
    let preview = b.text("#siasn-preview").await;
    assert!(preview.contains("siap dikirim") && preview.contains("belum lengkap (tidak dikirim)"), "{preview}");
    assert!(preview.contains("isi jenis pelatihan struktural"), "{preview}");
    // One training: its two complete course records.
    let chosen = b
        .client
        .execute(
            "document.querySelector('#scope').value = 'training'; const t = document.querySelector('#training');
             t.value = arguments[0]; return t.value;",
            vec![serde_json::json!(f.kursus.to_string())],
        )
        .await
        .expect("choose");
    assert_eq!(chosen, serde_json::json!(f.kursus.to_string()));
    b.click("#siasn-choose button[type=submit]").await;
    let preview = b.text("#siasn-preview").await;
    assert!(
        preview.contains("2 siap dikirim · 0 di antaranya memperbarui catatan yang sudah ada · 0 belum lengkap"),
        "{preview}"
    );
    b.shot("siasn-preview").await;
    checks.page(&b, "siasn preview").await;
    b.click("#siasn-send button[type=submit]").await;
    assert!(b.text(".flash").await.contains("dijadwalkan"));
    sent_on_page(&b, 2).await;
    assert_eq!(sim.records().1.len(), 2);
    // The log of one record: what was sent, SIASN's answer, who asked.
    b.click("#siasn-pushes a[href^='/siasn/pushes/']").await;
    let log = b.text("main").await;
    assert!(log.contains("Menyimpan riwayat") && log.contains("berhasil") && log.contains("kepegawaian"), "{log}");
    b.shot("siasn-log").await;
    checks.page(&b, "siasn log").await;
    // Fix the missing field from the preview's link, then send that training.
    b.goto(&format!("/siasn?scope=training&training={}", f.diklat)).await;
    b.click("#siasn-preview a.fix").await;
    assert_eq!(b.path().await, format!("/siasn/trainings/{}", f.diklat));
    assert!(b.text("main").await.contains("Di SIASN: latihanStrukturalId"), "the SIASN name is help text");
    checks.page(&b, "siasn training form").await;
    let set = b
        .client
        .execute("const s = document.querySelector('#latihan_struktural'); s.value = '6'; return s.value;", vec![])
        .await
        .expect("choose");
    assert_eq!(set, serde_json::json!("6"));
    b.click("#siasn-training-form button[type=submit]").await;
    assert!(b.text(".flash").await.contains("Perubahan disimpan"));
    b.goto(&format!("/siasn?scope=training&training={}", f.diklat)).await;
    assert!(b.text("#siasn-preview").await.contains("Siap dikirim"));
    b.click("#siasn-send button[type=submit]").await;
    sent_on_page(&b, 3).await;
    let (diklat, _) = sim.records();
    assert_eq!(diklat.len(), 1);
    assert!(diklat.values().all(|d| d["latihanStrukturalId"] == "6"));
    // Resend from its log: SIASN's record is updated, not duplicated.
    let push = app.scalar(&format!("select id from siasn_pushes where participant_id = {}", f.diklat_person)).await;
    b.goto(&format!("/siasn/pushes/{push}")).await;
    b.click("#push-resend button[type=submit]").await;
    assert!(b.text(".flash").await.contains("dijadwalkan"));
    for _ in 0..120 {
        if saves(&sim, "diklat").len() == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(saves(&sim, "diklat").len(), 2);
    assert_eq!(sim.records().0.len(), 1, "updated, not duplicated");
    // The same page in English.
    b.goto("/lang/en?next=/siasn").await;
    assert_eq!(b.text("main h1").await, "SIASN sync");
    assert!(b.text("#siasn-pushes").await.contains("Sent"));
    b.shot("siasn-en").await;
    checks.page(&b, "siasn en").await;
    b.goto(&format!("/siasn/pushes/{push}")).await;
    checks.page(&b, "siasn log en").await;
    b.goto("/siasn/refs").await;
    checks.page(&b, "siasn refs en").await;
    let unit = app.scalar("select id from units where code = 'APT-PA'").await;
    b.goto(&format!("/siasn/reconcile?unit={unit}")).await;
    checks.page(&b, "siasn reconcile en").await;
    b.goto("/lang/id?next=/siasn/refs").await;
    checks.page(&b, "siasn refs").await;
    b.goto(&format!("/siasn/reconcile?unit={unit}")).await;
    assert!(b.visible("#cakap-only").await, "what Cakap has and SIASN not");
    checks.page(&b, "siasn reconcile").await;
    // A phone: the sync page does not scroll sideways.
    b.client.set_window_size(390, 844).await.expect("phone size");
    b.goto("/siasn").await;
    let wide = b
        .client
        .execute("return document.documentElement.scrollWidth > window.innerWidth;", vec![])
        .await
        .expect("width");
    assert_eq!(wide, serde_json::json!(false), "the sync page scrolls sideways on a phone");
    let problems = checks.finish();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    worker.abort();
    b.close().await;
}

/// SKP ratings read from SIASN's `rw-skp22` for a unit and a year: new ones added with SIASN as
/// their source, SIASN's earlier ones updated, a rating recorded by hand that differs kept and
/// shown beside SIASN's, values that cannot be read with certainty and calls that fail taken as
/// nothing; reading again changes nothing.
#[sqlx::test]
async fn skp_ratings_are_read_from_siasn_and_hand_records_are_kept(pool: PgPool) {
    use serde_json::{Value, json};
    let (app, sim) = app_with_sim(pool).await;
    let year = chrono::Utc::now().format("%Y").to_string().parse::<i32>().unwrap_or(2026) - 1;
    let unit = app.scalar("select id from units where code = 'APT-PA'").await;
    let staff: Vec<(i64, String)> = sqlx::query_as(
        "select e.id, e.nip from employees e join units u on u.id = e.unit_id
         where u.path like (select path from units where id = $1) || '%' and e.active order by e.id",
    )
    .bind(unit)
    .fetch_all(&app.pool)
    .await
    .expect("staff");
    assert!(staff.len() >= 6, "{staff:?}");
    let ids: Vec<i64> = staff.iter().map(|s| s.0).collect();
    sqlx::query("delete from performance_ratings where employee_id = any($1) and year = $2")
        .bind(&ids)
        .bind(year)
        .execute(&app.pool)
        .await
        .expect("clear");
    let rating = |e: i64, h: &'static str, p: &'static str, pred: &'static str, src: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query(
                "insert into performance_ratings (employee_id, year, hasil_kerja, perilaku_kerja, predicate, source)
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(e)
            .bind(year)
            .bind(h)
            .bind(p)
            .bind(pred)
            .bind(src)
            .execute(&pool)
            .await
            .expect("rating");
        }
    };
    let skp = |h: Value, p: Value| vec![json!({"tahun": year, "hasilKinerjaNilai": h, "PerilakuKerjaNilai": p})];
    // 0: new in Cakap. 1: recorded by hand, differs. 2: SIASN's before, changed there.
    // 3: a value outside 1-3. 4: nothing for the year. The rest: the simulator's made-up history.
    sim.set_skp(&staff[0].1, skp(json!(1), json!(2)));
    sim.set_skp(&staff[1].1, skp(json!(1), json!(1)));
    rating(staff[1].0, "as_expected", "as_expected", "baik", "manual").await;
    sim.set_skp(&staff[2].1, skp(json!("2"), json!("2")));
    rating(staff[2].0, "below", "below", "sangat_kurang", "siasn").await;
    sim.set_skp(&staff[3].1, skp(json!(4), json!(1)));
    sim.set_skp(&staff[4].1, vec![json!({"tahun": year - 1, "hasilKinerjaNilai": 1, "PerilakuKerjaNilai": 1})]);

    let mut hr = app.as_user("kepegawaian").await;
    let form = hr.get("/talent/ratings/siasn").await;
    assert_eq!(form.status, StatusCode::OK);
    // No unit: the field says so, nothing is read.
    let r = hr.post("/talent/ratings/siasn", &[("unit", ""), ("year", &year.to_string())]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Pilih unit."), "{}", r.body);
    assert!(!sim.received().iter().any(|c| c.path.contains("rw-skp22")));

    let u = unit.to_string();
    let y = year.to_string();
    let r = hr.post("/talent/ratings/siasn", &[("unit", &u), ("year", &y)]).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let rest = staff.len() - 5;
    let count = |label: &str| -> usize {
        let at = r.body.find(&format!("{label}: <strong>")).unwrap_or_else(|| panic!("{label} in {}", r.body));
        let s = &r.body[at + label.len() + ": <strong>".len()..];
        s[..s.find('<').unwrap_or(0)].parse().expect("count")
    };
    assert_eq!(count("Ditambahkan"), 1 + rest);
    assert_eq!(count("Diperbarui"), 1);
    assert_eq!(count("Sudah sama"), 0);
    assert_eq!(count("Berbeda dengan catatan Cakap (tidak diubah)"), 1);
    assert_eq!(count("Tanpa SKP tahun ini di SIASN"), 1);
    assert_eq!(count("Tidak dapat diambil"), 1);
    let held = |e: i64| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (String, String, String, String)>(
                "select hasil_kerja, perilaku_kerja, predicate, source from performance_ratings where employee_id = $1 and year = $2",
            )
            .bind(e)
            .bind(year)
            .fetch_optional(&pool)
            .await
            .expect("held")
        }
    };
    assert_eq!(held(staff[0].0).await, Some(("above".into(), "as_expected".into(), "baik".into(), "siasn".into())));
    assert_eq!(
        held(staff[1].0).await,
        Some(("as_expected".into(), "as_expected".into(), "baik".into(), "manual".into()))
    );
    assert_eq!(
        held(staff[2].0).await,
        Some(("as_expected".into(), "as_expected".into(), "baik".into(), "siasn".into()))
    );
    assert_eq!(held(staff[3].0).await, None);
    assert_eq!(held(staff[4].0).await, None);
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where entity = 'performance_rating' and action in ('create', 'update')",
    )
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(audited as usize, 2 + rest);

    // Again, with SIASN failing one call (a 4xx is not retried): nothing new is written.
    sim.fail(Fault::Reject("Data tidak ditemukan".into()), 1, Some("rw-skp22"));
    let r = hr.post("/talent/ratings/siasn", &[("unit", &u), ("year", &y)]).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Ditambahkan: <strong>0</strong>"), "{}", r.body);
    assert!(r.body.contains("Diperbarui: <strong>0</strong>"));
    assert!(r.body.contains("SIASN tidak menjawab"));
    let again: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where entity = 'performance_rating' and action in ('create', 'update')",
    )
    .fetch_one(&app.pool)
    .await
    .expect("audit");
    assert_eq!(again, audited);

    // Only HR reads SKP from SIASN.
    let mut head = app.as_user("kabid.aptika").await;
    assert_eq!(head.get("/talent/ratings/siasn").await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn forms_offer_siasns_lists_and_staff_ids_import_from_a_file_all_or_none(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    // The training form offers SIASN's lists as HR last refreshed them, not constants.
    sqlx::query("insert into siasn_refs (kind, ref_id, name) values ('jenis_diklat', '26', 'Jenis Baru Dari SIASN')")
        .execute(&app.pool)
        .await
        .expect("ref");
    let form = hr.get("/trainings/new").await;
    assert!(form.body.contains("26 · Jenis Baru Dari SIASN"), "the refreshed list: {}", form.body);
    assert!(form.body.contains("Pelatihan Kepemimpinan Pengawas (PKP)"), "latihan struktural is a list");
    let programme = hr.get("/programmes/new").await;
    assert!(programme.body.contains("26 · Jenis Baru Dari SIASN"));
    let token = crate::helpers::hidden(&form.body, "form_token");
    let apt = app.scalar("select id from units where code = 'APT'").await.to_string();
    let fields = |jenis: &'static str, latihan: &'static str| {
        vec![
            ("title", "Pelatihan Uji SIASN".to_string()),
            ("form", "teknis".into()),
            ("jenis_diklat", jenis.into()),
            ("siasn_ref", latihan.into()),
            ("place", "Bandung".into()),
            ("starts_on", "02-03-2031".into()),
            ("ends_on", "04-03-2031".into()),
            ("jp", "16".into()),
            ("cost_per_participant", "0".into()),
            ("fixed_cost", "0".into()),
            ("budget_year", "2031".into()),
            ("budget_unit", apt.clone()),
            ("quota", "3".into()),
            ("status", "planned".into()),
            ("form_token", token.clone()),
        ]
    };
    let post = async |hr: &mut Client, f: Vec<(&'static str, String)>| {
        let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        hr.post("/trainings", &f).await
    };
    // A leadership type on a technical training, and a type not on the list: field errors, input kept.
    let r = post(&mut hr, fields("3", "6")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("hanya untuk diklat struktural (jenis 1)"), "{}", r.body);
    assert!(r.body.contains("<option value=\"6\" selected>"), "the choice is kept");
    let r = post(&mut hr, fields("99", "")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Pilih jenis diklat dari daftar SIASN"), "{}", r.body);
    // A structural training with its leadership type, and a type added by a refresh: saved.
    let r = post(&mut hr, fields("1", "6")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.location().trim_start_matches("/trainings/").parse().expect("id");
    let (jenis, latihan): (i16, String) = sqlx::query_as("select jenis_diklat, siasn_ref from trainings where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("training");
    assert_eq!((jenis, latihan.as_str()), (1, "6"));
    assert!(hr.get(&format!("/trainings/{id}")).await.body.contains("1 · Struktural"));

    // Staff SIASN ids from a file: every row checked first, nothing written on any problem.
    let staff: Vec<(i64, String)> = sqlx::query_as("select id, nip from employees where active order by id limit 3")
        .fetch_all(&app.pool)
        .await
        .expect("staff");
    sqlx::query("delete from siasn_employees").execute(&app.pool).await.expect("clear");
    let (a, b, c) = (&staff[0].1, &staff[1].1, &staff[2].1);
    let bad = format!(
        "NIP,pnsOrangId\n{a},A8ACA7397AEB3912E040640A040269BB\n199901012020011999,B8ACA7397AEB3912E040640A040269BB\n{b},=HYPERLINK(\"x\")\n{c},A8ACA7397AEB3912E040640A040269BB\n{a},C8ACA7397AEB3912E040640A040269BB\n"
    );
    let r = hr.post_multipart("/siasn/ids", &[], Some(("file", "ids.csv", bad.as_bytes()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for (row, words) in [
        ("Baris 3", "NIP tidak dikenal"),
        ("Baris 4", "bukan ID SIASN"),
        ("Baris 5", "sudah milik pegawai lain"),
        ("Baris 6", "lebih dari sekali"),
    ] {
        assert!(r.body.contains(&format!("{row}: ")) && r.body.contains(words), "{row} {words}: {}", r.body);
    }
    assert_eq!(app.scalar("select count(*) from siasn_employees").await, 0, "nothing written");
    let good =
        format!("NIP,pnsOrangId\n{a},A8ACA7397AEB3912E040640A040269BB\n{b},0f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b\n");
    let r = hr.post_multipart("/siasn/ids", &[], Some(("file", "ids.csv", good.as_bytes()))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let ids: Vec<(i64, String)> =
        sqlx::query_as("select employee_id, pns_orang_id from siasn_employees order by employee_id")
            .fetch_all(&app.pool)
            .await
            .expect("ids");
    assert_eq!(
        ids,
        vec![
            (staff[0].0, "A8ACA7397AEB3912E040640A040269BB".to_string()),
            (staff[1].0, "0f8e1c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b".to_string())
        ]
    );
    let audits = app.scalar("select count(*) from audit_log where entity = 'siasn_employee'").await;
    assert_eq!(audits, 2);
    // The same file again changes nothing; the page counts who has an id.
    hr.post_multipart("/siasn/ids", &[], Some(("file", "ids.csv", good.as_bytes()))).await;
    assert_eq!(app.scalar("select count(*) from audit_log where entity = 'siasn_employee'").await, 2);
    let page = hr.get("/siasn/ids").await;
    assert!(page.body.contains("2 dari "), "{}", page.body);
    // Only HR.
    let mut head = app.as_user("kabid.aptika").await;
    assert_eq!(head.get("/siasn/ids").await.status, StatusCode::FORBIDDEN);
}
