//! The route-by-role matrix: every route of the router, every role. A route added without a
//! row here fails `every_route_has_a_rule`.

use std::collections::HashMap;

use axum::http::{Method, StatusCode};
use cakap::app::router::route_table;
use sqlx::PgPool;

use crate::helpers::{Resp, TestApp};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum O {
    /// Served (2xx, a redirect elsewhere than the login page, or a form re-shown with errors).
    Ok,
    /// Sent to the login page.
    Login,
    Forbidden,
    NotFound,
}
use O::*;

/// The roles, in the order of the matrix columns.
pub const ROLES: [&str; 6] = ["anonymous", "pegawai", "kabid.aptika", "kabid.infra", "kepegawaian", "admin"];

/// (method, route pattern, URL with placeholders, [anonymous, employee, head A (Aplikasi),
/// head B (Infrastruktur), hr, admin]). `{emp}` is a staff member of unit A who is not the
/// employee account; `{asm}` and `{ev}` are their pending assessment and evidence file.
pub fn matrix() -> Vec<(&'static str, &'static str, &'static str, [O; 6])> {
    const ALL: [O; 6] = [Ok, Ok, Ok, Ok, Ok, Ok];
    const SIGNED: [O; 6] = [Login, Ok, Ok, Ok, Ok, Ok];
    const ADMIN_HR: [O; 6] = [Login, Forbidden, Forbidden, Forbidden, Ok, Ok];
    const HR: [O; 6] = [Login, Forbidden, Forbidden, Forbidden, Ok, Forbidden];
    const ADMIN: [O; 6] = [Login, Forbidden, Forbidden, Forbidden, Forbidden, Ok];
    const HR_HEAD: [O; 6] = [Login, Forbidden, Ok, Ok, Ok, Forbidden];
    const UNIT_A: [O; 6] = [Login, NotFound, Ok, NotFound, Ok, NotFound];
    const DECIDE: [O; 6] = [Login, Forbidden, Ok, Forbidden, Ok, Forbidden];
    const OWNER_ONLY: [O; 6] = [Login, NotFound, NotFound, NotFound, NotFound, NotFound];
    // Accounts linked to an employee (every demo account but admin).
    const WITH_EMPLOYEE: [O; 6] = [Login, Ok, Ok, Ok, Ok, NotFound];
    const NOT_ADMIN: [O; 6] = [Login, Ok, Ok, Ok, Ok, Forbidden];
    // A campaign head A opened for a seksi of unit A: head B does not see it, admin has no role.
    // Decided by the heads of the employee's unit and HR; head B does not see the employee.
    const DECIDE_UNIT_A: [O; 6] = [Login, Forbidden, Ok, NotFound, Ok, Forbidden];
    const CAMPAIGN_A: [O; 6] = [Login, Forbidden, Ok, NotFound, Ok, Forbidden];
    vec![
        ("GET", "/healthz", "/healthz", ALL),
        ("GET", "/ping", "/ping", SIGNED),
        ("GET", "/lang/{code}", "/lang/en", ALL),
        ("GET", "/login", "/login", ALL),
        ("POST", "/login", "/login", ALL),
        ("POST", "/logout", "/logout", SIGNED),
        ("GET", "/password", "/password", SIGNED),
        ("POST", "/password", "/password", SIGNED),
        ("GET", "/", "/", SIGNED),
        ("GET", "/help", "/help", ALL),
        ("GET", "/accounts", "/accounts", ADMIN_HR),
        ("GET", "/accounts/new", "/accounts/new", ADMIN_HR),
        ("POST", "/accounts", "/accounts", ADMIN_HR),
        ("GET", "/accounts/{id}", "/accounts/{account}", ADMIN_HR),
        ("POST", "/accounts/{id}/roles", "/accounts/{account}/roles", ADMIN_HR),
        ("POST", "/accounts/{id}/reset-password", "/accounts/{account}/reset-password", ADMIN_HR),
        ("POST", "/accounts/{id}/disable", "/accounts/{account}/disable", ADMIN_HR),
        ("POST", "/accounts/{id}/enable", "/accounts/{account}/enable", ADMIN_HR),
        ("GET", "/accounts/bulk", "/accounts/bulk", ADMIN_HR),
        ("POST", "/accounts/bulk", "/accounts/bulk", ADMIN_HR),
        ("GET", "/accounts/batches/{id}", "/accounts/batches/{acctbatch}", ADMIN_HR),
        ("POST", "/accounts/batches/{id}/letters", "/accounts/batches/{acctbatch}/letters", ADMIN_HR),
        ("POST", "/accounts/batches/{id}/email", "/accounts/batches/{acctbatch}/email", ADMIN_HR),
        ("POST", "/accounts/{id}/code-letter", "/accounts/{account}/code-letter", ADMIN_HR),
        ("POST", "/accounts/{id}/code-email", "/accounts/{account}/code-email", ADMIN_HR),
        ("GET", "/login/code", "/login/code", ALL),
        ("POST", "/login/code", "/login/code", ALL),
        ("GET", "/audit", "/audit", ADMIN_HR),
        ("GET", "/units", "/units", SIGNED),
        ("GET", "/units/search", "/units/search?q=seksi", HR_HEAD),
        ("GET", "/units/new", "/units/new", HR),
        ("POST", "/units", "/units", HR),
        ("GET", "/units/{id}/edit", "/units/{unit}/edit", HR),
        ("POST", "/units/{id}", "/units/{unit}", HR),
        ("POST", "/units/{id}/close", "/units/{unit}/close", HR),
        ("POST", "/units/{id}/reopen", "/units/{unit}/reopen", HR),
        ("GET", "/positions", "/positions", HR_HEAD),
        ("GET", "/positions/new", "/positions/new", HR),
        ("GET", "/positions/search", "/positions/search?q=pranata", SIGNED),
        ("POST", "/positions", "/positions", HR),
        ("GET", "/positions/{id}", "/positions/{pos}", HR_HEAD),
        ("GET", "/positions/{id}/edit", "/positions/{pos}/edit", HR),
        ("POST", "/positions/{id}", "/positions/{pos}", HR),
        ("POST", "/positions/{id}/standard", "/positions/{pos}/standard", HR),
        ("POST", "/positions/{id}/standard/remove", "/positions/{pos}/standard/remove", HR),
        ("POST", "/positions/{id}/standard/copy", "/positions/{pos}/standard/copy", HR),
        ("GET", "/employees", "/employees", HR_HEAD),
        ("GET", "/employees/new", "/employees/new", HR),
        ("POST", "/employees", "/employees", HR),
        ("GET", "/employees/{id}", "/employees/{emp}", UNIT_A),
        ("GET", "/employees/{id}/edit", "/employees/{emp}/edit", HR),
        ("POST", "/employees/{id}", "/employees/{emp}", HR),
        ("POST", "/employees/{id}/deactivate", "/employees/{emp}/deactivate", HR),
        ("POST", "/employees/{id}/activate", "/employees/{emp}/activate", HR),
        ("GET", "/employees/{id}/assessments/new", "/employees/{emp}/assessments/new", UNIT_A),
        ("POST", "/employees/{id}/assessments", "/employees/{emp}/assessments", UNIT_A),
        ("GET", "/assessments/pending", "/assessments/pending", HR_HEAD),
        ("POST", "/assessments/{id}/validate", "/assessments/{asm}/validate", DECIDE),
        ("POST", "/assessments/{id}/reject", "/assessments/{asm}/reject", DECIDE),
        ("POST", "/assessments/{id}/withdraw", "/assessments/{asm}/withdraw", OWNER_ONLY),
        ("GET", "/evidence/{id}", "/evidence/{ev}", UNIT_A),
        ("GET", "/competencies", "/competencies", SIGNED),
        ("GET", "/competencies/new", "/competencies/new", HR),
        ("POST", "/competencies", "/competencies", HR),
        ("GET", "/competencies/{id}", "/competencies/{comp}", SIGNED),
        ("GET", "/competencies/{id}/edit", "/competencies/{comp}/edit", HR),
        ("POST", "/competencies/{id}", "/competencies/{comp}", HR),
        ("GET", "/imports", "/imports", HR),
        ("GET", "/imports/templates/{file}", "/imports/templates/employees.xlsx", HR),
        ("POST", "/imports/{kind}", "/imports/employees", HR),
        ("GET", "/imports/batches/{id}", "/imports/batches/{batch}", HR),
        ("POST", "/imports/batches/{id}/apply", "/imports/batches/{batch}/apply", HR),
        ("GET", "/development", "/development", SIGNED),
        ("GET", "/certificates", "/certificates", SIGNED),
        ("GET", "/providers", "/providers", HR_HEAD),
        ("GET", "/providers/new", "/providers/new", HR),
        ("POST", "/providers", "/providers", HR),
        ("GET", "/providers/{id}/edit", "/providers/{provider}/edit", HR),
        ("POST", "/providers/{id}", "/providers/{provider}", HR),
        ("GET", "/programmes", "/programmes", HR_HEAD),
        ("GET", "/programmes/new", "/programmes/new", HR),
        ("POST", "/programmes", "/programmes", HR),
        ("GET", "/programmes/{id}", "/programmes/{programme}", HR_HEAD),
        ("GET", "/programmes/{id}/edit", "/programmes/{programme}/edit", HR),
        ("POST", "/programmes/{id}", "/programmes/{programme}", HR),
        ("POST", "/programmes/{id}/competencies", "/programmes/{programme}/competencies", HR),
        ("POST", "/programmes/{id}/competencies/remove", "/programmes/{programme}/competencies/remove", HR),
        ("GET", "/trainings", "/trainings", SIGNED),
        ("GET", "/trainings/new", "/trainings/new", HR),
        ("POST", "/trainings", "/trainings", HR),
        ("GET", "/trainings/{id}", "/trainings/{training}", SIGNED),
        ("GET", "/trainings/{id}/edit", "/trainings/{training}/edit", HR),
        ("POST", "/trainings/{id}", "/trainings/{training}", HR),
        ("POST", "/trainings/{id}/competencies", "/trainings/{training}/competencies", HR),
        ("POST", "/trainings/{id}/competencies/remove", "/trainings/{training}/competencies/remove", HR),
        ("POST", "/trainings/{id}/participants", "/trainings/{training}/participants", HR_HEAD),
        ("POST", "/participants/{id}/approve", "/participants/{part}/approve", DECIDE),
        ("POST", "/participants/{id}/reject", "/participants/{part}/reject", DECIDE),
        ("GET", "/participants/{id}/result", "/participants/{part}/result", HR),
        ("POST", "/participants/{id}/result", "/participants/{part}/result", HR),
        ("GET", "/participants/{id}/certificate", "/participants/{part}/certificate", UNIT_A),
        ("GET", "/participants/{id}/evaluation", "/participants/{part}/evaluation", OWNER_ONLY),
        ("POST", "/participants/{id}/evaluation", "/participants/{part}/evaluation", OWNER_ONLY),
        ("GET", "/training-requests", "/training-requests", SIGNED),
        ("GET", "/training-requests/new", "/training-requests/new", WITH_EMPLOYEE),
        ("POST", "/training-requests", "/training-requests", WITH_EMPLOYEE),
        ("POST", "/training-requests/{id}/approve", "/training-requests/{req}/approve", DECIDE),
        ("POST", "/training-requests/{id}/reject", "/training-requests/{req}/reject", DECIDE),
        ("POST", "/training-requests/{id}/schedule", "/training-requests/{req}/schedule", HR),
        ("GET", "/activities", "/activities", SIGNED),
        ("GET", "/activities/new", "/activities/new", NOT_ADMIN),
        ("POST", "/activities", "/activities", SIGNED),
        ("POST", "/activities/{id}/confirm", "/activities/{act}/confirm", DECIDE),
        ("POST", "/activities/{id}/reject", "/activities/{act}/reject", DECIDE),
        ("GET", "/jp", "/jp", HR_HEAD),
        ("GET", "/jp/rules", "/jp/rules", SIGNED),
        ("POST", "/jp/rules/{kind}", "/jp/rules/mentoring", HR),
        ("GET", "/budgets", "/budgets", HR_HEAD),
        ("POST", "/budgets/{year}/{unit}", "/budgets/2031/{unit}", HR),
        ("GET", "/employees/{id}/development", "/employees/{emp}/development", UNIT_A),
        ("GET", "/development/siasn", "/development/siasn?file=kursus", HR_HEAD),
        ("GET", "/development/effect", "/development/effect", HR_HEAD),
        ("GET", "/siasn", "/siasn", HR),
        ("POST", "/siasn/send", "/siasn/send", HR),
        ("GET", "/siasn/pushes/{id}", "/siasn/pushes/{push}", HR),
        ("POST", "/siasn/pushes/{id}/resend", "/siasn/pushes/{push}/resend", HR),
        ("GET", "/siasn/trainings/{id}", "/siasn/trainings/{training}", HR),
        ("POST", "/siasn/trainings/{id}", "/siasn/trainings/{training}", HR),
        ("GET", "/siasn/refs", "/siasn/refs", HR),
        ("POST", "/siasn/refs/refresh", "/siasn/refs/refresh", HR),
        ("GET", "/siasn/reconcile", "/siasn/reconcile", HR),
        ("GET", "/siasn/ids", "/siasn/ids", HR),
        ("POST", "/siasn/ids", "/siasn/ids", HR),
        ("GET", "/siasn/ids/template.csv", "/siasn/ids/template.csv", HR),
        ("POST", "/siasn/reconcile/import", "/siasn/reconcile/import", HR),
        ("GET", "/gaps", "/gaps", HR_HEAD),
        ("GET", "/gaps/matrix", "/gaps/matrix", HR_HEAD),
        ("GET", "/employees/{id}/gaps", "/employees/{emp}/gaps", UNIT_A),
        ("GET", "/gaps/settings", "/gaps/settings", HR_HEAD),
        ("POST", "/gaps/settings", "/gaps/settings", HR),
        ("GET", "/gaps/mentors", "/gaps/mentors", HR_HEAD),
        ("GET", "/gaps/plan", "/gaps/plan", HR_HEAD),
        ("POST", "/gaps/plan", "/gaps/plan", HR_HEAD),
        ("POST", "/gaps/plan/compute", "/gaps/plan/compute", HR_HEAD),
        ("GET", "/gaps/akpk", "/gaps/akpk", HR_HEAD),
        ("GET", "/talent", "/talent", HR_HEAD),
        ("GET", "/talent/me", "/talent/me", WITH_EMPLOYEE),
        ("GET", "/employees/{id}/talent", "/employees/{emp}/talent", UNIT_A),
        ("GET", "/talent/settings", "/talent/settings", HR_HEAD),
        ("POST", "/talent/settings", "/talent/settings", HR),
        ("GET", "/talent/pool", "/talent/pool", HR_HEAD),
        ("POST", "/talent/pool/key", "/talent/pool/key", HR),
        ("GET", "/talent/ratings", "/talent/ratings", HR),
        ("POST", "/talent/ratings", "/talent/ratings", HR),
        ("POST", "/talent/ratings/import", "/talent/ratings/import", HR),
        ("GET", "/talent/ratings/siasn", "/talent/ratings/siasn", HR),
        ("POST", "/talent/ratings/siasn", "/talent/ratings/siasn", HR),
        ("GET", "/talent/ratings/template.csv", "/talent/ratings/template.csv", HR),
        ("GET", "/idp", "/idp", HR_HEAD),
        ("GET", "/employees/{id}/idp", "/employees/{emp}/idp", UNIT_A),
        ("POST", "/employees/{id}/idp", "/employees/{emp}/idp", DECIDE_UNIT_A),
        ("POST", "/employees/{id}/idp/lines/{line}", "/employees/{emp}/idp/lines/{idpline}", UNIT_A),
        ("POST", "/employees/{id}/idp/approve", "/employees/{emp}/idp/approve", DECIDE_UNIT_A),
        ("GET", "/idp/templates", "/idp/templates", HR),
        ("POST", "/idp/templates", "/idp/templates", HR),
        ("POST", "/idp/templates/remove", "/idp/templates/remove", HR),
        ("POST", "/idp/templates/apply", "/idp/templates/apply", HR),
        ("GET", "/search", "/search?q=uji", SIGNED),
        ("GET", "/people/search", "/people/search?q=ya", SIGNED),
        ("GET", "/approvals", "/approvals", HR_HEAD),
        ("GET", "/notifications", "/notifications", SIGNED),
        ("POST", "/notifications/read", "/notifications/read", SIGNED),
        ("POST", "/notifications/digest", "/notifications/digest", SIGNED),
        ("POST", "/approvals", "/approvals", HR_HEAD),
        ("GET", "/settings", "/settings", ADMIN),
        ("POST", "/settings", "/settings", ADMIN),
        ("GET", "/campaigns", "/campaigns", HR_HEAD),
        ("GET", "/campaigns/new", "/campaigns/new", HR_HEAD),
        ("POST", "/campaigns", "/campaigns", HR_HEAD),
        ("GET", "/campaigns/{id}", "/campaigns/{campaign}", CAMPAIGN_A),
        ("GET", "/campaigns/{id}/edit", "/campaigns/{campaign}/edit", CAMPAIGN_A),
        ("POST", "/campaigns/{id}", "/campaigns/{campaign}", CAMPAIGN_A),
        ("POST", "/campaigns/{id}/close", "/campaigns/{campaign}/close", CAMPAIGN_A),
    ]
}

