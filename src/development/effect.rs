//! Did it work? For every training, provider, form and informal activity type: how many
//! participants were measured, their validated level before versus the first validated level
//! after, and what one level gained cost. Classroom or colleague: the figures side by side.

use std::sync::Arc;

use axum::{
    extract::{Query, State},
    response::Response,
};

use super::model::rupiah;
use crate::app::context::Val;
use crate::{
    app::{
        Access, AppResult, AppState, Ctx, Routes,
        paging::{PER_PAGE, Pager},
        render::render,
    },
    auth::Role,
};

pub fn routes() -> Routes {
    Routes::new().get("/development/effect", Access::AnyOf(&[Role::Hr, Role::Head]), effect)
}

/// One line of the effect table: a training, a provider, a form or an informal type.
#[derive(Clone, Debug)]
pub struct EffectRow {
    /// The training, provider, form or kind (forms and kinds are stored values, labelled in the page).
    pub label: String,
    pub trainings: i64,
    /// Participant × competency pairs with a level measured after.
    pub measured: i64,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub gain: Option<f64>,
    pub levels_gained: i64,
    pub cost: i64,
    /// Reaction: mean of the four evaluation scores.
    pub reaction: Option<f64>,
}

impl EffectRow {
    pub fn cost_per_level(&self) -> Option<i64> {
        (self.levels_gained > 0).then(|| self.cost / self.levels_gained)
    }
}

#[derive(askama::Template)]
#[template(path = "development/effect.html")]
struct EffectPage {
    ctx: Ctx,
    data: Arc<EffectData>,
    /// This page of the trainings (50 a page: 13 000 completed trainings at 100 000 staff were a
    /// 4 MB page).
    pager: Pager,
}

impl EffectPage {
    fn money(&self, v: impl Val<i64>) -> String {
        rupiah(v.val())
    }

    fn num(&self, v: &Option<f64>) -> String {
        match v {
            Some(x) => crate::app::num::fixed(*x, 2, self.ctx.lang),
            None => "—".into(),
        }
    }

    fn cpl(&self, r: &EffectRow) -> String {
        r.cost_per_level().map(rupiah).unwrap_or_else(|| "—".into())
    }

    fn by_training(&self) -> &[EffectRow] {
        let from = ((self.pager.page - 1) * self.pager.per_page) as usize;
        let rows = &self.data.by_training;
        &rows[from.min(rows.len())..(from + self.pager.per_page as usize).min(rows.len())]
    }
}

/// The effect of every completed training (measured first, most levels gained first), provider,
/// form and informal kind: kept per version of the records. It reads every participant's levels
/// before and after (13 000 trainings and 700 000 informal learners at 100 000 staff: seconds),
/// so a page after a write shows the previous figures while one background task computes them.
pub struct EffectData {
    by_training: Vec<EffectRow>,
    by_provider: Vec<EffectRow>,
    by_form: Vec<EffectRow>,
    by_kind: Vec<EffectRow>,
}

impl crate::app::versioned::Weigh for EffectData {
    fn bytes(&self) -> usize {
        let n = self.by_training.len() + self.by_provider.len() + self.by_form.len() + self.by_kind.len();
        n * (std::mem::size_of::<EffectRow>() + 48) + 256
    }
}

/// The figures, from one pass over the trainings' summary and one over informal learning.
async fn compute(conn: &mut sqlx::PgConnection) -> Result<EffectData, sqlx::Error> {
    let rows = sqlx::query!(
        r#"
        with s as materialized (select * from training_effect_summary),
        g as (
          select 'training' as grp, title as label, 1::bigint as trainings, measured, before::float8 as before,
                 after::float8 as after, (after - before)::float8 as gain, gained::bigint as gained, cost,
                 reaction::float8 as reaction,
                 row_number() over (order by measured = 0, gained desc, title, training_id) as ord
          from s
          union all
          -- Per provider and per form: one aggregate over both groupings.
          select case when grouping(provider) = 0 then 'provider' else 'form' end,
                 coalesce(provider, form), count(*), sum(measured)::bigint,
                 (sum(before * measured) / nullif(sum(measured), 0))::float8,
                 (sum(after * measured) / nullif(sum(measured), 0))::float8,
                 ((sum(after * measured) - sum(before * measured)) / nullif(sum(measured), 0))::float8,
                 sum(gained)::bigint, sum(cost)::bigint, avg(reaction)::float8,
                 row_number() over (partition by grouping(provider) order by coalesce(provider, form))
          from s group by grouping sets ((provider), (form)))
        select grp as "grp!", label as "label!", trainings as "trainings!", measured as "measured!", before, after,
               gain, gained as "levels_gained!", cost as "cost!", reaction
        from g order by grp, ord"#
    )
    .fetch_all(&mut *conn)
    .await?;
    let mut data = EffectData { by_training: vec![], by_provider: vec![], by_form: vec![], by_kind: vec![] };
    for r in rows {
        let row = EffectRow {
            label: r.label,
            trainings: r.trainings,
            measured: r.measured,
            before: r.before,
            after: r.after,
            gain: r.gain,
            levels_gained: r.levels_gained,
            cost: r.cost,
            reaction: r.reaction,
        };
        match r.grp.as_str() {
            "training" => data.by_training.push(row),
            "provider" => data.by_provider.push(row),
            _ => data.by_form.push(row),
        }
    }
    // Informal development costs the budget nothing; its effect is measured the same way.
    data.by_kind = sqlx::query_as!(
        EffectRow,
        r#"
        select kind as "label!", count(distinct activity_id) as "trainings!", count(after_level) as "measured!",
               avg(before_level) filter (where after_level is not null)::float8 as before, avg(after_level)::float8 as after,
               avg(after_level - before_level)::float8 as gain,
               coalesce(sum(greatest(after_level - before_level, 0)) filter (where after_level is not null), 0)::bigint as "levels_gained!",
               0::bigint as "cost!", null::float8 as "reaction?"
        from activity_effect group by kind order by kind"#
    )
    .fetch_all(&mut *conn)
    .await?;
    Ok(data)
}

async fn kept(state: &AppState) -> AppResult<Arc<EffectData>> {
    state
        .versions
        .get(&state.pool, "development.effect".to_string(), |conn| Box::pin(compute(conn)))
        .await
        .map_err(crate::app::AppError::from)
}

/// Computes the figures when a node starts (they take seconds in a large department).
pub async fn warm(state: &AppState) -> AppResult<()> {
    kept(state).await.map(|_| ())
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
struct EffectQuery {
    page: Option<i64>,
}

async fn effect(State(state): State<AppState>, ctx: Ctx, Query(q): Query<EffectQuery>) -> AppResult<Response> {
    let data = kept(&state).await?;
    let pages = ((data.by_training.len() as i64 + PER_PAGE - 1) / PER_PAGE).max(1);
    let pager = Pager::new(Some(q.page.unwrap_or(1).clamp(1, pages)), data.by_training.len() as i64, String::new())
        .at("by-training");
    render(&EffectPage { ctx, data, pager })
}
