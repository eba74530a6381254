//! End to end in Chromium: a head makes an IDP from a gap card, picks a mentor and a programme and
//! approves; the employee logs the mentoring and the IDP's progress moves (once the head confirms
//! the session, its JP count); HR imports ratings and the talent map follows; the employee sees
//! their own box and why. Both languages.

use fantoccini::Locator;
use sqlx::PgPool;

use crate::{
    browser::{Browser, open},
    helpers::{PW, TestApp},
};

async fn logout(b: &Browser) {
    b.goto("/").await;
    b.tap("details.usermenu summary").await;
    b.click("details.usermenu button[type=submit]").await;
    assert!(b.path().await.starts_with("/login"));
}

#[sqlx::test]
async fn a_head_makes_an_idp_and_the_employees_mentoring_moves_it(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own: i64 = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    // The demo gave her an IDP already: start from the gap card as a head would.
    sqlx::query("delete from idp_lines where idp_id in (select id from idps where employee_id = $1)")
        .bind(own)
        .execute(&app.pool)
        .await
        .expect("clear");
    sqlx::query("delete from idps where employee_id = $1").bind(own).execute(&app.pool).await.expect("clear");
    // This month's earlier mentoring would use up the JP rule's monthly cap: set aside.
    sqlx::query(
        "delete from activity_learners where employee_id = $1 and activity_id in (select id from activities
         where kind = 'mentoring' and date_trunc('month', held_on) = date_trunc('month', current_date))",
    )
    .bind(own)
    .execute(&app.pool)
    .await
    .expect("month");
    let Some(b) = open(&app).await else { return };

    // ---- Head: from the gap card, one click makes the IDP.
    b.login("kabid.aptika", PW).await;
    b.goto(&format!("/employees/{own}/gaps")).await;
    b.click("#idp-link").await;
    b.click("#make-idp button[type=submit]").await;
    assert!(b.text(".flash").await.contains("IDP dibuat"), "{}", b.text("main").await);
    let idp: i64 = app.scalar(&format!("select id from idps where employee_id = {own}")).await;
    // A line to mentor (someone holds its goal level) and another for a catalogue programme.
    let (mline, mentor): (i64, i64) = sqlx::query_as(
        "select l.id, (select cl.employee_id from current_levels cl join employees m on m.id = cl.employee_id and m.active
                       where cl.competency_id = l.competency_id and cl.level >= l.goal_level and cl.employee_id <> $2
                       order by cl.employee_id limit 1)
         from idp_lines l where l.idp_id = $1
           and exists (select 1 from current_levels cl join employees m on m.id = cl.employee_id and m.active
                       where cl.competency_id = l.competency_id and cl.level >= l.goal_level and cl.employee_id <> $2)
         order by l.id limit 1",
    )
    .bind(idp)
    .bind(own)
    .fetch_one(&app.pool)
    .await
    .expect("a line with a mentor");
    let (pline, programme): (i64, i64) = sqlx::query_as(
        "select l.id, min(p.id) from idp_lines l join programme_competencies pc on pc.competency_id = l.competency_id
         join programmes p on p.id = pc.programme_id and p.active
           and extract(year from current_date)::int between p.offered_from and p.offered_to
         where l.idp_id = $1 and l.id <> $2 group by l.id order by l.id limit 1",
    )
    .bind(idp)
    .bind(mline)
    .fetch_one(&app.pool)
    .await
    .expect("a line with a programme");
    // The mentor line: a colleague from the gap card's options, 4 JP.
    b.tap(&format!("#line-{mline} details summary")).await;
    b.set(&format!("#l{mline}-route"), "mentor").await;
    b.set(&format!("#l{mline}-mentor"), &mentor.to_string()).await;
    b.fill(&format!("#l{mline}-expected_jp"), "4").await;
    b.click(&format!("#line-{mline} form button[type=submit]")).await;
    assert!(b.text(".flash").await.contains("disimpan"), "{}", b.text("main").await);
    // The programme line.
    b.tap(&format!("#line-{pline} details summary")).await;
    b.set(&format!("#l{pline}-route"), "programme").await;
    b.set(&format!("#l{pline}-programme"), &programme.to_string()).await;
    b.click(&format!("#line-{pline} form button[type=submit]")).await;
    assert!(b.text(".flash").await.contains("disimpan"), "{}", b.text("main").await);
    let chosen: (String, Option<i64>, String, Option<i64>) = sqlx::query_as(
        "select m.route, m.mentor_id, p.route, p.programme_id from idp_lines m, idp_lines p where m.id = $1 and p.id = $2",
    )
    .bind(mline)
    .bind(pline)
    .fetch_one(&app.pool)
    .await
    .expect("chosen");
    assert_eq!(chosen, ("mentor".into(), Some(mentor), "programme".into(), Some(programme)));
    b.click("#approve-form button[type=submit]").await;
    assert!(b.text(".flash").await.contains("IDP disetujui"), "{}", b.text("main").await);
    b.shot("e2e-idp-head").await;
    logout(&b).await;

    // ---- Employee: the next step at home; logs the mentoring from the IDP's line.
    b.login("pegawai", PW).await;
    let home = b.text("#idp-next").await;
    assert!(home.contains("Langkah berikutnya"), "{home}");
    b.goto(&format!("/employees/{own}/idp")).await;
    let before = b.text(&format!("#line-{mline}")).await;
    assert!(before.contains("Belum mulai") && before.contains("0%"), "{before}");
    b.click(&format!("#line-{mline} a.button")).await;
    assert!(b.path().await.starts_with("/activities/new"));
    b.fill("#topic", "Pendampingan rencana pengembangan individu").await;
    b.fill("#minutes", "90").await;
    b.click("main form button[type=submit]").await;
    assert!(b.text(".flash").await.contains("menunggu konfirmasi"), "{}", b.text("main").await);
    b.goto(&format!("/employees/{own}/idp")).await;
    let logged = b.text(&format!("#line-{mline}")).await;
    assert!(logged.contains("Berjalan") && logged.contains("menunggu konfirmasi: 1"), "{logged}");
    b.shot("e2e-idp-employee").await;
    logout(&b).await;

    // ---- Head confirms the session from the one queue: its JP count and the progress moves.
    b.login("kabid.aptika", PW).await;
    b.click("nav.sidenav a[href='/approvals']").await;
    b.client
        .find(Locator::XPath("//li[contains(@class, 'claim')][contains(., 'Pendampingan rencana pengembangan individu')]//input[@name='item']"))
        .await
        .expect("the session in the queue")
        .click()
        .await
        .expect("tick");
    b.click("button[name=decision][value=approve]").await;
    b.goto(&format!("/employees/{own}/idp")).await;
    let moved = b.text(&format!("#line-{mline}")).await;
    let percent: i32 = sqlx::query_scalar("select percent from idp_line_progress where line_id = $1")
        .bind(mline)
        .fetch_one(&app.pool)
        .await
        .expect("percent");
    assert!(percent > 0, "the progress moved: {moved}");
    assert!(moved.contains(&format!("{percent}%")) && moved.contains("sesi dikonfirmasi: 1"), "{moved}");
    b.click("nav.lang a[lang=en]").await;
    let en = b.text(&format!("#line-{mline}")).await;
    assert!(en.contains("In progress") && en.contains("sessions confirmed: 1"), "{en}");
    b.goto("/idp").await;
    assert!(b.text("main").await.contains("Unit IDPs"));
    b.click("nav.lang a[lang=id]").await;
    logout(&b).await;
    b.close().await;
}

