//! The activities page: waiting for my decision, mine, given by me, my staff's.

use super::*;

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

/// How many activities the staff list holds for the reader (its pager's count): those with a
/// learner the reader sees, in the status asked.
async fn staff_total(conn: &mut sqlx::PgConnection, user: &CurrentUser, status: &str) -> Result<i64, sqlx::Error> {
    let scope = user.scope();
    sqlx::query_scalar!(
        r#"select count(*) as "n!" from activities a
           where exists (select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
                         where l.activity_id = a.id and scope_sees($1, $2, $3, e.id, u.path))
             and ($4 = '' or a.status = $4)"#,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        status,
    )
    .fetch_one(conn)
    .await
}

async fn rows(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    en: bool,
    which: &str,
    status: &str,
    page: Option<i64>,
) -> Result<Vec<ActivityRow>, sqlx::Error> {
    let scope = user.scope();
    // The list query: `$1` whose JP to show, `$2..$4` the scope, `$5` the language, `$6` which rows,
    // `$7` a status filter, `$8`/`$9` limit and offset. The page's activities are chosen first
    // (newest first, by index) and only they are described (learners, JP, whether the reader
    // decides); the staff list's count is `staff_total`. HR's list at 100 000 staff described
    // all 200 000 activities to count them (2.5 s), then sorted them all to count (1.3 s).
    sqlx::query_as!(
        ActivityRow,
        r#"
        with page as materialized (
          select a.id, a.held_on
          from activities a
          where case $6
            when 'mine' then exists (select 1 from activity_learners l where l.activity_id = a.id and l.employee_id = $1)
            when 'given' then a.mentor_id = $1
            when 'waiting' then a.status = 'pending'
              and not exists (select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
                              where l.activity_id = a.id and not scope_decides($2, $3, $4, e.id, u.path))
              and a.mentor_id is distinct from $3
            else exists (select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
                         where l.activity_id = a.id and scope_sees($2, $3, $4, e.id, u.path))
                 and ($7 = '' or a.status = $7)
          end
          order by a.held_on desc, a.id desc limit $8 offset $9)
        select a.id, a.kind as "kind: ActivityKind", a.topic, c.code || ' ' || case when $5 then c.name_en else c.name_id end as "competency!", a.held_on,
               a.minutes, employee_display_name(m.front_title, m.name, m.back_title) as "mentor?",
               (select string_agg(employee_display_name(e.front_title, e.name, e.back_title), ', ' order by e.name)
                  from activity_learners l join employees e on e.id = l.employee_id where l.activity_id = a.id) as "learners!",
               a.status as "status: ActivityStatus", a.decision_reason, a.evidence_id, a.report,
               aj.jp::float8 as "jp?", aj.rule as "rule?: JpRuleApplied",
               not exists (select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
                           where l.activity_id = a.id and not scope_decides($2, $3, $4, e.id, u.path))
                 and a.mentor_id is distinct from $3 as "decides!"
        from page p join activities a on a.id = p.id join competencies c on c.id = a.competency_id
        left join employees m on m.id = a.mentor_id
        left join activity_jp aj on aj.activity_id = a.id and aj.employee_id = $1
        order by p.held_on desc, p.id desc"#,
        user.employee_id.unwrap_or(0),
        scope.all,
        scope.own,
        &scope.unit_patterns,
        en,
        which,
        status,
        PER_PAGE,
        Pager::offset(page),
    )
    .fetch_all(conn)
    .await
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
    let waiting = if staff_view { rows(&mut conn, &user, en, "waiting", "", None).await? } else { vec![] };
    let (mine, given) = if user.employee_id.is_some() {
        (rows(&mut conn, &user, en, "mine", "", None).await?, rows(&mut conn, &user, en, "given", "", None).await?)
    } else {
        (vec![], vec![])
    };
    let (staff, total) = if staff_view {
        let staff = rows(&mut conn, &user, en, "staff", status, q.page).await?;
        // The pager's count (0.25 s for HR at 100 000 staff): kept per version of the records,
        // and after a write it may show the count of a moment before while it is counted again
        // (the list itself is current).
        let key = format!("activities.staff_total:{}:{status}", user.scope().key());
        let (who, status) = (user.clone(), status.to_string());
        let total = state
            .versions
            .get_in_lagging(crate::app::versioned::Depends::All, &mut *conn, key, move |conn| {
                Box::pin(async move { staff_total(conn, &who, &status).await })
            })
            .await?;
        (staff, *total)
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
