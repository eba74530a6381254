//! The rules layer (`db/rules/`): each rule is applied once per change and harmlessly again, two
//! nodes starting at once apply it once, and for each rule the pages and queries that read it
//! agree with it, and it agrees with the rule recomputed here from the records.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use cakap::app::{clock::TimeZone, rules};
use sqlx::PgPool;

use crate::helpers::TestApp;

/// The ids in links `{before}<id>{after}` of a page.
fn ids_in(body: &str, before: &str, after: &str) -> BTreeSet<i64> {
    body.match_indices(before)
        .filter_map(|(i, _)| {
            let rest = &body[i + before.len()..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            (!digits.is_empty() && rest[digits.len()..].starts_with(after)).then(|| digits.parse().ok()).flatten()
        })
        .collect()
}

/// The fields of one CSV line (quoted fields may hold commas and doubled quotes).
fn csv_fields(line: &str) -> Vec<String> {
    let (mut out, mut field, mut quoted, mut chars) = (vec![], String::new(), false, line.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => out.push(std::mem::take(&mut field)),
            _ => field.push(c),
        }
    }
    out.push(field);
    out
}

/// Rupiah as the pages write it ("Rp1.500.000", "-Rp20.000") back to a number.
fn rupiah_value(s: &str) -> i64 {
    let n: i64 = s.chars().filter(char::is_ascii_digit).collect::<String>().parse().unwrap_or(0);
    if s.trim_start().starts_with('-') { -n } else { n }
}

/// A few figures every rule feeds, to tell that applying the rules again changed no answer.
async fn figures(app: &TestApp) -> Vec<i64> {
    let mut out = vec![];
    for sql in [
        "select count(*) filter (where flagged) * 1000 + sum(tier) from gap_summary(current_date, '/')",
        "select count(*) from evaluations_owed",
        "select sum(remaining + allocated * 3 + committed * 5 + spent * 7)::bigint from budget_figures(extract(year from current_date)::int)",
        "select sum(cost + next_cost * 3)::bigint from training_costs",
        "select count(*) from waiting_decisions(true, null, '{}')",
        "select count(*) from pending_assessments(false, null, array['/1/11/%'])",
        "select (sum(weight * 10))::bigint from requirement_gaps",
        "select count(*) from units where unit_in_scope(false, array['/1/8/%'], path)",
        "select (planned_jp('mentoring') * 10)::bigint",
    ] {
        out.push(app.scalar(sql).await);
    }
    out
}

#[sqlx::test]
async fn the_rules_are_applied_once_per_change_and_again_harmlessly(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // Every file of db/rules/ is applied, and the list names no other.
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("db/rules");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("db/rules")
        .flatten()
        .filter_map(|e| e.file_name().to_str().and_then(|n| n.strip_suffix(".sql")).map(str::to_string))
        .collect();
    files.sort();
    let mut listed: Vec<String> = rules::RULES.iter().map(|r| r.0.to_string()).collect();
    listed.sort();
    assert_eq!(files, listed, "db/rules/ and rules::RULES name the same files");
    assert_eq!(app.scalar("select count(*) from rules_applied").await, rules::RULES.len() as i64);
    // Unchanged rules: a start applies nothing.
    assert!(!rules::apply(&app.pool).await.expect("apply"), "nothing changed");
    let before = figures(&app).await;
    // One file changed (or a migration came): every file is applied again, then nothing more.
    sqlx::query("update rules_applied set checksum = '\\x00' where name = 'flagged'")
        .execute(&app.pool)
        .await
        .expect("change");
    assert!(rules::apply(&app.pool).await.expect("apply again"), "a changed rule is applied");
    assert!(!rules::apply(&app.pool).await.expect("apply"), "and then nothing more");
    // Each file run twice more over the seeded database is harmless (`create or replace`).
    for _ in 0..2 {
        for (name, sql) in rules::RULES {
            sqlx::raw_sql(sql).execute(&app.pool).await.unwrap_or_else(|e| panic!("{name} again: {e}"));
        }
    }
    assert_eq!(figures(&app).await, before, "the same answers after applying the rules again");
    let mut hr = app.as_user("kepegawaian").await;
    for page in ["/", "/gaps", "/budgets", "/development", "/approvals", "/assessments/pending", "/notifications"] {
        assert_eq!(hr.get(page).await.status, StatusCode::OK, "{page}");
    }
}

