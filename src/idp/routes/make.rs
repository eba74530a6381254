//! Making an IDP from the gap card: one line per gap, with its first route.

use super::*;

/// Make the IDP of this year from the gap card in one step: a line per known gap, its route from
/// the accepted unit plan where it has one, else a colleague who holds the level, else a catalogue
/// programme, else self-study with a report.
pub(in crate::idp) async fn create(
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
    let made = make(&mut tx, id, ctx.today, Some(user.account_id)).await?;
    let (idp, lines) = match made {
        Made::Exists => return Ok(redirect_flash(&to, FlashKind::Ok, "idp.flash.exists")),
        Made::NoGaps => {
            return Ok(redirect_flash(&format!("/employees/{id}/gaps"), FlashKind::Err, "idp.err.no_gaps"));
        }
        Made::Made { idp, lines } => (idp, lines),
    };
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "idp",
        idp,
        "create",
        None,
        Some(json!({"employee_id": id, "year": ctx.today.year(), "lines": lines})),
    )
    .await?;
    tx.commit().await?;
    Ok(redirect_flash(&to, FlashKind::Ok, "idp.flash.created"))
}

/// What making an IDP did.
pub enum Made {
    Made {
        idp: i64,
        lines: u64,
    },
    /// The employee has this year's IDP already.
    Exists,
    /// No known gap to make it from (nothing written).
    NoGaps,
}

/// Make the employee's IDP of `today`'s year from their gap card in one step: a line per known
/// gap, its route from the accepted unit plan where it has one, else a colleague who holds the
/// level, else a catalogue programme, else self-study with a report. The caller commits.
pub async fn make(
    conn: &mut sqlx::PgConnection,
    id: i64,
    today: NaiveDate,
    account: Option<i64>,
) -> Result<Made, sqlx::Error> {
    let year = today.year();
    let seeds = db::seeds(conn, id, year).await?;
    if seeds.is_empty() {
        return Ok(Made::NoGaps);
    }
    let made: Option<i64> = sqlx::query_scalar!(
        "insert into idps (employee_id, year, starts_on, created_by) values ($1, $2, $3, $4)
         on conflict (employee_id, year) do nothing returning id",
        id,
        year,
        today,
        account,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(idp) = made else {
        return Ok(Made::Exists);
    };
    let needs: Vec<(i64, i16)> = seeds.iter().map(|s| (s.competency_id, s.required_level)).collect();
    let mentors = mentor_options(conn, &needs, id, today, 1).await?;
    let end = year_end(year).unwrap_or(today);
    let jp_per_level = jp_per_level_informal(conn).await?;
    let mut rows = NewLines::default();
    for s in &seeds {
        let levels = f64::from(s.required_level - s.current_level.unwrap_or(0)).max(1.0);
        let informal = levels * jp_per_level;
        let mentor = mentors.iter().find(|m| m.competency_id == s.competency_id).map(|m| m.employee_id);
        let (route, programme, training, mentor_id, jp, source, date) =
            match (s.plan_training, s.plan_mentor, s.plan_programme) {
                (Some(t), _, _) => (
                    IdpRoute::Training,
                    None,
                    Some(t),
                    None,
                    s.plan_jp.unwrap_or(0.0),
                    "plan",
                    s.training_ends.map_or(end, |d| d.max(today)),
                ),
                (None, Some(m), _) => (IdpRoute::Mentor, None, None, Some(m), informal, "plan", end),
                (None, None, Some(p)) => {
                    (IdpRoute::Programme, Some(p), None, None, s.plan_jp.unwrap_or(0.0), "plan", end)
                }
                _ => match (mentor, s.programme) {
                    (Some(m), _) => (IdpRoute::Mentor, None, None, Some(m), informal, "gap", end),
                    (None, Some(p)) => {
                        (IdpRoute::Programme, Some(p), None, None, s.programme_jp.unwrap_or(0.0), "gap", end)
                    }
                    (None, None) => (IdpRoute::SelfStudy, None, None, None, informal, "gap", end),
                },
            };
        rows.competency.push(s.competency_id);
        rows.start.push(s.current_level);
        rows.goal.push(s.required_level);
        rows.date.push(date);
        rows.route.push(route.as_str().to_string());
        rows.programme.push(programme);
        rows.training.push(training);
        rows.mentor.push(mentor_id);
        rows.jp.push(jp);
        rows.source.push(source.to_string());
    }
    let lines = sqlx::query!(
        "insert into idp_lines (idp_id, competency_id, start_level, goal_level, target_date, route, programme_id,
                                training_id, mentor_id, expected_jp, source)
         select $1, * from unnest($2::bigint[], $3::smallint[], $4::smallint[], $5::date[], $6::text[], $7::bigint[],
                                  $8::bigint[], $9::bigint[], $10::float8[]::numeric[], $11::text[])",
        idp,
        &rows.competency,
        &rows.start as &[Option<i16>],
        &rows.goal,
        &rows.date,
        &rows.route,
        &rows.programme as &[Option<i64>],
        &rows.training as &[Option<i64>],
        &rows.mentor as &[Option<i64>],
        &rows.jp,
        &rows.source,
    )
    .execute(&mut *conn)
    .await?
    .rows_affected();
    Ok(Made::Made { idp, lines })
}

#[derive(Default)]
pub(super) struct NewLines {
    competency: Vec<i64>,
    start: Vec<Option<i16>>,
    goal: Vec<i16>,
    date: Vec<NaiveDate>,
    route: Vec<String>,
    programme: Vec<Option<i64>>,
    training: Vec<Option<i64>>,
    mentor: Vec<Option<i64>>,
    jp: Vec<f64>,
    source: Vec<String>,
}
