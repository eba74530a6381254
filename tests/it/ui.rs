//! Everyday use, round two (issue 25, items 4–7) through the real router: a new training with its
//! target competencies in one form, results once a training's last day has come (its status
//! follows), dates typed dd-mm-yyyy, `/jp` by unit and shortfall, the development history's every
//! year since joining, and SIASN files for HR only.

use axum::http::StatusCode;
use chrono::Datelike as _;
use sqlx::PgPool;

use crate::helpers::{Client, TestApp, hidden};

/// The new-training form's fields (a 2031 training, Indonesian dates), plus `extra`.
async fn post_training(hr: &mut Client, apt: &str, title: &str, extra: &[(&str, &str)]) -> crate::helpers::Resp {
    let form = hr.get("/trainings/new").await;
    let token = hidden(&form.body, "form_token");
    let mut fields = vec![
        ("title", title),
        ("form", "teknis"),
        ("jenis_diklat", "3"),
        ("place", "Bandung"),
        ("starts_on", "02-03-2031"),
        ("ends_on", "04/03/2031"),
        ("jp", "16"),
        ("cost_per_participant", "Rp4.000.000"),
        ("fixed_cost", "0"),
        ("budget_year", "2031"),
        ("budget_unit", apt),
        ("quota", "3"),
        ("status", "open"),
        ("form_token", &token),
    ];
    fields.extend_from_slice(extra);
    hr.post("/trainings", &fields).await
}

#[sqlx::test]
async fn a_new_training_takes_its_target_competencies_and_indonesian_dates(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt = app.scalar("select id from units where code = 'APT'").await.to_string();
    let c1 = app.scalar("select id from competencies where code = 'APL-01'").await.to_string();
    let c2 = app.scalar("select id from competencies where code = 'DAT-01'").await.to_string();
    let mut hr = app.as_user("kepegawaian").await;
    let form = hr.get("/trainings/new").await;
    assert!(form.body.contains("id=\"tc1\"") && form.body.contains("id=\"tl4\""), "four target rows");
    assert!(form.body.contains("dd-mm-yyyy"), "the date format is shown");
    assert!(!form.body.contains("type=\"date\""), "no browser date field that shows mm/dd/yyyy in en-US");

    // A row with a competency but no level, and one competency twice: refused, nothing written,
    // the input kept.
    let before = app.scalar("select count(*) from trainings").await;
    let r = post_training(
        &mut hr,
        &apt,
        "Pelatihan Sasaran Salah",
        &[("tc1", &c1), ("tl1", ""), ("tc2", &c2), ("tl2", "3"), ("tc3", &c2), ("tl3", "4")],
    )
    .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Pilih kompetensi dan tingkat targetnya, atau kosongkan baris ini."));
    assert!(r.body.contains("Kompetensi ini sudah dipilih di baris lain."));
    assert!(r.body.contains("id=\"tc1-err\"") && r.body.contains("id=\"tc3-err\""), "errors next to their rows");
    assert!(r.body.contains("value=\"02-03-2031\"") && r.body.contains("Pelatihan Sasaran Salah"), "input kept");
    assert_eq!(app.scalar("select count(*) from trainings").await, before, "nothing written");

    // Right: the training and both targets in one transaction, each target audited.
    let r = post_training(
        &mut hr,
        &apt,
        "Pelatihan Sasaran Benar",
        &[("tc1", &c1), ("tl1", "3"), ("tc2", ""), ("tl2", ""), ("tc4", &c2), ("tl4", "2")],
    )
    .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let t: i64 = r.location().trim_start_matches("/trainings/").parse().expect("id");
    let targets: Vec<(String, i16)> = sqlx::query_as(
        "select c.code, tc.target_level from training_competencies tc join competencies c on c.id = tc.competency_id
         where tc.training_id = $1 order by c.code",
    )
    .bind(t)
    .fetch_all(&app.pool)
    .await
    .expect("targets");
    assert_eq!(targets, vec![("APL-01".to_string(), 3), ("DAT-01".to_string(), 2)]);
    let (starts, ends): (chrono::NaiveDate, chrono::NaiveDate) =
        sqlx::query_as("select starts_on, ends_on from trainings where id = $1")
            .bind(t)
            .fetch_one(&app.pool)
            .await
            .expect("dates");
    assert_eq!((starts.to_string(), ends.to_string()), ("2031-03-02".to_string(), "2031-03-04".to_string()));
    let audited = app
        .scalar(&format!(
            "select count(*) from audit_log where entity = 'training' and entity_id = '{t}' and action = 'target_set'"
        ))
        .await;
    assert_eq!(audited, 2);
    // The edit form writes the dates back as dd-mm-yyyy.
    let edit = hr.get(&format!("/trainings/{t}/edit")).await;
    assert!(edit.body.contains("value=\"02-03-2031\"") && edit.body.contains("value=\"04-03-2031\""), "dd-mm-yyyy");
}