/// Routes whose form is multipart (the CSRF token travels in the query string).
const MULTIPART: &[&str] = &[
    "/employees/{id}/assessments",
    "/imports/{kind}",
    "/participants/{id}/result",
    "/activities",
    "/talent/ratings/import",
    "/siasn/ids",
];

pub fn outcome(r: &Resp) -> O {
    match r.status {
        StatusCode::FORBIDDEN => Forbidden,
        StatusCode::NOT_FOUND => NotFound,
        s if s.is_redirection() && r.location().starts_with("/login?") => Login,
        s if s.is_success()
            || s.is_redirection()
            || s == StatusCode::UNPROCESSABLE_ENTITY
            || s == StatusCode::CONFLICT
            || s == StatusCode::UNAUTHORIZED =>
        {
            Ok
        }
        other => panic!("unexpected status {other}: {}", r.body),
    }
}

#[test]
fn every_route_has_a_rule() {
    let m = matrix();
    let mut missing = vec![];
    for r in route_table() {
        if !m.iter().any(|(method, path, _, _)| *method == r.method.as_str() && *path == r.path) {
            missing.push(format!("{} {}", r.method, r.path));
        }
    }
    assert!(missing.is_empty(), "routes without a row in the access matrix: {missing:?}");
    for (method, path, _, _) in &m {
        assert!(
            route_table().iter().any(|r| r.method.as_str() == *method && r.path == *path),
            "matrix row for a route that does not exist: {method} {path}"
        );
    }
}

