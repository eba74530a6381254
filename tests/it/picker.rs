//! People chosen by name (the person picker) and the approval queue that shows each claim in
//! words: the JSON search within what each role may see, by name and by part of a NIP; the
//! server resolving what a form posts (ids checked again, typed names resolved, several offered,
//! none refused with the text kept); the queue's claims, evidence and one-item decisions.

use axum::http::StatusCode;
use serde_json::Value;
use sqlx::PgPool;

use crate::helpers::{Client, TestApp, employee_fields, hidden, many_positions, test_position};

/// (id, name, NIP) of an active employee, the first the query gives.
async fn person(app: &TestApp, sql: &str) -> (i64, String, String) {
    sqlx::query_as(sql).fetch_one(&app.pool).await.expect(sql)
}

async fn search(c: &mut Client, purpose: &str, q: &str) -> (StatusCode, Value) {
    let url = format!("/people/search?for={purpose}&q={}", q.replace(' ', "%20"));
    let r = c.get_json(&url).await;
    (r.status, serde_json::from_str(&r.body).unwrap_or(Value::Null))
}

fn ids(v: &Value) -> Vec<i64> {
    v["people"].as_array().map(|a| a.iter().filter_map(|p| p["id"].as_i64()).collect()).unwrap_or_default()
}

/// A colleague in Aplikasi Informatika (head A's units) and one in Infrastruktur (not head A's),
/// neither with an account.
const APT: &str = "select e.id, e.name, e.nip from employees e join units u on u.id = e.unit_id
    where u.code like 'APT-%' and e.active and not exists (select 1 from accounts a where a.employee_id = e.id)
    order by e.id limit 1";
const INF: &str = "select e.id, e.name, e.nip from employees e join units u on u.id = e.unit_id
    where u.code like 'INF-%' and e.active and not exists (select 1 from accounts a where a.employee_id = e.id)
    order by e.id limit 1";

#[sqlx::test]
async fn the_picker_finds_colleagues_by_name_and_shows_each_role_only_its_share(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (apt, apt_name, apt_nip) = person(&app, APT).await;
    let (inf, inf_name, inf_nip) = person(&app, INF).await;
    let yayan =
        person(&app, "select id, name, nip from employees where active and name like 'Yayan %' order by id limit 1")
            .await;

    // An employee finds a colleague of another bidang by name, for learning: name, position and
    // unit, nothing personal.
    let mut emp = app.as_user("pegawai").await;
    let (status, v) = search(&mut emp, "learning", "yayan").await;
    assert_eq!(status, StatusCode::OK);
    assert!(ids(&v).contains(&yayan.0), "“Yayan” finds {}: {v}", yayan.1);
    for p in v["people"].as_array().expect("people") {
        let keys: Vec<&str> = p.as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(keys.len(), 4, "only id, name, position, unit: {p}");
        for k in ["id", "name", "position", "unit"] {
            assert!(keys.contains(&k), "{k} in {p}");
        }
        assert!(!p["unit"].as_str().unwrap_or_default().is_empty());
    }
    assert!(!v.to_string().contains(&yayan.2), "no NIP for an employee");
    let (_, v) = search(&mut emp, "learning", &inf_name).await;
    assert!(ids(&v).contains(&inf), "any colleague, by full name");
    // Part of a NIP finds nobody else for an employee (a NIP holds the birth date).
    let (_, v) = search(&mut emp, "learning", &inf_nip[..10]).await;
    assert!(ids(&v).is_empty(), "a NIP part finds no colleague for an employee: {v}");
    let (status, _) = search(&mut emp, "manage", "yayan").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "an employee manages nobody");
    let (_, v) = search(&mut emp, "learning", "y").await;
    assert!(ids(&v).is_empty(), "one letter is not a search");

    // A head, for management: their own units only, with the NIP, by name or by part of a NIP.
    let mut head = app.as_user("kabid.aptika").await;
    let (_, v) = search(&mut head, "manage", &apt_nip[4..14]).await;
    assert_eq!(ids(&v), vec![apt], "a NIP part finds the head's own staff: {v}");
    assert_eq!(v["people"][0]["nip"], Value::String(apt_nip.clone()));
    let (_, v) = search(&mut head, "manage", &apt_name).await;
    assert!(ids(&v).contains(&apt));
    let (_, v) = search(&mut head, "manage", &inf_name).await;
    assert!(!ids(&v).contains(&inf), "another bidang's staff is not the head's to manage: {v}");
    let (_, v) = search(&mut head, "manage", &inf_nip[4..14]).await;
    assert!(ids(&v).is_empty());
    // …but a colleague to learn from anywhere, without the NIP.
    let (_, v) = search(&mut head, "learning", &inf_name).await;
    assert!(ids(&v).contains(&inf));
    assert!(!v.to_string().contains(&inf_nip));

    // HR: everyone, by name and by part of a NIP.
    let mut hr = app.as_user("kepegawaian").await;
    let (_, v) = search(&mut hr, "manage", &inf_nip[4..14]).await;
    assert_eq!(ids(&v), vec![inf]);
    let (_, v) = search(&mut hr, "manage", &apt_name).await;
    assert!(ids(&v).contains(&apt));
    assert!(v.to_string().contains(&apt_nip));
}

