//! Computing a run: claiming it from the queue, solving it in a child process (`cakap plan-solve`)
//! or here off the runtime, and the worker every node runs.

use super::*;

/// Claim the oldest queued run (or one left running by a node that stopped), compute it and
/// store the result. Returns whether there was one.
pub async fn run_one(state: &AppState) -> Result<bool, AppError> {
    let worker = format!("{}:{}", hostname(), std::process::id());
    let claimed: Option<(i64, i64, i32, i64)> = sqlx::query!(
        "update plan_runs r set status = 'running', started_at = now(), worker = $1
         where r.id = (select id from plan_runs
                       where status = 'queued' or (status = 'running' and started_at < now() - interval '15 minutes')
                       order by requested_at, id for update skip locked limit 1)
         returning r.id, r.unit_id, r.year, r.budget",
        &worker,
    )
    .fetch_optional(&state.pool)
    .await?
    .map(|r| (r.id, r.unit_id, r.year, r.budget));
    let Some((id, unit_id, year, budget)) = claimed else { return Ok(false) };
    state.recent.forget(&super::runs_key(unit_id, year, budget));
    let outcome = compute(state, unit_id, year, budget).await;
    match outcome {
        Ok((result, version)) => {
            sqlx::query!(
                "update plan_runs set status = 'done', finished_at = now(), data_version = $2, seconds = $3, result = $4
                 where id = $1 and worker = $5",
                id,
                version,
                result.seconds,
                sqlx::types::Json(&result) as _,
                &worker,
            )
            .execute(&state.pool)
            .await?;
        }
        Err(e) => {
            tracing::error!(run = id, error = %e, "plan run failed");
            sqlx::query!(
                "update plan_runs set status = 'failed', finished_at = now(), error = $2 where id = $1",
                id,
                e.to_string()
            )
            .execute(&state.pool)
            .await?;
        }
    }
    // This node's plan page shows it at once (another node's within `recent::RUNS_TTL`).
    state.recent.forget(&super::runs_key(unit_id, year, budget));
    Ok(true)
}

pub(super) fn hostname() -> String {
    std::fs::read_to_string("/etc/hostname").map(|s| s.trim().to_string()).unwrap_or_else(|_| "node".into())
}

/// Compute a run within `PLAN_WALL` of wall time: in a child process of this binary when one is
/// configured (`Config::plan_solver`, the portal's default), so CBC's memory (~270 MB for a
/// dinas of 400 with 134 000 mentor edges, measured) is returned to the system when the solve
/// ends instead of staying in the portal's heap; else here, off the async runtime. Either way
/// the answer is the last complete result written by the limit.
pub async fn compute(state: &AppState, unit_id: i64, year: i32, budget: i64) -> Result<(PlanResult, i64), AppError> {
    let started = Instant::now();
    let deadline = started + PLAN_WALL;
    let (mut result, version) = match state.config.plan_solver.clone() {
        Some(exe) => solve_in_child(&exe, &state.config.database_url, unit_id, year, budget, deadline).await?,
        None => compute_here(state, unit_id, year, budget, deadline).await?,
    };
    result.seconds = started.elapsed().as_secs_f64();
    Ok((result, version))
}

/// Solve in a child process (`cakap plan-solve`), reading each result it writes as it comes; at
/// `deadline` the child is stopped and its last complete result is the answer.
pub async fn solve_in_child(
    exe: &std::path::Path,
    database_url: &str,
    unit_id: i64,
    year: i32,
    budget: i64,
    deadline: Instant,
) -> Result<(PlanResult, i64), AppError> {
    use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _};
    let wall = deadline.saturating_duration_since(Instant::now());
    let failed = |what: String| AppError::Other(anyhow::anyhow!("plan solver {}: {what}", exe.display()));
    let mut child = tokio::process::Command::new(exe)
        .args(["plan-solve", "--unit-id", &unit_id.to_string(), "--year", &year.to_string()])
        .args(["--budget", &budget.to_string()])
        .env("DATABASE_URL", database_url)
        .env("RUST_LOG", "warn")
        .env(WALL_ENV, wall.as_millis().to_string())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| failed(e.to_string()))?;
    let mut lines = tokio::io::BufReader::new(child.stdout.take().ok_or_else(|| failed("no stdout".into()))?).lines();
    let mut stderr = child.stderr.take().ok_or_else(|| failed("no stderr".into()))?;
    let errors = tokio::spawn(async move {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text).await;
        text
    });
    let mut last: Option<Solved> = None;
    let mut stopped = false;
    loop {
        match tokio::time::timeout_at(deadline.into(), lines.next_line()).await {
            Ok(Ok(Some(line))) => {
                if let Ok(solved) = serde_json::from_str::<Solved>(&line) {
                    last = Some(solved);
                }
            }
            Ok(Ok(None)) => break,
            Ok(Err(e)) => return Err(failed(e.to_string())),
            Err(_) => {
                stopped = true;
                break;
            }
        }
    }
    if stopped {
        // Its time is up: what it wrote last stands.
        let _ = child.start_kill();
    }
    let status = child.wait().await.map_err(|e| failed(e.to_string()))?;
    let errors = errors.await.unwrap_or_default();
    match last {
        Some(s) => {
            if stopped {
                tracing::info!(
                    unit = unit_id,
                    year,
                    budget,
                    "plan solver stopped at its wall-time limit; its last result kept"
                );
            } else if !status.success() {
                tracing::warn!(unit = unit_id, %status, errors = %errors.trim(), "plan solver failed after a result; its last result kept");
            }
            Ok((s.result, s.version))
        }
        None if stopped => Err(failed(format!("no result within {:.1} s", wall.as_secs_f64()))),
        None => Err(failed(format!("exited with {status}: {}", errors.trim()))),
    }
}