#[sqlx::test]
async fn two_nodes_starting_at_once_apply_the_rules_once(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    sqlx::query("delete from rules_applied").execute(&app.pool).await.expect("forget");
    let other = sqlx::postgres::PgPoolOptions::new()
        .max_connections(2)
        .connect_with(app.pool.connect_options().as_ref().clone())
        .await
        .expect("second node");
    let (a, b) = tokio::join!(rules::apply(&app.pool), rules::apply(&other));
    let mut applied = vec![a.expect("node a"), b.expect("node b")];
    applied.sort();
    assert_eq!(applied, vec![false, true], "one node applies them, the other finds them applied");
    assert_eq!(app.scalar("select count(*) from rules_applied").await, rules::RULES.len() as i64);
    other.close().await;
}

#[sqlx::test]
async fn an_evaluation_owed_is_the_same_on_every_page(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // By the rule, over the whole demo: a participant who attended, passed or failed a completed
    // training owes its evaluation until it is given.
    let rows: Vec<(i64, i64, String, String, bool)> = sqlx::query_as(
        "select tp.id, tp.employee_id, tp.status, t.status,
                exists (select 1 from training_evaluations ev where ev.participant_id = tp.id)
         from training_participants tp join trainings t on t.id = tp.training_id",
    )
    .fetch_all(&app.pool)
    .await
    .expect("participations");
    let by_rule: BTreeSet<i64> = rows
        .iter()
        .filter(|r| r.3 == "completed" && ["attended", "passed", "failed"].contains(&r.2.as_str()) && !r.4)
        .map(|r| r.0)
        .collect();
    let owed: Vec<(i64,)> =
        sqlx::query_as("select participant_id from evaluations_owed").fetch_all(&app.pool).await.expect("owed");
    assert_eq!(owed.into_iter().map(|o| o.0).collect::<BTreeSet<_>>(), by_rule);
    assert!(!by_rule.is_empty(), "the demo owes some evaluations");

    // Pegawai's two latest trainings: the first owed, the second not (she was absent).
    let me = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let mine: Vec<(i64, i64)> = sqlx::query_as(
        "select tp.id, tp.training_id from training_participants tp join trainings t on t.id = tp.training_id
         where tp.employee_id = $1 and t.status = 'completed' and tp.status = 'passed' order by t.ends_on desc, tp.id limit 2",
    )
    .bind(me)
    .fetch_all(&app.pool)
    .await
    .expect("mine");
    let [(owed_p, owed_t), (absent_p, absent_t)] = mine[..] else { panic!("pegawai took part in two trainings") };
    sqlx::query("delete from training_evaluations where participant_id = any($1)")
        .bind(vec![owed_p, absent_p])
        .execute(&app.pool)
        .await
        .expect("not evaluated yet");
    sqlx::query("update training_participants set status = 'absent' where id = $1")
        .bind(absent_p)
        .execute(&app.pool)
        .await
        .expect("absent");
    let owed: Vec<(i64,)> = sqlx::query_as("select participant_id from evaluations_owed where employee_id = $1")
        .bind(me)
        .fetch_all(&app.pool)
        .await
        .expect("owed");
    assert_eq!(owed, vec![(owed_p,)]);

    let mut c = app.as_user("pegawai").await;
    let link = ("/participants/", "/evaluation");
    let just = BTreeSet::from([owed_p]);
    for page in ["/development", "/", "/notifications", &format!("/employees/{me}/development")] {
        let r = c.get(page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        assert_eq!(ids_in(&r.body, link.0, link.1), just, "{page} offers the evaluation owed, and only it");
    }
    assert_eq!(ids_in(&c.get(&format!("/trainings/{owed_t}")).await.body, link.0, link.1), just);
    assert!(ids_in(&c.get(&format!("/trainings/{absent_t}")).await.body, link.0, link.1).is_empty());
    assert_eq!(c.get(&format!("/participants/{owed_p}/evaluation")).await.status, StatusCode::OK);
    assert_eq!(c.get(&format!("/participants/{absent_p}/evaluation")).await.status, StatusCode::NOT_FOUND);
    // Given: owed nowhere, and the form says it is done.
    let fields = [("relevance", "4"), ("method", "4"), ("trainer", "5"), ("usefulness", "4"), ("comment", "")];
    let r = c.post(&format!("/participants/{owed_p}/evaluation"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.scalar(&format!("select count(*) from evaluations_owed where employee_id = {me}")).await, 0);
    for page in ["/development", "/", &format!("/employees/{me}/development"), &format!("/trainings/{owed_t}")] {
        assert!(ids_in(&c.get(page).await.body, link.0, link.1).is_empty(), "{page}: nothing owed");
    }
    let r = c.get(&format!("/participants/{owed_p}/evaluation")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "done: back to the training");
}

#[sqlx::test]
async fn who_is_flagged_is_one_rule(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let today = app.state.clock.today(TimeZone::Wib);
    let mut conn = app.pool.acquire().await.expect("conn");
    // The tiers recomputed from each requirement's gap (`requirement_gaps`), not the kept facts.
    let threshold = app.scalar("select coverage_threshold::bigint from gap_settings").await;
    let facts: Vec<(i64, bool, bool, bool, i64, i64, i64)> = sqlx::query_as(
        "select e.id, coalesce(bool_or(g.priority = 'critical' and g.gap >= 2), false),
                coalesce(bool_or(g.priority = 'critical' and g.gap > 0), false), coalesce(bool_or(g.gap >= 2), false),
                count(g.competency_id), count(g.competency_id) filter (where g.assessed),
                count(g.competency_id) filter (where g.gap = 0)
         from employees e left join requirement_gaps g on g.employee_id = e.id where e.active group by e.id",
    )
    .fetch_all(&mut *conn)
    .await
    .expect("facts");
    let expected: BTreeMap<i64, i16> = facts
        .iter()
        .map(|&(id, critical_big, critical, big, required, assessed, met)| {
            let tier = if critical_big {
                1
            } else if critical || big || (assessed > 0 && met * 100 < threshold * assessed) {
                2
            } else if required > 0 && assessed * 2 < required {
                3
            } else {
                0
            };
            (id, tier)
        })
        .collect();
    let summary: Vec<(i64, i16, bool)> = sqlx::query_as("select employee_id, tier, flagged from gap_summary($1, '/')")
        .bind(today)
        .fetch_all(&mut *conn)
        .await
        .expect("summary");
    assert_eq!(summary.iter().map(|s| (s.0, s.1)).collect::<BTreeMap<_, _>>(), expected);
    assert!(summary.iter().all(|s| s.2 == (s.1 == 1 || s.1 == 2)), "flagged is tiers 1 and 2");
    let flagged: BTreeSet<i64> = summary.iter().filter(|s| s.2).map(|s| s.0).collect();
    assert!(!flagged.is_empty() && flagged.len() < summary.len(), "the demo flags some, not all");
    // The readers: the unit's readiness, the staff list filtered to the flagged.
    let (top, path): (i64, String) =
        sqlx::query_as("select id, path from units where parent_id is null").fetch_one(&mut *conn).await.expect("top");
    let readiness = cakap::gaps::db::readiness(&mut conn, today, top, &path).await.expect("readiness");
    assert_eq!(readiness[0].flagged, flagged.len() as i64);
    let listed = cakap::gaps::db::staff_page(&mut conn, today, &path, true, 0, None).await.expect("staff");
    assert_eq!(listed.iter().map(|s| s.employee_id).collect::<BTreeSet<_>>(), flagged);
    assert!(listed.iter().all(|s| s.flagged()));
}

#[sqlx::test]
async fn a_unit_is_in_scope_by_one_rule(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let units: Vec<(i64, String, String, bool)> = sqlx::query_as("select id, name, path, closed_on is null from units")
        .fetch_all(&app.pool)
        .await
        .expect("units");
    let head: String =
        sqlx::query_scalar("select path from units where id = 11").fetch_one(&app.pool).await.expect("p");
    // By the rule: a head reaches the units of the subtree they lead; HR reaches every unit.
    let in_subtree: BTreeSet<i64> = units.iter().filter(|u| u.2.starts_with(&head)).map(|u| u.0).collect();
    let by_function: Vec<(i64,)> = sqlx::query_as("select id from units where unit_in_scope(false, $1, path)")
        .bind(vec![format!("{head}%")])
        .fetch_all(&app.pool)
        .await
        .expect("in scope");
    assert_eq!(by_function.into_iter().map(|u| u.0).collect::<BTreeSet<_>>(), in_subtree);
    assert_eq!(
        app.scalar("select count(*) from units where unit_in_scope(true, '{}', path)").await,
        units.len() as i64
    );
    // The readers, as the head of unit 11: the budgets, the gap analysis's unit.
    let mut kabid = app.as_user("kabid.aptika").await;
    let csv = kabid.get("/budgets?format=csv").await.body;
    let names: BTreeSet<String> =
        csv.trim_start_matches('\u{feff}').lines().skip(1).map(|l| csv_fields(l).remove(0)).collect();
    let open_in_scope: BTreeSet<String> =
        units.iter().filter(|u| u.3 && in_subtree.contains(&u.0)).map(|u| u.1.clone()).collect();
    assert_eq!(names, open_in_scope);
    for (id, ..) in &units {
        let status = kabid.get(&format!("/gaps?unit={id}")).await.status;
        let expected = if in_subtree.contains(id) { StatusCode::OK } else { StatusCode::NOT_FOUND };
        assert_eq!(status, expected, "unit {id}");
    }
}

#[sqlx::test]
async fn a_budget_s_figures_and_a_training_s_cost_are_one_rule(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // Each training's cost, recomputed here: the fixed cost and the cost per paid participant once
    // anybody is paid for; paid are the approved and every later state but rejected.
    let trainings: Vec<(i64, i32, i64, String, i64, i64)> = sqlx::query_as(
        "select id, budget_year, budget_unit_id, status, fixed_cost, cost_per_participant from trainings",
    )
    .fetch_all(&app.pool)
    .await
    .expect("trainings");
    let statuses: Vec<(i64, String)> = sqlx::query_as("select training_id, status from training_participants")
        .fetch_all(&app.pool)
        .await
        .expect("participants");
    let cost = |fixed: i64, per: i64, paid: i64| if paid > 0 { fixed + per * paid } else { 0 };
    let mut expected_costs = BTreeMap::new();
    let mut use_by_budget: BTreeMap<(i32, i64), (i64, i64)> = BTreeMap::new();
    for (id, year, unit, status, fixed, per) in &trainings {
        let paid = statuses
            .iter()
            .filter(|p| p.0 == *id && ["approved", "attended", "passed", "failed", "absent"].contains(&p.1.as_str()))
            .count() as i64;
        let c = cost(*fixed, *per, paid);
        expected_costs.insert(*id, (paid, c, cost(*fixed, *per, paid + 1) - c));
        let u = use_by_budget.entry((*year, *unit)).or_default();
        match status.as_str() {
            "planned" | "open" | "running" => u.0 += c,
            "completed" => u.1 += c,
            _ => {}
        }
    }
    let costs: Vec<(i64, i64, i64, i64)> =
        sqlx::query_as("select training_id, paid_participants, cost, next_cost from training_costs")
            .fetch_all(&app.pool)
            .await
            .expect("costs");
    assert_eq!(costs.into_iter().map(|c| (c.0, (c.1, c.2, c.3))).collect::<BTreeMap<_, _>>(), expected_costs);

    // Each budget's figures, recomputed: allocated less committed and spent.
    let year = app.scalar("select extract(year from current_date)::bigint").await as i32;
    let allocated: BTreeMap<i64, i64> =
        sqlx::query_as::<_, (i64, i64)>("select unit_id, amount from unit_budgets where year = $1")
            .bind(year)
            .fetch_all(&app.pool)
            .await
            .expect("allocated")
            .into_iter()
            .collect();
    let figures: Vec<(i64, String, i64, i64, i64, i64)> = sqlx::query_as(
        "select b.unit_id, u.name, b.allocated, b.committed, b.spent, b.remaining
         from budget_figures($1) b join units u on u.id = b.unit_id order by u.sort_key",
    )
    .bind(year)
    .fetch_all(&app.pool)
    .await
    .expect("figures");
    for (unit, _, a, c, s, r) in &figures {
        let (committed, spent) = use_by_budget.get(&(year, *unit)).copied().unwrap_or_default();
        let alloc = allocated.get(unit).copied().unwrap_or(0);
        assert_eq!((*a, *c, *s, *r), (alloc, committed, spent, alloc - committed - spent), "unit {unit}");
    }
    assert!(figures.iter().any(|f| f.3 > 0) && figures.iter().any(|f| f.4 > 0), "the demo commits and spends");
    // The readers: the budgets page (and its export) and a training's page show these figures.
    let mut hr = app.as_user("kepegawaian").await;
    let csv = hr.get(&format!("/budgets?year={year}&format=csv")).await.body;
    let shown: Vec<(String, i64, i64, i64, i64)> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| {
            let f = csv_fields(l);
            (f[0].clone(), rupiah_value(&f[2]), rupiah_value(&f[3]), rupiah_value(&f[4]), rupiah_value(&f[5]))
        })
        .collect();
    let expected: Vec<(String, i64, i64, i64, i64)> =
        figures.iter().map(|f| (f.1.clone(), f.2, f.3, f.4, f.5)).collect();
    assert_eq!(shown, expected);
    let home = hr.get("/").await.body;
    let total = |i: usize| figures.iter().map(|f| [f.2, f.3, f.4][i]).sum::<i64>();
    for i in 0..3 {
        let money = cakap::development::model::rupiah(total(i));
        assert!(home.contains(&money), "the home shows {money}");
    }
    // An approval is checked against what one more participant adds and what the budget has left.
    let (participant, training, next, unit): (i64, i64, i64, i64) = sqlx::query_as(
        "select tp.id, t.id, c.next_cost, t.budget_unit_id from training_participants tp join trainings t on t.id = tp.training_id
         join training_costs c on c.training_id = t.id
         where tp.status = 'nominated' and t.status in ('planned', 'open') and c.paid_participants < t.quota
           and tp.employee_id <> (select employee_id from accounts where username = 'kepegawaian')
           and t.budget_year = $1
         order by c.paid_participants, tp.id limit 1",
    )
    .bind(year)
    .fetch_one(&app.pool)
    .await
    .expect("a nomination");
    let left = figures.iter().find(|f| f.0 == unit).map(|f| f.5).expect("its budget");
    let page = hr.get(&format!("/trainings/{training}")).await.body;
    assert!(page.contains(&cakap::development::model::rupiah(left)), "the training's page shows what is left");
    let r = hr.post(&format!("/participants/{participant}/approve"), &[("reason", "Sesuai prioritas")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let after: serde_json::Value =
        sqlx::query_scalar("select after from audit_log where entity = 'participant' and entity_id = $1::text")
            .bind(participant)
            .fetch_one(&app.pool)
            .await
            .expect("audit");
    assert_eq!((after["cost"].as_i64(), after["remaining_before"].as_i64()), (Some(next), Some(left)));
    let remaining = app.scalar(&format!("select remaining from budget_figures({year}) where unit_id = {unit}")).await;
    assert_eq!(remaining, left - next, "the approval is charged what the rule said");
}

#[sqlx::test]
async fn the_assessments_waiting_are_one_rule(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let pending: Vec<(i64, i64, String)> = sqlx::query_as(
        "select a.id, e.id, u.path from assessments a join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
         where a.status = 'pending'",
    )
    .fetch_all(&app.pool)
    .await
    .expect("pending");
    for (username, head) in [("kepegawaian", None), ("kabid.aptika", Some("/1/11/")), ("kadis", Some("/1/"))] {
        let own = app.scalar(&format!("select employee_id from accounts where username = '{username}'")).await;
        // By the rule: pending, of staff the reader decides for, never their own.
        let by_rule: BTreeSet<i64> =
            pending.iter().filter(|p| p.1 != own && head.is_none_or(|h| p.2.starts_with(h))).map(|p| p.0).collect();
        let (all, patterns) = match head {
            None => (true, vec![]),
            Some(h) => (false, vec![format!("{h}%")]),
        };
        let ids = |sql: &'static str| {
            let patterns = patterns.clone();
            let pool = app.pool.clone();
            async move {
                sqlx::query_scalar::<_, i64>(sql)
                    .bind(all)
                    .bind(own)
                    .bind(patterns)
                    .fetch_all(&pool)
                    .await
                    .expect("ids")
                    .into_iter()
                    .collect::<BTreeSet<_>>()
            }
        };
        assert_eq!(ids("select id from pending_assessments($1, $2, $3)").await, by_rule, "{username}");
        assert_eq!(
            ids("select id from waiting_decisions($1, $2, $3) where kind = 'assessment'").await,
            by_rule,
            "{username}: the queue"
        );
        let mut c = app.as_user(username).await;
        let csv = c.get("/assessments/pending?format=csv").await.body;
        let rows = csv.trim_start_matches('\u{feff}').lines().skip(1).filter(|l| !l.is_empty()).count();
        assert_eq!(rows, by_rule.len(), "{username}: the validation page");
    }
}

#[sqlx::test]
async fn priority_weights_are_one_rule(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    for (c, i, u) in [(3.0, 2.0, 1.0), (5.0, 1.5, 0.5)] {
        sqlx::query("update gap_settings set weight_critical = $1, weight_important = $2, weight_useful = $3")
            .bind(c)
            .bind(i)
            .bind(u)
            .execute(&app.pool)
            .await
            .expect("weights");
        let weight = |p: &str| match p {
            "critical" => c,
            "important" => i,
            _ => u,
        };
        let gaps: Vec<(i64, i64, String, Option<i16>, f64)> = sqlx::query_as(
            "select employee_id, position_id, priority, gap, weight from requirement_gaps order by employee_id, competency_id",
        )
        .fetch_all(&app.pool)
        .await
        .expect("gaps");
        assert!(gaps.iter().all(|g| g.4 == weight(&g.2)), "requirement_gaps weighs by priority");
        // The kept score is the weighted gap in what is known.
        let mut score: BTreeMap<i64, f64> = BTreeMap::new();
        for g in &gaps {
            *score.entry(g.0).or_default() += f64::from(g.3.unwrap_or(0)) * weight(&g.2);
        }
        let kept: Vec<(i64, f64)> = sqlx::query_as(
            "select f.employee_id, f.score from employee_gap_facts f join employees e on e.id = f.employee_id
             where e.active and e.position_id is not null",
        )
        .fetch_all(&app.pool)
        .await
        .expect("kept");
        for (id, s) in kept {
            assert!((s - score.get(&id).copied().unwrap_or(0.0)).abs() < 1e-9, "employee {id}: {s}");
        }
        // The gap card's lines weigh the same.
        let (employee, position) = (gaps[0].0, gaps[0].1);
        let mut conn = app.pool.acquire().await.expect("conn");
        let lines = cakap::gaps::db::lines(&mut conn, employee, position, false).await.expect("lines");
        assert!(!lines.is_empty() && lines.iter().all(|l| l.weight == weight(&l.priority)));
    }
}

#[sqlx::test]
async fn jp_come_from_the_jp_rules(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // The dead setting is gone; a planned mentoring counts what the JP rules give it.
    assert_eq!(app.scalar("select count(*) from settings where key = 'jp_minutes'").await, 0);
    let planned = async || app.scalar("select (planned_jp('mentoring') * 10)::bigint").await;
    assert_eq!(planned().await, 40, "2 JP a session, 2 sessions a month");
    sqlx::query("update jp_rules set max_jp_per_session = 3, max_sessions_per_month = 1 where kind = 'mentoring'")
        .execute(&app.pool)
        .await
        .expect("rules");
    assert_eq!(planned().await, 30);
    sqlx::query("update jp_rules set fixed_jp = 6 where kind = 'mentoring'").execute(&app.pool).await.expect("fixed");
    assert_eq!(planned().await, 60);
    sqlx::query(
        "update jp_rules set fixed_jp = null, max_jp_per_session = null, minutes_per_jp = 60 where kind = 'mentoring'",
    )
    .execute(&app.pool)
    .await
    .expect("uncapped");
    assert_eq!(planned().await, 10, "one hour's JP when nothing caps a session");
}

/// The re-assessments due, for HR and for each head, are those recomputed here from the trainings,
/// their participants and the assessments since, limited to the employees the reader decides for.
#[sqlx::test]
async fn the_reassessments_due_are_one_rule(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    for who in ["kepegawaian", "kadis", "kabid.aptika", "kabid.infra"] {
        let (all, own, patterns): (bool, Option<i64>, Vec<String>) = sqlx::query_as(
            "select bool_or(r.role = 'hr'), max(a.employee_id),
                    coalesce(array_agg(distinct u.path || '%') filter (where u.path is not null), '{}')
             from accounts a join account_roles r on r.account_id = a.id
             left join units u on u.id = r.unit_id and r.role = 'head'
             where a.username = $1",
        )
        .bind(who)
        .fetch_one(&app.pool)
        .await
        .expect("scope");
        let rule: Vec<(i64, i64, i64)> = sqlx::query_as(
            "select employee_id, competency_id, training_id from reassessments_due($1, $2, $3, agency_today()) order by 1, 2, 3",
        )
        .bind(all)
        .bind(own)
        .bind(&patterns)
        .fetch_all(&app.pool)
        .await
        .expect("rule");
        let recomputed: Vec<(i64, i64, i64)> = sqlx::query_as(
            "select p.employee_id, tc.competency_id, t.id
             from training_participants p join trainings t on t.id = p.training_id
             join training_competencies tc on tc.training_id = t.id
             join employees e on e.id = p.employee_id join units u on u.id = e.unit_id
             where t.status = 'completed' and p.status in ('attended', 'passed', 'failed') and e.active
               and t.ends_on + 90 <= agency_today() and t.ends_on + 455 > agency_today()
               and ($1 or exists (select 1 from unnest($3::text[]) pat where u.path like pat))
               and e.id is distinct from $2
               and not exists (select 1 from assessments a where a.employee_id = p.employee_id
                               and a.competency_id = tc.competency_id and a.status in ('validated', 'pending')
                               and a.assessed_on >= t.ends_on + 90)
             order by 1, 2, 3",
        )
        .bind(all)
        .bind(own)
        .bind(&patterns)
        .fetch_all(&app.pool)
        .await
        .expect("recomputed");
        assert_eq!(rule, recomputed, "{who}");
        if who == "kepegawaian" {
            assert!(!rule.is_empty(), "the demo has re-assessments due");
        }
    }
}

/// A scope covers a subtree when every unit in it is in scope (`scope_covers`): readers who cover
/// the same subtree share kept results. HR covers everything; the kepala dinas (the root unit)
/// the whole department; a kepala bidang their bidang and what lies under it, never the
/// department nor a path that merely starts like theirs.
#[sqlx::test]
async fn a_scope_covers_a_subtree_only_when_every_unit_in_it_is_in_scope(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (apt, apt_child, root): (String, String, String) = sqlx::query_as(
        "select (select path from units where code = 'APT'),
                (select path from units where code = 'APT-PA'),
                (select path from units where parent_id is null order by id limit 1)",
    )
    .fetch_one(&app.pool)
    .await
    .expect("paths");
    let covers = |all: bool, patterns: Vec<String>, path: String| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, bool>("select scope_covers($1, $2, $3)")
                .bind(all)
                .bind(patterns)
                .bind(path)
                .fetch_one(&pool)
                .await
                .expect("covers")
        }
    };
    let head = vec![format!("{apt}%")];
    assert!(covers(true, vec![], String::new()).await, "HR: everything");
    assert!(covers(false, vec![format!("{root}%")], String::new()).await, "the root's head: the department");
    assert!(covers(false, head.clone(), apt.clone()).await, "a head: their bidang");
    assert!(covers(false, head.clone(), apt_child).await, "a head: a unit under it");
    assert!(!covers(false, head.clone(), String::new()).await, "not the department");
    assert!(!covers(false, head.clone(), root).await, "not the root");
    let prefix = apt.trim_end_matches('/').to_string();
    let alike: i64 =
        sqlx::query_scalar("select count(*) from units where path like $1 || '%' and path not like $2 || '%'")
            .bind(&prefix)
            .bind(&apt)
            .fetch_one(&app.pool)
            .await
            .expect("alike");
    assert_eq!(covers(false, head.clone(), prefix).await, alike == 0, "a path that only starts like theirs");
    // The units in reach as keys (`units_in_scope`) are those `unit_in_scope` admits.
    for (all, patterns) in [(true, vec![]), (false, head), (false, vec![])] {
        let differ: i64 = sqlx::query_scalar(
            "select count(*) from units u where (u.id = any(units_in_scope($1, $2))) <> unit_in_scope($1, $2, u.path)",
        )
        .bind(all)
        .bind(&patterns)
        .fetch_one(&app.pool)
        .await
        .expect("units");
        assert_eq!(differ, 0, "units_in_scope({all}, {patterns:?})");
    }
}

