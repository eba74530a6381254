//! The development page: what waits for this user (decisions, scheduling, evaluations owed,
//! 3-month re-assessments), certificates about to expire, and the way to every development page.

use axum::{
    extract::{Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;

use super::model::{ParticipantStatus, jp_text};
use crate::app::context::Val;
use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        export::{self, Table},
        render::render,
    },
    auth::{CurrentUser, Role},
};

pub fn routes() -> Routes {
    Routes::new()
        .nav(36, |_| Some(("/development".into(), "nav.development")))
        .get("/development", Access::SignedIn, hub)
        .get("/certificates", Access::SignedIn, certificates)
}

/// Counts of what waits for this user.
#[derive(Default, Clone, Debug)]
pub struct Waiting {
    /// Self-assessments to validate.
    pub assessments: i64,
    pub activities: i64,
    pub participants: i64,
    pub requests: i64,
    pub to_schedule: i64,
    pub evaluations: i64,
    pub reassessments: i64,
}

impl crate::app::versioned::Weigh for Waiting {}

impl Waiting {
    /// The yes/no decisions waiting (the approval queue's items).
    pub fn decisions(&self) -> i64 {
        self.assessments + self.activities + self.participants + self.requests
    }

    /// What the development page counts (self-assessments have their own page).
    pub fn total(&self) -> i64 {
        self.activities + self.participants + self.requests + self.to_schedule + self.evaluations + self.reassessments
    }
}

pub async fn waiting<'a>(
    state: &AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
    user: &CurrentUser,
) -> Result<Waiting, sqlx::Error> {
    let mut conn: crate::app::versioned::Source<'a> = conn.into();
    let today = state.clock.today(state.settings.get(&state.pool).await?.time_zone);
    let scope = user.scope();
    let staff = user.has(Role::Hr) || user.has(Role::Head);
    // Department-wide for HR: reused while the records are unchanged.
    let key = format!("hub.waiting:{}:{today}", user.account_id);
    let counts = {
        let scope = scope.clone();
        state
            .personal
            .get(conn.reborrow(), key, move |conn| Box::pin(async move { count_waiting(conn, &scope, staff).await }))
            .await?
    };
    let mut w = (*counts).clone();
    if staff {
        // The re-assessments due: ~23 000 rows to check at 15 000 staff (~0.2 s). A write rarely
        // changes how many are due, so after one's own write the count shown may be the one from
        // a moment before (at most the stale window) while it is counted again in the
        // background; the lists of what is due are always current.
        let key = format!("hub.due:{}:{today}", user.account_id);
        let due = state
            .personal
            .get_in_lagging(crate::app::versioned::Depends::All, conn.reborrow(), key, move |conn| {
                Box::pin(async move {
                    sqlx::query_scalar!(
                        r#"select count(*) as "n!" from reassessments_due($1, $2, $3, $4)"#,
                        scope.all,
                        scope.own,
                        &scope.unit_patterns,
                        today,
                    )
                    .fetch_one(conn)
                    .await
                })
            })
            .await?;
        w.reassessments = *due;
    }
    Ok(w)
}

async fn count_waiting(
    conn: &mut sqlx::PgConnection,
    scope: &crate::auth::Scope,
    staff: bool,
) -> Result<Waiting, sqlx::Error> {
    sqlx::query_as!(
        Waiting,
        r#"with w as (select w.kind, w.n from waiting_counts($1, $2, $3) w where $4)
         select
           coalesce((select n from w where kind = 'assessment'), 0) as "assessments!",
           coalesce((select n from w where kind = 'activity'), 0) as "activities!",
           coalesce((select n from w where kind = 'participant'), 0) as "participants!",
           coalesce((select n from w where kind = 'request'), 0) as "requests!",
           case when $1 then (select count(*) from training_requests where status = 'approved') else 0 end as "to_schedule!",
           (select count(*) from evaluations_owed where employee_id = $2) as "evaluations!",
           0::bigint as "reassessments!""#,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        staff,
    )
    .fetch_one(conn)
    .await
}

