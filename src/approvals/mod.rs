//! One approval queue for heads and HR: self-assessments, training nominations, training requests
//! and informal activities waiting for their decision, with bulk approve / reject-with-reason.
//! Each decision goes through the same code as on its own page (`app::decide`: locks, budget
//! checks, audit), and what was not decided is listed with why.

use axum::{Form, extract::State, http::StatusCode, response::Response};

use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        decide::{Decision, decide},
        render::{FlashKind, redirect_flash, render_status},
    },
    assessments::{model::Source as AssessmentSource, routes::Assessment},
    auth::{CurrentUser, Role},
    development::{activities::Activity, model::ActivityKind, participants::Nomination, requests::Request},
};

const HR_HEAD: &[Role] = &[Role::Hr, Role::Head];

pub fn routes() -> Routes {
    Routes::new()
        .nav(40, |u| (u.has(Role::Hr) || u.has(Role::Head)).then(|| ("/approvals".into(), "nav.approvals")))
        .get("/approvals", Access::AnyOf(HR_HEAD), queue)
        .post("/approvals", Access::AnyOf(HR_HEAD), bulk)
        .badge("/approvals", waiting_badge)
}

/// Decisions waiting for this head or HR officer (the count beside "Persetujuan").
fn waiting_badge<'a>(state: &'a AppState, user: &'a CurrentUser) -> crate::app::routes::BadgeFuture<'a> {
    Box::pin(async move {
        if !(user.has(Role::Hr) || user.has(Role::Head)) {
            return Ok(None);
        }
        // The same counts as the development page and the queue's own headings.
        let w = crate::development::hub::waiting(state, &state.pool, user).await?;
        Ok(Some(w.decisions()))
    })
}

/// One item waiting: its kind and id (the form's value), who, and what is claimed, with the
/// figures that say it in words (the claimed and current level, the activity's form and minutes,
/// the training's dates, JP and cost), its note and evidence, and where its own page is.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Item {
    pub kind: String,
    pub id: i64,
    pub employee: String,
    pub unit: String,
    pub code: String,
    pub competency: String,
    /// The level claimed (assessment), asked for (request) or aimed at (activity).
    pub level: Option<i16>,
    pub current_level: Option<i16>,
    pub source: Option<AssessmentSource>,
    pub activity_kind: Option<ActivityKind>,
    pub minutes: Option<i32>,
    pub held_on: Option<chrono::NaiveDate>,
    pub mentor: Option<String>,
    /// The training's title or the activity's topic.
    pub title: String,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
    pub jp: Option<f64>,
    pub cost: Option<i64>,
    /// The claim's note, the request's reason, the activity's report and notes.
    pub note: String,
    pub evidence_id: Option<i64>,
    pub href: String,
    pub since: chrono::DateTime<chrono::Utc>,
}

