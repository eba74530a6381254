//! The SIASN page: what waits to be pushed, and sending it.

use super::*;

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct Choose {
    /// training | year | unsent
    pub scope: String,
    pub training: String,
    pub year: String,
}

impl Choose {
    pub fn selection(&self) -> Option<Selection> {
        match self.scope.as_str() {
            "training" => {
                self.training.trim().parse().ok().map(|t| Selection { training: Some(t), ..Default::default() })
            }
            "year" => self
                .year
                .trim()
                .parse()
                .ok()
                .filter(|y| (2000..=2100).contains(y))
                .map(|y| Selection { year: Some(y), ..Default::default() }),
            "unsent" => Some(Selection { unsent: true, ..Default::default() }),
            _ => None,
        }
    }
}

/// A push as listed on the page.
pub struct PushRow {
    pub id: i64,
    pub name: String,
    pub nip: String,
    pub title: String,
    pub kind: String,
    pub status: String,
    pub attempts: i32,
    pub siasn_id: Option<String>,
    pub error_kind: Option<String>,
    pub error_detail: String,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

#[derive(askama::Template)]
#[template(path = "siasn/index.html")]
pub(super) struct IndexPage {
    ctx: Ctx,
    configured: bool,
    names: &'static [&'static str],
    choose: Choose,
    trainings: std::sync::Arc<Trainings>,
    preview: Option<Vec<Record>>,
    ready: usize,
    incomplete: usize,
    update: usize,
    pushes: Vec<PushRow>,
    year_now: i32,
}

impl IndexPage {
    fn missing(&self, r: &Record) -> String {
        records::missing_words(&self.ctx, &r.missing)
    }

    fn fix_link(&self, r: &Record) -> String {
        if r.missing.iter().any(|m| records::on_training(m)) {
            format!("/siasn/trainings/{}", r.training_id)
        } else {
            format!("/participants/{}/result", r.participant_id)
        }
    }

    fn kind_label(&self, kind: &str) -> &'static str {
        self.ctx.t(if kind == "diklat" { "siasn.kind.diklat" } else { "siasn.kind.kursus" })
    }

    fn status_label(&self, status: &str) -> &'static str {
        self.ctx.t(match status {
            "queued" => "siasn.status.queued",
            "running" => "siasn.status.running",
            "sent" => "siasn.status.sent",
            _ => "siasn.status.failed",
        })
    }

    fn push_error(&self, p: &PushRow) -> String {
        error_words(&self.ctx, p.error_kind.as_deref(), &p.error_detail, &p.status)
    }
}

/// Why a push failed (or waits to be tried again), in words.
pub fn error_words(ctx: &Ctx, kind: Option<&str>, detail: &str, status: &str) -> String {
    let detail_words = match detail {
        "timeout" => ctx.t("siasn.err.timeout").to_string(),
        "connect" => ctx.t("siasn.err.connect").to_string(),
        d => d.to_string(),
    };
    match kind {
        Some("missing") => {
            let codes: Vec<String> = detail.split(',').filter(|c| !c.is_empty()).map(str::to_string).collect();
            format!("{} {}", ctx.t("siasn.err.missing"), records::missing_words(ctx, &codes))
        }
        Some("rejected") => format!("{} {detail_words}", ctx.t("siasn.err.rejected")),
        Some("unreachable") if status == "queued" => {
            format!("{} ({detail_words}). {}", ctx.t("siasn.err.unreachable"), ctx.t("siasn.err.will_retry"))
        }
        Some("unreachable") => {
            format!("{} ({detail_words}). {}", ctx.t("siasn.err.unreachable"), ctx.t("siasn.err.gave_up"))
        }
        Some("config") => ctx.t("siasn.err.config").to_string(),
        _ => String::new(),
    }
}

/// The trainings with results SIASN takes, newest first (at most 500), kept per version of the
/// records: finding them reads every passed result of every completed training (~0.15 s at
/// 100 000 staff, each view).
pub struct Trainings(pub Vec<(i64, String, i32)>);

