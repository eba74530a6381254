//! Performance ratings and the talent map: the demo's nine boxes, explanations, imports that
//! write all rows or none, settings, and scope on the map and the succession pool.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::TestApp;

fn last_year() -> i32 {
    chrono::Datelike::year(&chrono::Utc::now().date_naive()) - 1
}

async fn box_of(app: &TestApp, emp: i64, year: i32) -> Option<i16> {
    sqlx::query_scalar("select box from talent_placements($1) where employee_id = $2")
        .bind(year)
        .bind(emp)
        .fetch_one(&app.pool)
        .await
        .expect("placement")
}

#[sqlx::test]
async fn the_demo_map_fills_all_nine_boxes_and_explains_each_person(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let year = last_year();
    let counts: Vec<(i16, i64)> = sqlx::query_as(
        "select box, count(*) from talent_placements($1) where box is not null group by box order by box",
    )
    .bind(year)
    .fetch_all(&app.pool)
    .await
    .expect("counts");
    assert_eq!(counts.iter().map(|c| c.0).collect::<Vec<_>>(), (1..=9).collect::<Vec<i16>>(), "{counts:?}");
    let staff = app.scalar("select count(*) from employees where active").await;
    let middle = counts.iter().find(|c| c.0 == 5).map_or(0, |c| c.1);
    let largest = counts.iter().map(|c| c.1).max().unwrap_or(0);
    assert!(counts.iter().all(|c| c.1 * 2 < staff), "no box holds half the department: {counts:?}");
    assert!(middle * 12 >= staff, "the middle box is not thin: {counts:?}");
    assert!(largest < staff / 3, "{counts:?}");

    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get("/talent").await;
    assert_eq!(page.status, StatusCode::OK);
    for b in 1..=9 {
        assert!(page.body.contains(&format!("id=\"box-{b}\"")), "box {b}");
    }
    // Each person's box in words, with the figures it rests on.
    let (name, hk): (String, String) = sqlx::query_as(
        "select e.name, r.hasil_kerja from performance_ratings r join employees e on e.id = r.employee_id
         where r.year = $1 order by e.id limit 1",
    )
    .bind(year)
    .fetch_one(&app.pool)
    .await
    .expect("one");
    assert!(page.body.contains(&name));
    let words = match hk.as_str() {
        "above" => "hasil kerja Di atas ekspektasi",
        "below" => "hasil kerja Di bawah ekspektasi",
        _ => "hasil kerja Sesuai ekspektasi",
    };
    assert!(page.body.contains(words), "{words}");
    assert!(page.body.contains("Potensial") && page.body.contains("JP pengembangan dalam dua tahun"));
    // The weights with their sources.
    assert!(page.body.contains("PermenPANRB 6/2022") && page.body.contains("PermenPANRB 3/2020"));
    hr.get("/lang/en").await;
    let en = hr.get("/talent").await;
    assert!(
        en.body.contains("Performance") && en.body.contains("results Above expectations")
            || en.body.contains("results As expected")
    );
    let x = hr.get("/talent?format=xlsx").await;
    assert!(x.bytes.starts_with(b"PK"));
    let p = hr.get("/talent?format=pdf").await;
    assert!(p.bytes.starts_with(b"%PDF-"));
}

