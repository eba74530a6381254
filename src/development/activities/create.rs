//! Logging an activity: checked, stored with its learners, confirmed at once when staff log it.

use super::*;

async fn read_form(mp: Multipart) -> AppResult<(ActivityInput, Option<(String, Vec<u8>)>)> {
    let mut p = read_multipart(mp, "evidence").await?;
    let f = ActivityInput {
        role: p.take("role"),
        kind: p.take("kind"),
        competency: p.take("competency"),
        target_level: p.take("target_level"),
        held_on: p.take("held_on"),
        minutes: p.take("minutes"),
        topic: p.take("topic"),
        mentor: p.take("mentor"),
        learners: p.take("learners"),
        mentor_ids: p.take_all("mentor_id"),
        learner_ids: p.take_all("learners_id"),
        notes: p.take("notes"),
        outcome: p.take("outcome"),
        report: p.take("report"),
        form_token: p.take("form_token"),
    };
    Ok((f, p.file))
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    mp: Multipart,
) -> AppResult<Response> {
    let (form, file) = read_form(mp).await?;
    let mut errors = FieldErrors::default();
    let mut conn = state.pool.acquire().await?;
    let role = roles(&user).into_iter().find(|r| *r == form.role.trim());
    if role.is_none() {
        errors.add("role", "act.err.role");
    }
    let kind = ActivityKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "act.err.kind");
    }
    let competency: Option<i64> = match form.competency.trim().parse::<i64>() {
        Ok(c) => {
            sqlx::query_scalar!("select id from competencies where id = $1 and active", c)
                .fetch_optional(&mut *conn)
                .await?
        }
        Err(_) => None,
    };
    if competency.is_none() {
        errors.add("competency", "asm.err.competency");
    }
    let target = if form.target_level.trim().is_empty() {
        None
    } else {
        Level::parse(&form.target_level).map_err(|k| errors.add("target_level", k)).ok()
    };
    let held_on = parse_date(&form.held_on);
    match held_on {
        None => errors.add("held_on", "form.bad_date"),
        Some(d) if d > ctx.today => errors.add("held_on", "act.err.future"),
        Some(d) if d < ctx.today - chrono::Duration::days(3 * 366) => errors.add("held_on", "act.err.too_old"),
        _ => {}
    }
    let minutes = form.minutes.trim().parse::<i32>().ok().filter(|m| (1..=14400).contains(m));
    if minutes.is_none() {
        errors.add("minutes", "act.err.minutes");
    }
    let topic = required_text(&mut errors, "topic", &form.topic, 300);
    let notes = clean_text(&form.notes, 2000).map_err(|k| errors.add("notes", k)).unwrap_or_default();
    let outcome = clean_text(&form.outcome, 2000).map_err(|k| errors.add("outcome", k)).unwrap_or_default();
    let report = clean_text(&form.report, 4000).map_err(|k| errors.add("report", k)).unwrap_or_default();
    if kind == Some(ActivityKind::BelajarMandiri) && report.chars().count() < SELF_STUDY_REPORT_MIN {
        errors.add("report", "act.err.report");
    }
    // Who took part: the mentor and the learners, chosen by name (ids checked again here).
    let me = user.employee_id;
    let role_name = role.unwrap_or("");
    let mentor_p = mentor_picker();
    let mentor_p = if role_name == "mentor" {
        mentor_p.prefill(&mut conn, &ctx, &user, &form.mentor_ids.join(","), &form.mentor).await?
    } else {
        mentor_p.resolve(&mut conn, &ctx, &user, &form.mentor_ids, &form.mentor).await?
    };
    let learners_p = learners_picker(role_name);
    let learners_p = if role_name == "learner" {
        learners_p.prefill(&mut conn, &ctx, &user, &form.learner_ids.join(","), &form.learners).await?
    } else {
        learners_p.resolve(&mut conn, &ctx, &user, &form.learner_ids, &form.learners).await?
    };
    for p in [&mentor_p, &learners_p] {
        if let Some((k, _)) = &p.error {
            errors.add(p.field, k);
        }
    }
    let mut mentor: Option<i64> = None;
    let mut learners: Vec<i64> = vec![];
    match role {
        Some("learner") => {
            learners = me.into_iter().collect();
            mentor = mentor_p.ids().first().copied();
        }
        Some("mentor") => {
            mentor = me;
            learners = learners_p.ids();
        }
        Some(_) => {
            mentor = mentor_p.ids().first().copied();
            learners = learners_p.ids();
        }
        None => {}
    }
    if role.is_some() && learners.is_empty() && errors.get("learners").is_none() {
        errors.add("learners", "act.err.no_learner");
    }
    if learners.len() > 100 {
        errors.add("learners", "act.err.too_many");
    }
    if mentor.is_some_and(|m| learners.contains(&m)) {
        errors.add("mentor", "act.err.mentor_learner");
    }
    if kind.is_some_and(ActivityKind::has_mentor) && mentor.is_none() && errors.get("mentor").is_none() {
        errors.add("mentor", "act.err.mentor_needed");
    }
    let evidence = match file {
        Some((name, bytes)) => Evidence::parse(&name, bytes).map_err(|k| errors.add("evidence", k)).ok(),
        None => None,
    };
    drop(conn);
    let (Some(kind), Some(competency), Some(held_on), Some(minutes), Some(role), true) =
        (kind, competency, held_on, minutes, role, errors.is_empty())
    else {
        return form_page(&state, ctx, &user, form, errors, Some((mentor_p, learners_p))).await;
    };
    // Counts at once only when a head or HR logs it for staff they decide for (the picker took
    // only those) and is not in it.
    let confirmed = role == "staff" && mentor != me && !learners.iter().any(|l| Some(*l) == me);
    let mut tx = state.pool.begin().await?;
    if let Some(location) = edit::claim(&mut tx, user.account_id, &form.form_token).await? {
        let to = if location.is_empty() { "/activities".to_string() } else { location };
        return Ok(redirect_flash(&to, FlashKind::Ok, "flash.already_saved"));
    }
    let evidence_id = match &evidence {
        Some(ev) => Some(store_evidence(&mut tx, learners[0], ev, user.account_id).await?),
        None => None,
    };
    let id: i64 = sqlx::query_scalar!(
        "insert into activities (kind, mentor_id, competency_id, target_level, held_on, minutes, topic, notes, outcome, report,
                                 evidence_id, status, logged_by, decided_by, decided_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, case when $14 then $13::bigint end, case when $14 then now() end)
         returning id",
        kind.as_str(),
        mentor,
        competency,
        target.map(Level::get),
        held_on,
        minutes,
        &topic,
        &notes,
        &outcome,
        &report,
        evidence_id,
        if confirmed { "confirmed" } else { "pending" },
        user.account_id,
        confirmed,
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!(
        "insert into activity_learners (activity_id, employee_id) select $1, unnest($2::bigint[])",
        id,
        &learners
    )
    .execute(&mut *tx)
    .await?;
    let after = json!({"kind": kind.as_str(), "mentor_id": mentor, "learners": learners, "competency_id": competency,
                       "held_on": held_on, "minutes": minutes, "topic": topic, "confirmed": confirmed});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "activity", id, "create", None, Some(after)).await?;
    edit::remember(&mut tx, &form.form_token, "/activities").await?;
    tx.commit().await?;
    Ok(redirect_flash(
        "/activities",
        FlashKind::Ok,
        if confirmed { "flash.activity_saved" } else { "flash.activity_sent" },
    ))
}
