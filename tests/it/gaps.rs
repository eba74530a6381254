//! The gap analysis on a small hand-computed fixture: a seksi "UJI" under Aplikasi Informatika
//! with one position whose standard asks UJI-01 (critical) at 3, UJI-02 (important) at 2 and
//! UJI-03 (useful) at 2, and three staff:
//!
//! | | UJI-01 | UJI-02 | UJI-03 | gaps × weights (3, 2, 1) | coverage |
//! |---|---|---|---|---|---|
//! | A | 3 | 2 | 2 | 0 | 3/3 |
//! | B | 1 | 2 | — | 2·3 + 0 + 2·1 = 8 | 1/3 |
//! | C | 2 | 1 | 2 (30 months old) | 1·3 + 1·2 + 0 = 5 | 1/3 |
//!
//! A took a training this year (20 JP), so only B and C are flagged. Readiness 5/9 = 56%. UJI-01 at
//! 3 is held by A alone: a single point of failure.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::TestApp;

/// Ids of the fixture: unit, position, [A, B, C], [UJI-01, UJI-02, UJI-03], NIPs.
struct Fixture {
    unit: i64,
    staff: [i64; 3],
    comps: [i64; 3],
    nips: [String; 3],
}

async fn fixture(app: &TestApp) -> Fixture {
    let one = |sql: String| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(&sql).fetch_one(&pool).await.expect("fixture") }
    };
    let unit = one("insert into units (parent_id, code, name, kind) select id, 'UJI', 'Seksi Uji Kesenjangan', 'seksi' from units where code = 'APT' returning id".into()).await;
    let pos = one(format!("insert into positions (unit_id, name, kind, class_grade) values ({unit}, 'Analis Uji', 'pelaksana', 7) returning id")).await;
    let mut comps = [0; 3];
    for (i, (code, prio, req)) in
        [("UJI-01", "critical", 3), ("UJI-02", "important", 2), ("UJI-03", "useful", 2)].iter().enumerate()
    {
        comps[i] = one(format!(
            "insert into competencies (code, kind, area, name_id, name_en, validity_months) values ('{code}', 'teknis', 'aplikasi', 'Kompetensi {code}', 'Competency {code}', 36) returning id"
        ))
        .await;
        sqlx::query("insert into position_standards (position_id, competency_id, required_level, priority) values ($1, $2, $3, $4)")
            .bind(pos)
            .bind(comps[i])
            .bind(*req as i16)
            .bind(*prio)
            .execute(&app.pool)
            .await
            .expect("standard");
    }
    let nips = ["198001012010011001".to_string(), "198102022010012002".to_string(), "198203032010011003".to_string()];
    let mut staff = [0; 3];
    for (i, (nip, name)) in nips.iter().zip(["Ani Uji", "Budi Uji", "Citra Uji"]).enumerate() {
        staff[i] = one(format!(
            "insert into employees (nip, status, name, sex, birth_date, position_id, unit_id) values ('{nip}', 'PNS', '{name}', 'L', '1980-01-01', {pos}, {unit}) returning id"
        ))
        .await;
    }
    // Levels: (employee, competency, level, months ago). The fixture's competencies stay valid for
    // 36 months, so C's 30-month-old levels still count (and are old enough to flag); B's UJI-03
    // was never assessed: unknown, not a gap.
    let levels = [
        (0, 0, 3, 1),
        (0, 1, 2, 1),
        (0, 2, 2, 1),
        (1, 0, 1, 1),
        (1, 1, 2, 1),
        (2, 0, 2, 30),
        (2, 1, 1, 30),
        (2, 2, 2, 30),
    ];
    for (e, c, l, months) in levels {
        sqlx::query(
            "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
             values ($1, $2, $3, current_date - make_interval(months => $4), 'supervisor', 'validated')",
        )
        .bind(staff[e])
        .bind(comps[c])
        .bind(l as i16)
        .bind(months)
        .execute(&app.pool)
        .await
        .expect("level");
    }
    // A passed a training this year: 20 JP and recent development.
    let t = one(format!(
        "insert into trainings (title, form, jenis_diklat, starts_on, ends_on, jp, budget_year, budget_unit_id, quota, place, status)
         values ('Pelatihan A', 'teknis', 3, current_date - 20, current_date - 18, 20, extract(year from current_date)::int, {unit}, 5, 'Bandung', 'completed') returning id"
    ))
    .await;
    sqlx::query("insert into training_participants (training_id, employee_id, status) values ($1, $2, 'passed')")
        .bind(t)
        .bind(staff[0])
        .execute(&app.pool)
        .await
        .expect("participant");
    Fixture { unit, staff, comps, nips }
}

