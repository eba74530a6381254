//! Pages that stay fast as the organisation grows, and versions that follow what changed.

use sqlx::PgPool;

use crate::helpers::TestApp;

/// A page's read of `key` from `cache` (by a reader who did not just write): the employees whose
/// phone starts with `phone`, computed in `sleep` seconds and counted in `computed`. The count,
/// how long the read took, and how far behind the result served was (ms; 0 when current).
async fn page_read(
    cache: &cakap::app::versioned::VersionCache,
    pool: &PgPool,
    key: &str,
    sleep: f64,
    phone: &'static str,
    computed: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> (i64, std::time::Duration, u64) {
    use std::sync::{Arc, atomic::Ordering};

    use cakap::app::versioned::{Depends, REQUEST, RequestVersions};
    let req = Arc::new(RequestVersions::new(false, None));
    let computed = computed.clone();
    let reading = async {
        let started = std::time::Instant::now();
        let n = *cache
            .get_in(Depends::All, pool, key.into(), move |conn| {
                Box::pin(async move {
                    computed.fetch_add(1, Ordering::SeqCst);
                    sqlx::query("select pg_sleep($1)").bind(sleep).execute(&mut *conn).await?;
                    sqlx::query_scalar::<_, i64>("select count(*) from employees where phone like $1 || '%'")
                        .bind(phone)
                        .fetch_one(&mut *conn)
                        .await
                })
            })
            .await
            .expect("read");
        (n, started.elapsed())
    };
    let (n, took) = REQUEST.scope(req.clone(), reading).await;
    (n, took, req.stale_ms.load(Ordering::Relaxed))
}

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
            let Some(code) = row.split("<td class=\"mono\">").nth(1).and_then(|s| s.split('<').next()) else {
                continue;
            };
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
        csv.push_str(&format!(
            "19900101202012{:04};Pegawai Impor {i};PNS;L;01/01/1990;Pranata Komputer Ahli Pertama;APT-PA\n",
            1000 + i
        ));
    }
    let mut hr = app.as_user("kepegawaian").await;
    let r = hr.upload("employees", "pegawai.csv", csv.as_bytes()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let id = crate::imports::batch_id(&r);
    let before: i64 =
        app.scalar("select coalesce(analyze_count, 0) from pg_stat_user_tables where relname = 'employees'").await;
    let r = hr.post(&format!("/imports/batches/{id}/apply"), &[]).await;
    assert_eq!(r.status, 303);
    assert_eq!(app.scalar("select count(*) from employees where name like 'Pegawai Impor %'").await, 600);
    let mut analyzed = false;
    for _ in 0..100 {
        let n =
            app.scalar("select coalesce(analyze_count, 0) from pg_stat_user_tables where relname = 'employees'").await;
        if n > before {
            analyzed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(analyzed, "the employees table was analyzed after the import");
}

/// Versions follow what changed: a write in one bidang moves that bidang's version and the
/// department's, not another bidang's; a change that concerns everyone moves them all. A kept
/// result of the other bidang is reused.
#[sqlx::test]
async fn a_write_in_one_bidang_leaves_another_bidangs_results_valid(pool: PgPool) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use cakap::app::versioned::Depends;
    let app = TestApp::seeded(pool).await;
    let path = |code: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, String>("select path from units where code = $1")
                .bind(code)
                .fetch_one(&pool)
                .await
                .expect("unit")
        }
    };
    let (apt, infra, top) = (path("APT").await, path("INF").await, path("DKIS").await);
    let v = |p: Option<String>| {
        let pool = app.pool.clone();
        async move { sqlx::query_scalar::<_, i64>("select records_version($1)").bind(p).fetch_one(&pool).await.expect("v") }
    };
    let (a0, i0, t0, all0) =
        (v(Some(apt.clone())).await, v(Some(infra.clone())).await, v(Some(top.clone())).await, v(None).await);

    let computed = Arc::new(AtomicUsize::new(0));
    let kept = |p: String| {
        let (computed, state) = (computed.clone(), app.state.clone());
        async move {
            state
                .versions
                .get_in(Depends::Unit(p.clone()), &state.pool, format!("test:{p}"), move |conn| {
                    Box::pin(async move {
                        computed.fetch_add(1, Ordering::SeqCst);
                        sqlx::query_scalar::<_, i64>(
                            "select count(*) from employees e join units u on u.id = e.unit_id where u.path like $1 || '%'",
                        )
                        .bind(p)
                        .fetch_one(&mut *conn)
                        .await
                    })
                })
                .await
                .expect("kept")
        }
    };
    kept(infra.clone()).await;
    kept(apt.clone()).await;
    assert_eq!(computed.load(Ordering::SeqCst), 2);

    // An employee of Bidang Aplikasi changes their phone number.
    sqlx::query("update employees set phone = '0812' where id = (select e.id from employees e join units u on u.id = e.unit_id where u.path like $1 || '%' order by e.id limit 1)")
        .bind(&apt)
        .execute(&app.pool)
        .await
        .expect("write");
    assert!(v(Some(apt.clone())).await > a0, "the bidang's version moved");
    assert!(v(Some(top.clone())).await > t0, "the department's moved");
    assert!(v(None).await > all0);
    assert_eq!(v(Some(infra.clone())).await, i0, "another bidang's did not");
    kept(infra.clone()).await;
    assert_eq!(computed.load(Ordering::SeqCst), 2, "the other bidang's result is reused");
    kept(apt.clone()).await;
    assert_eq!(computed.load(Ordering::SeqCst), 3, "the bidang's own is computed again");

    // Moving someone from Aplikasi to Infrastruktur moves both.
    let (a1, i1) = (v(Some(apt.clone())).await, v(Some(infra.clone())).await);
    sqlx::query("update employees set unit_id = (select id from units where code = 'INF') where id = (select e.id from employees e join units u on u.id = e.unit_id where u.path like $1 || '%' order by e.id limit 1)")
        .bind(&apt)
        .execute(&app.pool)
        .await
        .expect("move");
    assert!(v(Some(apt.clone())).await > a1 && v(Some(infra.clone())).await > i1);

    // A statement that changes no row moves nothing; a competency concerns everyone.
    let (a2, i2) = (v(Some(apt.clone())).await, v(Some(infra.clone())).await);
    sqlx::query("update employees set phone = phone where false").execute(&app.pool).await.expect("nothing");
    assert_eq!((v(Some(apt.clone())).await, v(Some(infra.clone())).await), (a2, i2));
    sqlx::query("update competencies set name_en = name_en || '' where id = (select min(id) from competencies)")
        .execute(&app.pool)
        .await
        .expect("global");
    assert!(v(Some(apt.clone())).await > a2 && v(Some(infra.clone())).await > i2);
}

