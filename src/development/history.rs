//! Riwayat pengembangan kompetensi: every formal and informal activity of an employee, JP per
//! year against the minimum, certificates, mentoring given; printable and as XLSX/CSV. And the
//! SIASN files (riwayat diklat, riwayat kursus) for one employee or for everyone in scope.

use axum::{
    extract::{Path, Query, State},
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;

use super::{
    db::{self, JpYear},
    model::{ActivityKind, ActivityStatus, JpRuleApplied, ParticipantStatus, TrainingStatus, jenis_name, jp_text},
};
use crate::app::context::Val;
use crate::{
    app::render::render,
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        export::{self, Table},
        pdf::{self, Block},
    },
    auth::{CurrentUser, Role, Scope},
    employees::db::{self as emp_db, Detail},
};

pub fn routes() -> Routes {
    Routes::new().get("/employees/{id}/development", Access::SignedIn, history).get(
        "/development/siasn",
        Access::AnyOf(&[Role::Hr, Role::Head]),
        siasn_all,
    )
}

#[derive(Clone)]
pub struct FormalRow {
    pub participant_id: i64,
    pub training_id: i64,
    pub title: String,
    pub jenis_diklat: i16,
    pub provider: Option<String>,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub training_status: TrainingStatus,
    pub status: ParticipantStatus,
    pub jp: Option<f64>,
    pub rule: Option<JpRuleApplied>,
    pub certificate_no: String,
    pub certificate_expires_on: Option<chrono::NaiveDate>,
    pub certificate_file_id: Option<i64>,
    /// Its evaluation is owed (`evaluations_owed`).
    pub evaluation_owed: bool,
}

#[derive(Clone)]
pub struct InformalRow {
    pub id: i64,
    pub kind: ActivityKind,
    pub topic: String,
    pub competency: String,
    pub held_on: chrono::NaiveDate,
    pub minutes: i32,
    pub mentor: Option<String>,
    pub status: ActivityStatus,
    pub jp: Option<f64>,
    pub rule: Option<JpRuleApplied>,
}

#[derive(Clone)]
pub struct GivenRow {
    pub kind: ActivityKind,
    pub topic: String,
    pub held_on: chrono::NaiveDate,
    pub minutes: i32,
    pub learners: String,
    pub status: ActivityStatus,
}

#[derive(askama::Template)]
#[template(path = "development/history.html")]
struct HistoryPage {
    ctx: Ctx,
    e: Detail,
    formal: Vec<FormalRow>,
    informal: Vec<InformalRow>,
    given: Vec<GivenRow>,
    years: Vec<JpYear>,
    minimum: f64,
    is_self: bool,
    /// Records imported from SIASN (the reconcile page).
    imported: Vec<ImportedRow>,
}

#[derive(Clone)]
pub struct ImportedRow {
    pub name: String,
    pub institusi: String,
    pub jp: Option<f64>,
    pub nomor: String,
    pub starts_on: Option<chrono::NaiveDate>,
    pub ends_on: Option<chrono::NaiveDate>,
}

impl HistoryPage {
    fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }

    fn jp_opt(&self, v: &Option<f64>) -> String {
        v.map(|j| self.jp(j)).unwrap_or_else(|| "—".into())
    }

    fn expiring(&self, d: &Option<chrono::NaiveDate>) -> bool {
        d.is_some_and(|d| d >= self.ctx.today && d <= self.ctx.today + chrono::Duration::days(90))
    }

    fn expired(&self, d: &Option<chrono::NaiveDate>) -> bool {
        d.is_some_and(|d| d < self.ctx.today)
    }

    fn this_year(&self) -> i32 {
        self.ctx.today.year()
    }

    fn percent(&self, y: &JpYear) -> i64 {
        if self.minimum <= 0.0 { 100 } else { ((y.total() / self.minimum) * 100.0).min(100.0).round() as i64 }
    }

    fn rule_label(&self, r: &Option<JpRuleApplied>) -> &'static str {
        r.map(|r| self.ctx.label(r)).unwrap_or("")
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HistoryQuery {
    format: String,
}