/// The activities on an account's staff list are one rule (`activities_seen`): those with a
/// learner the account sees, the same set as checking each activity's learners, for HR, a head
/// and an employee.
#[sqlx::test]
async fn the_activities_seen_are_one_rule(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt: String =
        sqlx::query_scalar("select path || '%' from units where code = 'APT'").fetch_one(&app.pool).await.expect("apt");
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    for (all, own, patterns) in [(true, None, vec![]), (false, Some(own), vec![apt]), (false, Some(own), vec![])] {
        let differ: i64 = sqlx::query_scalar(
            "with rule as (select activity_id from activities_seen($1, $2, $3)),
                  each as (select a.id as activity_id from activities a
                           where exists (select 1 from activity_learners l join employees e on e.id = l.employee_id
                                         join units u on u.id = e.unit_id
                                         where l.activity_id = a.id and scope_sees($1, $2, $3, e.id, u.path)))
             select (select count(*) from (select * from rule except select * from each) x)
                  + (select count(*) from (select * from each except select * from rule) y)
                  + (select count(*) - count(distinct activity_id) from rule)",
        )
        .bind(all)
        .bind(own)
        .bind(&patterns)
        .fetch_one(&app.pool)
        .await
        .expect("compare");
        assert_eq!(differ, 0, "scope ({all}, {own:?}, {patterns:?})");
    }
    let some = app.scalar(&format!("select count(*) from activities_seen(false, {own}, '{{}}')")).await;
    assert!(some > 0, "the demo employee has activities of their own");
}
