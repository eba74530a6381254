//! What a pass leads to: a proposed level or a confirmed one, and those outcomes in words.

use super::*;

/// What a pass means for each competency the training develops, once per participation: above
/// the participant's current level (or with none) it proposes the target level as a pending
/// assessment (source: training) for her head or HR to decide, beside any claim of her own that
/// waits; at or below it, it records that the training confirmed the level she holds (no new
/// level, nothing to decide). Both are audited.
pub(super) async fn propose_or_confirm(
    tx: &mut sqlx::PgConnection,
    ctx: &Ctx,
    account: i64,
    participant: i64,
    employee: i64,
    training: i64,
) -> AppResult<()> {
    let r = sqlx::query!(
        r#"with targets as (
           select tc.competency_id, tc.target_level, cl.level as held
           from training_competencies tc
           left join current_levels cl on cl.employee_id = $1 and cl.competency_id = tc.competency_id
           where tc.training_id = $2
             and not exists (select 1 from assessments a where a.training_participant_id = $4 and a.competency_id = tc.competency_id)
             and not exists (select 1 from training_confirmations f where f.participant_id = $4 and f.competency_id = tc.competency_id)
         ),
         proposed as (
           insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_account_id,
                                    assessor_name, note, status, training_participant_id, valid_until)
           select $1, x.competency_id, x.target_level, t.ends_on, 'training', $3, coalesce(p.name, ''), t.title, 'pending', $4,
                  tp.certificate_expires_on
           from targets x cross join trainings t left join providers p on p.id = t.provider_id
           join training_participants tp on tp.id = $4
           where t.id = $2 and (x.held is null or x.target_level > x.held)
           returning id, competency_id, level
         ),
         confirmed as (
           insert into training_confirmations (participant_id, competency_id, target_level, held_level, confirmed_by)
           select $4, x.competency_id, x.target_level, x.held, $3 from targets x where x.held >= x.target_level
           returning competency_id, target_level, held_level
         )
         select coalesce((select jsonb_agg(to_jsonb(p) order by p.competency_id) from proposed p), '[]'::jsonb) as "proposed!",
                coalesce((select jsonb_agg(to_jsonb(c) order by c.competency_id) from confirmed c), '[]'::jsonb) as "confirmed!""#,
        employee,
        training,
        account,
        participant,
    )
    .fetch_one(&mut *tx)
    .await?;
    let (proposed, confirmed) = (r.proposed, r.confirmed);
    let actor = Actor::from_ctx(ctx);
    if proposed.as_array().is_some_and(|a| !a.is_empty()) {
        let after = json!({"proposed": proposed});
        audit::record(tx, &actor, "participant", participant, "propose_assessments", None, Some(after)).await?;
    }
    if confirmed.as_array().is_some_and(|a| !a.is_empty()) {
        let after = json!({"confirmed": confirmed});
        audit::record(tx, &actor, "participant", participant, "confirm_levels", None, Some(after)).await?;
    }
    Ok(())
}

/// One thing a passed result led to for one competency: a proposal (and its state) or a
/// confirmation of the level held; for a proposal still waiting, the nearest head who decides it
/// (none: HR).
struct OutcomeRow {
    participant_id: i64,
    code: String,
    proposal: bool,
    level: i16,
    status: String,
    reason: String,
    head_unit: Option<String>,
    head: Option<String>,
}

/// What each passed participant's result led to, one line each in the reader's language:
/// (participant id, line), by participant and competency code.
pub(in crate::development) async fn outcomes(
    conn: &mut sqlx::PgConnection,
    ctx: &Ctx,
    training: i64,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    let rows = sqlx::query_as!(
        OutcomeRow,
        r#"select tp.id as "participant_id!", c.code as "code!", true as "proposal!", a.level as "level!", a.status as "status!",
                a.decision_reason as "reason!", h.unit as "head_unit?", h.head as "head?"
         from training_participants tp join assessments a on a.training_participant_id = tp.id
         join competencies c on c.id = a.competency_id
         join employees e on e.id = a.employee_id join units eu on eu.id = e.unit_id
         left join lateral (
           select hu.name as unit, coalesce(employee_display_name(he.front_title, he.name, he.back_title), acc.username) as head
           from account_roles r join accounts acc on acc.id = r.account_id join units hu on hu.id = r.unit_id
           left join employees he on he.id = acc.employee_id
           where r.role = 'head' and acc.disabled_at is null and eu.path like hu.path || '%'
             and acc.employee_id is distinct from a.employee_id
           order by length(hu.path) desc, acc.id limit 1
         ) h on a.status = 'pending'
         where tp.training_id = $1
         union all
         select tp.id, c.code, false, f.held_level, '', '', null, null
         from training_participants tp join training_confirmations f on f.participant_id = tp.id
         join competencies c on c.id = f.competency_id
         where tp.training_id = $1
         order by 1, 2"#,
        training,
    )
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let key = match (r.proposal, r.status.as_str(), &r.head) {
                (false, ..) => "part.outcome.confirmed",
                (true, "pending", Some(_)) => "part.outcome.waits_head",
                (true, "pending", None) => "part.outcome.waits_hr",
                (true, "validated", _) => "part.outcome.validated",
                _ => "part.outcome.rejected",
            };
            let line = ctx
                .t(key)
                .replace("{code}", &r.code)
                .replace("{level}", &r.level.to_string())
                .replace("{unit}", r.head_unit.as_deref().unwrap_or_default())
                .replace("{head}", r.head.as_deref().unwrap_or_default())
                .replace("{reason}", &r.reason);
            (r.participant_id, line)
        })
        .collect())
}