#[sqlx::test]
async fn the_server_checks_the_chosen_person_again(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let (apt, _, _) = person(&app, APT).await;
    let (inf, inf_name, _) = person(&app, INF).await;
    let comp = app.scalar("select id from competencies where code = 'APL-02'").await.to_string();
    let training = app
        .scalar(
            "insert into trainings (title, form, jenis_diklat, starts_on, ends_on, jp, cost_per_participant, budget_year, budget_unit_id, quota, place, status)
             select 'Pelatihan Pemilih', 'teknis', 3, '2031-05-01', '2031-05-02', 16, 0, 2031, id, 10, 'Soreang', 'open' from units where code = 'APT' returning id",
        )
        .await;

    // A head nominating someone of another bidang by id: refused, nothing added.
    let mut head = app.as_user("kabid.aptika").await;
    let url = format!("/trainings/{training}/participants");
    let r = head.post(&url, &[("nips_id", &inf.to_string())]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("tidak dapat dipilih di sini"), "{}", r.body);
    // …and by name: not found among the head's staff, the text kept.
    let r = head.post(&url, &[("nips", &inf_name)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("di luar unit") && r.body.contains(&inf_name), "{}", r.body);
    let r = head.post(&url, &[("nips_id", "not-a-number")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.scalar(&format!("select count(*) from training_participants where training_id = {training}")).await,
        0
    );
    // Their own staff by id: nominated.
    let r = head.post(&url, &[("nips_id", &apt.to_string())]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.scalar(&format!("select employee_id from training_participants where training_id = {training}")).await,
        apt
    );

    // An employee naming a mentor by an id that is nobody active: refused beside the field.
    let mut emp = app.as_user("pegawai").await;
    let gone =
        app.scalar("update employees set active = false where id = (select max(id) from employees) returning id").await;
    let post = |mentor_id: String, mentor: &'static str| {
        let mut fields = vec![
            ("role".to_string(), "learner".to_string()),
            ("kind".to_string(), "mentoring".to_string()),
            ("competency".to_string(), comp.clone()),
            ("held_on".to_string(), chrono::Utc::now().date_naive().to_string()),
            ("minutes".to_string(), "60".to_string()),
            ("topic".to_string(), "Sesi dengan rekan".to_string()),
            ("mentor".to_string(), mentor.to_string()),
        ];
        if !mentor_id.is_empty() {
            fields.push(("mentor_id".to_string(), mentor_id));
        }
        fields
    };
    for bad in [gone.to_string(), "999999999".to_string()] {
        let page = emp.get("/activities/new").await;
        let mut fields = post(bad.clone(), "");
        fields.push(("form_token".into(), hidden(&page.body, "form_token")));
        let f: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let r = emp.post_multipart("/activities", &f, None).await;
        assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
        assert!(r.body.contains("tidak dapat dipilih di sini"), "{bad}: {}", r.body);
    }
    assert_eq!(app.scalar("select count(*) from activities where topic = 'Sesi dengan rekan'").await, 0);

    // A head logging for staff of another bidang (management) by id: refused.
    let page = head.get("/activities/new?role=staff").await;
    let token = hidden(&page.body, "form_token");
    let inf_s = inf.to_string();
    let held = chrono::Utc::now().date_naive().to_string();
    let r = head
        .post_multipart(
            "/activities",
            &[
                ("role", "staff"),
                ("kind", "belajar_mandiri"),
                ("competency", &comp),
                ("held_on", &held),
                ("minutes", "60"),
                ("topic", "Sesi dengan rekan"),
                ("report", "Membaca dokumentasi resmi dan mencoba contoh-contohnya di lingkungan uji."),
                ("learners_id", &inf_s),
                ("form_token", &token),
            ],
            None,
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("tidak dapat dipilih di sini"), "{}", r.body);
    assert_eq!(app.scalar("select count(*) from activities where topic = 'Sesi dengan rekan'").await, 0);
}

#[sqlx::test]
async fn a_typed_name_is_resolved_offered_or_refused_without_script(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let (inf, inf_name, _) = person(&app, INF).await;
    let comp = app.scalar("select id from competencies where code = 'APL-02'").await.to_string();
    let held = chrono::Utc::now().date_naive().to_string();
    let mut emp = app.as_user("pegawai").await;
    let mut send = async |mentor: &str, topic: &str| {
        let page = emp.get("/activities/new").await;
        let token = hidden(&page.body, "form_token");
        emp.post_multipart(
            "/activities",
            &[
                ("role", "learner"),
                ("kind", "mentoring"),
                ("competency", &comp),
                ("held_on", &held),
                ("minutes", "150"),
                ("topic", topic),
                ("mentor", mentor),
                ("form_token", &token),
            ],
            None,
        )
        .await
    };
    // Nobody by that name: the error beside the field, the text kept.
    let r = send("Zulkarnaen Tidakada", "Sesi satu").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("“Zulkarnaen Tidakada” tidak ditemukan di antara pegawai aktif"), "{}", r.body);
    assert!(r.body.contains("value=\"Zulkarnaen Tidakada\""), "the text kept");
    // Several match: they are offered to tick, nothing saved.
    let r = send("an", "Sesi dua").await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("cocok dengan beberapa pegawai"), "{}", r.body);
    assert!(r.body.matches("name=\"mentor_id\"").count() >= 2, "the matches to tick");
    assert_eq!(app.scalar("select count(*) from activities where topic like 'Sesi %'").await, 0);
    // One match: chosen, saved with that mentor and her as the learner.
    let r = send(&inf_name, "Sesi tiga").await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(app.scalar("select mentor_id from activities where topic = 'Sesi tiga'").await, inf);
    assert_eq!(
        app.scalar("select l.employee_id from activity_learners l join activities a on a.id = l.activity_id where a.topic = 'Sesi tiga'")
            .await,
        own
    );
}

