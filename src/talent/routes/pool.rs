//! The succession pool: key positions and their candidates, and marking a position key.

use axum::http::StatusCode;

use super::*;

/// The candidates listed under each key position on the page (closest first); the rest are
/// one click away (`?position=`) and in the exports. A department of 100 000 staff rated every
/// year has thousands in boxes 7–9.
pub(super) const PER_KEY: i64 = 10;

#[derive(askama::Template)]
#[template(path = "talent/pool.html")]
pub(super) struct PoolPage {
    ctx: Ctx,
    year: i32,
    data: std::sync::Arc<PoolData>,
    /// The key position whose every candidate is listed, if one was asked for.
    only: Option<i64>,
    /// The position HR may mark as key (HR only).
    mark: emp_db::PositionChoice,
}

impl PoolPage {
    fn keys(&self) -> &[KeyPosition] {
        &self.data.keys
    }

    fn of(&self, position: &i64) -> Vec<&Candidate> {
        self.data.candidates.iter().filter(|c| c.position_id == *position).collect()
    }

    /// Whether the key position is on the page (all are, unless one was asked for).
    fn shown(&self, position: &i64) -> bool {
        self.only.is_none_or(|o| o == *position)
    }

    /// How many of the position's candidates are not listed (0 when all are).
    fn more(&self, position: &i64) -> i64 {
        let cs = self.of(position);
        cs.first().map_or(0, |c| c.of_position - cs.len() as i64)
    }
}

/// The key positions in reach and their candidates, as a page lists them.
pub(in crate::talent) struct PoolData {
    keys: Vec<KeyPosition>,
    candidates: Vec<Candidate>,
}

impl crate::app::versioned::Weigh for PoolData {
    fn bytes(&self) -> usize {
        crate::app::versioned::rows_bytes(&self.candidates, 160)
            + crate::app::versioned::rows_bytes(&self.keys, 96)
            + 256
    }
}

/// The pool as the page lists it, kept per version of the records (it places everyone in the
/// reader's reach to find boxes 7–9: ~0.4 s at 100 000 staff).
async fn pool_data(
    state: &AppState,
    scope: &crate::auth::Scope,
    year: i32,
    view: db::PoolView,
) -> AppResult<std::sync::Arc<PoolData>> {
    let scope = scope.under(&state.pool, "").await?;
    let key = format!("talent.pool:{year}:{}:{:?}:{:?}", scope.key(), view.per_position, view.position);
    state
        .versions
        .get_in(crate::app::versioned::Depends::All, &state.pool, key, move |conn| {
            Box::pin(async move {
                let keys = db::key_positions(conn, &scope).await?;
                let candidates = db::candidates(conn, year, &scope, view).await?;
                Ok::<_, sqlx::Error>(PoolData { keys, candidates })
            })
        })
        .await
        .map_err(AppError::from)
}

/// Keeps HR's pool of the current rating year ready (the start-up warm).
pub(super) async fn warm_pool(state: &AppState, user: &CurrentUser, today: chrono::NaiveDate) -> AppResult<()> {
    let mut conn = state.pool.acquire().await?;
    let year = db::default_year(&mut conn, today.year()).await?;
    drop(conn);
    pool_data(state, &user.scope(), year, db::PoolView { per_position: Some(PER_KEY), position: None }).await?;
    Ok(())
}

pub(super) fn pool_table(ctx: &Ctx, keys: &[KeyPosition], candidates: &[Candidate]) -> Table {
    let name =
        |id: i64| keys.iter().find(|k| k.id == id).map(|k| format!("{} ({})", k.name, k.unit)).unwrap_or_default();
    Table {
        name: "succession-pool",
        headers: export::keys(&[
            "tal.col.key_position",
            "col.nip",
            "col.name",
            "col.position",
            "col.unit",
            "tal.col.box",
            "tal.col.met",
            "tal.col.short",
            "tal.col.unknown",
            "tal.col.levels_short",
        ]),
        rows: candidates
            .iter()
            .map(|c| {
                vec![
                    name(c.position_id),
                    c.nip.clone(),
                    c.name.clone(),
                    c.current_position.clone(),
                    c.unit.clone(),
                    c.nine_box.to_string(),
                    c.met.to_string(),
                    c.short.to_string(),
                    c.unknown.to_string(),
                    c.levels_short.to_string(),
                ]
            })
            .chain(keys.iter().filter(|k| !candidates.iter().any(|c| c.position_id == k.id)).map(|k| {
                let mut r = vec![name(k.id), String::new(), ctx.t("tal.pool_none").to_string()];
                r.resize(10, String::new());
                r
            }))
            .collect(),
    }
}

