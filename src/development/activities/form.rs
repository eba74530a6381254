//! The form that logs an activity, with the JP rules beside it.

use super::*;

#[derive(Clone, Debug, Default)]
pub struct ActivityInput {
    pub role: String,
    pub kind: String,
    pub competency: String,
    pub target_level: String,
    pub held_on: String,
    pub minutes: String,
    pub topic: String,
    pub mentor: String,
    pub learners: String,
    /// The ticked people of each picker (ids, checked again on the server).
    pub mentor_ids: Vec<String>,
    pub learner_ids: Vec<String>,
    pub notes: String,
    pub outcome: String,
    pub report: String,
    pub form_token: String,
}

#[derive(askama::Template)]
#[template(path = "development/activity_form.html")]
struct FormPage {
    ctx: Ctx,
    form: ActivityInput,
    errors: FieldErrors,
    kinds: &'static [ActivityKind],
    competencies: Vec<Opt>,
    levels: [Level; 5],
    /// Roles this user can log as: learner, mentor (needs an employee record), staff (head or HR).
    roles: Vec<&'static str>,
    rules: Vec<RuleText>,
    /// The mentor's and the learners' person pickers, drawn.
    mentor_picker: String,
    learners_picker: String,
}

/// An informal form's rule in words, shown beside the form.
pub struct RuleText {
    pub kind: ActivityKind,
    pub text: String,
}

/// Every informal rule in words: "45 minutes = 1 JP; at most 2 JP a session; at most 2 sessions a month".
pub async fn rule_texts(conn: &mut sqlx::PgConnection, ctx: &Ctx) -> Result<Vec<RuleText>, sqlx::Error> {
    let rules = crate::development::jp::all_rules(conn).await?;
    Ok(rules.iter().map(|r| RuleText { kind: r.kind, text: r.describe(ctx) }).collect())
}

/// The mentor is chosen by name among every colleague (learning: name, position and unit only).
pub(super) fn mentor_picker() -> Picker {
    Picker::new("mentor", "act.mentor_pick", "act.mentor_pick_hint", Purpose::Learning)
}

/// The learners: colleagues one learnt with or mentored; staff one decides for when logging for them.
pub(super) fn learners_picker(role: &str) -> Picker {
    let purpose = if role == "staff" { Purpose::Manage } else { Purpose::Learning };
    Picker::new("learners", "act.learners_pick", "act.learners_pick_hint", purpose).multiple().purpose_from_role()
}

pub(super) async fn form_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    form: ActivityInput,
    mut errors: FieldErrors,
    pickers: Option<(Picker, Picker)>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let competencies = competency_options(&mut conn, ctx.lang.is_en()).await?;
    let rules = rule_texts(&mut conn, &ctx).await?;
    let (mut mentor, mut learners) = match pickers {
        Some(p) => p,
        None => (
            mentor_picker().prefill(&mut conn, &ctx, user, &form.mentor_ids.join(","), &form.mentor).await?,
            learners_picker(&form.role)
                .prefill(&mut conn, &ctx, user, &form.learner_ids.join(","), &form.learners)
                .await?,
        ),
    };
    // A rule of the form about a person (no mentor where one is needed…) shows beside its picker.
    for p in [&mut mentor, &mut learners] {
        match (&p.error, errors.get(p.field)) {
            (None, Some(k)) => p.error = Some((k, ctx.t(k).to_string())),
            (Some((k, _)), None) => errors.add(p.field, k),
            _ => {}
        }
    }
    let mentor_picker = mentor.html(&ctx)?;
    let learners_picker = learners.html(&ctx)?;
    let status = errors.status();
    let page = FormPage {
        mentor_picker,
        learners_picker,
        form,
        errors,
        kinds: ActivityKind::ALL,
        competencies,
        levels: Level::ALL,
        roles: roles(user),
        rules,
        ctx,
    };
    render_status(status, &page)
}

pub(super) fn roles(user: &CurrentUser) -> Vec<&'static str> {
    let mut r = vec![];
    if user.employee_id.is_some() {
        r.push("learner");
        r.push("mentor");
    }
    if user.has(Role::Hr) || user.has(Role::Head) {
        r.push("staff");
    }
    r
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NewQuery {
    kind: String,
    competency: String,
    role: String,
    mentor: String,
    learners: String,
    /// A colleague chosen by a link (the gap card's mentors, a training's participants).
    mentor_id: String,
    learner_ids: String,
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<NewQuery>,
) -> AppResult<Response> {
    let available = roles(&user);
    let first = available.first().copied().ok_or(AppError::Forbidden)?;
    let role = available.iter().copied().find(|r| *r == q.role).unwrap_or(first);
    let form = ActivityInput {
        role: role.into(),
        kind: ActivityKind::parse(&q.kind).unwrap_or(ActivityKind::Mentoring).as_str().into(),
        competency: q.competency,
        held_on: ctx.today.to_string(),
        minutes: "90".into(),
        mentor: q.mentor,
        learners: q.learners,
        mentor_ids: q.mentor_id.split(',').map(str::to_string).collect(),
        learner_ids: q.learner_ids.split(',').map(str::to_string).collect(),
        form_token: edit::new_token(),
        ..Default::default()
    };
    form_page(&state, ctx, &user, form, FieldErrors::default(), None).await
}