/// A whole number as people write it: "1.440" (Indonesian), "1,440" (English).
pub fn count_text(n: i64, en: bool) -> String {
    let digits = n.unsigned_abs().to_string();
    let sep = if en { ',' } else { '.' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(sep);
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

impl Item {
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }

    /// The key as an id and a field name ("assessment-12").
    pub fn dom(&self) -> String {
        format!("{}-{}", self.kind, self.id)
    }

    /// "saat ini 2" / "belum dinilai".
    fn now(&self, ctx: &Ctx) -> String {
        match self.current_level {
            Some(c) => ctx.t("appr.now").replace("{n}", &c.to_string()),
            None => ctx.t("appr.now_none").to_string(),
        }
    }

    /// What is claimed, in words: "Penilaian mandiri APL-02: level 3 (saat ini 2)",
    /// "Mentoring 150 menit", "Usulan peserta: Pelatihan Keamanan Aplikasi".
    pub fn claim(&self, ctx: &Ctx) -> String {
        let level = self.level.map(|l| l.to_string()).unwrap_or_else(|| "—".into());
        let fill = |key: &str| {
            ctx.t(key).replace("{code}", &self.code).replace("{level}", &level).replace("{now}", &self.now(ctx))
        };
        match self.kind.as_str() {
            "assessment" => match self.source {
                Some(AssessmentSource::SelfAssessment) | None => fill("appr.claim.self"),
                Some(AssessmentSource::Training) => fill("appr.claim.training"),
                Some(s) => fill("appr.claim.other").replace("{source}", ctx.label(s)),
            },
            "request" => fill("appr.claim.request"),
            "participant" => ctx.t("appr.claim.participant").replace("{title}", &self.title),
            "activity" => ctx
                .t("appr.claim.activity")
                .replace("{kind}", self.activity_kind.map(|k| ctx.label(k)).unwrap_or(""))
                .replace("{minutes}", &count_text(i64::from(self.minutes.unwrap_or(0)), ctx.lang.is_en())),
            _ => self.title.clone(),
        }
    }

    /// The facts under the claim: the competency's name, the activity's topic, mentor and date,
    /// the training's dates, JP and cost.
    pub fn facts(&self, ctx: &Ctx) -> Vec<String> {
        let mut out = vec![];
        if !self.competency.is_empty() {
            out.push(format!("{} {}", self.code, self.competency));
        }
        if self.kind == "activity" {
            if !self.title.is_empty() {
                out.push(ctx.t("appr.fact.topic").replace("{topic}", &self.title));
            }
            if let Some(m) = &self.mentor {
                out.push(ctx.t("appr.fact.mentor").replace("{name}", m));
            }
            if let Some(l) = self.level {
                out.push(ctx.t("appr.fact.target").replace("{n}", &l.to_string()));
            }
            if let Some(d) = self.held_on {
                out.push(ctx.date(d));
            }
        }
        if self.kind == "participant" {
            match (self.starts_on, self.ends_on) {
                (Some(a), Some(b)) if a != b => out.push(format!("{} – {}", ctx.date(a), ctx.date(b))),
                (Some(a), _) => out.push(ctx.date(a)),
                _ => {}
            }
            if let Some(j) = self.jp {
                out.push(format!("{} JP", crate::development::model::jp_text(j, ctx.lang.is_en())));
            }
            if let Some(c) = self.cost {
                out.push(ctx.t("appr.fact.cost").replace("{cost}", &crate::development::model::rupiah(c)));
            }
        }
        out
    }

    /// The label of the note: the claim's note, the training behind a proposal, the request's
    /// reason, the activity's report.
    pub fn note_label(&self, ctx: &Ctx) -> &'static str {
        match (self.kind.as_str(), self.source) {
            ("assessment", Some(AssessmentSource::Training)) => ctx.t("appr.note.training"),
            ("assessment", _) => ctx.t("appr.note.assessment"),
            ("request", _) => ctx.t("appr.note.request"),
            _ => ctx.t("appr.note.activity"),
        }
    }
}

