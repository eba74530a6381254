//! JP (jam pelajaran) against the yearly minimum, and the agency's own conversion rules for
//! informal development (HR edits them; every change is audited; every JP figure names its rule).

use axum::{
    Form,
    extract::{Path, Query, State},
    http::StatusCode,
    response::Response,
};
use chrono::Datelike as _;
use serde::Deserialize;

use super::model::{ActivityKind, Jp, jp_plain, jp_text};
use crate::app::context::Val;
use crate::{
    app::{
        Access, AppError, AppResult, AppState, Ctx, Routes,
        export::{self, Table},
        paging::{Pager, query_string},
        render::{FlashKind, redirect_flash, render, render_status},
    },
    audit::{self, Actor},
    auth::{CurrentUser, Role},
};

pub fn routes() -> Routes {
    Routes::new()
        .get("/jp", Access::AnyOf(&[Role::Hr, Role::Head]), list)
        .get("/jp/rules", Access::SignedIn, rules)
        .post("/jp/rules/{kind}", Access::AnyOf(&[Role::Hr]), save_rule)
}

#[derive(Clone)]
pub struct JpRow {
    pub id: i64,
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub formal: f64,
    pub informal: f64,
}

impl JpRow {
    pub fn total(&self) -> f64 {
        self.formal + self.informal
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct JpQuery {
    year: String,
    all: String,
    /// A unit: its staff and those of its sub-units (within what the reader sees).
    unit: String,
    /// `shortfall` (most JP missing first, the default), `name` or `unit`.
    sort: String,
    page: Option<i64>,
    format: String,
}

#[derive(askama::Template)]
#[template(path = "development/jp.html")]
struct JpPage {
    ctx: Ctx,
    rows: Vec<JpRow>,
    year: i32,
    years: Vec<i32>,
    all: bool,
    minimum: f64,
    pager: Pager,
    units: Vec<crate::units::db::UnitOption>,
    unit: Option<i64>,
    sort: &'static str,
}

impl JpPage {
    fn jp(&self, v: impl Val<f64>) -> String {
        jp_text(v.val(), self.ctx.lang.is_en())
    }

    fn lacking(&self, r: &JpRow) -> String {
        let l = (self.minimum - r.total()).max(0.0);
        if l > 0.0 { self.jp(l) } else { "—".into() }
    }
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<JpQuery>,
) -> AppResult<Response> {
    let this_year = ctx.today.year();
    let year: i32 = q.year.trim().parse().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or(this_year);
    let all = q.all == "1";
    let unit: Option<i64> = q.unit.trim().parse().ok();
    let sort: &'static str = match q.sort.as_str() {
        "name" => "name",
        "unit" => "unit",
        _ => "shortfall",
    };
    let minimum = ctx.agency.jp_per_year;
    // A reader who sees the whole department (HR, the kepala dinas) shares HR's kept pages.
    let scope = user.scope().under(&state.pool, "").await?;
    let exporting = export::wanted(&q.format);
    let view = JpView { year, all, minimum, unit, sort };
    let (rows, total) = if exporting {
        let mut conn = state.reader(&ctx).await.acquire().await?;
        let data = jp_rows(&mut conn, &scope, view, (100_000, 0)).await?;
        (data.rows, data.total)
    } else {
        // Ranking everyone in scope by their year's JP took ~0.11 s a view at 100 000 staff:
        // each page is kept per version of the records.
        let offset = Pager::offset(q.page);
        let key = format!("jp.page:{}:{year}:{all}:{minimum}:{unit:?}:{sort}:{offset}", scope.key());
        let scope = scope.clone();
        let data = state
            .versions
            .get_in(crate::app::versioned::Depends::All, state.reader(&ctx).await, key, move |conn| {
                Box::pin(async move { jp_rows(conn, &scope, view, (crate::app::paging::PER_PAGE, offset)).await })
            })
            .await?;
        (data.rows.clone(), data.total)
    };
    let en = ctx.lang.is_en();
    if exporting {
        let table = Table {
            name: "jp-pegawai",
            headers: export::keys(&[
                "col.nip",
                "col.name",
                "col.unit",
                "col.jp_formal",
                "col.jp_informal",
                "col.jp_total",
                "col.jp_lacking",
            ]),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.nip.clone(),
                        r.name.clone(),
                        r.unit.clone(),
                        jp_text(r.formal, en),
                        jp_text(r.informal, en),
                        jp_text(r.total(), en),
                        jp_text((minimum - r.total()).max(0.0), en),
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &q.format, &table);
    }
    let year_s = year.to_string();
    let unit_s = unit.map(|u| u.to_string()).unwrap_or_default();
    let pager = Pager::new(
        q.page,
        total,
        query_string(&[("year", &year_s), ("all", if all { "1" } else { "" }), ("unit", &unit_s), ("sort", sort)]),
    );
    let years = ((this_year - 3)..=this_year).rev().collect();
    let units = crate::units::db::near_reused(&state, &state.pool, unit, scope.all, &scope.unit_patterns).await?;
    render(&JpPage { ctx, rows, year, years, all, minimum, pager, units, unit, sort })
}

/// What the JP list shows: the year, everyone or only those below the minimum, a unit, the order.
#[derive(Clone, Copy)]
struct JpView {
    year: i32,
    all: bool,
    minimum: f64,
    unit: Option<i64>,
    sort: &'static str,
}

/// One page of the JP list and how many it holds over all pages.
struct JpPageData {
    rows: Vec<JpRow>,
    total: i64,
}

impl crate::app::versioned::Weigh for JpPageData {
    fn bytes(&self) -> usize {
        crate::app::versioned::rows_bytes(&self.rows, 96) + 64
    }
}

/// Staff within the reader's scope with their JP of the year, those below the minimum first
/// (only those, unless `all`). One query: who is listed and in which order from the kept yearly
/// JP (`employee_jp_years`, as `staff_below_jp` reads it), the formal and informal split from
/// `jp_entries` for this page's staff only (the department's entries at 100 000 staff, 800 000 a
/// year, took 3 s to sum for every view).
async fn jp_rows(
    conn: &mut sqlx::PgConnection,
    scope: &crate::auth::Scope,
    v: JpView,
    (limit, offset): (i64, i64),
) -> Result<JpPageData, sqlx::Error> {
    let raw = sqlx::query!(
        r#"
        with listed as (
          select e.id, e.name, u.sort_key, coalesce(y.jp, 0)::float8 as total
          from employees e join units u on u.id = e.unit_id
          left join employee_jp_years y on y.employee_id = e.id and y.year = $1
          where e.active and scope_sees($2, $3, $4, e.id, u.path) and ($5 or coalesce(y.jp, 0)::float8 < $6)
            and ($9::bigint is null or u.path like (select f.path from units f where f.id = $9) || '%')),
        page as materialized (
          select l.id, count(*) over () as total_rows, row_number() over (
                   order by case when $10 = 'name' then l.name end, case when $10 = 'unit' then l.sort_key end,
                            l.total, l.name, l.id) as at
          from listed l
          order by at limit $7 offset $8)
        select e.id, e.nip, employee_display_name(e.front_title, e.name, e.back_title) as "name!", u.name as unit,
               coalesce(t.formal, 0) as "formal!", coalesce(t.informal, 0) as "informal!", p.total_rows as "total_rows!"
        from page p join employees e on e.id = p.id join units u on u.id = e.unit_id
        left join lateral (
          select coalesce(sum(j.jp) filter (where j.source = 'formal'), 0)::float8 as formal,
                 coalesce(sum(j.jp) filter (where j.source = 'informal'), 0)::float8 as informal
          from jp_entries j where j.employee_id = e.id and j.year = $1) t on true
        order by p.at"#,
        v.year,
        scope.all,
        scope.own,
        &scope.unit_patterns,
        v.all,
        v.minimum,
        limit,
        offset,
        v.unit,
        v.sort,
    )
    .fetch_all(conn)
    .await?;
    let total = raw.first().map(|r| r.total_rows).unwrap_or(0);
    let rows = raw
        .into_iter()
        .map(|r| JpRow { id: r.id, nip: r.nip, name: r.name, unit: r.unit, formal: r.formal, informal: r.informal })
        .collect();
    Ok(JpPageData { rows, total })
}

/// One conversion rule as stored.
#[derive(Clone, Debug)]
pub struct Rule {
    pub kind: ActivityKind,
    pub minutes_per_jp: i32,
    pub max_jp_per_session: Option<f64>,
    pub max_sessions_per_month: Option<i32>,
    pub max_jp_per_day: Option<f64>,
    pub fixed_jp: Option<f64>,
    pub version: i64,
}

/// Every conversion rule, by kind.
pub async fn all_rules(conn: impl sqlx::PgExecutor<'_>) -> Result<Vec<Rule>, sqlx::Error> {
    sqlx::query_as!(
        Rule,
        r#"select kind as "kind: ActivityKind", minutes_per_jp, max_jp_per_session::float8 as max_jp_per_session,
                max_sessions_per_month, max_jp_per_day::float8 as max_jp_per_day, fixed_jp::float8 as fixed_jp, version
         from jp_rules order by kind"#
    )
    .fetch_all(conn)
    .await
}

impl Rule {
    /// The rule in words, in the reader's language.
    pub fn describe(&self, ctx: &Ctx) -> String {
        let en = ctx.lang.is_en();
        if let Some(f) = self.fixed_jp {
            return ctx.t("jp.rule.fixed").replace("{jp}", &jp_text(f, en));
        }
        let mut parts = vec![ctx.t("jp.rule.minutes").replace("{m}", &self.minutes_per_jp.to_string())];
        if let Some(s) = self.max_jp_per_session {
            parts.push(ctx.t("jp.rule.session").replace("{jp}", &jp_text(s, en)));
        }
        if let Some(n) = self.max_sessions_per_month {
            parts.push(ctx.t("jp.rule.month").replace("{n}", &n.to_string()));
        }
        if let Some(d) = self.max_jp_per_day {
            parts.push(ctx.t("jp.rule.day").replace("{jp}", &jp_text(d, en)));
        }
        parts.join("; ")
    }

