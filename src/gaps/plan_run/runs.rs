//! The runs in PostgreSQL: a finished run's plan (parsed once per node), the latest run for a
//! page, and queueing one.

use super::*;

/// A run of the plan, as the page reads it.
#[derive(Clone, Debug)]
pub struct RunRow {
    pub id: i64,
    pub unit_id: i64,
    pub year: i32,
    pub budget: i64,
    pub status: String,
    pub requested_at: chrono::DateTime<chrono::Utc>,
    pub finished_at: Option<chrono::DateTime<chrono::Utc>>,
    pub data_version: Option<i64>,
    pub error: String,
}

/// Computed plans by run id, parsed once per node: a finished run never changes.
pub type ResultCache = Arc<std::sync::Mutex<HashMap<i64, Arc<PlanResult>>>>;

/// A finished run's plan.
pub async fn result(cache: &ResultCache, conn: &mut PgConnection, id: i64) -> sqlx::Result<Option<Arc<PlanResult>>> {
    if let Some(r) = cache.lock().ok().and_then(|m| m.get(&id).cloned()) {
        return Ok(Some(r));
    }
    let found: Option<sqlx::types::Json<PlanResult>> = sqlx::query_scalar!(
        r#"select result as "result!: sqlx::types::Json<PlanResult>" from plan_runs where id = $1 and status = 'done'"#,
        id
    )
    .fetch_optional(conn)
    .await?;
    let Some(found) = found else { return Ok(None) };
    let r = Arc::new(found.0);
    if let Ok(mut m) = cache.lock() {
        // A few units' plans at a time; a full map starts again.
        if m.len() >= 64 {
            m.clear();
        }
        m.insert(id, r.clone());
    }
    Ok(Some(r))
}

/// Where the plan page keeps the runs it read for these parameters (`app::recent`, a second).
pub fn runs_key(unit_id: i64, year: i32, budget: i64) -> String {
    format!("plan.runs:{unit_id}:{year}:{budget}")
}

/// The last finished run for these parameters with its plan, and the run waiting, running or
/// failed after it, if any.
pub async fn latest(
    cache: &ResultCache,
    conn: &mut PgConnection,
    unit_id: i64,
    year: i32,
    budget: i64,
) -> sqlx::Result<(Option<(RunRow, Arc<PlanResult>)>, Option<RunRow>)> {
    let runs: Vec<RunRow> = sqlx::query_as!(
        RunRow,
        r#"(select id as "id!", unit_id as "unit_id!", year as "year!", budget as "budget!", status as "status!", requested_at as "requested_at!",
                 finished_at, data_version, error as "error!" from plan_runs
          where unit_id = $1 and year = $2 and budget = $3 and status = 'done' order by id desc limit 1)
         union all
         (select id, unit_id, year, budget, status, requested_at, finished_at, data_version, error from plan_runs
          where unit_id = $1 and year = $2 and budget = $3 and status <> 'done' order by id desc limit 1)"#,
        unit_id,
        year,
        budget,
    )
    .fetch_all(&mut *conn)
    .await?;
    let done_id = runs.iter().find(|r| r.status == "done").map(|r| r.id);
    let pending = runs.iter().find(|r| r.status != "done" && done_id.is_none_or(|d| r.id > d)).cloned();
    let done = match runs.into_iter().find(|r| r.status == "done") {
        Some(run) => result(cache, &mut *conn, run.id).await?.map(|v| (run, v)),
        None => None,
    };
    Ok((done, pending))
}

/// The unit's latest finished run, whatever its year and budget (what `/gaps/mentors` shows: the
/// mentor part of the plan), and a run of the unit waiting or running after it, if any.
pub async fn latest_for_unit(
    cache: &ResultCache,
    conn: &mut PgConnection,
    unit_id: i64,
) -> sqlx::Result<(Option<(RunRow, Arc<PlanResult>)>, Option<RunRow>)> {
    let runs: Vec<RunRow> = sqlx::query_as!(
        RunRow,
        r#"(select id as "id!", unit_id as "unit_id!", year as "year!", budget as "budget!", status as "status!", requested_at as "requested_at!",
                 finished_at, data_version, error as "error!" from plan_runs
          where unit_id = $1 and status = 'done' order by finished_at desc nulls last, id desc limit 1)
         union all
         (select id, unit_id, year, budget, status, requested_at, finished_at, data_version, error from plan_runs
          where unit_id = $1 and status in ('queued', 'running') order by id desc limit 1)"#,
        unit_id,
    )
    .fetch_all(&mut *conn)
    .await?;
    let pending = runs.iter().find(|r| r.status != "done").cloned();
    let done = match runs.into_iter().find(|r| r.status == "done") {
        Some(run) => result(cache, &mut *conn, run.id).await?.map(|v| (run, v)),
        None => None,
    };
    Ok((done, pending))
}

/// One finished run by id (what the page showed).
pub async fn by_id(
    cache: &ResultCache,
    conn: &mut PgConnection,
    id: i64,
) -> sqlx::Result<Option<(RunRow, Arc<PlanResult>)>> {
    let run: Option<RunRow> = sqlx::query_as!(
        RunRow,
        "select id, unit_id, year, budget, status, requested_at, finished_at, data_version, error from plan_runs
         where id = $1 and status = 'done'",
        id,
    )
    .fetch_optional(&mut *conn)
    .await?;
    let Some(run) = run else { return Ok(None) };
    Ok(result(cache, &mut *conn, id).await?.map(|v| (run, v)))
}

/// Queue a run for these parameters unless one is already waiting or running; returns its id.
pub async fn enqueue(
    state: &AppState,
    unit_id: i64,
    year: i32,
    budget: i64,
    account: Option<i64>,
) -> sqlx::Result<i64> {
    let mut tx = state.pool.begin().await?;
    // One request per parameters at a time, whatever the node.
    sqlx::query!(
        "select pg_advisory_xact_lock(727200, hashtext($1::bigint::text || '/' || $2::int::text || '/' || $3::bigint::text))",
        unit_id,
        year,
        budget,
    )
    .fetch_one(&mut *tx)
    .await?;
    let waiting: Option<i64> = sqlx::query_scalar!(
        "select id from plan_runs where unit_id = $1 and year = $2 and budget = $3 and status in ('queued', 'running')
         order by id desc limit 1",
        unit_id,
        year,
        budget,
    )
    .fetch_optional(&mut *tx)
    .await?;
    let id = match waiting {
        Some(id) => id,
        None => {
            sqlx::query_scalar!(
                "insert into plan_runs (unit_id, year, budget, requested_by) values ($1, $2, $3, $4) returning id",
                unit_id,
                year,
                budget,
                account,
            )
            .fetch_one(&mut *tx)
            .await?
        }
    };
    tx.commit().await?;
    state.recent.forget(&runs_key(unit_id, year, budget));
    wake().notify_one();
    Ok(id)
}

/// Wakes this node's worker when a run is queued here (other nodes' runs are found by polling).
pub(super) fn wake() -> &'static tokio::sync::Notify {
    static WAKE: std::sync::OnceLock<tokio::sync::Notify> = std::sync::OnceLock::new();
    WAKE.get_or_init(tokio::sync::Notify::new)
}