#[sqlx::test]
async fn the_gap_card_and_a_training_open_the_form_with_the_person_filled_in(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own = app.scalar("select employee_id from accounts where username = 'pegawai'").await;
    let mut emp = app.as_user("pegawai").await;
    let card = emp.get(&format!("/employees/{own}/gaps")).await;
    assert_eq!(card.status, StatusCode::OK);
    let link = card
        .body
        .split("class=\"log-session\" href=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a mentor option offers to log a session")
        .replace("&amp;", "&");
    assert!(link.starts_with("/activities/new?role=learner&kind=mentoring&competency="), "{link}");
    let mentor: i64 = link.split("mentor_id=").nth(1).and_then(|s| s.parse().ok()).expect("the mentor's id");
    let name: String =
        sqlx::query_scalar("select employee_display_name(front_title, name, back_title) from employees where id = $1")
            .bind(mentor)
            .fetch_one(&app.pool)
            .await
            .expect("name");
    let nip: String = sqlx::query_scalar("select nip from employees where id = $1")
        .bind(mentor)
        .fetch_one(&app.pool)
        .await
        .expect("nip");
    assert!(!card.body.contains(&nip), "the employee's card shows no colleague's NIP");
    let form = emp.get(&link).await;
    assert_eq!(form.status, StatusCode::OK);
    assert!(form.body.contains(&format!("name=\"mentor_id\" value=\"{mentor}\" checked")), "the mentor is chosen");
    assert!(form.body.contains(&name) && !form.body.contains(&nip), "by name, without the NIP");

    // A training's participant: the head opens the activity form with her filled in.
    let t = app
        .scalar("select tp.training_id from training_participants tp where tp.employee_id = (select employee_id from accounts where username = 'pegawai') order by tp.id limit 1")
        .await;
    let mut head = app.as_user("kabid.aptika").await;
    let page = head.get(&format!("/trainings/{t}")).await;
    let link = page
        .body
        .split(&format!("href=\"/activities/new?role=staff&amp;kind=mentoring&amp;learner_ids={own}"))
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|rest| {
            format!("/activities/new?role=staff&kind=mentoring&learner_ids={own}{}", rest.replace("&amp;", "&"))
        })
        .expect("the participant links to the form");
    let form = head.get(&link).await;
    assert!(form.body.contains(&format!("name=\"learners_id\" value=\"{own}\" checked")), "{}", form.body);
}

