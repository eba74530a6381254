//! Browsing the audit log (admin and HR). There is deliberately no route that edits it.

use axum::{
    extract::{Query, State},
    response::Response,
};
use chrono::NaiveDate;
use serde::Deserialize;

use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        export::{self, Table},
        paging::{PER_PAGE, Pager, query_string},
        render::render,
    },
    auth::Role,
    i18n,
};

pub fn routes() -> Routes {
    Routes::new().nav(100, |u| (u.has(Role::Hr) || u.has(Role::Admin)).then(|| ("/audit".into(), "nav.audit"))).get(
        "/audit",
        Access::AnyOf(&[Role::Admin, Role::Hr]),
        list,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Filter {
    actor: String,
    entity: String,
    action: String,
    from: String,
    to: String,
    page: Option<i64>,
    format: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    at: chrono::DateTime<chrono::Utc>,
    actor: String,
    ip: String,
    entity: String,
    entity_id: String,
    action: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

pub struct View {
    pub at: String,
    pub actor: String,
    pub ip: String,
    pub entity: String,
    pub entity_id: String,
    pub action: String,
    pub before: String,
    pub after: String,
}

#[derive(askama::Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    ctx: Ctx,
    f: Filter,
    rows: Vec<View>,
    pager: Pager,
    actions: Vec<String>,
    entities: Vec<String>,
    date_error: bool,
}

fn show(v: &Option<serde_json::Value>) -> String {
    v.as_ref().map(|v| v.to_string()).unwrap_or_default()
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(mut f): Query<Filter>) -> AppResult<Response> {
    f.actor = f.actor.trim().chars().take(60).collect();
    let from = NaiveDate::parse_from_str(f.from.trim(), "%Y-%m-%d").ok();
    let to = NaiveDate::parse_from_str(f.to.trim(), "%Y-%m-%d").ok();
    let date_error = (!f.from.trim().is_empty() && from.is_none()) || (!f.to.trim().is_empty() && to.is_none());
    let filter = "where ($1 = '' or actor ilike $1 || '%') and ($2 = '' or entity = $2) and ($3 = '' or action = $3)
                    and ($4::date is null or at >= ($4::date - interval '7 hours'))
                    and ($5::date is null or at < ($5::date + interval '17 hours'))";
    let mut conn = state.reader(&ctx).await.acquire().await?;
    let total: i64 = sqlx::query_scalar(&format!("select count(*) from audit_log {filter}"))
        .bind(&f.actor)
        .bind(&f.entity)
        .bind(&f.action)
        .bind(from)
        .bind(to)
        .fetch_one(&mut *conn)
        .await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "select at, actor, ip, entity, entity_id, action, before, after from audit_log {filter}
         order by at desc, id desc limit $6 offset $7"
    ))
    .bind(&f.actor)
    .bind(&f.entity)
    .bind(&f.action)
    .bind(from)
    .bind(to)
    .bind(if export::wanted(&f.format) { 200_000 } else { PER_PAGE })
    .bind(if export::wanted(&f.format) { 0 } else { Pager::offset(f.page) })
    .fetch_all(&mut *conn)
    .await?;
    if export::wanted(&f.format) {
        let table = Table {
            name: "log-audit",
            headers: export::keys(&[
                "col.time_utc",
                "col.actor",
                "col.ip",
                "col.entity",
                "col.id",
                "col.action",
                "col.before",
                "col.after",
            ]),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.at.format("%Y-%m-%d %H:%M:%S").to_string(),
                        r.actor.clone(),
                        r.ip.clone(),
                        r.entity.clone(),
                        r.entity_id.clone(),
                        r.action.clone(),
                        show(&r.before),
                        show(&r.after),
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &f.format, &table);
    }
    let actions: Vec<String> =
        sqlx::query_scalar("select distinct action from audit_log order by 1").fetch_all(&mut *conn).await?;
    let entities: Vec<String> =
        sqlx::query_scalar("select distinct entity from audit_log order by 1").fetch_all(&mut *conn).await?;
    let rows = rows
        .into_iter()
        .map(|r| View {
            at: i18n::datetime(ctx.lang, r.at),
            actor: r.actor,
            ip: r.ip,
            entity: r.entity,
            entity_id: r.entity_id,
            action: r.action,
            before: show(&r.before),
            after: show(&r.after),
        })
        .collect();
    let pager = Pager::new(
        f.page,
        total,
        query_string(&[
            ("actor", &f.actor),
            ("entity", &f.entity),
            ("action", &f.action),
            ("from", &f.from),
            ("to", &f.to),
        ]),
    );
    render(&ListPage { ctx, f, rows, pager, actions, entities, date_error })
}
