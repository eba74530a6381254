//! Recording an assessment: the form, with the chosen competency's requirement and descriptors.

use super::*;

#[derive(Clone, Debug, Default)]
pub struct AssessmentInput {
    pub competency: String,
    pub level: String,
    pub assessed_on: String,
    pub source: String,
    pub assessor_name: String,
    pub note: String,
    /// One-time token: the form sent twice records one assessment.
    pub form_token: String,
}

#[derive(askama::Template)]
#[template(path = "assessments/form.html")]
struct FormPage {
    ctx: Ctx,
    e: Detail,
    form: AssessmentInput,
    errors: FieldErrors,
    /// The competencies of the employee's own standard first, then the rest of the catalog.
    own: Vec<Opt>,
    others: Vec<Opt>,
    /// The competency being assessed, with what is asked of the employee and the five descriptors.
    chosen: Option<Chosen>,
    is_self: bool,
    sources: Vec<Source>,
}

/// A chosen competency: the requirement of the employee's position, the current level and the
/// descriptor of every level (what a person at that level does).
#[derive(Clone, Debug)]
pub struct Chosen {
    pub id: i64,
    pub label: String,
    pub required: Option<i16>,
    pub current: Option<i16>,
    pub levels: Vec<(i16, String)>,
}

/// The requirement, current level and descriptors of one competency for one employee.
async fn chosen(conn: &mut sqlx::PgConnection, e: &Detail, competency: &str, en: bool) -> AppResult<Option<Chosen>> {
    let Ok(id) = competency.trim().parse::<i64>() else { return Ok(None) };
    let head: Option<(String, Option<i16>, Option<i16>)> = sqlx::query!(
        r#"select c.code || ' ' || case when $3 then c.name_en else c.name_id end as "label!",
                (select ps.required_level from position_standards ps where ps.position_id = $4 and ps.competency_id = c.id)
                  as "required?",
                (select cl.level from current_levels cl where cl.employee_id = $2 and cl.competency_id = c.id) as "current?"
         from competencies c where c.id = $1 and c.active"#,
        id,
        e.id,
        en,
        e.position_id,
    )
    .fetch_optional(&mut *conn)
    .await?
    .map(|r| (r.label, r.required, r.current));
    let Some((label, required, current)) = head else { return Ok(None) };
    let levels: Vec<(i16, String)> = sqlx::query!(
        r#"select level, case when $2 then descriptor_en else descriptor_id end as "descriptor!" from competency_levels
         where competency_id = $1 order by level"#,
        id,
        en,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.level, r.descriptor))
    .collect();
    Ok(Some(Chosen { id, label, required, current, levels }))
}

