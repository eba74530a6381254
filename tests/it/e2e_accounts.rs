//! End to end in Chromium: HR creates the accounts of a whole unit (preview, then one click),
//! prints the letters (a PDF, one page each, checked as the browser receives it), and one new
//! user signs in with the code from her letter, is made to choose a password before anything
//! else, and lands on her home. The pages are checked with axe and the Nu checker, fit a 390 px
//! phone, and speak both languages. Screenshots: `target/screenshots/accounts-*.png`.

use serde_json::json;
use sqlx::PgPool;

use crate::{
    browser::{Browser, Checks, open},
    bulk_accounts::{NEW_PASSWORD, codes_in, unit_id, usernames_in},
    helpers::{PW, TestApp},
};

/// Post the form `css` as the browser would submit it (its fields and CSRF token) and return
/// (status, content type, content disposition, bytes): a download the page does not navigate to.
async fn submit_for_file(b: &Browser, css: &str) -> (u64, String, String, Vec<u8>) {
    let got = b
        .client
        .execute_async(
            "const [css, done] = arguments; const f = document.querySelector(css);
             if (!f) { done({ error: 'no form ' + css }); return; }
             fetch(f.action, { method: 'POST', credentials: 'same-origin', body: new URLSearchParams(new FormData(f)) })
               .then(async r => done({ status: r.status, type: r.headers.get('content-type') || '',
                  disposition: r.headers.get('content-disposition') || '',
                  bytes: Array.from(new Uint8Array(await r.arrayBuffer())) }))
               .catch(e => done({ error: String(e) }));",
            vec![json!(css)],
        )
        .await
        .expect("submit");
    assert!(got.get("error").is_none(), "{got}");
    let bytes = got["bytes"].as_array().expect("bytes").iter().map(|b| b.as_u64().unwrap_or(0) as u8).collect();
    (
        got["status"].as_u64().unwrap_or(0),
        got["type"].as_str().unwrap_or_default().to_string(),
        got["disposition"].as_str().unwrap_or_default().to_string(),
        bytes,
    )
}

/// The page is no wider than the window (no horizontal scrolling).
async fn fits(b: &Browser, label: &str) {
    let w = b
        .client
        .execute("return [document.documentElement.scrollWidth, window.innerWidth];", vec![])
        .await
        .expect("widths");
    let (scroll, inner) = (w[0].as_u64().unwrap_or(0), w[1].as_u64().unwrap_or(0));
    assert!(scroll <= inner, "{label}: the page is {scroll} px wide in a {inner} px window");
}