#[derive(Clone, Debug)]
pub struct Reassessment {
    pub employee_id: i64,
    pub employee: String,
    pub unit: String,
    pub competency_id: i64,
    pub code: String,
    pub competency: String,
    pub target_level: i16,
    pub training_id: i64,
    pub title: String,
    pub due_on: chrono::NaiveDate,
}

/// The 3-month re-assessments due within this scope (after a completed training, for each of its
/// target competencies, no assessment since): on the development hub and in the approval queue.
pub async fn reassessments(
    conn: &mut sqlx::PgConnection,
    scope: &crate::auth::Scope,
    today: chrono::NaiveDate,
    en: bool,
) -> Result<Vec<Reassessment>, sqlx::Error> {
    // The re-assessments due (`reassessments_due`, migration 19) with what the list shows, the
    // 300 due first. Only the rows due no later than the 300th are joined to their names (the list
    // is in due order first): at 100 000 staff 42 000 rows are due, and naming them all before
    // keeping 300 cost more than finding them.
    sqlx::query_as!(
        Reassessment,
        r#"
        select e.id as employee_id, employee_display_name(e.front_title, e.name, e.back_title) as "employee!", u.name as unit,
               c.id as competency_id, c.code, case when $5 then c.name_en else c.name_id end as "competency!", r.target_level as "target_level!",
               t.id as training_id, t.title, r.due_on as "due_on!"
        from (select * from reassessments_due($1, $2, $3, $4) order by due_on fetch first 300 rows with ties) r
        join trainings t on t.id = r.training_id
        join competencies c on c.id = r.competency_id join employees e on e.id = r.employee_id join units u on u.id = e.unit_id
        order by t.ends_on, e.name, c.code, t.id, e.id limit 300"#,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        today,
        en,
    )
    .fetch_all(conn)
    .await
}

/// The re-assessments due within a scope, kept per version of the records (for HR at 100 000
/// staff 42 000 are due and finding the first 300 took ~60–170 ms a view of the hub).
pub async fn kept_reassessments(
    state: &AppState,
    scope: &crate::auth::Scope,
    today: chrono::NaiveDate,
    en: bool,
) -> AppResult<std::sync::Arc<Reassessments>> {
    let key = format!("development.reassess:{}:{today}:{en}", scope.key());
    let scope = scope.clone();
    let kept = state
        .versions
        .get_in(crate::app::versioned::Depends::All, &state.pool, key, move |conn| {
            Box::pin(async move { reassessments(conn, &scope, today, en).await.map(Reassessments) })
        })
        .await?;
    Ok(kept)
}

/// The re-assessments due, as kept.
pub struct Reassessments(pub Vec<Reassessment>);

impl crate::app::versioned::Weigh for Reassessments {
    fn bytes(&self) -> usize {
        crate::app::versioned::rows_bytes(&self.0, 160) + 64
    }
}

/// The re-assessments due as a table (the approval queue and the development hub show it).
#[derive(askama::Template)]
#[template(path = "development/reassess_table.html")]
struct ReassessTable<'a> {
    ctx: &'a Ctx,
    reassess: &'a [Reassessment],
}

/// The re-assessments due, drawn as a table in the reader's language.
pub fn reassess_table(ctx: &Ctx, reassess: &[Reassessment]) -> crate::app::AppResult<String> {
    crate::app::render::fragment(&ReassessTable { ctx, reassess })
}

pub struct Owed {
    pub participant_id: i64,
    pub training_id: i64,
    pub title: String,
    pub ends_on: chrono::NaiveDate,
}

#[derive(askama::Template)]
#[template(path = "development/hub.html")]
struct HubPage {
    ctx: Ctx,
    w: Waiting,
    /// The re-assessments due, drawn by `ReassessTable`.
    reassess_table: String,
    owed: Vec<Owed>,
    expiring: Vec<Certificate>,
    jp_year: f64,
    minimum: f64,
    staff: bool,
}

impl HubPage {
    fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }

    fn percent(&self) -> i64 {
        if self.minimum <= 0.0 { 100 } else { ((self.jp_year / self.minimum) * 100.0).min(100.0).round() as i64 }
    }
}