#[sqlx::test]
async fn the_queue_shows_each_claim_in_words_and_decides_one_right_there(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    // A colleague of head A at level 2 in a competency claims level 3.
    let (emp, comp, code): (i64, i64, String) = sqlx::query_as(
        "select cl.employee_id, cl.competency_id, c.code from current_levels cl join employees e on e.id = cl.employee_id
         join units u on u.id = e.unit_id join competencies c on c.id = cl.competency_id
         where u.code like 'APT-%' and cl.level = 2 and not exists (select 1 from accounts a where a.employee_id = e.id)
         order by e.id, c.code limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("a level 2");
    let ev = app
        .scalar(&format!(
            "insert into evidence_files (employee_id, filename, content_type, size_bytes, sha256, data)
             values ({emp}, 'bukti.pdf', 'application/pdf', 15, 'x', '%PDF-1.4\n%%EOF\n'::bytea) returning id"
        ))
        .await;
    let asm = app
        .scalar(&format!(
            "insert into assessments (employee_id, competency_id, level, assessed_on, source, status, note, evidence_id)
             values ({emp}, {comp}, 3, current_date, 'self', 'pending', 'Membangun modul pelaporan', {ev}) returning id"
        ))
        .await;
    let act = app
        .scalar(&format!(
            "with a as (insert into activities (kind, competency_id, held_on, minutes, topic, report, status)
                        values ('belajar_mandiri', {comp}, current_date, 150, 'Belajar pengujian', 'Membaca buku panduan pengujian', 'pending') returning id)
             insert into activity_learners select id, {emp} from a returning activity_id"
        ))
        .await;
    let act2 = app
        .scalar(&format!(
            "with a as (insert into activities (kind, competency_id, held_on, minutes, topic, status)
                        values ('mentoring', {comp}, current_date, 1440, 'Magang singkat', 'pending') returning id)
             insert into activity_learners select id, {emp} from a returning activity_id"
        ))
        .await;
    let mut head = app.as_user("kabid.aptika").await;
    let q = head.get("/approvals").await;
    assert_eq!(q.status, StatusCode::OK);
    for words in [
        format!("Penilaian mandiri {code}: level 3 (saat ini 2)"),
        "Belajar mandiri 150 menit".to_string(),
        "Mentoring 1.440 menit".to_string(),
        "Topik: Belajar pengujian".to_string(),
        "Membaca buku panduan pengujian".to_string(),
        "Membangun modul pelaporan".to_string(),
        format!("href=\"/evidence/{ev}\""),
    ] {
        assert!(q.body.contains(&words), "{words} in the queue");
    }
    for raw in ["belajar_mandiri ·", "150 min<", "· 150 min"] {
        assert!(!q.body.contains(raw), "no raw code: {raw}");
    }
    let en = {
        let mut c = app.as_user("kabid.aptika").await;
        c.get("/lang/en?next=/approvals").await;
        c.get("/approvals").await.body
    };
    assert!(
        en.contains(&format!("Self-assessment {code}: level 3 (currently 2)")) && en.contains("Self-study 150 minutes")
    );

    // Reject one right there without a reason: the error beside it, the ticks kept.
    let r = head
        .post(
            "/approvals",
            &[
                ("item", &format!("assessment:{asm}")),
                ("one", &format!("reject:activity:{act}")),
                (&format!("reason-activity-{act}"), ""),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains(&format!("id=\"reason-activity-{act}-err\"")), "{}", r.body);
    assert!(r.body.contains(&format!("value=\"assessment:{asm}\" id=\"it-assessment-{asm}\" checked")), "ticks kept");
    assert_eq!(
        app.scalar(&format!("select count(*) from activities where id = {act} and status = 'pending'")).await,
        1
    );
    // With a reason: rejected with it; the other approved with its own button.
    let r = head
        .post(
            "/approvals",
            &[
                ("one", &format!("reject:activity:{act}")),
                (&format!("reason-activity-{act}"), "Laporan belum menyebut sumber"),
            ],
        )
        .await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let (status, reason): (String, String) =
        sqlx::query_as(&format!("select status, decision_reason from activities where id = {act}"))
            .fetch_one(&app.pool)
            .await
            .expect("decided");
    assert_eq!((status.as_str(), reason.as_str()), ("rejected", "Laporan belum menyebut sumber"));
    let r = head.post("/approvals", &[("one", &format!("approve:assessment:{asm}"))]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(
        app.scalar(&format!(
            "select level::bigint from current_levels where employee_id = {emp} and competency_id = {comp}"
        ))
        .await,
        3
    );
    assert_eq!(
        app.scalar(&format!("select count(*) from activities where id = {act2} and status = 'pending'")).await,
        1,
        "only the one decided"
    );
}

/// Where an agency has more active positions than a list can offer (a regency has thousands),
/// the employee form searches them instead: the page stays small and keeps the current position
/// ticked; a typed text naming one position takes it; several come back to tick with the text
/// kept and a message beside the field; none is an error; the JSON search serves the script, for
/// anyone signed in.
#[sqlx::test]
async fn the_employee_form_searches_positions_where_there_are_too_many_to_list(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    let (emp, own): (i64, i64) = sqlx::query_as(
        "select e.id, e.position_id from accounts a join employees e on e.id = a.employee_id where a.username = 'pegawai'",
    )
    .fetch_one(&app.pool)
    .await
    .expect("pegawai");
    let form = format!("/employees/{emp}/edit");
    // Few positions: the whole list, as before.
    let small = hr.get(&form).await;
    assert!(small.body.contains("<select id=\"position\" name=\"position\""), "a list while there are few");
    // 400 more, in two units.
    many_positions(&app).await;
    let page = hr.get(&form).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<select id=\"position\""), "no list of every position");
    assert!(page.body.contains("name=\"position_q\""), "a search");
    assert!(page.body.len() < 60_000, "the form stays small: {} bytes", page.body.len());
    assert!(
        page.body.contains(&format!("type=\"radio\" name=\"position\" value=\"{own}\" checked")),
        "the current position is ticked"
    );
    let base = employee_fields(&app, emp, own).await;
    let with = |extra: &[(&str, &str)]| -> Vec<(String, String)> {
        let mut f: Vec<(String, String)> =
            base.iter().filter(|(k, _)| !extra.iter().any(|(e, _)| e == k)).cloned().collect();
        f.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        f
    };
    async fn send(hr: &mut Client, emp: i64, f: &[(String, String)]) -> crate::helpers::Resp {
        let fields: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        hr.post_edit(&format!("/employees/{emp}/edit"), &format!("/employees/{emp}"), &fields).await
    }
    let position_of = |app: &TestApp| {
        let pool = app.pool.clone();
        async move {
            sqlx::query_scalar::<_, i64>("select position_id from employees where id = $1")
                .bind(emp)
                .fetch_one(&pool)
                .await
                .expect("position")
        }
    };

    // Several match: the form comes back with them to tick, the text kept, the message beside it.
    let r = send(&mut hr, emp, &with(&[("position_q", "analis uji sistem 1")])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", r.body);
    assert!(r.body.contains("id=\"position-err\""), "the message beside the field");
    assert!(r.body.contains("value=\"analis uji sistem 1\""), "the text kept");
    assert!(r.body.matches("type=\"radio\" name=\"position\"").count() >= 5, "the matches to tick");
    assert_eq!(position_of(&app).await, own, "nothing saved");
    // Ticking one of those matches, the text still there, takes the ticked one.
    let offered: i64 = r
        .body
        .split("type=\"radio\" name=\"position\" value=\"")
        .skip(1)
        .filter_map(|v| v.split('"').next().and_then(|id| id.parse::<i64>().ok()))
        .find(|id| *id != own)
        .expect("a match offered");
    let r2 =
        send(&mut hr, emp, &with(&[("position", &offered.to_string()), ("position_q", "analis uji sistem 1")])).await;
    assert_eq!(r2.status, StatusCode::SEE_OTHER, "{}", r2.body);
    assert_eq!(position_of(&app).await, offered, "the ticked match");

    // None: an error, the text kept.
    let r = send(&mut hr, emp, &with(&[("position_q", "juru masak istana")])).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"position-err\"") && r.body.contains("value=\"juru masak istana\""));

    // One: the position's words and its unit's name together name it.
    let (target, unit_name): (i64, String) = test_position(&app, 137, "INF").await;
    let typed = format!("Analis Uji Sistem 137 {unit_name}");
    let r = send(&mut hr, emp, &with(&[("position_q", &typed)])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(position_of(&app).await, target);

    // A ticked position with nothing typed is kept as ticked (the script ticks what was chosen).
    let r = send(&mut hr, emp, &with(&[("position", &own.to_string()), ("position_q", "")])).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    assert_eq!(position_of(&app).await, own);

    // The JSON search: matches by every word, ten at most with "more"; HR only.
    let r = hr.get_json("/positions/search?q=uji%20sistem%2013").await;
    assert_eq!(r.status, StatusCode::OK);
    let v: Value = serde_json::from_str(&r.body).expect("json");
    let found = v["people"].as_array().cloned().unwrap_or_default();
    assert_eq!(found.len(), 10, "{v}");
    assert_eq!(v["more"], true);
    assert!(found.iter().all(|p| {
        let name = p["name"].as_str().unwrap_or("");
        name.contains("Uji Sistem") && name.contains("13")
    }));
    assert!(found.iter().all(|p| p["unit"].as_str().is_some_and(|u| !u.is_empty())));
    let mut staff = app.as_user("pegawai").await;
    assert_eq!(staff.get_json("/positions/search?q=analis").await.status, StatusCode::OK);
    assert_eq!(app.client().get_json("/positions/search?q=analis").await.status, StatusCode::UNAUTHORIZED);
}