pub(super) async fn load(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<(Detail, bool)> {
    let mut conn = state.pool.acquire().await?;
    let e = emp_db::find(&mut conn, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let is_self = mode(user, &e).ok_or(AppError::Forbidden)?;
    Ok((e, is_self))
}

pub(super) async fn form_page(
    state: &AppState,
    ctx: Ctx,
    e: Detail,
    is_self: bool,
    form: AssessmentInput,
    errors: FieldErrors,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let en = ctx.lang.is_en();
    let options: Vec<(i64, String, bool)> = sqlx::query!(
        r#"select c.id, c.code || ' ' || case when $1 then c.name_en else c.name_id end as "label!",
                exists (select 1 from position_standards ps where ps.position_id = $2 and ps.competency_id = c.id) as "own!"
         from competencies c where c.active order by 3 desc, c.code"#,
        en,
        e.position_id,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| (r.id, r.label, r.own))
    .collect();
    let (own, others): (Vec<_>, Vec<_>) = options.into_iter().partition(|o| o.2);
    let opt = |v: Vec<(i64, String, bool)>| v.into_iter().map(|(id, label, _)| Opt { id, label }).collect::<Vec<_>>();
    let chosen = chosen(&mut conn, &e, &form.competency, en).await?;
    let sources = if is_self {
        vec![Source::SelfAssessment]
    } else {
        Source::ALL.iter().copied().filter(|s| *s != Source::SelfAssessment).collect()
    };
    let status = errors.status();
    render_status(
        status,
        &FormPage { ctx, e, form, errors, own: opt(own), others: opt(others), chosen, is_self, sources },
    )
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct NewQuery {
    competency: String,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let (e, is_self) = load(&state, &user, id).await?;
    let form = AssessmentInput {
        competency: q.competency,
        assessed_on: ctx.today.format("%Y-%m-%d").to_string(),
        source: if is_self { "self".into() } else { "supervisor".into() },
        form_token: edit::new_token(),
        ..Default::default()
    };
    form_page(&state, ctx, e, is_self, form, FieldErrors::default()).await
}

pub(super) async fn read_form(mp: Multipart) -> Result<(AssessmentInput, Option<(String, Vec<u8>)>), AppError> {
    let mut p = read_multipart(mp, "evidence").await?;
    let input = AssessmentInput {
        competency: p.take("competency"),
        level: p.take("level"),
        assessed_on: p.take("assessed_on"),
        source: p.take("source"),
        assessor_name: p.take("assessor_name"),
        note: p.take("note"),
        form_token: p.take("form_token"),
    };
    Ok((input, p.file))
}

pub(super) async fn create(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    mp: Multipart,
) -> AppResult<Response> {
    let (e, is_self) = load(&state, &user, id).await?;
    let (form, file) = read_form(mp).await?;
    let mut errors = FieldErrors::default();
    let mut conn = state.pool.acquire().await?;
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
    let level = Level::parse(&form.level).map_err(|k| errors.add("level", k)).ok();
    let today = ctx.today;
    let date = parse_date(&form.assessed_on);
    match date {
        None => errors.add("assessed_on", "form.bad_date"),
        Some(d) if d > today => errors.add("assessed_on", "asm.err.future"),
        Some(d) if d < chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default() => {
            errors.add("assessed_on", "form.bad_date")
        }
        _ => {}
    }
    let source = Source::parse(&form.source).filter(|s| (*s == Source::SelfAssessment) == is_self);
    if source.is_none() {
        errors.add("source", "asm.err.source");
    }
    let note = clean_text(&form.note, 2000).map_err(|k| errors.add("note", k)).unwrap_or_default();
    let assessor_name =
        clean_text(&form.assessor_name, 200).map_err(|k| errors.add("assessor_name", k)).unwrap_or_default();
    let evidence = match file {
        Some((name, bytes)) => Evidence::parse(&name, bytes).map_err(|k| errors.add("evidence", k)).ok(),
        None => None,
    };
    drop(conn);
    let (Some(competency), Some(level), Some(date), Some(source), true) =
        (competency, level, date, source, errors.is_empty())
    else {
        return form_page(&state, ctx, e, is_self, form, errors).await;
    };
    let status = if is_self { Status::Pending } else { Status::Validated };
    let mut tx = state.pool.begin().await?;
    if edit::claim(&mut tx, user.account_id, &form.form_token).await?.is_some() {
        return Ok(redirect_flash(&format!("/employees/{id}"), FlashKind::Ok, "flash.already_saved"));
    }
    // One pending self-assessment per competency: a new one replaces her own one still waiting
    // (the employee's row is locked, so two at once end as one). A training's proposal for the
    // same competency is not hers to replace: it waits beside it.
    let mut replaced = false;
    if is_self {
        sqlx::query!("select id from employees where id = $1 for update", id).fetch_optional(&mut *tx).await?;
        let old: Option<(i64, serde_json::Value)> = sqlx::query!(
            r#"delete from assessments a where employee_id = $1 and competency_id = $2 and status = 'pending' and source = 'self'
             returning a.id, to_jsonb(a) - 'created_at' as "before!""#,
            id,
            competency,
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| (r.id, r.before));
        if let Some((old_id, before)) = old {
            audit::record(&mut tx, &Actor::from_ctx(&ctx), "assessment", old_id, "replace", Some(before), None).await?;
            replaced = true;
        }
    }
    let evidence_id: Option<i64> = match &evidence {
        Some(ev) => Some(crate::assessments::db::store_evidence(&mut tx, id, ev, user.account_id).await?),
        None => None,
    };
    let aid: i64 = sqlx::query_scalar!(
        "insert into assessments (employee_id, competency_id, level, assessed_on, source, assessor_account_id, assessor_name,
                                  note, evidence_id, status, validated_by, validated_at)
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, case when $10 = 'validated' then now() end) returning id",
        id,
        competency,
        level.get(),
        date,
        source.as_str(),
        user.account_id,
        assessor_name,
        note,
        evidence_id,
        status.as_str(),
        (!is_self).then_some(user.account_id),
    )
    .fetch_one(&mut *tx)
    .await?;
    let after = json!({"employee_id": id, "competency_id": competency, "level": level.get(), "assessed_on": date,
                       "source": source.as_str(), "status": status.as_str(), "evidence_id": evidence_id, "note": note});
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "assessment", aid, "create", None, Some(after)).await?;
    tx.commit().await?;
    let key = match (is_self, replaced) {
        (true, true) => "flash.self_assessment_replaced",
        (true, false) => "flash.self_assessment_sent",
        _ => "flash.assessment_saved",
    };
    Ok(redirect_flash(&format!("/employees/{id}"), FlashKind::Ok, key))
}