/// After a write, a page may be served the previous result (at most the stale window old) while
/// one background task computes the new one; a reader who just wrote waits for the new one.
#[sqlx::test]
async fn a_stale_result_is_served_while_one_refresh_runs_and_the_writer_sees_the_new(pool: PgPool) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use cakap::app::versioned::{Depends, REQUEST, RequestVersions, VersionCache};
    let app = TestApp::seeded(pool).await;
    // A long window, so a loaded test machine cannot outlast it between two reads.
    let cache = VersionCache::new(1 << 20, app.pool.clone(), std::time::Duration::from_secs(120));
    let computed = Arc::new(AtomicUsize::new(0));
    let read = |fresh: bool| {
        let (cache, computed, pool) = (cache.clone(), computed.clone(), app.pool.clone());
        let req = Arc::new(RequestVersions::new(fresh, None));
        let reading = async move {
            let n = cache
                .get_in(Depends::All, &pool, "count".into(), move |conn| {
                    Box::pin(async move {
                        computed.fetch_add(1, Ordering::SeqCst);
                        sqlx::query_scalar::<_, i64>("select count(*) from employees where phone = '0899'")
                            .fetch_one(&mut *conn)
                            .await
                    })
                })
                .await
                .expect("read");
            *n
        };
        let req2 = req.clone();
        async move { (REQUEST.scope(req2, reading).await, req.stale_ms.load(Ordering::Relaxed)) }
    };
    assert_eq!(read(false).await, (0, 0));
    sqlx::query("update employees set phone = '0899' where id = (select min(id) from employees)")
        .execute(&app.pool)
        .await
        .expect("write");
    let (n, stale_ms) = read(false).await;
    assert_eq!(n, 0, "the previous result, served at once");
    assert!(stale_ms > 0, "marked as stale");
    assert_eq!(read(true).await.0, 1, "a reader who just wrote waits for the current result");
    // The background refresh (or the fresh reader) computed it; later readers get it.
    for _ in 0..100 {
        if read(false).await == (1, 0) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(read(false).await, (1, 0));
    assert!(computed.load(Ordering::SeqCst) <= 3, "one refresh, not one per reader");
}

/// Under a stream of writes a kept result is computed again at most once per interval: a result
/// computed a moment ago is served (marked stale) and not refreshed until it is old enough.
#[sqlx::test]
async fn a_result_computed_a_moment_ago_is_not_refreshed_after_every_write(pool: PgPool) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use cakap::app::versioned::{Depends, REQUEST, RequestVersions, VersionCache};
    let app = TestApp::seeded(pool).await;
    let cache = VersionCache::new(1 << 20, app.pool.clone(), std::time::Duration::from_secs(120))
        .refreshing_every(std::time::Duration::from_secs(3));
    let computed = Arc::new(AtomicUsize::new(0));
    let read = || {
        let (cache, computed, pool) = (cache.clone(), computed.clone(), app.pool.clone());
        let req = Arc::new(RequestVersions::new(false, None));
        let reading = async move {
            *cache
                .get_in(Depends::All, &pool, "count".into(), move |conn| {
                    Box::pin(async move {
                        computed.fetch_add(1, Ordering::SeqCst);
                        sqlx::query_scalar::<_, i64>("select count(*) from employees where phone like '0898%'")
                            .fetch_one(&mut *conn)
                            .await
                    })
                })
                .await
                .expect("read")
        };
        REQUEST.scope(req, reading)
    };
    assert_eq!(read().await, 0);
    let write = |n: i64| {
        sqlx::query("update employees set phone = '0898' || $1 where id = (select min(id) from employees)")
            .bind(n.to_string())
            .execute(&app.pool)
    };
    // Three writes in quick succession, each followed by readers: all served the kept result, and
    // nothing computed again yet.
    for n in 0..3 {
        write(n).await.expect("write");
        assert_eq!(read().await, 0, "the kept result, served while it is young");
    }
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    assert_eq!(computed.load(Ordering::SeqCst), 1, "no refresh per write");
    // Once it is old enough, one reader starts one refresh, and later readers get the new result.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let mut seen = read().await;
    for _ in 0..100 {
        if seen == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        seen = read().await;
    }
    assert_eq!(seen, 1, "refreshed once it was old enough");
    assert_eq!(computed.load(Ordering::SeqCst), 2, "one refresh for the three writes");
}

