//! Pages that stay fast as the organisation grows, and versions that follow what changed.

use sqlx::PgPool;

use crate::helpers::TestApp;

/// `/units` counts staff per unit and per subtree with grouped statements (the same figures as
/// counting each unit's subtree on its own) and pages a long tree.
#[sqlx::test]
async fn units_list_counts_subtrees_in_one_pass_and_pages_a_long_tree(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let pool = app.pool.clone();
    // 400 more units: 20 bidang under the first dinas, 19 seksi under each, one employee in each seksi.
    sqlx::query(
        "with d as (select id from units where parent_id is null order by id limit 1),
              b as (insert into units (parent_id, code, name, kind)
                    select d.id, 'SC-B' || g, 'Bidang Skala ' || g, 'bidang' from d, generate_series(1, 20) g
                    returning id, code)
         insert into units (parent_id, code, name, kind)
         select b.id, b.code || '-S' || s, 'Seksi Skala ' || b.code || '-' || s, 'seksi' from b, generate_series(1, 19) s",
    )
    .execute(&pool)
    .await
    .expect("units");
    sqlx::query(
        "insert into employees (nip, status, name, sex, birth_date, unit_id)
         select (199001012020121000 + row_number() over (order by u.id))::text, 'PNS', 'Pegawai ' || u.code, 'L', date '1990-01-01', u.id
         from units u where u.code like 'SC-B%-S%'",
    )
    .execute(&pool)
    .await
    .expect("employees");
    let expected: Vec<(String, i64, i64)> = sqlx::query_as(
        "select u.code,
                (select count(*) from employees e where e.active and e.unit_id = u.id),
                (select count(*) from employees e join units s on s.id = e.unit_id where e.active and s.path like u.path || '%')
         from units u order by u.sort_key",
    )
    .fetch_all(&pool)
    .await
    .expect("expected");
    assert!(expected.len() > 400);
    let mut hr = app.as_user("kepegawaian").await;
    let mut seen = Vec::new();
    for page in 1..=3 {
        let r = hr.get(&format!("/units?page={page}")).await;
        assert_eq!(r.status, 200, "{}", r.body);
        if page == 1 {
            assert!(r.body.contains("rel=\"next\""), "a long tree is paged");
        }
        for row in r.body.split("<tr").skip(2) {
            let Some(code) = row.split("<td class=\"mono\">").nth(1).and_then(|s| s.split('<').next()) else { continue };
            let nums: Vec<i64> = row
                .split("<td class=\"num\">")
                .skip(1)
                .filter_map(|s| s.split('<').next()?.replace('.', "").trim().parse().ok())
                .collect();
            seen.push((code.to_string(), nums[0], nums[1]));
        }
    }
    assert_eq!(seen, expected, "every unit once, in tree order, with its own and its subtree's staff");
    // The export is the whole tree.
    let csv = hr.get("/units?format=csv").await;
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().count(), expected.len() + 1);
}

/// A large import ends with fresh planner statistics for the tables it filled.
#[sqlx::test]
async fn a_large_import_analyzes_the_tables_it_filled(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut csv = String::from("NIP;Nama Lengkap;Status;Jenis Kelamin;Tanggal Lahir;Jabatan;Unit Kerja\n");
    for i in 0..600 {
        csv.push_str(&format!("19900101202012{:04};Pegawai Impor {i};PNS;L;01/01/1990;Pranata Komputer Ahli Pertama;APT-PA\n", 1000 + i));
    }
    let mut hr = app.as_user("kepegawaian").await;
    let r = hr.upload("employees", "pegawai.csv", csv.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = crate::imports::batch_id(&r);
    let before: i64 = app.scalar("select coalesce(analyze_count, 0) from pg_stat_user_tables where relname = 'employees'").await;
    let r = hr.post(&format!("/imports/batches/{id}/apply"), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(app.scalar("select count(*) from employees where name like 'Pegawai Impor %'").await, 600);
    let mut analyzed = false;
    for _ in 0..100 {
        let n = app.scalar("select coalesce(analyze_count, 0) from pg_stat_user_tables where relname = 'employees'").await;
        if n > before {
            analyzed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(analyzed, "the employees table was analyzed after the import");
}