/// The gap card compares against another position by search where there are too many to list:
/// the page stays small, a text naming one position shows the card against it, several come back
/// to choose from with a message, and a chosen one is taken.
#[sqlx::test]
async fn the_gap_card_finds_a_position_to_compare_against_by_typing(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let own: i64 = sqlx::query_scalar("select employee_id from accounts where username = 'pegawai'")
        .fetch_one(&app.pool)
        .await
        .expect("own");
    let mut staff = app.as_user("pegawai").await;
    let card = format!("/employees/{own}/gaps");
    assert!(staff.get(&card).await.body.contains("<select id=\"position\" name=\"position\""), "a list while few");
    many_positions(&app).await;
    let page = staff.get(&card).await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(!page.body.contains("<select id=\"position\""), "no list of every position");
    assert!(page.body.contains("name=\"position_q\"") && page.body.len() < 80_000, "{} bytes", page.body.len());
    let (target, unit): (i64, String) = test_position(&app, 137, "APT").await;
    // One named: the card is against it.
    let q = format!("Analis Uji Sistem 137 {unit}").replace(' ', "+");
    let one = staff.get(&format!("{card}?position_q={q}")).await;
    assert_eq!(one.status, StatusCode::OK);
    assert!(one.body.contains(&format!("value=\"{target}\" checked")), "the named position is chosen");
    assert!(one.body.contains("Analis Uji Sistem 137"), "the card names it");
    // Several: the matches to choose from and a message; choosing one is taken.
    let several = staff.get(&format!("{card}?position_q=analis+uji+sistem+8")).await;
    assert!(several.body.contains("id=\"position-err\""), "a message");
    assert!(several.body.matches("type=\"radio\" name=\"position\"").count() >= 6, "own position and the matches");
    let chosen = staff.get(&format!("{card}?position={target}")).await;
    assert!(chosen.body.contains(&format!("value=\"{target}\" checked")));
    // One of those matches ticked while the text is still in the box: the ticked one is taken.
    let offered: i64 = several
        .body
        .split("type=\"radio\" name=\"position\" value=\"")
        .skip(1)
        .find_map(|v| v.split('"').next().and_then(|id| id.parse::<i64>().ok()))
        .expect("a match offered");
    let ticked = staff.get(&format!("{card}?position={offered}&position_q=analis+uji+sistem+8")).await;
    assert!(!ticked.body.contains("id=\"position-err\""), "no message");
    assert!(ticked.body.contains(&format!("value=\"{offered}\" checked")), "the ticked match");
}