/// A result that is costly to compute is served stale past the stale window rather than waited
/// for: up to seven times its computing time, refreshed every five (at 100 000 staff a
/// department's figures take seconds, and readers past a 5 s window waited for their refresh).
#[sqlx::test]
async fn a_costly_result_is_served_stale_longer_and_refreshed_less_often(pool: PgPool) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    use std::time::{Duration, Instant};

    use cakap::app::versioned::VersionCache;
    let app = TestApp::seeded(pool).await;
    // A 0.3 s computation and a 0.5 s window: served stale until 7 × 0.3 = 2.1 s, refreshed at 1.5 s.
    let cache = VersionCache::new(1 << 20, app.pool.clone(), Duration::from_millis(500));
    let computed = Arc::new(AtomicUsize::new(0));
    let read = || page_read(&cache, &app.pool, "costly", 0.3, "0897", &computed);
    let computed_at = Instant::now();
    assert_eq!(read().await.0, 0);
    sqlx::query("update employees set phone = '0897' where id = (select min(id) from employees)")
        .execute(&app.pool)
        .await
        .expect("write");
    // Past the 0.5 s window, before the refresh is due: served at once, nothing computed.
    tokio::time::sleep(Duration::from_millis(800).saturating_sub(computed_at.elapsed())).await;
    let (n, took, _) = read().await;
    assert_eq!(n, 0, "the previous result, past the stale window");
    assert!(took < Duration::from_millis(250), "served without waiting for a computation ({took:?})");
    assert_eq!(computed.load(Ordering::SeqCst), 1, "not refreshed before five times its cost");
    // Once the refresh is due, one reader starts it and is still served at once.
    tokio::time::sleep(Duration::from_millis(1700).saturating_sub(computed_at.elapsed())).await;
    let (n, took, _) = read().await;
    assert_eq!(n, 0);
    assert!(took < Duration::from_millis(250), "the refresh runs in the background ({took:?})");
    let mut seen = n;
    for _ in 0..100 {
        if seen == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        seen = read().await.0;
    }
    assert_eq!(seen, 1, "refreshed");
    assert_eq!(computed.load(Ordering::SeqCst), 2, "one refresh");
}

/// A node refreshes its costly results ahead with a fifth of a core, so with several of them each
/// comes round less often than every seven times its cost. Meanwhile its readers are still served
/// the stale result at once, for as long as the node's refresh-ahead cycle (`keep_current_loop`
/// sums each cache's part), not made to wait for it; a cache with no cycle makes them wait.
#[sqlx::test]
async fn a_stale_result_is_served_while_the_nodes_refreshes_ahead_come_round_to_it(pool: PgPool) {
    use std::sync::{Arc, atomic::AtomicUsize};
    use std::time::{Duration, Instant};

    use cakap::app::versioned::{AHEAD_SHARE, VersionCache};
    let app = TestApp::seeded(pool).await;
    // A 0.2 s computation and a 0.2 s window: served stale while at most 7 × 0.2 = 1.4 s behind.
    let cycling = VersionCache::new(1 << 20, app.pool.clone(), Duration::from_millis(200));
    let plain = VersionCache::new(1 << 20, app.pool.clone(), Duration::from_millis(200));
    let computed = Arc::new(AtomicUsize::new(0));
    let read = |cache| page_read(cache, &app.pool, "costly", 0.2, "0896", &computed);
    // A cheap result in the same cache: the node does not refresh it ahead, so the cycle does not
    // count for it.
    let cheap = |cache| page_read(cache, &app.pool, "cheap", 0.0, "0896", &computed);
    let computed_at = Instant::now();
    assert_eq!(read(&cycling).await.0, 0);
    let plain_at = Instant::now();
    assert_eq!(read(&plain).await.0, 0);
    assert_eq!(cheap(&cycling).await.0, 0);
    // Its part of the cycle: refreshed in its cost, then AHEAD_SHARE times as long before the next.
    let part = cycling.ahead_cycle_part();
    let cost = part / (AHEAD_SHARE + 1);
    assert!(cost >= Duration::from_millis(200) && cost < Duration::from_secs(2), "part {part:?}");
    cycling.set_ahead_cycle(Duration::from_secs(6));
    sqlx::query("update employees set phone = '0896' where id = (select min(id) from employees)")
        .execute(&app.pool)
        .await
        .expect("write");
    // 1.8 s after: past seven times its cost, within the node's cycle. On a busy machine the
    // computations measure longer than 0.2 s and the reads start later: wait past seven times
    // what each measured, counted from when it was read.
    let plain_cost = plain.ahead_cycle_part() / (AHEAD_SHARE + 1);
    let past = (computed_at + Duration::from_millis(1800))
        .max(computed_at + cost * 7 + Duration::from_millis(200))
        .max(plain_at + plain_cost * 7 + Duration::from_millis(200));
    tokio::time::sleep_until(past.into()).await;
    let (n, took, _) = read(&cycling).await;
    assert_eq!(n, 0, "the previous result, while the node's refreshes come round to it");
    assert!(took < Duration::from_millis(150), "served without waiting ({took:?})");
    assert_eq!(cheap(&cycling).await.0, 1, "a cheap result past the window: computed again for its reader");
    let (n, took, _) = read(&plain).await;
    assert_eq!(n, 1, "without a cycle: computed for its reader");
    assert!(took >= Duration::from_millis(200), "its reader waited ({took:?})");
}

