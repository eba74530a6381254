//! One approval queue for heads and HR: self-assessments, training nominations, training requests
//! and informal activities waiting for their decision, with bulk approve / reject-with-reason.
//! Each decision goes through the same code as on its own page (locks, budget checks, audit).

use axum::{
    Form,
    extract::{Path, State},
    http::StatusCode,
    response::Response,
};

use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        render::{FlashKind, has_error_flash, redirect_flash, render_status},
    },
    auth::{CurrentUser, Role},
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

/// One item waiting: its kind and id (the form's value), who, what, and where its own page is.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct Item {
    pub kind: String,
    pub id: i64,
    pub employee: String,
    pub what: String,
    pub detail: String,
    pub href: String,
    pub since: chrono::DateTime<chrono::Utc>,
}

impl Item {
    pub fn key(&self) -> String {
        format!("{}:{}", self.kind, self.id)
    }
}

/// Everything waiting for this user's decision (`waiting_decisions`, the one definition the
/// development counts and the notifications also read), with what each item is; oldest first.
const QUEUE_SQL: &str = "
    with w as (select * from waiting_decisions($1, $2, $3))
    select * from (
      select 'assessment' as kind, a.id, employee_display_name(e.front_title, e.name, e.back_title) as employee,
             c.code || ' ' || case when $4 then c.name_en else c.name_id end as what,
             a.level::text || case when a.source = 'training' then ' (' || a.note || ')' else '' end as detail,
             '/employees/' || e.id as href, w.since
      from w join assessments a on w.kind = 'assessment' and a.id = w.id join employees e on e.id = a.employee_id
      join competencies c on c.id = a.competency_id
      union all
      select 'participant', tp.id, employee_display_name(e.front_title, e.name, e.back_title), t.title,
             to_char(t.starts_on, 'DD-MM-YYYY'), '/trainings/' || t.id, w.since
      from w join training_participants tp on w.kind = 'participant' and tp.id = w.id
      join trainings t on t.id = tp.training_id join employees e on e.id = tp.employee_id
      union all
      select 'request', r.id, employee_display_name(e.front_title, e.name, e.back_title),
             c.code || ' ' || case when $4 then c.name_en else c.name_id end, r.reason, '/training-requests', w.since
      from w join training_requests r on w.kind = 'request' and r.id = w.id join employees e on e.id = r.employee_id
      join competencies c on c.id = r.competency_id
      union all
      select 'activity', a.id,
             (select string_agg(employee_display_name(e.front_title, e.name, e.back_title), ', ') from activity_learners l
                join employees e on e.id = l.employee_id where l.activity_id = a.id),
             a.topic, a.kind || ' · ' || a.minutes || ' min', '/activities', w.since
      from w join activities a on w.kind = 'activity' and a.id = w.id
    ) q order by since, kind, id limit 500";

#[derive(askama::Template)]
#[template(path = "approvals/queue.html")]
struct QueuePage<'a> {
    ctx: Ctx,
    /// How many items wait (the list shows the first 500).
    waiting: i64,
    /// The items' table, drawn by `ItemsTable`.
    items_table: &'a str,
    /// Items a bulk decision could not take, with why (their own page says more).
    failed: Vec<(String, String)>,
    /// How many 3-month re-assessments are due (not a yes/no: an assessment to record; the list
    /// shows the first 300).
    due: i64,
    /// Their table, drawn by `hub::ReassessTable`.
    reassess_table: &'a str,
}

/// The waiting items' table (the form around it, with this session's token, is the page's).
#[derive(askama::Template)]
#[template(path = "approvals/items_table.html")]
struct ItemsTable<'a> {
    ctx: &'a Ctx,
    items: &'a [Item],
}

/// The queue page: everything waiting for this user and the re-assessments due in their scope,
/// the tables drawn by the first reader of this version (up to 300 rows each: drawing them cost
/// more than the rest of the request), the counts the same as the menu's and the development
/// page's.
async fn page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    status: StatusCode,
    failed: Vec<(String, String)>,
) -> AppResult<Response> {
    let data = queue_data(state, user, ctx.lang.is_en(), ctx.today).await?;
    let counts = crate::development::hub::waiting(state, &state.pool, user).await?;
    let (items_table, reassess_table) = crate::app::versioned::once(&data.drawn, || {
        let items = crate::app::render::fragment(&ItemsTable { ctx: &ctx, items: &data.items })?;
        Ok::<_, crate::app::AppError>((items, crate::development::hub::reassess_table(&ctx, &data.reassess)?))
    })?;
    let page =
        QueuePage { ctx, waiting: counts.decisions(), items_table, failed, due: counts.reassessments, reassess_table };
    render_status(status, &page)
}

