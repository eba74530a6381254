//! End to end, per role, in Chromium through the served portal: log in, reach the home (a
//! screenshot of each home is kept in `target/screenshots/e2e-home-*.png`), do the role's main
//! task, switch language, download a PDF and check it is one with the right name in it, log out.

use fantoccini::Locator;
use serde_json::json;
use sqlx::PgPool;

use crate::{
    browser::{Browser, open},
    helpers::{PW, TestApp},
};

impl Browser {
    /// Follow the link `css` as a download: (content type, content disposition, body as bytes).
    async fn download(&self, css: &str) -> (String, String, Vec<u8>) {
        let href = self.client.find(Locator::Css(css)).await.expect(css).attr("href").await.expect("href");
        let href = href.unwrap_or_else(|| panic!("{css} has no href"));
        let got = self
            .client
            .execute_async(
                "const [href, done] = arguments;
                 fetch(href, { credentials: 'same-origin' }).then(async r => {
                   const bytes = Array.from(new Uint8Array(await r.arrayBuffer()));
                   done({ status: r.status, type: r.headers.get('content-type') || '',
                          disposition: r.headers.get('content-disposition') || '', bytes });
                 }).catch(e => done({ error: String(e) }));",
                vec![json!(href)],
            )
            .await
            .expect("download");
        assert_eq!(got["status"], json!(200), "{href}: {got}");
        let bytes = got["bytes"].as_array().expect("bytes").iter().map(|b| b.as_u64().unwrap_or(0) as u8).collect();
        (
            got["type"].as_str().unwrap_or_default().to_string(),
            got["disposition"].as_str().unwrap_or_default().to_string(),
            bytes,
        )
    }

    /// Download the PDF behind `css` and check it is a PDF that names `who`.
    async fn pdf_names(&self, css: &str, who: &str) {
        let (kind, disposition, bytes) = self.download(css).await;
        assert_eq!(kind, "application/pdf");
        assert!(disposition.contains(".pdf"), "{disposition}");
        assert!(bytes.starts_with(b"%PDF-"), "a PDF file");
        assert!(bytes.ends_with(b"%%EOF\n") || bytes.ends_with(b"%%EOF"), "a whole PDF file");
        let text = String::from_utf8_lossy(&bytes);
        assert!(text.contains(who), "the PDF names {who}");
    }

    async fn logout(&self) {
        self.goto("/").await;
        self.tap("details.usermenu summary").await;
        self.click("details.usermenu button[type=submit]").await;
        assert!(self.path().await.starts_with("/login"));
    }
}