/// How far behind a stale result is counts from the last moment it was known current: a costly
/// result computed long ago, which the node confirmed current while nothing changed, is served
/// at once to the first reader after a write (marked a moment behind) while one refresh runs.
/// Unconfirmed, that reader waits for the whole computation. Cheap results are not confirmed.
#[sqlx::test]
async fn a_costly_result_confirmed_current_is_served_at_once_after_a_quiet_while(pool: PgPool) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    use std::time::{Duration, Instant};

    use cakap::app::versioned::{Kept, VersionCache};
    let app = TestApp::seeded(pool).await;
    // A 0.3 s computation and a 0.2 s window: served stale while at most 7 × 0.3 = 2.1 s behind.
    let confirmed = VersionCache::new(1 << 20, app.pool.clone(), Duration::from_millis(200));
    let unconfirmed = VersionCache::new(1 << 20, app.pool.clone(), Duration::from_millis(200));
    let computed = Arc::new(AtomicUsize::new(0));
    let ahead = std::sync::Mutex::default();
    let read = |cache, key, sleep| page_read(cache, &app.pool, key, sleep, "0895", &computed);
    assert_eq!(read(&confirmed, "costly", 0.3).await.0, 0);
    assert_eq!(read(&confirmed, "cheap", 0.0).await.0, 0);
    assert_eq!(read(&unconfirmed, "costly", 0.3).await.0, 0);
    assert_eq!(computed.load(Ordering::SeqCst), 3);
    // A quiet while, longer than any result may be served behind; the node confirms meanwhile.
    let quiet = Instant::now();
    // On a machine so busy that even the cheap result took `KEEP_COSTLY` to compute, it is a
    // costly one: its own assertions are then left out.
    let mut cheap_is_costly = false;
    while quiet.elapsed() < Duration::from_millis(2600) {
        let kept = confirmed.keep_current(None, &ahead).await.expect("keep current");
        cheap_is_costly |= kept.confirmed == 2;
        let want = if cheap_is_costly { 2 } else { 1 };
        assert_eq!(
            kept,
            Kept { confirmed: want, refreshing: 0 },
            "the costly result is confirmed, the cheap one is not"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    sqlx::query("update employees set phone = '0895' where id = (select min(id) from employees)")
        .execute(&app.pool)
        .await
        .expect("write");
    let (n, took, behind) = read(&confirmed, "costly", 0.3).await;
    assert_eq!(n, 0, "the previous result, served at once");
    assert!(took < Duration::from_millis(250), "no wait for the computation ({took:?})");
    assert!(behind > 0 && behind < 1500, "marked as a moment behind, not as computed seconds ago ({behind} ms)");
    let (n, took, behind) = read(&unconfirmed, "costly", 0.3).await;
    assert_eq!((n, behind), (1, 0), "unconfirmed: too far behind to serve, computed again");
    assert!(took >= Duration::from_millis(300), "its reader waited ({took:?})");
    let (n, _, _) = read(&confirmed, "cheap", 0.0).await;
    if !cheap_is_costly {
        assert_eq!(n, 1, "the cheap result, unconfirmed, is computed again");
    }
    // The refresh the first reader started lands; nothing else computed it.
    let mut seen = 0;
    for _ in 0..100 {
        seen = read(&confirmed, "costly", 0.3).await.0;
        if seen == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(seen, 1, "refreshed");
    if cheap_is_costly {
        // The cheap one's refresh may still be running.
        assert!((5..=6).contains(&computed.load(Ordering::SeqCst)), "one refresh each");
    } else {
        assert_eq!(computed.load(Ordering::SeqCst), 6, "one refresh each, and the cheap one once more");
    }
}

/// A costly result read lately and made stale by a write is refreshed by the node itself once
/// its refresh is due, not by its next reader: a reader who comes back later finds it current.
#[sqlx::test]
async fn a_costly_result_read_lately_is_refreshed_ahead_of_its_next_reader(pool: PgPool) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    use std::time::{Duration, Instant};

    use cakap::app::versioned::{Ahead, Kept, VersionCache};
    let app = TestApp::seeded(pool).await;
    // A 0.3 s computation: its refresh is due 1.5 s after it was computed.
    let cache = VersionCache::new(1 << 20, app.pool.clone(), Duration::from_millis(200));
    // Another cache of the same node, with a result as costly made stale by the same write.
    let other = VersionCache::new(1 << 20, app.pool.clone(), Duration::from_millis(200));
    let ahead = std::sync::Mutex::new(Ahead::default());
    let computed = Arc::new(AtomicUsize::new(0));
    let read_in = |cache| page_read(cache, &app.pool, "costly", 0.3, "0894", &computed);
    let read = || read_in(&cache);
    let computed_at = Instant::now();
    assert_eq!(read().await.0, 0);
    assert_eq!(read_in(&other).await.0, 0);
    sqlx::query("update employees set phone = '0894' where id = (select min(id) from employees)")
        .execute(&app.pool)
        .await
        .expect("write");
    let kept = cache.keep_current(None, &ahead).await.expect("keep current");
    assert_eq!(kept, Kept::default(), "computed a moment ago: not refreshed yet");
    tokio::time::sleep(Duration::from_millis(1600).saturating_sub(computed_at.elapsed())).await;
    // On a busy machine the computation measures longer than 0.3 s, and its refresh falls due
    // that much later.
    let kept = until_a_refresh_starts(&cache, &ahead, 40).await;
    let started = Instant::now();
    assert_eq!(kept, Kept { confirmed: 0, refreshing: 1 }, "its refresh is due: started by the node");
    let kept = cache.keep_current(None, &ahead).await.expect("keep current");
    assert_eq!(kept.refreshing, 0, "one refresh at a time");
    let kept = other.keep_current(None, &ahead).await.expect("keep current");
    assert_eq!(kept.refreshing, 0, "one refresh ahead at a time over the node's caches");
    for _ in 0..100 {
        if computed.load(Ordering::SeqCst) == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Let the refresh store its result.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (n, took, behind) = read().await;
    assert_eq!((n, behind), (1, 0), "current when its reader comes back");
    assert!(took < Duration::from_millis(250), "without waiting ({took:?})");
    assert_eq!(computed.load(Ordering::SeqCst), 3, "one refresh, by the node");
    if started.elapsed() < Duration::from_millis(1400) {
        let kept = other.keep_current(None, &ahead).await.expect("keep current");
        assert_eq!(kept.refreshing, 0, "the last refresh ahead finished, but the next waits out its share");
    }
    tokio::time::sleep(Duration::from_millis(1600).saturating_sub(started.elapsed())).await;
    // The share is five times the refresh's measured time: on a busy machine (CI's two cores
    // running every test at once) the 0.3 s computation measured longer and the turn came later.
    let kept = until_a_refresh_starts(&other, &ahead, 60).await;
    assert_eq!(kept, Kept { confirmed: 0, refreshing: 1 }, "then the other cache's turn");
}

/// `keep_current` asked every 50 ms, at most `tries` times more, until it starts a refresh.
async fn until_a_refresh_starts(
    cache: &cakap::app::versioned::VersionCache,
    ahead: &std::sync::Mutex<cakap::app::versioned::Ahead>,
    tries: usize,
) -> cakap::app::versioned::Kept {
    let mut kept = cache.keep_current(None, ahead).await.expect("keep current");
    for _ in 0..tries {
        if kept.refreshing > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        kept = cache.keep_current(None, ahead).await.expect("keep current");
    }
    kept
}

/// A request reads each version once; a result it computes after a write that came later still
/// serves the request's next read of it. It was computed again (and not kept) when it was kept
/// for a version newer than the one the request read first: HR's two navigation counts share the
/// decisions waiting, and after each of their writes both computed them.
#[sqlx::test]
async fn a_result_read_twice_in_one_request_is_computed_once(pool: PgPool) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    use std::time::Duration;

    use cakap::app::versioned::{Depends, REQUEST, RequestVersions, VersionCache};
    let app = TestApp::seeded(pool).await;
    let cache = VersionCache::new(1 << 20, app.pool.clone(), Duration::from_millis(200));
    let computed = Arc::new(AtomicUsize::new(0));
    let read = |key: &'static str| {
        let (cache, pool, computed) = (cache.clone(), app.pool.clone(), computed.clone());
        async move {
            *cache
                .get_in(Depends::All, &pool, key.into(), move |conn| {
                    Box::pin(async move {
                        computed.fetch_add(1, Ordering::SeqCst);
                        sqlx::query_scalar::<_, i64>("select count(*) from employees").fetch_one(&mut *conn).await
                    })
                })
                .await
                .expect("read")
        }
    };
    // A request that just wrote: always the current results, each version read once.
    let request = Arc::new(RequestVersions::new(true, None));
    REQUEST
        .scope(request, async {
            read("first").await;
            // Another user's write between this request's read of the version and its next result.
            sqlx::query("update employees set phone = '0891' where id = (select min(id) from employees)")
                .execute(&app.pool)
                .await
                .expect("write");
            computed.store(0, Ordering::SeqCst);
            let a = read("second").await;
            let b = read("second").await;
            assert_eq!(a, b);
        })
        .await;
    assert_eq!(computed.load(Ordering::SeqCst), 1, "computed once for the request");
}

