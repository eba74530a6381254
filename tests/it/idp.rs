//! Individual development plans: made from the gap card, edited, approved; progress follows the
//! records; templates apply only the lines a person needs; scope.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::TestApp;

/// An active employee of Seksi Pengembangan Aplikasi without an account, with at least two known
/// gaps; their IDP of this year (from the demo) removed so the test makes it.
async fn staff_with_gaps(app: &TestApp) -> i64 {
    let id: i64 = sqlx::query_scalar(
        "select e.id from employees e join units u on u.id = e.unit_id
         where u.code = 'APT-PA' and e.active and not exists (select 1 from accounts a where a.employee_id = e.id)
           and (select count(*) from requirement_gaps g where g.employee_id = e.id and g.gap > 0) >= 2
         order by e.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("staff with gaps");
    sqlx::query("delete from idp_lines where idp_id in (select id from idps where employee_id = $1)")
        .bind(id)
        .execute(&app.pool)
        .await
        .expect("clear lines");
    sqlx::query("delete from idps where employee_id = $1").bind(id).execute(&app.pool).await.expect("clear idp");
    id
}

async fn line_progress(app: &TestApp, line: i64) -> (i32, String, f64, i64) {
    sqlx::query_as("select percent, state, earned_jp, waiting from idp_line_progress where line_id = $1")
        .bind(line)
        .fetch_one(&app.pool)
        .await
        .expect("progress")
}

#[sqlx::test]
async fn an_idp_is_made_from_the_gap_card_approved_and_its_progress_follows_the_records(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let emp = staff_with_gaps(&app).await;
    let gaps: i64 = sqlx::query_scalar("select count(*) from requirement_gaps where employee_id = $1 and gap > 0")
        .bind(emp)
        .fetch_one(&app.pool)
        .await
        .expect("gaps");
    let mut head = app.as_user("kabid.aptika").await;
    let card = head.get(&format!("/employees/{emp}/gaps")).await;
    assert!(card.body.contains(&format!("/employees/{emp}/idp")), "the gap card links to the IDP");
    let page = head.get(&format!("/employees/{emp}/idp")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("Buat IDP dari kesenjangan"), "{}", page.body);

    // A mentored or self-study line expects, per level, what the agency's JP rules give a planned
    // mentoring (`planned_jp`): 4 JP by default, 6 once the rules fix a session at 6 JP.
    sqlx::query("update jp_rules set fixed_jp = 6 where kind = 'mentoring'").execute(&app.pool).await.expect("rule");
    let r = head.post(&format!("/employees/{emp}/idp"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let informal: (i64, i64) = sqlx::query_as(
        "select count(*), count(*) filter (where l.expected_jp <> greatest(l.goal_level - coalesce(l.start_level, 0), 1) * 6)
         from idp_lines l join idps i on i.id = l.idp_id
         where i.employee_id = $1 and l.route in ('mentor', 'self_study')",
    )
    .bind(emp)
    .fetch_one(&app.pool)
    .await
    .expect("informal lines");
    assert!(informal.0 > 0, "some lines are informal");
    assert_eq!(informal.1, 0, "every informal line expects 6 JP a level");
    assert!(head.get(&format!("/employees/{emp}/idp")).await.body.contains("6 JP"), "the hint names the rule's JP");
    let (idp, status): (i64, String) =
        sqlx::query_as("select id, status from idps where employee_id = $1 and year = extract(year from current_date)")
            .bind(emp)
            .fetch_one(&app.pool)
            .await
            .expect("idp made");
    assert_eq!(status, "draft");
    let lines: i64 = sqlx::query_scalar("select count(*) from idp_lines where idp_id = $1")
        .bind(idp)
        .fetch_one(&app.pool)
        .await
        .expect("lines");
    assert_eq!(lines, gaps, "one line per known gap");
    // Each line's goal is the standard, its start the level validated now.
    let wrong: i64 = sqlx::query_scalar(
        "select count(*) from idp_lines l join requirement_gaps g on g.employee_id = $2 and g.competency_id = l.competency_id
         where l.idp_id = $1 and (l.goal_level <> g.required_level or l.start_level is distinct from g.current_level)",
    )
    .bind(idp)
    .bind(emp)
    .fetch_one(&app.pool)
    .await
    .expect("goals");
    assert_eq!(wrong, 0);
    // Made twice: still one.
    head.post(&format!("/employees/{emp}/idp"), &[]).await;
    assert_eq!(app.scalar(&format!("select count(*) from idps where employee_id = {emp}")).await, 1);

    // The line to follow: its competency, the level now.
    let (line, comp, current): (i64, i64, Option<i16>) = sqlx::query_as(
        "select l.id, l.competency_id, l.start_level from idp_lines l where l.idp_id = $1 order by l.competency_id limit 1",
    )
    .bind(idp)
    .fetch_one(&app.pool)
    .await
    .expect("line");
    let goal = current.unwrap_or(0) + 1;
    // A mentor: a colleague who holds the goal level.
    let mentor: i64 = sqlx::query_scalar(
        "select cl.employee_id from current_levels cl join employees m on m.id = cl.employee_id and m.active
         where cl.competency_id = $1 and cl.level >= $2 and cl.employee_id <> $3 order by cl.employee_id limit 1",
    )
    .bind(comp)
    .bind(goal)
    .bind(emp)
    .fetch_one(&app.pool)
    .await
    .expect("mentor");

    // Bad input: a goal at the level held now, no date, a mentor route without a mentor.
    if let Some(c) = current {
        let r = head
            .post(
                &format!("/employees/{emp}/idp/lines/{line}"),
                &[
                    ("goal_level", &c.to_string()),
                    ("target_date", "kemarin"),
                    ("route", "mentor"),
                    ("expected_jp", "x"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert!(r.body.contains("Level tujuan harus di atas level tervalidasi saat ini."), "{}", r.body);
        assert!(r.body.contains("Isi tanggal target"), "{}", r.body);
        assert!(r.body.contains("Pilih mentor"), "{}", r.body);
        assert!(r.body.contains("value=\"x\""), "the input is kept");
    }
    let year = chrono::Utc::now().format("%Y").to_string();
    let r = head
        .post(
            &format!("/employees/{emp}/idp/lines/{line}"),
            &[
                ("goal_level", &goal.to_string()),
                ("target_date", &format!("{year}-12-20")),
                ("route", "mentor"),
                ("mentor", &mentor.to_string()),
                ("expected_jp", "4"),
                ("note", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (route, m, jp): (String, Option<i64>, f64) =
        sqlx::query_as("select route, mentor_id, expected_jp::float8 from idp_lines where id = $1")
            .bind(line)
            .fetch_one(&app.pool)
            .await
            .expect("saved");
    assert_eq!((route.as_str(), m, jp), ("mentor", Some(mentor), 4.0));

    let r = head.post(&format!("/employees/{emp}/idp/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar(&format!("select count(*) from idps where id = {idp} and status = 'approved'")).await, 1);
    assert!(app.audit_count("approve").await >= 1);

    // Nothing recorded yet: the line has not started.
    sqlx::query("update idps set starts_on = current_date where id = $1")
        .bind(idp)
        .execute(&app.pool)
        .await
        .expect("start");
    let (p0, s0, _, _) = line_progress(&app, line).await;
    assert_eq!((p0, s0.as_str()), (0, "not_started"));

    // A mentoring session logged, waiting for confirmation: moving, no JP yet.
    // Earlier mentoring this month would use up the monthly cap of the JP rule: set aside.
    sqlx::query(
        "delete from activity_learners where employee_id = $1 and activity_id in (select id from activities
         where kind = 'mentoring' and date_trunc('month', held_on) = date_trunc('month', current_date))",
    )
    .bind(emp)
    .execute(&app.pool)
    .await
    .expect("month clear");
    let act: i64 = sqlx::query_scalar(
        "with a as (insert into activities (kind, mentor_id, competency_id, held_on, minutes, topic, status)
                    values ('mentoring', $2, $3, current_date, 90, 'Pendampingan', 'pending') returning id)
         insert into activity_learners (activity_id, employee_id) select id, $1 from a returning activity_id",
    )
    .bind(emp)
    .bind(mentor)
    .bind(comp)
    .fetch_one(&app.pool)
    .await
    .expect("activity");
    let (p1, s1, e1, w1) = line_progress(&app, line).await;
    assert_eq!((p1, s1.as_str(), e1, w1), (0, "moving", 0.0, 1));
    // Confirmed by the head: its JP count against the 4 expected.
    let r = head.post(&format!("/activities/{act}/confirm"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let jp: f64 = sqlx::query_scalar("select jp::float8 from activity_jp where activity_id = $1 and employee_id = $2")
        .bind(act)
        .bind(emp)
        .fetch_one(&app.pool)
        .await
        .expect("jp");
    let (p2, s2, e2, _) = line_progress(&app, line).await;
    assert_eq!(e2, jp);
    assert_eq!(i64::from(p2), ((jp / 4.0 * 100.0).min(90.0)).round() as i64);
    assert!(p2 > 0, "the progress moved");
    assert_eq!(s2, "moving");
    // The goal level validated: reached, 100 %.
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
         values ($1, $2, $3, current_date, 'supervisor', 'validated')",
    )
    .bind(emp)
    .bind(comp)
    .bind(goal)
    .execute(&app.pool)
    .await
    .expect("validated");
    let (p3, s3, _, _) = line_progress(&app, line).await;
    assert_eq!((p3, s3.as_str()), (100, "reached"));

    // The head's list shows the IDP with its progress; the XLSX and the PDF are whole files.
    let list = head.get("/idp").await;
    assert!(list.body.contains(&format!("/employees/{emp}/idp")), "{}", list.body);
    let x = head.get("/idp?format=xlsx").await;
    assert!(x.bytes.starts_with(b"PK"));
    let p = head.get("/idp?format=pdf").await;
    assert!(p.bytes.starts_with(b"%PDF-"));
}

#[sqlx::test]
async fn the_employee_sees_the_next_step_at_home_and_cannot_change_an_approved_idp(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own: i64 = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let mut head = app.as_user("kabid.aptika").await;
    sqlx::query("delete from idp_lines where idp_id in (select id from idps where employee_id = $1)")
        .bind(own)
        .execute(&app.pool)
        .await
        .expect("clear");
    sqlx::query("delete from idps where employee_id = $1").bind(own).execute(&app.pool).await.expect("clear");
    let gaps =
        app.scalar(&format!("select count(*) from requirement_gaps where employee_id = {own} and gap > 0")).await;
    assert!(gaps > 0, "the demo employee has known gaps");
    head.post(&format!("/employees/{own}/idp"), &[]).await;
    let mut me = app.as_user("pegawai").await;
    // A draft: the employee may change a line.
    let line = app
        .scalar(&format!(
            "select min(l.id) from idp_lines l join idps i on i.id = l.idp_id where i.employee_id = {own}"
        ))
        .await;
    let year = chrono::Utc::now().format("%Y").to_string();
    let fields = [
        ("goal_level", "5"),
        ("target_date", &*format!("{year}-12-30")),
        ("route", "self_study"),
        ("expected_jp", "6"),
        ("note", "Laporan ringkas"),
    ];
    let r = me.post(&format!("/employees/{own}/idp/lines/{line}"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    // The employee cannot approve their own.
    let r = me.post(&format!("/employees/{own}/idp/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    head.post(&format!("/employees/{own}/idp/approve"), &[]).await;
    let r = me.post(&format!("/employees/{own}/idp/lines/{line}"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(me.cookies.get("cakap_flash").is_some_and(|f| f.contains("idp.err.approved")), "{:?}", me.cookies);
    let home = me.get("/").await;
    assert!(home.body.contains("Rencana pengembangan saya"), "{}", home.body);
    assert!(home.body.contains("Langkah berikutnya"), "{}", home.body);
    me.get("/lang/en").await;
    let home = me.get("/").await;
    assert!(home.body.contains("My development plan") && home.body.contains("Next step"), "{}", home.body);
}

#[sqlx::test]
async fn a_template_applies_only_the_lines_a_person_needs(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // Two people in one position, two competencies: A holds them at 4 and 3, B at 2 and 5; the
    // template asks both at 4.
    let (pos, a, b): (i64, i64, i64) = sqlx::query_as(
        "select position_id, min(id), max(id) from employees where active and position_id is not null
         group by position_id having count(*) >= 2 order by position_id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("position with two");
    sqlx::query("delete from idp_lines where idp_id in (select i.id from idps i join employees e on e.id = i.employee_id where e.position_id = $1)")
        .bind(pos)
        .execute(&app.pool)
        .await
        .expect("clear");
    sqlx::query("delete from idps i using employees e where e.id = i.employee_id and e.position_id = $1")
        .bind(pos)
        .execute(&app.pool)
        .await
        .expect("clear");
    let comps: Vec<i64> = sqlx::query_scalar("select id from competencies where active order by code limit 2")
        .fetch_all(&app.pool)
        .await
        .expect("comps");
    let (c1, c2) = (comps[0], comps[1]);
    for (who, comp, level) in [(a, c1, 4), (b, c1, 2), (a, c2, 3), (b, c2, 5)] {
        sqlx::query(
            "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
             values ($1, $2, $3, current_date, 'supervisor', 'validated')",
        )
        .bind(who)
        .bind(comp)
        .bind(level)
        .execute(&app.pool)
        .await
        .expect("level");
    }
    let mut hr = app.as_user("kepegawaian").await;
    let programme = app.scalar("select min(id) from programmes where active").await.to_string();
    // Bad input first: kept, with the message.
    let r = hr
        .post(
            "/idp/templates",
            &[
                ("position", &pos.to_string()),
                ("competency", ""),
                ("goal_level", "9"),
                ("route", "programme"),
                ("months", "99"),
                ("expected_jp", "1"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Pilih kompetensi.") && r.body.contains("Bulan 1 sampai 36."), "{}", r.body);
    for (comp, route, prog) in [(c1, "programme", programme.as_str()), (c2, "self_study", "")] {
        let r = hr
            .post(
                "/idp/templates",
                &[
                    ("position", &pos.to_string()),
                    ("competency", &comp.to_string()),
                    ("goal_level", "4"),
                    ("route", route),
                    ("programme", prog),
                    ("months", "6"),
                    ("expected_jp", "10"),
                ],
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = hr.post("/idp/templates/apply", &[("position", &pos.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let lines = |who: i64| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select l.competency_id from idp_lines l join idps i on i.id = l.idp_id where i.employee_id = $1
                 and l.source = 'template' order by l.competency_id",
            )
            .bind(who)
            .fetch_all(&pool)
            .await
            .expect("lines")
        }
    };
    // A holds c1 at 4 (the goal): only c2 (3 < 4). B holds c2 at 5: only c1 (2 < 4).
    assert_eq!(lines(a).await, vec![c2]);
    assert_eq!(lines(b).await, vec![c1]);
    // Applied again: nothing doubles.
    hr.post("/idp/templates/apply", &[("position", &pos.to_string())]).await;
    assert_eq!(lines(a).await, vec![c2]);
    assert_eq!(app.audit_count("apply").await, 2);
}

#[sqlx::test]
async fn an_idp_is_seen_within_scope_only(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let emp = staff_with_gaps(&app).await;
    let mut hr = app.as_user("kepegawaian").await;
    hr.post(&format!("/employees/{emp}/idp"), &[]).await;
    let mut other_head = app.as_user("kabid.infra").await;
    assert_eq!(other_head.get(&format!("/employees/{emp}/idp")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(other_head.post(&format!("/employees/{emp}/idp/approve"), &[]).await.status, StatusCode::NOT_FOUND);
    let list = other_head.get("/idp").await;
    assert!(!list.body.contains(&format!("/employees/{emp}/idp\"")), "another bidang's list leaves them out");
    let mut me = app.as_user("pegawai").await;
    assert_eq!(me.get(&format!("/employees/{emp}/idp")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(me.get("/idp").await.status, StatusCode::FORBIDDEN);
}

/// A unit's IDP page lists its staff 50 a page in the unit tree's order, its figures over all of
/// them; the exports hold everyone.
#[sqlx::test]
async fn a_units_idps_come_50_a_page_with_figures_over_all(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let year = app.scalar("select extract(year from agency_today())::bigint").await;
    sqlx::query(
        "insert into employees (nip, status, name, sex, birth_date, unit_id)
         select (199001012020121000 + g)::text, 'PNS', 'Pegawai Halaman ' || lpad(g::text, 3, '0'), 'L', date '1990-01-01',
                (select id from units where code = 'APT')
         from generate_series(1, 70) g",
    )
    .execute(&app.pool)
    .await
    .expect("staff");
    let root = app.scalar("select id from units where parent_id is null order by id limit 1").await;
    let expected: Vec<i64> = sqlx::query_scalar(
        "select e.id from employees e join units u on u.id = e.unit_id
         where e.active and u.path like (select path from units where id = $1) || '%' order by u.sort_key, e.name, e.id",
    )
    .bind(root)
    .fetch_all(&app.pool)
    .await
    .expect("staff");
    let (with_idp, approved): (i64, i64) = sqlx::query_as(
        "select count(*), count(*) filter (where i.status = 'approved') from idps i join employees e on e.id = i.employee_id
         where e.active and i.year = $1",
    )
    .bind(year as i32)
    .fetch_one(&app.pool)
    .await
    .expect("idps");
    let mut hr = app.as_user("kepegawaian").await;
    let listed = |body: &str| -> Vec<i64> {
        body.split("<tbody>")
            .nth(1)
            .unwrap_or_default()
            .split("<a href=\"/employees/")
            .skip(1)
            .filter_map(|s| s.split_once("/idp\"").and_then(|(id, _)| id.parse().ok()))
            .collect()
    };
    let mut all = vec![];
    let pages = (expected.len() as i64 + 49) / 50;
    for page in 1..=pages {
        let r = hr.get(&format!("/idp?unit={root}&year={year}&page={page}")).await;
        assert_eq!(r.status, StatusCode::OK);
        if page == 1 {
            assert!(r.body.contains(&format!("<strong>{}</strong>", expected.len())), "staff over every page");
            assert!(r.body.contains(&format!("<strong>{with_idp}</strong>")));
            assert!(r.body.contains(&format!("<strong>{approved}</strong>")));
        }
        let rows = listed(&r.body);
        assert!(rows.len() <= 50);
        all.extend(rows);
    }
    assert_eq!(all, expected, "every page in order, each person once");
    let past = hr.get(&format!("/idp?unit={root}&year={year}&page=999")).await;
    assert_eq!(listed(&past.body), expected[((pages - 1) * 50) as usize..].to_vec(), "a page past the end is the last");
    assert!(past.body.contains(&format!("Halaman {pages} / {pages}")));
    let csv = hr.get(&format!("/idp?unit={root}&year={year}&format=csv")).await;
    assert!(csv.body.lines().count() > expected.len(), "the export holds everyone");
}
