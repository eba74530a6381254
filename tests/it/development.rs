//! Formal and informal development through the real router: every workflow step and its
//! refusals, the budget arithmetic (with HR's override), JP from both sources under the agency's
//! rules, certificates about to expire, the SIASN files and the effect figures on a hand-computed
//! fixture. Trainings here are charged to 2031, a year the demo data leaves alone.

use axum::http::StatusCode;
use sqlx::PgPool;

use crate::helpers::{Client, TestApp, waiting_of_each_kind};

async fn text(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.expect(sql)
}

/// Staff of the Aplikasi Informatika subtree without an account: (id, NIP), in a stable order.
async fn apt_staff(app: &TestApp, n: i64) -> Vec<(i64, String)> {
    sqlx::query_as(
        "select e.id, e.nip from employees e join units u on u.id = e.unit_id
         where u.code like 'APT-%' and e.active and not exists (select 1 from accounts a where a.employee_id = e.id)
         order by e.id limit $1",
    )
    .bind(n)
    .fetch_all(&app.pool)
    .await
    .expect("staff")
}

/// The training form's fields for a 2031 training charged to the Aplikasi Informatika budget.
fn training_fields<'a>(apt: &'a str, title: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("title", title),
        ("form", "teknis"),
        ("jenis_diklat", "3"),
        ("place", "Bandung"),
        ("starts_on", "2031-03-02"),
        ("ends_on", "2031-03-04"),
        ("jp", "16"),
        ("cost_per_participant", "Rp4.000.000"),
        ("fixed_cost", "2.000.000"),
        ("budget_year", "2031"),
        ("budget_unit", apt),
        ("quota", "3"),
        ("status", "open"),
    ]
}