/// A refresh ahead is not a read: the result keeps the time its last reader read it, so one that
/// nobody opens any more stops being refreshed after `REFRESH_AHEAD_WITHIN`. Each refresh used
/// to count as a read, and under a steady stream of writes a node kept refreshing, for as long
/// as it ran, results nobody had read since it started (its warm-up read them all).
#[sqlx::test]
async fn a_refresh_ahead_does_not_count_as_a_read(pool: PgPool) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    use std::time::{Duration, Instant};

    use cakap::app::versioned::{Ahead, VersionCache};
    let app = TestApp::seeded(pool).await;
    let cache = VersionCache::new(1 << 20, app.pool.clone(), Duration::from_millis(200));
    let ahead = std::sync::Mutex::new(Ahead::default());
    let computed = Arc::new(AtomicUsize::new(0));
    let read = || page_read(&cache, &app.pool, "costly", 0.1, "0892", &computed);
    assert_eq!(read().await.0, 0);
    let read_at = Instant::now();
    sqlx::query("update employees set phone = '0892' where id = (select min(id) from employees)")
        .execute(&app.pool)
        .await
        .expect("write");
    // Its refresh is due five times its 0.1 s cost after it was computed.
    let mut refreshing = 0;
    for _ in 0..60 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        refreshing = cache.keep_current(None, &ahead).await.expect("keep current").refreshing;
        if refreshing > 0 {
            break;
        }
    }
    assert_eq!(refreshing, 1, "refreshed ahead: read moments ago");
    for _ in 0..100 {
        if computed.load(Ordering::SeqCst) == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let refreshed_at = Instant::now();
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(computed.load(Ordering::SeqCst), 2, "one refresh, by the node");
    let unread = cache.unread_for("costly").expect("kept");
    // As a read, the refresh would leave it read as long ago as the refresh (about 0.2 s).
    assert!(read_at.elapsed() >= refreshed_at.elapsed() + Duration::from_millis(150), "refreshed after the read");
    assert!(
        unread + Duration::from_millis(20) >= read_at.elapsed(),
        "the refresh did not count as a read: read {unread:?} ago, by its reader {:?} ago",
        read_at.elapsed()
    );
    let (n, _, behind) = read().await;
    assert_eq!((n, behind), (1, 0), "the refreshed result, current");
    assert!(cache.unread_for("costly").expect("kept") < Duration::from_millis(100), "a read counts");
}

/// Over a node's caches, the one result furthest behind is refreshed ahead first, whichever cache
/// keeps it. Asked one cache after the other, the first cache took every free turn and the
/// second's results (the approval queue, the counts beside the menu) were never refreshed ahead
/// under a stream of writes.
#[sqlx::test]
async fn the_result_furthest_behind_is_refreshed_ahead_first_over_all_caches(pool: PgPool) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };
    use std::time::{Duration, Instant};

    use cakap::app::versioned::{Ahead, VersionCache, keep_current_all};
    let app = TestApp::seeded(pool).await;
    let first = VersionCache::new(1 << 20, app.pool.clone(), Duration::from_millis(200));
    let second = VersionCache::new(1 << 20, app.pool.clone(), Duration::from_millis(200));
    let ahead = std::sync::Mutex::new(Ahead::default());
    let read_in = |cache, computed| page_read(cache, &app.pool, "costly", 0.1, "0893", computed);
    let (in_first, in_second) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    // The second cache's result was computed first: it is the further behind after a write.
    assert_eq!(read_in(&second, &in_second).await.0, 0);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let computed_at = Instant::now();
    assert_eq!(read_in(&first, &in_first).await.0, 0);
    sqlx::query("update employees set phone = '0893' where id = (select min(id) from employees)")
        .execute(&app.pool)
        .await
        .expect("write");
    // Both refreshes are due five times their 0.1 s cost after they were computed.
    tokio::time::sleep(Duration::from_millis(900).saturating_sub(computed_at.elapsed())).await;
    let caches = [first.clone(), second.clone()];
    let kept = keep_current_all(&caches, None, &ahead).await.expect("keep current");
    assert_eq!(kept.refreshing, 1, "one refresh ahead for the node");
    for _ in 0..100 {
        if in_second.load(Ordering::SeqCst) == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(in_second.load(Ordering::SeqCst), 2, "the second cache's result, the furthest behind, first");
    assert_eq!(in_first.load(Ordering::SeqCst), 1, "the first cache's waits its turn");
}