#[sqlx::test]
async fn each_role_does_its_day_in_the_browser(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (own, own_nip, own_name): (i64, String, String) = sqlx::query_as(
        "select e.id, e.nip, e.name from accounts a join employees e on e.id = a.employee_id where a.username = 'pegawai'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("own");
    let provider: i64 =
        sqlx::query_scalar("select min(id) from providers").fetch_one(&app.pool).await.expect("provider");
    let dkis: i64 =
        sqlx::query_scalar("select id from units where code = 'DKIS'").fetch_one(&app.pool).await.expect("unit");
    let comp: i64 = sqlx::query_scalar("select id from competencies where code = 'APL-03'")
        .fetch_one(&app.pool)
        .await
        .expect("comp");
    let mentor: String = sqlx::query_scalar(
        "select e.nip from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA' and e.id <> $1 order by e.id limit 1",
    )
    .bind(own)
    .fetch_one(&app.pool)
    .await
    .expect("mentor");
    let year = chrono::Utc::now().format("%Y").to_string();
    let Some(b) = open(&app).await else { return };

    // ---- HR: imports employees, records a training with its participants and results.
    b.login("kepegawaian", PW).await;
    assert_eq!(b.path().await, "/");
    assert!(b.text("main h1").await.starts_with("Selamat datang"));
    b.shot("e2e-home-hr").await;
    let csv = std::env::temp_dir().join(format!("cakap-e2e-{}.csv", std::process::id()));
    std::fs::write(
        &csv,
        "NIP,Nama,Status,Golongan,Jabatan,Unit Kerja\n199105052019032011,Rina Kusumawati,PNS,III/b,Statistisi Ahli Pertama,STA-SS\n",
    )
    .expect("csv");
    b.click("nav.sidenav a[href='/imports']").await;
    b.attach("#file-employees", &csv).await;
    b.click("form[action^='/imports/employees'] button[type=submit]").await;
    b.click("form[action$='/apply'] button[type=submit]").await;
    assert!(b.text(".flash").await.contains("Impor diterapkan"));
    let _ = std::fs::remove_file(&csv);

    b.goto("/trainings/new").await;
    b.fill("#title", "Pelatihan Keamanan Aplikasi Web Dasar").await;
    b.set("#form", "teknis").await;
    b.set("#jenis_diklat", "3").await;
    b.set("#provider", &provider.to_string()).await;
    b.fill("#place", "Soreang").await;
    b.set("#starts_on", &format!("{year}-01-12")).await;
    b.set("#ends_on", &format!("{year}-01-14")).await;
    b.fill("#jp", "24").await;
    b.fill("#cost_per_participant", "1500000").await;
    b.fill("#fixed_cost", "0").await;
    b.fill("#budget_year", &year).await;
    b.set("#budget_unit", &dkis.to_string()).await;
    b.fill("#quota", "10").await;
    b.set("#status", "open").await;
    b.click("main form button[type=submit]").await;
    assert!(b.text(".flash").await.to_lowercase().contains("disimpan"), "{}", b.text("main").await);
    let training: i64 =
        sqlx::query_scalar("select id from trainings where title = 'Pelatihan Keamanan Aplikasi Web Dasar'")
            .fetch_one(&app.pool)
            .await
            .expect("training saved");
    assert!(b.path().await.starts_with(&format!("/trainings/{training}")));
    b.fill("#nips", &format!("{own_nip}\n199105052019032011")).await;
    b.click(&format!("form[action='/trainings/{training}/participants'] button[type=submit]")).await;
    assert!(b.text("main").await.contains("Rina Kusumawati"), "{}", b.text("main").await);
    let part: i64 =
        sqlx::query_scalar("select id from training_participants where training_id = $1 and employee_id = $2")
            .bind(training)
            .bind(own)
            .fetch_one(&app.pool)
            .await
            .expect("participant");
    b.click(&format!("form[action='/participants/{part}/approve'] button[type=submit]")).await;
    assert!(b.text(".flash").await.contains("disetujui"), "{}", b.text("main").await);
    b.goto(&format!("/trainings/{training}/edit")).await;
    b.set("#status", "completed").await;
    b.click("main form button[type=submit]").await;
    b.goto(&format!("/participants/{part}/result")).await;
    b.set("#status", "passed").await;
    b.fill("#certificate_no", "SRT/E2E/001").await;
    b.click("main form button[type=submit]").await;
    let status: String = sqlx::query_scalar("select status from training_participants where id = $1")
        .bind(part)
        .fetch_one(&app.pool)
        .await
        .expect("status");
    assert_eq!(status, "passed", "{}", b.text("main").await);
    b.click("nav.lang a[lang=en]").await;
    assert!(b.text("main").await.contains("Participants"), "the training page in English");
    b.goto(&format!("/employees/{own}/development")).await;
    b.pdf_names("a[href='?format=pdf']", &own_name).await;
    b.logout().await;
    b.click("nav.lang a[lang=id]").await;

    // ---- Employee: logs a mentoring session, self-assesses, evaluates the training.
    b.login("pegawai", PW).await;
    assert_eq!(b.path().await, "/");
    let home = b.text("main").await;
    assert!(home.contains("Pelatihan Keamanan Aplikasi Web Dasar"), "the evaluation owed shows at home: {home}");
    b.shot("e2e-home-employee").await;
    b.goto("/activities/new").await;
    b.set("#competency", &comp.to_string()).await;
    b.fill("#minutes", "90").await;
    b.fill("#topic", "Pendampingan pengujian keamanan formulir").await;
    b.fill("#mentor", &mentor).await;
    b.click("main form button[type=submit]").await;
    assert!(b.text(".flash").await.contains("menunggu konfirmasi"), "{}", b.text("main").await);
    b.goto(&format!("/employees/{own}/assessments/new?competency={comp}")).await;
    b.tap("input[name=level][value='3']").await;
    b.fill("#note", "Menguji formulir layanan terhadap injeksi").await;
    b.click("main form button[type=submit]").await;
    assert!(b.text(".flash").await.contains("menunggu validasi"), "{}", b.text("main").await);
    b.goto(&format!("/trainings/{training}")).await;
    b.click(&format!("a[href='/participants/{part}/evaluation']")).await;
    b.client
        .execute("document.querySelectorAll(\"input[type=radio][value='4']\").forEach(r => r.click());", vec![])
        .await
        .expect("ratings");
    b.fill("#comment", "Materi sesuai pekerjaan sehari-hari").await;
    b.click("main form button[type=submit]").await;
    let evaluated: i64 = sqlx::query_scalar("select count(*) from training_evaluations where participant_id = $1")
        .bind(part)
        .fetch_one(&app.pool)
        .await
        .expect("evaluation");
    assert_eq!(evaluated, 1, "{}", b.text("main").await);
    b.click("nav.lang a[lang=en]").await;
    b.goto(&format!("/employees/{own}/development")).await;
    assert!(b.text("main").await.contains("Pelatihan Keamanan Aplikasi Web Dasar"));
    b.pdf_names("a[href='?format=pdf']", &own_name).await;
    b.logout().await;
    b.click("nav.lang a[lang=id]").await;

    // ---- Head: approves both from the one queue, opens the matrix and the plan.
    b.login("kabid.aptika", PW).await;
    assert_eq!(b.path().await, "/");
    b.shot("e2e-home-head").await;
    b.click("nav.sidenav a[href='/approvals']").await;
    let queue = b.text("main").await;
    assert!(queue.contains("Pendampingan pengujian keamanan") && queue.contains("APL-03"), "{queue}");
    // Each claim in words: the session (its topic) and her self-assessment of APL-03.
    for what in ["Pendampingan pengujian keamanan", "Penilaian mandiri APL-03: level 3"] {
        b.client
            .find(Locator::XPath(&format!(
                "//li[contains(@class, 'claim') and contains(., '{what}') and contains(., '{own_name}')]//input[@name='item']"
            )))
            .await
            .expect(what)
            .click()
            .await
            .expect("tick");
    }
    b.click("button[name=decision][value=approve]").await;
    let flash = b.text(".flash").await;
    assert!(flash.contains("disetujui"), "{flash}");
    let assessed: String = sqlx::query_scalar(
        "select status from assessments where employee_id = $1 and competency_id = $2 order by id desc limit 1",
    )
    .bind(own)
    .bind(comp)
    .fetch_one(&app.pool)
    .await
    .expect("assessment");
    assert_eq!(assessed, "validated");
    let confirmed: String =
        sqlx::query_scalar("select status from activities where topic = 'Pendampingan pengujian keamanan formulir'")
            .fetch_one(&app.pool)
            .await
            .expect("activity");
    assert_eq!(confirmed, "confirmed");
    b.click("nav.sidenav a[href='/gaps']").await;
    b.goto("/gaps/matrix").await;
    assert!(b.text("main").await.contains(&own_name), "the matrix lists the unit's staff");
    b.shot("e2e-matrix-head").await;
    b.goto("/gaps/plan").await;
    // The first view queues the plan; the page reloads itself until the worker has computed it.
    b.wait_for("main #frontier").await;
    assert!(b.visible("main table").await, "the plan is shown: {}", b.text("main").await);
    b.shot("e2e-plan-head").await;
    b.click("nav.lang a[lang=en]").await;
    assert!(b.text("main h1").await.contains("plan") || b.text("main h1").await.contains("Plan"));
    b.goto("/gaps/matrix").await;
    b.pdf_names("main a[href*='format=pdf']", &own_name).await;
    b.logout().await;
    b.close().await;
}

/// Each role's home answers its first question above the fold at 1366 × 768 (the head's and HR's
/// unit: readiness, coverage, whom to act on; the employee's own standing) and first on a 390 px
/// phone. Screenshots: `target/screenshots/e2e-home-{role}-{desktop,phone}.png`.
#[sqlx::test]
async fn each_home_answers_first_above_the_fold(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let Some(b) = open(&app).await else { return };
    // (login, what must be above the fold, the role's name in the screenshot)
    let roles = [
        ("kepegawaian", "section.focus ol.act-now li", "hr"),
        ("kadis", "section.focus ol.act-now li", "kadis"),
        ("kabid.aptika", "section.focus ol.act-now li", "head"),
        ("pegawai", "section.tiles[aria-label] .tile", "employee"),
    ];
    for (user, first, name) in roles {
        b.client.set_window_size(1366, 768).await.expect("resize");
        b.login(user, PW).await;
        assert_eq!(b.path().await, "/", "{user}");
        let fits = b
            .client
            .execute(
                "const el = document.querySelector(arguments[0]); if (!el) return 'missing';
                 const r = el.getBoundingClientRect();
                 return r.bottom <= window.innerHeight ? 'yes' : `bottom ${r.bottom} of ${window.innerHeight}`;",
                vec![json!(first)],
            )
            .await
            .expect("measure");
        assert_eq!(fits, json!("yes"), "{user}: {first} above the fold at 1366 × 768");
        if name != "employee" {
            let text = b.text("section.focus").await;
            for what in ["Kesiapan", "Cakupan penilaian", "Tindak lebih dulu", "keputusan menunggu Anda"] {
                assert!(text.contains(what), "{user}: {what} in {text}");
            }
        }
        b.shot(&format!("e2e-home-{name}-desktop")).await;
        b.client.set_window_size(390, 844).await.expect("resize");
        b.goto("/").await;
        // On a phone the role's first answer is the first thing in the page's main part.
        let order = b
            .client
            .execute(
                "const main = document.querySelector('main'); const el = document.querySelector(arguments[0]);
                 if (!el) return 'missing';
                 const firstBlock = [...main.querySelectorAll('section, .card, .tiles')][0];
                 return firstBlock && (firstBlock === el.closest('section') || firstBlock.contains(el)) ? 'first' : 'not first';",
                vec![json!(first)],
            )
            .await
            .expect("order");
        assert_eq!(order, json!("first"), "{user}: first on a phone");
        b.shot(&format!("e2e-home-{name}-phone")).await;
        b.logout().await;
    }
    b.close().await;
}
