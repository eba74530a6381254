//! The campaigns' queries. Where each item stands is `campaign_item_states` (migration 22), read by
//! every query here; the sets (who is asked, progress per unit, who never answered) are SQL.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgConnection;

use super::model::{CampaignScope, ItemState};
use crate::{app::context::Val, auth::Scope};

/// A campaign as its page shows it.
#[derive(Clone, Debug)]
pub struct Header {
    pub id: i64,
    pub name: String,
    pub scope: CampaignScope,
    pub only_unknown: bool,
    pub deadline: NaiveDate,
    pub opened_by_account: i64,
    pub opened_by: String,
    pub opened_at: DateTime<Utc>,
    pub closed_by: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
    pub version: i64,
    /// The units asked, by name, and the competencies picked (code and name).
    pub units: Vec<String>,
    pub competencies: Vec<String>,
}

impl Header {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }

    /// Days until the deadline (negative once it has passed).
    pub fn days_left(&self, today: impl Val<NaiveDate>) -> i64 {
        (self.deadline - today.val()).num_days()
    }
}

/// The campaign `id` if this reader sees it (`campaign_sees`), else `None` (a 404).
pub async fn header(
    conn: &mut PgConnection,
    id: i64,
    scope: &Scope,
    account_id: i64,
    en: bool,
) -> Result<Option<Header>, sqlx::Error> {
    sqlx::query_as!(
        Header,
        r#"select c.id, c.name, c.scope as "scope: CampaignScope", c.only_unknown, c.deadline, c.opened_by as opened_by_account,
                coalesce(employee_display_name(oe.front_title, oe.name, oe.back_title), oa.username) as "opened_by!",
                c.opened_at, coalesce(employee_display_name(ce.front_title, ce.name, ce.back_title), ca.username) as "closed_by?",
                c.closed_at, c.version,
                array(select u.name from campaign_units cu join units u on u.id = cu.unit_id
                      where cu.campaign_id = c.id order by u.sort_key) as "units!",
                array(select k.code || ' ' || case when $5 then k.name_en else k.name_id end
                      from campaign_competencies cc join competencies k on k.id = cc.competency_id
                      where cc.campaign_id = c.id order by k.code) as "competencies!"
         from campaigns c join accounts oa on oa.id = c.opened_by left join employees oe on oe.id = oa.employee_id
         left join accounts ca on ca.id = c.closed_by left join employees ce on ce.id = ca.employee_id
         where c.id = $1 and campaign_sees($2, $3, $4, c.id)"#,
        id,
        scope.all,
        account_id,
        &scope.unit_patterns,
        en,
    )
    .fetch_optional(conn)
    .await
}

/// One row of the campaign list, with the progress of the staff this reader sees.
#[derive(Clone, Debug)]
pub struct ListRow {
    pub id: i64,
    pub name: String,
    pub scope: CampaignScope,
    pub deadline: NaiveDate,
    pub opened_by: String,
    pub closed_at: Option<DateTime<Utc>>,
    pub units: String,
    pub staff: i64,
    pub not_started: i64,
    pub submitted: i64,
    pub validated: i64,
    pub total: i64,
}

impl crate::app::versioned::Weigh for ListRow {}

impl ListRow {
    pub fn items(&self) -> i64 {
        self.not_started + self.submitted + self.validated
    }

    pub fn percent(&self) -> i64 {
        percent(self.validated, self.items())
    }
}

/// Validated out of all, in whole percent.
pub fn percent(part: i64, all: i64) -> i64 {
    if all == 0 { 0 } else { (part * 100 + all / 2) / all }
}

