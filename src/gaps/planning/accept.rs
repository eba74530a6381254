//! Queueing a run, and accepting exactly the plan shown.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ComputeForm {
    unit: String,
    budget: String,
    year: String,
}

/// Compute the plan again (the records changed, or a run failed): queued for a worker.
pub(super) async fn compute(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<ComputeForm>,
) -> AppResult<Response> {
    let (unit_id, _, path) = pick_unit(&state, &user, &f.unit).await?;
    let year = plan_year(&ctx, &f.year);
    let (_, budget, problem) = parameters(&state, unit_id, &path, year, &f.budget).await?;
    let back = format!("/gaps/plan?unit={unit_id}&year={year}&budget={budget}");
    if problem.is_some() {
        return Ok(redirect_flash(&format!("/gaps/plan?unit={unit_id}&year={year}"), FlashKind::Err, "dev.err.money"));
    }
    plan_run::enqueue(&state, unit_id, year, budget, Some(user.account_id)).await?;
    Ok(redirect_flash(&back, FlashKind::Ok, "flash.plan_queued"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct AcceptForm {
    run: String,
    /// Ticked when the page said the records had changed since the plan was computed.
    seen_changes: String,
}

/// Accept exactly the plan shown (the run named by the page), stored with its items in one
/// transaction; the AKPK reads it, never a new solve.
pub(super) async fn accept(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<AcceptForm>,
) -> AppResult<Response> {
    let Ok(run_id) = f.run.trim().parse::<i64>() else {
        return Ok(redirect_flash("/gaps/plan", FlashKind::Err, "plan.err.no_run"));
    };
    let mut conn = state.pool.acquire().await?;
    let Some((run, result)) = plan_run::by_id(&state.plan_results, &mut conn, run_id).await? else {
        return Err(AppError::NotFound);
    };
    drop(conn);
    // The run's unit must be in the reader's scope.
    let (unit_id, unit_name, path) = pick_unit(&state, &user, &run.unit_id.to_string()).await?;
    let v = result.as_ref();
    let back = format!("/gaps/plan?unit={unit_id}&year={}&budget={}", run.year, run.budget);
    let mut tx = state.pool.begin().await?;
    let version = plan_run::plan_version(&mut tx, &path).await?;
    if run.data_version != Some(version) && f.seen_changes != "1" {
        return Ok(redirect_flash(&back, FlashKind::Err, "plan.err.see_changes"));
    }
    let already: Option<i64> =
        sqlx::query_scalar!("select id from dev_plans where run_id = $1", run_id).fetch_optional(&mut *tx).await?;
    if already.is_some() {
        return Ok(redirect_flash(
            &format!("/gaps/akpk?unit={unit_id}&year={}", run.year),
            FlashKind::Err,
            "plan.err.already_accepted",
        ));
    }
    // A mentored need counts for what the agency's JP rules give a planned mentoring (`planned_jp`).
    let mentoring_jp: f64 =
        sqlx::query_scalar!(r#"select coalesce(planned_jp('mentoring'), 0) as "jp!""#).fetch_one(&mut *tx).await?;
    let plan_id: i64 = sqlx::query_scalar!(
        "insert into dev_plans (unit_id, year, budget, objective, bound, optimal, accepted_by, run_id)
         values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (run_id) do nothing returning id",
        unit_id,
        run.year,
        run.budget,
        v.optimal.objective,
        if v.optimal.bound.is_finite() { v.optimal.bound } else { v.optimal.objective },
        v.optimal.optimal,
        user.account_id,
        run_id,
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(AppError::Conflict("plan.err.already_accepted"))?;
    // Items: one per need closed by a training or class (the line's whole rupiah shared, the
    // remainder on the first), and one per need routed to a mentor.
    let mut items: Vec<Item> = vec![];
    for l in &v.lines {
        let c = &v.choices[l.choice];
        let n = l.closes.len().max(1) as i64;
        for (j, (need, _, _)) in l.closes.iter().enumerate() {
            items.push(Item {
                need: need.clone(),
                route: "klasikal",
                jenis: c.jenis_diklat,
                training: (!c.is_programme()).then_some(c.id),
                programme_id: c.is_programme().then_some(c.id),
                mentor: None,
                programme: c.title.clone(),
                provider: c.provider.clone(),
                jp: c.jp,
                cost: l.cost / n + i64::from((j as i64) < l.cost % n),
                funding: if l.cost == 0 {
                    ctx.t("akpk.no_cost").to_string()
                } else {
                    format!("APBD {} — {unit_name}", run.year)
                },
            });
        }
    }
    for m in &v.mentors {
        items.push(Item {
            need: m.need.clone(),
            route: "nonklasikal",
            jenis: 15,
            training: None,
            programme_id: None,
            mentor: Some(m.mentor_id),
            programme: format!("Mentoring: {}", m.mentor),
            provider: m.mentor_unit.clone(),
            jp: mentoring_jp,
            cost: 0,
            funding: ctx.t("akpk.no_cost").to_string(),
        });
    }
    // One statement for every item (arrays), not one round trip each.
    // jp goes as text rounded to a tenth (as before), cast to numeric by the statement.
    sqlx::query!(
        "insert into dev_plan_items (plan_id, employee_id, competency_id, required_level, current_level, priority, route,
                                     jenis_diklat, training_id, programme_id, mentor_id, programme, provider, jp, estimated_cost, funding)
         select $1, i.* from unnest($2::bigint[], $3::bigint[], $4::smallint[], $5::smallint[], $6::text[], $7::text[],
                                    $8::smallint[], $9::bigint[], $10::bigint[], $11::bigint[], $12::text[], $13::text[],
                                    $14::text[]::numeric[], $15::bigint[], $16::text[]) as i",
        plan_id,
        &items.iter().map(|i| i.need.employee_id).collect::<Vec<_>>(),
        &items.iter().map(|i| i.need.competency_id).collect::<Vec<_>>(),
        &items.iter().map(|i| i.need.required_level).collect::<Vec<_>>(),
        &items.iter().map(|i| i.need.current_level).collect::<Vec<_>>(),
        &items.iter().map(|i| i.need.priority.clone()).collect::<Vec<_>>(),
        &items.iter().map(|i| i.route.to_string()).collect::<Vec<_>>(),
        &items.iter().map(|i| i.jenis).collect::<Vec<_>>(),
        &items.iter().map(|i| i.training).collect::<Vec<_>>() as &[Option<i64>],
        &items.iter().map(|i| i.programme_id).collect::<Vec<_>>() as &[Option<i64>],
        &items.iter().map(|i| i.mentor).collect::<Vec<_>>() as &[Option<i64>],
        &items.iter().map(|i| i.programme.clone()).collect::<Vec<_>>(),
        &items.iter().map(|i| i.provider.clone()).collect::<Vec<_>>(),
        &items.iter().map(|i| format!("{:.1}", i.jp)).collect::<Vec<_>>(),
        &items.iter().map(|i| i.cost).collect::<Vec<_>>(),
        &items.iter().map(|i| i.funding.clone()).collect::<Vec<_>>(),
    )
    .execute(&mut *tx)
    .await?;
    let total: i64 = items.iter().map(|i| i.cost).sum();
    let after = json!({"unit_id": unit_id, "year": run.year, "budget": run.budget, "run": run_id,
                       "objective": v.optimal.objective, "optimal": v.optimal.optimal, "items": items.len(), "cost": total});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "dev_plan", plan_id, "accept", None, Some(after)).await?;
    tx.commit().await?;
    Ok(redirect_flash(&format!("/gaps/akpk?unit={unit_id}&year={}", run.year), FlashKind::Ok, "flash.plan_accepted"))
}

/// One line of an accepted plan, as stored.
pub(super) struct Item {
    need: NeedRow,
    route: &'static str,
    jenis: i16,
    training: Option<i64>,
    programme_id: Option<i64>,
    mentor: Option<i64>,
    programme: String,
    provider: String,
    jp: f64,
    cost: i64,
    funding: String,
}