#[sqlx::test]
async fn an_import_writes_every_row_or_none_and_the_map_follows(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let year = last_year();
    let (a, a_nip): (i64, String) = sqlx::query_as("select id, nip from employees where active order by id limit 1")
        .fetch_one(&app.pool)
        .await
        .expect("a");
    let (b, b_nip): (i64, String) =
        sqlx::query_as("select id, nip from employees where active order by id offset 1 limit 1")
            .fetch_one(&app.pool)
            .await
            .expect("b");
    let mut hr = app.as_user("kepegawaian").await;
    let before: Vec<(String, i64)> = sqlx::query_as(
        "select hasil_kerja || perilaku_kerja, version from performance_ratings where year = $1 and employee_id in ($2, $3) order by employee_id",
    )
    .bind(year)
    .bind(a)
    .bind(b)
    .fetch_all(&app.pool)
    .await
    .expect("before");
    // One good row, one with an unknown NIP and a predicate against the SKP matrix: nothing is written.
    let bad = format!(
        "NIP,Tahun,Hasil Kerja,Perilaku Kerja,Predikat\n{a_nip},{year},Di bawah ekspektasi,Di bawah ekspektasi,\n199901012020011999,{year},Sesuai ekspektasi,Sesuai ekspektasi,Baik\n{b_nip},{year},Di atas ekspektasi,Di atas ekspektasi,Baik\n"
    );
    let r = hr.post_multipart("/talent/ratings/import", &[], Some(("file", "skp.csv", bad.as_bytes()))).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("Baris 3") && r.body.contains("NIP tidak dikenal"), "{}", r.body);
    assert!(r.body.contains("Baris 4") && r.body.contains("tidak sesuai matriks SKP"), "{}", r.body);
    let unchanged: Vec<(String, i64)> = sqlx::query_as(
        "select hasil_kerja || perilaku_kerja, version from performance_ratings where year = $1 and employee_id in ($2, $3) order by employee_id",
    )
    .bind(year)
    .bind(a)
    .bind(b)
    .fetch_all(&app.pool)
    .await
    .expect("after");
    assert_eq!(before, unchanged, "nothing written");

    // A good file: A both below (box 1, Sangat Kurang from the matrix), B both above.
    let good = format!(
        "NIP,Tahun,Hasil Kerja,Perilaku Kerja,Predikat\n{a_nip},{year},Di bawah ekspektasi,Di bawah ekspektasi,\n{b_nip},{year},Di atas ekspektasi,Di atas ekspektasi,Sangat Baik\n"
    );
    let r = hr.post_multipart("/talent/ratings/import", &[], Some(("file", "skp.csv", good.as_bytes()))).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (pred, version, source): (String, i64, String) = sqlx::query_as(
        "select predicate, version, source from performance_ratings where year = $1 and employee_id = $2",
    )
    .bind(year)
    .bind(a)
    .fetch_one(&app.pool)
    .await
    .expect("a rating");
    assert_eq!((pred.as_str(), source.as_str()), ("sangat_kurang", "import"));
    assert_eq!(version, before[0].1 + 1, "a new version of the record");
    assert_eq!(box_of(&app, a, year).await.map(|b| [1, 2, 4].contains(&b)), Some(true), "low performance");
    assert!(app.audit_count("update").await >= 1);
    // The same file again changes nothing and audits nothing.
    let audits = app.scalar("select count(*) from audit_log where entity = 'performance_rating'").await;
    hr.post_multipart("/talent/ratings/import", &[], Some(("file", "skp.csv", good.as_bytes()))).await;
    assert_eq!(app.scalar("select count(*) from audit_log where entity = 'performance_rating'").await, audits);

    // One rating recorded by hand, bad input kept with its message.
    let r = hr
        .post(
            "/talent/ratings",
            &[("nip", "123"), ("year", "1999"), ("hasil_kerja", "above"), ("perilaku_kerja", ""), ("predicate", "")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("NIP tidak dikenal") && r.body.contains("value=\"123\""), "{}", r.body);
    let r = hr
        .post(
            "/talent/ratings",
            &[
                ("nip", &b_nip),
                ("year", &year.to_string()),
                ("hasil_kerja", "as_expected"),
                ("perilaku_kerja", "as_expected"),
                ("predicate", ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let pred: String =
        sqlx::query_scalar("select predicate from performance_ratings where year = $1 and employee_id = $2")
            .bind(year)
            .bind(b)
            .fetch_one(&app.pool)
            .await
            .expect("b");
    assert_eq!(pred, "baik");
}

#[sqlx::test]
async fn the_weights_are_settings_audited_and_checked(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let fields = |ph: &'static str| {
        [
            ("perf_hasil", ph),
            ("perf_perilaku", "30"),
            ("exp_above", "100"),
            ("exp_as_expected", "60"),
            ("exp_below", "0"),
            ("pot_readiness", "50"),
            ("pot_qualification", "20"),
            ("pot_development", "30"),
            ("low_cut", "45"),
            ("high_cut", "75"),
            ("pot_low_cut", "70"),
            ("pot_high_cut", "90"),
        ]
    };
    let r = hr.post("/talent/settings", &fields("80")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("harus berjumlah 100") && r.body.contains("value=\"80\""), "{}", r.body);
    let r = hr.post("/talent/settings", &fields("70")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar("select count(*) from audit_log where entity = 'talent_settings'").await, 1);
    let mut head = app.as_user("kabid.aptika").await;
    assert_eq!(head.get("/talent/settings").await.status, StatusCode::OK);
    assert_eq!(head.post("/talent/settings", &fields("70")).await.status, StatusCode::FORBIDDEN);
}

#[sqlx::test]
async fn the_map_and_the_pool_keep_to_the_readers_scope(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let year = last_year();
    let in_apt = |code: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from talent_placements($1) t join employees e on e.id = t.employee_id
                 join units u on u.id = e.unit_id where u.path like (select path from units where code = $2) || '%'",
            )
            .bind(last_year())
            .bind(code)
            .fetch_one(&pool)
            .await
            .expect("count")
        }
    };
    let apt = in_apt("APT").await;
    let (apt_name, apt_id): (String, i64) = sqlx::query_as(
        "select e.name, e.id from employees e join units u on u.id = e.unit_id where e.active and u.code = 'APT-PA' order by e.id limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("apt person");
    let mut head_a = app.as_user("kabid.aptika").await;
    let page = head_a.get("/talent").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.body.matches("<tr><th scope=\"row\"><a href=\"/employees/").count() as i64,
        apt,
        "only Bidang Aplikasi"
    );
    let mut head_b = app.as_user("kabid.infra").await;
    let page = head_b.get("/talent").await;
    assert!(!page.body.contains(&format!("/employees/{apt_id}/talent")), "another bidang's people are not on B's map");
    assert_eq!(head_b.get(&format!("/employees/{apt_id}/talent")).await.status, StatusCode::NOT_FOUND);
    let other_unit: i64 = app.scalar("select id from units where code = 'APT'").await;
    assert_eq!(head_b.get(&format!("/talent?unit={other_unit}")).await.status, StatusCode::NOT_FOUND);

    // The employee: their own box and why, nobody else's, no map.
    let mut me = app.as_user("pegawai").await;
    let own: i64 = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    assert_eq!(me.get("/talent").await.status, StatusCode::FORBIDDEN);
    let r = me.get("/talent/me").await;
    assert_eq!(r.location(), format!("/employees/{own}/talent"));
    let mine = me.get(&format!("/employees/{own}/talent")).await;
    assert_eq!(mine.status, StatusCode::OK);
    assert!(mine.body.contains("Mengapa di kotak ini") && mine.body.contains("Kinerja"), "{}", mine.body);
    let b = box_of(&app, own, year).await.expect("placed");
    assert!(mine.body.contains(&format!("id=\"own-box\">{b}<")), "{}", mine.body);
    if apt_id != own {
        assert_eq!(me.get(&format!("/employees/{apt_id}/talent")).await.status, StatusCode::NOT_FOUND);
    }
    assert!(!apt_name.is_empty());

    // The pool: key positions of A and B; head A sees A's only, with candidates from A only.
    let keys_a = app
        .scalar(
            "select count(*) from positions p join units u on u.id = p.unit_id
             where p.is_key and u.path like (select path from units where code = 'APT') || '%'",
        )
        .await;
    let keys_all = app.scalar("select count(*) from positions where is_key").await;
    assert!(keys_a > 0 && keys_all > keys_a, "the demo has key positions in both bidang");
    let pool_a = head_a.get("/talent/pool").await;
    assert_eq!(pool_a.body.matches("id=\"key-").count() as i64, keys_a);
    let outsiders: Vec<i64> = sqlx::query_scalar(
        "select t.employee_id from talent_placements($1) t join employees e on e.id = t.employee_id
         join units u on u.id = e.unit_id
         where t.box >= 7 and u.path not like (select path from units where code = 'APT') || '%'",
    )
    .bind(year)
    .fetch_all(&app.pool)
    .await
    .expect("outsiders");
    assert!(!outsiders.is_empty());
    for o in &outsiders {
        assert!(!pool_a.body.contains(&format!("/employees/{o}/gaps?position=")), "candidate {o} is outside A");
    }
    let insiders = app
        .scalar(
            "select count(*) from talent_placements(extract(year from current_date)::int - 1) t join employees e on e.id = t.employee_id
             join units u on u.id = e.unit_id where t.box >= 7 and u.path like (select path from units where code = 'APT') || '%'",
        )
        .await;
    if insiders > 0 {
        assert!(pool_a.body.contains("/gaps?position="), "A's candidates are listed with their gap card");
    }
    let mut hr = app.as_user("kepegawaian").await;
    let pool_hr = hr.get("/talent/pool").await;
    assert_eq!(pool_hr.body.matches("id=\"key-").count() as i64, keys_all);
    let x = hr.get("/talent/pool?format=xlsx").await;
    assert!(x.bytes.starts_with(b"PK"));
    let p = hr.get("/talent/pool?format=pdf").await;
    assert!(p.bytes.starts_with(b"%PDF-"));
}