/// Everything waiting for this user's decision (`waiting_decisions`, the one definition the
/// development counts and the notifications also read), with what each item claims; oldest first.
const QUEUE_SQL: &str = "
    with w as (select * from waiting_decisions($1, $2, $3))
    select * from (
      select 'assessment' as kind, a.id, employee_display_name(e.front_title, e.name, e.back_title) as employee,
             u.name as unit, c.code, case when $4 then c.name_en else c.name_id end as competency,
             a.level as level, cl.level as current_level, a.source as source,
             null::text as activity_kind, null::int as minutes, null::date as held_on, null::text as mentor,
             ''::text as title, null::date as starts_on, null::date as ends_on, null::float8 as jp, null::bigint as cost,
             a.note, a.evidence_id, '/employees/' || e.id as href, w.since
      from w join assessments a on w.kind = 'assessment' and a.id = w.id join employees e on e.id = a.employee_id
      join units u on u.id = e.unit_id join competencies c on c.id = a.competency_id
      left join current_levels cl on cl.employee_id = e.id and cl.competency_id = c.id
      union all
      select 'participant', tp.id, employee_display_name(e.front_title, e.name, e.back_title), u.name, '', '',
             null, null, null, null, null, null, null,
             t.title, t.starts_on, t.ends_on, t.jp::float8, t.cost_per_participant, '', null, '/trainings/' || t.id, w.since
      from w join training_participants tp on w.kind = 'participant' and tp.id = w.id
      join trainings t on t.id = tp.training_id join employees e on e.id = tp.employee_id join units u on u.id = e.unit_id
      union all
      select 'request', r.id, employee_display_name(e.front_title, e.name, e.back_title), u.name,
             c.code, case when $4 then c.name_en else c.name_id end, r.target_level, cl.level, null,
             null, null, null, null, '', null, null, null, null, r.reason, null, '/training-requests', w.since
      from w join training_requests r on w.kind = 'request' and r.id = w.id join employees e on e.id = r.employee_id
      join units u on u.id = e.unit_id join competencies c on c.id = r.competency_id
      left join current_levels cl on cl.employee_id = e.id and cl.competency_id = c.id
      union all
      select 'activity', a.id,
             (select string_agg(employee_display_name(e.front_title, e.name, e.back_title), ', ' order by e.name)
                from activity_learners l join employees e on e.id = l.employee_id where l.activity_id = a.id),
             (select string_agg(distinct u.name, ', ') from activity_learners l join employees e on e.id = l.employee_id
                join units u on u.id = e.unit_id where l.activity_id = a.id),
             c.code, case when $4 then c.name_en else c.name_id end, a.target_level, null, null,
             a.kind, a.minutes, a.held_on, employee_display_name(m.front_title, m.name, m.back_title),
             a.topic, null, null, null, null, concat_ws(' — ', nullif(a.report, ''), nullif(a.notes, '')), a.evidence_id,
             '/activities', w.since
      from w join activities a on w.kind = 'activity' and a.id = w.id join competencies c on c.id = a.competency_id
      left join employees m on m.id = a.mentor_id
    ) q order by since, kind, id limit 500";

/// What a decision posted back: the ticked items stay ticked, the reasons typed stay typed, and
/// the error shows where it belongs (the shared reason, or one item's).
#[derive(Default, Debug)]
pub struct Posted {
    pub ticked: Vec<String>,
    /// Each item's own reason (by `Item::dom`).
    pub reasons: Vec<(String, String)>,
    /// The shared reason (bulk).
    pub reason: String,
    /// The error of the shared reason or of the ticks.
    pub error: Option<&'static str>,
    /// One item's error (its dom key and the message key).
    pub item_error: Option<(String, &'static str)>,
}

impl Posted {
    pub fn is_ticked(&self, key: &str) -> bool {
        self.ticked.iter().any(|t| t == key)
    }

    pub fn reason_of(&self, dom: &str) -> &str {
        self.reasons.iter().find(|(d, _)| d == dom).map(|(_, r)| r.as_str()).unwrap_or("")
    }

    pub fn error_of(&self, dom: &str) -> Option<&'static str> {
        self.item_error.as_ref().filter(|(d, _)| d == dom).map(|(_, k)| *k)
    }
}

#[derive(askama::Template)]
#[template(path = "approvals/queue.html")]
struct QueuePage<'a> {
    ctx: Ctx,
    /// How many items wait (the list shows the first 500).
    waiting: i64,
    /// The items' list, drawn by `ItemsTable`.
    items_table: &'a str,
    /// Items a decision could not take, in words, with why (their own page says more).
    failed: Vec<(String, String)>,
    /// How many 3-month re-assessments are due (not a yes/no: an assessment to record; the list
    /// shows the first 300).
    due: i64,
    /// Their table, drawn by `hub::ReassessTable`.
    reassess_table: &'a str,
    posted: &'a Posted,
}

