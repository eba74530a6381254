//! Browsing the audit log (admin and HR). There is deliberately no route that edits it.

use std::collections::HashMap;

use axum::{
    extract::{Query, State},
    response::Response,
};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use sqlx::{Postgres, QueryBuilder};

use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        export::{self, Table},
        paging::{PER_PAGE, Pager, query_string},
        render::render,
    },
    auth::Role,
};

mod changes;

use changes::*;

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
    actor_name: Option<String>,
    actor_account: Option<i64>,
    ip: String,
    entity: String,
    entity_id: String,
    record: Option<String>,
    action: String,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
}

/// One changed field: its label and the values before and after, in words.
pub struct Change {
    pub field: String,
    pub before: String,
    pub after: String,
}

pub struct View {
    pub at: String,
    pub actor: String,
    pub actor_link: Option<String>,
    pub ip: String,
    pub entity: &'static str,
    pub record: String,
    pub link: Option<String>,
    pub action: &'static str,
    pub changes: Vec<Change>,
}

#[derive(askama::Template)]
#[template(path = "audit/list.html")]
struct ListPage {
    ctx: Ctx,
    f: Filter,
    rows: Vec<View>,
    pager: Pager,
    actions: Vec<(String, &'static str)>,
    entities: Vec<(String, &'static str)>,
    date_error: bool,
}

/// The filter's conditions, each only when it is set, with typed binds. The dates are the agency's
/// days: from the start of `from` to the start of the day after `to`, in its time zone.
fn push_filter<'a>(
    q: &mut QueryBuilder<'a, Postgres>,
    f: &'a Filter,
    since: Option<DateTime<Utc>>,
    until: Option<DateTime<Utc>>,
) {
    q.push(" where true");
    if !f.actor.is_empty() {
        q.push(" and a.actor ilike ").push_bind(f.actor.as_str()).push(" || '%'");
    }
    if !f.entity.is_empty() {
        q.push(" and a.entity = ").push_bind(f.entity.as_str());
    }
    if !f.action.is_empty() {
        q.push(" and a.action = ").push_bind(f.action.as_str());
    }
    if let Some(t) = since {
        q.push(" and a.at >= ").push_bind(t);
    }
    if let Some(t) = until {
        q.push(" and a.at < ").push_bind(t);
    }
}

async fn list(State(state): State<AppState>, ctx: Ctx, Query(mut f): Query<Filter>) -> AppResult<Response> {
    f.actor = f.actor.trim().chars().take(60).collect();
    let from = crate::employees::form::parse_date(&f.from);
    let to = crate::employees::form::parse_date(&f.to);
    let date_error = (!f.from.trim().is_empty() && from.is_none()) || (!f.to.trim().is_empty() && to.is_none());
    let tz = ctx.agency.time_zone;
    let since = from.map(|d| tz.day_start(d));
    let until = to.and_then(|d| d.succ_opt()).map(|d| tz.day_start(d));
    let mut conn = state.reader(&ctx).await.acquire().await?;
    let mut count = QueryBuilder::new("select count(*) from audit_log a");
    push_filter(&mut count, &f, since, until);
    let total: i64 = count.build_query_scalar().fetch_one(&mut *conn).await?;
    let mut select = QueryBuilder::new(
        "select a.at, a.actor, a.ip, a.entity, a.entity_id, a.action, a.before, a.after, a.account_id as actor_account,
                (select coalesce(nullif(employee_display_name(e.front_title, e.name, e.back_title), ''), x.username)
                   from accounts x left join employees e on e.id = x.employee_id where x.id = a.account_id) as actor_name,
                case when a.entity_id ~ '^[0-9]{1,18}$' then case a.entity
                  when 'employee' then (select employee_display_name(front_title, name, back_title) from employees where id = a.entity_id::bigint)
                  when 'unit' then (select name from units where id = a.entity_id::bigint)
                  when 'position' then (select name from positions where id = a.entity_id::bigint)
                  when 'position_standard' then (select name from positions where id = a.entity_id::bigint)
                  when 'competency' then (select code || ' ' || name_id from competencies where id = a.entity_id::bigint)
                  when 'training' then (select title from trainings where id = a.entity_id::bigint)
                  when 'provider' then (select name from providers where id = a.entity_id::bigint)
                  when 'account' then (select username from accounts where id = a.entity_id::bigint)
                  when 'assessment' then (select employee_display_name(e.front_title, e.name, e.back_title) || ' · ' || c.code
                                          from assessments x join employees e on e.id = x.employee_id join competencies c on c.id = x.competency_id
                                          where x.id = a.entity_id::bigint)
                  when 'participant' then (select employee_display_name(e.front_title, e.name, e.back_title) || ' · ' || t.title
                                           from training_participants p join employees e on e.id = p.employee_id join trainings t on t.id = p.training_id
                                           where p.id = a.entity_id::bigint)
                  when 'activity' then (select topic from activities where id = a.entity_id::bigint)
                  when 'training_request' then (select employee_display_name(e.front_title, e.name, e.back_title)
                                                from training_requests r join employees e on e.id = r.employee_id where r.id = a.entity_id::bigint)
                  end end as record
         from audit_log a",
    );
    push_filter(&mut select, &f, since, until);
    let (limit, offset) = if export::wanted(&f.format) { (200_000, 0) } else { (PER_PAGE, Pager::offset(f.page)) };
    select.push(" order by a.at desc, a.id desc limit ").push_bind(limit).push(" offset ").push_bind(offset);
    let rows: Vec<Row> = select.build_query_as().fetch_all(&mut *conn).await?;
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
    let actions: Vec<(String, &'static str)> = sqlx::query_scalar!("select distinct action from audit_log order by 1")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|a| {
            let l = ctx.tv("aud.action", &a);
            (a, l)
        })
        .collect();
    let entities: Vec<(String, &'static str)> = sqlx::query_scalar!("select distinct entity from audit_log order by 1")
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .map(|e| {
            let l = ctx.tv("aud.entity", &e);
            (e, l)
        })
        .collect();
    // Names for the ids the changes mention, in one query.
    let mut refs: Vec<(String, String)> = vec![];
    for r in &rows {
        for v in [&r.before, &r.after].into_iter().flatten() {
            if let Some(o) = v.as_object() {
                for (k, v) in o {
                    if let Some(t) = ref_table(k) {
                        let ids: Vec<String> = match v {
                            serde_json::Value::Array(a) => a.iter().map(|x| x.to_string()).collect(),
                            serde_json::Value::Number(n) => vec![n.to_string()],
                            _ => vec![],
                        };
                        refs.extend(ids.into_iter().map(|id| (t.to_string(), id)));
                    }
                    if k == "roles"
                        && let Some(a) = v.as_array()
                    {
                        refs.extend(
                            a.iter()
                                .filter_map(|r| r.get("unit_id").filter(|u| u.is_number()))
                                .map(|u| ("unit".to_string(), u.to_string())),
                        );
                    }
                }
            }
        }
    }
    refs.sort();
    refs.dedup();
    let (kinds, ids): (Vec<String>, Vec<String>) = refs.into_iter().unzip();
    let named = sqlx::query!(
        r#"select r.kind as "kind!", r.id as "id!", coalesce(case r.kind
                  when 'employee' then (select employee_display_name(front_title, name, back_title) from employees where id = r.id::bigint)
                  when 'unit' then (select name from units where id = r.id::bigint)
                  when 'position' then (select name from positions where id = r.id::bigint)
                  when 'competency' then (select code || ' ' || name_id from competencies where id = r.id::bigint)
                  when 'training' then (select title from trainings where id = r.id::bigint)
                  when 'provider' then (select name from providers where id = r.id::bigint) end, r.id) as "name!"
         from unnest($1::text[], $2::text[]) as r(kind, id) where r.id ~ '^[0-9]{1,18}$'"#,
        &kinds,
        &ids,
    )
    .fetch_all(&mut *conn)
    .await?;
    let names: HashMap<(String, String), String> = named.into_iter().map(|r| ((r.kind, r.id), r.name)).collect();
    let rows = rows
        .into_iter()
        .map(|r| View {
            at: ctx.date_time(r.at),
            actor_link: r.actor_account.map(|a| format!("/accounts/{a}")),
            actor: r.actor_name.unwrap_or(r.actor),
            ip: r.ip,
            entity: ctx.tv("aud.entity", &r.entity),
            link: link(&r.entity, &r.entity_id),
            record: r.record.unwrap_or_else(|| {
                if r.entity_id.bytes().all(|b| b.is_ascii_digit()) { String::new() } else { r.entity_id.clone() }
            }),
            action: ctx.tv("aud.action", &r.action),
            changes: changes(&ctx, &r.entity, &r.before, &r.after, &names),
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
