//! The list of trainings, filtered and paged.

use super::*;

#[derive(Clone)]
pub struct ListRow {
    pub id: i64,
    pub title: String,
    pub form: TrainingForm,
    pub provider: Option<String>,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub jp: f64,
    pub status: TrainingStatus,
    pub quota: i32,
    pub participants: i64,
    pub cost: i64,
    /// Rows matching the filters (all pages).
    pub total: i64,
}

impl crate::app::versioned::Weigh for ListRow {}

impl ListRow {
    pub fn jp_str(&self, en: bool) -> String {
        jp_text(self.jp, en)
    }

    pub fn cost_str(&self) -> String {
        rupiah(self.cost)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ListQuery {
    year: String,
    status: String,
    q: String,
    format: String,
    page: Option<i64>,
}

#[derive(askama::Template)]
#[template(path = "development/trainings.html")]
pub(super) struct ListPage {
    ctx: Ctx,
    rows: Vec<ListRow>,
    year: i32,
    years: Vec<i32>,
    status: String,
    q: String,
    statuses: &'static [TrainingStatus],
    pager: Pager,
}

pub(super) async fn list(State(state): State<AppState>, ctx: Ctx, Query(q): Query<ListQuery>) -> AppResult<Response> {
    let year: i32 = q.year.trim().parse().ok().filter(|y| (2000..=2100).contains(y)).unwrap_or(ctx.today.year());
    let status = TrainingStatus::parse(&q.status);
    let text = q.q.trim();
    // The page's trainings first (with the total), then their counts and costs; reused while the
    // records are unchanged. An export carries every matching row; the page one page of them.
    let (limit, offset) = if export::wanted(&q.format) { (i64::MAX, 0) } else { (PER_PAGE, Pager::offset(q.page)) };
    let key = format!("trainings:{year}:{status:?}:{text:?}:{limit}:{offset}");
    let (status_s, text_s, like) = (status.map(|s| s.as_str()), text.to_string(), contains_pattern(text));
    let rows: Vec<ListRow> = (*state
        .versions
        .get(state.reader(&ctx).await, key, move |conn| {
            Box::pin(async move {
                sqlx::query_as!(
                    ListRow,
                    r#"with page as (
           select t.id, count(*) over () as total, row_number() over (order by t.starts_on desc, t.id desc) as n
           from trainings t
           where (extract(year from t.starts_on) = $1::int or t.budget_year = $1)
             and ($2::text is null or t.status = $2) and ($3 = '' or t.title ilike $4)
           order by n limit $5 offset $6)
         select t.id, t.title, t.form as "form: TrainingForm", p.name as "provider?", t.starts_on, t.ends_on,
                t.jp::float8 as "jp!", t.status as "status: TrainingStatus", t.quota,
                (select count(*) from training_participants tp where tp.training_id = t.id and tp.status <> 'rejected') as "participants!",
                c.cost as "cost!", page.total as "total!"
         from page join trainings t on t.id = page.id left join providers p on p.id = t.provider_id
         join lateral (select tc.cost from training_costs tc where tc.training_id = t.id) c on true
         order by page.n"#,
                    year,
                    status_s,
                    &text_s,
                    &like,
                    limit,
                    offset,
                )
                .fetch_all(conn)
                .await
            })
        })
        .await?)
        .clone();
    if export::wanted(&q.format) {
        let table = Table {
            name: "pelatihan",
            headers: export::keys(&[
                "col.title",
                "col.form",
                "col.provider",
                "col.start",
                "col.end",
                "col.jp",
                "col.status",
                "col.participants",
                "col.quota",
                "col.cost",
            ]),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        r.title.clone(),
                        ctx.label(r.form).to_string(),
                        r.provider.clone().unwrap_or_default(),
                        ctx.date(r.starts_on),
                        ctx.date(r.ends_on),
                        jp_text(r.jp, ctx.lang.is_en()),
                        ctx.label(r.status).to_string(),
                        r.participants.to_string(),
                        r.quota.to_string(),
                        rupiah(r.cost),
                    ]
                })
                .collect(),
        };
        return export::send(&ctx, &q.format, &table);
    }
    let this_year = ctx.today.year();
    let years = ((this_year - 3)..=(this_year + 1)).rev().collect();
    let total = rows.first().map_or(0, |r| r.total);
    let pager =
        Pager::new(q.page, total, query_string(&[("year", &year.to_string()), ("status", &q.status), ("q", text)]));
    render(&ListPage {
        pager,
        ctx,
        rows,
        year,
        years,
        status: status.map(|s| s.as_str().to_string()).unwrap_or_default(),
        q: text.to_string(),
        statuses: TrainingStatus::ALL,
    })
}