/// The waiting items, each a card with its claim, evidence and its own approve / reject (the
/// form around them, with this session's token, is the page's).
#[derive(askama::Template)]
#[template(path = "approvals/items_table.html")]
struct ItemsTable<'a> {
    ctx: &'a Ctx,
    items: &'a [Item],
    posted: &'a Posted,
}

/// The queue page: everything waiting for this user and the re-assessments due in their scope,
/// the tables drawn by the first reader of this version (up to 300 rows each: drawing them cost
/// more than the rest of the request) unless a decision came back with what was ticked and typed,
/// the counts the same as the menu's and the development page's.
async fn page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    status: StatusCode,
    failed: Vec<(String, String)>,
    posted: &Posted,
) -> AppResult<Response> {
    let data = queue_data(state, user, ctx.lang.is_en(), ctx.today).await?;
    let counts = crate::development::hub::waiting(state, &state.pool, user).await?;
    let fresh;
    let (items_table, reassess_table) = if status == StatusCode::OK {
        let (a, b) = crate::app::versioned::once(&data.drawn, || {
            let items = crate::app::render::fragment(&ItemsTable { ctx: &ctx, items: &data.items, posted })?;
            Ok::<_, crate::app::AppError>((items, crate::development::hub::reassess_table(&ctx, &data.reassess)?))
        })?;
        (a.as_str(), b.as_str())
    } else {
        fresh = (
            crate::app::render::fragment(&ItemsTable { ctx: &ctx, items: &data.items, posted })?,
            crate::development::hub::reassess_table(&ctx, &data.reassess)?,
        );
        (fresh.0.as_str(), fresh.1.as_str())
    };
    // A failed item in words: "Penilaian mandiri APL-02: level 3 (saat ini 2) — Siti Rahma".
    let failed = failed
        .into_iter()
        .map(|(key, why)| match data.items.iter().find(|i| i.key() == key) {
            Some(i) => (format!("{} — {}", i.claim(&ctx), i.employee), why),
            None => (ctx.t("appr.gone").to_string(), why),
        })
        .collect();
    let page = QueuePage {
        ctx,
        waiting: counts.decisions(),
        items_table,
        failed,
        due: counts.reassessments,
        reassess_table,
        posted,
    };
    render_status(status, &page)
}

/// The queue at one version of the records, in the key's language, and its tables once drawn.
struct QueueData {
    items: Vec<Item>,
    reassess: Vec<crate::development::hub::Reassessment>,
    drawn: std::sync::OnceLock<(String, String)>,
}

impl crate::app::versioned::Weigh for QueueData {
    fn bytes(&self) -> usize {
        use crate::app::versioned::rows_bytes;
        rows_bytes(&self.items, 2_000) + rows_bytes(&self.reassess, 800)
    }
}

/// Everything waiting for this user and the re-assessments due in their scope, at the records'
/// current version (for HR that is the whole department).
async fn queue_data(
    state: &AppState,
    user: &CurrentUser,
    en: bool,
    today: chrono::NaiveDate,
) -> Result<std::sync::Arc<QueueData>, sqlx::Error> {
    let scope = user.scope();
    let key = format!("approvals:{}:{en}:{today}", user.account_id);
    state
        .personal
        .get(&state.pool, key, move |conn| {
            Box::pin(async move {
                let items: Vec<Item> = sqlx::query_as(QUEUE_SQL)
                    .bind(scope.all)
                    .bind(scope.own)
                    .bind(&scope.unit_patterns)
                    .bind(en)
                    .fetch_all(&mut *conn)
                    .await?;
                let due = crate::development::hub::reassessments(&mut *conn, &scope, today, en).await?;
                Ok::<_, sqlx::Error>(QueueData { items, reassess: due, drawn: Default::default() })
            })
        })
        .await
}

async fn queue(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    page(&state, ctx, &user, StatusCode::OK, vec![], &Posted::default()).await
}

