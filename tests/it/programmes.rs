//! The programme catalogue: HR keeps it through its forms (every bad field named beside it, the
//! input kept, nothing stored), edits from an old version are shown not applied, heads read it,
//! the list filters and exports, and the demo offers next year's plan enough to choose from.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{Client, TestApp, hidden};

/// The message shown under `field` ("" when none).
fn field_error(body: &str, field: &str) -> String {
    let marker = format!("id=\"{field}-err\">");
    body.split(&marker)
        .nth(1)
        .and_then(|s| s.split("</p>").next())
        .map(|s| s.replace("<span aria-hidden=\"true\">⚠</span>", "").trim().to_string())
        .unwrap_or_default()
}

fn good<'a>() -> Vec<(&'a str, &'a str)> {
    vec![
        ("code", "uji-cloud.01"),
        ("title", "Pelatihan Uji Komputasi Awan"),
        ("provider", ""),
        ("scheme", "paid"),
        ("form", "sertifikasi"),
        ("jenis_diklat", "11"),
        ("jp", "32,5"),
        ("days", "4"),
        ("cost_per_participant", "Rp4.750.000"),
        ("cost_per_class", "25.000.000"),
        ("min_class", "6"),
        ("max_class", "20"),
        ("offered_from", "2027"),
        ("offered_to", "2028"),
        ("notes", "Kelas in-house"),
    ]
}

fn with<'a>(mut fields: Vec<(&'a str, &'a str)>, changes: &[(&'a str, &'a str)]) -> Vec<(&'a str, &'a str)> {
    for (k, v) in changes {
        match fields.iter_mut().find(|(f, _)| f == k) {
            Some(slot) => slot.1 = v,
            None => fields.push((k, v)),
        }
    }
    fields
}

/// The fields of the programme's edit form as loaded (inputs, selects, the version stamp).
async fn open_edit(c: &mut Client, id: i64) -> Vec<(String, String)> {
    let page = c.get(&format!("/programmes/{id}/edit")).await;
    assert_eq!(page.status, StatusCode::OK);
    let mut out = vec![];
    for name in [
        "code",
        "title",
        "jp",
        "days",
        "cost_per_participant",
        "cost_per_class",
        "min_class",
        "max_class",
        "offered_from",
        "offered_to",
        "version",
        "base",
    ] {
        out.push((name.to_string(), hidden(&page.body, name)));
    }
    for name in ["provider", "scheme", "form", "jenis_diklat"] {
        let sel =
            page.body.split(&format!("name=\"{name}\"")).nth(1).and_then(|s| s.split("</select>").next()).unwrap_or("");
        let v = sel
            .split("<option")
            .find(|o| o.contains(" selected"))
            .and_then(|o| o.split("value=\"").nth(1))
            .and_then(|v| v.split('"').next())
            .unwrap_or("");
        out.push((name.to_string(), v.to_string()));
    }
    out.push(("active".into(), "on".into()));
    out
}

async fn post(c: &mut Client, path: &str, fields: &[(String, String)]) -> crate::helpers::Resp {
    let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    c.post(path, &f).await
}

fn set(fields: &mut [(String, String)], name: &str, value: &str) {
    for (k, v) in fields.iter_mut() {
        if k == name {
            *v = value.to_string();
        }
    }
}

