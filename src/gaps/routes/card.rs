//! An employee's gap card: each gap with the mentors and trainings that could close it.

use super::*;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CardQuery {
    position: String,
    /// A position typed to compare against, where there are too many to list.
    position_q: String,
}

/// The trainings the card offers for a gap at most: the next to start, beyond the current level,
/// with seats left.
const TRAININGS_OFFERED: i64 = 5;

/// A gap line with its recommendations.
#[derive(Clone)]
pub struct CardLine {
    pub line: GapLine,
    pub mentors: Vec<MentorOption>,
    pub trainings: Vec<TrainingOption>,
}

impl CardLine {
    pub fn words(&self, ctx: &Ctx) -> String {
        ctx.gap_words(Some(self.line.required_level), self.line.current_level)
    }
}

#[derive(askama::Template)]
#[template(path = "gaps/card.html")]
pub(super) struct CardPage {
    ctx: Ctx,
    e: Detail,
    summary: Option<StaffGap>,
    reasons: Vec<String>,
    lines: Vec<CardLine>,
    target: Option<(i64, String)>,
    /// The position to compare against (none: the employee's own), from a list or typed.
    choice: emp_db::PositionChoice,
    /// Assessment coverage (assessed / required) and readiness over what is known (met / assessed).
    coverage: i64,
    readiness: Option<i64>,
    unknown: usize,
    score: f64,
    settings: GapSettings,
    is_self: bool,
}

impl CardPage {
    fn money(&self, v: &i64) -> String {
        rupiah(*v)
    }

    fn jp(&self, v: &f64) -> String {
        jp_text(*v, self.ctx.lang.is_en())
    }

    /// The measured effect of a training, or its declared target.
    fn effect(&self, t: &TrainingOption) -> String {
        match t.measured_gain {
            Some(g) if t.measured_n >= i64::from(self.settings.effect_min_participants) => self
                .ctx
                .t("gap.effect.measured")
                .replace("{gain}", &self.ctx.decimal(g))
                .replace("{n}", &t.measured_n.to_string()),
            _ => self.ctx.t("gap.effect.declared").replace("{level}", &t.target_level.to_string()),
        }
    }
}

/// What the card computes for an employee against a position: kept per version of the records.
#[derive(Clone)]
struct CardData {
    summary: Option<StaffGap>,
    lines: Vec<CardLine>,
    coverage: i64,
    readiness: Option<i64>,
    unknown: usize,
    score: f64,
}

impl crate::app::versioned::Weigh for CardData {
    fn bytes(&self) -> usize {
        // A line with its few mentors and trainings: about a kilobyte.
        std::mem::size_of::<Self>() + 1024 * self.lines.len() + 512
    }
}

async fn card_data(
    conn: &mut sqlx::PgConnection,
    id: i64,
    position: Option<i64>,
    against_other: bool,
    today: chrono::NaiveDate,
    en: bool,
) -> Result<CardData, sqlx::Error> {
    let lines = match position {
        Some(p) => db::lines(&mut *conn, id, p, en).await?,
        None => vec![],
    };
    let summary = if against_other { None } else { db::staff_gap(&mut *conn, today, id).await? };
    // Mentors at the required level; trainings beyond the current one (every line with a known
    // gap has one).
    let (needs, beyond): (Vec<_>, Vec<_>) = lines
        .iter()
        .filter(|l| l.known_gap() > 0)
        .map(|l| ((l.competency_id, l.required_level), (l.competency_id, l.current_level)))
        .unzip();
    let mentors = db::mentor_options(&mut *conn, &needs, id, today, 4).await?;
    let trainings = db::training_options(&mut *conn, &beyond, TRAININGS_OFFERED).await?;
    // The same figures as the summary's, over what is known (the card shows them for a target
    // position too, which the kept facts do not hold).
    let score: f64 = lines.iter().map(|l| f64::from(l.known_gap()) * l.weight).sum();
    let assessed = lines.iter().filter(|l| l.gap.is_some()).count();
    let met = lines.iter().filter(|l| l.gap == Some(0)).count();
    let unknown = lines.len() - assessed;
    let coverage = if lines.is_empty() { 100 } else { (assessed as f64 * 100.0 / lines.len() as f64).round() as i64 };
    let readiness = (assessed > 0).then(|| (met as f64 * 100.0 / assessed as f64).round() as i64);
    let lines = lines
        .into_iter()
        .map(|l| CardLine {
            mentors: mentors.iter().filter(|m| m.competency_id == l.competency_id).cloned().collect(),
            trainings: trainings.iter().filter(|t| t.competency_id == l.competency_id).cloned().collect(),
            line: l,
        })
        .collect();
    Ok(CardData { summary, lines, coverage, readiness, unknown, score })
}

pub(super) async fn card(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<CardQuery>,
) -> AppResult<Response> {
    // A connection only for what is not kept (a card served from kept parts costs no round trip).
    let mut conn = crate::app::versioned::LazyConn::from(&state.pool);
    let e = emp_db::find_seen(&state, conn.source(), id, &user.scope()).await?.ok_or(AppError::NotFound)?;
    let settings = db::settings_seen(&state, conn.source()).await?;
    let en = ctx.lang.is_en();
    // The position to compare against: one the typed text names (or the ticked one among its
    // matches), else the one chosen.
    let mut choice = emp_db::PositionChoice::read(conn.source(), &q.position, &q.position_q, None).await?;
    let target: Option<(i64, String)> = match choice.chosen {
        Some(p) if Some(p) != e.position_id => sqlx::query!("select id, name from positions where id = $1", p)
            .fetch_optional(conn.conn().await?)
            .await?
            .map(|r| (r.id, r.name)),
        _ => None,
    };
    // The card's figures and routes, kept per version of the records (the same for every reader
    // in scope): its mentors and trainings search the whole department.
    let position = target.as_ref().map(|t| t.0).or(e.position_id);
    let (today, against) = (ctx.today, target.as_ref().map(|t| t.0));
    choice.chosen = against;
    let key = format!("gap.card:{id}:{position:?}:{against:?}:{en}:{today}");
    let data = state
        .personal
        .get(conn.source(), key, move |conn| Box::pin(card_data(conn, id, position, against.is_some(), today, en)))
        .await?;
    let CardData { summary, lines, coverage, readiness, unknown, score } = data.as_ref().clone();
    let reasons = summary.as_ref().map(|s| s.reasons(&ctx, &settings)).unwrap_or_default();
    let choice = choice.offered(&state, conn.source()).await?;
    let is_self = user.employee_id == Some(id);
    render(&CardPage {
        ctx,
        e,
        summary,
        reasons,
        lines,
        target,
        choice,
        coverage,
        readiness,
        unknown,
        score,
        settings,
        is_self,
    })
}