async fn formal_rows(conn: &mut sqlx::PgConnection, employee: i64) -> Result<Vec<FormalRow>, sqlx::Error> {
    sqlx::query_as!(
        FormalRow,
        r#"select tp.id as participant_id, t.id as training_id, t.title, t.jenis_diklat, p.name as "provider?", t.starts_on,
                t.ends_on, t.status as "training_status: TrainingStatus", tp.status as "status: ParticipantStatus",
                tj.jp::float8 as "jp?", tj.rule as "rule?: JpRuleApplied", tp.certificate_no, tp.certificate_expires_on,
                tp.certificate_file_id,
                exists (select 1 from evaluations_owed o where o.participant_id = tp.id) as "evaluation_owed!"
         from training_participants tp join trainings t on t.id = tp.training_id left join providers p on p.id = t.provider_id
         left join training_jp tj on tj.participant_id = tp.id
         where tp.employee_id = $1 order by t.starts_on desc, t.id desc"#,
        employee,
    )
    .fetch_all(conn)
    .await
}

async fn history(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Path(id): Path<i64>,
    Query(q): Query<HistoryQuery>,
) -> AppResult<Response> {
    if q.format == "siasn-diklat" || q.format == "siasn-kursus" {
        // SIASN files are HR's to upload to BKN: the page offers them to HR only.
        if !user.has(Role::Hr) {
            return Err(AppError::Forbidden);
        }
        let mut conn = state.pool.acquire().await?;
        emp_db::find(&mut conn, id, &user.scope()).await?.ok_or(AppError::NotFound)?;
        drop(conn);
        return siasn(&state, &ctx, &user.scope(), Some(id), None, &q.format).await;
    }
    let en = ctx.lang.is_en();
    // The history as this reader sees it, reused while the records are unchanged (a connection
    // is taken only to compute it).
    let this_year = ctx.today.year();
    let key = format!("development.history:{}:{id}:{en}:{this_year}", user.account_id);
    let scope = user.scope();
    let data = state
        .personal
        .get(&state.pool, key, move |conn| {
            Box::pin(async move {
                let Some(e) = emp_db::find(&mut *conn, id, &scope).await? else {
                    return Ok::<_, sqlx::Error>(None);
                };
                let formal = formal_rows(&mut *conn, id).await?;
                let informal = sqlx::query_as!(
                    InformalRow,
                    r#"select a.id, a.kind as "kind: ActivityKind", a.topic,
                            c.code || ' ' || case when $2 then c.name_en else c.name_id end as "competency!", a.held_on,
                            a.minutes, employee_display_name(m.front_title, m.name, m.back_title) as "mentor?",
                            a.status as "status: ActivityStatus", aj.jp::float8 as "jp?", aj.rule as "rule?: JpRuleApplied"
                     from activity_learners l join activities a on a.id = l.activity_id join competencies c on c.id = a.competency_id
                     left join employees m on m.id = a.mentor_id left join activity_jp aj on aj.activity_id = a.id and aj.employee_id = l.employee_id
                     where l.employee_id = $1 order by a.held_on desc, a.id desc"#,
                    id,
                    en,
                )
                .fetch_all(&mut *conn)
                .await?;
                let given = sqlx::query_as!(
                    GivenRow,
                    r#"select a.kind as "kind: ActivityKind", a.topic, a.held_on, a.minutes, a.status as "status: ActivityStatus",
                            (select string_agg(employee_display_name(e.front_title, e.name, e.back_title), ', ' order by e.name)
                               from activity_learners l join employees e on e.id = l.employee_id where l.activity_id = a.id) as "learners!"
                     from activities a where a.mentor_id = $1 order by a.held_on desc, a.id desc"#,
                    id,
                )
                .fetch_all(&mut *conn)
                .await?;
                let years = db::jp_years(&mut *conn, id, this_year).await?;
                // An import from SIASN moves the records' version like any write (migration 93).
                let imported = sqlx::query_as!(
                    ImportedRow,
                    r#"select name, institusi, jp::float8 as "jp?", nomor, starts_on, ends_on from siasn_imported
                     where employee_id = $1 order by ends_on desc nulls last, id desc"#,
                    id,
                )
                .fetch_all(&mut *conn)
                .await?;
                Ok(Some((e, formal, informal, given, years, imported)))
            })
        })
        .await?;
    let (e, formal, informal, given, years, imported) = data.as_ref().clone().ok_or(AppError::NotFound)?;
    if q.format == "pdf" {
        let minimum = ctx.agency.jp_per_year;
        let t = |k: &str| ctx.t(k).to_string();
        let blocks = vec![
            Block::Para(format!("NIP {} · {} · {}", e.nip, e.position, e.unit)),
            Block::Heading(t("hist.jp_years")),
            Block::Table {
                headers: vec![t("col.year"), t("jp.formal"), t("jp.informal"), t("jp.total"), t("jp.lacking")],
                rows: years
                    .iter()
                    .map(|y| {
                        vec![
                            y.year.to_string(),
                            jp_text(y.formal, en),
                            jp_text(y.informal, en),
                            jp_text(y.total(), en),
                            if y.total() < minimum {
                                jp_text(minimum - y.total(), en)
                            } else {
                                ctx.t("hist.met").to_string()
                            },
                        ]
                    })
                    .collect(),
            },
            Block::Heading(t("hist.formal")),
            Block::Table {
                headers: vec![
                    t("trn.dates"),
                    t("trn.title_field"),
                    t("trn.provider"),
                    t("trn.status"),
                    "JP".into(),
                    t("part.certificate"),
                ],
                rows: formal
                    .iter()
                    .map(|f| {
                        vec![
                            format!("{} – {}", ctx.date(f.starts_on), ctx.date(f.ends_on)),
                            f.title.clone(),
                            f.provider.clone().unwrap_or_default(),
                            ctx.label(f.status).to_string(),
                            f.jp.map(|j| jp_text(j, en)).unwrap_or_default(),
                            f.certificate_no.clone(),
                        ]
                    })
                    .collect(),
            },
            Block::Heading(t("hist.informal")),
            Block::Table {
                headers: vec![
                    t("act.date"),
                    t("act.kind"),
                    t("act.topic"),
                    t("act.mentor"),
                    t("trn.status"),
                    "JP".into(),
                ],
                rows: informal
                    .iter()
                    .map(|a| {
                        vec![
                            ctx.date(a.held_on),
                            ctx.label(a.kind).to_string(),
                            a.topic.clone(),
                            a.mentor.clone().unwrap_or_default(),
                            ctx.label(a.status).to_string(),
                            a.jp.map(|j| jp_text(j, en)).unwrap_or_default(),
                        ]
                    })
                    .collect(),
            },
        ];
        let meta = pdf::meta(&ctx, format!("{}: {}", ctx.t("hist.title"), e.full_name), false);
        return Ok(pdf::response(&format!("riwayat-pengembangan-{}", e.nip), pdf::render(&meta, &blocks)));
    }
    if export::wanted(&q.format) {
        let mut rows: Vec<Vec<String>> = formal
            .iter()
            .map(|f| {
                vec![
                    f.ends_on.year().to_string(),
                    ctx.date(f.starts_on),
                    ctx.date(f.ends_on),
                    ctx.t("hist.formal").to_string(),
                    jenis_name(f.jenis_diklat).to_string(),
                    f.title.clone(),
                    f.provider.clone().unwrap_or_default(),
                    ctx.label(f.status).to_string(),
                    f.jp.map(|j| jp_text(j, en)).unwrap_or_default(),
                    f.certificate_no.clone(),
                ]
            })
            .collect();
        rows.extend(informal.iter().map(|a| {
            vec![
                a.held_on.year().to_string(),
                ctx.date(a.held_on),
                ctx.date(a.held_on),
                ctx.t("hist.informal").to_string(),
                jenis_name(a.kind.jenis()).to_string(),
                a.topic.clone(),
                a.mentor.clone().unwrap_or_default(),
                ctx.label(a.status).to_string(),
                a.jp.map(|j| jp_text(j, en)).unwrap_or_default(),
                String::new(),
            ]
        }));
        let table = Table {
            name: "riwayat-pengembangan",
            headers: export::keys(&[
                "col.year",
                "col.start",
                "col.end",
                "col.route",
                "col.siasn_type",
                "col.title",
                "col.provider_mentor",
                "col.status",
                "col.jp",
                "col.certificate",
            ]),
            rows,
        };
        return export::send(&ctx, &q.format, &table);
    }
    let minimum = ctx.agency.jp_per_year;
    let is_self = user.employee_id == Some(id);
    render(&HistoryPage { ctx, e, formal, informal, given, years, minimum, is_self, imported })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SiasnQuery {
    file: String,
    year: String,
}

async fn siasn_all(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<SiasnQuery>,
) -> AppResult<Response> {
    let year = q.year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or(ctx.today.year());
    let format = if q.file == "diklat" { "siasn-diklat" } else { "siasn-kursus" };
    siasn(&state, &ctx, &user.scope(), None, Some(year), format).await
}

/// The SIASN riwayat files as CSV (every field SIASN's save takes, and what each row lacks).
async fn siasn(
    state: &AppState,
    ctx: &Ctx,
    scope: &Scope,
    employee: Option<i64>,
    year: Option<i32>,
    format: &str,
) -> AppResult<Response> {
    crate::siasn::records::file(state, ctx, scope, employee, year, format == "siasn-diklat").await
}