/// The campaigns this reader sees, open ones first (nearest deadline first), one page: the page's
/// ids first, then its rows' progress (only the staff in the reader's scope).
pub async fn list(
    conn: &mut PgConnection,
    scope: &Scope,
    account_id: i64,
    limit: i64,
    offset: i64,
) -> Result<Vec<ListRow>, sqlx::Error> {
    sqlx::query_as!(
        ListRow,
        r#"with page as (
           select c.id, count(*) over () as total,
                  row_number() over (order by c.closed_at is null desc, case when c.closed_at is null then c.deadline end,
                                     c.opened_at desc, c.id desc) as n
           from campaigns c where campaign_sees($1, $2, $3, c.id)
           order by n limit $5 offset $6)
         select c.id, c.name, c.scope as "scope: CampaignScope", c.deadline,
                coalesce(employee_display_name(oe.front_title, oe.name, oe.back_title), oa.username) as "opened_by!",
                c.closed_at,
                coalesce((select string_agg(u.name, ', ' order by u.sort_key) from campaign_units cu join units u on u.id = cu.unit_id
                          where cu.campaign_id = c.id), '') as "units!",
                p.staff as "staff!", p.not_started as "not_started!", p.submitted as "submitted!", p.validated as "validated!",
                page.total as "total!"
         from page join campaigns c on c.id = page.id
         join accounts oa on oa.id = c.opened_by left join employees oe on oe.id = oa.employee_id
         cross join lateral (
           select count(distinct s.employee_id) as staff,
                  count(*) filter (where s.state = 'not_started') as not_started,
                  count(*) filter (where s.state = 'submitted') as submitted,
                  count(*) filter (where s.state = 'validated') as validated
           from campaign_item_states s join employees e on e.id = s.employee_id join units u on u.id = e.unit_id
           where s.campaign_id = c.id and scope_sees($1, $4, $3, e.id, u.path)) p
         order by page.n"#,
        scope.all,
        account_id,
        &scope.unit_patterns,
        scope.own,
        limit,
        offset,
    )
    .fetch_all(conn)
    .await
}

/// Progress in one unit (its own staff, not its sub-units'): items per state.
#[derive(Clone, Debug, Default)]
pub struct UnitProgress {
    pub unit_id: i64,
    pub name: String,
    pub staff: i64,
    pub not_started: i64,
    pub submitted: i64,
    pub validated: i64,
}

impl UnitProgress {
    pub fn items(&self) -> i64 {
        self.not_started + self.submitted + self.validated
    }

    pub fn percent(&self) -> i64 {
        percent(self.validated, self.items())
    }
}

/// Progress per unit of the staff this reader sees: one statement, grouped in SQL.
pub async fn progress(conn: &mut PgConnection, id: i64, scope: &Scope) -> Result<Vec<UnitProgress>, sqlx::Error> {
    sqlx::query_as!(
        UnitProgress,
        r#"select u.id as unit_id, u.name, count(distinct s.employee_id) as "staff!",
                count(*) filter (where s.state = 'not_started') as "not_started!",
                count(*) filter (where s.state = 'submitted') as "submitted!",
                count(*) filter (where s.state = 'validated') as "validated!"
         from campaign_item_states s join employees e on e.id = s.employee_id join units u on u.id = e.unit_id
         where s.campaign_id = $1 and scope_sees($2, $3, $4, e.id, u.path)
         group by u.id, u.name, u.sort_key
         order by u.sort_key"#,
        id,
        scope.all,
        scope.own,
        &scope.unit_patterns,
    )
    .fetch_all(conn)
    .await
}

/// A person in a campaign: their items per state and the competencies not answered yet.
#[derive(Clone, Debug)]
pub struct StaffRow {
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub items: i64,
    pub not_started: i64,
    pub submitted: i64,
    pub validated: i64,
    /// Codes of the competencies still not started.
    pub missing: String,
    /// Rows of the list (all pages).
    pub total: i64,
}

impl StaffRow {
    pub fn state_key(&self) -> &'static str {
        super::model::person_state(self.items, self.not_started, self.validated)
    }

    pub fn chip(&self) -> &'static str {
        match self.state_key() {
            "camp.person.validated" => "chip-validated",
            "camp.person.submitted" => "chip-wait",
            "camp.person.not_started" => "chip-rejected",
            _ => "",
        }
    }
}

