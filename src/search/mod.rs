//! The header search: employees (within the reader's scope), competencies and trainings, in one
//! page of grouped results.

use axum::{
    extract::{Query, State},
    response::Response,
};
use serde::Deserialize;

use crate::{
    app::{Access, AppResult, AppState, Ctx, Routes, form::contains_pattern, render::render},
    auth::CurrentUser,
};

pub fn routes() -> Routes {
    Routes::new().get("/search", Access::SignedIn, search)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SearchQuery {
    q: String,
}

/// One hit: where it leads, what it is called, and a line of context.
pub struct Hit {
    pub href: String,
    pub title: String,
    pub detail: String,
}

#[derive(askama::Template)]
#[template(path = "search/index.html")]
struct SearchPage {
    ctx: Ctx,
    q: String,
    employees: Vec<Hit>,
    competencies: Vec<Hit>,
    trainings: Vec<Hit>,
}

const LIMIT: i64 = 20;

async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(p): Query<SearchQuery>,
) -> AppResult<Response> {
    let q: String = p.q.trim().chars().take(100).collect();
    let (mut employees, mut competencies, mut trainings) = (vec![], vec![], vec![]);
    if !q.is_empty() {
        let like = contains_pattern(&q);
        let digits: String = q.chars().filter(char::is_ascii_digit).collect();
        let nip = if digits.len() >= 4 && digits.len() == q.chars().filter(|c| !c.is_whitespace()).count() {
            contains_pattern(&digits)
        } else {
            String::new()
        };
        let scope = user.scope();
        let pool = state.reader(&ctx).await;
        employees = sqlx::query_as!(
            Hit,
            r#"select '/employees/' || e.id as "href!", employee_display_name(e.front_title, e.name, e.back_title) as "title!",
                    e.nip || ' · ' || coalesce(p.name, '') || ' · ' || u.name as "detail!"
             from employees e join units u on u.id = e.unit_id left join positions p on p.id = e.position_id
             where e.active and (e.name ilike $1 or ($2 <> '' and e.nip like $2)) and scope_sees($3, $4, $5, e.id, u.path)
             order by e.name, e.id limit $6"#,
            &like,
            &nip,
            scope.all,
            scope.own,
            &scope.unit_patterns,
            LIMIT,
        )
        .fetch_all(pool)
        .await?;
        competencies = sqlx::query_as!(
            Hit,
            r#"select '/competencies/' || id as "href!", code || ' ' || case when $2 then name_en else name_id end as "title!",
                    case when $2 then description_en else description_id end as "detail!"
             from competencies where active and (code ilike $1 or name_id ilike $1 or name_en ilike $1)
             order by code limit $3"#,
            &like,
            ctx.lang.is_en(),
            LIMIT,
        )
        .fetch_all(pool)
        .await?;
        trainings = sqlx::query_as!(
            Hit,
            r#"select '/trainings/' || t.id as "href!", t.title, to_char(t.starts_on, 'DD-MM-YYYY') || ' · ' || coalesce(p.name, '') as "detail!"
             from trainings t left join providers p on p.id = t.provider_id
             where t.title ilike $1 or p.name ilike $1 order by t.starts_on desc, t.id desc limit $2"#,
            &like,
            LIMIT,
        )
        .fetch_all(pool)
        .await?;
    }
    render(&SearchPage { ctx, q, employees, competencies, trainings })
}