/// The succession pool: boxes 7–9 against each key position in reach, with their gap.
pub(in crate::talent) async fn pool(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<MapQuery>,
) -> AppResult<Response> {
    pool_page(&state, ctx, &user, q, None).await
}

/// The pool page; `mark` is HR's choice of a key position as sent, when it named none.
async fn pool_page(
    state: &AppState,
    ctx: Ctx,
    user: &CurrentUser,
    q: MapQuery,
    mark: Option<emp_db::PositionChoice>,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let year = match year_of(&q.year) {
        Some(y) => y,
        None => db::default_year(&mut conn, ctx.today.year()).await?,
    };
    let scope = user.scope();
    if q.format == "pdf" || export::wanted(&q.format) {
        let keys = db::key_positions(&mut conn, &scope).await?;
        let candidates = db::candidates(&mut conn, year, &scope, db::PoolView::default()).await?;
        return pool_export(&ctx, &q.format, year, &keys, &candidates);
    }
    let status = if mark.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mark = match mark {
        Some(mark) => mark.offered(state, &mut conn).await?,
        None if ctx.is_hr() => emp_db::PositionChoice::offer(state, &mut conn, None, None).await?,
        None => emp_db::PositionChoice::default(),
    };
    drop(conn);
    let only = q.position.trim().parse::<i64>().ok();
    let view = match only {
        Some(p) => db::PoolView { per_position: None, position: Some(p) },
        None => db::PoolView { per_position: Some(PER_KEY), position: None },
    };
    let data = pool_data(state, &scope, year, view).await?;
    if only.is_some() && data.keys.iter().all(|k| Some(k.id) != only) {
        return Err(AppError::NotFound);
    }
    render_status(status, &PoolPage { ctx, year, data, only, mark })
}

/// The whole pool as PDF, XLSX or CSV: every candidate of every key position.
fn pool_export(
    ctx: &Ctx,
    format: &str,
    year: i32,
    keys: &[KeyPosition],
    candidates: &[Candidate],
) -> AppResult<Response> {
    if format == "pdf" {
        let t = pool_table(ctx, keys, candidates);
        let title = format!("{} {year}", ctx.t("tal.pool_title"));
        let meta = pdf::meta(ctx, title.clone(), true);
        let blocks = vec![
            Block::Heading(title),
            Block::Table { headers: t.headers.iter().map(|h| ctx.t(h).to_string()).collect(), rows: t.rows },
        ];
        return Ok(pdf::response(&format!("kelompok-suksesi-{year}"), pdf::render(&meta, &blocks)));
    }
    let mut kinds = vec![Kind::Text; 5];
    kinds.extend([Kind::Integer; 5]);
    let f = export::file_with(ctx, format, &pool_table(ctx, keys, candidates), &Columns { kinds, totals: None })?;
    Ok(axum::response::IntoResponse::into_response(f))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(in crate::talent) struct KeyForm {
    position: String,
    /// The position typed, where there are too many to list.
    position_q: String,
    key: String,
}

/// HR marks a position as key (or not).
pub(in crate::talent) async fn set_key(
    State(state): State<AppState>,
    ctx: Ctx,
    user: CurrentUser,
    Form(f): Form<KeyForm>,
) -> AppResult<Response> {
    let key = f.key == "1";
    let mut tx = state.pool.begin().await?;
    let choice = emp_db::PositionChoice::read(&mut *tx, &f.position, &f.position_q, None).await?;
    if choice.error.is_some() {
        // A typed text that named no single position: the page again, the text kept and its
        // matches offered to tick.
        drop(tx);
        return pool_page(&state, ctx, &user, MapQuery::default(), Some(choice)).await;
    }
    let Some(position) = choice.chosen else {
        return Ok(redirect_flash("/talent/pool", FlashKind::Err, "tal.err.position"));
    };
    let before: Option<bool> = sqlx::query_scalar!("select is_key from positions where id = $1 for update", position)
        .fetch_optional(&mut *tx)
        .await?;
    let Some(before) = before else {
        return Ok(redirect_flash("/talent/pool", FlashKind::Err, "tal.err.position"));
    };
    if before != key {
        sqlx::query!("update positions set is_key = $2, version = version + 1 where id = $1", position, key)
            .execute(&mut *tx)
            .await?;
        audit::record(
            &mut tx,
            &Actor::from_ctx(&ctx),
            "position",
            position,
            "key_position",
            Some(json!({"is_key": before})),
            Some(json!({"is_key": key})),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(redirect_flash("/talent/pool", FlashKind::Ok, "flash.saved"))
}