async fn hub(State(state): State<AppState>, ctx: Ctx, user: CurrentUser) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let w = waiting(&state, &mut conn, &user).await?;
    let staff = user.has(Role::Hr) || user.has(Role::Head);
    // A reader who covers the department (HR, the kepala dinas) shares HR's kept list.
    let reassess = if staff {
        let scope = user.scope().under(&state.pool, "").await?;
        Some(kept_reassessments(&state, &scope, ctx.today, ctx.lang.is_en()).await?)
    } else {
        None
    };
    let me = user.employee_id.unwrap_or(0);
    let owed = sqlx::query_as!(
        Owed,
        r#"select participant_id as "participant_id!", training_id as "training_id!", title as "title!", ends_on as "ends_on!"
         from evaluations_owed where employee_id = $1
         order by ends_on desc, participant_id"#,
        me,
    )
    .fetch_all(&mut *conn)
    .await?;
    let expiring = expiring_certificates(&mut conn, &user, ctx.today, 90, 20).await?;
    let jp_year: f64 = sqlx::query_scalar!(
        r#"select coalesce(sum(jp), 0)::float8 as "jp!" from jp_entries where employee_id = $1 and year = $2"#,
        me,
        ctx.today.year(),
    )
    .fetch_one(&mut *conn)
    .await?;
    let minimum = ctx.agency.jp_per_year;
    let reassess_table = reassess_table(&ctx, reassess.as_ref().map_or(&[][..], |r| &r.0[..]))?;
    render(&HubPage { ctx, w, reassess_table, owed, expiring, jp_year, minimum, staff })
}

pub struct Certificate {
    pub participant_id: i64,
    pub employee_id: i64,
    pub nip: String,
    pub employee: String,
    pub unit: String,
    pub title: String,
    pub certificate_no: String,
    pub expires_on: chrono::NaiveDate,
    pub status: ParticipantStatus,
}

/// Certificates expiring within `days` (from today), of the people this user may see.
async fn expiring_certificates(
    conn: &mut sqlx::PgConnection,
    user: &CurrentUser,
    today: chrono::NaiveDate,
    days: i32,
    limit: i64,
) -> Result<Vec<Certificate>, sqlx::Error> {
    let scope = user.scope();
    sqlx::query_as!(
        Certificate,
        r#"select tp.id as participant_id, e.id as employee_id, e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "employee!",
                u.name as unit, t.title, tp.certificate_no, tp.certificate_expires_on as "expires_on!", tp.status as "status: ParticipantStatus"
         from training_participants tp join trainings t on t.id = tp.training_id join employees e on e.id = tp.employee_id
         join units u on u.id = e.unit_id
         where tp.certificate_expires_on between $4::date and $4::date + $5::int and e.active and scope_sees($1, $2, $3, e.id, u.path)
         order by tp.certificate_expires_on, e.name limit $6"#,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        today,
        days,
        limit,
    )
    .fetch_all(conn)
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CertQuery {
    days: String,
    format: String,
}

#[derive(askama::Template)]
#[template(path = "development/certificates.html")]
struct CertPage {
    ctx: Ctx,
    rows: Vec<Certificate>,
    days: i32,
}

async fn certificates(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<CertQuery>,
) -> AppResult<Response> {
    let days = q.days.trim().parse::<i32>().ok().filter(|d| (1..=730).contains(d)).unwrap_or(90);
    let mut conn = state.pool.acquire().await?;
    let rows = expiring_certificates(&mut conn, &user, ctx.today, days, 2000).await?;
    if export::wanted(&q.format) {
        let table = Table {
            name: "sertifikat-kedaluwarsa",
            headers: export::keys(&[
                "col.nip",
                "col.name",
                "col.unit",
                "col.training",
                "col.certificate",
                "col.expires",
            ]),
            rows: rows
                .iter()
                .map(|c| {
                    vec![
                        c.nip.clone(),
                        c.employee.clone(),
                        c.unit.clone(),
                        c.title.clone(),
                        c.certificate_no.clone(),
                        ctx.date(c.expires_on),
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &q.format, &table);
    }
    render(&CertPage { ctx, rows, days })
}