#[sqlx::test]
async fn every_figure_matches_the_hand_computed_fixture(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let f = fixture(&app).await;
    // Today must not fall on a 1 January, where "this year" would have no JP for A either.
    app.state.clock.set(Some("2026-11-23T05:00:00Z".parse().expect("instant")));
    type Row = (i64, i64, i64, f64, f64, i32, Option<String>, Option<String>, String);
    let rows: Vec<Row> = sqlx::query_as(
        "select employee_id, requirements, met, coverage, score, max_gap, critical_below, big_gaps,
                concat_ws(' ', case when flag_critical then 'critical' end, case when flag_coverage then 'coverage' end,
                          case when flag_big_gap then 'big_gap' end, case when flag_jp then 'jp' end,
                          case when flag_development then 'development' end, case when flag_assessment then 'assessment' end)
         from gap_summary(current_date, (select path from units where id = $1)) order by employee_id",
    )
    .bind(f.unit)
    .fetch_all(&app.pool)
    .await
    .expect("summary");
    let [a, b, c] = f.staff;
    let third = |n: f64| (n * 1000.0).round() / 1000.0;
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|mut r| {
            r.3 = third(r.3);
            r
        })
        .collect();
    assert_eq!(
        rows[0],
        (a, 3, 3, 1.0, 0.0, 0, None, None, String::new()),
        "A meets everything and developed this year"
    );
    assert_eq!(
        rows[1],
        (
            b,
            3,
            1,
            0.667,
            6.0,
            2,
            Some("UJI-01".into()),
            Some("UJI-01".into()),
            "critical coverage big_gap jp development".into()
        ),
        "B: UJI-03 unknown counts in neither the gap nor the score; readiness 1 of 2 known"
    );
    assert_eq!(
        rows[2],
        (c, 3, 1, 1.0, 5.0, 1, Some("UJI-01".into()), None, "critical coverage jp development assessment".into())
    );

    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get(&format!("/gaps?unit={}", f.unit)).await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("63%"), "readiness 5 of the 8 assessed");
    assert!(body.contains("5 / 8"));
    assert!(body.contains("89%") && body.contains("8 / 9"), "coverage 8 of 9");
    for reason in [
        "Kompetensi kritis kurang 2 tingkat atau lebih: UJI-01",
        "Kompetensi kritis di bawah standar: UJI-01",
        "Kesiapan 33% (dari yang dinilai) di bawah 60%",
        "Kesiapan 50% (dari yang dinilai) di bawah 60%",
        "1 dari 3 kebutuhan belum dinilai",
        "Kesenjangan 2 tingkat atau lebih: UJI-01",
        "JP tahun ini 0 dari minimal 20",
        "Belum ada pengembangan tercatat",
        "lebih dari 24 bulan lalu",
    ] {
        assert!(body.contains(reason), "reason {reason}");
    }
    assert!(!body.contains(">Ani Uji<"), "A is not flagged");
    // Single points of failure: UJI-01 at 3 is held by A alone.
    let spof = body.split("Titik rawan tunggal</h2>").nth(1).unwrap_or("");
    assert!(spof.contains("UJI-01") && spof.contains("hanya Ani Uji"), "{spof}");
    assert!(!spof.split("</section>").next().unwrap_or("").contains("UJI-02"));
    // Largest total gap: UJI-01 (2·3 + 1·3 = 9) first; UJI-03 is short for nobody known.
    let top = body.split("Kompetensi dengan kesenjangan terbesar</h2>").nth(1).unwrap_or("");
    let top = top.split("</section>").next().unwrap_or("");
    let first = top.find("UJI-01").unwrap_or(usize::MAX);
    assert!(first < top.find("UJI-02").unwrap_or(0) && !top.contains("UJI-03"));
    assert!(top.contains(">9,0<"), "weighted 9");

    // The matrix: current → required, in colour and text.
    let m = hr.get(&format!("/gaps/matrix?unit={}", f.unit)).await;
    assert!(m.body.contains("<td class=\"cell-gap2\">1 → 3</td>"), "B: two short");
    assert!(m.body.contains("<td class=\"cell-gap1\">2 → 3</td>"), "C: one short");
    assert!(m.body.contains("<td class=\"cell-met\">3 → 3</td>"), "A: met");
    assert!(m.body.contains("<td class=\"cell-unknown\">— → 2</td>"), "B: UJI-03 never assessed, not a gap");
    let csv = hr.get(&format!("/gaps/matrix?unit={}&format=csv", f.unit)).await;
    let header = csv.body.trim_start_matches('\u{feff}').lines().next().unwrap_or("").to_string();
    assert!(header.contains("UJI-01") && header.contains("UJI-03"), "{header}");

    // Both as PDF files too.
    let pdf = hr.get(&format!("/gaps?unit={}&format=pdf", f.unit)).await;
    assert!(
        pdf.body.starts_with("%PDF") && pdf.body.contains("Seksi Uji Kesenjangan") && pdf.body.contains("Budi Uji")
    );
    let pdf = hr.get(&format!("/gaps/matrix?unit={}&format=pdf", f.unit)).await;
    assert!(pdf.body.starts_with("%PDF") && pdf.body.contains("(1 -> 3)"), "cells as text");
    // B's gap card: A can teach UJI-01 (same unit); against another position too.
    let card = hr.get(&format!("/employees/{b}/gaps")).await;
    assert!(card.body.contains("Ani Uji (tingkat 3, unit yang sama)"), "{}", card.body);
    assert!(card.body.contains("Kesiapan 50% (dari yang dinilai) di bawah 60%"));
    assert!(card.body.contains("1 belum dinilai"));
    let other = app.scalar("select id from positions where name <> 'Analis Uji' and exists (select 1 from position_standards s where s.position_id = positions.id) order by id limit 1").await;
    let target = hr.get(&format!("/employees/{b}/gaps?position={other}")).await;
    assert_eq!(target.status, StatusCode::OK);
    assert!(target.body.contains("Dibandingkan dengan standar jabatan"));
    let _ = f.comps;
    let _ = f.nips;
}