/// Concrete ids for the placeholders, from the demo data plus a few records made here.
pub async fn ids(app: &TestApp) -> HashMap<&'static str, String> {
    let q = |sql: &'static str| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).fetch_one(&pool).await.expect(sql) }
    };
    let free = q("select id from employees e where not exists (select 1 from accounts a where a.employee_id = e.id) order by id limit 1").await;
    let mut conn = app.pool.acquire().await.expect("conn");
    let target = cakap::accounts::create_account(
        &mut conn,
        &cakap::audit::Actor::system("test"),
        "target.user",
        Some(free),
        "x",
        false,
        &[cakap::auth::Role::Employee],
        None,
    )
    .await
    .expect("target account");
    let emp = q("select e.id from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA'
                 and not exists (select 1 from accounts a where a.employee_id = e.id) order by e.id limit 1")
    .await;
    let comp = q("select id from competencies where code = 'APL-01'").await;
    let asm: i64 = sqlx::query_scalar(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
         values ($1, $2, 3, current_date, 'self', 'pending') returning id",
    )
    .bind(emp)
    .bind(comp)
    .fetch_one(&app.pool)
    .await
    .expect("pending assessment");
    let ev: i64 = sqlx::query_scalar(
        "insert into evidence_files (employee_id, filename, content_type, size_bytes, sha256, data)
         values ($1, 'sertifikat.pdf', 'application/pdf', 8, '\\x00', '%PDF-1.4') returning id",
    )
    .bind(emp)
    .fetch_one(&app.pool)
    .await
    .expect("evidence");
    let hr = q("select id from accounts where username = 'kepegawaian'").await;
    let pos: i64 = sqlx::query_scalar("select position_id from employees where id = $1")
        .bind(emp)
        .fetch_one(&app.pool)
        .await
        .expect("position");
    let batch: i64 = sqlx::query_scalar(
        "insert into import_batches (kind, account_id, filename, rows, row_count, error_count)
         values ('employees', $1, 'x.csv', '[]', 0, 1) returning id",
    )
    .bind(hr)
    .fetch_one(&app.pool)
    .await
    .expect("batch");
    let dev = development_ids(app, emp, comp, ev).await;
    let campaign = q("with c as (insert into campaigns (name, scope, deadline, opened_by)
                        select 'Uji akses', 'standard', current_date + 30, id from accounts where username = 'kabid.aptika'
                        returning id)
                      insert into campaign_units (campaign_id, unit_id)
                      select c.id, u.id from c, units u where u.code = 'APT-PA' returning campaign_id")
    .await;
    let idpline = q("with i as (insert into idps (employee_id, year, created_by)
                       select e.id, extract(year from current_date)::int, null from employees e
                       join units u on u.id = e.unit_id where u.code = 'APT-PA'
                         and not exists (select 1 from accounts a where a.employee_id = e.id)
                       order by e.id limit 1
                       on conflict (employee_id, year) do update set year = excluded.year returning id)
                     insert into idp_lines (idp_id, competency_id, goal_level, target_date, route, expected_jp)
                     select i.id, c.id, 5, make_date(extract(year from current_date)::int, 12, 31), 'self_study', 8
                     from i, competencies c where c.code = 'APL-01'
                     on conflict (idp_id, competency_id) do update set goal_level = 5 returning id")
    .await;
    let push: i64 = sqlx::query_scalar(
        "insert into siasn_pushes (participant_id, kind, status) values ($1, 'kursus', 'failed') returning id",
    )
    .bind(dev[2])
    .fetch_one(&app.pool)
    .await
    .expect("push");
    HashMap::from([
        ("{idpline}", idpline.to_string()),
        ("{provider}", dev[0].to_string()),
        ("{training}", dev[1].to_string()),
        ("{part}", dev[2].to_string()),
        ("{req}", dev[3].to_string()),
        ("{act}", dev[4].to_string()),
        ("{account}", target.to_string()),
        ("{emp}", emp.to_string()),
        ("{comp}", comp.to_string()),
        ("{asm}", asm.to_string()),
        ("{ev}", ev.to_string()),
        ("{unit}", q("select id from units where code = 'APT-PA'").await.to_string()),
        ("{pos}", pos.to_string()),
        ("{batch}", batch.to_string()),
        ("{campaign}", campaign.to_string()),
        ("{programme}", q("select min(id) from programmes").await.to_string()),
        ("{acctbatch}", q("insert into account_batches (created_count) values (0) returning id").await.to_string()),
        ("{push}", push.to_string()),
    ])
}

