//! What a node computes when it starts, so that the first reader of a department-wide page
//! after a start does not wait for it: HR's home, and for each HR account its approval queue and
//! counts, its gap summary, its skills matrix (unfiltered, in the first language) and its talent
//! map (first page, every box) and succession pool; then the count of the department's
//! activities and the development effect. Kept afterwards like every costly result: refreshed
//! ahead after writes while read lately.
//! At 100 000 staff the first views took 0.2-0.5 s each (the home 0.5 s, the matrix 0.45 s).

use crate::{AppState, auth::Role, i18n::Lang};

/// HR accounts warmed at most (an agency has a handful).
const HR_ACCOUNTS: i64 = 20;

pub async fn run(state: AppState) {
    let started = std::time::Instant::now();
    match for_hr(&state).await {
        Ok(()) => tracing::info!(took_ms = started.elapsed().as_millis() as u64, "computed HR's first pages"),
        Err(e) => tracing::warn!(error = ?e, "computing HR's first pages at start"),
    }
}

async fn for_hr(state: &AppState) -> Result<(), crate::app::AppError> {
    let today = state.clock.today(state.settings.get(&state.pool).await?.time_zone);
    crate::home::warm(state, today).await?;
    let accounts: Vec<i64> = sqlx::query_scalar!(
        "select a.id from accounts a join account_roles r on r.account_id = a.id and r.role = $1
         where a.disabled_at is null order by a.last_login_at desc nulls last, a.id limit $2",
        Role::Hr.as_str(),
        HR_ACCOUNTS,
    )
    .fetch_all(&state.pool)
    .await?;
    for id in accounts {
        let Some(user) = crate::auth::session::load_account(&state.pool, id).await? else { continue };
        crate::approvals::warm(state, &user, today, Lang::Id).await?;
        crate::gaps::routes::warm(state, &user, today, Lang::Id).await?;
        crate::talent::warm(state, &user, today).await?;
    }
    // The count of the department's activities (the staff list's pager), the same for all.
    crate::development::activities::warm(state).await?;
    // Last: the development effect takes seconds in a large department and is the same for all.
    crate::development::effect::warm(state).await
}
