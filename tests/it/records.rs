//! Employees, units, positions and standards, the competency catalog: pages, forms, errors.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{TestApp, count_queries};

/// The table rows of a list page (not the filter form).
fn tbody(body: &str) -> &str {
    body.split("<tbody>").nth(1).unwrap_or("")
}

#[sqlx::test]
async fn employee_list_filters_sorts_pages_and_respects_scope(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let r = hr.get("/employees").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("dari 120"), "HR sees all 120");
    let apt = app.scalar("select id from units where code = 'APT'").await;
    let in_apt =
        app.scalar("select count(*) from employees e join units u on u.id = e.unit_id where u.code like 'APT%'").await;
    let r = hr.get(&format!("/employees?unit={apt}")).await;
    assert!(r.body.contains(&format!("dari {in_apt}")), "unit filter includes sub-units");
    let mut head_a = app.as_user("kabid.aptika").await;
    let r = head_a.get("/employees").await;
    assert!(r.body.contains(&format!("dari {in_apt}")), "head sees only the unit subtree");
    assert!(!tbody(&r.body).contains("Seksi Jaringan dan Pusat Data"));
    let r = hr.get("/employees?status=PPPK").await;
    let pppk = app.scalar("select count(*) from employees where status = 'PPPK'").await;
    assert!(r.body.contains(&format!("dari {pppk}")));
    let (name, nip): (String, String) =
        sqlx::query_as("select name, nip from employees order by id limit 1").fetch_one(&app.pool).await.expect("row");
    assert!(hr.get(&format!("/employees?q={}", &nip[..10])).await.body.contains(&name));
    let r = hr.get(&format!("/employees?q={}", name.replace(' ', "+"))).await;
    assert!(r.body.contains(&nip));
    let r = hr.get("/employees?q=%27%3B+drop+table+employees%3B--").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Tidak ada pegawai yang cocok"));
    let r = hr.get("/employees?rank=III%2Fa").await;
    let iiia = app.scalar("select count(*) from employees where rank_code = 'III/a'").await;
    assert!(r.body.contains(&format!("dari {iiia}")));
    // Sorting and pagination keep the filters in the URL.
    let r = hr.get("/employees?sort=nip&dir=desc&page=2").await;
    let max_nip: String = sqlx::query_scalar("select nip from employees order by nip desc offset 50 limit 1")
        .fetch_one(&app.pool)
        .await
        .expect("nip");
    let first_row = r.body.split("<tbody>").nth(1).expect("table");
    assert!(first_row.trim_start().contains(&max_nip), "page 2 of NIP descending starts at the 51st");
    let next = r.body.split("rel=\"next\"").next().and_then(|s| s.rsplit("href=\"").next()).unwrap_or("");
    assert!(
        next.contains("sort=nip") && next.contains("dir=desc") && next.contains("page=3"),
        "next link keeps filters: {next}"
    );
    let comp = app.scalar("select id from competencies where code = 'APL-01'").await;
    let r = hr.get(&format!("/employees?competency={comp}")).await;
    assert!(r.body.contains("Tingkat / standar"));
}

#[sqlx::test]
async fn list_pages_issue_a_bounded_number_of_queries(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    hr.get("/").await; // the agency's settings are cached from the first request on
    let (_, before) = count_queries(hr.get("/employees")).await;
    assert!(before > 0, "the counter sees sqlx statements");
    sqlx::query(
        "insert into employees (nip, status, name, sex, birth_date, unit_id, position_id)
         select lpad((900000000000000000 + g)::text, 18, '0'), 'PPPK', 'Tambahan ' || g, 'L', date '1990-01-01',
                (select id from units where code = 'UPT-CC'), (select id from positions where name = 'Teknisi Jaringan' limit 1)
         from generate_series(1, 300) g",
    )
    .execute(&app.pool)
    .await
    .expect("more employees");
    let (r, after) = count_queries(hr.get("/employees")).await;
    assert!(r.body.contains("dari 420"));
    assert_eq!(before, after, "same number of queries for 120 and 420 employees");
    assert!(after <= 10, "{after} queries");
    // Read again while the records are unchanged: the page is reused after one read of the
    // version of what it depends on (and the session's, which a node reuses for a moment outside
    // the tests).
    let (again, n) = count_queries(hr.get("/employees")).await;
    assert_eq!(n, 2, "a reused page costs the session and its version's round trips only");
    assert_eq!(tbody(&again.body), tbody(&r.body));
    for page in ["/positions", "/units", "/competencies", "/assessments/pending", "/audit"] {
        let (_, n) = count_queries(hr.get(page)).await;
        assert!(n <= 10, "{page}: {n} queries");
    }
    let emp = app.scalar("select id from employees order by id limit 1").await;
    let (_, n) = count_queries(hr.get(&format!("/employees/{emp}"))).await;
    assert!(n <= 8, "employee detail: {n} queries");
}