#[sqlx::test]
async fn hr_creates_a_units_accounts_prints_the_letters_and_a_new_user_signs_in(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let unit = unit_id(&app, "APT-PA").await;
    let expected: i64 = sqlx::query_scalar(
        "select count(*) from employees e join units u on u.id = e.unit_id
         where e.active and u.path like (select path from units where code = 'APT-PA') || '%'
           and not exists (select 1 from accounts a where a.employee_id = e.id)",
    )
    .fetch_one(&app.pool)
    .await
    .expect("count");
    let Some(b) = open(&app).await else { return };
    let mut checks = Checks::new();

    // HR: accounts → bulk → preview of the unit.
    b.login("kepegawaian", PW).await;
    b.click("nav.sidenav a[href='/accounts']").await;
    b.click("a[href='/accounts/bulk']").await;
    assert!(b.text("main h1").await.contains("Buat akun massal"));
    checks.page(&b, "/accounts/bulk [id]").await;
    let chosen = b
        .client
        .execute(
            "const s = document.querySelector('#unit'); s.value = arguments[0];
             s.dispatchEvent(new Event('change', { bubbles: true })); return s.value === arguments[0];",
            vec![json!(unit.to_string())],
        )
        .await
        .expect("choose unit");
    assert_eq!(chosen, json!(true));
    b.click("form[action='/accounts/bulk'][method='get'] button[type=submit]").await;
    let summary = b.text("#bulk-summary").await;
    assert!(summary.contains(&format!("{expected} akun akan dibuat.")), "{summary}");
    checks.page(&b, "/accounts/bulk preview [id]").await;
    b.shot("accounts-bulk-preview").await;

    // Create them: one click, then the batch page.
    b.click("#bulk-create").await;
    assert!(b.path().await.starts_with("/accounts/batches/"), "{}", b.path().await);
    assert!(b.text(".flash").await.contains("Akun dibuat."));
    assert_eq!(b.text("#batch-created").await, expected.to_string());
    checks.page(&b, "/accounts/batches/{id} [id]").await;
    b.shot("accounts-batch").await;

    // Print the letters: the form's POST answers a PDF, one page per person, each with a code.
    let (status, kind, disposition, pdf) = submit_for_file(&b, "form[action$='/letters']").await;
    assert_eq!(status, 200);
    assert_eq!(kind, "application/pdf");
    assert!(disposition.contains("attachment") && disposition.contains(".pdf"), "{disposition}");
    assert!(pdf.starts_with(b"%PDF-1.4") && String::from_utf8_lossy(&pdf).trim_end().ends_with("%%EOF"));
    assert_eq!(String::from_utf8_lossy(&pdf).matches("/Type /Page ").count() as i64, expected, "one page each");
    let (codes, names) = (codes_in(&pdf), usernames_in(&pdf));
    let kept = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    let _ = std::fs::create_dir_all(&kept);
    let _ = std::fs::write(kept.join("accounts-letters.pdf"), &pdf);
    assert_eq!((codes.len() as i64, names.len() as i64), (expected, expected));
    b.goto(&b.path().await).await;
    let state = b.text("#batch-members").await;
    assert!(state.contains("Kode lewat surat"), "{state}");
    assert!(codes.iter().all(|c| !state.contains(c.as_str())), "codes are never shown again");

    // The batch page on a phone and in English.
    b.client.set_window_size(390, 844).await.expect("phone");
    fits(&b, "batch page on a phone").await;
    b.shot("accounts-batch-phone").await;
    b.goto(&format!("/accounts/bulk?scope=unit&unit={unit}&subunits=on")).await;
    fits(&b, "bulk preview on a phone").await;
    b.click("nav.lang a[lang=en]").await;
    assert!(b.text("main h1").await.contains("Create accounts in bulk"));
    assert!(b.text("#bulk-summary").await.contains("0 accounts will be created."));
    checks.page(&b, "/accounts/bulk preview [en]").await;
    b.goto("/accounts/bulk").await;
    b.client.set_window_size(1366, 768).await.expect("desktop");
    b.click("nav.lang a[lang=id]").await;
    b.goto("/").await;
    b.tap("details.usermenu summary").await;
    b.click("details.usermenu button[type=submit]").await;

    // The new user: the sign-in page leads to "sign in with a code".
    let (nip, code) = (names[0].clone(), codes[0].clone());
    b.goto("/login").await;
    b.click("#login-with-code").await;
    assert_eq!(b.path().await, "/login/code");
    checks.page(&b, "/login/code [id]").await;
    b.fill("#username", &nip).await;
    b.fill("#code", "salah-kode-nya").await;
    b.click("form[action='/login/code'] button[type=submit]").await;
    assert!(b.text("#login-error").await.contains("NIP atau kode salah"));
    b.fill("#code", &code).await;
    b.click("form[action='/login/code'] button[type=submit]").await;
    // Forced to choose a password first: every other page leads back here.
    assert_eq!(b.path().await, "/password");
    assert!(b.visible("#first-password").await && !b.visible("#current").await);
    checks.page(&b, "/password after a code [id]").await;
    b.shot("accounts-first-password").await;
    b.goto("/development").await;
    assert_eq!(b.path().await, "/password");
    // Too weak: said next to the field.
    b.fill("#new", &nip).await;
    b.fill("#confirm", &nip).await;
    b.click("form[action='/password'] button[type=submit]").await;
    assert!(b.visible("#new-err").await);
    checks.posted_page(&b, "/password with errors [id]").await;
    b.fill("#new", NEW_PASSWORD).await;
    b.fill("#confirm", NEW_PASSWORD).await;
    b.click("form[action='/password'] button[type=submit]").await;
    assert_eq!(b.path().await, "/");
    assert!(b.text("main h1").await.starts_with("Selamat datang"), "{}", b.text("main").await);
    assert!(b.text(".flash").await.contains("Kata sandi"));
    b.shot("accounts-new-user-home").await;
    b.client.set_window_size(390, 844).await.expect("phone");
    fits(&b, "the new user's home on a phone").await;
    b.client.set_window_size(1366, 768).await.expect("desktop");
    b.tap("details.usermenu summary").await;
    b.click("details.usermenu button[type=submit]").await;

    // From then on: NIP and password; the code is spent.
    b.goto("/login/code").await;
    b.fill("#username", &nip).await;
    b.fill("#code", &code).await;
    b.click("form[action='/login/code'] button[type=submit]").await;
    assert!(b.text("#login-error").await.contains("sudah dipakai"));
    b.click("nav.lang a[lang=en]").await;
    assert!(b.text("main h1").await.contains("Sign in with a code"));
    checks.page(&b, "/login/code [en]").await;
    b.client.set_window_size(390, 844).await.expect("phone");
    fits(&b, "/login/code on a phone").await;
    b.client.set_window_size(1366, 768).await.expect("desktop");
    b.login(&nip, NEW_PASSWORD).await;
    assert_eq!(b.path().await, "/");
    b.close().await;
    let problems = checks.finish();
    assert!(problems.is_empty(), "{} page problems:\n{}", problems.len(), problems.join("\n"));
}