/// How many rows the sets `a` and `b` (defined by `with`, over the rating year `$1`) do not
/// share, counting repeats.
async fn rows_differ(app: &TestApp, year: i32, with: &str) -> i64 {
    sqlx::query_scalar(&format!(
        "with {with} select count(*) from ((select * from a except all select * from b)
                                          union all (select * from b except all select * from a)) d"
    ))
    .bind(year)
    .fetch_one(&app.pool)
    .await
    .expect("rows differ")
}

/// The map of a unit reads each person's kept facts: its placements are those of the whole
/// department under the unit, with readiness and development as the requirements and the JP
/// entries give them. A large box shows its first 12 and its count, the rest one click away in
/// the table filtered to it; the table's pages hold everyone once.
#[sqlx::test]
async fn the_map_pages_its_people_and_reads_the_kept_facts(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let year = last_year();
    // A unit's placements are the department's under it.
    let under = "u as (select path from units where code = 'APT'),
                 a as (select t.* from u, talent_placements_under($1, u.path) t),
                 b as (select t.* from talent_placements($1) t join employees e on e.id = t.employee_id
                       join units x on x.id = e.unit_id, u where x.path like u.path || '%')";
    assert_eq!(rows_differ(&app, year, under).await, 0);
    // A page's people scored alone are scored as among everyone.
    let by_ids = "ids as (select array_agg(employee_id) as ids from (select employee_id from talent_placements($1) order by employee_id desc limit 40) x),
                  a as (select t.* from ids, talent_placements_of($1, '', ids.ids) t),
                  b as (select t.* from talent_placements($1) t, ids where t.employee_id = any(ids.ids))";
    assert_eq!(rows_differ(&app, year, by_ids).await, 0);
    assert_eq!(
        app.scalar(&format!("with {} select count(*) from a", by_ids.replace("$1", &year.to_string()))).await,
        40
    );
    // Readiness and development from their sources, as the map's definition states them.
    let wrong: i64 = sqlx::query_scalar(
        "with g as (select employee_id, count(*) filter (where assessed) as assessed, count(*) filter (where gap = 0) as met
                    from requirement_gaps group by employee_id),
              d as (select employee_id, sum(jp)::float8 as jp from jp_entries where year between $1 - 1 and $1 group by employee_id)
         select count(*) from talent_placements($1) t left join g on g.employee_id = t.employee_id
         left join d on d.employee_id = t.employee_id
         where t.assessed <> coalesce(g.assessed, 0) or t.met <> coalesce(g.met, 0)
            or abs(t.development_jp - coalesce(d.jp, 0)) > 0.001",
    )
    .bind(year)
    .fetch_one(&app.pool)
    .await
    .expect("wrong");
    assert_eq!(wrong, 0, "readiness and development as their sources give them");

    let counts: Vec<(i16, i64)> = sqlx::query_as(
        "select box, count(*) from talent_placements($1) where box is not null group by box order by box",
    )
    .bind(year)
    .fetch_all(&app.pool)
    .await
    .expect("counts");
    let (big, big_n) = counts.iter().copied().max_by_key(|c| c.1).expect("a box");
    assert!(big_n > 12, "the demo has a box of more than 12: {counts:?}");
    let staff = app.scalar("select count(*) from employees where active").await;
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get("/talent").await;
    assert_eq!(page.status, StatusCode::OK);
    let cell =
        page.body.split(&format!("id=\"box-{big}\"")).nth(1).and_then(|c| c.split("</section>").next()).expect("cell");
    assert_eq!(cell.matches("<details>").count(), 12, "the first 12 of box {big}");
    assert!(cell.contains(&format!("<span class=\"chip\">{big_n}</span>")), "its count");
    assert!(cell.contains(&format!("dan {} lainnya di kotak {big}", big_n - 12)));
    // The box's table: everyone in it, in the map's order.
    let rows = |body: &str| -> Vec<String> {
        let table = body.split("id=\"table\"").nth(1).unwrap_or_default();
        table
            .split("<tr><th scope=\"row\"><a href=\"/employees/")
            .skip(1)
            .map(|r| r.split('/').next().unwrap_or_default().to_string())
            .collect()
    };
    let boxed = hr.get(&format!("/talent?box={big}")).await;
    let in_box = rows(&boxed.body);
    assert_eq!(in_box.len() as i64, big_n);
    let first: Vec<String> = cell
        .split("href=\"/employees/")
        .skip(1)
        .map(|r| r.split('/').next().unwrap_or_default().to_string())
        .fold(vec![], |mut v, id| {
            if !v.contains(&id) {
                v.push(id);
            }
            v
        });
    assert_eq!(first, in_box[..12].to_vec(), "the box shows the first of its table");
    // Every page of the whole table: everyone once.
    let mut seen: Vec<String> = vec![];
    for p in 1..=(staff + 49) / 50 {
        let r = hr.get(&format!("/talent?page={p}")).await;
        assert_eq!(r.status, StatusCode::OK);
        let these = rows(&r.body);
        assert!(these.len() <= 50 && !these.is_empty(), "page {p}");
        assert!(these.iter().all(|id| !seen.contains(id)), "nobody twice");
        seen.extend(these);
    }
    assert_eq!(seen.len() as i64, staff);
    // A page past the end is the last, and the pager opens the table.
    let last = (staff + 49) / 50;
    let past = hr.get("/talent?page=9999").await;
    assert!(past.body.contains(&format!("Halaman {last} / {last}")), "clamped");
    assert!(!rows(&past.body).is_empty());
    if last > 1 {
        assert!(hr.get("/talent").await.body.contains("page=2#table"), "the next page opens at the table");
    }
    // Nonsense in the filter is every box, not an error.
    assert_eq!(hr.get("/talent?box=x").await.status, StatusCode::OK);
    assert_eq!(rows(&hr.get("/talent?box=12").await.body).len(), 50.min(staff as usize));
}