#[sqlx::test]
async fn export_matches_the_filtered_list(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let r = hr.get("/employees?status=PPPK&sort=nip&format=csv").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap_or("").starts_with("text/csv"));
    let pppk = app.scalar("select count(*) from employees where status = 'PPPK'").await;
    let lines: Vec<&str> = r.body.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].starts_with("NIP,Gelar depan,Nama,Gelar belakang,Status"), "{}", lines[0]);
    assert_eq!(lines.len() as i64, pppk + 1);
    assert!(lines[1..].iter().all(|l| l.contains(",PPPK,")));
    let mut head_b = app.as_user("kabid.infra").await;
    let r = head_b.get("/employees?format=csv").await;
    assert!(!r.body.contains("Seksi Pengembangan Aplikasi"), "exports respect the scope");
    assert!(r.body.contains("Seksi Jaringan dan Pusat Data"));
    let req =
        axum::http::Request::get("/employees?status=PNS&format=xlsx").body(axum::body::Body::empty()).expect("req");
    let r = hr.send(req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.headers["content-type"].to_str().unwrap_or("").contains("spreadsheetml"));
    // Headers and yes/no follow the user's language.
    hr.get("/lang/en?next=/").await;
    let r = hr.get("/employees?status=PPPK&format=csv").await;
    let body = r.body.trim_start_matches('\u{feff}');
    assert!(
        body.starts_with(
            "NIP,Title before the name,Name,Title after the name,Status,Rank,Position,Unit code,Unit,Active"
        ),
        "{}",
        &body[..100.min(body.len())]
    );
    assert!(body.lines().nth(1).is_some_and(|l| l.ends_with(",yes")));
}