/// A figure kept as lagging (the notifications' count beside the menu, the re-assessments due) is
/// served as it was even to the reader who just wrote, while one refresh runs; a plain kept
/// result is computed again for them.
#[sqlx::test]
async fn a_lagging_figure_may_be_a_moment_old_even_for_the_writer(pool: PgPool) {
    use std::sync::Arc;

    use cakap::app::versioned::{Depends, REQUEST, RequestVersions, VersionCache};
    let app = TestApp::seeded(pool).await;
    let cache = VersionCache::new(1 << 20, app.pool.clone(), std::time::Duration::from_secs(120));
    let read = |lagging: bool| {
        let (cache, pool) = (cache.clone(), app.pool.clone());
        // The reader who just wrote.
        let req = Arc::new(RequestVersions::new(true, None));
        let reading = async move {
            fn compute(
                conn: &mut sqlx::PgConnection,
            ) -> cakap::app::versioned::BoxFuture<'_, Result<i64, sqlx::Error>> {
                Box::pin(async move {
                    sqlx::query_scalar::<_, i64>("select count(*) from employees where phone = '0896'")
                        .fetch_one(&mut *conn)
                        .await
                })
            }
            let n = if lagging {
                cache.get_in_lagging(Depends::All, &pool, "figure".into(), compute).await
            } else {
                cache.get_in(Depends::All, &pool, "figure".into(), compute).await
            };
            *n.expect("read")
        };
        REQUEST.scope(req, reading)
    };
    assert_eq!(read(true).await, 0);
    sqlx::query("update employees set phone = '0896' where id = (select min(id) from employees)")
        .execute(&app.pool)
        .await
        .expect("write");
    assert_eq!(read(true).await, 0, "lagging: the previous figure, at once");
    assert_eq!(read(false).await, 1, "not lagging: the writer's own write");
}

/// A node reuses a signed-in user's session for a moment (one round trip less per request), and
/// forgets it at once when the session ends here.
#[sqlx::test]
async fn a_session_is_reused_for_a_moment_and_forgotten_when_it_ends(pool: PgPool) {
    let seeded = TestApp::seeded(pool).await;
    let app = TestApp::reusing_sessions(seeded.pool, std::time::Duration::from_secs(30));
    let mut c = app.as_user("pegawai").await;
    assert_eq!(c.get("/ping").await.status, 200);
    let (r, queries) = crate::helpers::count_queries(c.get("/ping")).await;
    assert_eq!(r.status, 200);
    assert_eq!(queries, 1, "the floor asks the database once: its own select, not the session");
    // Ended elsewhere (another node): reused here for the moment.
    let mut other = c.clone_session();
    sqlx::query("update sessions set expires_at = now() where account_id = (select id from accounts where username = 'pegawai')")
        .execute(&app.pool)
        .await
        .expect("expire");
    assert_eq!(other.get("/ping").await.status, 200);
    // Ended here: forgotten at once.
    let mut fresh = app.as_user("pegawai").await;
    assert_eq!(fresh.get("/ping").await.status, 200);
    let form = fresh.get("/").await;
    let csrf = crate::helpers::hidden(&form.body, "csrf_token");
    let mut twin = fresh.clone_session();
    let r = fresh.post("/logout", &[("csrf_token", &csrf)]).await;
    assert!(r.status.is_redirection(), "{}", r.status);
    assert_ne!(twin.get("/ping").await.status, 200, "a logged-out session is not reused");
}

/// The kept results are bounded in bytes: the least recently used go first, and a result larger
/// than the whole budget is served but never kept.
#[sqlx::test]
async fn kept_results_stay_within_their_byte_budget(pool: PgPool) {
    use std::sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    };

    use cakap::app::versioned::VersionCache;
    let app = TestApp::seeded(pool).await;
    let cache = VersionCache::new(12_000, app.pool.clone(), std::time::Duration::ZERO);
    let computed = Arc::new(AtomicUsize::new(0));
    let read = |key: &'static str, n: i64| {
        let (cache, computed, pool) = (cache.clone(), computed.clone(), app.pool.clone());
        async move {
            cache
                .get(&pool, key.into(), move |conn| {
                    Box::pin(async move {
                        computed.fetch_add(1, Ordering::SeqCst);
                        sqlx::query_scalar::<_, i64>("select generate_series(1, $1)")
                            .bind(n)
                            .fetch_all(&mut *conn)
                            .await
                    })
                })
                .await
                .expect("read")
                .len()
        }
    };
    // Each 20-row result weighs ~5.3 KB: two fit in 12 KB, not three.
    read("a", 20).await;
    read("b", 20).await;
    assert!(cache.used_bytes() <= 12_000);
    read("a", 20).await;
    assert_eq!(computed.load(Ordering::SeqCst), 2, "both kept");
    read("c", 20).await;
    assert!(cache.used_bytes() <= 12_000, "{}", cache.used_bytes());
    read("a", 20).await;
    assert_eq!(computed.load(Ordering::SeqCst), 3, "b, the least recently used, went; a stayed");
    read("b", 20).await;
    assert_eq!(computed.load(Ordering::SeqCst), 4, "b computed again");
    // Larger than the whole budget: computed for each reader, never kept, nothing pushed out.
    let used = cache.used_bytes();
    assert_eq!(read("huge", 100).await, 100);
    assert_eq!(read("huge", 100).await, 100);
    assert_eq!(computed.load(Ordering::SeqCst), 6);
    assert_eq!(cache.used_bytes(), used);
}