#[sqlx::test]
async fn results_are_recorded_once_the_last_day_has_come_and_the_status_follows(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    // Two trainings still marked open: one that ended yesterday, one that ends next week.
    let mut ids = vec![];
    for (title, days) in [("Pelatihan Sudah Selesai", -1), ("Pelatihan Belum Selesai", 7)] {
        let t: i64 = sqlx::query_scalar(
            "insert into trainings (title, form, jenis_diklat, starts_on, ends_on, jp, budget_year, budget_unit_id, quota, place, status)
             select $1, 'teknis', 3, current_date + $2 - 2, current_date + $2, 8, 2031, id, 5, 'Bandung', 'open'
             from units where code = 'DKIS' returning id",
        )
        .bind(title)
        .bind(days)
        .fetch_one(&app.pool)
        .await
        .expect("training");
        let p: i64 = sqlx::query_scalar(
            "insert into training_participants (training_id, employee_id, status) values ($1, $2, 'approved') returning id",
        )
        .bind(t)
        .bind(own)
        .fetch_one(&app.pool)
        .await
        .expect("participant");
        ids.push((t, p));
    }
    let mut hr = app.as_user("kepegawaian").await;
    let ((done, done_p), (later, later_p)) = (ids[0], ids[1]);
    let page = hr.get(&format!("/trainings/{done}")).await;
    assert!(page.body.contains(&format!("/participants/{done_p}/result")), "the result link is offered");
    let page = hr.get(&format!("/trainings/{later}")).await;
    assert!(!page.body.contains(&format!("/participants/{later_p}/result")), "not before the last day");

    let form = hr.get(&format!("/participants/{done_p}/result")).await;
    let version = hidden(&form.body, "version");
    let r = hr
        .post_multipart(
            &format!("/participants/{done_p}/result"),
            &[("status", "passed"), ("version", &version), ("issued_on", &yesterday_dmy())],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let status: String = sqlx::query_scalar("select status from trainings where id = $1")
        .bind(done)
        .fetch_one(&app.pool)
        .await
        .expect("status");
    assert_eq!(status, "completed", "the status follows the result");
    let issued: Option<chrono::NaiveDate> =
        sqlx::query_scalar("select certificate_issued_on from training_participants where id = $1")
            .bind(done_p)
            .fetch_one(&app.pool)
            .await
            .expect("issued");
    assert_eq!(issued, Some(chrono::Local::now().date_naive() - chrono::Duration::days(1)));
    let audited = app
        .scalar(&format!(
            "select count(*) from audit_log where entity = 'training' and entity_id = '{done}' and action = 'update'
               and after ->> 'status' = 'completed' and before ->> 'status' = 'open'"
        ))
        .await;
    assert_eq!(audited, 1, "the status change is audited");

    // Before the last day the result is refused, with the reason, and nothing changes.
    let form = hr.get(&format!("/participants/{later_p}/result")).await;
    let version = hidden(&form.body, "version");
    let r = hr
        .post_multipart(
            &format!("/participants/{later_p}/result"),
            &[("status", "passed"), ("version", &version)],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let (tp, ts): (String, String) = sqlx::query_as(
        "select tp.status, t.status from training_participants tp join trainings t on t.id = tp.training_id where tp.id = $1",
    )
    .bind(later_p)
    .fetch_one(&app.pool)
    .await
    .expect("unchanged");
    assert_eq!((tp.as_str(), ts.as_str()), ("approved", "open"));
}

fn yesterday_dmy() -> String {
    (chrono::Local::now().date_naive() - chrono::Duration::days(1)).format("%d-%m-%Y").to_string()
}

/// The rows of a CSV export (header first), the BOM dropped.
fn csv_rows(body: &str) -> Vec<Vec<String>> {
    let mut r =
        csv::ReaderBuilder::new().has_headers(false).from_reader(body.trim_start_matches('\u{feff}').as_bytes());
    r.records().map(|x| x.expect("csv row").iter().map(str::to_string).collect()).collect()
}

#[sqlx::test]
async fn jp_lists_filter_by_unit_and_sort_by_shortfall(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let sta = app.scalar("select id from units where code = 'STA'").await;
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get(&format!("/jp?unit={sta}&all=1")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"unit\"") && page.body.contains("id=\"sort\""), "unit and sort filters");

    let rows = csv_rows(&hr.get(&format!("/jp?unit={sta}&all=1&format=csv")).await.body);
    let (head, body) = rows.split_first().expect("header");
    let col = |name: &str| head.iter().position(|h| h == name).unwrap_or_else(|| panic!("{name} in {head:?}"));
    let (nip, total) = (col("NIP"), col("JP total"));
    // Exactly the active staff of Statistik and its seksi, computed independently.
    let mut expected: Vec<String> = sqlx::query_scalar(
        "select e.nip from employees e join units u on u.id = e.unit_id
         where e.active and u.path like (select path from units where code = 'STA') || '%'",
    )
    .fetch_all(&app.pool)
    .await
    .expect("staff");
    let mut got: Vec<String> = body.iter().map(|r| r[nip].clone()).collect();
    assert!(!got.is_empty());
    got.sort();
    expected.sort();
    assert_eq!(got, expected);
    // Largest shortfall first: the totals never fall down the list.
    let totals: Vec<f64> =
        body.iter().map(|r| r[total].replace('.', "").replace(',', ".").parse().expect("jp")).collect();
    assert!(totals.windows(2).all(|w| w[0] <= w[1]), "{totals:?}");

    // By name instead.
    let rows = csv_rows(&hr.get(&format!("/jp?unit={sta}&all=1&sort=name&format=csv")).await.body);
    let names: Vec<String> = rows[1..].iter().map(|r| r[col("Nama")].clone()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names.len(), expected.len());
    assert_eq!(names.first().map(|n| n.to_lowercase()), sorted.first().map(|n| n.to_lowercase()));

    // A head asking for a unit outside their bidang sees nobody from it.
    let mut head = app.as_user("kabid.aptika").await;
    let rows = csv_rows(&head.get(&format!("/jp?unit={sta}&all=1&format=csv")).await.body);
    assert_eq!(rows.len(), 1, "only the header: {rows:?}");
}

#[sqlx::test]
async fn the_history_shows_every_year_since_joining_and_siasn_files_are_hrs(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (own, nip): (i64, String) = sqlx::query_as(
        "select e.id, e.nip from accounts a join employees e on e.id = a.employee_id where a.username = 'pegawai'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("own");
    // No JP at all in the year she joined: that year is still listed, with 0.
    let joined: i32 = nip[8..12].parse().expect("appointment year in the NIP");
    sqlx::query("delete from activity_learners l using activities a where a.id = l.activity_id and l.employee_id = $1 and extract(year from a.held_on) = $2")
        .bind(own)
        .bind(f64::from(joined))
        .execute(&app.pool)
        .await
        .expect("clear");
    sqlx::query("delete from training_participants tp using trainings t where t.id = tp.training_id and tp.employee_id = $1 and extract(year from t.ends_on) = $2")
        .bind(own)
        .bind(f64::from(joined))
        .execute(&app.pool)
        .await
        .expect("clear");
    let this_year = chrono::Local::now().year();
    let mut me = app.as_user("pegawai").await;
    let page = me.get(&format!("/employees/{own}/development")).await;
    assert_eq!(page.status, StatusCode::OK);
    for y in joined.max(2017)..=this_year {
        assert!(page.body.contains(&format!("<th scope=\"row\">{y}</th>")), "year {y} listed");
    }
    assert!(!page.body.contains(&format!("<th scope=\"row\">{}</th>", joined.max(2017) - 1)), "not before joining");
    assert!(!page.body.contains("siasn-diklat"), "SIASN files are HR's");
    assert!(!page.body.contains("Kurang 0"));
    let r = me.get(&format!("/employees/{own}/development?format=siasn-kursus")).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let pdf = me.get(&format!("/employees/{own}/development?format=pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let text = String::from_utf8_lossy(&pdf.bytes);
    assert!(text.contains(&joined.to_string()), "the joining year in the PDF");

    let mut head = app.as_user("kabid.aptika").await;
    assert_eq!(
        head.get(&format!("/employees/{own}/development?format=siasn-diklat")).await.status,
        StatusCode::FORBIDDEN
    );
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get(&format!("/employees/{own}/development")).await;
    assert!(page.body.contains("siasn-diklat") && page.body.contains("siasn-kursus"));
    assert_eq!(hr.get(&format!("/employees/{own}/development?format=siasn-kursus")).await.status, StatusCode::OK);
}
