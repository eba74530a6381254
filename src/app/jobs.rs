//! Scheduled jobs. Every portal node runs the same loop; a job runs once per period for the whole
//! portal, not once per node: the node that atomically moves the job's "last run" forward in
//! `app_meta` (a conditional update) runs it, the others see that it already ran.

use std::time::Duration;

use sqlx::PgPool;

/// A job: its name and how often it runs.
pub struct Job {
    pub name: &'static str,
    pub every: Duration,
}

/// Housekeeping: expired sessions, old login attempts, old one-time form tokens and import
/// batches that were never applied.
pub const HOUSEKEEPING: Job = Job { name: "housekeeping", every: Duration::from_secs(3600) };

/// Claim this period's run of `job`. True for exactly one caller per period, whatever the node.
pub async fn claim(pool: &PgPool, job: &Job) -> Result<bool, sqlx::Error> {
    let key = format!("job.{}", job.name);
    let claimed: Option<String> = sqlx::query_scalar!(
        "insert into app_meta (key, value) values ($1, now()::text)
         on conflict (key) do update set value = now()::text
           where app_meta.value::timestamptz <= now() - make_interval(secs => $2)
         returning value",
        key,
        job.every.as_secs_f64()
    )
    .fetch_optional(pool)
    .await?;
    Ok(claimed.is_some())
}

/// Run housekeeping if this node claims it; returns the rows removed (None: another node ran it).
pub async fn housekeeping(pool: &PgPool) -> Result<Option<u64>, sqlx::Error> {
    if !claim(pool, &HOUSEKEEPING).await? {
        return Ok(None);
    }
    let mut removed = 0;
    for statement in [
        sqlx::query!("delete from sessions where expires_at < now() - interval '1 day'"),
        sqlx::query!("delete from login_attempts where at < now() - interval '30 days'"),
        sqlx::query!("delete from form_submissions where created_at < now() - interval '7 days'"),
        sqlx::query!("delete from import_batches where applied_at is null and created_at < now() - interval '30 days'"),
        // Sign-in code mails sent or given up a month ago (they never held a code).
        sqlx::query!("delete from mail_outbox where coalesce(sent_at, cancelled_at) < now() - interval '30 days'"),
        // Plan runs a month old, unless accepted or the last of their parameters.
        sqlx::query!(
            "delete from plan_runs r where r.requested_at < now() - interval '30 days'
               and not exists (select 1 from dev_plans d where d.run_id = r.id)
               and exists (select 1 from plan_runs n where n.unit_id = r.unit_id and n.year = r.year
                             and n.budget = r.budget and n.status = 'done' and n.id > r.id)"
        ),
    ] {
        removed += statement.execute(pool).await?.rows_affected();
    }
    // Levels expire with time: the kept gap facts of those whose level stopped counting are
    // refreshed (and the records' version moves) in this statement's own transaction.
    // The function returns the row count of its insert: never null.
    let expired: i32 =
        sqlx::query_scalar!(r#"select refresh_expired_gap_facts(agency_today()) as "n!""#).fetch_one(pool).await?;
    if expired > 0 {
        tracing::info!(expired, "gap facts refreshed for expired levels");
    }
    tracing::info!(removed, "housekeeping ran");
    Ok(Some(removed))
}

/// The e-mail digest round: at most one node scans for due digests every five minutes (each
/// account's digest is claimed on its own as well).
pub const DIGEST: Job = Job { name: "digest", every: Duration::from_secs(300) };

/// The loop every node runs while it serves: it wakes each minute and runs what is due.
pub async fn run(state: super::AppState, mailer: Option<crate::notifications::digest::Mailer>) {
    loop {
        if let Err(e) = housekeeping(&state.pool).await {
            tracing::warn!(error = %e, "housekeeping failed; will retry");
        }
        if let Some(mailer) = &mailer {
            // Sign-in codes by e-mail: every minute, rows claimed one by one (any node).
            if let Err(e) = crate::accounts::codes::send_outbox(&state, mailer).await {
                tracing::warn!(error = %e, "sign-in code mails failed; will retry");
            }
            match claim(&state.pool, &DIGEST).await {
                Ok(true) => {
                    if let Err(e) = crate::notifications::digest::send_due(&state, mailer, state.clock.now()).await {
                        tracing::warn!(error = %e, "e-mail digest failed; will retry");
                    }
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "e-mail digest not claimed; will retry"),
            }
        }
        tokio::time::sleep(Duration::from_secs(60)).await;
    }
}