/// Every candidate of each key position, closest to its standard first, computed here from the
/// standards and the current levels (not from the page's statement).
async fn expected_pool(app: &TestApp, year: i32) -> Vec<(i64, Vec<i64>)> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "select p.id, e.id
         from positions p cross join talent_placements($1) t join employees e on e.id = t.employee_id
         left join position_standards ps on ps.position_id = p.id
         left join current_levels cl on cl.employee_id = e.id and cl.competency_id = ps.competency_id
         where p.is_key and p.active and t.box >= 7 and e.position_id is distinct from p.id
         group by p.id, e.id, e.name, t.box
         order by p.id,
                  coalesce(sum(greatest(ps.required_level - cl.level, 0)), 0),
                  count(ps.competency_id) filter (where cl.level < ps.required_level),
                  count(ps.competency_id) filter (where cl.level is null),
                  t.box desc, e.name, e.id",
    )
    .bind(year)
    .fetch_all(&app.pool)
    .await
    .expect("expected pool");
    let mut out: Vec<(i64, Vec<i64>)> = Vec::new();
    for (p, e) in rows {
        match out.last_mut() {
            Some((q, es)) if *q == p => es.push(e),
            _ => out.push((p, vec![e])),
        }
    }
    out
}

/// The candidates a page lists under key position `p`, in order.
fn listed(body: &str, p: i64) -> Vec<i64> {
    let Some(section) = body.split(&format!("id=\"key-{p}\"")).nth(1) else { return Vec::new() };
    let section = section.split("</section>").next().unwrap_or_default();
    let tail = format!("/gaps?position={p}\"");
    section
        .split("href=\"/employees/")
        .skip(1)
        .filter_map(|s| s.split_once(&tail).and_then(|(id, _)| id.parse().ok()))
        .collect()
}