/// Next year's plan is solved by a child process of the portal's binary (the portal's default), so
/// the solver's memory leaves with it; the child's answer is the same plan as one solved here.
#[sqlx::test]
async fn a_plan_solved_in_a_child_process_is_the_same_plan(pool: PgPool) {
    let seeded = TestApp::seeded(pool).await;
    let unit = seeded.scalar("select id from units where code = 'APT'").await;
    let year = chrono::Datelike::year(&chrono::Local::now().date_naive()) + 1;
    let solve = |child: bool| {
        let pool = seeded.pool.clone();
        async move {
            let mut config = crate::helpers::test_config(&pool);
            config.plan_solver = child.then(|| std::path::PathBuf::from(env!("CARGO_BIN_EXE_cakap")));
            let state = cakap::AppState::new(pool.clone(), config);
            sqlx::query("delete from plan_runs").execute(&pool).await.expect("clear");
            cakap::gaps::plan_run::enqueue(&state, unit, year, 50_000_000, None).await.expect("queued");
            assert_eq!(cakap::gaps::plan_run::run_queued(&state).await.expect("run"), 1);
            let (status, result): (String, Option<serde_json::Value>) =
                sqlx::query_as("select status, result from plan_runs").fetch_one(&pool).await.expect("run");
            assert_eq!(status, "done", "{result:?}");
            result.expect("a result")
        }
    };
    let here = solve(false).await;
    let child = solve(true).await;
    assert_eq!(child["optimal"]["objective"], here["optimal"]["objective"]);
    assert_eq!(child["lines"].as_array().map(Vec::len), here["lines"].as_array().map(Vec::len));
    assert_eq!(child["people"], here["people"]);
}

/// With the node's watch reading the records' version, a page served from kept results asks the
/// database nothing; a write moves the watch (what it kept goes, and a version read before the
/// move is not kept after it); a reader who just wrote reads the versions in their own snapshot.
#[sqlx::test]
async fn a_page_reads_the_versions_from_the_nodes_watch(pool: PgPool) {
    use cakap::app::versioned::Depends;
    let seeded = TestApp::seeded(pool).await;
    let app = TestApp::reusing_sessions(seeded.pool, std::time::Duration::from_secs(30));
    let watch = app.state.watch.clone();
    assert_eq!(watch.get(&Depends::All), None, "no watcher, no answer");
    assert!(watch.poll(&app.pool).await.expect("poll"), "the first read");
    let v0 = watch.get(&Depends::All).expect("the version of everything is known");

    let mut c = app.as_user("pegawai").await;
    for _ in 0..2 {
        assert_eq!(c.get("/").await.status, 200);
    }
    let (r, queries) = crate::helpers::count_queries(c.get("/")).await;
    assert_eq!(r.status, 200);
    assert_eq!(queries, 0, "a page served from kept results reads its versions from the watch");
    assert!(!watch.poll(&app.pool).await.expect("poll"), "nothing moved");

    // Someone writes: the watch's next read drops what it kept.
    let write = "update employees set phone = '0811' || id where id = (select max(id) from employees)";
    sqlx::query(write).execute(&app.pool).await.expect("write");
    assert!(watch.poll(&app.pool).await.expect("poll"), "moved");
    assert!(watch.get(&Depends::All).expect("known") > v0);
    let (r, queries) = crate::helpers::count_queries(c.get("/")).await;
    assert_eq!(r.status, 200);
    assert!(queries >= 1, "after a move the page reads the versions again");

    // A version read before a move, kept after it, would be wrong: it is dropped.
    let unit = Depends::Unit("/1/".into());
    let seen = watch.generation();
    sqlx::query(write).execute(&app.pool).await.expect("write");
    assert!(watch.poll(&app.pool).await.expect("poll"));
    watch.put(&unit, 1, seen);
    assert_eq!(watch.get(&unit), None);
    watch.put(&unit, 2, watch.generation());
    assert_eq!(watch.get(&unit), Some(2));

    // A reader who wrote moments ago reads the versions in their own snapshot.
    for _ in 0..2 {
        assert_eq!(c.get("/").await.status, 200);
    }
    c.cookies.insert(cakap::app::context::RECENT_WRITE_COOKIE.into(), "1".into());
    let (r, queries) = crate::helpers::count_queries(c.get("/")).await;
    assert_eq!(r.status, 200);
    assert!(queries >= 1, "the writer's own versions");
}

/// A page served from kept results takes no connection from the pool: sqlx pings every connection
/// it is given back, so a connection taken and not used cost a round trip (the kept department
/// pages answered at 0.4 of `/ping`). Held: every connection of the pool; the kept pages still
/// answer at once, and a page that must compute waits for one.
#[sqlx::test]
async fn kept_pages_answer_while_every_connection_is_held(pool: PgPool) {
    let seeded = TestApp::seeded(pool).await;
    let app = TestApp::reusing_sessions(seeded.pool, std::time::Duration::from_secs(60));
    assert!(app.state.watch.poll(&app.pool).await.expect("poll"), "the watch knows the version");
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let mut hr = app.as_user("kepegawaian").await;
    let mut emp = app.as_user("pegawai").await;
    // Neither wrote a moment ago (signing in is a write): they are served what the node keeps.
    hr.cookies.remove("cakap_rw");
    emp.cookies.remove("cakap_rw");
    let hr_pages =
        ["/", "/gaps", "/gaps/matrix", "/employees", "/assessments/pending", "/approvals", "/units", "/positions"];
    // The history keeps SIASN's imports with the rest (migration 93: an import moves the version).
    let emp_pages = ["/".to_string(), format!("/employees/{own}/gaps"), format!("/employees/{own}/development")];
    for _ in 0..2 {
        for p in hr_pages {
            assert_eq!(hr.get(p).await.status, 200, "{p}");
        }
        for p in &emp_pages {
            assert_eq!(emp.get(p).await.status, 200, "{p}");
        }
    }
    let max = app.pool.options().get_max_connections();
    let mut held = Vec::new();
    for _ in 0..max {
        held.push(app.pool.acquire().await.expect("a connection"));
    }
    assert_eq!(app.pool.num_idle(), 0, "every connection is held");
    let soon = std::time::Duration::from_secs(2);
    for p in hr_pages {
        let r = tokio::time::timeout(soon, hr.get(p)).await;
        assert_eq!(r.map(|r| r.status).ok(), Some(axum::http::StatusCode::OK), "{p} answered from kept results");
    }
    for p in &emp_pages {
        let r = tokio::time::timeout(soon, emp.get(p)).await;
        assert_eq!(r.map(|r| r.status).ok(), Some(axum::http::StatusCode::OK), "{p} answered from kept results");
    }
    // A page that asks the database (`/ping`: `select 1`) waits for a connection.
    assert!(tokio::time::timeout(std::time::Duration::from_millis(300), emp.get("/ping")).await.is_err());
    drop(held);
    assert_eq!(emp.get("/ping").await.status, 200);
}