/// The queue at one version of the records, in the key's language, and its tables once drawn.
struct QueueData {
    items: Vec<Item>,
    reassess: Vec<crate::development::hub::Reassessment>,
    drawn: std::sync::OnceLock<(String, String)>,
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
                let mut items: Vec<Item> = sqlx::query_as(QUEUE_SQL)
                    .bind(scope.all)
                    .bind(scope.own)
                    .bind(&scope.unit_patterns)
                    .bind(en)
                    .fetch_all(&mut *conn)
                    .await?;
                activity_words(&mut items, if en { crate::i18n::Lang::En } else { crate::i18n::Lang::Id });
                let due = crate::development::hub::reassessments(&mut *conn, &scope, today, en).await?;
                Ok::<_, sqlx::Error>(QueueData { items, reassess: due, drawn: Default::default() })
            })
        })
        .await
}

/// An activity's line in words ("Belajar mandiri · 120 menit"), not its stored code and unit.
fn activity_words(items: &mut [Item], lang: crate::i18n::Lang) {
    for i in items.iter_mut().filter(|i| i.kind == "activity") {
        if let Some((kind, minutes)) = i.detail.split_once(" · ") {
            let minutes = minutes.trim_end_matches(" min");
            i.detail = format!(
                "{} · {minutes} {}",
                crate::i18n::t(lang, &format!("akind.{kind}")),
                crate::i18n::t(lang, "act.min")
            );
        }
    }
}

async fn queue(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    page(&state, ctx, &user, StatusCode::OK, vec![]).await
}

/// Decide every ticked item the same way, each through its own page's code; what could not be
/// decided (someone decided first, over budget, no reason) is listed with why.
async fn bulk(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v.trim().to_string()).unwrap_or_default();
    let approve = get("decision") == "approve";
    let reason = get("reason");
    let items: Vec<(String, i64)> = fields
        .iter()
        .filter(|(n, _)| n == "item")
        .filter_map(|(_, v)| v.split_once(':').and_then(|(k, id)| Some((k.to_string(), id.parse().ok()?))))
        .take(200)
        .collect();
    if items.is_empty() {
        return Ok(redirect_flash("/approvals", FlashKind::Err, "appr.err.none"));
    }
    if !approve && reason.is_empty() {
        return Ok(redirect_flash("/approvals", FlashKind::Err, "appr.err.reason"));
    }
    let mut failed = vec![];
    for (kind, id) in &items {
        let (s, c, u) = (state.clone(), ctx.clone(), user.clone());
        let outcome = match kind.as_str() {
            "assessment" => crate::assessments::routes::decide(s, c, u, *id, approve, reason.clone()).await,
            "activity" => crate::development::activities::decide(s, c, u, *id, approve, reason.clone()).await,
            "request" => crate::development::requests::decide(s, c, u, *id, approve, reason.clone()).await,
            "participant" => {
                let form = Form(crate::development::participants::DecisionForm { reason: reason.clone() });
                if approve {
                    crate::development::participants::approve(State(s), c, u, Path(*id), form).await
                } else {
                    crate::development::participants::reject(State(s), c, u, Path(*id), form).await
                }
            }
            _ => continue,
        };
        // The single-item answer: a redirect back to its list means it was decided (an error
        // flash means it was not); anything else (409, 422, 403, 404) is a refusal.
        let done = matches!(&outcome, Ok(r) if r.status().is_redirection() && !has_error_flash(r));
        if !done {
            let why = match &outcome {
                Ok(r) if r.status() == StatusCode::CONFLICT => ctx.t("flash.already_decided"),
                Ok(r) if r.status() == StatusCode::UNPROCESSABLE_ENTITY => ctx.t("appr.refused"),
                _ => ctx.t("appr.not_allowed"),
            };
            failed.push((format!("{kind}:{id}"), why.to_string()));
        }
    }
    if failed.is_empty() {
        return Ok(redirect_flash(
            "/approvals",
            FlashKind::Ok,
            if approve { "flash.bulk_approved" } else { "flash.bulk_rejected" },
        ));
    }
    page(&state, ctx, &user, StatusCode::UNPROCESSABLE_ENTITY, failed).await
}