/// A provider, a planned training charged to unit A in 2031 with `emp` nominated (certificate
/// file `ev`), a pending training request and a pending activity of `emp`.
async fn development_ids(app: &TestApp, emp: i64, comp: i64, ev: i64) -> [i64; 5] {
    let one = |sql: &'static str| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>(sql).bind(emp).bind(comp).bind(ev).fetch_one(&pool).await.expect(sql) }
    };
    let provider = one("select min(id) from providers where $1 > 0 and $2 > 0 and $3 > 0").await;
    let training = one(
        "insert into trainings (title, form, jenis_diklat, starts_on, ends_on, jp, budget_year, budget_unit_id, quota, place)
         select 'Uji akses', 'teknis', 3, '2031-03-01', '2031-03-02', 16, 2031, id, 5, 'Bandung'
         from units where code = 'APT' and $1 > 0 and $2 > 0 and $3 > 0 returning id",
    )
    .await;
    let part: i64 = sqlx::query_scalar(
        "insert into training_participants (training_id, employee_id, certificate_file_id) values ($1, $2, $3) returning id",
    )
    .bind(training)
    .bind(emp)
    .bind(ev)
    .fetch_one(&app.pool)
    .await
    .expect("participant");
    let req = one(
        "insert into training_requests (employee_id, competency_id, target_level, reason) values ($1, $2, 3, 'uji')
         returning id + 0 * $3",
    )
    .await;
    let act = one("with a as (insert into activities (kind, competency_id, held_on, minutes, topic, status)
                    values ('mentoring', $2, current_date, 60, 'uji', 'pending') returning id)
         insert into activity_learners (activity_id, employee_id) select id, $1 from a returning activity_id + 0 * $3")
    .await;
    [provider, training, part, req, act]
}

pub fn concrete(path: &str, ids: &HashMap<&'static str, String>) -> String {
    let mut out = path.to_string();
    for (k, v) in ids {
        out = out.replace(k, v);
    }
    out
}

#[sqlx::test]
async fn route_by_role_matrix(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let ids = ids(&app).await;
    let mut failures = vec![];
    for (method, path, url, expected) in matrix() {
        let url = concrete(url, &ids);
        for (i, role) in ROLES.iter().enumerate() {
            let mut c = if *role == "anonymous" { app.client() } else { app.as_user(role).await };
            let r = if method == "GET" {
                c.get(&url).await
            } else if MULTIPART.contains(&path) {
                c.prime().await;
                let with_token = format!("{url}?csrf_token={}", c.csrf());
                c.post_raw(&with_token, "multipart/form-data; boundary=XyZ", b"--XyZ--\r\n".to_vec()).await
            } else {
                c.post(&url, &[]).await
            };
            let got = outcome(&r);
            if got != expected[i] {
                failures
                    .push(format!("{method} {url} as {role}: expected {:?}, got {got:?} ({})", expected[i], r.status));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let _ = Method::GET;
}