    fn opt(v: Option<f64>) -> String {
        v.map(jp_plain).unwrap_or_default()
    }

    pub fn session_text(&self) -> String {
        Self::opt(self.max_jp_per_session)
    }

    pub fn day_text(&self) -> String {
        Self::opt(self.max_jp_per_day)
    }

    pub fn fixed_text(&self) -> String {
        Self::opt(self.fixed_jp)
    }

    pub fn month_text(&self) -> String {
        self.max_sessions_per_month.map(|n| n.to_string()).unwrap_or_default()
    }
}

#[derive(askama::Template)]
#[template(path = "development/jp_rules.html")]
struct RulesPage {
    ctx: Ctx,
    rules: Vec<Rule>,
    /// The rule whose form came back with an error, and the message.
    problem: Option<(ActivityKind, &'static str)>,
}

async fn rules(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let rules = all_rules(&state.pool).await?;
    render(&RulesPage { ctx, rules, problem: None })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RuleForm {
    minutes_per_jp: String,
    max_jp_per_session: String,
    max_sessions_per_month: String,
    max_jp_per_day: String,
    fixed_jp: String,
    version: String,
}

fn opt_jp(s: &str) -> Result<Option<f64>, &'static str> {
    if s.trim().is_empty() { Ok(None) } else { Jp::parse(s).map(|j| Some(j.get())) }
}

async fn save_rule(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(kind): Path<String>,
    Form(f): Form<RuleForm>,
) -> AppResult<Response> {
    let kind = ActivityKind::parse(&kind).ok_or(AppError::NotFound)?;
    let minutes = f.minutes_per_jp.trim().parse::<i32>().ok().filter(|m| (1..=600).contains(m));
    let months = if f.max_sessions_per_month.trim().is_empty() {
        Ok(None)
    } else {
        f.max_sessions_per_month
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .map(Some)
            .ok_or("jp.err.month")
    };
    let parsed = (|| -> Result<_, &'static str> {
        Ok((
            minutes.ok_or("jp.err.minutes")?,
            opt_jp(&f.max_jp_per_session)?,
            months?,
            opt_jp(&f.max_jp_per_day)?,
            opt_jp(&f.fixed_jp)?,
        ))
    })();
    let mut tx = state.pool.begin().await?;
    let current = sqlx::query_as!(
        Rule,
        r#"select kind as "kind: ActivityKind", minutes_per_jp, max_jp_per_session::float8 as max_jp_per_session,
                max_sessions_per_month, max_jp_per_day::float8 as max_jp_per_day, fixed_jp::float8 as fixed_jp, version
         from jp_rules where kind = $1 for update"#,
        kind.as_str(),
    )
    .fetch_optional(&mut *tx)
    .await?;
    let current = current.ok_or(AppError::NotFound)?;
    let problem = match &parsed {
        Err(k) => Some(*k),
        Ok(_) if f.version.trim().parse::<i64>().ok() != Some(current.version) => Some("jp.err.changed"),
        Ok(_) => None,
    };
    let (Ok((minutes, session, month, day, fixed)), None) = (parsed, problem) else {
        drop(tx);
        let rules = all_rules(&state.pool).await?;
        let page = RulesPage { ctx, rules, problem: Some((kind, problem.unwrap_or("jp.err.minutes"))) };
        return render_status(StatusCode::UNPROCESSABLE_ENTITY, &page);
    };
    let before: serde_json::Value = sqlx::query_scalar!(
        r#"select to_jsonb(r) - 'updated_at' as "before!" from jp_rules r where kind = $1"#,
        kind.as_str()
    )
    .fetch_one(&mut *tx)
    .await?;
    let after: serde_json::Value = sqlx::query_scalar!(
        r#"update jp_rules r set minutes_per_jp = $2, max_jp_per_session = round($3::float8::numeric, 1), max_sessions_per_month = $4,
                max_jp_per_day = round($5::float8::numeric, 1), fixed_jp = round($6::float8::numeric, 1)
         where kind = $1 returning to_jsonb(r) - 'updated_at' as "after!""#,
        kind.as_str(),
        minutes,
        session,
        month,
        day,
        fixed,
    )
    .fetch_one(&mut *tx)
    .await?;
    audit::record(&mut tx, &Actor::from_ctx(&ctx), "jp_rule", kind.as_str(), "update", Some(before), Some(after))
        .await?;
    tx.commit().await?;
    Ok(redirect_flash("/jp/rules", FlashKind::Ok, "flash.saved"))
}
