//! Did it work? For every training, provider, form and informal activity type: how many
//! participants were measured, their validated level before versus the first validated level
//! after, and what one level gained cost. Classroom or colleague: the figures side by side.

use axum::{extract::State, response::Response};

use super::model::rupiah;
use crate::app::context::Val;
use crate::{
    app::{Access, AppResult, AppState, Ctx, Routes, render::render},
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
    by_training: Vec<EffectRow>,
    by_provider: Vec<EffectRow>,
    by_form: Vec<EffectRow>,
    by_kind: Vec<EffectRow>,
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
}

async fn effect(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let pool = state.reader(&ctx).await;
    let by_training = sqlx::query_as!(
        EffectRow,
        r#"
        select title as "label!", 1::bigint as "trainings!", measured as "measured!", before::float8 as "before?", after::float8 as "after?",
               (after - before)::float8 as "gain?", gained::bigint as "levels_gained!", cost as "cost!", reaction::float8 as "reaction?"
        from training_effect_summary order by measured = 0, gained desc, title"#
    )
    .fetch_all(pool)
    .await?;
    let by_provider = sqlx::query_as!(
        EffectRow,
        r#"
        select provider as "label!", count(*) as "trainings!", sum(measured)::bigint as "measured!",
               (sum(before * measured) / nullif(sum(measured), 0))::float8 as before,
               (sum(after * measured) / nullif(sum(measured), 0))::float8 as after,
               ((sum(after * measured) - sum(before * measured)) / nullif(sum(measured), 0))::float8 as gain,
               sum(gained)::bigint as "levels_gained!", sum(cost)::bigint as "cost!", avg(reaction)::float8 as reaction
        from training_effect_summary group by provider order by provider"#
    )
    .fetch_all(pool)
    .await?;
    let by_form = sqlx::query_as!(
        EffectRow,
        r#"
        select form as "label!", count(*) as "trainings!", sum(measured)::bigint as "measured!",
               (sum(before * measured) / nullif(sum(measured), 0))::float8 as before,
               (sum(after * measured) / nullif(sum(measured), 0))::float8 as after,
               ((sum(after * measured) - sum(before * measured)) / nullif(sum(measured), 0))::float8 as gain,
               sum(gained)::bigint as "levels_gained!", sum(cost)::bigint as "cost!", avg(reaction)::float8 as reaction
        from training_effect_summary group by form order by form"#
    )
    .fetch_all(pool)
    .await?;
    // Informal development costs the budget nothing; its effect is measured the same way.
    let by_kind = sqlx::query_as!(
        EffectRow,
        r#"
        select kind as "label!", count(distinct activity_id) as "trainings!", count(after_level) as "measured!",
               avg(before_level) filter (where after_level is not null)::float8 as before, avg(after_level)::float8 as after,
               avg(after_level - before_level)::float8 as gain,
               coalesce(sum(greatest(after_level - before_level, 0)) filter (where after_level is not null), 0)::bigint as "levels_gained!",
               0::bigint as "cost!", null::float8 as "reaction?"
        from activity_effect group by kind order by kind"#
    )
    .fetch_all(pool)
    .await?;
    render(&EffectPage { ctx, by_training, by_provider, by_form, by_kind })
}