/// The staff of a campaign this reader sees, by unit and name; `unanswered`: only those with
/// something not started (after closing: who never answered).
pub async fn staff(
    conn: &mut PgConnection,
    id: i64,
    scope: &Scope,
    unanswered: bool,
    limit: i64,
    offset: i64,
) -> Result<Vec<StaffRow>, sqlx::Error> {
    sqlx::query_as!(
        StaffRow,
        r#"select e.id as employee_id, e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "name!",
                u.name as unit, count(*) as "items!",
                count(*) filter (where s.state = 'not_started') as "not_started!",
                count(*) filter (where s.state = 'submitted') as "submitted!",
                count(*) filter (where s.state = 'validated') as "validated!",
                coalesce(string_agg(k.code, ', ' order by k.code) filter (where s.state = 'not_started'), '') as "missing!",
                count(*) over () as "total!"
         from campaign_item_states s join employees e on e.id = s.employee_id join units u on u.id = e.unit_id
         join competencies k on k.id = s.competency_id
         where s.campaign_id = $1 and scope_sees($2, $3, $4, e.id, u.path)
         group by e.id, u.id
         having not $5 or count(*) filter (where s.state = 'not_started') > 0
         order by u.sort_key, e.name, e.id
         limit $6 offset $7"#,
        id,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        unanswered,
        limit,
        offset,
    )
    .fetch_all(conn)
    .await
}

/// Who may change a campaign: HR, or the head who opened it.
pub fn manages(h: &Header, user: &crate::auth::CurrentUser) -> bool {
    user.has(crate::auth::Role::Hr) || h.opened_by_account == user.account_id
}

/// One competency an employee is asked to assess, with where it stands.
#[derive(Clone, Debug)]
struct OwnItem {
    campaign_id: i64,
    name: String,
    deadline: NaiveDate,
    competency_id: i64,
    label: String,
    state: ItemState,
}

/// An open campaign as the employee's home shows it.
#[derive(Clone, Debug)]
pub struct OwnCampaign {
    pub id: i64,
    pub name: String,
    pub deadline: NaiveDate,
    /// (competency id, code and name) still to assess.
    pub to_assess: Vec<(i64, String)>,
    pub submitted: i64,
    pub validated: i64,
}

impl crate::app::versioned::Weigh for OwnCampaign {}

impl OwnCampaign {
    pub fn items(&self) -> i64 {
        self.to_assess.len() as i64 + self.submitted + self.validated
    }

    pub fn days_left(&self, today: impl Val<NaiveDate>) -> i64 {
        (self.deadline - today.val()).num_days()
    }
}

/// The open campaigns that ask this employee something, nearest deadline first.
pub async fn own(conn: &mut PgConnection, employee_id: i64, en: bool) -> Result<Vec<OwnCampaign>, sqlx::Error> {
    let rows: Vec<OwnItem> = sqlx::query_as!(
        OwnItem,
        r#"select c.id as campaign_id, c.name, c.deadline, k.id as competency_id,
                k.code || ' ' || case when $2 then k.name_en else k.name_id end as "label!", s.state as "state!: ItemState"
         from campaign_item_states s join campaigns c on c.id = s.campaign_id join competencies k on k.id = s.competency_id
         where s.employee_id = $1 and c.closed_at is null
         order by c.deadline, c.id, k.code"#,
        employee_id,
        en,
    )
    .fetch_all(conn)
    .await?;
    let mut out: Vec<OwnCampaign> = vec![];
    for r in rows {
        if out.last().is_none_or(|c| c.id != r.campaign_id) {
            out.push(OwnCampaign {
                id: r.campaign_id,
                name: r.name.clone(),
                deadline: r.deadline,
                to_assess: vec![],
                submitted: 0,
                validated: 0,
            });
        }
        if let Some(c) = out.last_mut() {
            match r.state {
                ItemState::NotStarted => c.to_assess.push((r.competency_id, r.label)),
                ItemState::Submitted => c.submitted += 1,
                ItemState::Validated => c.validated += 1,
            }
        }
    }
    Ok(out)
}

/// `own`, reused while the records are unchanged (the employee's home reads it on every view).
pub async fn own_reused<'a>(
    state: &crate::app::AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
    employee_id: i64,
    en: bool,
) -> Result<Vec<OwnCampaign>, sqlx::Error> {
    let kept = state
        .personal
        .get(conn, format!("campaigns.own:{employee_id}:{en}"), move |conn| {
            Box::pin(async move { own(conn, employee_id, en).await })
        })
        .await?;
    Ok(kept.as_ref().clone())
}