/// A record imported from SIASN moves the records' version of its employee's scope (migration
/// 93), so the development history keeps it with the rest: another reader sees it once the
/// history is computed again, the importer at once.
#[sqlx::test]
async fn an_import_from_siasn_moves_the_version(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let mut emp = app.as_user("pegawai").await;
    emp.cookies.remove("cakap_rw");
    let history = format!("/employees/{own}/development");
    assert!(!emp.get(&history).await.body.contains("Kursus Impor Uji"));
    let before: i64 = sqlx::query_scalar("select records_version(null)").fetch_one(&app.pool).await.expect("v");
    sqlx::query(
        "insert into siasn_imported (employee_id, kind, siasn_id, name, institusi, jp, nomor, year)
         values ($1, 'kursus', 'uji-93', 'Kursus Impor Uji', 'Kominfo', 8, 'KIU/1', 2026)",
    )
    .bind(own)
    .execute(&app.pool)
    .await
    .expect("import");
    let after: i64 = sqlx::query_scalar("select records_version(null)").fetch_one(&app.pool).await.expect("v");
    assert!(after > before, "the version moved ({before} -> {after})");
    // Within the stale window the reader may be shown the history of a moment before; a fresh
    // one follows.
    let mut shown = false;
    for _ in 0..100 {
        if emp.get(&history).await.body.contains("Kursus Impor Uji") {
            shown = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(shown, "the import is in the history");
}

/// A write expires its account's navigation counts: the session that wrote counts them before its
/// next page; another session of the same account is shown the previous counts while one
/// background recount runs (rather than every session counting at once), then the new ones.
#[sqlx::test]
async fn a_write_recounts_the_writers_badges_and_others_of_the_account_follow(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut a = app.as_user("kepegawaian").await;
    let mut b = app.as_user("kepegawaian").await;
    // B did not write a moment ago (signing in is a write).
    b.cookies.remove("cakap_rw");
    let count = |body: &str| -> i64 {
        let at = body.find("href=\"/approvals\"").expect("the queue in the menu");
        let chip = &body[at..];
        let start = chip.find("<span class=\"chip count\">").expect("a count") + "<span class=\"chip count\">".len();
        chip[start..].split('<').next().unwrap_or("").trim().parse().expect("a number")
    };
    let before = count(&b.get("/").await.body);
    assert!(before > 0, "something waits for HR");
    let pending = app
        .scalar("select min(a.id) from assessments a join employees e on e.id = a.employee_id where a.status = 'pending' and a.source = 'self'")
        .await;
    let r = a.post(&format!("/assessments/{pending}/validate"), &[]).await;
    assert!(r.status.is_redirection(), "{}", r.status);
    assert_eq!(count(&a.get("/").await.body), before - 1, "the writer's next page counts first");
    // B: the previous counts at once, the new ones after the background recount.
    let mut seen = count(&b.get("/").await.body);
    assert!(seen == before || seen == before - 1, "{seen}");
    for _ in 0..100 {
        if seen == before - 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        seen = count(&b.get("/").await.body);
    }
    assert_eq!(seen, before - 1);
}

/// HR's first pages are computed when a node starts, so the first HR to open them after a start
/// does not wait. The approval queue, the gap summary and the skills matrix cost the warmed node
/// fewer statements than a node that did not start this way; the home and the counts beside the
/// menu are served from what the start computed even where they could no longer be computed (the
/// functions behind the department's JP count and the counts renamed away).
#[sqlx::test]
async fn hrs_first_pages_are_computed_when_a_node_starts(pool: PgPool) {
    use crate::helpers::count_queries;
    let app = TestApp::seeded(pool).await;
    let before = app.state.versions.used_bytes() + app.state.personal.used_bytes();
    cakap::app::warm::run(app.state.clone()).await;
    assert!(
        app.state.versions.used_bytes() + app.state.personal.used_bytes() > before,
        "the start kept HR's first pages"
    );
    let cold = TestApp::bare(app.pool.clone());
    let mut warm_hr = app.as_user("kepegawaian").await;
    let mut cold_hr = cold.as_user("kepegawaian").await;
    for page in ["/approvals", "/gaps", "/gaps/matrix", "/talent", "/talent/pool", "/activities"] {
        let (got, warm_n) = count_queries(warm_hr.get(page)).await;
        assert_eq!(got.status, 200, "{page}");
        let (got, cold_n) = count_queries(cold_hr.get(page)).await;
        assert_eq!(got.status, 200, "{page}");
        assert!(warm_n < cold_n, "{page}: {warm_n} statements on the warmed node, {cold_n} on a cold one");
    }
    // The kepala dinas heads the department's root unit and so sees all of it, as HR does
    // (`scope_covers`): their map and pool are the ones HR's start kept.
    let mut warm_kadis = app.as_user("kadis").await;
    let mut cold_kadis = TestApp::bare(app.pool.clone()).as_user("kadis").await;
    for page in ["/talent", "/talent/pool"] {
        let (_, warm_n) = count_queries(warm_kadis.get(page)).await;
        let (_, cold_n) = count_queries(cold_kadis.get(page)).await;
        assert!(warm_n < cold_n, "kadis {page}: {warm_n} statements on the warmed node, {cold_n} on a cold one");
    }
    for f in ["staff_below_jp(int)", "waiting_counts(boolean, bigint, text[])"] {
        let name = f.split('(').next().unwrap_or(f);
        sqlx::query(&format!("alter function {f} rename to {name}_away")).execute(&app.pool).await.expect("rename");
    }
    assert_eq!(warm_hr.get("/").await.status, 200, "the home was served from what the start computed");
    // A node that did not start this way computes them for its first reader, and cannot here.
    let colder = TestApp::bare(app.pool.clone());
    let mut hr = colder.as_user("kepegawaian").await;
    assert_eq!(hr.get("/").await.status, 500, "without the start's results the home computes them");
}
