//! The page of one training: what it develops, its budget, participants, evaluations and
//! measured effect.

use super::*;

/// One training as its page shows it.
pub struct Training {
    pub id: i64,
    pub title: String,
    pub form: TrainingForm,
    pub jenis_diklat: i16,
    pub provider_id: Option<i64>,
    pub provider: Option<String>,
    pub place: String,
    pub online: bool,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub jp: f64,
    pub cost_per_participant: i64,
    pub fixed_cost: i64,
    pub budget_year: i32,
    pub budget_unit_id: i64,
    pub budget_line: String,
    pub quota: i32,
    pub status: TrainingStatus,
    pub cost: i64,
    /// The type's name on SIASN's list as HR last refreshed it.
    pub jenis_name: String,
}

impl Training {
    pub fn jenis_label(&self) -> String {
        format!("{} · {}", self.jenis_diklat, self.jenis_name)
    }
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Training>, sqlx::Error> {
    sqlx::query_as!(
        Training,
        r#"select t.id, t.title, t.form as "form: TrainingForm", t.jenis_diklat, t.provider_id, p.name as "provider?", t.place,
                t.online, t.starts_on, t.ends_on, t.jp::float8 as "jp!", t.cost_per_participant, t.fixed_cost, t.budget_year,
                t.budget_unit_id, t.budget_line, t.quota, t.status as "status: TrainingStatus", c.cost as "cost!",
                coalesce(r.name, '') as "jenis_name!"
         from trainings t left join providers p on p.id = t.provider_id join training_costs c on c.training_id = t.id
         left join siasn_refs r on r.kind = 'jenis_diklat' and r.ref_id = t.jenis_diklat::text
         where t.id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

pub struct Target {
    pub competency_id: i64,
    pub code: String,
    pub name: String,
    pub target_level: i16,
}

pub struct Participant {
    pub id: i64,
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub status: ParticipantStatus,
    pub decides: bool,
    pub decision_reason: String,
    pub override_reason: String,
    pub certificate_no: String,
    pub certificate_expires_on: Option<chrono::NaiveDate>,
    pub certificate_file_id: Option<i64>,
    pub score: Option<f64>,
    pub jp: Option<f64>,
    pub evaluated: bool,
    /// Their evaluation of the training is owed (`evaluations_owed`).
    pub evaluation_owed: bool,
    /// What a pass led to, per competency: proposed and where it waits, or confirmed.
    pub outcomes: Vec<String>,
}

impl Participant {
    pub fn nominated(&self) -> bool {
        self.status == ParticipantStatus::Nominated
    }

    /// Approved, so a result can be recorded.
    pub fn decided_in(&self) -> bool {
        !matches!(self.status, ParticipantStatus::Nominated | ParticipantStatus::Rejected)
    }
}

/// Reaction: the mean of each question over the evaluations received.
#[derive(Default)]
pub struct EvalSummary {
    pub n: i64,
    pub relevance: Option<f64>,
    pub method: Option<f64>,
    pub trainer: Option<f64>,
    pub usefulness: Option<f64>,
}

/// Effect: the change in each developed competency over the participants measured after.
pub struct EffectLine {
    pub code: String,
    pub name: String,
    pub measured: i64,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub gain: Option<f64>,
}

/// What the training page shows besides the training; `problem` explains a refused action.
#[derive(askama::Template)]
#[template(path = "development/training.html")]
pub struct DetailPage {
    pub ctx: Ctx,
    pub t: Training,
    pub targets: Vec<Target>,
    pub participants: Vec<Participant>,
    pub budget: BudgetFigures,
    pub eval: EvalSummary,
    pub comments: Vec<String>,
    pub effect: Vec<EffectLine>,
    pub cost_per_level: Option<i64>,
    pub competencies: Vec<Opt>,
    pub levels: [Level; 5],
    pub can_nominate: bool,
    /// The nomination's person picker, drawn.
    pub nominate_picker: String,
    pub problem: Vec<String>,
    /// The reader's participation whose evaluation they owe.
    pub owed_evaluation: Option<i64>,
}

impl DetailPage {
    pub fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    pub fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }

    pub fn avg(&self, v: &Option<f64>) -> String {
        v.map(|x| self.ctx.fixed(x, 2)).unwrap_or_else(|| "—".into())
    }

    pub fn is_hr(&self) -> bool {
        self.ctx.is_hr()
    }

    pub fn completed(&self) -> bool {
        self.t.status == TrainingStatus::Completed
    }

    /// Results can be recorded once the training runs or its last day has come.
    pub fn results_open(&self) -> bool {
        crate::development::participants::results_open(self.t.status, self.t.ends_on, self.ctx.today)
    }
}

/// Build the training page for this reader (participants limited to those they may see).
pub async fn detail_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    id: i64,
    nominate: crate::people::Picker,
    problem: Vec<String>,
) -> AppResult<DetailPage> {
    let mut conn = state.pool.acquire().await?;
    let t = find(&mut conn, id).await?.ok_or(AppError::NotFound)?;
    let en = ctx.lang.is_en();
    let targets = sqlx::query_as!(
        Target,
        r#"select c.id as competency_id, c.code, case when $2 then c.name_en else c.name_id end as "name!", tc.target_level
         from training_competencies tc join competencies c on c.id = tc.competency_id where tc.training_id = $1 order by c.code"#,
        id,
        en,
    )
    .fetch_all(&mut *conn)
    .await?;
    let scope = user.scope();
    let mut participants: Vec<Participant> = sqlx::query!(
        r#"select tp.id, e.id as employee_id, e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                u.name as unit, tp.status as "status: ParticipantStatus", scope_decides($2, $3, $4, e.id, u.path) as "decides!",
                tp.decision_reason, tp.override_reason, tp.certificate_no, tp.certificate_expires_on, tp.certificate_file_id,
                tp.score::float8 as "score?",
                case when tp.status = 'passed' then coalesce(tp.jp_credited, t.jp)::float8 end as "jp?",
                exists (select 1 from training_evaluations ev where ev.participant_id = tp.id) as "evaluated!",
                exists (select 1 from evaluations_owed o where o.participant_id = tp.id) as "evaluation_owed!"
         from training_participants tp join trainings t on t.id = tp.training_id
         join employees e on e.id = tp.employee_id join units u on u.id = e.unit_id
         where tp.training_id = $1 and scope_sees($2, $3, $4, e.id, u.path)
         order by tp.status = 'rejected', e.name, e.id"#,
        id,
        scope.all,
        scope.own,
        &scope.unit_patterns,
    )
    .fetch_all(&mut *conn)
    .await?
    .into_iter()
    .map(|r| Participant {
        id: r.id,
        employee_id: r.employee_id,
        nip: r.nip,
        name: r.name,
        unit: r.unit,
        status: r.status,
        decides: r.decides,
        decision_reason: r.decision_reason,
        override_reason: r.override_reason,
        certificate_no: r.certificate_no,
        certificate_expires_on: r.certificate_expires_on,
        certificate_file_id: r.certificate_file_id,
        score: r.score,
        jp: r.jp,
        evaluated: r.evaluated,
        evaluation_owed: r.evaluation_owed,
        outcomes: vec![],
    })
    .collect();
    for (pid, line) in crate::development::participants::outcomes(&mut conn, &ctx, id).await? {
        if let Some(p) = participants.iter_mut().find(|p| p.id == pid) {
            p.outcomes.push(line);
        }
    }
    let budget = db::budget(&mut conn, t.budget_year, t.budget_unit_id).await?;
    let staff_view = user.has(Role::Hr) || user.has(Role::Head);
    let (eval, comments, effect, cost_per_level) = if staff_view {
        let eval = sqlx::query_as!(
            EvalSummary,
            r#"select count(*) as "n!", avg(relevance)::float8 as relevance, avg(method)::float8 as method,
                    avg(trainer)::float8 as trainer, avg(usefulness)::float8 as usefulness
             from training_evaluations ev join training_participants tp on tp.id = ev.participant_id where tp.training_id = $1"#,
            id,
        )
        .fetch_one(&mut *conn)
        .await?;
        let comments: Vec<String> = sqlx::query_scalar!(
            "select ev.comment from training_evaluations ev join training_participants tp on tp.id = ev.participant_id
             where tp.training_id = $1 and ev.comment <> '' order by ev.submitted_at",
            id,
        )
        .fetch_all(&mut *conn)
        .await?;
        let effect = sqlx::query_as!(
            EffectLine,
            r#"select c.code, case when $2 then c.name_en else c.name_id end as "name!",
                    count(fx.after_level) as "measured!",
                    avg(fx.before_level) filter (where fx.after_level is not null)::float8 as before,
                    avg(fx.after_level)::float8 as after,
                    avg(fx.after_level - fx.before_level)::float8 as gain
             from training_effect fx join competencies c on c.id = fx.competency_id
             where fx.training_id = $1 group by c.code, c.name_en, c.name_id order by c.code"#,
            id,
            en,
        )
        .fetch_all(&mut *conn)
        .await?;
        let gained: Option<i64> = sqlx::query_scalar!(
            "select sum(greatest(after_level - before_level, 0))::bigint from training_effect where training_id = $1 and after_level is not null",
            id,
        )
        .fetch_one(&mut *conn)
        .await?;
        let cpl = gained.filter(|g| *g > 0).map(|g| t.cost / g);
        (eval, comments, effect, cpl)
    } else {
        (EvalSummary::default(), vec![], vec![], None)
    };
    let competencies = if user.has(Role::Hr) { competency_options(&mut conn, en).await? } else { vec![] };
    let owed_evaluation = user
        .employee_id
        .and_then(|me| participants.iter().find(|p| p.employee_id == me && p.evaluation_owed).map(|p| p.id));
    let nominate_picker = nominate.html(&ctx)?;
    Ok(DetailPage {
        ctx,
        can_nominate: staff_view && matches!(t.status, TrainingStatus::Planned | TrainingStatus::Open),
        t,
        targets,
        participants,
        budget,
        eval,
        comments,
        effect,
        cost_per_level,
        competencies,
        levels: Level::ALL,
        nominate_picker,
        problem,
        owed_evaluation,
    })
}

pub(super) async fn detail(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
) -> AppResult<Response> {
    let page = detail_page(&state, ctx, &user, id, crate::development::participants::nominate_picker(), vec![]).await?;
    render(&page)
}