impl crate::app::versioned::Weigh for Trainings {
    fn bytes(&self) -> usize {
        crate::app::versioned::rows_bytes(&self.0, 64) + 64
    }
}

async fn kept_trainings(state: &AppState) -> AppResult<std::sync::Arc<Trainings>> {
    let kept = state
        .versions
        .get_in(crate::app::versioned::Depends::All, &state.pool, "siasn.trainings".to_string(), |conn| {
            Box::pin(async move {
                let rows = sqlx::query!(
                    r#"select t.id, t.title, extract(year from t.ends_on)::int as "year!" from trainings t
                     where exists (select 1 from siasn_records r where r.training_id = t.id)
                     order by t.ends_on desc, t.id desc limit 500"#,
                )
                .fetch_all(&mut *conn)
                .await?;
                Ok::<_, sqlx::Error>(Trainings(rows.into_iter().map(|t| (t.id, t.title, t.year)).collect()))
            })
        })
        .await?;
    Ok(kept)
}

pub(super) async fn index(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(choose): Query<Choose>,
) -> AppResult<Response> {
    let trainings = kept_trainings(&state).await?;
    let mut conn = state.pool.acquire().await?;
    let preview = match choose.selection() {
        Some(s) => Some(records::select(&mut conn, &user.scope(), s).await?),
        None => None,
    };
    let (ready, incomplete, update) = preview.as_ref().map_or((0, 0, 0), |p| {
        let ready = p.iter().filter(|r| r.missing.is_empty()).count();
        let update = p.iter().filter(|r| r.missing.is_empty() && r.siasn_id.is_some()).count();
        (ready, p.len() - ready, update)
    });
    let pushes: Vec<PushRow> = sqlx::query_as!(
        PushRow,
        r#"select p.id, employee_display_name(e.front_title, e.name, e.back_title) as "name!", e.nip, t.title, p.kind, p.status, p.attempts,
                p.siasn_id, p.error_kind, p.error_detail, p.updated_at
         from siasn_pushes p join training_participants tp on tp.id = p.participant_id join trainings t on t.id = tp.training_id
         join employees e on e.id = tp.employee_id
         order by (p.status = 'failed') desc, p.updated_at desc, p.id desc limit 200"#,
    )
    .fetch_all(&mut *conn)
    .await?;
    let year_now = ctx.today.year();
    render(&IndexPage {
        configured: state.siasn.configured(),
        names: NAMES,
        ctx,
        choose,
        trainings,
        preview,
        ready,
        incomplete,
        update,
        pushes,
        year_now,
    })
}

pub(super) async fn send(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(choose): Form<Choose>,
) -> AppResult<Response> {
    let Some(selection) = choose.selection() else {
        return Ok(redirect_flash("/siasn", FlashKind::Err, "siasn.flash.choose"));
    };
    let back = format!(
        "/siasn?scope={}&training={}&year={}",
        crate::app::context::urlencode(&choose.scope),
        crate::app::context::urlencode(&choose.training),
        crate::app::context::urlencode(&choose.year)
    );
    if !state.siasn.configured() {
        return Ok(redirect_flash(&back, FlashKind::Err, "siasn.flash.not_configured"));
    }
    let mut tx = state.pool.begin().await?;
    let records = records::select(&mut tx, &user.scope(), selection).await?;
    let ready: Vec<i64> = records.iter().filter(|r| r.missing.is_empty()).map(|r| r.participant_id).collect();
    if ready.is_empty() {
        return Ok(redirect_flash(&back, FlashKind::Err, "siasn.flash.nothing_ready"));
    }
    let ids = push::enqueue(&mut tx, &ready, Some(user.account_id)).await?;
    audit::record(
        &mut tx,
        &Actor::from_ctx(&ctx),
        "siasn_push",
        ids.first().copied().unwrap_or_default(),
        "send",
        None,
        Some(serde_json::json!({ "scope": choose.scope, "training": choose.training, "year": choose.year, "pushes": ids })),
    )
    .await?;
    tx.commit().await?;
    push::wake().notify_one();
    Ok(redirect_flash(&back, FlashKind::Ok, "siasn.flash.queued"))
}