#[sqlx::test]
async fn hr_imports_ratings_and_the_map_follows(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let year = chrono::Datelike::year(&chrono::Utc::now().date_naive()) - 1;
    let (own, nip, name): (i64, String, String) = sqlx::query_as(
        "select e.id, e.nip, e.name from accounts a join employees e on e.id = a.employee_id where a.username = 'pegawai'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("own");
    let box_now = |pool: PgPool| async move {
        sqlx::query_scalar::<_, Option<i16>>("select box from talent_placements($1) where employee_id = $2")
            .bind(year)
            .bind(own)
            .fetch_one(&pool)
            .await
            .expect("box")
    };
    let before = box_now(app.pool.clone()).await;
    // Both above expectation unless she is there already, then both below.
    let (hk, want_band) = if before.is_some_and(|b| [6, 8, 9].contains(&b)) {
        ("Di bawah ekspektasi", [1, 2, 4])
    } else {
        ("Di atas ekspektasi", [6, 8, 9])
    };
    let csv = std::env::temp_dir().join(format!("cakap-skp-{}.csv", std::process::id()));
    std::fs::write(&csv, format!("NIP,Tahun,Hasil Kerja,Perilaku Kerja,Predikat\n{nip},{year},{hk},{hk},\n"))
        .expect("csv");
    let Some(b) = open(&app).await else { return };
    b.login("kepegawaian", PW).await;
    b.click("nav.sidenav a[href='/talent']").await;
    assert!(b.visible("#box-9").await && b.visible("#box-1").await, "nine boxes");
    b.goto(&format!("/talent/ratings?year={year}")).await;
    b.attach("#file", &csv).await;
    b.click("#import-form button[type=submit]").await;
    let _ = std::fs::remove_file(&csv);
    assert!(b.text(".flash").await.contains("diimpor"), "{}", b.text("main").await);
    assert!(b.path().await.starts_with("/talent"));
    let after = box_now(app.pool.clone()).await.expect("placed");
    assert!(want_band.contains(&after), "from box {before:?} to {after}");
    // The map shows her in the new box, with why in words: among its first names, or (a box
    // shows its first 12) in the table filtered to that box, one click away.
    let cell = b.text(&format!("#box-{after}")).await;
    if !cell.contains(&name) {
        assert!(cell.contains(&format!("lainnya di kotak {after}")), "{cell}");
        b.click(&format!("#box-{after} a[href*='box={after}']")).await;
        assert!(b.text("#table h2").await.contains(&format!("Kotak {after}")), "{}", b.text("#table").await);
        let listed = b.text("#table").await;
        assert!(listed.contains(&name), "{listed}");
    }
    let row = b
        .client
        .find(Locator::XPath(&format!("//tbody/tr[contains(., '{name}')]")))
        .await
        .expect("row")
        .text()
        .await
        .expect("text");
    assert!(row.contains(&format!("Kotak {after}.")) && row.contains(&format!("hasil kerja {hk}")), "{row}");
    b.shot("e2e-talent-map").await;
    b.click("nav.lang a[lang=en]").await;
    assert!(b.text("main h1").await.contains("Talent map"));
    b.goto("/talent/pool").await;
    assert!(b.text("main h1").await.contains("Succession pool"));
    b.click("nav.lang a[lang=id]").await;
    logout(&b).await;

    // ---- The employee: her own box and why, no map.
    b.login("pegawai", PW).await;
    b.goto("/talent/me").await;
    assert_eq!(b.text("#own-box").await, after.to_string());
    assert!(b.text("#own-why").await.contains(&format!("hasil kerja {hk}")));
    b.goto("/talent").await;
    assert!(b.text("main h1").await.contains("Akses ditolak"), "{}", b.text("main").await);
    logout(&b).await;
    b.close().await;
}

/// Every page of IDPs and the talent map, as each role sees it, in both languages: axe-core's
/// WCAG 2.1 AA rules and the Nu HTML Checker (forms shown again with errors too), and no
/// horizontal scroll on a 390 px phone or at 1366 px.
#[sqlx::test]
async fn talent_pages_meet_wcag_aa_are_valid_and_fit_a_phone(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own: i64 = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let other: i64 = app
        .scalar(
            "select min(e.id) from employees e join units u on u.id = e.unit_id
             where u.code = 'APT-PA' and e.id <> (select employee_id from accounts where username = 'pegawai')",
        )
        .await;
    let pos: i64 = app.scalar(&format!("select position_id from employees where id = {own}")).await;
    let line: i64 = app
        .scalar(&format!(
            "select min(l.id) from idp_lines l join idps i on i.id = l.idp_id where i.employee_id = {other}"
        ))
        .await;
    let Some(b) = open(&app).await else { return };
    let mut checks = crate::browser::Checks::new();
    let pages: [(&str, Vec<String>); 3] = [
        ("pegawai", vec!["/".into(), format!("/employees/{own}/idp"), format!("/employees/{own}/talent")]),
        (
            "kabid.aptika",
            vec![
                "/idp".into(),
                format!("/employees/{other}/idp"),
                format!("/employees/{other}/talent"),
                "/talent".into(),
                "/talent/pool".into(),
                "/talent/settings".into(),
            ],
        ),
        (
            "kepegawaian",
            vec![
                format!("/idp/templates?position={pos}"),
                "/talent/ratings".into(),
                "/talent".into(),
                "/talent/pool".into(),
                "/talent/settings".into(),
            ],
        ),
    ];
    let mut wide = vec![];
    for lang in ["id", "en"] {
        b.goto(&format!("/lang/{lang}?next=/login")).await;
        for (user, urls) in &pages {
            b.login(user, PW).await;
            for url in urls {
                for (w, h) in [(1366, 900), (390, 844)] {
                    b.client.set_window_size(w, h).await.expect("resize");
                    b.goto(url).await;
                    // Open every line's form, so that what it holds is checked too.
                    b.client
                        .execute("document.querySelectorAll('main details').forEach(d => d.open = true);", vec![])
                        .await
                        .expect("open");
                    let scroll = b
                        .client
                        .execute("return document.documentElement.scrollWidth - window.innerWidth;", vec![])
                        .await
                        .expect("scroll");
                    if scroll.as_i64().unwrap_or(0) > 0 {
                        wide.push(format!("{user} {url} [{lang}] at {w} px: {scroll} px too wide"));
                    }
                    if w == 390 {
                        let name: String = format!("talent-{lang}-{user}{url}-phone")
                            .chars()
                            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                            .collect();
                        b.shot(&name).await;
                    } else {
                        checks.page(&b, &format!("{user} {url} [{lang}]")).await;
                    }
                }
            }
            b.client.set_window_size(1366, 900).await.expect("resize");
            if *user == "kabid.aptika" {
                b.goto(&format!("/employees/{other}/idp")).await;
                b.tap(&format!("#line-{line} details summary")).await;
                b.set(&format!("#l{line}-route"), "mentor").await;
                b.set(&format!("#l{line}-mentor"), "").await;
                b.click(&format!("#line-{line} form button[type=submit]")).await;
                checks.posted_page(&b, &format!("IDP line with errors [{lang}]")).await;
            }
            if *user == "kepegawaian" {
                b.goto("/talent/ratings").await;
                b.click("#record-form button[type=submit]").await;
                checks.posted_page(&b, &format!("rating form with errors [{lang}]")).await;
                b.goto("/talent/settings").await;
                b.fill("#perf_hasil", "90").await;
                b.click("main form button[type=submit]").await;
                checks.posted_page(&b, &format!("talent settings with errors [{lang}]")).await;
                b.goto(&format!("/idp/templates?position={pos}")).await;
                b.click("main form.grid-form button[type=submit]").await;
                checks.posted_page(&b, &format!("template form with errors [{lang}]")).await;
            }
            logout(&b).await;
        }
    }
    b.close().await;
    let mut problems = checks.finish();
    problems.extend(wide);
    assert!(problems.is_empty(), "{} page problems:\n{}", problems.len(), problems.join("\n"));
}