/// The succession pool lists the first ten candidates of each key position, closest to its
/// standard first, with how many more there are and a link listing them all; the exports hold
/// everyone.
#[sqlx::test]
async fn the_pool_lists_the_closest_ten_and_the_rest_on_request(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let year = last_year();
    let expected = expected_pool(&app, year).await;
    assert!(expected.iter().any(|(_, es)| es.len() > 10), "the demo has a key position with more than ten candidates");
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get("/talent/pool").await;
    assert_eq!(page.status, StatusCode::OK);
    for (p, all) in &expected {
        let shown = listed(&page.body, *p);
        assert_eq!(shown, all.iter().copied().take(10).collect::<Vec<_>>(), "the first ten of {p}");
        let more = format!("?year={year}&amp;position={p}#key-{p}");
        if all.len() > 10 {
            assert!(page.body.contains(&format!("dan {} calon lainnya", all.len() - 10)), "{p}: how many more");
            assert!(page.body.contains(&more));
            let one = hr.get(&format!("/talent/pool?year={year}&position={p}")).await;
            assert_eq!(one.status, StatusCode::OK);
            assert_eq!(&listed(&one.body, *p), all, "every candidate of {p}");
            assert_eq!(one.body.matches("id=\"key-").count(), 1, "only that key position");
        } else {
            assert!(!page.body.contains(&more));
        }
    }
    let csv = hr.get(&format!("/talent/pool?year={year}&format=csv")).await;
    let rows = csv.body.lines().count() - 1;
    assert_eq!(rows, expected.iter().map(|(_, es)| es.len()).sum::<usize>(), "the export holds everyone");
    // A key position out of the reader's reach, or none, is not found.
    let infra_key: i64 = app
        .scalar(
            "select p.id from positions p join units u on u.id = p.unit_id
             where p.is_key and u.path not like (select path from units where code = 'APT') || '%' order by p.id limit 1",
        )
        .await;
    let mut head = app.as_user("kabid.aptika").await;
    assert_eq!(head.get(&format!("/talent/pool?position={infra_key}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(hr.get("/talent/pool?position=999999999").await.status, StatusCode::NOT_FOUND);
    // The page is kept, and a write shows at once: a key position unmarked leaves it.
    let (gone, _) = &expected[0];
    let id = gone.to_string();
    let r = hr.post("/talent/pool/key", &[("position", &id), ("key", "0")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = hr.get("/talent/pool").await;
    assert!(!page.body.contains(&format!("id=\"key-{gone}\"")), "unmarked");
    assert_eq!(page.body.matches("id=\"key-").count(), expected.len() - 1);
}