/// Decide one item (its own approve / reject button, with its own reason) or every ticked item
/// the same way (the bulk buttons, with the shared reason), each through `app::decide` as on its
/// own page;
/// what could not be decided (someone decided first, over budget, no reason) is listed with why,
/// and the page comes back with the ticks and the reasons as they were.
async fn bulk(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let parse_key = |v: &str| v.split_once(':').and_then(|(k, id)| Some((k.to_string(), id.parse::<i64>().ok()?)));
    let mut posted = Posted {
        ticked: fields.iter().filter(|(n, _)| n == "item").map(|(_, v)| v.clone()).take(500).collect(),
        reasons: fields
            .iter()
            .filter_map(|(n, v)| n.strip_prefix("reason-").map(|d| (d.to_string(), v.clone())))
            .filter(|(_, v)| !v.trim().is_empty())
            .take(500)
            .collect(),
        reason: get("reason"),
        ..Default::default()
    };
    let one = get("one");
    let (approve, items, reason) = if let Some((decision, key)) = one.split_once(':') {
        let Some((kind, id)) = parse_key(key) else {
            return Ok(redirect_flash("/approvals", FlashKind::Err, "appr.err.none"));
        };
        let dom = format!("{kind}-{id}");
        let reason = posted.reason_of(&dom).trim().to_string();
        let approve = decision == "approve";
        if !approve && reason.is_empty() {
            posted.item_error = Some((dom, "appr.err.reason"));
            return page(&state, ctx, &user, StatusCode::UNPROCESSABLE_ENTITY, vec![], &posted).await;
        }
        (approve, vec![(kind, id)], reason)
    } else {
        let approve = get("decision") == "approve";
        let items: Vec<(String, i64)> = posted.ticked.iter().filter_map(|v| parse_key(v)).take(200).collect();
        if items.is_empty() {
            posted.error = Some("appr.err.none");
            return page(&state, ctx, &user, StatusCode::UNPROCESSABLE_ENTITY, vec![], &posted).await;
        }
        if !approve && posted.reason.is_empty() {
            posted.error = Some("appr.err.reason");
            return page(&state, ctx, &user, StatusCode::UNPROCESSABLE_ENTITY, vec![], &posted).await;
        }
        (approve, items, posted.reason.clone())
    };
    let mut failed = vec![];
    for (kind, id) in &items {
        let d = Decision { approve, reason: reason.clone() };
        let outcome = match kind.as_str() {
            "assessment" => decide::<Assessment>(&state, &ctx, &user, *id, d).await,
            "activity" => decide::<Activity>(&state, &ctx, &user, *id, d).await,
            "request" => decide::<Request>(&state, &ctx, &user, *id, d).await,
            "participant" => decide::<Nomination>(&state, &ctx, &user, *id, d).await,
            _ => continue,
        };
        // Not decided: someone was first, not this user's, no reason, or refused (over budget,
        // no seat…), each said in words; an error (the database still busy) is said as such.
        let why = match outcome {
            Ok(o) => o.why(&ctx),
            Err(e) => {
                tracing::warn!(item = %format!("{kind}:{id}"), error = %e, "a queued decision failed");
                Some(ctx.t("appr.not_allowed").to_string())
            }
        };
        if let Some(why) = why {
            failed.push((format!("{kind}:{id}"), why));
        }
    }
    if failed.is_empty() {
        let key = match (one.is_empty(), approve) {
            (true, true) => "flash.bulk_approved",
            (true, false) => "flash.bulk_rejected",
            (false, true) => "flash.one_approved",
            (false, false) => "flash.one_rejected",
        };
        return Ok(redirect_flash("/approvals", FlashKind::Ok, key));
    }
    // What was decided is gone from the list; what was not stays ticked.
    posted.ticked.retain(|t| failed.iter().any(|(k, _)| k == t));
    page(&state, ctx, &user, StatusCode::UNPROCESSABLE_ENTITY, failed, &posted).await
}