/// What `cakap plan-solve` prints: the run's result and the records' version it was read at.
#[derive(Serialize, Deserialize)]
pub struct Solved {
    pub result: PlanResult,
    pub version: i64,
}

/// `cakap plan-solve`: one run computed in this process within the wall time the parent gives
/// (`CAKAP_PLAN_WALL_MS`, else `PLAN_WALL`), the whole result printed as one line of JSON on
/// standard output after each solve (the parent keeps the last line it has when time is up).
pub async fn solve_to_stdout(state: &AppState, unit_id: i64, year: i32, budget: i64) -> Result<(), AppError> {
    let started = Instant::now();
    let wall = std::env::var(WALL_ENV)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_millis)
        .unwrap_or(PLAN_WALL);
    let deadline = started + wall.saturating_sub(WRITE_MARGIN);
    let inputs = snapshot(state, unit_id, year, budget).await?;
    let version = inputs.data_version;
    tokio::task::spawn_blocking(move || {
        use std::io::Write as _;
        solve(&inputs, deadline, &mut |result| {
            let mut out = std::io::stdout().lock();
            // A result that cannot be written (the parent has gone) is not worth more work.
            let written = serde_json::to_writer(&mut out, &SolvedRef { result, version })
                .map_err(std::io::Error::from)
                .and_then(|_| out.write_all(b"\n"))
                .and_then(|_| out.flush());
            if written.is_err() {
                std::process::exit(1);
            }
        });
    })
    .await
    .map_err(|e| AppError::Other(anyhow::anyhow!("plan solver: {e}")))?;
    Ok(())
}

/// `Solved`, written without copying the result.
#[derive(Serialize)]
pub(super) struct SolvedRef<'a> {
    result: &'a PlanResult,
    version: i64,
}

/// Read what a run draws on in one read-only snapshot and release the connection.
pub(super) async fn snapshot(state: &AppState, unit_id: i64, year: i32, budget: i64) -> Result<Inputs, AppError> {
    let agency = state.settings.get(&state.pool).await?;
    let today = state.clock.today(agency.time_zone);
    let mut tx = state.pool.begin().await?;
    sqlx::query!("set transaction isolation level repeatable read, read only").execute(&mut *tx).await?;
    let path: String = sqlx::query_scalar!("select path from units where id = $1", unit_id).fetch_one(&mut *tx).await?;
    let inputs = read_inputs(&mut tx, &path, year, budget, today).await?;
    tx.commit().await?;
    Ok(inputs)
}

/// Read the inputs in one snapshot, solve off the runtime; at `deadline` the last complete result
/// is the answer (the solving thread, whose own limits end with the deadline, finishes alone).
pub(super) async fn compute_here(
    state: &AppState,
    unit_id: i64,
    year: i32,
    budget: i64,
    deadline: Instant,
) -> Result<(PlanResult, i64), AppError> {
    let inputs = snapshot(state, unit_id, year, budget).await?;
    let version = inputs.data_version;
    let last: Arc<std::sync::Mutex<Option<PlanResult>>> = Arc::default();
    let kept = last.clone();
    let solver_deadline = deadline.checked_sub(WRITE_MARGIN).unwrap_or(deadline);
    let solving = tokio::task::spawn_blocking(move || {
        solve(&inputs, solver_deadline, &mut |r| {
            if let Ok(mut l) = kept.lock() {
                *l = Some(r.clone());
            }
        })
    });
    let result = match tokio::time::timeout_at(deadline.into(), solving).await {
        Ok(done) => done.map_err(|e| AppError::Other(anyhow::anyhow!("plan solver: {e}")))?,
        Err(_) => last
            .lock()
            .ok()
            .and_then(|mut l| l.take())
            .ok_or_else(|| AppError::Other(anyhow::anyhow!("plan solver: no result within its time")))?,
    };
    Ok((result, version))
}

/// Run every queued run now (tests and the benchmark; the server's worker does this itself).
pub async fn run_queued(state: &AppState) -> Result<usize, AppError> {
    let mut n = 0;
    while run_one(state).await? {
        n += 1;
    }
    Ok(n)
}

/// The worker every node runs: one run at a time (CBC solves one model per process at a time
/// anyway), woken when this node queues one, else polling for other nodes' runs.
pub async fn worker(state: AppState) {
    loop {
        match run_one(&state).await {
            Ok(true) => continue,
            Ok(false) => {
                let _ = tokio::time::timeout(Duration::from_secs(3), wake().notified()).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "plan worker: will retry");
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
        }
    }
}
