//! Editing an IDP's lines, and approving the plan.

use super::*;

pub(in crate::idp) async fn save_line(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path((id, line)): Path<(i64, i64)>,
    Form(f): Form<LineForm>,
) -> AppResult<Response> {
    let e = employee(&state, &user, id).await?;
    let is_self = user.employee_id == Some(id);
    let to = format!("/employees/{id}/idp");
    let mut tx = state.pool.begin().await?;
    let row: Option<(i64, IdpStatus, i32, NaiveDate, Option<i16>, serde_json::Value)> = sqlx::query!(
        r#"select i.id, i.status as "status: IdpStatus", i.year, i.starts_on, cl.level as "level?",
                  to_jsonb(l) - 'created_at' - 'updated_at' as "before!"
         from idp_lines l join idps i on i.id = l.idp_id
         left join current_levels cl on cl.employee_id = i.employee_id and cl.competency_id = l.competency_id
         where l.id = $1 and i.employee_id = $2 for update of l, i"#,
        line,
        id,
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| (r.id, r.status, r.year, r.starts_on, r.level, r.before));
    let (idp, status, year, starts_on, current, before) = row.ok_or(AppError::NotFound)?;
    if !(e.decides || (is_self && status == IdpStatus::Draft)) {
        if is_self {
            return Ok(redirect_flash(&to, FlashKind::Err, "idp.err.approved"));
        }
        return Err(AppError::Forbidden);
    }
    let mut errors = FieldErrors::default();
    let goal = Level::parse(&f.goal_level).map_err(|k| errors.add("goal_level", k)).ok();
    if let (Some(g), Some(c)) = (goal, current)
        && g.get() <= c
    {
        errors.add("goal_level", "idp.err.goal_reached");
    }
    let date = parse_date(&f.target_date);
    match date {
        None => errors.add("target_date", "idp.err.date"),
        Some(d) if d < starts_on || d.year() > year + 2 => errors.add("target_date", "idp.err.date_range"),
        _ => {}
    }
    let route = IdpRoute::parse(&f.route);
    if route.is_none() {
        errors.add("route", "idp.err.route");
    }
    let pick = |s: &str| s.trim().parse::<i64>().ok();
    let (mut programme, mut training, mut mentor): (Option<i64>, Option<i64>, Option<i64>) = (None, None, None);
    match route {
        Some(IdpRoute::Programme) => {
            programme = match pick(&f.programme) {
                Some(p) => {
                    sqlx::query_scalar!("select id from programmes where id = $1 and active", p)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            if programme.is_none() {
                errors.add("programme", "idp.err.programme");
            }
        }
        Some(IdpRoute::Training) => {
            training = match pick(&f.training) {
                Some(t) => {
                    sqlx::query_scalar!("select id from trainings where id = $1 and status <> 'cancelled'", t)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                None => None,
            };
            if training.is_none() {
                errors.add("training", "idp.err.training");
            }
        }
        Some(IdpRoute::Mentor) => {
            mentor = match pick(&f.mentor) {
                Some(m) if m != id => {
                    sqlx::query_scalar!("select id from employees where id = $1 and active", m)
                        .fetch_optional(&mut *tx)
                        .await?
                }
                _ => None,
            };
            if mentor.is_none() {
                errors.add("mentor", "idp.err.mentor");
            }
        }
        _ => {}
    }
    let jp = Jp::parse_zero(&f.expected_jp).map_err(|_| errors.add("expected_jp", "idp.err.jp")).ok();
    let note = clean_text(&f.note, 500).map_err(|k| errors.add("note", k)).unwrap_or_default();
    if route == Some(IdpRoute::Assignment) && note.is_empty() {
        errors.add("note", "idp.err.assignment_note");
    }
    let (Some(goal), Some(date), Some(route), Some(jp)) = (goal, date, route, jp) else {
        drop(tx);
        return show_page(&state, ctx, &user, e, year, Some((line, f, errors))).await;
    };
    if !errors.is_empty() {
        drop(tx);
        return show_page(&state, ctx, &user, e, year, Some((line, f, errors))).await;
    }
    let after: serde_json::Value = sqlx::query_scalar!(
        r#"update idp_lines set goal_level = $2, target_date = $3, route = $4, programme_id = $5, training_id = $6,
                mentor_id = $7, expected_jp = $8::float8, note = $9, version = version + 1
         where id = $1 returning to_jsonb(idp_lines) - 'created_at' - 'updated_at' as "after!""#,
        line,
        goal.get(),
        date,
        route.as_str(),
        programme,
        training,
        mentor,
        jp.get(),
        &note,
    )
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query!("update idps set version = version + 1 where id = $1", idp).execute(&mut *tx).await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "idp_line", line, "update", Some(before), Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("{to}#line-{line}"), FlashKind::Ok, "flash.saved"))
}

/// The head (or HR) approves the IDP: once, with at least one line.
pub(in crate::idp) async fn approve(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let e = employee(&state, &user, id).await?;
    if !e.decides {
        return Err(AppError::Forbidden);
    }
    let to = format!("/employees/{id}/idp");
    let mut tx = state.pool.begin().await?;
    let row: Option<(i64, IdpStatus, i64)> = sqlx::query!(
        r#"select i.id, i.status as "status: IdpStatus", (select count(*) from idp_lines l where l.idp_id = i.id) as "lines!"
         from idps i
         where i.employee_id = $1 and i.year = $2 for update"#,
        id,
        ctx.today.year(),
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| (r.id, r.status, r.lines));
    let (idp, status, lines) = row.ok_or(AppError::NotFound)?;
    if status == IdpStatus::Approved {
        return Ok(redirect_flash(&to, FlashKind::Ok, "flash.already_saved"));
    }
    if lines == 0 {
        return Ok(redirect_flash(&to, FlashKind::Err, "idp.err.no_lines"));
    }
    sqlx::query!(
        "update idps set status = 'approved', approved_by = $2, approved_at = now(), version = version + 1 where id = $1",
        idp,
        user.account_id,
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "idp",
        idp,
        "approve",
        Some(json!({"status": "draft"})),
        Some(json!({"status": "approved"})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&to, FlashKind::Ok, "idp.flash.approved"))
}