/// HR's other pages that choose among every position (marking a key position, copying a
/// standard, an IDP template's position) list them while few and search them where there are
/// too many: one named is taken, several come back to tick with the text kept and a message.
#[sqlx::test]
async fn hr_pages_that_choose_any_position_search_where_there_are_too_many(pool: PgPool) {
    let app = TestApp::seeded(pool).await;
    let mut hr = app.as_user("kepegawaian").await;
    for page in ["/talent/pool", "/idp/templates"] {
        assert!(
            hr.get(page).await.body.contains("<select id=\"position\" name=\"position\""),
            "{page}: a list while few"
        );
    }
    let dest: i64 = sqlx::query_scalar("select min(id) from positions").fetch_one(&app.pool).await.expect("dest");
    assert!(hr.get(&format!("/positions/{dest}")).await.body.contains("<select id=\"from\" name=\"from\""));
    many_positions(&app).await;
    let (target, unit) = test_position(&app, 137, "APT").await;
    let named = format!("Analis Uji Sistem 137 {unit}");
    let several = "analis uji sistem 8";
    for page in ["/talent/pool".to_string(), "/idp/templates".to_string(), format!("/positions/{dest}")] {
        let r = hr.get(&page).await;
        assert_eq!(r.status, StatusCode::OK, "{page}");
        assert!(
            !r.body.contains("<select id=\"position\"") && !r.body.contains("<select id=\"from\""),
            "{page}: no list"
        );
        assert!(r.body.contains("_q\"") && !r.body.contains("Analis Uji Sistem 150"), "{page}: a search");
    }

    // A key position marked by typing its name.
    let r = hr.post("/talent/pool/key", &[("position_q", &named), ("key", "1")]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let key: bool = sqlx::query_scalar("select is_key from positions where id = $1")
        .bind(target)
        .fetch_one(&app.pool)
        .await
        .expect("key");
    assert!(key, "the named position is key");
    let keys = "select count(*) from positions where is_key";
    let before: i64 = sqlx::query_scalar(keys).fetch_one(&app.pool).await.expect("keys");
    let r = hr.post("/talent/pool/key", &[("position_q", several), ("key", "1")]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"position-err\"") && r.body.contains(&format!("value=\"{several}\"")), "text kept");
    assert!(r.body.matches("type=\"radio\" name=\"position\"").count() >= 5, "the matches to tick");
    let after: i64 = sqlx::query_scalar(keys).fetch_one(&app.pool).await.expect("keys");
    assert_eq!(after, before, "nothing else marked");

    // A standard copied from a position found by typing; several leave the standard as it was.
    let comp: i64 = sqlx::query_scalar("select min(id) from competencies").fetch_one(&app.pool).await.expect("comp");
    sqlx::query("insert into position_standards (position_id, competency_id, required_level, priority) values ($1, $2, 4, 'critical')")
        .bind(target)
        .bind(comp)
        .execute(&app.pool)
        .await
        .expect("standard");
    let copy = format!("/positions/{dest}/standard/copy");
    let r = hr.post(&copy, &[("from_q", several)]).await;
    assert_eq!(r.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(r.body.contains("id=\"from-err\"") && r.body.contains(&format!("value=\"{several}\"")), "text kept");
    let r = hr.post(&copy, &[("from_q", &named)]).await;
    assert_eq!(r.status, StatusCode::SEE_OTHER, "{}", r.body);
    let copied: Vec<(i64, i16)> =
        sqlx::query_as("select competency_id, required_level from position_standards where position_id = $1")
            .bind(dest)
            .fetch_all(&app.pool)
            .await
            .expect("copied");
    assert_eq!(copied, vec![(comp, 4)], "the named position's standard");
    let r = hr.post(&copy, &[("from_q", "no such position anywhere")]).await;
    assert!(r.body.contains("id=\"from-err\""), "none found: a message");

    // An IDP template's position found by typing: its template is shown.
    let r = hr.get(&format!("/idp/templates?position_q={}", named.replace(' ', "+"))).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.contains(&format!("type=\"hidden\" name=\"position\" value=\"{target}\"")), "its template");
    let r = hr.get(&format!("/idp/templates?position_q={}", several.replace(' ', "+"))).await;
    assert!(r.body.contains("id=\"position-err\""), "several: a message");
}