#[sqlx::test]
async fn hr_creates_edits_and_deactivates_an_employee(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    assert_eq!(hr.get("/employees/new").await.status, StatusCode::OK);
    let pos = app.scalar("select id from positions where name = 'Pengembang Aplikasi'").await.to_string();
    let form = |nip: &str, name: &str| {
        vec![
            ("status", "PNS".to_string()),
            ("nip", nip.to_string()),
            ("name", name.to_string()),
            ("back_title", "S.Kom.".to_string()),
            ("rank", "III/a".to_string()),
            ("position", pos.clone()),
            ("education_level", "S1".to_string()),
            ("email", "dewi.baru@bandungkab.go.id".to_string()),
        ]
    };
    // Markup is no name: refused next to the field, the input kept (escaped), nothing written.
    let f = form("19950417 202001 2 003", "Dewi <b>Baru</b>");
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = hr.post("/employees", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"name-err\"") && r.body.contains("(kode HTML)"));
    assert!(r.body.contains("Dewi &#60;b&#62;Baru&#60;/b&#62;") || r.body.contains("Dewi &lt;b&gt;Baru&lt;/b&gt;"));
    let f = form("19950417 202001 2 003", "Dewi Baru");
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = hr.post("/employees", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let id: i64 = r.location().trim_start_matches("/employees/").parse().expect("id");
    let page = hr.get(&format!("/employees/{id}")).await;
    assert!(page.body.contains("17 April 1995"), "birth date taken from the NIP");
    assert!(page.body.contains("Perempuan"));
    assert!(page.body.contains("Dewi Baru"));
    assert!(page.body.contains("Data pegawai disimpan"));
    let audit: i64 = app
        .scalar(&format!(
            "select count(*) from audit_log where entity = 'employee' and entity_id = '{id}' and action = 'create'"
        ))
        .await;
    assert_eq!(audit, 1);

    // Error paths: everything reported next to its field, input kept, nothing written.
    let before = app.scalar("select count(*) from employees").await;
    let f = form("199502312020012003", "Salah Tanggal");
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = hr.post("/employees", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Tanggal lahir dalam NIP"));
    assert!(r.body.contains("value=\"Salah Tanggal\""));
    let f = form("199504172020012003", "Duplikat");
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert!(hr.post("/employees", &fields).await.body.contains("sudah terdaftar"));
    let r = hr
        .post(
            "/employees",
            &[
                ("status", "PPPK"),
                ("nip", "123"),
                ("name", ""),
                ("birth_date", "2090-01-01"),
                ("position", "999999"),
                ("rank", "III/a"),
            ],
        )
        .await;
    for msg in [
        "NIP harus 18 angka",
        "Nama wajib diisi",
        "tidak boleh di masa depan",
        "Pilih jabatan",
        "Golongan PPPK",
        "Pilih jenis kelamin",
    ] {
        assert!(r.body.contains(msg), "{msg}");
    }
    // An error summary at the top links to each field in error.
    let summary = r.body.split("id=\"error-summary\"").nth(1).and_then(|s| s.split("</div>").next()).unwrap_or("");
    assert!(summary.contains("<a href=\"#nip\">") && summary.contains("<a href=\"#name\">"), "{summary}");
    assert_eq!(app.scalar("select count(*) from employees").await, before);

    // Edit: the audit row holds before and after.
    let mut f = form("199504172020012003", "Dewi Baru");
    f[4] = ("rank", "III/b".to_string());
    let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = hr.post_edit(&format!("/employees/{id}/edit"), &format!("/employees/{id}"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (b, a): (serde_json::Value, serde_json::Value) =
        sqlx::query_as("select before, after from audit_log where entity = 'employee' and action = 'update'")
            .fetch_one(&app.pool)
            .await
            .expect("audit");
    assert_eq!(b["rank_code"], "III/a");
    assert_eq!(a["rank_code"], "III/b");

    // Leaving: deactivated, never deleted; gone from the default list, history kept.
    let r = hr.post(&format!("/employees/{id}/deactivate"), &[("date", "2026-11-01")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(!tbody(&hr.get("/employees?q=Dewi+Baru").await.body).contains("Dewi Baru"));
    assert!(tbody(&hr.get("/employees?q=Dewi+Baru&active=no").await.body).contains("Dewi Baru"));
    assert!(hr.get(&format!("/employees/{id}")).await.body.contains("1 November 2026"));
    let r = hr.post(&format!("/employees/{id}/deactivate"), &[("date", "kemarin")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    hr.post(&format!("/employees/{id}/activate"), &[]).await;
    assert_eq!(app.scalar(&format!("select count(*) from employees where id = {id} and active")).await, 1);
}

#[sqlx::test]
async fn employee_sees_own_profile_with_standard_and_levels(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let mut me = app.as_user("pegawai").await;
    let r = me.get(&format!("/employees/{own}")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains("Standar jabatan dan tingkat saat ini"));
    assert!(r.body.contains("APL-01"));
    assert!(r.body.contains("Penilaian mandiri"), "self-assessment button");
    assert!(!r.body.contains("/edit\""), "no edit button for employees");
    // Gaps read in words, computed from the stored levels of one competency.
    let (req, cur): (i16, Option<i16>) = sqlx::query_as(
        "select s.required_level, cl.level from employees e join position_standards s on s.position_id = e.position_id
         join competencies c on c.id = s.competency_id and c.code = 'APL-01'
         left join current_levels cl on cl.employee_id = e.id and cl.competency_id = s.competency_id where e.id = $1",
    )
    .bind(own)
    .fetch_one(&app.pool)
    .await
    .expect("APL-01 in the standard");
    let expected = match cur {
        None => "belum dinilai".to_string(),
        Some(c) if c >= req => "terpenuhi".to_string(),
        Some(c) if req - c == 1 => "kurang 1 tingkat".to_string(),
        Some(c) => format!("kurang {} tingkat", req - c),
    };
    let row = r.body.split("APL-01").nth(1).and_then(|s| s.split("</tr>").next()).unwrap_or("");
    assert!(row.contains(&expected), "{expected}: {row}");
    assert!(!row.contains('→'), "no arrow that reads like a change over time");
    let other = app.scalar(&format!("select id from employees where id <> {own} order by id limit 1")).await;
    assert_eq!(me.get(&format!("/employees/{other}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(me.get("/employees/abc").await.status, StatusCode::BAD_REQUEST);
}

#[sqlx::test]
async fn units_move_rename_and_close(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let apt = app.scalar("select id from units where code = 'APT'").await.to_string();
    let r = hr
        .post(
            "/units",
            &[("code", "apt-ai"), ("name", "Seksi Kecerdasan Artifisial"), ("kind", "seksi"), ("parent", &apt)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let new = app.scalar("select id from units where code = 'APT-AI'").await;
    let r = hr.post("/units", &[("code", "APT-AI"), ("name", "Lagi"), ("kind", "seksi"), ("parent", &apt)]).await;
    assert!(r.body.contains("Kode unit ini sudah dipakai"));
    let r = hr.post("/units", &[("code", "X"), ("name", ""), ("kind", "kantor"), ("parent", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in ["Kode harus 2–20", "Wajib diisi", "Pilih jenis unit"] {
        assert!(r.body.contains(msg), "{msg}");
    }
    // Move Seksi Pengembangan Aplikasi under Bidang Infrastruktur: its staff move to that head's scope.
    let pa = app.scalar("select id from units where code = 'APT-PA'").await;
    let inf = app.scalar("select id from units where code = 'INF'").await.to_string();
    let r = hr
        .post_edit(
            &format!("/units/{pa}/edit"),
            &format!("/units/{pa}"),
            &[("code", "APT-PA"), ("name", "Seksi Pengembangan Aplikasi"), ("kind", "seksi"), ("parent", &inf)],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let staff = app.scalar(&format!("select id from employees where unit_id = {pa} order by id limit 1")).await;
    assert_eq!(app.as_user("kabid.infra").await.get(&format!("/employees/{staff}")).await.status, StatusCode::OK);
    assert_eq!(
        app.as_user("kabid.aptika").await.get(&format!("/employees/{staff}")).await.status,
        StatusCode::NOT_FOUND
    );
    // A unit cannot move under its own sub-unit.
    let dkis = app.scalar("select id from units where code = 'DKIS'").await;
    let r = hr
        .post_edit(
            &format!("/units/{dkis}/edit"),
            &format!("/units/{dkis}"),
            &[("code", "DKIS"), ("name", "Dinas"), ("kind", "dinas"), ("parent", &pa.to_string())],
        )
        .await;
    assert!(r.body.contains("bawah subunitnya sendiri"));
    // Close: refused with staff, allowed when empty; never deleted.
    let r = hr.post(&format!("/units/{pa}/close"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(hr.get("/units").await.body.contains("masih memiliki pegawai aktif"));
    hr.post(&format!("/units/{new}/close"), &[]).await;
    assert_eq!(app.scalar(&format!("select count(*) from units where id = {new} and closed_on is not null")).await, 1);
    assert_eq!(app.scalar("select count(*) from audit_log where entity = 'unit' and action = 'close'").await, 1);
}

#[sqlx::test]
async fn position_standards_add_and_copy(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let target = app.scalar("select id from positions where name = 'Pengembang Aplikasi'").await;
    let source = app.scalar("select id from positions where name = 'Pranata Komputer Ahli Muda' and unit_id = (select id from units where code = 'APT-PA')").await;
    let comp = app.scalar("select id from competencies where code = 'SEC-04'").await.to_string();
    let r = hr
        .post(
            &format!("/positions/{target}/standard"),
            &[("competency", &comp), ("level", "9"), ("priority", "urgent")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Tingkat harus bilangan bulat 1 sampai 5") && r.body.contains("Pilih prioritas"));
    let r = hr
        .post(
            &format!("/positions/{target}/standard"),
            &[("competency", &comp), ("level", "3"), ("priority", "critical")],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = hr.get(&format!("/positions/{target}")).await;
    assert!(page.body.contains("SEC-04") && page.body.contains("3 · Menengah"));
    let r = hr.post(&format!("/positions/{target}/standard/copy"), &[("from", &source.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let diff = app.scalar(&format!(
            "select count(*) from (
               (select competency_id, required_level, priority from position_standards where position_id = {target}
                except select competency_id, required_level, priority from position_standards where position_id = {source})
               union all
               (select competency_id, required_level, priority from position_standards where position_id = {source}
                except select competency_id, required_level, priority from position_standards where position_id = {target})) d"
        ),
    )
    .await;
    assert_eq!(diff, 0, "the standard is an exact copy");
    assert!(
        hr.post(&format!("/positions/{target}/standard/copy"), &[("from", "")])
            .await
            .body
            .contains("Pilih jabatan lain")
    );
    let r = hr.post("/positions", &[("name", "Pranata Komputer"), ("kind", "fungsional"), ("unit", "1")]).await;
    assert!(r.body.contains("memerlukan jenjang"));
}

#[sqlx::test]
async fn competency_catalog_create_and_edit(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let r = hr.get("/competencies?area=keamanan").await;
    assert!(r.body.contains("SEC-01") && !r.body.contains("APL-01"));
    let mut fields: Vec<(String, String)> = vec![
        ("code".into(), "ai-01".into()),
        ("kind".into(), "teknis".into()),
        ("area".into(), "aplikasi".into()),
        ("name_id".into(), "Kecerdasan Artifisial Terapan".into()),
        ("name_en".into(), "Applied Artificial Intelligence".into()),
        ("active".into(), "on".into()),
    ];
    for l in 1..=4 {
        fields.push((format!("l{l}_id"), format!("Tingkat {l}")));
        fields.push((format!("l{l}_en"), format!("Level {l}")));
    }
    let as_refs = |f: &Vec<(String, String)>| f.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Vec<_>>();
    let f = as_refs(&fields);
    let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = hr.post("/competencies", &refs).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "level 5 descriptors missing");
    assert!(r.body.contains("value=\"Kecerdasan Artifisial Terapan\""));
    fields.push(("l5_id".into(), "Tingkat 5".into()));
    fields.push(("l5_en".into(), "Level 5".into()));
    let f = as_refs(&fields);
    let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let r = hr.post("/competencies", &refs).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = hr.get(r.location()).await;
    assert!(page.body.contains("AI-01") && page.body.contains("Tingkat 5"));
    let r = hr.post("/competencies", &refs).await;
    assert!(r.body.contains("Kode ini sudah dipakai"));
    let levels = app.scalar("select count(*) from competency_levels l join competencies c on c.id = l.competency_id where c.code = 'AI-01'",
    )
    .await;
    assert_eq!(levels, 5);
    let catalog = app.scalar("select count(*) from competencies").await;
    assert!((30..=40).contains(&catalog), "about 30 competencies in the default catalog");
}

#[sqlx::test]
async fn every_list_exports_as_filtered(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let cases = [
        ("/competencies?area=keamanan&format=csv", "Kode,Nama", 4),
        ("/positions?q=Pranata+Komputer&format=csv", "Jabatan,Jenis", -1),
        ("/units?format=csv", "Kode,Unit kerja", 20),
        ("/accounts?q=kab&format=csv", "Nama pengguna,Nama", 2),
        ("/audit?action=create&entity=account&format=csv", "Waktu (UTC),Pelaku", 6),
        ("/assessments/pending?format=csv", "NIP,Nama,Unit kerja", -1),
    ];
    for (url, header, rows) in cases {
        let r = hr.get(url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}");
        assert!(r.headers["content-type"].to_str().unwrap_or("").starts_with("text/csv"), "{url}");
        let lines: Vec<&str> = r.body.trim_start_matches('\u{feff}').lines().collect();
        assert!(lines[0].starts_with(header), "{url}: {}", lines[0]);
        if rows >= 0 {
            assert_eq!(lines.len() as i64 - 1, rows, "{url}");
        }
    }
    let pk = hr.get("/positions?q=Pranata+Komputer&format=csv").await;
    assert!(pk.body.lines().skip(1).all(|l| l.starts_with("Pranata Komputer")));
    let x = hr.get("/units?format=xlsx").await;
    assert!(x.headers["content-type"].to_str().unwrap_or("").contains("spreadsheetml"));
    let page = hr.get("/competencies?area=keamanan&page=2").await;
    let has = |needle: &str| page.body.contains(needle);
    assert!(
        has("/competencies?area=keamanan&amp;format=csv") || has("/competencies?area=keamanan&#38;format=csv"),
        "the export link keeps the filter, drops the page"
    );
}

/// Markup, SQL metacharacters, control characters and very long strings in every field of
/// every form: a clear answer, never a 500, nothing rendered as markup.
#[sqlx::test]
async fn hostile_input_in_every_form_never_breaks_a_page(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let ids = crate::access::ids(&app).await;
    let long = "x".repeat(100_000);
    let values = [
        "<script>alert('x')</script>",
        "'; drop table employees; --",
        "\u{0}\u{7}",
        long.as_str(),
        "１２３",
        "-1",
        "99999999999999999999",
    ];
    let fields = [
        "username",
        "password",
        "nip",
        "name",
        "status",
        "front_title",
        "back_title",
        "sex",
        "birth_date",
        "rank",
        "position",
        "education_level",
        "education_field",
        "email",
        "phone",
        "code",
        "kind",
        "area",
        "name_id",
        "name_en",
        "description_id",
        "l1_id",
        "l1_en",
        "parent",
        "unit",
        "class_grade",
        "functional_level",
        "competency",
        "level",
        "priority",
        "from",
        "date",
        "current",
        "new",
        "confirm",
        "head_unit",
        "next",
    ];
    for user in ["kepegawaian", "admin"] {
        for (method, path, url, _) in crate::access::matrix() {
            if method != "POST"
                || path == "/logout"
                || path.contains("assessments") && path.starts_with("/employees")
                || path.starts_with("/imports/{kind}")
            {
                continue;
            }
            let url = crate::access::concrete(url, &ids);
            for v in values {
                let mut c = app.as_user(user).await;
                let form: Vec<(&str, &str)> = fields.iter().map(|f| (*f, v)).collect();
                let r = c.post(&url, &form).await;
                assert!(r.status.as_u16() < 500, "{url} as {user} with {:.20}: {}", v, r.status);
                assert!(!r.body.contains("<script>alert"), "{url} rendered markup");
            }
        }
    }
    let n: i64 =
        sqlx::query_scalar("select count(*) from employees where name like '%<script>%' or name like '%drop table%'")
            .fetch_one(&app.pool)
            .await
            .expect("n");
    assert_eq!(n, 0, "no hostile employee was stored");
}

#[sqlx::test]
async fn each_role_home_answers_its_first_question(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let r = app.as_user("pegawai").await.get("/").await;
    assert!(r.body.contains("kompetensi standar terpenuhi") && r.body.contains("Lihat profil kompetensi"));
    let pending_a = app.scalar("select count(*) from assessments a join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
         where a.status = 'pending' and u.code like 'APT%'
           and e.id <> (select employee_id from accounts where username = 'kabid.aptika')",
    )
    .await;
    let mut head = app.as_user("kabid.aptika").await;
    let queue = head.get("/approvals").await.body;
    let waiting = queue.matches("name=\"item\"").count();
    assert!(waiting as i64 > pending_a, "the one queue holds the self-assessments and more");
    let r = head.get("/").await;
    // One waiting figure on the home, the queue's, as beside the menu.
    assert!(
        r.body.contains(&format!("<span class=\"tile-num\">{waiting}</span><span class=\"tile-label\"><a href=\"/approvals\">keputusan menunggu Anda</a>")),
        "{}",
        r.body
    );
    assert_eq!(r.body.matches("href=\"/approvals\"").count(), 2, "the menu's and the home's, no second figure");
    assert!(
        r.body.contains(&format!("Persetujuan <span class=\"chip count\">{waiting}</span>")),
        "count beside the menu item"
    );
    // One definition of what waits (`waiting_decisions`): the notifications say the same number,
    // learning activities included.
    let notes = head.get("/notifications").await;
    assert!(notes.body.contains(&format!("{waiting} hal menunggu keputusan Anda")), "{}", notes.body);
    let activities = queue.matches("value=\"activity:").count();
    assert!(activities > 0, "the demo has learning activities waiting for this head");
    assert!(r.body.contains("action=\"/search\" role=\"search\""), "the top-bar search looks everywhere");
    assert!(r.body.contains("Bidang Aplikasi Informatika dan e-Government"));
    let r = app.as_user("kepegawaian").await.get("/").await;
    assert!(r.body.contains("pegawai aktif") && r.body.contains("keputusan menunggu Anda"));
    let r = app.as_user("admin").await.get("/").await;
    assert!(r.body.contains("akun pengguna") && !r.body.contains("keputusan menunggu"));
}

/// The audit log reads in people's words: actions, record types and fields in the user's
/// language, people and records by name, changes field by field; no JSON, no raw codes.
#[sqlx::test]
async fn the_audit_log_reads_in_words(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let unit = app.scalar("select id from units where code = 'APT-PA'").await;
    let r = hr
        .post_edit(
            &format!("/units/{unit}/edit"),
            &format!("/units/{unit}"),
            &[
                ("code", "APT-PA"),
                ("name", "Seksi Pengembangan Aplikasi Daerah"),
                ("kind", "seksi"),
                ("parent", &app.scalar("select parent_id from units where code = 'APT-PA'").await.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut admin = app.as_user("admin").await;
    let page = admin.get("/audit").await;
    assert_eq!(page.status, StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("Mengubah") && body.contains("Unit kerja"), "action and record type in words");
    assert!(
        body.contains("<del>Seksi Pengembangan Aplikasi</del> → <ins>Seksi Pengembangan Aplikasi Daerah</ins>"),
        "field by field"
    );
    let actor: String = sqlx::query_scalar(
        "select e.name from accounts a join employees e on e.id = a.employee_id where a.username = 'kepegawaian'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("hr name");
    assert!(body.contains(&actor), "the actor by name");
    assert!(
        !body.contains("{&#34;") && !body.contains("aud.action.") && !body.contains("aud.entity."),
        "no JSON, no raw codes"
    );
    assert!(!body.contains(">update<") && !body.contains(">create<") && !body.contains(">login<"));
    let en = {
        admin.get("/lang/en?next=/audit").await;
        admin.get("/audit").await
    };
    assert!(en.body.contains("Changed") && en.body.contains("Name"), "in English too");
}

/// Small things people tripped on: any part of a NIP finds the employee; a file is named after
/// its list and the date, its sheet after the list.
#[sqlx::test]
async fn nip_search_matches_any_part_and_files_carry_the_date(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    app.state.clock.set(Some("2026-11-23T05:00:00Z".parse().expect("instant")));
    let mut hr = app.as_user("kepegawaian").await;
    let nip: String =
        sqlx::query_scalar("select nip from employees order by id limit 1").fetch_one(&app.pool).await.expect("nip");
    let middle = &nip[6..14];
    let r = hr.get(&format!("/employees?q={middle}")).await;
    assert!(r.body.contains(&nip), "the middle of a NIP finds it");
    let x = hr.get("/employees?format=xlsx").await;
    let disposition = x.headers.get("content-disposition").and_then(|v| v.to_str().ok()).unwrap_or("").to_string();
    assert!(disposition.contains("pegawai-2026-11-23.xlsx"), "{disposition}");
}

/// The header search finds staff (within scope), competencies and trainings.
#[sqlx::test]
async fn the_header_search_finds_staff_competencies_and_trainings(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt: String = sqlx::query_scalar(
        "select e.name from employees e join units u on u.id = e.unit_id where u.code = 'APT-PA' and e.active order by e.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("name");
    let first = apt.split(' ').next().unwrap_or("").to_string();
    let mut head = app.as_user("kabid.aptika").await;
    let r = head.get(&format!("/search?q={first}")).await;
    assert!(r.body.contains(&apt), "a head finds their staff");
    let mut infra = app.as_user("kabid.infra").await;
    let r = infra.get(&format!("/search?q={}", apt.replace(' ', "%20"))).await;
    assert!(!r.body.contains(&format!(">{apt}")), "not another unit's staff");
    let mut me = app.as_user("pegawai").await;
    let r = me.get("/search?q=jaringan").await;
    assert!(
        r.body.contains("INF-01") && r.body.contains("Pelatihan Administrasi Jaringan Komputer"),
        "competencies and trainings"
    );
}

/// Next and previous pages of the employee list are found by key (after the last row shown,
/// before the first) and hold exactly the rows the numbered pages hold, in every keyset order;
/// the links in the page carry the cursor.
#[sqlx::test]
async fn keyset_pages_equal_numbered_pages_both_ways(pool: PgPool) {
    use cakap::employees::db::{Filter, list};
    let app = TestApp::seeded(pool).await;
    // Two people of the same name: the id breaks the tie across a page boundary.
    sqlx::query("update employees set name = 'Sama Nama' where id in (select id from employees order by name, id offset 49 limit 2)")
        .execute(&app.pool)
        .await
        .expect("same name");
    let scope = cakap::auth::Scope { all: true, own: None, unit_patterns: vec![] };
    let mut conn = app.pool.acquire().await.expect("connection");
    for (sort, dir) in [("", ""), ("name", "desc"), ("nip", ""), ("nip", "desc")] {
        let base = Filter { sort: sort.into(), dir: dir.into(), ..Filter::default() };
        let ids = |rows: Vec<cakap::employees::db::Row>| rows.into_iter().map(|r| r.id).collect::<Vec<_>>();
        let mut by_offset = vec![];
        for page in 0..3 {
            by_offset.push(ids(list(&mut conn, &base, &scope, Some(50), page * 50).await.expect("page")));
        }
        assert_eq!(by_offset.iter().map(Vec::len).sum::<usize>(), 120);
        // Forwards from page 1 by `after`, then back by `before`.
        let mut page = by_offset[0].clone();
        for want in &by_offset[1..] {
            let f = Filter { after: page.last().copied(), ..base.clone() };
            page = ids(list(&mut conn, &f, &scope, Some(50), 0).await.expect("after"));
            assert_eq!(&page, want, "after, sort {sort} {dir}");
        }
        for want in by_offset[..2].iter().rev() {
            let f = Filter { before: page.first().copied(), ..base.clone() };
            page = ids(list(&mut conn, &f, &scope, Some(50), 0).await.expect("before"));
            assert_eq!(&page, want, "before, sort {sort} {dir}");
        }
    }
    // The page's links carry the cursors; following them shows the same rows.
    let mut hr = app.as_user("kepegawaian").await;
    let link = |body: &str, rel: &str| {
        body.split(&format!("rel=\"{rel}\""))
            .next()
            .and_then(|s| s.rsplit("href=\"").next())
            .unwrap_or("")
            .replace("&amp;", "&")
    };
    let first = hr.get("/employees").await;
    let next = link(&first.body, "next");
    let last_id = by_offset_last(&app).await;
    assert!(next.contains("page=2") && next.contains(&format!("after={last_id}")), "{next}");
    let second = hr.get(&format!("/employees{}", next.trim_end_matches('"'))).await;
    let numbered = hr.get("/employees?page=2").await;
    assert_eq!(tbody(&second.body), tbody(&numbered.body));
    assert!(second.body.contains("51–100"));
}

async fn by_offset_last(app: &TestApp) -> i64 {
    app.scalar("select id from employees where active order by name, id offset 49 limit 1").await
}

/// The help links only to pages the reader may open: an employee is not sent to a 403.
#[sqlx::test]
async fn help_links_only_where_the_reader_may_go(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut pegawai = app.as_user("pegawai").await;
    let body = pegawai.get("/help").await.body;
    for path in ["/approvals", "/gaps", "/imports"] {
        assert!(!body.contains(&format!("href=\"{path}\"")), "{path} linked for an employee");
    }
    assert!(body.contains("href=\"/development\""));
    let hr = app.as_user("kepegawaian").await.get("/help").await.body;
    for path in ["/approvals", "/gaps", "/imports"] {
        assert!(hr.contains(&format!("href=\"{path}\"")), "{path} not linked for HR");
    }
}

/// A competency asked by many positions lists them 50 a page with their number, every one once.
#[sqlx::test]
async fn a_competencys_positions_come_50_a_page(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let comp = app.scalar("select id from competencies where code = 'APL-01'").await;
    sqlx::query(
        "with made as (insert into positions (unit_id, name, kind)
                       select (select id from units where code = 'APT'), 'Jabatan Uji ' || lpad(g::text, 3, '0'), 'pelaksana'
                       from generate_series(1, 70) g returning id)
         insert into position_standards (position_id, competency_id, required_level, priority)
         select id, $1, 3, 'important' from made",
    )
    .bind(comp)
    .execute(&app.pool)
    .await
    .expect("positions");
    let total = app.scalar(&format!("select count(*) from position_standards where competency_id = {comp}")).await;
    assert!(total > 70);
    let mut hr = app.as_user("kepegawaian").await;
    let mut seen = std::collections::BTreeSet::new();
    let pages = (total + 49) / 50;
    for page in 1..=pages {
        let got = hr.get(&format!("/competencies/{comp}?page={page}")).await;
        assert_eq!(got.status, StatusCode::OK);
        assert!(got.body.contains(&format!("dari {total}")), "the number over all pages");
        let rows: Vec<&str> =
            got.body.split("<a href=\"/positions/").skip(1).map(|s| s.split('"').next().unwrap_or("")).collect();
        assert!(rows.len() as i64 <= 50, "at most 50 a page");
        for r in rows {
            assert!(seen.insert(r.to_string()), "position {r} on two pages");
        }
    }
    assert_eq!(seen.len() as i64, total, "every position once");
    let past = hr.get(&format!("/competencies/{comp}?page={}", pages + 5)).await;
    assert!(
        past.body.contains(&format!("{} / {pages}", "Halaman")) || past.body.contains(&format!(" {pages} / {pages}")),
        "past the end: the last page"
    );
}
