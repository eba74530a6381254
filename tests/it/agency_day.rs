//! The agency's day in each of Indonesia's three time zones. The same local moment, 00:30 on
//! 24 November 2026 (still 23 November in UTC, whatever the zone), is looked at in WIB, WITA and
//! WIT: the agency's today (the portal's clock and SQL's `agency_date`/`agency_today`), an instant
//! shown with its zone's name, a certificate warning dated at the local midnight (on the
//! notifications page at once, and in that morning's 06:00 digest), and the audit log's date filter
//! over the local day.

use cakap::{app::clock::TimeZone, i18n, notifications::digest::Mailer};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::PgPool;

use crate::{digest::Sink, helpers::TestApp};

/// Each zone: its setting, its offset from UTC in hours, its name.
const ZONES: [(&str, i64, &str); 3] =
    [("Asia/Jakarta", 7, "WIB"), ("Asia/Makassar", 8, "WITA"), ("Asia/Jayapura", 9, "WIT")];

/// `h:m` on `day`, local time of a zone `offset` hours east of UTC.
fn local(day: NaiveDate, h: u32, m: u32, offset: i64) -> DateTime<Utc> {
    (day.and_hms_opt(h, m, 0).expect("time") - Duration::hours(offset)).and_utc()
}

#[sqlx::test]
async fn the_same_day_in_wib_wita_and_wit(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let day = NaiveDate::from_ymd_opt(2026, 11, 24).expect("day");
    let eve = day.pred_opt().expect("eve");
    // The employee's certificate ends 30 days after that day: its 30-day warning is dated that day.
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    sqlx::query(
        "insert into training_participants (training_id, employee_id, status, certificate_no, certificate_expires_on)
         select t.id, $1, 'passed', 'SERT-ZONA', $2 from trainings t
         where not exists (select 1 from training_participants p where p.training_id = t.id and p.employee_id = $1)
           and t.title ~ '^[A-Za-z0-9 ]+$'
         order by t.id limit 1",
    )
    .bind(own)
    .bind(day + Duration::days(30))
    .execute(&app.pool)
    .await
    .expect("certificate");
    let title: String = sqlx::query_scalar(
        "select t.title from training_participants p join trainings t on t.id = p.training_id where p.certificate_no = 'SERT-ZONA'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("title");
    let email: String = sqlx::query_scalar("select e.email from employees e where e.id = $1")
        .bind(own)
        .fetch_one(&app.pool)
        .await
        .expect("email");
    let sink = Sink::start().await;
    let mut config = (*app.state.config).clone();
    config.smtp_url = Some(format!("smtp://{}", sink.addr));
    let mailer = Mailer::from_config(&config).expect("valid").expect("configured");
    let mut admin = app.as_user("admin").await;
    let mut me = app.as_user("pegawai").await;

    for (n, (zone, offset, name)) in ZONES.into_iter().enumerate() {
        sqlx::query("update settings set value = $1 where key = 'time_zone'")
            .bind(zone)
            .execute(&app.pool)
            .await
            .expect("tz");
        app.state.settings.invalidate();
        let tz = TimeZone::parse(zone).expect("zone");
        let at = local(day, 0, 30, offset);
        app.state.clock.set(Some(at));

        // Today: the agency's date, in Rust and in SQL, while UTC's is still the day before.
        assert_eq!(at.date_naive(), eve, "{name}: UTC is still the 23rd");
        assert_eq!(app.state.clock.today(tz), day, "{name}");
        let (sql_day, sql_start): (NaiveDate, DateTime<Utc>) =
            sqlx::query_as("select agency_date($1), agency_day_start($2)")
                .bind(at)
                .bind(day)
                .fetch_one(&app.pool)
                .await
                .expect("sql");
        assert_eq!((sql_day, sql_start), (day, local(day, 0, 0, offset)), "{name}");
        assert_eq!(tz.day_start(day), sql_start, "{name}: Rust and SQL start the day at once");
        let before = cakap::app::clock::Clock::default().today(tz);
        let sql_today: NaiveDate =
            sqlx::query_scalar("select agency_today()").fetch_one(&app.pool).await.expect("today");
        let after = cakap::app::clock::Clock::default().today(tz);
        assert!(sql_today == before || sql_today == after, "{name}: {sql_today} {before}");

        // An instant, shown in the zone with its name.
        assert_eq!(i18n::datetime(i18n::Lang::Id, tz, at), format!("24 November 2026 00:30 {name}"));
        assert_eq!(
            i18n::datetime(i18n::Lang::En, tz, at - Duration::hours(1)),
            format!("23 November 2026 23:30 {name}")
        );

        // The certificate's warning is dated at the local midnight: there at 00:30 already.
        let notes = me.get("/notifications").await;
        let line = notes
            .body
            .split("<li")
            .find(|l| l.contains(&title) && l.contains("berakhir dalam 30 hari"))
            .unwrap_or_else(|| panic!("{name}: the 30-day warning is shown at 00:30: {}", notes.body));
        assert!(
            line.contains(&format!("24 November 2026 00:00 {name}")),
            "{name}: dated at the local midnight: {line}"
        );

        // The 06:00 digest of that day sends it (before, it was dated 07:00 WIB and came a day late).
        sqlx::query(
            "update accounts set digest_sent_at = null, digest_claimed_until = null where username = 'pegawai'",
        )
        .execute(&app.pool)
        .await
        .expect("owed");
        cakap::notifications::digest::send_due(&app.state, &mailer, local(day, 6, 0, offset)).await.expect("digest");
        let mails = sink.to(&email);
        assert_eq!(mails.len(), n + 1, "{name}: one digest that morning");
        assert!(mails[n].data.contains("berakhir dalam 30 hari"), "{name}: {}", mails[n].data);

        // The audit log's dates are the agency's days: 00:30 on the 24th is the 24th, 23:30 the
        // evening before is the 23rd, wherever UTC puts them.
        let actor = format!("zona-{name}");
        for (who, when) in [("pagi", at), ("malam", local(eve, 23, 30, offset))] {
            sqlx::query("insert into audit_log (at, actor, entity, entity_id, action) values ($1, $2, 'settings', '', 'update')")
                .bind(when)
                .bind(format!("{actor}-{who}"))
                .execute(&app.pool)
                .await
                .expect("audit");
        }
        let page = admin.get(&format!("/audit?actor={actor}&from=24-11-2026&to=24-11-2026")).await;
        assert!(page.body.contains(&format!("24 November 2026 00:30 {name}")), "{name}: {}", page.body);
        assert!(
            page.body.contains(&format!("{actor}-pagi")) && !page.body.contains(&format!("{actor}-malam")),
            "{name}"
        );
        let page = admin.get(&format!("/audit?actor={actor}&from=2026-11-23&to=2026-11-23")).await;
        assert!(page.body.contains(&format!("23 November 2026 23:30 {name}")), "{name}: {}", page.body);
        assert!(
            page.body.contains(&format!("{actor}-malam")) && !page.body.contains(&format!("{actor}-pagi")),
            "{name}"
        );
        let page = admin.get(&format!("/audit?actor={actor}&from=2026-11-23")).await;
        assert!(
            page.body.contains(&format!("{actor}-malam")) && page.body.contains(&format!("{actor}-pagi")),
            "{name}"
        );
    }
}

/// The HR home's evaluation average covers the agency's year: an evaluation sent at 00:30 WIB on
/// 1 January counts in that year although it was still 31 December in UTC.
#[sqlx::test]
async fn the_home_averages_the_evaluations_of_the_agencys_year(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    app.state.clock.set(Some("2026-06-01T05:00:00Z".parse().expect("instant")));
    sqlx::query("delete from training_evaluations").execute(&app.pool).await.expect("clear");
    // 00:30 WIB on 1 January 2026, 23:30 WIB on 31 December 2025, 00:30 WIB on 1 January 2027.
    for (n, (score, at)) in
        [(5, "2025-12-31T17:30:00Z"), (1, "2025-12-31T16:30:00Z"), (2, "2026-12-31T17:30:00Z")].into_iter().enumerate()
    {
        sqlx::query(
            "insert into training_evaluations (participant_id, relevance, method, trainer, usefulness, submitted_at)
             select id, $1, $1, $1, $1, $2::timestamptz from training_participants order by id offset $3 limit 1",
        )
        .bind(score as i16)
        .bind(at)
        .bind(n as i64)
        .execute(&app.pool)
        .await
        .expect("evaluation");
    }
    let mut hr = app.as_user("kepegawaian").await;
    let home = hr.get("/").await;
    let tile = home.body.split("<a href=\"/development/effect\">").next().expect("page");
    let figure = tile.rsplit("<span class=\"tile-num\">").next().expect("tile");
    assert!(figure.starts_with("5,00</span>") || figure.starts_with("5.00</span>"), "the 2026 average: {figure}");
}
