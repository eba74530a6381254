//! The queue page: what waits for this user, read once per version of the records.

use super::*;

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
    /// The page of the queue the decision was taken on (it comes back there).
    pub page: Option<i64>,
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
    /// How many items wait (the list shows 50 a page).
    waiting: i64,
    pager: crate::app::paging::Pager,
    /// The items' list, drawn by `ItemsTable`.
    items_table: &'a str,
    /// Items a decision could not take, in words, with why (their own page says more).
    failed: Vec<(String, String)>,
    /// How many 3-month re-assessments are due (not a yes/no: an assessment to record; the list
    /// shows the first `REASSESS_SHOWN`, the development page up to 300).
    due: i64,
    shown_due: usize,
    more_due: bool,
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

/// Re-assessments due listed on the queue (the development page lists up to 300).
const REASSESS_SHOWN: usize = 50;

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub(super) struct QueueQuery {
    page: Option<i64>,
}

/// The queue page: a page of 50 of what waits for this user (the oldest first) and the first
/// re-assessments due in their scope, the tables drawn by the first reader of this version and
/// page (drawing them cost more than the rest of the request; the whole queue on one page was
/// ~1 MB of forms during a campaign) unless a decision came back with what was ticked and typed,
/// the counts the same as the menu's and the development page's.
pub(super) async fn page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    status: StatusCode,
    failed: Vec<(String, String)>,
    posted: &Posted,
) -> AppResult<Response> {
    let offset = crate::app::paging::Pager::offset(posted.page);
    let data = queue_data(state, user, ctx.lang.is_en(), ctx.today, offset).await?;
    let counts = crate::development::hub::waiting(state, &state.pool, user).await?;
    let shown_due = data.reassess.len().min(REASSESS_SHOWN);
    let reassess = &data.reassess[..shown_due];
    let fresh;
    let (items_table, reassess_table) = if status == StatusCode::OK {
        let (a, b) = crate::app::versioned::once(&data.drawn, || {
            let items = crate::app::render::fragment(&ItemsTable { ctx: &ctx, items: &data.items, posted })?;
            Ok::<_, crate::app::AppError>((items, crate::development::hub::reassess_table(&ctx, reassess)?))
        })?;
        (a.as_str(), b.as_str())
    } else {
        fresh = (
            crate::app::render::fragment(&ItemsTable { ctx: &ctx, items: &data.items, posted })?,
            crate::development::hub::reassess_table(&ctx, reassess)?,
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
    let pager = crate::app::paging::Pager::new(posted.page, counts.decisions(), String::new());
    let page = QueuePage {
        ctx,
        waiting: counts.decisions(),
        pager,
        shown_due,
        more_due: counts.reassessments > shown_due as i64,
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

/// Computes what this user's queue first shows (its first page and the counts, in `lang`), so
/// that after a node starts their first view does not wait (HR's at 100 000 staff: 0.3 s).
pub async fn warm(
    state: &AppState,
    user: &CurrentUser,
    today: chrono::NaiveDate,
    lang: crate::i18n::Lang,
) -> AppResult<()> {
    queue_data(state, user, lang.is_en(), today, 0).await?;
    crate::development::hub::waiting(state, &state.pool, user).await?;
    Ok(())
}

/// Everything waiting for this user and the re-assessments due in their scope, at the records'
/// current version (for HR that is the whole department).
async fn queue_data(
    state: &AppState,
    user: &CurrentUser,
    en: bool,
    today: chrono::NaiveDate,
    offset: i64,
) -> Result<std::sync::Arc<QueueData>, sqlx::Error> {
    let scope = user.scope();
    let key = format!("approvals:{}:{en}:{today}:{offset}", user.account_id);
    state
        .personal
        .get(&state.pool, key, move |conn| {
            Box::pin(async move {
                // Everything waiting for this user's decision (`waiting_decisions`, the one definition
                // the development counts and the notifications also read), with what each item
                // claims; oldest first. The page's items are chosen before their details are read:
                // joined first, a campaign's 2 777 pending self-assessments were each read in full
                // for the 50 shown (100 → 9 ms at 15 000 staff, the same rows).
                let items = sqlx::query_as!(
                    Item,
                    r#"
    with w as (select * from waiting_decisions($1, $2, $3) order by since, kind, id limit $5 offset $6)
    select kind as "kind!", id as "id!", employee as "employee!", unit as "unit!", code as "code!",
           competency as "competency!", level, current_level, source as "source: AssessmentSource",
           activity_kind as "activity_kind: ActivityKind", minutes, held_on, mentor, title as "title!", starts_on,
           ends_on, jp, cost, note as "note!", evidence_id, href as "href!", since as "since!"
    from (
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
    ) q order by since, kind, id"#,
                    scope.all,
                    scope.own,
                    &scope.unit_patterns,
                    en,
                    crate::app::paging::PER_PAGE,
                    offset,
                )
                .fetch_all(&mut *conn)
                .await?;
                let due = crate::development::hub::reassessments(&mut *conn, &scope, today, en).await?;
                Ok::<_, sqlx::Error>(QueueData { items, reassess: due, drawn: Default::default() })
            })
        })
        .await
}

pub(super) async fn queue(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    axum::extract::Query(q): axum::extract::Query<QueueQuery>,
) -> AppResult<Response> {
    page(&state, ctx, &user, StatusCode::OK, vec![], &Posted { page: q.page, ..Default::default() }).await
}