/// Create a training as HR; its id.
async fn create_training(hr: &mut Client, apt: &str, title: &str) -> i64 {
    let form = hr.get("/trainings/new").await;
    let token = crate::helpers::hidden(&form.body, "form_token");
    let mut fields = training_fields(apt, title);
    fields.push(("form_token", &token));
    let r = hr.post("/trainings", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    r.location().trim_start_matches("/trainings/").parse().expect("training id")
}

async fn participant(app: &TestApp, training: i64, employee: i64) -> i64 {
    sqlx::query_scalar("select id from training_participants where training_id = $1 and employee_id = $2")
        .bind(training)
        .bind(employee)
        .fetch_one(&app.pool)
        .await
        .expect("participant")
}

async fn status(app: &TestApp, participant: i64) -> String {
    sqlx::query_scalar("select status from training_participants where id = $1")
        .bind(participant)
        .fetch_one(&app.pool)
        .await
        .expect("status")
}

/// (committed, spent) of the 2031 Aplikasi Informatika budget, from the view.
async fn budget_use(app: &TestApp) -> (i64, i64) {
    sqlx::query_as(
        "select coalesce(sum(committed), 0)::bigint, coalesce(sum(spent), 0)::bigint from budget_use b
         join units u on u.id = b.unit_id where b.year = 2031 and u.code = 'APT'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("budget")
}

#[sqlx::test]
async fn a_training_from_nomination_to_evaluation_within_quota_and_budget(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt = app.scalar("select id from units where code = 'APT'").await.to_string();
    let mut hr = app.as_user("kepegawaian").await;
    let mut head = app.as_user("kabid.aptika").await;
    let mut other_head = app.as_user("kabid.infra").await;
    let mut me = app.as_user("pegawai").await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let own_nip = text(
        &app,
        "select e.nip from employees e join accounts a on a.employee_id = e.id where a.username = 'pegawai'",
    )
    .await;

    // Budget 2031 for the bidang: Rp10.000.000 (the form says it had no budget yet: version 0).
    let r = hr.post(&format!("/budgets/2031/{apt}"), &[("amount", "Rp10.000.000"), ("version", "0")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = hr.post(&format!("/budgets/2031/{apt}"), &[("amount", "12.000.000"), ("version", "0")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a budget changed meanwhile is not overwritten");
    assert_eq!(app.scalar("select amount from unit_budgets where year = 2031").await, 10_000_000);

    let t = create_training(&mut hr, &apt, "Pelatihan Uji Anggaran").await;
    let comp = app.scalar("select id from competencies where code = 'APL-01'").await.to_string();
    let r = hr.post(&format!("/trainings/{t}/competencies"), &[("competency", &comp), ("level", "3")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);

    let staff = apt_staff(&app, 3).await;
    let infra_nip = text(&app, "select e.nip from employees e join units u on u.id = e.unit_id where u.code like 'INF-%' order by e.id limit 1").await;
    // Refusals: outside the head's units, an unknown NIP, more than the seats: nothing added.
    let typed = format!("{}\n{infra_nip}", staff[0].1);
    let r = head.post(&format!("/trainings/{t}/participants"), &[("nips", &typed)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("di luar unit"), "{}", r.body);
    assert!(r.body.contains(&infra_nip), "the typed NIPs are kept");
    let r = head.post(&format!("/trainings/{t}/participants"), &[("nips", "199901012020011999")]).await;
    assert!(r.body.contains("tidak ditemukan"), "{}", r.body);
    let four = format!("{own_nip}\n{}\n{}\n{}", staff[0].1, staff[1].1, staff[2].1);
    let r = head.post(&format!("/trainings/{t}/participants"), &[("nips", &four)]).await;
    assert!(r.body.contains("Kuota penuh"), "{}", r.body);
    assert_eq!(app.scalar(&format!("select count(*) from training_participants where training_id = {t}")).await, 0);

    let three = format!("{own_nip}\n{}\n{}", staff[0].1, staff[1].1);
    let r = head.post(&format!("/trainings/{t}/participants"), &[("nips", &three)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert!(app.audit_count("nominate").await >= 3);
    let r = hr.post(&format!("/trainings/{t}/participants"), &[("nips", &staff[0].1)]).await;
    assert!(r.body.contains("sudah terdaftar"), "a participant added twice: {}", r.body);

    let p_own = participant(&app, t, own).await;
    let p1 = participant(&app, t, staff[0].0).await;
    let p2 = participant(&app, t, staff[1].0).await;

    // Another unit's head cannot decide; the first approval costs the fixed cost plus one seat.
    let r = other_head.post(&format!("/participants/{p_own}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = head.post(&format!("/participants/{p_own}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(budget_use(&app).await, (6_000_000, 0));
    let r = head.post(&format!("/participants/{p_own}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "decided once");
    // Rp4.000.000 left: the second seat fits exactly.
    let r = head.post(&format!("/participants/{p1}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(budget_use(&app).await, (10_000_000, 0));
    // The third would overrun: the head is refused, HR too without a reason, HR with one passes.
    let r = head.post(&format!("/participants/{p2}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("Rp4.000.000") && r.body.contains("Rp0"), "cost and what is left: {}", r.body);
    assert_eq!(status(&app, p2).await, "nominated");
    let r = hr.post(&format!("/participants/{p2}/approve"), &[("reason", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = hr
        .post(&format!("/participants/{p2}/approve"), &[("reason", "Prioritas SPBE, ditutup dari pergeseran anggaran")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(status(&app, p2).await, "approved");
    assert_eq!(app.audit_count("approve_over_budget").await, 1);
    assert_eq!(
        text(&app, &format!("select override_reason from training_participants where id = {p2}")).await,
        "Prioritas SPBE, ditutup dari pergeseran anggaran"
    );
    assert_eq!(budget_use(&app).await, (14_000_000, 0));
    let page = hr.get("/budgets?year=2031").await;
    assert!(page.body.contains("-Rp4.000.000"), "the overrun shows as a negative remainder");

    // The training runs; HR records results. Passing proposes an assessment at the target level.
    let edit = hr.get(&format!("/trainings/{t}/edit")).await;
    assert_eq!(edit.status, StatusCode::OK);
    let mut fields = training_fields(&apt, "Pelatihan Uji Anggaran");
    fields.retain(|(k, _)| *k != "status");
    fields.push(("status", "running"));
    let r = hr.post_edit(&format!("/trainings/{t}/edit"), &format!("/trainings/{t}"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let form = hr.get(&format!("/participants/{p_own}/result")).await;
    let version = crate::helpers::hidden(&form.body, "version");
    let r = hr
        .post_multipart(
            &format!("/participants/{p_own}/result"),
            &[
                ("status", "passed"),
                ("certificate_no", "SRT/2031/1"),
                ("issued_on", "2031-03-04"),
                ("expires_on", "2031-01-01"),
                ("version", &version),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "expiry before issue");
    assert!(r.body.contains("SRT/2031/1"), "input kept");
    let r = hr
        .post_multipart(
            &format!("/participants/{p_own}/result"),
            &[("status", "passed"), ("certificate_no", "SRT/2031/1"), ("score", "88,5"), ("version", &version)],
            Some(("certificate_file", "sertifikat.txt", b"not a pdf")),
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a file that is not a PDF or image");
    let r = hr
        .post_multipart(
            &format!("/participants/{p_own}/result"),
            &[("status", "passed"), ("certificate_no", "SRT/2031/1"), ("score", "88,5"), ("version", &version)],
            Some(("certificate_file", "sertifikat.pdf", b"%PDF-1.4 test")),
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let form = hr.get(&format!("/participants/{p1}/result")).await;
    let v1 = crate::helpers::hidden(&form.body, "version");
    let r =
        hr.post_multipart(&format!("/participants/{p1}/result"), &[("status", "absent"), ("version", &v1)], None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let proposed = app
        .scalar(&format!(
            "select count(*) from assessments where employee_id = {own} and source = 'training' and status = 'pending' and level = 3"
        ))
        .await;
    assert_eq!(proposed, 1, "passing proposes the target level for the head to confirm");
    let r = me.get(&format!("/participants/{p_own}/certificate")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.starts_with("%PDF"));

    // JP: the training's 16 JP in 2031; changing the completed training's JP changes the total.
    let jp = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, f64>(
                "select coalesce(sum(jp), 0)::float8 from jp_entries where employee_id = $1 and year = 2031",
            )
            .bind(own)
            .fetch_one(&pool)
            .await
            .expect("jp")
        }
    };
    assert_eq!(jp(&app).await, 16.0);
    let mut fields = training_fields(&apt, "Pelatihan Uji Anggaran");
    fields.retain(|(k, _)| *k != "status" && *k != "jp");
    fields.push(("status", "completed"));
    fields.push(("jp", "20"));
    let r = hr.post_edit(&format!("/trainings/{t}/edit"), &format!("/trainings/{t}"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(jp(&app).await, 20.0);
    assert_eq!(budget_use(&app).await, (0, 14_000_000), "completed: committed becomes spent");

    // The participant evaluates the completed training once.
    let r = me.post(&format!("/participants/{p_own}/evaluation"), &[("relevance", "5"), ("method", "6")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let ok =
        [("relevance", "5"), ("method", "4"), ("trainer", "4"), ("usefulness", "5"), ("comment", "Sangat praktis")];
    let r = me.post(&format!("/participants/{p_own}/evaluation"), &ok).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let r = me.post(&format!("/participants/{p_own}/evaluation"), &ok).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(app.scalar("select count(*) from training_evaluations where comment = 'Sangat praktis'").await, 1);
    let r = hr.get(&format!("/trainings/{t}")).await;
    assert!(r.body.contains("Sangat praktis") && r.body.contains("5,00"), "HR sees the reaction");
    let r = hr.post(&format!("/participants/{p1}/evaluation"), &ok).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "only the participant evaluates");
}

#[sqlx::test]
async fn bad_training_input_is_refused_with_the_input_kept(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt = app.scalar("select id from units where code = 'APT'").await.to_string();
    let mut hr = app.as_user("kepegawaian").await;
    let before = app.scalar("select count(*) from trainings").await;
    let mut fields = training_fields(&apt, "Pelatihan Salah Isi");
    for (k, v) in fields.iter_mut() {
        match *k {
            "ends_on" => *v = "2031-03-01",
            "cost_per_participant" => *v = "-500000",
            "fixed_cost" => *v = "1,5",
            "jp" => *v = "0",
            "quota" => *v = "0",
            "place" => *v = "",
            _ => {}
        }
    }
    let r = hr.post("/trainings", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    for msg in [
        "Tanggal selesai tidak boleh sebelum tanggal mulai",
        "tidak boleh negatif",
        "Tulis rupiah tanpa desimal",
        "JP berupa angka",
        "Kuota berupa bilangan bulat",
        "Isi tempat, atau tandai daring",
    ] {
        assert!(r.body.contains(msg), "missing {msg}");
    }
    assert!(r.body.contains("Pelatihan Salah Isi"), "the input is kept");
    assert_eq!(app.scalar("select count(*) from trainings").await, before, "nothing written");
    // A provider with a bad e-mail; the same name twice. The list is kept, and shows the new one
    // at once to whoever added it.
    assert!(!hr.get("/providers").await.body.contains("Lembaga Uji"));
    let r = hr.post("/providers", &[("name", "Lembaga Uji"), ("kind", "vendor"), ("email", "bukan surel")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = hr.post("/providers", &[("name", "Lembaga Uji"), ("kind", "vendor")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert!(hr.get("/providers").await.body.contains("Lembaga Uji"), "the kept list follows the write");
    let r = hr.post("/providers", &[("name", "lembaga uji"), ("kind", "vendor")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("sudah ada"));
}

/// A JP that rounds to nothing ("0,04" is stored with one decimal: 0) is a field error next to the
/// JP field with what was typed kept, not the database's `check (jp > 0)` as a 500; "0,06" is 0,1.
#[sqlx::test]
async fn a_jp_that_rounds_to_zero_is_a_field_error(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt = app.scalar("select id from units where code = 'APT'").await.to_string();
    let mut hr = app.as_user("kepegawaian").await;
    let before = app.scalar("select count(*) from trainings").await;
    let mut fields = training_fields(&apt, "Pelatihan Sepersekian JP");
    for (k, v) in fields.iter_mut() {
        if *k == "jp" {
            *v = "0,04";
        }
    }
    let r = hr.post("/trainings", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    let err = r.body.split("id=\"jp-err\"").nth(1).expect("an error under the JP field");
    assert!(err.contains("JP berupa angka lebih dari 0"), "{err}");
    assert!(r.body.contains("name=\"jp\" inputmode=\"decimal\" value=\"0,04\""), "what was typed is kept");
    assert_eq!(app.scalar("select count(*) from trainings").await, before, "nothing written");
    // The same on an existing training's edit.
    let t = create_training(&mut hr, &apt, "Pelatihan JP Diubah").await;
    let with_jp = |jp: &'static str| {
        let mut f = training_fields(&apt, "Pelatihan JP Diubah");
        f.iter_mut().filter(|(k, _)| *k == "jp").for_each(|(_, v)| *v = jp);
        f
    };
    let r = hr.post_edit(&format!("/trainings/{t}/edit"), &format!("/trainings/{t}"), &with_jp("0,04")).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"jp-err\""));
    assert!(r.body.contains("value=\"0,04\""));
    assert_eq!(text(&app, &format!("select jp::text from trainings where id = {t}")).await, "16.0");
    let r = hr.post_edit(&format!("/trainings/{t}/edit"), &format!("/trainings/{t}"), &with_jp("0,06")).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(text(&app, &format!("select jp::text from trainings where id = {t}")).await, "0.1");
}

/// Informal JP by the agency's rules: 150 minutes of mentoring is capped at 2 JP a session, the
/// third session in a month counts 0, self-study at most 2 JP a day, magang a fixed 20 JP; a rule
/// HR changes applies to every activity at once.
#[sqlx::test]
async fn informal_jp_follows_the_agencys_rules(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    app.state.clock.set(Some("2026-11-23T05:00:00Z".parse().expect("instant")));
    let mut me = app.as_user("pegawai").await;
    let mut head = app.as_user("kabid.aptika").await;
    let mut other_head = app.as_user("kabid.infra").await;
    let mut hr = app.as_user("kepegawaian").await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let mentor = apt_staff(&app, 1).await.remove(0);
    let comp = app.scalar("select id from competencies where code = 'APL-01'").await.to_string();
    let log = |kind: &'static str, date: &'static str, minutes: &'static str, report: &'static str| {
        let mentor_nip = if kind == "mentoring" { mentor.1.clone() } else { String::new() };
        let comp = comp.clone();
        (kind, date, minutes, report, mentor_nip, comp)
    };
    let entries = [
        log("mentoring", "2026-10-05", "150", ""),
        log("mentoring", "2026-10-12", "60", ""),
        log("mentoring", "2026-10-19", "90", ""),
        log(
            "belajar_mandiri",
            "2026-10-20",
            "200",
            "Mempelajari dokumentasi resmi Rust dan axum, lalu membuat contoh layanan kecil.",
        ),
        log(
            "belajar_mandiri",
            "2026-10-20",
            "60",
            "Membaca bab tentang pengujian dari buku The Rust Programming Language.",
        ),
        log("magang", "2026-09-01", "2400", ""),
    ];
    // Self-study without a report does not count: refused, input kept.
    let page = me.get("/activities/new").await;
    let token = crate::helpers::hidden(&page.body, "form_token");
    let r = me
        .post_multipart(
            "/activities",
            &[
                ("role", "learner"),
                ("kind", "belajar_mandiri"),
                ("competency", &comp),
                ("held_on", "2026-10-20"),
                ("minutes", "60"),
                ("topic", "Belajar Rust"),
                ("report", "singkat"),
                ("form_token", &token),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("laporan singkat") && r.body.contains("Belajar Rust"), "{}", r.body);
    for (kind, date, minutes, report, mentor_nip, comp) in &entries {
        let page = me.get("/activities/new").await;
        let token = crate::helpers::hidden(&page.body, "form_token");
        let r = me
            .post_multipart(
                "/activities",
                &[
                    ("role", "learner"),
                    ("kind", kind),
                    ("competency", comp),
                    ("held_on", date),
                    ("minutes", minutes),
                    ("topic", "Sesi uji"),
                    ("mentor", mentor_nip),
                    ("report", report),
                    ("form_token", &token),
                ],
                None,
            )
            .await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{kind}: {}", r.body);
    }
    let ids: Vec<i64> = sqlx::query_scalar(
        "select a.id from activities a join activity_learners l on l.activity_id = a.id
         where l.employee_id = $1 and a.topic = 'Sesi uji' order by a.held_on, a.id",
    )
    .bind(own)
    .fetch_all(&app.pool)
    .await
    .expect("ids");
    assert_eq!(ids.len(), 6);
    let informal = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_as::<_, (String, f64, String)>(
                "select a.kind, aj.jp::float8, aj.rule from activity_jp aj join activities a on a.id = aj.activity_id
                 where aj.employee_id = $1 and a.topic = 'Sesi uji' order by a.held_on, a.id",
            )
            .bind(own)
            .fetch_all(&pool)
            .await
            .expect("jp")
        }
    };
    assert!(informal(&app).await.is_empty(), "nothing counts before the head confirms");
    // Nobody confirms their own log; another unit's head cannot either.
    let r = me.post(&format!("/activities/{}/confirm", ids[0]), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    let r = other_head.post(&format!("/activities/{}/confirm", ids[0]), &[]).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    for id in &ids {
        let r = head.post(&format!("/activities/{id}/confirm"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    }
    let r = head.post(&format!("/activities/{}/confirm", ids[0]), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "confirmed once");
    let got = informal(&app).await;
    let want = [
        ("magang", 20.0, "fixed"),
        ("mentoring", 2.0, "session_cap"),
        ("mentoring", 1.3, "minutes"),
        ("mentoring", 0.0, "month_cap"),
        ("belajar_mandiri", 2.0, "day_cap"),
        ("belajar_mandiri", 0.0, "day_cap"),
    ];
    let got_ref: Vec<(&str, f64, &str)> = got.iter().map(|(k, j, r)| (k.as_str(), *j, r.as_str())).collect();
    assert_eq!(got_ref, want);
    // The history shows each figure with the rule that produced it.
    let page = me.get(&format!("/employees/{own}/development")).await;
    assert!(
        page.body.contains("melebihi batas sesi bulanan") && page.body.contains("dibatasi per hari"),
        "{}",
        page.body
    );

    // HR allows three mentoring sessions a month: the third now counts (1.5 JP for 90 minutes).
    // The head's JP list (kept per version) is read before, and follows the change after.
    assert_eq!(head.get("/jp?year=2026&all=1").await.status, StatusCode::OK);
    let rules = hr.get("/jp/rules").await;
    let version = rules
        .body
        .split("/jp/rules/mentoring")
        .nth(1)
        .map(|s| crate::helpers::hidden(s, "version"))
        .unwrap_or_default();
    let r = hr
        .post(
            "/jp/rules/mentoring",
            &[
                ("minutes_per_jp", "60"),
                ("max_jp_per_session", "2"),
                ("max_sessions_per_month", "3"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let got = informal(&app).await;
    let mentoring: Vec<f64> = got.iter().filter(|g| g.0 == "mentoring").map(|g| g.1).collect();
    assert_eq!(mentoring, vec![2.0, 1.0, 1.5]);
    let r = hr.post("/jp/rules/mentoring", &[("minutes_per_jp", "0"), ("version", &version)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.scalar("select count(*) from audit_log where entity = 'jp_rule'").await, 1);

    // JP across sources: the year's total is formal plus informal, per year.
    let (formal, inf): (f64, f64) = sqlx::query_as(
        "select coalesce(sum(jp) filter (where source = 'formal'), 0)::float8, coalesce(sum(jp) filter (where source = 'informal'), 0)::float8
         from jp_entries where employee_id = $1 and year = 2026",
    )
    .bind(own)
    .fetch_one(&app.pool)
    .await
    .expect("jp");
    assert_eq!(head.get("/jp?year=2026&all=1").await.status, StatusCode::OK);
    let csv = head.get("/jp?year=2026&all=1&format=csv").await;
    let own_nip = text(&app, &format!("select nip from employees where id = {own}")).await;
    let total = cakap::development::model::jp_text(formal + inf, false);
    let line = csv.body.lines().find(|l| l.starts_with(&own_nip)).unwrap_or("");
    assert!(line.contains(&total), "the JP list shows the total {total}: {line}");
    let page = head.get("/jp?year=2026&all=1").await;
    let row = page.body.split(&own_nip).nth(1).and_then(|r| r.split("</tr>").next()).unwrap_or("");
    assert!(row.contains(&total), "the kept page follows the rule change: {total} in {row}");
    // The mentor sees the sessions they gave.
    let mentored = app
        .scalar(&format!("select count(*) from activities where mentor_id = {} and topic = 'Sesi uji'", mentor.0))
        .await;
    assert_eq!(mentored, 3);
}

#[sqlx::test]
async fn a_training_request_is_decided_by_the_head_and_scheduled_by_hr(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt = app.scalar("select id from units where code = 'APT'").await.to_string();
    let mut me = app.as_user("pegawai").await;
    let mut head = app.as_user("kabid.aptika").await;
    let mut other_head = app.as_user("kabid.infra").await;
    let mut hr = app.as_user("kepegawaian").await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let comp = app
        .scalar(&format!(
            "select min(id) from competencies c where not exists (select 1 from training_requests r where r.employee_id = {own} and r.competency_id = c.id)"
        ))
        .await
        .to_string();
    let page = me.get("/training-requests/new").await;
    let token = crate::helpers::hidden(&page.body, "form_token");
    let r = me
        .post(
            "/training-requests",
            &[("competency", &comp), ("target_level", "3"), ("reason", ""), ("form_token", &token)],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields = [
        ("competency", comp.as_str()),
        ("target_level", "3"),
        ("reason", "Perlu untuk proyek API layanan publik"),
        ("form_token", token.as_str()),
    ];
    let r = me.post("/training-requests", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let r = me.post("/training-requests", &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "sent twice, one request");
    let req = app
        .scalar(&format!(
            "select id from training_requests where employee_id = {own} and reason like 'Perlu untuk proyek%'"
        ))
        .await;
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from training_requests where employee_id = {own} and reason like 'Perlu untuk proyek%'"
        ))
        .await,
        1
    );
    assert_eq!(me.post(&format!("/training-requests/{req}/approve"), &[]).await.status, StatusCode::FORBIDDEN);
    assert_eq!(other_head.post(&format!("/training-requests/{req}/approve"), &[]).await.status, StatusCode::FORBIDDEN);
    let r = head.post(&format!("/training-requests/{req}/reject"), &[("reason", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "a rejection needs its reason");
    let r = head.post(&format!("/training-requests/{req}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(
        head.post(&format!("/training-requests/{req}/reject"), &[("reason", "x")]).await.status,
        StatusCode::CONFLICT
    );
    let t = create_training(&mut hr, &apt, "Pelatihan API").await;
    let r = hr.post(&format!("/training-requests/{req}/schedule"), &[("training", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    let r = hr.post(&format!("/training-requests/{req}/schedule"), &[("training", &t.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let p = participant(&app, t, own).await;
    assert_eq!(status(&app, p).await, "nominated");
    assert_eq!(text(&app, &format!("select status from training_requests where id = {req}")).await, "scheduled");
    assert_eq!(
        hr.post(&format!("/training-requests/{req}/schedule"), &[("training", &t.to_string())]).await.status,
        StatusCode::CONFLICT
    );
}

#[sqlx::test]
async fn certificates_about_to_expire_are_listed_for_hr_and_the_holder(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let t = app
        .scalar(
            "insert into trainings (title, form, jenis_diklat, starts_on, ends_on, jp, budget_year, budget_unit_id, quota, place, status)
             select 'Sertifikasi Uji Kedaluwarsa', 'sertifikasi', 11, current_date - 700, current_date - 698, 32, 2024, id, 5, 'Bandung', 'completed'
             from units where code = 'APT' returning id",
        )
        .await;
    sqlx::query(
        "insert into training_participants (training_id, employee_id, status, certificate_no, certificate_issued_on, certificate_expires_on)
         values ($1, $2, 'passed', 'CERT-EXP-1', current_date - 698, current_date + 30)",
    )
    .bind(t)
    .bind(own)
    .execute(&app.pool)
    .await
    .expect("participant");
    for (user, sees) in [("kepegawaian", true), ("pegawai", true), ("kabid.aptika", true), ("kabid.infra", false)] {
        let mut c = app.as_user(user).await;
        let r = c.get("/certificates").await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body.contains("CERT-EXP-1"), sees, "{user}");
    }
    let mut me = app.as_user("pegawai").await;
    assert!(
        me.get("/development").await.body.contains("Sertifikasi Uji Kedaluwarsa"),
        "on the holder's development page"
    );
    let csv = app.as_user("kepegawaian").await.get("/certificates?days=30&format=csv").await;
    assert!(csv.body.contains("CERT-EXP-1"));
}

#[sqlx::test]
async fn the_siasn_files_have_siasns_columns(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let nip = text(&app, &format!("select nip from employees where id = {own}")).await;
    let t = app
        .scalar(
            "insert into trainings (title, form, jenis_diklat, siasn_ref, starts_on, ends_on, jp, budget_year, budget_unit_id, quota, place, status)
             select 'Pelatihan Kepemimpinan Uji', 'struktural', 1, 'PKP-01', '2025-05-06', '2025-06-20', 100, 2025, id, 5, 'Bandung', 'completed'
             from units where code = 'DKIS' returning id",
        )
        .await;
    sqlx::query("insert into training_participants (training_id, employee_id, status, certificate_no) values ($1, $2, 'passed', 'PKP/2025/7')")
        .bind(t)
        .bind(own)
        .execute(&app.pool)
        .await
        .expect("participant");
    let diklat = hr.get(&format!("/employees/{own}/development?format=siasn-diklat")).await;
    let lines: Vec<&str> = diklat.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "nip,pnsOrangId,latihanStrukturalId,nomor,tanggal,tanggalSelesai,tahun,jumlahJam,bobot,jenisKompetensi,institusiPenyelenggara,path,Kekurangan (belum bisa dikirim)"
    );
    // Every field SIASN takes, and what the row lacks in words.
    assert!(
        lines.contains(
            &format!(
                "{nip},,PKP-01,PKP/2025/7,06-05-2025,20-06-2025,2025,100,,,,,isi jenis kompetensi; isi bobot pelatihan; isi penyelenggara pelatihan; unggah berkas sertifikat; ID pegawai di SIASN belum dibaca (dibaca otomatis saat sinkronisasi)"
            )
            .as_str()
        ),
        "{lines:?}"
    );
    // Informal activities go out as kursus with their SIASN type (15 mentoring).
    let comp = app.scalar("select id from competencies where code = 'APL-01'").await;
    sqlx::query(
        "with a as (insert into activities (kind, competency_id, held_on, minutes, topic, status) values ('mentoring', $1, '2026-02-03', 90, 'Mentoring SQL', 'confirmed') returning id)
         insert into activity_learners select id, $2 from a",
    )
    .bind(comp)
    .bind(own)
    .execute(&app.pool)
    .await
    .expect("activity");
    let kursus = hr.get(&format!("/employees/{own}/development?format=siasn-kursus")).await;
    let lines: Vec<&str> = kursus.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "nip,pnsOrangId,instansiId,jenisDiklatId,jenisKursus,jenisKursusSertipikat,namaKursus,institusiPenyelenggara,jumlahJam,lokasiId,nomorSertipikat,tahunKursus,tanggalKursus,tanggalSelesaiKursus,path,Kekurangan (belum bisa dikirim)"
    );
    assert!(
        lines.iter().any(|l| l.starts_with(&format!("{nip},,,15,Mentoring,,Mentoring SQL,"))
            && l.contains(",2,,,2026,03-02-2026,03-02-2026,,")
            && l.contains("pembelajaran nonklasikal")),
        "{lines:?}"
    );
    assert!(!lines.iter().any(|l| l.contains("Pelatihan Kepemimpinan Uji")), "struktural goes to riwayat diklat only");
    // The year's file for everyone in scope (sent while it is read): every kursus result and
    // every confirmed informal activity with JP, by NIP, each person's results before their
    // informal learning; a kepala bidang's holds their staff only.
    let expected = app
        .scalar(
            "select (select count(*) from siasn_records where kind = 'kursus' and year = 2026)
                  + (select count(*) from activity_jp where jp > 0 and year = 2026)",
        )
        .await;
    let file = hr.get("/development/siasn?file=kursus&year=2026").await;
    assert_eq!(file.status, StatusCode::OK);
    let mut reader = csv::Reader::from_reader(file.body.trim_start_matches('\u{feff}').as_bytes());
    let keys: Vec<(String, bool)> = reader
        .records()
        .map(|r| r.expect("a CSV row"))
        .map(|r| (r[0].to_string(), r[15].contains("pembelajaran nonklasikal")))
        .collect();
    assert_eq!(keys.len() as i64, expected, "every row once");
    assert!(keys.iter().any(|k| k.1) && keys.iter().any(|k| !k.1), "both kinds in the demo's year");
    assert!(keys.windows(2).all(|w| w[0] <= w[1]), "by NIP, results first");
    let mut kabid = app.as_user("kabid.aptika").await;
    let theirs = kabid.get("/development/siasn?file=kursus&year=2026").await;
    let apt: std::collections::BTreeSet<String> = sqlx::query_scalar(
        "select e.nip from employees e join units u on u.id = e.unit_id where u.path like (select path from units where code = 'APT') || '%'",
    )
    .fetch_all(&app.pool)
    .await
    .expect("apt")
    .into_iter()
    .collect();
    let mut reader = csv::Reader::from_reader(theirs.body.trim_start_matches('\u{feff}').as_bytes());
    let nips: Vec<String> = reader.records().map(|r| r.expect("a CSV row")[0].to_string()).collect();
    assert!(!nips.is_empty() && nips.iter().all(|n| apt.contains(n)), "their staff only");
    let pdf = hr.get(&format!("/employees/{own}/development?format=pdf")).await;
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(
        pdf.body.starts_with("%PDF-1.4") && pdf.body.contains("Pelatihan Kepemimpinan Uji"),
        "a real PDF with the history"
    );
    assert!(pdf.body.contains("(Halaman 1 dari "));
    let xlsx = hr.get(&format!("/employees/{own}/development?format=xlsx")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    assert!(xlsx.body.starts_with("PK"), "an XLSX (zip) file");
}

/// Effect on a hand-computed fixture: participant A goes from a validated 1 to 3 (a later 4 is not
/// "the first after"), B from never assessed (0) to 2, C was absent. The training cost Rp8.000.000
/// (three paid seats of Rp2.000.000, the absent one too, plus Rp2.000.000 fixed) for 4 levels
/// gained: Rp2.000.000 per level.
#[sqlx::test]
async fn effect_figures_match_a_hand_computed_fixture(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let staff = apt_staff(&app, 3).await;
    let comp = app.scalar("select id from competencies where code = 'APL-04'").await;
    // A competency nobody holds in the demo data, so the levels are only the fixture's.
    sqlx::query("delete from assessments where competency_id = $1 and employee_id = any($2)")
        .bind(comp)
        .bind(staff.iter().map(|s| s.0).collect::<Vec<_>>())
        .execute(&app.pool)
        .await
        .expect("clean");
    let t = app
        .scalar(
            "insert into trainings (title, form, jenis_diklat, starts_on, ends_on, jp, cost_per_participant, fixed_cost, budget_year,
                                    budget_unit_id, quota, place, status)
             select 'Pelatihan Uji Efek', 'teknis', 3, '2025-03-01', '2025-03-03', 24, 2000000, 2000000, 2025, id, 5, 'Bandung', 'completed'
             from units where code = 'APT' returning id",
        )
        .await;
    sqlx::query("insert into training_competencies values ($1, $2, 3)")
        .bind(t)
        .bind(comp)
        .execute(&app.pool)
        .await
        .expect("target");
    for (i, st) in ["passed", "passed", "absent"].iter().enumerate() {
        sqlx::query("insert into training_participants (training_id, employee_id, status) values ($1, $2, $3)")
            .bind(t)
            .bind(staff[i].0)
            .bind(st)
            .execute(&app.pool)
            .await
            .expect("participant");
    }
    for (emp, level, on) in [
        (staff[0].0, 1, "2025-01-10"),
        (staff[0].0, 3, "2025-04-01"),
        (staff[0].0, 4, "2025-09-01"),
        (staff[1].0, 2, "2025-03-03"),
    ] {
        sqlx::query(
            "insert into assessments (employee_id, competency_id, level, assessed_on, source, status) values ($1, $2, $3, $4::date, 'supervisor', 'validated')",
        )
        .bind(emp)
        .bind(comp)
        .bind(level as i16)
        .bind(on)
        .execute(&app.pool)
        .await
        .expect("assessment");
    }
    let rows: Vec<(i64, i32, Option<i16>)> =
        sqlx::query_as("select employee_id, before_level, after_level from training_effect where training_id = $1 order by employee_id")
            .bind(t)
            .fetch_all(&app.pool)
            .await
            .expect("effect");
    assert_eq!(
        rows,
        vec![(staff[0].0, 1, Some(3)), (staff[1].0, 0, Some(2))],
        "A: 1 → 3 (the first after, not the latest); B: 0 → 2; C absent"
    );
    assert_eq!(app.scalar(&format!("select cost from training_costs where training_id = {t}")).await, 8_000_000);
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get(&format!("/trainings/{t}")).await;
    assert!(page.body.contains("Rp2.000.000</strong>"), "cost per level gained: {}", page.body);
    let effect = hr.get("/development/effect").await;
    let row = effect.body.split("Pelatihan Uji Efek").nth(1).and_then(|s| s.split("</tr>").next()).unwrap_or("");
    for cell in [">2<", ">0,50<", ">2,50<", ">2,00<", ">4<", ">Rp8.000.000<", ">Rp2.000.000<"] {
        assert!(row.contains(cell), "{cell} in {row}");
    }
}

/// Two approvals race for the last Rp4.000.000 of a budget: exactly one is approved.
#[sqlx::test]
async fn two_approvals_cannot_both_spend_the_last_of_a_budget(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt = app.scalar("select id from units where code = 'APT'").await;
    let mut hr = app.as_user("kepegawaian").await;
    let t = create_training(&mut hr, &apt.to_string(), "Pelatihan Balapan").await;
    sqlx::query("insert into unit_budgets (year, unit_id, amount) values (2031, $1, 10000000)")
        .bind(apt)
        .execute(&app.pool)
        .await
        .expect("budget");
    let staff = apt_staff(&app, 3).await;
    let mut ids = vec![];
    for (emp, _) in &staff {
        ids.push(
            sqlx::query_scalar::<_, i64>(
                "insert into training_participants (training_id, employee_id) values ($1, $2) returning id",
            )
            .bind(t)
            .bind(emp)
            .fetch_one(&app.pool)
            .await
            .expect("participant"),
        );
    }
    let r = hr.post(&format!("/participants/{}/approve", ids[0]), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "6 of 10 million");
    // Hold the budget's lock while two heads approve the two remaining seats (4 million each).
    let mut tx = app.pool.begin().await.expect("tx");
    sqlx::query("select pg_advisory_xact_lock(727100, hashtext('2031/' || $1::bigint::text))")
        .bind(apt)
        .execute(&mut *tx)
        .await
        .expect("lock");
    let mut a = app.as_user("kabid.aptika").await;
    let mut b = app.as_user("kadis").await;
    a.prime().await;
    b.prime().await;
    let (pa, pb) = (ids[1], ids[2]);
    let first = tokio::spawn(async move { a.post(&format!("/participants/{pa}/approve"), &[]).await.status });
    let second = tokio::spawn(async move { b.post(&format!("/participants/{pb}/approve"), &[]).await.status });
    app.wait_for_locks(2).await;
    tx.commit().await.expect("release");
    let mut got = vec![first.await.expect("a"), second.await.expect("b")];
    got.sort();
    assert_eq!(got, vec![StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]);
    assert_eq!(budget_use(&app).await, (10_000_000, 0), "never past the budget");
}

/// A training of the Aplikasi Informatika budget for 2031 (`amount`) with one nominated member of
/// its staff: (training, participant).
async fn one_nomination(app: &TestApp, title: &str, amount: i64) -> (i64, i64) {
    let apt = app.scalar("select id from units where code = 'APT'").await;
    let mut hr = app.as_user("kepegawaian").await;
    let t = create_training(&mut hr, &apt.to_string(), title).await;
    sqlx::query("insert into unit_budgets (year, unit_id, amount) values (2031, $1, $2)")
        .bind(apt)
        .bind(amount)
        .execute(&app.pool)
        .await
        .expect("budget");
    let (emp, _) = apt_staff(app, 1).await[0];
    let p =
        sqlx::query_scalar("insert into training_participants (training_id, employee_id) values ($1, $2) returning id")
            .bind(t)
            .bind(emp)
            .fetch_one(&app.pool)
            .await
            .expect("participant");
    (t, p)
}

/// Wait until a statement waits for the lock of the (2031, `unit`) budget.
async fn wait_for_budget_lock(app: &TestApp, unit: i64) {
    for _ in 0..250 {
        let waiting: bool = sqlx::query_scalar(
            "select exists (select 1 from pg_locks where locktype = 'advisory' and not granted and classid = 727100
                              and objid::bigint = (hashtext('2031/' || $1::bigint::text)::bigint + 4294967296) % 4294967296)",
        )
        .bind(unit)
        .fetch_one(&app.pool)
        .await
        .expect("locks");
        if waiting {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("nothing waited for the budget's lock");
}

/// An approval reads the budget a training is charged to only under the training's lock: while
/// HR's edit charges the training to another budget, the approval holds no budget and waits;
/// then it takes the lock of the budget the training is charged to now, and checks that one.
#[sqlx::test]
async fn an_approval_locks_the_budget_the_training_is_charged_to_now(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt = app.scalar("select id from units where code = 'APT'").await;
    let dkis = app.scalar("select id from units where code = 'DKIS'").await;
    let (t, p) = one_nomination(&app, "Pelatihan Pindah Anggaran", 50_000_000).await;
    sqlx::query("insert into unit_budgets (year, unit_id, amount) values (2031, $1, 80000000)")
        .bind(dkis)
        .execute(&app.pool)
        .await
        .expect("budget");
    // HR's edit is under way: it holds the training and charges it to the Dinas' budget.
    let mut edit = app.pool.begin().await.expect("tx");
    sqlx::query("update trainings set budget_unit_id = $2 where id = $1")
        .bind(t)
        .bind(dkis)
        .execute(&mut *edit)
        .await
        .expect("recharge");
    // Another decision holds the Dinas' budget.
    let mut other = app.pool.begin().await.expect("tx");
    sqlx::query("select pg_advisory_xact_lock(727100, hashtext('2031/' || $1::bigint::text))")
        .bind(dkis)
        .execute(&mut *other)
        .await
        .expect("lock");
    let mut head = app.as_user("kabid.aptika").await;
    head.prime().await;
    let approval = tokio::spawn(async move { head.post(&format!("/participants/{p}/approve"), &[]).await.status });
    app.wait_for_locks(1).await;
    let mut probe = app.pool.begin().await.expect("tx");
    let free: bool =
        sqlx::query_scalar("select pg_try_advisory_xact_lock(727100, hashtext('2031/' || $1::bigint::text))")
            .bind(apt)
            .fetch_one(&mut *probe)
            .await
            .expect("try");
    drop(probe);
    assert!(free, "waiting for the training, the approval holds no budget (not the one it would have read before)");
    edit.commit().await.expect("edit saved");
    wait_for_budget_lock(&app, dkis).await;
    assert!(!approval.is_finished(), "the approval waits for the budget the training is charged to now");
    other.commit().await.expect("release");
    assert_eq!(approval.await.expect("approval"), StatusCode::SEE_OTHER);
    assert_eq!(status(&app, p).await, "approved");
    let remaining = text(
        &app,
        &format!(
            "select after->>'remaining_before' from audit_log where entity = 'participant' and entity_id = '{p}' and action = 'approve'"
        ),
    )
    .await;
    assert_eq!(remaining, "80000000", "checked against the Dinas' budget");
}

/// A deadlock PostgreSQL breaks is not the user's to retry: the approval it aborted runs again
/// and is decided (it was answered 409 "try again").
#[sqlx::test]
async fn an_approval_aborted_by_a_deadlock_runs_again(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let apt = app.scalar("select id from units where code = 'APT'").await;
    let (t, p) = one_nomination(&app, "Pelatihan Kebuntuan", 100_000_000).await;
    // This transaction holds the budget; it waits for deadlocks longer than the portal's sessions,
    // so PostgreSQL breaks the cycle below by aborting the approval, not this.
    let mut tx = app.pool.begin().await.expect("tx");
    sqlx::query("set local deadlock_timeout = '20s'").execute(&mut *tx).await.expect("timeout");
    sqlx::query("select pg_advisory_xact_lock(727100, hashtext('2031/' || $1::bigint::text))")
        .bind(apt)
        .execute(&mut *tx)
        .await
        .expect("lock");
    let mut head = app.as_user("kabid.aptika").await;
    head.prime().await;
    let approval = tokio::spawn(async move { head.post(&format!("/participants/{p}/approve"), &[]).await.status });
    // The approval holds the training and waits for the budget; now this waits for the training.
    wait_for_budget_lock(&app, apt).await;
    let started = std::time::Instant::now();
    sqlx::query("select id from trainings where id = $1 for update")
        .bind(t)
        .execute(&mut *tx)
        .await
        .expect("the approval was the deadlock's victim");
    assert!(started.elapsed() < std::time::Duration::from_secs(15), "broken by the approval's deadlock check");
    tx.commit().await.expect("release");
    assert_eq!(approval.await.expect("approval"), StatusCode::SEE_OTHER, "run again, not 409");
    assert_eq!(status(&app, p).await, "approved");
    let audited = app
        .scalar(&format!(
            "select count(*) from audit_log where entity = 'participant' and entity_id = '{p}' and action = 'approve'"
        ))
        .await;
    assert_eq!(audited, 1, "decided and audited once");
}

/// One approval queue: self-assessments, nominations, requests and activities decided in bulk,
/// each through its own page's rules; what is refused (over budget) is listed with why.
#[sqlx::test]
async fn one_queue_decides_in_bulk(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let comp = app.scalar("select id from competencies where code = 'APL-02'").await;
    let asm = app
        .scalar(&format!(
            "insert into assessments (employee_id, competency_id, level, assessed_on, source, status) values ({own}, {comp}, 3, current_date, 'self', 'pending') returning id"
        ))
        .await;
    let req = app
        .scalar(&format!(
            "insert into training_requests (employee_id, competency_id, target_level, reason) values ({own}, {comp}, 3, 'Perlu') returning id"
        ))
        .await;
    let act = app
        .scalar(&format!(
            "with a as (insert into activities (kind, competency_id, held_on, minutes, topic, status) values ('mentoring', {comp}, current_date, 60, 'Antrean', 'pending') returning id)
             insert into activity_learners select id, {own} from a returning activity_id"
        ))
        .await;
    let t = app
        .scalar(
            "insert into trainings (title, form, jenis_diklat, starts_on, ends_on, jp, cost_per_participant, budget_year, budget_unit_id, quota, place, status)
             select 'Mahal', 'teknis', 3, '2031-05-01', '2031-05-02', 16, 99000000, 2031, id, 3, 'Bandung', 'open' from units where code = 'APT' returning id",
        )
        .await;
    let part = app
        .scalar(&format!(
            "insert into training_participants (training_id, employee_id) values ({t}, {own}) returning id"
        ))
        .await;
    let mut head = app.as_user("kabid.aptika").await;
    let page = head.get("/approvals").await;
    for key in [
        format!("assessment:{asm}"),
        format!("request:{req}"),
        format!("activity:{act}"),
        format!("participant:{part}"),
    ] {
        assert!(page.body.contains(&key), "{key} in the queue");
    }
    let r =
        head.post("/approvals", &[("item", &format!("request:{req}")), ("decision", "reject"), ("reason", "")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the queue comes back with the error");
    assert!(r.body.contains("Tuliskan alasan penolakan"), "{}", r.body);
    assert!(
        r.body.contains(&format!("value=\"request:{req}\" id=\"it-request-{req}\" checked")),
        "the ticked item stays ticked"
    );
    assert!(!r.body.contains(&format!("value=\"activity:{act}\" id=\"it-activity-{act}\" checked")));
    assert_eq!(
        text(&app, &format!("select status from training_requests where id = {req}")).await,
        "pending",
        "no reason, no rejection"
    );
    let items = [
        format!("assessment:{asm}"),
        format!("request:{req}"),
        format!("activity:{act}"),
        format!("participant:{part}"),
    ];
    let mut fields: Vec<(&str, &str)> = items.iter().map(|i| ("item", i.as_str())).collect();
    fields.push(("decision", "approve"));
    let r = head.post("/approvals", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "the over-budget nomination is refused: {}", r.body);
    assert!(r.body.contains(&format!("participant:{part}")));
    assert_eq!(text(&app, &format!("select status from assessments where id = {asm}")).await, "validated");
    assert_eq!(text(&app, &format!("select status from training_requests where id = {req}")).await, "approved");
    assert_eq!(text(&app, &format!("select status from activities where id = {act}")).await, "confirmed");
    assert_eq!(status(&app, part).await, "nominated");
    assert_eq!(app.as_user("pegawai").await.get("/approvals").await.status, StatusCode::FORBIDDEN);
}

/// The queue says why each item it could not decide was not, from the decision's outcome: decided
/// first (by whom, how), over the budget (with the figures); what could be decided is.
#[sqlx::test]
async fn the_queue_says_why_an_item_was_not_decided(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let items = waiting_of_each_kind(&app).await;
    let id = |entity: &str| items.iter().find(|w| w.entity == entity).map_or(0, |w| w.id);
    let (req, asm, part) = (id("training_request"), id("assessment"), id("participant"));
    sqlx::query(
        "update trainings set cost_per_participant = 99000000
         where id = (select training_id from training_participants where id = $1)",
    )
    .bind(part)
    .execute(&app.pool)
    .await
    .expect("dear");
    let mut head = app.as_user("kabid.aptika").await;
    head.get("/approvals").await;
    // HR approves the request on its own page while the head still has it on the queue.
    let r = app.as_user("kepegawaian").await.post(&format!("/training-requests/{req}/approve"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let hr_name = text(
        &app,
        "select coalesce(employee_display_name(e.front_title, e.name, e.back_title), a.username)
         from accounts a left join employees e on e.id = a.employee_id where a.username = 'kepegawaian'",
    )
    .await;
    let items = [format!("request:{req}"), format!("participant:{part}"), format!("assessment:{asm}")];
    let mut fields: Vec<(&str, &str)> = items.iter().map(|i| ("item", i.as_str())).collect();
    fields.push(("decision", "approve"));
    let r = head.post("/approvals", &fields).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(
        r.body.contains(&format!("sudah diputuskan lebih dulu: Disetujui oleh {hr_name}")),
        "who decided the request first, and how: {}",
        r.body
    );
    assert!(r.body.contains("Melampaui anggaran"), "the nomination's refusal in words: {}", r.body);
    assert!(!r.body.contains("ditolak sistem"), "not a guess from a status code");
    assert_eq!(text(&app, &format!("select status from assessments where id = {asm}")).await, "validated");
    assert_eq!(status(&app, part).await, "nominated");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from audit_log where entity = 'training_request' and entity_id = '{req}' and action = 'approve'"
        ))
        .await,
        1,
        "the request was decided once, by HR"
    );
}

/// Notifications come from the records: a decided request, a certificate expiring, an owed
/// evaluation; the unread count beside the menu item drops to zero once read.
#[sqlx::test]
async fn notifications_tell_what_happened_and_count_the_unread(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let comp = app.scalar("select id from competencies where code = 'APL-02'").await;
    sqlx::query(
        "insert into training_requests (employee_id, competency_id, target_level, reason, status, decided_at, decision_reason)
         values ($1, $2, 3, 'Perlu', 'rejected', now(), 'Lewat mentoring')",
    )
    .bind(own)
    .bind(comp)
    .execute(&app.pool)
    .await
    .expect("request");
    let t = app
        .scalar(
            "insert into trainings (title, form, jenis_diklat, starts_on, ends_on, jp, budget_year, budget_unit_id, quota, place, status)
             select 'Sertifikasi Notifikasi', 'sertifikasi', 11, current_date - 700, current_date - 698, 32, 2024, id, 5, 'Bandung', 'completed'
             from units where code = 'APT' returning id",
        )
        .await;
    sqlx::query(
        "insert into training_participants (training_id, employee_id, status, certificate_no, certificate_expires_on)
         values ($1, $2, 'passed', 'N-1', current_date + 20)",
    )
    .bind(t)
    .bind(own)
    .execute(&app.pool)
    .await
    .expect("participant");
    let mut me = app.as_user("pegawai").await;
    let page = me.get("/notifications").await;
    assert!(page.body.contains("Usulan pelatihan Anda untuk APL-02: Ditolak"), "{}", page.body);
    assert!(page.body.contains("Sertifikat Sertifikasi Notifikasi berakhir dalam 30 hari"));
    assert!(page.body.contains("Isi evaluasi pelatihan Sertifikasi Notifikasi"));
    let unread = |body: &str| {
        body.split("Notifikasi <span class=\"chip count\">")
            .nth(1)
            .and_then(|s| s.split('<').next())
            .map(str::to_string)
    };
    assert!(
        unread(&page.body).is_some_and(|n| n.parse::<i64>().unwrap_or(0) >= 3),
        "an unread count beside the menu item"
    );
    let r = me.post("/notifications/read", &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    let page = me.get("/notifications").await;
    assert_eq!(unread(&page.body), None, "nothing unread");
    assert!(page.body.contains("Sertifikasi Notifikasi"), "still listed, read");

    // The list is kept while nothing changes; a decision made afterwards is news at once.
    sqlx::query(
        "insert into training_requests (employee_id, competency_id, target_level, reason, status, decided_at, decision_reason)
         values ($1, $2, 4, 'Lagi', 'approved', now(), 'Setuju')",
    )
    .bind(own)
    .bind(comp)
    .execute(&app.pool)
    .await
    .expect("request");
    let page = me.get("/notifications").await;
    let fresh = page.body.split("<li class=\"unread\">").skip(1).collect::<Vec<_>>();
    assert_eq!(fresh.len(), 1, "the new decision alone is unread: {}", page.body);
    assert!(fresh[0].contains("Usulan pelatihan Anda untuk APL-02: Disetujui"), "{}", page.body);
}

/// Lists that grow with the department come in pages of 50 (filters kept in the page links);
/// exports carry every row.
#[sqlx::test]
async fn growing_lists_come_in_pages(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    sqlx::query(
        "insert into trainings (title, form, jenis_diklat, place, starts_on, ends_on, jp, budget_year, budget_unit_id, quota, status)
         select 'Kelas Data Terbuka ' || lpad(g::text, 3, '0'), 'teknis', 3, 'Soreang', make_date(2026, 2, 1) + g, make_date(2026, 2, 1) + g,
                8, 2026, (select id from units where code = 'DKIS'), 20, 'planned'
         from generate_series(1, 70) g",
    )
    .execute(&app.pool)
    .await
    .expect("trainings");
    let total = app
        .scalar("select count(*) from trainings where extract(year from starts_on) = 2026 or budget_year = 2026")
        .await;
    let mut hr = app.as_user("kepegawaian").await;
    let first = hr.get("/trainings?year=2026").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(
        first.body.matches("href=\"/trainings/").count() - first.body.matches("href=\"/trainings/new").count(),
        50
    );
    assert!(first.body.contains(&format!("1–50 dari {total}")), "{}", first.body);
    assert!(
        first.body.contains("href=\"?year=2026&#38;page=2\" rel=\"next\""),
        "the next page keeps the filter: {}",
        &first.body[first.body.find("class=\"pager\"").unwrap_or(0)..]
    );
    let last = hr.get("/trainings?year=2026&page=2").await;
    assert!(last.body.contains(&format!("51–{total} dari {total}")));
    assert!(!last.body.contains("rel=\"next\""));
    let csv = hr.get("/trainings?year=2026&format=csv").await;
    assert_eq!(csv.body.lines().count() as i64, total + 1, "the export has every row");
    // Money in exports is written as people write it.
    let budgets = hr.get("/budgets?format=csv").await;
    assert!(budgets.body.contains("Rp") && !budgets.body.contains(",0,0,"), "{}", budgets.body);
    assert!(csv.body.contains(",Rp"), "{}", csv.body);

    // HR's list of staff activities (the demo has ~200) and training requests page the same way.
    let activities = app.scalar("select count(*) from activities").await;
    assert!(activities > 50);
    let page = hr.get("/activities").await;
    assert!(page.body.contains(&format!("1–50 dari {activities}")), "{}", page.body);
    let requests = hr.get("/training-requests?page=1").await;
    assert_eq!(requests.status, StatusCode::OK);
    assert!(requests.body.contains("dari "), "{}", requests.body);
}

/// The re-assessments due list: the first 300 in due order, then by name, code, training and
/// person (a total order: two trainings may end the same day), exactly as
/// naming every due row and sorting them would give (the list names only the rows due no later
/// than the 300th), with ties on the 300th day.
#[sqlx::test]
async fn reassessments_due_list_is_the_first_300_of_the_whole_order(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // Two completed trainings of every active employee, ended the same day, a third a week later:
    // several hundred due rows, the 300th inside a day's ties.
    for (title, ended) in [("Ulang A", 120), ("Ulang B", 120), ("Ulang C", 113)] {
        let t = app
            .scalar(&format!(
                "insert into trainings (title, form, jenis_diklat, starts_on, ends_on, jp, budget_year, budget_unit_id, quota, place, status)
                 select '{title}', 'teknis', 3, current_date - {ended} - 2, current_date - {ended}, 8, 2026, id, 500, 'Soreang', 'completed'
                 from units where code = 'DKIS' returning id"
            ))
            .await;
        sqlx::query(
            "insert into training_competencies (training_id, competency_id, target_level)
             select $1, id, 3 from competencies where code in ('APL-02', 'INF-01')",
        )
        .bind(t)
        .execute(&app.pool)
        .await
        .expect("targets");
        sqlx::query(
            "insert into training_participants (training_id, employee_id, status)
             select $1, id, 'attended' from employees where active",
        )
        .bind(t)
        .execute(&app.pool)
        .await
        .expect("participants");
    }
    let scope = cakap::auth::Scope { all: true, own: None, unit_patterns: vec![] };
    let today = chrono::Local::now().date_naive();
    let total = app.scalar(&format!("select count(*) from reassessments_due(true, null, '{{}}', '{today}')")).await;
    assert!(total > 400, "enough rows to cut: {total}");
    let whole: Vec<(i64, i64, i64)> = sqlx::query_as(
        "select r.employee_id, r.competency_id, r.training_id
         from reassessments_due(true, null, '{}', $1) r join trainings t on t.id = r.training_id
         join competencies c on c.id = r.competency_id join employees e on e.id = r.employee_id
         order by t.ends_on, e.name, c.code, t.id, e.id limit 300",
    )
    .bind(today)
    .fetch_all(&app.pool)
    .await
    .expect("whole order");
    let mut conn = app.pool.acquire().await.expect("connection");
    let listed = cakap::development::hub::reassessments(&mut conn, &scope, today, false).await.expect("list");
    let listed: Vec<(i64, i64, i64)> = listed.iter().map(|r| (r.employee_id, r.competency_id, r.training_id)).collect();
    assert_eq!(listed.len(), 300);
    assert_eq!(listed, whole, "the same 300 rows in the same order");
    // The development hub keeps the list per version of the records: an assessment of the first
    // pair made since takes it off the next view.
    let kept = cakap::development::hub::kept_reassessments(&app.state, &scope, today, false).await.expect("kept");
    assert_eq!(kept.0.len(), 300);
    let (employee, competency, _) = whole[0];
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status)
         values ($1, $2, 3, current_date, 'supervisor', 'validated')",
    )
    .bind(employee)
    .bind(competency)
    .execute(&app.pool)
    .await
    .expect("assessment");
    let kept = cakap::development::hub::kept_reassessments(&app.state, &scope, today, false).await.expect("kept");
    assert!(
        !kept.0.iter().any(|r| r.employee_id == employee && r.competency_id == competency),
        "the pair assessed since is no longer due"
    );
    // The kepala dinas sees the whole department, as HR does: their hub reads HR's kept list, even
    // where it could no longer be computed (the rule renamed away after HR's view).
    let hr_page = app.as_user("kepegawaian").await.get("/development").await;
    assert_eq!(hr_page.status, 200);
    let mut kadis = app.as_user("kadis").await;
    kadis.get("/").await;
    sqlx::query("alter function reassessments_due(boolean, bigint, text[], date) rename to reassessments_due_away")
        .execute(&app.pool)
        .await
        .expect("rename");
    let page = kadis.get("/development").await;
    assert_eq!(page.status, 200, "the kepala dinas's hub is HR's kept list");
    assert_eq!(hr_page.body.matches("/trainings/").count(), page.body.matches("/trainings/").count());
}

/// A 2031 training of the Aplikasi Informatika bidang developing `targets` (code, level), which
/// `staff` (id, NIP) attend and pass: nominated and approved by their head, results recorded by
/// HR through the pages. (training id, participant ids).
async fn passed_training(
    app: &TestApp,
    title: &str,
    targets: &[(&str, &str)],
    staff: &[(i64, String)],
) -> (i64, Vec<i64>) {
    let apt = app.scalar("select id from units where code = 'APT'").await.to_string();
    let mut hr = app.as_user("kepegawaian").await;
    let mut head = app.as_user("kabid.aptika").await;
    let r = hr.post(&format!("/budgets/2031/{apt}"), &[("amount", "Rp100.000.000"), ("version", "0")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let t = create_training(&mut hr, &apt, title).await;
    for (code, level) in targets {
        let comp = app.scalar(&format!("select id from competencies where code = '{code}'")).await.to_string();
        let r = hr.post(&format!("/trainings/{t}/competencies"), &[("competency", &comp), ("level", level)]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER);
    }
    let nips: Vec<&str> = staff.iter().map(|s| s.1.as_str()).collect();
    let r = head.post(&format!("/trainings/{t}/participants"), &[("nips", &nips.join("\n"))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let mut ids = vec![];
    for (e, _) in staff {
        let p = participant(app, t, *e).await;
        let r = head.post(&format!("/participants/{p}/approve"), &[]).await;
        assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
        ids.push(p);
    }
    let mut fields = training_fields(&apt, title);
    fields.retain(|(k, _)| *k != "status");
    fields.push(("status", "running"));
    let r = hr.post_edit(&format!("/trainings/{t}/edit"), &format!("/trainings/{t}"), &fields).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    for p in &ids {
        record_result(&mut hr, *p, "passed").await;
    }
    (t, ids)
}

/// HR records a participant's result through the result form.
async fn record_result(hr: &mut Client, p: i64, result: &str) {
    let form = hr.get(&format!("/participants/{p}/result")).await;
    let version = crate::helpers::hidden(&form.body, "version");
    let r = hr
        .post_multipart(&format!("/participants/{p}/result"), &[("status", result), ("version", &version)], None)
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// The employee's current (valid) level of a competency, if any.
async fn current_level(app: &TestApp, employee: i64, competency: i64) -> Option<i16> {
    sqlx::query_scalar("select level from current_levels where employee_id = $1 and competency_id = $2")
        .bind(employee)
        .bind(competency)
        .fetch_optional(&app.pool)
        .await
        .expect("current level")
}

/// A validated assessment recorded by the supervisor `days_ago` days ago.
async fn validated(app: &TestApp, employee: i64, competency: i64, level: i16, days_ago: i32) {
    sqlx::query(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, status, validated_at)
         values ($1, $2, $3, current_date - $4, 'supervisor', 'validated', now())",
    )
    .bind(employee)
    .bind(competency)
    .bind(level)
    .bind(days_ago)
    .execute(&app.pool)
    .await
    .expect("validated assessment");
}

/// Issue 22: a pass never lowers a validated level. Where the employee already holds the target
/// level or higher nothing is proposed and the training page says the training confirmed her
/// level; a proposal that waited while she was validated higher (the proposal dated later, the
/// training's last day) is, when the head approves it, a confirmation too, never the latest level.
#[sqlx::test]
async fn a_passed_training_never_lowers_a_validated_level(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let own_nip = text(&app, &format!("select nip from employees where id = {own}")).await;
    let (a, b) = (
        app.scalar("select id from competencies where code = 'APL-01'").await,
        app.scalar("select id from competencies where code = 'APL-02'").await,
    );
    sqlx::query("delete from assessments where employee_id = $1 and competency_id in ($2, $3)")
        .bind(own)
        .bind(a)
        .bind(b)
        .execute(&app.pool)
        .await
        .expect("clean");
    validated(&app, own, a, 4, 30).await;
    assert_eq!(current_level(&app, own, a).await, Some(4));

    let (t, p) =
        passed_training(&app, "Pelatihan Tanpa Turun Level", &[("APL-01", "3"), ("APL-02", "3")], &[(own, own_nip)])
            .await;
    let waiting = |comp: i64| {
        format!(
            "select count(*) from assessments where employee_id = {own} and competency_id = {comp} and status = 'pending'"
        )
    };
    // APL-01: the expert at 4 passing a level-3 training: nothing to decide, still 4, confirmed.
    assert_eq!(app.scalar(&waiting(a)).await, 0, "no proposal below the level held");
    assert_eq!(current_level(&app, own, a).await, Some(4));
    assert_eq!(
        app.scalar(&format!(
            "select held_level::bigint from training_confirmations where participant_id = {} and competency_id = {a} and target_level = 3",
            p[0]
        ))
        .await,
        4
    );
    assert_eq!(app.audit_count("confirm_levels").await, 1);
    // APL-02: never assessed, so the target level is proposed for the head.
    assert_eq!(app.scalar(&waiting(b)).await, 1);
    let proposal = app
        .scalar(&format!(
            "select id from assessments where employee_id = {own} and competency_id = {b} and source = 'training'
               and status = 'pending' and level = 3 and training_participant_id = {}",
            p[0]
        ))
        .await;
    let mut hr = app.as_user("kepegawaian").await;
    let page = hr.get(&format!("/trainings/{t}")).await;
    assert!(page.body.contains("APL-01: dikonfirmasi di level 4 (tidak ada usulan)"), "{}", page.body);
    let kabid = text(
        &app,
        "select employee_display_name(e.front_title, e.name, e.back_title) from accounts a
         join employees e on e.id = a.employee_id where a.username = 'kabid.aptika'",
    )
    .await;
    // The head's name as far as its first word (the page escapes what a name may contain).
    let first = kabid.split(' ').next().unwrap_or_default();
    let line = format!(
        "Diusulkan: APL-02 level 3 — menunggu keputusan Kepala Bidang Aplikasi Informatika dan e-Government ({first}"
    );
    assert!(page.body.contains(&line), "what was proposed and who decides it: {line}");
    hr.get("/lang/en?next=/").await;
    let page = hr.get(&format!("/trainings/{t}")).await;
    assert!(page.body.contains("APL-01: confirmed at level 4 (nothing proposed)"));
    assert!(page.body.contains("Proposed: APL-02 level 3 — awaiting the decision of the head of Bidang Aplikasi"));
    hr.get("/lang/id?next=/").await;

    // While the proposal waits she is validated at 4 (today, before the training's last day in
    // 2031). Approving the older, lower proposal would make its 3 the latest level: it is recorded
    // as a confirmation instead, and the level stays 4.
    validated(&app, own, b, 4, 0).await;
    let mut head = app.as_user("kabid.aptika").await;
    let r = head.post(&format!("/assessments/{proposal}/validate"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(current_level(&app, own, b).await, Some(4), "never lowered");
    assert_eq!(app.scalar(&format!("select count(*) from assessments where id = {proposal}")).await, 0);
    assert_eq!(app.scalar(&waiting(b)).await, 0, "it left the queue");
    assert_eq!(
        app.scalar(&format!(
            "select held_level::bigint from training_confirmations where proposal_id = {proposal} and competency_id = {b}"
        ))
        .await,
        4
    );
    assert_eq!(app.audit_count("confirm_instead").await, 1);
    let r = hr.post(&format!("/assessments/{proposal}/validate"), &[]).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "decided once; the second decider is told how");
    assert!(r.body.contains("konfirmasi level yang sudah dimiliki"), "{}", r.body);
    let page = hr.get(&format!("/trainings/{t}")).await;
    assert!(page.body.contains("APL-02: dikonfirmasi di level 4 (tidak ada usulan)"));

    // The result corrected and recorded as passed again proposes and confirms nothing twice.
    record_result(&mut hr, p[0], "failed").await;
    record_result(&mut hr, p[0], "passed").await;
    assert_eq!(
        app.scalar(&format!("select count(*) from assessments where training_participant_id = {}", p[0])).await,
        0
    );
    assert_eq!(
        app.scalar(&format!("select count(*) from training_confirmations where participant_id = {}", p[0])).await,
        2
    );
    assert_eq!((current_level(&app, own, a).await, current_level(&app, own, b).await), (Some(4), Some(4)));
}

/// The employee claims a level of her own through the self-assessment form (dated today).
async fn self_claim(me: &mut Client, own: i64, comp: i64, level: &str) {
    let form = me.get(&format!("/employees/{own}/assessments/new?competency={comp}")).await;
    let token = crate::helpers::hidden(&form.body, "form_token");
    let today = crate::helpers::hidden(&form.body, "assessed_on");
    let comp = comp.to_string();
    let fields = [
        ("competency", comp.as_str()),
        ("level", level),
        ("assessed_on", today.as_str()),
        ("source", "self"),
        ("form_token", token.as_str()),
    ];
    let r = me.post_multipart(&format!("/employees/{own}/assessments"), &fields, None).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
}

/// Issue 22: a training's proposal never replaces or hides the employee's own pending claim for
/// the same competency, nor does a new claim of hers replace the training's: both wait in the
/// head's one queue and each is decided. The training's measured effect does not count its own
/// proposal as the level after.
#[sqlx::test]
async fn an_own_claim_and_a_training_proposal_both_wait_and_each_is_decided(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let own_nip = text(&app, &format!("select nip from employees where id = {own}")).await;
    let other = apt_staff(&app, 1).await.remove(0);
    let comp = app.scalar("select id from competencies where code = 'APL-02'").await;
    sqlx::query("delete from assessments where employee_id in ($1, $2) and competency_id = $3")
        .bind(own)
        .bind(other.0)
        .bind(comp)
        .execute(&app.pool)
        .await
        .expect("clean");
    validated(&app, own, comp, 2, 60).await;

    // Her own claim of level 4, through the self-assessment form.
    let mut me = app.as_user("pegawai").await;
    self_claim(&mut me, own, comp, "4").await;
    let (t, p) =
        passed_training(&app, "Pelatihan Dua Usulan", &[("APL-02", "3")], &[(own, own_nip), other.clone()]).await;
    let pending = |source: &str| {
        format!(
            "select id from assessments where employee_id = {own} and competency_id = {comp} and status = 'pending' and source = '{source}'"
        )
    };
    let training = app.scalar(&pending("training")).await;
    let own_claim = app.scalar(&pending("self")).await;
    // A second claim of hers replaces her first, never the training's.
    self_claim(&mut me, own, comp, "4").await;
    let own_claim_2 = app.scalar(&pending("self")).await;
    assert_ne!(own_claim, own_claim_2);
    assert_eq!(app.scalar(&pending("training")).await, training, "the training's proposal still waits");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from assessments where employee_id = {own} and competency_id = {comp} and status = 'pending'"
        ))
        .await,
        2
    );

    let mut head = app.as_user("kabid.aptika").await;
    let queue = head.get("/approvals").await;
    assert!(queue.body.contains(&format!("assessment:{training}")), "the training's proposal is in the queue");
    assert!(queue.body.contains(&format!("assessment:{own_claim_2}")), "her own claim is in the queue");
    // The proposal in words: which training proposes which level, against her level now.
    assert!(queue.body.contains("Usulan dari pelatihan APL-02: level 3 ("), "{}", queue.body);
    assert!(queue.body.contains("Pelatihan Dua Usulan"));
    let page = app.as_user("kepegawaian").await.get(&format!("/trainings/{t}")).await;
    assert!(page.body.contains("Diusulkan: APL-02 level 3 — menunggu keputusan Kepala Bidang"));

    // The head approves her claim of 4, then the training's 3: the first raises her to 4, the
    // second (no longer above her level) becomes the training's confirmation of it.
    let r = head.post("/approvals", &[("item", &format!("assessment:{own_claim_2}")), ("decision", "approve")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(current_level(&app, own, comp).await, Some(4));
    let r = head.post("/approvals", &[("item", &format!("assessment:{training}")), ("decision", "approve")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(current_level(&app, own, comp).await, Some(4), "the training did not lower it");
    assert_eq!(
        app.scalar(&format!(
            "select count(*) from assessments where employee_id = {own} and competency_id = {comp} and status = 'pending'"
        ))
        .await,
        0,
        "both decided"
    );
    let queue = head.get("/approvals").await;
    assert!(
        !queue.body.contains(&format!("assessment:{training}"))
            && !queue.body.contains(&format!("assessment:{own_claim_2}"))
    );

    // The other participant had no level: her proposal, approved, raises her to 3.
    let theirs = app
        .scalar(&format!("select id from assessments where training_participant_id = {} and status = 'pending'", p[1]))
        .await;
    let r = head.post(&format!("/assessments/{theirs}/validate"), &[]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(current_level(&app, other.0, comp).await, Some(3));
    let page = app.as_user("kepegawaian").await.get(&format!("/trainings/{t}")).await;
    assert!(page.body.contains("APL-02: dikonfirmasi di level 4 (tidak ada usulan)"), "hers");
    assert!(page.body.contains("Diusulkan: APL-02 level 3 — disetujui"), "theirs");

    // Effect: her level after comes from her own (validated) claim; theirs is only the training's
    // own proposal, which is not evidence of its effect.
    sqlx::query("update trainings set status = 'completed' where id = $1")
        .bind(t)
        .execute(&app.pool)
        .await
        .expect("done");
    let after: Vec<(i64, Option<i16>)> = sqlx::query_as(
        "select participant_id, after_level from training_effect where training_id = $1 order by participant_id",
    )
    .bind(t)
    .fetch_all(&app.pool)
    .await
    .expect("effect");
    let mut want = vec![(p[0], None), (p[1], None)];
    want.sort();
    assert_eq!(after, want, "her claim is dated before the training ended; their only later level is the proposal");
    let page = app.as_user("kepegawaian").await.get(&format!("/trainings/{t}")).await;
    assert!(page.body.contains("bukan dari usulan penilaian pelatihan ini sendiri"));
}

/// A department of many units sees its budgets 50 units a page, the totals over every unit; a
/// save returns to the page it was made on, a refused amount is shown on its unit's page with the
/// typed text kept, and the exports hold every unit.
#[sqlx::test]
async fn the_budgets_page_50_units_at_a_time_with_totals_over_all(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    sqlx::query(
        "with d as (select id from units where parent_id is null order by id limit 1)
         insert into units (parent_id, code, name, kind)
         select d.id, 'BG-' || g, 'Bidang Anggaran ' || lpad(g::text, 3, '0'), 'bidang' from d, generate_series(1, 120) g",
    )
    .execute(&app.pool)
    .await
    .expect("units");
    sqlx::query(
        "insert into unit_budgets (year, unit_id, amount) select 2031, id, 1000000 from units where code like 'BG-%'",
    )
    .execute(&app.pool)
    .await
    .expect("budgets");
    let units = app.scalar("select count(*) from units where closed_on is null").await;
    assert!(units > 120);
    let order: Vec<i64> = sqlx::query_scalar("select id from units where closed_on is null order by sort_key")
        .fetch_all(&app.pool)
        .await
        .expect("order");
    let mut hr = app.as_user("kepegawaian").await;
    let first = hr.get("/budgets?year=2031").await;
    assert_eq!(first.status, StatusCode::OK);
    assert_eq!(first.body.matches("name=\"amount\"").count(), 50);
    assert!(first.body.contains("Rp120.000.000"), "the total is over every unit, not this page's");
    let next = first.body.split("rel=\"next\"").next().and_then(|s| s.rsplit("href=\"").next()).unwrap_or_default();
    assert!(next.contains("year=2031") && next.contains("page=2"), "a link to the next page: {next}");
    let last_page = (units + 49) / 50;
    let last = hr.get(&format!("/budgets?year=2031&page={last_page}")).await;
    assert_eq!(last.body.matches("name=\"amount\"").count() as i64, units - (last_page - 1) * 50);
    let unit = order[75];
    assert!(hr.get("/budgets?year=2031&page=2").await.body.contains(&format!("id=\"amt-{unit}\"")));
    let v = app.scalar(&format!("select version from unit_budgets where year = 2031 and unit_id = {unit}")).await;
    let r = hr
        .post(&format!("/budgets/2031/{unit}"), &[("amount", "2.000.000"), ("version", &v.to_string()), ("page", "2")])
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER);
    assert_eq!(r.location(), "/budgets?year=2031&page=2", "back to its page, where the message shows");
    let r = hr
        .post(
            &format!("/budgets/2031/{unit}"),
            &[("amount", "dua juta"), ("version", &(v + 1).to_string()), ("page", "2")],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(&format!("id=\"amt-{unit}\" name=\"amount\" inputmode=\"numeric\" size=\"11\" value=\"dua juta\" aria-invalid=\"true\"")), "{}", r.body);
    assert!(r.body.contains("Halaman 2 /"), "the page holding the unit");
    let name: String =
        sqlx::query_scalar("select name from units where id = $1").bind(unit).fetch_one(&app.pool).await.expect("name");
    assert!(r.body.contains(&format!("<a href=\"#amt-{unit}\">{name}</a>")), "the message names the unit");
    let csv = hr.get("/budgets?year=2031&format=csv").await;
    assert_eq!(csv.body.lines().count() as i64 - 1, units, "the export holds every unit");
}

/// The effect page lists the completed trainings 50 a page, measured ones first, and is kept:
/// the second view reads nothing but the session.
#[sqlx::test]
async fn the_effect_page_lists_trainings_50_a_page(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let cols: String = sqlx::query_scalar(
        "select string_agg(column_name, ', ' order by ordinal_position) from information_schema.columns
         where table_schema = 'public' and table_name = 'trainings' and column_name not in ('id', 'title')
           and is_generated = 'NEVER' and identity_generation is null",
    )
    .fetch_one(&app.pool)
    .await
    .expect("columns");
    sqlx::query(&format!(
        "insert into trainings (title, {cols})
         select 'Pelatihan Salinan ' || lpad(g::text, 3, '0'), {cols}
         from (select * from trainings where status = 'completed' order by id limit 1) t, generate_series(1, 80) g"
    ))
    .execute(&app.pool)
    .await
    .expect("copies");
    let completed = app.scalar("select count(*) from trainings where status = 'completed'").await;
    assert!(completed > 80);
    let mut hr = app.as_user("kepegawaian").await;
    let first = hr.get("/development/effect").await;
    assert_eq!(first.status, StatusCode::OK);
    let rows = |body: &str| {
        body.split("id=\"by-training\"")
            .nth(1)
            .unwrap_or_default()
            .split("</table>")
            .next()
            .unwrap_or_default()
            .matches("<tr><th scope=\"row\">")
            .count() as i64
    };
    assert_eq!(rows(&first.body), 50);
    let last_page = (completed + 49) / 50;
    let last = hr.get(&format!("/development/effect?page={last_page}")).await;
    assert_eq!(rows(&last.body), completed - (last_page - 1) * 50);
    assert!(last.body.contains("Pelatihan Salinan 080"), "the copies, never measured, come last");
    assert!(!first.body.contains("Pelatihan Salinan"), "measured trainings first");
    let (again, n) = crate::helpers::count_queries(hr.get("/development/effect?page=2")).await;
    assert_eq!(again.status, StatusCode::OK);
    assert!(n <= 3, "the figures are kept: {n} statements");
}

/// The informal-learning list of staff comes 50 a page, newest first, its count over every
/// activity with a learner the reader sees (a head: their units' only).
#[sqlx::test]
async fn the_staff_activities_come_50_a_page_counted_within_scope(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let cols: String = sqlx::query_scalar(
        "select string_agg(column_name, ', ' order by ordinal_position) from information_schema.columns
         where table_schema = 'public' and table_name = 'activities' and column_name not in ('id', 'topic', 'held_on')
           and is_generated = 'NEVER' and identity_generation is null",
    )
    .fetch_one(&app.pool)
    .await
    .expect("columns");
    // 70 copies of an activity whose learners are all in Bidang Aplikasi, each with its learners.
    sqlx::query(&format!(
        "with src as (select a.* from activities a
                      where not exists (select 1 from activity_learners l join employees e on e.id = l.employee_id
                                        join units u on u.id = e.unit_id
                                        where l.activity_id = a.id and u.path not like (select path from units where code = 'APT') || '%')
                        and exists (select 1 from activity_learners l where l.activity_id = a.id)
                      order by a.id limit 1),
              made as (insert into activities (topic, held_on, {cols})
                       select 'Sesi Salinan ' || lpad(g::text, 3, '0'), date '2000-01-01' + g, {cols}
                       from src, generate_series(1, 70) g returning id)
         insert into activity_learners (activity_id, employee_id)
         select m.id, l.employee_id from made m, src join activity_learners l on l.activity_id = src.id"
    ))
    .execute(&app.pool)
    .await
    .expect("copies");
    let seen_by = |who: &'static str| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>(
                "select count(*) from activities a where exists (
                   select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
                   where l.activity_id = a.id
                     and (not exists (select 1 from account_roles r join accounts c on c.id = r.account_id where c.username = $1 and r.role = 'head')
                          or exists (select 1 from account_roles r join accounts c on c.id = r.account_id join units h on h.id = r.unit_id
                                     where c.username = $1 and r.role = 'head' and u.path like h.path || '%')))",
            )
            .bind(who)
            .fetch_one(&pool)
            .await
            .expect("count")
        }
    };
    let mut hr = app.as_user("kepegawaian").await;
    let all = seen_by("kepegawaian").await;
    assert!(all > 70);
    let first = hr.get("/activities").await;
    assert_eq!(first.status, StatusCode::OK);
    assert!(first.body.contains(&format!("dari {all}")), "the count over every page");
    let last_page = (all + 49) / 50;
    let last = hr.get(&format!("/activities?page={last_page}")).await;
    assert!(last.body.contains("Sesi Salinan 001"), "the oldest last");
    assert!(!first.body.contains("Sesi Salinan"), "the newest first");
    let mut infra = app.as_user("kabid.infra").await;
    let theirs = seen_by("kabid.infra").await;
    let page = infra.get("/activities").await;
    assert!(page.body.contains(&format!("dari {theirs}")) || theirs == 0, "a head counts their units' only");
    assert!(!page.body.contains("Sesi Salinan"), "another bidang's sessions are not listed");
    // A head of part of the department: the list starts from their staff, in the same order.
    let mut aptika = app.as_user("kabid.aptika").await;
    let theirs = seen_by("kabid.aptika").await;
    assert!(theirs > 70);
    let first = aptika.get("/activities").await;
    assert!(first.body.contains(&format!("dari {theirs}")), "a head's count from their staff");
    let newest: String = sqlx::query_scalar(
        "select a.topic from activities a where exists (
           select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
           where l.activity_id = a.id and u.path like (select path from units where code = 'APT') || '%')
         order by a.held_on desc, a.id desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("newest");
    assert!(first.body.contains(&newest), "their newest first");
    let last = aptika.get(&format!("/activities?page={}", (theirs + 49) / 50)).await;
    assert!(last.body.contains("Sesi Salinan 001"), "their oldest last");
}