#[sqlx::test]
async fn hr_adds_a_programme_and_bad_input_is_named_beside_each_field(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let form = hr.get("/programmes/new").await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains("name=\"csrf_token\"") && form.body.contains("name=\"form_token\""));
    let before = app.scalar("select count(*) from programmes").await;

    // Every field wrong at once: 422, each message under its own field, the input kept.
    let bad = with(
        good(),
        &[
            ("code", "kode salah!"),
            ("title", "  "),
            ("scheme", "gratis"),
            ("form", "kuliah"),
            ("jenis_diklat", "26"),
            ("jp", "0"),
            ("days", "400"),
            ("cost_per_participant", "-5"),
            ("cost_per_class", "1,5 juta"),
            ("min_class", "20"),
            ("max_class", "10"),
            ("offered_from", "2029"),
            ("offered_to", "2027"),
            ("provider", "999999"),
        ],
    );
    let r = hr.post("/programmes", &bad).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    for (field, msg) in [
        ("code", "Kode hanya huruf, angka"),
        ("title", "Wajib diisi"),
        ("scheme", "Pilih skema pembiayaan"),
        ("form", "Pilih bentuk pelatihan"),
        ("jenis_diklat", "Pilih jenis diklat dari daftar SIASN"),
        ("jp", "JP berupa angka"),
        ("days", "Lama berupa bilangan bulat 1–365"),
        ("cost_per_participant", "tidak boleh negatif"),
        ("cost_per_class", "Tulis rupiah tanpa desimal"),
        ("max_class", "Maksimum kelas tidak boleh kurang dari minimum"),
        ("offered_to", "Tahun akhir tidak boleh sebelum tahun mulai"),
        ("provider", "Penyelenggara tidak ditemukan"),
    ] {
        let shown = field_error(&r.body, field);
        assert!(shown.contains(msg), "{field}: expected {msg:?}, shown {shown:?}");
        assert!(r.body.contains(&format!("id=\"{field}\"")), "{field} is on the page");
    }
    assert!(r.body.contains("id=\"error-summary\""), "a summary above the form");
    assert!(r.body.contains("value=\"kode salah!\"") && r.body.contains("value=\"1,5 juta\""), "the input is kept");
    assert_eq!(app.scalar("select count(*) from programmes").await, before, "nothing stored");

    // A free national scheme that charges: named beside the costs.
    let r = hr.post("/programmes", &with(good(), &[("scheme", "national_free")])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&r.body, "cost_per_participant").contains("Skema nasional gratis"));

    // Good input: stored as parsed, audited, shown on its page.
    let provider = app.scalar("select id from providers where name = 'Badan Siber dan Sandi Negara'").await.to_string();
    let r = hr.post("/programmes", &with(good(), &[("provider", &provider)])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id = app.scalar("select id from programmes where code = 'UJI-CLOUD.01'").await;
    assert_eq!(r.location(), format!("/programmes/{id}"));
    let stored: (String, f64, i64, i64, i32, i32, i32, i32, bool) = sqlx::query_as(
        "select scheme, jp::float8, cost_per_participant, cost_per_class, min_class, max_class, offered_from, offered_to, active
         from programmes where id = $1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .expect("stored");
    assert_eq!(stored, ("paid".into(), 32.5, 4_750_000, 25_000_000, 6, 20, 2027, 2028, true));
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where entity = 'programme' and entity_id = '{id}' and action = 'create'"
        ))
        .await,
        1
    );
    let page = hr.get(&format!("/programmes/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    for text in
        ["UJI-CLOUD.01", "Pelatihan Uji Komputasi Awan", "Rp4.750.000", "Rp25.000.000", "Badan Siber dan Sandi Negara"]
    {
        assert!(page.body.contains(text), "{text}");
    }
    // A class of 6 costs 25 000 000 + 6 × 4 750 000; a full one of 20, 25 000 000 + 20 × 4 750 000.
    assert!(page.body.contains("Rp53.500.000") && page.body.contains("Rp120.000.000"), "class costs");

    // The same code again (any case): a friendly message beside the code, nothing stored.
    let r = hr.post("/programmes", &with(good(), &[("code", "UJI-CLOUD.01"), ("title", "Lain")])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(field_error(&r.body, "code").contains("sudah dipakai"), "{}", field_error(&r.body, "code"));
    assert_eq!(app.scalar("select count(*) from programmes where title = 'Lain'").await, 0);

    // Competency targets: add (and change), refuse a bad one, remove.
    let sec = app.scalar("select id from competencies where code = 'SEC-02'").await.to_string();
    let r = hr.post(&format!("/programmes/{id}/competencies"), &[("competency", &sec), ("level", "3")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = hr.post(&format!("/programmes/{id}/competencies"), &[("competency", &sec), ("level", "4")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let level =
        app.scalar(&format!("select target_level::bigint from programme_competencies where programme_id = {id}")).await;
    assert_eq!(level, 4, "the target is changed, not doubled");
    let r = hr.post(&format!("/programmes/{id}/competencies"), &[("competency", &sec), ("level", "6")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Pilih kompetensi dan tingkat target"));
    let page = hr.get(&format!("/programmes/{id}")).await;
    assert!(page.body.contains("SEC-02") && page.body.contains("/competencies/remove"));
    let r = hr.post(&format!("/programmes/{id}/competencies/remove"), &[("competency", &sec)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar(&format!("select count(*) from programme_competencies where programme_id = {id}")).await, 0);
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where entity = 'programme' and entity_id = '{id}' and action in ('target_set', 'target_remove')"
        ))
        .await,
        3
    );
}

#[sqlx::test]
async fn an_edit_from_an_old_version_is_shown_not_applied(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let id = app.scalar("select id from programmes where code = 'CCNA-200-301'").await;
    let mut a = app.as_user("kepegawaian").await;
    let mut b = app.as_user("kepegawaian").await;
    let mut fa = open_edit(&mut a, id).await;
    let mut fb = open_edit(&mut b, id).await;
    // A changes the cost per participant; B, from the same version, changes it differently.
    set(&mut fa, "cost_per_participant", "5600000");
    set(&mut fb, "cost_per_participant", "5900000");
    let r = post(&mut a, &format!("/programmes/{id}"), &fa).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = post(&mut b, &format!("/programmes/{id}"), &fb).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    let table = r.body.split("id=\"edit-conflict\"").nth(1).unwrap_or("");
    assert!(table.contains("Biaya per peserta"), "the field is named");
    assert!(
        table.contains("5400000") && table.contains("5600000") && table.contains("5900000"),
        "opened, theirs, mine"
    );
    assert!(r.body.contains("value=\"5900000\""), "what B typed stays in the form");
    assert_eq!(app.scalar(&format!("select cost_per_participant from programmes where id = {id}")).await, 5_600_000);
    // A change to another field from the old version merges: both are kept.
    let mut fc = open_edit(&mut b, id).await;
    let mut fd = open_edit(&mut a, id).await;
    set(&mut fc, "max_class", "24");
    set(&mut fd, "days", "6");
    assert_eq!(post(&mut a, &format!("/programmes/{id}"), &fd).await.status, StatusCode::SEE_OTHER);
    let r = post(&mut b, &format!("/programmes/{id}"), &fc).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (days, max): (i16, i32) = sqlx::query_as("select days, max_class from programmes where id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .expect("row");
    assert_eq!((days, max), (6, 24));
    // Deactivated from its form, it leaves next year's offer.
    let mut fe = open_edit(&mut a, id).await;
    set(&mut fe, "active", "");
    assert_eq!(post(&mut a, &format!("/programmes/{id}"), &fe).await.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar(&format!("select (not active)::int::bigint from programmes where id = {id}")).await, 1);
}

#[sqlx::test]
async fn heads_read_the_catalogue_but_do_not_write(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let id = app.scalar("select id from programmes where code = 'BSSN-CSIRT'").await;
    let sec = app.scalar("select id from competencies where code = 'SEC-04'").await.to_string();
    let mut head = app.as_user("kabid.aptika").await;
    let list = head.get("/programmes").await;
    assert_eq!(list.status, StatusCode::OK);
    assert!(list.body.contains("BSSN-CSIRT") && !list.body.contains("href=\"/programmes/new\""));
    assert!(list.body.contains("href=\"/programmes\""), "in the navigation");
    let page = head.get(&format!("/programmes/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("/competencies/remove") && !page.body.contains(&format!("/programmes/{id}/edit")));
    let before = app.scalar("select count(*) from audit_log where entity = 'programme'").await;
    for (path, fields) in [
        ("/programmes".to_string(), good()),
        (format!("/programmes/{id}"), good()),
        (format!("/programmes/{id}/competencies"), vec![("competency", sec.as_str()), ("level", "3")]),
        (format!("/programmes/{id}/competencies/remove"), vec![("competency", sec.as_str())]),
    ] {
        assert_eq!(head.post(&path, &fields).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    assert_eq!(head.get(&format!("/programmes/{id}/edit")).await.status, StatusCode::FORBIDDEN);
    assert_eq!(app.scalar("select count(*) from audit_log where entity = 'programme'").await, before);
    let mut employee = app.as_user("pegawai").await;
    assert_eq!(employee.get("/programmes").await.status, StatusCode::FORBIDDEN);
    assert!(!employee.get("/").await.body.contains("href=\"/programmes\""), "not in an employee's navigation");
}

#[sqlx::test]
async fn the_list_filters_and_exports(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    // A programme offered only in 2031 and one that is free, to tell the filters apart.
    sqlx::query(
        "insert into programmes (code, title, scheme, form, jenis_diklat, jp, days, max_class, offered_from, offered_to)
         values ('UJI-2031', 'Program Uji 2031', 'paid', 'teknis', 3, 8, 1, 20, 2031, 2031)",
    )
    .execute(&app.pool)
    .await
    .expect("programme");
    let rows = |body: &str| body.matches("<td class=\"mono\"><a href=\"/programmes/").count() as i64;
    let all = hr.get("/programmes").await;
    assert_eq!(all.status, StatusCode::OK);
    assert_eq!(rows(&all.body), app.scalar("select count(*) from programmes").await);
    let in_2031 = hr.get("/programmes?year=2031").await;
    assert_eq!(rows(&in_2031.body), 1);
    assert!(in_2031.body.contains("UJI-2031") && in_2031.body.contains("<option selected>2031</option>"));
    let free = hr.get("/programmes?scheme=national_free").await;
    let n_free = app.scalar("select count(*) from programmes where scheme = 'national_free'").await;
    assert!(n_free > 5);
    assert_eq!(rows(&free.body), n_free);
    assert!(!free.body.contains("CCNA-200-301"));
    let sec = app.scalar("select id from competencies where code = 'SEC-02'").await;
    let with_sec = hr.get(&format!("/programmes?competency={sec}&scheme=national_free")).await;
    let expected = app
        .scalar(&format!(
            "select count(*) from programmes g where g.scheme = 'national_free'
             and exists (select 1 from programme_competencies pc where pc.programme_id = g.id and pc.competency_id = {sec})"
        ))
        .await;
    assert!(expected >= 2);
    assert_eq!(rows(&with_sec.body), expected);
    assert!(with_sec.body.contains("BSSN-CSIRT") && !with_sec.body.contains("LAN-ASNUNGGUL-MNJ"));
    // Nonsense filters are no filters, never an error.
    assert_eq!(rows(&hr.get("/programmes?year=abc&competency=x&scheme=gratis").await.body), rows(&all.body));
    // The exports carry the filtered rows, money as people write it.
    let csv = hr.get(&format!("/programmes?competency={sec}&scheme=national_free&format=csv")).await;
    assert_eq!(csv.status, StatusCode::OK);
    assert_eq!(csv.body.lines().count() as i64, expected + 1, "{}", csv.body);
    assert!(csv.body.contains("BSSN-CSIRT") && csv.body.contains("Rp0"));
    let xlsx = hr.get("/programmes?year=2027&format=xlsx").await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with("PK"), "an XLSX (zip) file");
}

#[sqlx::test]
async fn the_demo_offers_next_years_plan_enough_to_choose_from(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let next = app.scalar("select extract(year from current_date)::bigint + 1").await;
    let offered = app
        .scalar(&format!(
            "select count(*) from programmes g where g.active and {next} between g.offered_from and g.offered_to
             and exists (select 1 from programme_competencies pc where pc.programme_id = g.id)"
        ))
        .await;
    assert!(offered >= 25, "{offered} programmes offered next year");
    assert_eq!(
        app.scalar("select count(*) from programmes g where not exists (select 1 from programme_competencies pc where pc.programme_id = g.id)")
            .await,
        0,
        "every demo programme develops something"
    );
    assert!(app.scalar("select count(*) from programmes where scheme = 'national_free'").await >= 8);
    assert_eq!(
        app.scalar("select count(*) from programmes where scheme = 'national_free' and cost_per_participant + cost_per_class > 0")
            .await,
        0,
        "free is free"
    );
    // Next year has budgets like this year's.
    let this_year = app.scalar(&format!("select count(*) from unit_budgets where year = {next} - 1")).await;
    assert!(this_year > 0);
    assert_eq!(app.scalar(&format!("select count(*) from unit_budgets where year = {next}")).await, this_year);
    // Earlier runs of a programme show what they measurably did on its page.
    let (id, measured): (i64, i64) = sqlx::query_as(
        "select t.programme_id, count(*) from training_effect fx join trainings t on t.id = fx.training_id
         where t.programme_id is not null and fx.before_level > 0 and fx.after_level is not null
         group by t.programme_id order by 2 desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a programme with a measured effect");
    assert!(measured > 0);
    let page = app.as_user("kabid.infra").await.get(&format!("/programmes/{id}")).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("Belum ada yang terukur"), "the effect is shown");
    assert!(page.body.contains("href=\"/trainings/"), "with its runs");
    // Seeding again changes nothing.
    let before = app.scalar("select count(*) from programmes").await;
    assert!(!cakap::seed::demo(&app.pool).await.expect("seed"));
    assert_eq!(app.scalar("select count(*) from programmes").await, before);
}
