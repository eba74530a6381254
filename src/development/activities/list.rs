//! The activities page: waiting for my decision, mine, given by me, my staff's.

use super::*;
use crate::auth::Scope;

pub struct ActivityRow {
    pub id: i64,
    pub kind: ActivityKind,
    pub topic: String,
    pub competency: String,
    pub held_on: chrono::NaiveDate,
    pub minutes: i32,
    pub mentor: Option<String>,
    pub learners: String,
    pub status: ActivityStatus,
    pub decision_reason: String,
    pub evidence_id: Option<i64>,
    pub report: String,
    /// My JP from it (as a learner) and the rule that produced them.
    pub jp: Option<f64>,
    pub rule: Option<JpRuleApplied>,
    pub decides: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ListQuery {
    status: String,
    page: Option<i64>,
}

#[derive(askama::Template)]
#[template(path = "development/activities.html")]
struct ListPage {
    ctx: Ctx,
    waiting: Vec<ActivityRow>,
    mine: Vec<ActivityRow>,
    given: Vec<ActivityRow>,
    staff: Vec<ActivityRow>,
    status: String,
    statuses: &'static [ActivityStatus],
    /// Pages of the staff list (the one that grows with the department).
    pager: Pager,
}

impl ListPage {
    fn jp(&self, v: &Option<f64>) -> String {
        v.map(|j| jp_text(j, self.ctx.lang.is_en())).unwrap_or_else(|| "—".into())
    }
}

/// Which list of the page: waiting for my decision, mine, given by me, or my staff's (with the
/// reader's scope as `Scope::under` gives it for the whole department: `all` for a reader who
/// sees all of it).
#[derive(Clone, Copy)]
enum List<'a> {
    Waiting,
    Mine,
    Given,
    Staff(&'a Scope),
}

/// How many activities the staff list holds for the reader (its pager's count): those with a
/// learner the reader sees, in the status asked. From the staff in reach (a head of part of the
/// department, `activities_seen`) or over every activity (a reader who sees all of it).
async fn staff_total(conn: &mut sqlx::PgConnection, scope: &Scope, status: &str) -> Result<i64, sqlx::Error> {
    if !scope.all {
        return sqlx::query_scalar!(
            r#"select count(*) as "n!" from activities_seen($1, $2, $3) s join activities a on a.id = s.activity_id
               where ($4 = '' or a.status = $4)"#,
            scope.all,
            scope.own,
            &scope.unit_patterns,
            status,
        )
        .fetch_one(conn)
        .await;
    }
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from activities a
           where ($1 = '' or a.status = $1) and exists (select 1 from activity_learners l where l.activity_id = a.id)"#,
        status,
    )
    .fetch_one(conn)
    .await
}

/// The activities of one page of a list, newest first. The staff list of a head of part of the
/// department starts from their staff's activities (`activities_seen`): newest first over the
/// whole department, a kepala bidang's page scanned for their few (0.24–0.31 s at 100 000 staff).
/// A reader who sees the whole department reads the newest by index.
async fn page_ids(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    list: List<'_>,
    status: &str,
    page: Option<i64>,
) -> Result<Vec<i64>, sqlx::Error> {
    if let List::Staff(scope) = list
        && !scope.all
    {
        return sqlx::query_scalar!(
            r#"select a.id from activities_seen($1, $2, $3) s join activities a on a.id = s.activity_id
               where ($4 = '' or a.status = $4)
               order by a.held_on desc, a.id desc limit $5 offset $6"#,
            scope.all,
            scope.own,
            &scope.unit_patterns,
            status,
            PER_PAGE,
            Pager::offset(page),
        )
        .fetch_all(conn)
        .await;
    }
    let me = user.employee_id.unwrap_or(0);
    let offset = Pager::offset(page);
    // One statement a list, each by its own index (one statement choosing by a `case` read every
    // activity newest first for each: ~50 ms each at 100 000 staff).
    match list {
        List::Mine => {
            sqlx::query_scalar!(
                r#"select a.id from activity_learners l join activities a on a.id = l.activity_id where l.employee_id = $1
                   order by a.held_on desc, a.id desc limit $2 offset $3"#,
                me,
                PER_PAGE,
                offset,
            )
            .fetch_all(conn)
            .await
        }
        List::Given => {
            sqlx::query_scalar!(
                r#"select a.id from activities a where a.mentor_id = $1 order by a.held_on desc, a.id desc limit $2 offset $3"#,
                me,
                PER_PAGE,
                offset,
            )
            .fetch_all(conn)
            .await
        }
        List::Waiting => {
            let scope = user.scope();
            sqlx::query_scalar!(
                r#"select a.id from activities a
                   where a.status = 'pending' and a.mentor_id is distinct from $2
                     and not exists (select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
                                     where l.activity_id = a.id and not scope_decides($1, $2, $3, e.id, u.path))
                   order by a.held_on desc, a.id desc limit $4 offset $5"#,
                scope.all,
                scope.own,
                &scope.unit_patterns,
                PER_PAGE,
                offset,
            )
            .fetch_all(conn)
            .await
        }
        List::Staff(_) => {
            sqlx::query_scalar!(
                r#"select a.id from activities a
                   where ($1 = '' or a.status = $1) and exists (select 1 from activity_learners l where l.activity_id = a.id)
                   order by a.held_on desc, a.id desc limit $2 offset $3"#,
                status,
                PER_PAGE,
                offset,
            )
            .fetch_all(conn)
            .await
        }
    }
}

