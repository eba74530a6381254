//! An employee's IDP page: the plan's lines with the routes that could close each gap.

use super::*;

/// A choice in a select.
#[derive(Clone, Debug)]
pub struct Choice {
    pub id: i64,
    pub label: String,
}

/// A line with the choices offered for it and the form as typed (after a refused save).
pub struct LineView {
    pub line: Line,
    pub programmes: Vec<Choice>,
    pub trainings: Vec<Choice>,
    pub mentors: Vec<Choice>,
    pub form: LineForm,
    pub errors: FieldErrors,
}

impl LineView {
    pub fn state_key(&self) -> &'static str {
        state_key(&self.line.state)
    }

    pub fn state_class(&self) -> &'static str {
        state_class(&self.line.state)
    }
}

#[derive(askama::Template)]
#[template(path = "idp/show.html")]
pub(super) struct ShowPage {
    ctx: Ctx,
    e: Detail,
    year: i32,
    idp: Option<Idp>,
    lines: Vec<LineView>,
    percent: i64,
    /// The reader decides for this employee (head of their unit, HR), never for themselves.
    decides: bool,
    /// The reader may edit the lines: a decider, or the employee while the IDP is a draft.
    may_edit: bool,
    is_self: bool,
    gaps: i64,
    routes: &'static [IdpRoute],
    levels: [Level; 5],
    jp_per_level: String,
}

impl ShowPage {
    fn jp(&self, v: &f64) -> String {
        jp_text(*v, self.ctx.lang.is_en())
    }

    fn route_text(&self, l: &Line) -> String {
        route_words(&self.ctx, l.route, l.programme.as_deref(), l.training.as_deref(), l.mentor.as_deref(), &l.note)
    }
}

/// A route in words: "Mentoring dengan Yayan Sopyan", "Program: …".
pub fn route_words(
    ctx: &Ctx,
    route: IdpRoute,
    programme: Option<&str>,
    training: Option<&str>,
    mentor: Option<&str>,
    note: &str,
) -> String {
    let label = ctx.label(route);
    let named = match route {
        IdpRoute::Programme => programme,
        IdpRoute::Training => training,
        IdpRoute::Mentor => mentor,
        IdpRoute::SelfStudy | IdpRoute::Assignment => (!note.is_empty()).then_some(note),
    };
    match named {
        Some(n) => format!("{label}: {n}"),
        None => label.to_string(),
    }
}

pub(super) fn year_of(ctx: &Ctx, s: &str) -> i32 {
    s.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or_else(|| ctx.today.year())
}

/// The trainings a line's choice offers at most per competency: the next to start with seats
/// left (a regency has hundreds a competency).
const TRAINING_CHOICES: i64 = 30;

/// The employee within the reader's scope (404 outside it).
pub(super) async fn employee(state: &AppState, user: &CurrentUser, id: i64) -> AppResult<Detail> {
    let mut conn = state.pool.acquire().await?;
    emp_db::find(&mut conn, id, &user.scope()).await?.ok_or(AppError::NotFound)
}