#[sqlx::test]
async fn heads_see_their_subtree_and_employees_only_their_own_card(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let f = fixture(&app).await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let mut aptika = app.as_user("kabid.aptika").await;
    let mut infra = app.as_user("kabid.infra").await;
    let mut me = app.as_user("pegawai").await;
    assert_eq!(aptika.get(&format!("/gaps?unit={}", f.unit)).await.status, StatusCode::OK);
    assert_eq!(infra.get(&format!("/gaps?unit={}", f.unit)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(infra.get(&format!("/gaps/matrix?unit={}", f.unit)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(infra.get(&format!("/gaps/plan?unit={}", f.unit)).await.status, StatusCode::NOT_FOUND);
    assert_eq!(infra.get(&format!("/employees/{}/gaps", f.staff[1])).await.status, StatusCode::NOT_FOUND);
    let root = app.scalar("select id from units where parent_id is null").await;
    assert_eq!(
        aptika.get(&format!("/gaps?unit={root}")).await.status,
        StatusCode::NOT_FOUND,
        "not above the head's unit"
    );
    let inf_page = infra.get("/gaps").await;
    assert!(!inf_page.body.contains("Budi Uji"), "a head's default is their own unit");
    assert_eq!(me.get("/gaps").await.status, StatusCode::FORBIDDEN);
    assert_eq!(me.get(&format!("/employees/{}/gaps", f.staff[1])).await.status, StatusCode::NOT_FOUND);
    assert_eq!(me.get(&format!("/employees/{own}/gaps")).await.status, StatusCode::OK);
}

#[sqlx::test]
async fn mentors_plan_and_akpk_on_the_fixture(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let f = fixture(&app).await;
    let [_, b, c] = f.staff;
    // Here B's UJI-03 is known: level 1 of the 2 required (a gap of one, useful: weight 1).
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
         values ($1, $2, 1, current_date - 20, 'supervisor', 'validated')",
    )
    .bind(b)
    .bind(f.comps[2])
    .execute(&app.pool)
    .await
    .expect("B's UJI-03");
    let mut hr = app.as_user("kepegawaian").await;
    // The mentors are the plan's: before any plan the page offers to compute one.
    let m = hr.get(&format!("/gaps/mentors?unit={}", f.unit)).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.body.contains("id=\"no-plan\"") && m.body.contains("action=\"/gaps/plan/compute\""), "{}", m.body);
    // Next year's plan (no trainings there, no budget: mentors alone). Mentors bring one level in
    // a year (a gap of g levels is worth weight × (g + (g−1) + … + 1), its first level
    // weight × g): A teaches UJI-01 to B (3 × 2 = 6) and C (3), C teaches UJI-03 to B (1), B
    // teaches UJI-02 to C (2): 12 in all.
    let r = hr.post("/gaps/plan/compute", &[("unit", &f.unit.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(cakap::gaps::plan_run::run_queued(&app.state).await.expect("runs"), 1);
    let m = hr.get(&format!("/gaps/mentors?unit={}", f.unit)).await;
    assert!(m.body.contains("<strong>12,0</strong>") && m.body.contains("Ani Uji"), "{}", m.body);
    // HR lowers the cap to one mentee per mentor: A can take only B's UJI-01 (6); C's (3) stays open.
    let form = hr.get("/gaps/settings").await;
    let fields: Vec<(String, String)> = [
        "weight_critical",
        "weight_important",
        "weight_useful",
        "coverage_threshold",
        "development_months",
        "assessment_months",
        "mentor_cap",
        "mentor_period_days",
        "trainings_per_person",
        "effect_min_participants",
    ]
    .iter()
    .map(|k| (k.to_string(), if *k == "mentor_cap" { "1".to_string() } else { crate::helpers::hidden(&form.body, k) }))
    .collect();
    let mut bad: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    bad.retain(|(k, _)| *k != "weight_useful");
    bad.push(("weight_useful", "0"));
    let r = hr.post_edit("/gaps/settings", "/gaps/settings", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let good: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = hr.post_edit("/gaps/settings", "/gaps/settings", &good).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.scalar("select count(*) from audit_log where entity = 'gap_settings'").await, 1);
    // The plan shown is outdated: computing again (its year and budget) routes with the new cap.
    let m = hr.get(&format!("/gaps/mentors?unit={}", f.unit)).await;
    assert!(m.body.contains("id=\"plan-outdated\"") && m.body.contains("<strong>12,0</strong>"), "{}", m.body);
    let next = (app.scalar("select extract(year from current_date)::bigint").await + 1).to_string();
    let r = hr.post("/gaps/plan/compute", &[("unit", &f.unit.to_string()), ("year", &next), ("budget", "0")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(cakap::gaps::plan_run::run_queued(&app.state).await.expect("runs"), 1);
    let m = hr.get(&format!("/gaps/mentors?unit={}", f.unit)).await;
    assert!(
        m.body.contains("<strong>9,0</strong>") && !m.body.contains("id=\"plan-outdated\""),
        "6 + 1 + 2 with one mentee each: {}",
        m.body
    );

    // Trainings this year: T1 develops UJI-01 to 3 for Rp4.000.000 (one seat); T2 develops UJI-01
    // to 3 and UJI-03 to 2 for Rp5.000.000. B's UJI-01 (two levels: 9 in all) is worth 6 by a
    // mentor, 9 by a training; with Rp5.000.000 the best sends B to T1 and routes the rest to
    // mentors (A takes C's UJI-01): 15, everything, for Rp4.000.000. B to T2 also reaches 15, but
    // costs more.
    let mut t1 = 0;
    for (title, cost, quota, targets) in
        [("Uji T1", 4_000_000i64, 1, vec![(0usize, 3i16)]), ("Uji T2", 5_000_000, 2, vec![(0, 3), (2, 2)])]
    {
        let t: i64 = sqlx::query_scalar(
            "insert into trainings (title, form, jenis_diklat, starts_on, ends_on, jp, cost_per_participant, budget_year, budget_unit_id, quota, place, status)
             values ($1, 'teknis', 3, current_date + 30, current_date + 32, 24, $2, extract(year from current_date)::int, $3, $4, 'Bandung', 'open') returning id",
        )
        .bind(title)
        .bind(cost)
        .bind(f.unit)
        .bind(quota)
        .fetch_one(&app.pool)
        .await
        .expect("training");
        if t1 == 0 {
            t1 = t;
        }
        for (c, level) in targets {
            sqlx::query("insert into training_competencies values ($1, $2, $3)")
                .bind(t)
                .bind(f.comps[c])
                .bind(level)
                .execute(&app.pool)
                .await
                .expect("target");
        }
    }
    let year = app.scalar("select extract(year from current_date)::bigint").await.to_string();
    let url = format!("/gaps/plan?unit={}&budget=5.000.000&year={year}", f.unit);
    // The first view queues the plan; the page answers at once and says it is being computed.
    let p = hr.get(&url).await;
    assert_eq!(p.status, StatusCode::OK);
    assert!(p.body.contains("Rencana sedang dihitung") && p.body.contains("data-poll=\"3\""), "{}", p.body);
    assert_eq!(hr.get(&url).await.status, StatusCode::OK, "a second view queues nothing more");
    assert_eq!(cakap::gaps::plan_run::run_queued(&app.state).await.expect("runs"), 1);
    let p = hr.get(&url).await;
    assert!(p.body.contains("<strong>15,0</strong>"), "{}", p.body);
    assert!(p.body.contains("optimal (terbukti)") && !p.body.contains("Rencana sedang dihitung"));
    assert!(p.body.contains("Uji T1") && p.body.contains("target yang dinyatakan"));
    assert!(p.body.contains("Rp4.000.000"));
    let r = hr.get(&format!("/gaps/plan?unit={}&budget=lima%20juta&year={year}", f.unit)).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a budget that is not rupiah");
    assert!(r.body.contains("value=\"lima juta\"") && r.body.contains("id=\"budget-error\""), "kept, with its message");
    // The records change between the view and the accept: C is now assessed at 3 in UJI-01.
    let run = crate::helpers::hidden(&p.body, "run");
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
         values ($1, $2, 3, current_date, 'supervisor', 'validated')",
    )
    .bind(c)
    .bind(f.comps[0])
    .execute(&app.pool)
    .await
    .expect("C's new level");
    let r = hr.post("/gaps/plan", &[("run", &run)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar("select count(*) from dev_plans").await, 0, "not without seeing the changes");
    let p = hr.get(&url).await;
    assert!(p.body.contains("Data sudah berubah sejak rencana ini dihitung"), "{}", p.body);
    assert!(p.body.contains("changes=1"), "a link to what changed");
    let p = hr.get(&format!("{url}&changes=1")).await;
    assert!(p.body.contains("− Citra Uji") && p.body.contains("name=\"seen_changes\""), "the change is shown");
    assert!(p.body.contains("Hitung ulang"));
    // Accepting stores exactly the plan shown, whatever the records say now.
    let r = hr.post("/gaps/plan", &[("run", &run), ("seen_changes", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let items: Vec<(i64, String, String, Option<i64>, i64)> = sqlx::query_as(
        "select i.employee_id, c.code, i.route, i.training_id, i.estimated_cost from dev_plan_items i
         join competencies c on c.id = i.competency_id order by i.employee_id, c.code",
    )
    .fetch_all(&app.pool)
    .await
    .expect("items");
    assert!(items.contains(&(b, "UJI-01".into(), "klasikal".into(), Some(t1), 4_000_000)), "{items:?}");
    assert!(items.contains(&(c, "UJI-01".into(), "nonklasikal".into(), None, 0)), "{items:?}");
    assert!(items.iter().any(|i| i.0 == c && i.1 == "UJI-02" && i.2 == "nonklasikal"), "{items:?}");
    assert_eq!(items.iter().map(|i| i.4).sum::<i64>(), 4_000_000, "the items cost what the plan showed");
    // A need routed to a mentor counts the JP the agency's rules give a planned mentoring.
    let mentored = "select count(*) from dev_plan_items where mentor_id is not null";
    assert!(app.scalar(mentored).await > 0);
    assert_eq!(app.scalar(&format!("{mentored} and jp <> round(planned_jp('mentoring')::numeric, 1)")).await, 0);
    assert_eq!(app.scalar("select count(*) from dev_plans where run_id is not null and objective = 15").await, 1);
    let again = hr.post("/gaps/plan", &[("run", &run), ("seen_changes", "1")]).await;
    assert_eq!(again.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar("select count(*) from dev_plans").await, 1, "one plan per run");
    // Computing again reads the new records: C's UJI-01 is closed, and C (readiness 2 of 3, no
    // critical gap) is no longer flagged: B's 9 + 1 remain (T1 and a mentor, or T2).
    let r =
        hr.post("/gaps/plan/compute", &[("unit", &f.unit.to_string()), ("year", &year), ("budget", "5000000")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(cakap::gaps::plan_run::run_queued(&app.state).await.expect("runs"), 1);
    let p = hr.get(&url).await;
    assert!(!p.body.contains("Data sudah berubah") && p.body.contains("<strong>10,0</strong>"), "{}", p.body);
    let csv = hr.get(&format!("/gaps/akpk?unit={}&year={year}&format=csv", f.unit)).await;
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "NIP,Nama,Jabatan,Unit kerja,Jenis kompetensi,Kompetensi,Tingkat standar,Tingkat saat ini,Kesenjangan,Prioritas,Jalur,Jenis (SIASN),Program,Penyelenggara,Tahun,JP,Perkiraan biaya,Sumber dana,Status"
    );
    let b_row = lines.iter().find(|l| l.starts_with(&f.nips[1]) && l.contains("UJI-01")).unwrap_or(&"");
    assert!(b_row.contains(",3,1,2,Kritis,klasikal,3 Teknis,Uji T1,"), "{b_row}");
    assert!(
        lines.iter().any(|l| l.starts_with(&f.nips[2]) && l.contains("nonklasikal,15 Mentoring,Mentoring: Ani Uji")),
        "{lines:?}"
    );
    let xlsx = hr.get(&format!("/gaps/akpk?unit={}&year={year}&format=xlsx", f.unit)).await;
    assert!(xlsx.body.starts_with("PK"));
    let pdf = hr.get(&format!("/gaps/akpk?unit={}&year={year}&format=pdf", f.unit)).await;
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(
        pdf.body.starts_with("%PDF-1.4") && pdf.body.contains("Budi Uji") && pdf.body.contains("Uji T1"),
        "the AKPK as a PDF"
    );
}

/// Department-wide results are reused while the records are unchanged and computed again after
/// any write: the records' version moves once per writing transaction, at commit.
#[sqlx::test]
async fn results_are_reused_until_the_records_change(pool: PgPool) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    let app = TestApp::seeded(pool).await;
    let version = || async { app.scalar("select records_version(null)").await };
    let computed = Arc::new(AtomicUsize::new(0));
    let run = || {
        let computed = computed.clone();
        let state = app.state.clone();
        async move {
            let mut conn = state.pool.acquire().await.expect("connection");
            state
                .versions
                .get(&mut conn, "test".into(), move |conn| {
                    Box::pin(async move {
                        computed.fetch_add(1, Ordering::SeqCst);
                        let n: i64 =
                            sqlx::query_scalar("select count(*) from assessments").fetch_one(&mut *conn).await?;
                        Ok::<_, sqlx::Error>(n)
                    })
                })
                .await
                .expect("result")
        }
    };
    let first = run().await;
    let again = run().await;
    assert_eq!((*first, *again, computed.load(Ordering::SeqCst)), (*first, *first, 1), "reused, not recomputed");

    // Signing in writes sessions only: the records' version stays.
    let before = version().await;
    let mut employee = app.client();
    employee.login("pegawai", crate::helpers::PW).await;
    assert_eq!(version().await, before);
    assert_eq!(*run().await, *first);
    assert_eq!(computed.load(Ordering::SeqCst), 1);

    // One transaction of several rows and statements: one step.
    let mut tx = app.pool.begin().await.expect("tx");
    sqlx::query("update employees set phone = '0811' where id in (select id from employees order by id limit 3)")
        .execute(&mut *tx)
        .await
        .expect("write");
    sqlx::query("update units set name = name").execute(&mut *tx).await.expect("write");
    assert_eq!(version().await, before, "not before the commit");
    tx.commit().await.expect("commit");
    assert!(version().await > before, "at the commit");

    // A self-assessment through the portal: the next reader computes again and sees it.
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let comp = app.scalar("select id from competencies where code = 'APL-04'").await;
    let form = employee.get(&format!("/employees/{own}/assessments/new?competency={comp}")).await;
    let token = crate::helpers::hidden(&form.body, "form_token");
    let r = employee
        .post_multipart(
            &format!("/employees/{own}/assessments"),
            &[
                ("form_token", &token),
                ("competency", &comp.to_string()),
                ("level", "3"),
                ("assessed_on", "2026-11-20"),
                ("source", "self"),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after = run().await;
    assert_eq!(*after, *first + 1);
    assert_eq!(computed.load(Ordering::SeqCst), 2, "computed again once");
}

/// The summary page's readiness per part (one pass, each employee grouped by their part) equals
/// the readiness of each part computed on its own, and the staff pages add up to the staff.
#[sqlx::test]
async fn readiness_per_part_matches_each_part_alone(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let today = app.state.clock.today(cakap::app::clock::TimeZone::Wib);
    let mut conn = app.pool.acquire().await.expect("connection");
    for code in ["DKIS", "APT", "APT-PA"] {
        let (unit, path): (i64, String) = sqlx::query_as(&format!("select id, path from units where code = '{code}'"))
            .fetch_one(&app.pool)
            .await
            .expect("unit");
        let parts = cakap::gaps::db::readiness(&mut conn, today, unit, &path).await.expect("readiness");
        for part in parts.iter().skip(1) {
            let child: String = sqlx::query_scalar("select path from units where id = $1")
                .bind(part.unit_id)
                .fetch_one(&app.pool)
                .await
                .expect("path");
            let alone = cakap::gaps::db::readiness(&mut conn, today, part.unit_id, &child).await.expect("alone");
            let key = |p: &cakap::gaps::db::UnitReadiness| (p.unit_id, p.staff, p.flagged, p.requirements, p.met);
            assert_eq!(key(part), key(&alone[0]), "{code}: {}", part.name);
        }
        let all = cakap::gaps::db::staff_page(&mut conn, today, &path, false, 0, None).await.expect("staff");
        let flagged = cakap::gaps::db::staff_page(&mut conn, today, &path, true, 0, None).await.expect("flagged");
        assert_eq!(parts[0].staff, all.len() as i64, "{code}");
        assert_eq!(parts[0].flagged, flagged.len() as i64, "{code}");
        assert_eq!(parts[0].requirements, all.iter().map(|s| s.requirements).sum::<i64>(), "{code}");
        // The top tier first (critical_big), then the highest gap.
        let key = |s: &cakap::gaps::db::StaffGap| (u8::from(s.critical_big.is_some()), s.score);
        assert!(
            all.windows(2).all(|w| {
                let (a, b) = (key(&w[0]), key(&w[1]));
                a.0 > b.0 || (a.0 == b.0 && a.1 >= b.1)
            }),
            "the top tier first, then the highest gap"
        );
        let second = cakap::gaps::db::staff_page(&mut conn, today, &path, false, 1, Some(2)).await.expect("page");
        assert_eq!(
            second.iter().map(|s| s.employee_id).collect::<Vec<_>>(),
            all.iter().skip(1).take(2).map(|s| s.employee_id).collect::<Vec<_>>()
        );
        if code == "DKIS" {
            assert!(parts.len() > 3 && parts.iter().skip(1).any(|p| p.staff > 0), "the bidang are parts");
        }
    }
}

/// The kept gap facts (per employee, per employee and year, per unit and competency) equal their
/// definitions (`*_computed`) after every kind of change that feeds them, each committed on its
/// own; a rolled-back change leaves nothing behind; two writers at once both land.
#[sqlx::test]
async fn kept_gap_facts_match_their_definition_after_every_kind_of_change(pool: PgPool) {
    cakap::seed::synthetic::seed(&pool, 300, 11).await.expect("seed");
    async fn agree(pool: &PgPool, after: &str) {
        for (kept, computed) in [
            ("employee_gap_facts", "employee_gap_facts_computed"),
            ("employee_jp_years", "employee_jp_years_computed"),
            ("unit_gap_facts", "unit_gap_facts_computed"),
        ] {
            let differ: i64 = sqlx::query_scalar(&format!(
                "select count(*) from ((select * from {kept} except all select * from {computed})
                 union all (select * from {computed} except all select * from {kept})) d"
            ))
            .fetch_one(pool)
            .await
            .expect("compare");
            assert_eq!(differ, 0, "{kept} differs from its definition after {after}");
        }
        let differ: i64 = sqlx::query_scalar(
            "select count(*) from ((select * from reassessment_candidates except all select * from reassessment_candidates_of(null))
             union all (select * from reassessment_candidates_of(null) except all select * from reassessment_candidates)) d",
        )
        .fetch_one(pool)
        .await
        .expect("compare");
        assert_eq!(differ, 0, "the kept re-assessments differ from their definition after {after}");
        let pending: i64 = sqlx::query_scalar(
            "select (select count(*) from gap_facts_pending) + (select count(*) from reassessment_pending)",
        )
        .fetch_one(pool)
        .await
        .expect("pending");
        assert_eq!(pending, 0, "nothing left pending after {after}");
    }
    agree(&pool, "the seed").await;
    let rows: i64 = sqlx::query_scalar("select count(*) from unit_gap_facts").fetch_one(&pool).await.expect("n");
    assert!(rows > 50, "unit facts kept: {rows}");
    let due: i64 =
        sqlx::query_scalar("select count(*) from reassessment_candidates").fetch_one(&pool).await.expect("due");
    assert!(due > 20, "re-assessments kept: {due}");
    let changes: &[(&str, &str)] = &[
        (
            "a validated assessment",
            "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
             select e.id, ps.competency_id, 5, date '2026-11-20', 'test', 'validated'
             from employees e join position_standards ps on ps.position_id = e.position_id
             where e.active order by e.id, ps.competency_id limit 7",
        ),
        (
            "an assessment withdrawn",
            "update assessments set status = 'rejected'
             where id in (select assessment_id from current_level_rows order by employee_id, competency_id limit 5)",
        ),
        (
            "a new position",
            "update employees set position_id = (select max(position_id) from employees where active)
             where id = (select min(id) from employees where active and position_id is not null)",
        ),
        (
            "a move to another unit",
            "update employees set unit_id = (select max(unit_id) from employees)
             where id = (select min(id) + 3 from employees where active)",
        ),
        ("leaving", "update employees set active = false where id = (select min(id) + 5 from employees where active)"),
        (
            "a stricter standard",
            "update position_standards set required_level = least(required_level + 1, 5), priority = 'critical'
             where position_id = (select min(position_id) from position_standards)",
        ),
        (
            "a standard removed",
            "delete from position_standards
             where (position_id, competency_id) = (select position_id, competency_id from position_standards
                                                   order by position_id desc, competency_id limit 1)",
        ),
        (
            "a renamed competency code",
            "update competencies set code = code || 'X'
             where id = (select competency_id from position_standards group by competency_id order by count(*) desc limit 1)",
        ),
        (
            // Levels older than a month stop counting: whose levels count moves with no level row
            // changed.
            "a shorter validity period",
            "update competencies set validity_months = 1
             where id = (select competency_id from current_level_rows group by competency_id order by count(*) desc limit 1)",
        ),
        (
            "a cancelled training",
            "update trainings set status = 'cancelled'
             where id = (select training_id from training_participants where status = 'passed' order by training_id limit 1)",
        ),
        (
            "a participant marked failed",
            "update training_participants set status = 'failed'
             where id = (select max(id) from training_participants where status = 'passed')",
        ),
        (
            "a rejected activity",
            "update activities set status = 'rejected' where id = (select min(activity_id) from activity_learners)",
        ),
        (
            "a due competency self-assessed",
            "insert into assessments (employee_id, competency_id, level, assessed_on, source, status, note)
             select employee_id, competency_id, 3, ends_on + 90, 'self', 'pending', 'due-test' from reassessment_candidates
             where ends_on + 90 <= current_date order by employee_id, training_id, competency_id limit 4",
        ),
        (
            "that self-assessment rejected",
            "update assessments set status = 'rejected' where id = (select min(id) from assessments where note = 'due-test')",
        ),
        (
            "a self-assessment dated before the due day",
            "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
             select employee_id, competency_id, 3, ends_on + 89, 'test', 'validated' from reassessment_candidates
             order by employee_id desc, training_id, competency_id limit 2",
        ),
        (
            "a competency added to a completed training",
            "insert into training_competencies (training_id, competency_id, target_level)
             select t.id, c.id, 3 from trainings t cross join competencies c
             where t.status = 'completed' and exists (select 1 from training_participants p where p.training_id = t.id and p.status = 'passed')
               and not exists (select 1 from training_competencies tc where tc.training_id = t.id and tc.competency_id = c.id)
             order by t.id, c.id limit 1",
        ),
        (
            "a competency dropped from a completed training",
            "delete from training_competencies where (training_id, competency_id) =
               (select training_id, competency_id from reassessment_candidates order by training_id desc, competency_id limit 1)",
        ),
        (
            "a training completed",
            "update trainings set status = 'completed', starts_on = current_date - 122, ends_on = current_date - 120
             where id = (select t.id from trainings t join training_participants p on p.training_id = t.id
                         join training_competencies tc on tc.training_id = t.id
                         where t.status <> 'completed' and t.status <> 'cancelled' order by t.id limit 1)",
        ),
        (
            "participants attended",
            "update training_participants set status = 'attended'
             where training_id in (select t.id from trainings t where t.status = 'completed') and status not in ('attended', 'passed', 'failed')",
        ),
        ("another JP rule", "update jp_rules set minutes_per_jp = minutes_per_jp + 15"),
        ("new weights", "update gap_settings set weight_critical = weight_critical + 1.5, weight_useful = 0.5"),
    ];
    for (what, sql) in changes {
        let done = sqlx::query(sql).execute(&pool).await.unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(done.rows_affected() > 0, "{what} changed nothing");
        agree(&pool, what).await;
    }

    // A change rolled back: nothing pending, facts as before.
    let before: String =
        sqlx::query_scalar("select md5(string_agg(f::text, ',' order by employee_id)) from employee_gap_facts f")
            .fetch_one(&pool)
            .await
            .expect("before");
    let mut tx = pool.begin().await.expect("tx");
    sqlx::query("update employees set position_id = null where active").execute(&mut *tx).await.expect("write");
    tx.rollback().await.expect("rollback");
    let after: String =
        sqlx::query_scalar("select md5(string_agg(f::text, ',' order by employee_id)) from employee_gap_facts f")
            .fetch_one(&pool)
            .await
            .expect("after");
    assert_eq!(before, after);
    agree(&pool, "a rollback").await;

    // Two writers at once on the same employee: each transaction's refresh sees the other's commit.
    let (emp, c1, c2): (i64, i64, i64) = sqlx::query_as(
        "select e.id, min(ps.competency_id), max(ps.competency_id) from employees e
         join position_standards ps on ps.position_id = e.position_id where e.active group by e.id order by e.id limit 1",
    )
    .fetch_one(&pool)
    .await
    .expect("pick");
    let write = |comp: i64| {
        let pool = pool.clone();
        async move {
            let mut tx = pool.begin().await.expect("tx");
            sqlx::query(
                "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
                 values ($1, $2, 1, date '2026-11-23', 'test', 'validated')",
            )
            .bind(emp)
            .bind(comp)
            .execute(&mut *tx)
            .await
            .expect("insert");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            tx.commit().await.expect("commit");
        }
    };
    tokio::join!(write(c1), write(c2));
    agree(&pool, "two writers at once").await;
}

/// The matrix's columns, summed from the units' kept facts, are the ones the requirement rows
/// give: the same competencies, counts and order (most weighted gap first, a competency nobody's
/// level is known of after the rest), for the department and for a bidang, with and without an
/// area filter.
#[sqlx::test]
async fn the_matrix_columns_from_kept_facts_are_those_of_the_requirements(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    // One required competency whose every level becomes unknown (its assessments withdrawn).
    let unknown: i64 = app
        .scalar(
            "select ps.competency_id from position_standards ps join employees e on e.position_id = ps.position_id
             where e.active group by ps.competency_id order by count(*) desc, ps.competency_id limit 1 offset 2",
        )
        .await;
    sqlx::query("update assessments set status = 'rejected' where competency_id = $1 and status = 'validated'")
        .bind(unknown)
        .execute(&app.pool)
        .await
        .expect("withdraw");
    let dinas = app.scalar("select id from units where code = 'DKIS'").await;
    let bidang = app
        .scalar(
            "select u.id from units u where u.path like (select path from units where code = 'DKIS') || '_%'
             and exists (select 1 from employees e join units x on x.id = e.unit_id where x.path like u.path || '%')
             order by length(u.path), u.id limit 1",
        )
        .await;
    let mut saw_unknown_last = false;
    for unit in [dinas, bidang] {
        for area in ["", "aplikasi"] {
            let body = hr.get(&format!("/gaps/matrix?unit={unit}&area={area}")).await.body;
            let got: Vec<(String, i64, i64)> = body
                .split("<span class=\"col-head\">")
                .skip(1)
                .map(|h| {
                    let code = h.split(' ').next().unwrap_or("").to_string();
                    let counts = h.split("<span class=\"muted\">").nth(1).unwrap_or("").split('<').next().unwrap_or("");
                    let (short, of) = counts.split_once('/').unwrap_or(("-1", "-1"));
                    (code, short.parse().unwrap_or(-1), of.parse().unwrap_or(-1))
                })
                .collect();
            let expected: Vec<(String, i64, i64)> = sqlx::query_as(
                "select c.code, count(*) filter (where g.gap > 0), count(*)
                 from requirement_gaps g join employees e on e.id = g.employee_id join units u on u.id = e.unit_id
                 join competencies c on c.id = g.competency_id
                 where u.path like (select path from units where id = $1) || '%' and ($2 = '' or c.area = $2)
                 group by c.id, c.code order by sum(g.gap * g.weight) desc nulls last, c.code limit 60",
            )
            .bind(unit)
            .bind(area)
            .fetch_all(&app.pool)
            .await
            .expect("expected");
            assert!(!area.is_empty() || !expected.is_empty(), "unit {unit} has columns");
            assert_eq!(got, expected, "unit {unit} area {area:?}");
            let code: String = sqlx::query_scalar("select code from competencies where id = $1")
                .bind(unknown)
                .fetch_one(&app.pool)
                .await
                .expect("code");
            if let Some(i) = got.iter().position(|c| c.0 == code) {
                saw_unknown_last |= i + 1 == got.len() || got[i + 1..].iter().all(|c| c.1 == 0);
            }
        }
    }
    assert!(saw_unknown_last, "the competency nobody's level is known of comes after the others");
}

/// The skills matrix shows fifty staff a page; the pages together hold every row once.
#[sqlx::test]
async fn the_matrix_pages_its_staff(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let unit = app.scalar("select id from units where code = 'DKIS'").await;
    let all = app.scalar("select count(*) from employees where active").await;
    assert!(all > 50, "the demo department has more than a page: {all}");
    let rows = |body: &str| -> Vec<String> {
        body.split("<th scope=\"row\"><a href=\"/employees/")
            .skip(1)
            .map(|s| s.split('/').next().unwrap_or("").to_string())
            .collect()
    };
    let first = hr.get(&format!("/gaps/matrix?unit={unit}&sort=name")).await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains("rel=\"next\"") && first.body.contains("page=2"));
    let mut seen = rows(&first.body);
    assert_eq!(seen.len(), 50);
    for page in 2..=(all + 49) / 50 {
        let next = hr.get(&format!("/gaps/matrix?unit={unit}&sort=name&page={page}")).await;
        let these = rows(&next.body);
        assert!(!these.is_empty() && these.len() <= 50, "page {page}: {}", these.len());
        assert!(these.iter().all(|id| !seen.contains(id)), "no one twice");
        seen.extend(these);
    }
    assert_eq!(seen.len(), all as usize, "every active employee on one of the pages");
}

/// The gap pages draw their tables once per version of the records: in each reader's language,
/// and again after any change.
#[sqlx::test]
async fn kept_gap_pages_follow_the_language_and_every_change(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let unit = app.scalar("select id from units where code = 'DKIS'").await;
    let matrix = format!("/gaps/matrix?unit={unit}&sort=name");
    let summary = format!("/gaps?unit={unit}&flagged=0");
    let akpk = format!("/gaps/akpk?unit={unit}&format=csv");

    let id_matrix = hr.get(&matrix).await.body;
    let id_summary = hr.get(&summary).await.body;
    let id_akpk = hr.get(&akpk).await.body;
    assert!(id_matrix.contains("Pegawai (baris) terhadap kompetensi"), "{id_matrix}");
    assert!(id_summary.contains("Kompetensi dengan kesenjangan terbesar"));
    assert!(id_akpk.contains("Nama"));

    hr.get("/lang/en?next=/").await;
    let en_matrix = hr.get(&matrix).await.body;
    let en_summary = hr.get(&summary).await.body;
    let en_akpk = hr.get(&akpk).await.body;
    assert!(en_matrix.contains("Staff (rows) against competencies"), "{en_matrix}");
    assert!(!en_matrix.contains("Pegawai (baris)"), "not the Indonesian table kept before");
    assert!(en_summary.contains("Competencies with the largest gap"));
    assert!(!en_summary.contains("Kompetensi dengan kesenjangan terbesar"));
    assert!(en_akpk.contains("Name") && !en_akpk.contains("Nama"), "{en_akpk}");

    // A change anywhere: the next reader sees it in the kept tables.
    let first_listed = |body: &str| -> i64 {
        body.split("<a href=\"/employees/")
            .skip(1)
            .find_map(|s| s.split_once("/gaps\"").and_then(|(id, _)| id.parse().ok()))
            .expect("a person listed")
    };
    for id in [first_listed(&en_matrix), first_listed(&en_summary)] {
        sqlx::query("update employees set name = 'Aaron Tabel Baru ' || id where id = $1")
            .bind(id)
            .execute(&app.pool)
            .await
            .expect("rename");
    }
    let (m, s) = (first_listed(&en_matrix), first_listed(&en_summary));
    let en_matrix = hr.get(&matrix).await.body;
    let en_summary = hr.get(&summary).await.body;
    assert!(en_matrix.contains(&format!("Aaron Tabel Baru {m}")), "the matrix drawn again");
    assert!(en_summary.contains(&format!("Aaron Tabel Baru {s}")), "the staff list drawn again");
}

/// A result's queries may run side by side on a second, idle connection that imports the first
/// one's snapshot: it sees exactly what the first sees, not what was committed since.
#[sqlx::test]
async fn a_helper_connection_reads_the_same_snapshot(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut conn = app.pool.acquire().await.expect("connection");
    let mut tx = sqlx::Connection::begin_with(&mut *conn, "begin isolation level repeatable read, read only")
        .await
        .expect("snapshot");
    let renamed = "select count(*) from employees where name like '% Baru'";
    let before: i64 = sqlx::query_scalar(renamed).fetch_one(&mut *tx).await.expect("count");
    // Make sure another connection is idle in the pool (a connection given back is checked
    // before it is idle again), then take it beside this one.
    drop(app.pool.acquire().await.expect("second connection"));
    let mut found = None;
    for _ in 0..100 {
        found = cakap::app::versioned::beside(&mut tx, &app.pool).await.expect("export");
        if found.is_some() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    let (mut helper, snapshot) = found.expect("an idle connection");
    sqlx::query("update employees set name = name || ' Baru' where id = (select min(id) from employees)")
        .execute(&app.pool)
        .await
        .expect("a change committed after the snapshot");
    let mut other = sqlx::Connection::begin_with(&mut *helper, "begin isolation level repeatable read, read only")
        .await
        .expect("begin");
    cakap::app::versioned::import_snapshot(&mut other, &snapshot).await.expect("import");
    let seen: i64 = sqlx::query_scalar(renamed).fetch_one(&mut *other).await.expect("count");
    assert_eq!(seen, before, "the helper sees the snapshot, not the later change");
    assert_eq!(app.scalar(renamed).await, before + 1, "the change is there for everyone else");
    other.rollback().await.expect("rollback");
    tx.rollback().await.expect("rollback");

    // Only a snapshot id is ever put into the statement.
    let mut c = app.pool.acquire().await.expect("connection");
    let mut t =
        sqlx::Connection::begin_with(&mut *c, "begin isolation level repeatable read, read only").await.expect("begin");
    assert!(cakap::app::versioned::import_snapshot(&mut t, "x'; drop table employees; --").await.is_err());
}

/// The mentors offered (gap card, HR home) are exactly the first of every holder ranked by the
/// rule (own unit, higher level, fewer mentees, newest record), though they are read from an
/// index's end: checked for every requirement of every demo employee, with some colleagues
/// already mentoring, against the ranking of every holder.
#[sqlx::test]
async fn mentor_candidates_are_the_first_of_every_holder_in_the_rules_order(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // Some colleagues of other units already mentor (their load ranks them after the others).
    sqlx::query(
        "with pairs as (
           select e.id as learner, m.id as mentor, row_number() over (order by e.id, m.id) as n
           from (select id from employees where active order by id limit 6) e
           cross join lateral (select id from employees where active and id <> e.id order by id desc limit 2) m),
         ins as (
           insert into activities (kind, mentor_id, competency_id, held_on, minutes, topic, status)
           select 'mentoring', p.mentor, (select min(id) from competencies), agency_today() - 3, 90,
                  'Pendampingan ' || p.n, 'confirmed'
           from pairs p returning id, topic)
         insert into activity_learners (activity_id, employee_id)
         select i.id, p.learner from ins i join pairs p on i.topic = 'Pendampingan ' || p.n",
    )
    .execute(&app.pool)
    .await
    .expect("mentoring");
    let loaded: i64 = sqlx::query_scalar("select count(*) from mentor_load(agency_today())")
        .fetch_one(&app.pool)
        .await
        .expect("load");
    assert!(loaded > 0, "some colleagues mentor");
    // One, three and twelve offered: the fewer, the more often those already mentoring sit
    // above the last of the others.
    for limit in [1, 3, 12] {
        let diff: Vec<(i64, i64, String)> = sqlx::query_as(
        "with req as (
           select e.id as mentee, ps.competency_id, ps.required_level
           from employees e join position_standards ps on ps.position_id = e.position_id where e.active),
         got as (
           select r.mentee, c.competency_id, c.mentor_id, c.mentor_rank
           from (select mentee, array_agg(competency_id) cs, array_agg(required_level) ls from req group by mentee) r
           cross join lateral mentor_candidates(r.cs, r.ls, r.mentee, agency_today(), $1) c),
         want as (
           select * from (
             select q.mentee, q.competency_id, m.id as mentor_id,
                    row_number() over (partition by q.mentee, q.competency_id
                                       order by m.unit_id = me.unit_id desc, cl.level desc, coalesce(ld.mentees, 0), m.id desc) as mentor_rank
             from req q join employees me on me.id = q.mentee
             join current_levels cl on cl.competency_id = q.competency_id and cl.level >= q.required_level
             join employees m on m.id = cl.employee_id and m.active and m.id <> q.mentee
             left join mentor_load(agency_today()) ld on ld.mentor_id = m.id) w
           where w.mentor_rank <= $1)
         select coalesce(g.mentee, w.mentee), coalesce(g.competency_id, w.competency_id),
                case when g.mentee is null then 'missing' else 'extra' end
         from got g full join want w using (mentee, competency_id, mentor_id, mentor_rank)
         where g.mentee is null or w.mentee is null",
    )
    .bind(limit)
    .fetch_all(&app.pool)
    .await
    .expect("compare");
        assert!(diff.is_empty(), "{limit} offered: differs from every holder ranked: {diff:?}");
    }
    let offered: i64 = sqlx::query_scalar(
        "select count(*) from employees e cross join lateral mentor_candidates(
           (select array_agg(competency_id) from position_standards where position_id = e.position_id),
           (select array_agg(required_level) from position_standards where position_id = e.position_id), e.id, agency_today(), 3) c",
    )
    .fetch_one(&app.pool)
    .await
    .expect("offered");
    assert!(offered > 20, "the comparison covered real offers: {offered}");
}

/// A unit with more than `PARTS_SHOWN` parts charts and lists its least ready ones, lowest
/// first, the parts where nothing is known after them; `parts=all` lists every part in the
/// units' order. Checked against each part's readiness as `db::readiness` computes it.
#[sqlx::test]
async fn a_unit_with_many_parts_shows_its_least_ready_first(pool: PgPool) {
    use cakap::gaps::routes::PARTS_SHOWN;
    let app = TestApp::seeded(pool).await;
    // Ten more bidang under the department: five take over a seksi (and its staff) of their
    // own, five stay empty (nothing known).
    sqlx::query(
        "with root as (select id from units where code = 'DKIS')
         insert into units (parent_id, code, name, kind)
         select root.id, 'BANYAK-' || g, 'Bidang Banyak ' || g, 'bidang' from root, generate_series(1, 10) g",
    )
    .execute(&app.pool)
    .await
    .expect("units");
    sqlx::query(
        "with s as (select id, row_number() over (order by sort_key) n from units u where kind = 'seksi'
                    and exists (select 1 from employees e where e.unit_id = u.id and e.active)),
              b as (select id, row_number() over (order by code) n from units where code in
                    ('BANYAK-1', 'BANYAK-2', 'BANYAK-3', 'BANYAK-4', 'BANYAK-5'))
         update units u set parent_id = b.id from s join b on b.n = s.n where u.id = s.id",
    )
    .execute(&app.pool)
    .await
    .expect("moved");
    let (root, path): (i64, String) =
        sqlx::query_as("select id, path from units where code = 'DKIS'").fetch_one(&app.pool).await.expect("root");
    let today = app.state.clock.today(cakap::app::clock::TimeZone::Wib);
    let mut conn = app.pool.acquire().await.expect("connection");
    let parts = cakap::gaps::db::readiness(&mut conn, today, root, &path).await.expect("readiness");
    assert!(parts.len() - 1 > PARTS_SHOWN, "{} parts", parts.len() - 1);
    let unknown = parts.iter().skip(1).filter(|p| p.readiness().is_none()).count();
    assert!(unknown >= 5 && unknown < parts.len() - 1 - PARTS_SHOWN + 5, "{unknown} parts with nothing known");
    // (unit id, readiness as shown) of the parts' table.
    fn rows(body: &str) -> Vec<(i64, String)> {
        let table = body.split("<caption class=\"sr-only\">Kesiapan per unit</caption>").nth(1).expect("parts table");
        let table = table.split("</table>").next().unwrap_or_default();
        table
            .split("<th scope=\"row\"><a href=\"/gaps?unit=")
            .skip(1)
            .map(|r| {
                let id = r.split('"').next().unwrap_or_default().parse().expect("unit id");
                let pct = r.split("<td class=\"num\">").nth(1).and_then(|s| s.split('<').next()).unwrap_or_default();
                (id, pct.to_string())
            })
            .collect()
    }
    let percent = |p: &cakap::gaps::db::UnitReadiness| p.percent().map(|r| format!("{r}%")).unwrap_or("—".into());
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get(&format!("/gaps?unit={root}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    let shown = rows(&page.body);
    assert_eq!(shown.len(), PARTS_SHOWN, "the least ready only");
    assert!(
        page.body
            .contains(&format!("Menampilkan {PARTS_SHOWN} unit dengan kesiapan terendah dari {}", parts.len() - 1))
    );
    assert!(
        page.body.contains(&format!("Kesiapan per unit: {PARTS_SHOWN} terendah dari {}", parts.len() - 1)),
        "the chart says so"
    );
    let chart = page.body.split("id=\"readiness-t\"").nth(1).and_then(|c| c.split("</svg>").next()).expect("chart");
    assert_eq!(chart.matches("class=\"chart-bar\"").count(), PARTS_SHOWN, "the chart has the parts listed");
    // Lowest known readiness first, nothing known last, and no part left out is less ready than one shown.
    let of = |id: i64| parts.iter().find(|p| p.unit_id == id).expect("a part");
    let known: Vec<f64> = shown.iter().filter_map(|(id, _)| of(*id).readiness()).collect();
    assert!(known.windows(2).all(|w| w[0] <= w[1]), "lowest first: {shown:?}");
    let first_unknown = shown.iter().position(|(id, _)| of(*id).readiness().is_none()).unwrap_or(shown.len());
    assert!(shown[first_unknown..].iter().all(|(id, _)| of(*id).readiness().is_none()), "unknown last: {shown:?}");
    let highest_shown = known.last().copied().unwrap_or(0.0);
    for p in parts.iter().skip(1).filter(|p| !shown.iter().any(|(id, _)| *id == p.unit_id)) {
        assert!(p.readiness().is_none_or(|r| r >= highest_shown), "{} left out though less ready", p.name);
    }
    for (id, pct) in &shown {
        assert_eq!(*pct, percent(of(*id)), "unit {id}");
    }
    // Every part, in the units' order, on request; the staff list's pages keep asking for it.
    let all = hr.get(&format!("/gaps?unit={root}&parts=all&flagged=0")).await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let every: Vec<(i64, String)> = parts.iter().skip(1).map(|p| (p.unit_id, percent(p))).collect();
    assert_eq!(rows(&all.body), every);
    assert!(all.body.contains("parts=all&#38;page=2"), "paging keeps every part");
    assert!(all.body.contains(&format!("href=\"/gaps?unit={root}\">Tampilkan yang terendah saja")));
    // A unit with few parts lists them all, as before, without the note.
    let apt: i64 =
        sqlx::query_scalar("select id from units where code = 'APT'").fetch_one(&app.pool).await.expect("apt");
    let small = hr.get(&format!("/gaps?unit={apt}")).await;
    assert!(!small.body.contains("terendah dari"), "no note where every part fits");
}