/// The activities `ids` described in that order: learners, the reader's JP, whether they decide.
async fn describe(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    en: bool,
    ids: &[i64],
) -> Result<Vec<ActivityRow>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let scope = user.scope();
    sqlx::query_as!(
        ActivityRow,
        r#"
        select a.id, a.kind as "kind: ActivityKind", a.topic, c.code || ' ' || case when $5 then c.name_en else c.name_id end as "competency!", a.held_on,
               a.minutes, employee_display_name(m.front_title, m.name, m.back_title) as "mentor?",
               (select string_agg(employee_display_name(e.front_title, e.name, e.back_title), ', ' order by e.name)
                  from activity_learners l join employees e on e.id = l.employee_id where l.activity_id = a.id) as "learners!",
               a.status as "status: ActivityStatus", a.decision_reason, a.evidence_id, a.report,
               aj.jp::float8 as "jp?", aj.rule as "rule?: JpRuleApplied",
               not exists (select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
                           where l.activity_id = a.id and not scope_decides($2, $3, $4, e.id, u.path))
                 and a.mentor_id is distinct from $3 as "decides!"
        from unnest($6::bigint[]) with ordinality p(id, n) join activities a on a.id = p.id
        join competencies c on c.id = a.competency_id
        left join employees m on m.id = a.mentor_id
        left join activity_jp aj on aj.activity_id = a.id and aj.employee_id = $1
        order by p.n"#,
        user.employee_id.unwrap_or(0),
        scope.all,
        scope.own,
        &scope.unit_patterns,
        en,
        ids,
    )
    .fetch_all(conn)
    .await
}

/// One page of a list, chosen then described.
async fn rows(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    en: bool,
    list: List<'_>,
    status: &str,
    page: Option<i64>,
) -> Result<Vec<ActivityRow>, sqlx::Error> {
    let ids = page_ids(conn, user, list, status, page).await?;
    describe(conn, user, en, &ids).await
}

/// The staff list's count (0.5 s over 200 000 activities for a reader who sees the whole
/// department): kept per version of the records, and after a write it may show the count of a
/// moment before while it is counted again (the list itself is current).
async fn kept_total(state: &AppState, conn: &mut sqlx::PgConnection, scope: Scope, status: &str) -> AppResult<i64> {
    let key = format!("activities.staff_total:{}:{status}", scope.key());
    let status = status.to_string();
    let total = state
        .versions
        .get_in_lagging(crate::app::versioned::Depends::All, conn, key, move |conn| {
            Box::pin(async move { staff_total(conn, &scope, &status).await })
        })
        .await?;
    Ok(*total)
}

/// The count of the whole department's staff list, computed when a node starts.
pub async fn warm(state: &AppState) -> AppResult<()> {
    let mut conn = state.pool.acquire().await?;
    kept_total(state, &mut conn, Scope::everything(), "").await.map(|_| ())
}

pub(super) async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    let en = ctx.lang.is_en();
    let status = ActivityStatus::parse(&q.status).map(|s| s.as_str()).unwrap_or("");
    let mut conn = state.pool.acquire().await?;
    let staff_view = user.has(Role::Hr) || user.has(Role::Head);
    let waiting = if staff_view { rows(&mut conn, &user, en, List::Waiting, "", None).await? } else { vec![] };
    let (mine, given) = if user.employee_id.is_some() {
        (
            rows(&mut conn, &user, en, List::Mine, "", None).await?,
            rows(&mut conn, &user, en, List::Given, "", None).await?,
        )
    } else {
        (vec![], vec![])
    };
    let (staff, total) = if staff_view {
        // A reader who sees the whole department (HR, the kepala dinas) reads its newest
        // activities; a head of part of it starts from their staff.
        let scope = user.scope().under(&state.pool, "").await?;
        let staff = rows(&mut conn, &user, en, List::Staff(&scope), status, q.page).await?;
        let total = kept_total(&state, &mut conn, scope, status).await?;
        (staff, total)
    } else {
        (vec![], 0)
    };
    let pager = Pager::new(q.page, total, query_string(&[("status", status)]));
    render(&ListPage {
        ctx,
        waiting,
        mine,
        given,
        staff,
        status: status.to_string(),
        statuses: ActivityStatus::ALL,
        pager,
    })
}