pub(super) async fn show_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    e: Detail,
    year: i32,
    refused: Option<(i64, LineForm, FieldErrors)>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let en = ctx.lang.is_en();
    let idp = db::find(&mut conn, e.id, year).await?;
    let lines = match &idp {
        Some(i) => db::lines(&mut conn, i.id, en).await?,
        None => vec![],
    };
    let gaps: i64 = sqlx::query_scalar!(
        r#"select count(*) as "n!" from requirement_gaps where employee_id = $1 and gap > 0"#,
        e.id
    )
    .fetch_one(&mut *conn)
    .await?;
    let is_self = user.employee_id == Some(e.id);
    let decides = e.decides;
    let may_edit = decides || (is_self && idp.as_ref().is_some_and(|i| i.status == IdpStatus::Draft));
    // The choices of every line at once: the gap card's mentors and trainings, the catalogue.
    let (mut mentors, mut trainings, mut programmes) = (HashMap::new(), HashMap::new(), HashMap::new());
    if may_edit && !lines.is_empty() {
        let needs: Vec<(i64, i16)> = lines.iter().map(|l| (l.competency_id, l.goal_level)).collect();
        for m in mentor_options(&mut conn, &needs, e.id, ctx.today, 6).await? {
            mentors.entry(m.competency_id).or_insert_with(Vec::new).push(mentor_choice(&ctx, &m));
        }
        let comps: Vec<i64> = needs.iter().map(|n| n.0).collect();
        let any_level: Vec<(i64, Option<i16>)> = comps.iter().map(|c| (*c, None)).collect();
        for t in training_options(&mut conn, &any_level, TRAINING_CHOICES).await? {
            trainings.entry(t.competency_id).or_insert_with(Vec::new).push(training_choice(&ctx, &t));
        }
        let rows = sqlx::query!(
            r#"select pc.competency_id, p.id, p.code || ' · ' || p.title as "label!" from programmes p
             join programme_competencies pc on pc.programme_id = p.id
             where pc.competency_id = any($1) and p.active and $2 between p.offered_from and p.offered_to
             order by p.code"#,
            &comps,
            year,
        )
        .fetch_all(&mut *conn)
        .await?;
        for r in rows {
            programmes.entry(r.competency_id).or_insert_with(Vec::new).push(Choice { id: r.id, label: r.label });
        }
    }
    let jp_per_level = jp_per_level_informal(&mut conn).await?;
    let percent = idp_percent(&lines.iter().map(|l| i64::from(l.percent)).collect::<Vec<_>>());
    let (refused_id, refused_form, refused_errors) = match refused {
        Some((id, f, e)) => (Some(id), Some(f), e),
        None => (None, None, FieldErrors::default()),
    };
    let mut status = axum::http::StatusCode::OK;
    let lines = lines
        .into_iter()
        .map(|l| {
            let take = |m: &mut HashMap<i64, Vec<Choice>>, chosen: Option<(i64, String)>| {
                let mut v = m.remove(&l.competency_id).unwrap_or_default();
                if let Some((id, label)) = chosen
                    && !v.iter().any(|c| c.id == id)
                {
                    v.insert(0, Choice { id, label });
                }
                v
            };
            let programmes = take(&mut programmes, l.programme_id.zip(l.programme.clone()));
            let trainings = take(&mut trainings, l.training_id.zip(l.training.clone()));
            let mentors = take(&mut mentors, l.mentor_id.zip(l.mentor.clone()));
            let (form, errors) = if refused_id == Some(l.id) {
                status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
                (refused_form.clone().unwrap_or_else(|| LineForm::of(&l)), refused_errors.clone())
            } else {
                (LineForm::of(&l), FieldErrors::default())
            };
            LineView { line: l, programmes, trainings, mentors, form, errors }
        })
        .collect();
    render_status(
        status,
        &ShowPage {
            jp_per_level: jp_text(jp_per_level, ctx.lang.is_en()),
            ctx,
            e,
            year,
            idp,
            lines,
            percent,
            decides,
            may_edit,
            is_self,
            gaps,
            routes: IdpRoute::ALL,
            levels: Level::ALL,
        },
    )
}

pub(super) fn mentor_choice(ctx: &Ctx, m: &MentorOption) -> Choice {
    let place = if m.same_unit { ctx.t("gap.same_unit").to_string() } else { m.unit.clone() };
    Choice { id: m.employee_id, label: format!("{} ({} {}, {place})", m.name, ctx.t("gap.level"), m.level) }
}

pub(super) fn training_choice(ctx: &Ctx, t: &TrainingOption) -> Choice {
    Choice { id: t.training_id, label: format!("{} ({})", t.title, ctx.date(t.starts_on)) }
}

pub(in crate::idp) async fn show(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let e = employee(&state, &user, id).await?;
    let year = year_of(&ctx, &q.year);
    show_page(&state, ctx, &user, e, year, None).await
}
