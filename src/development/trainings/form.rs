//! The training form: the new-training page with its target rows, an existing training's
//! fields loaded for editing.

use super::*;

/// The target rows of a new training, checked: each row empty or a known active competency with
/// a level 1–5, no competency twice. Errors go to the row's competency field (`tc1`…).
pub(super) async fn check_targets(
    conn: &mut PgConnection,
    f: &TrainingInput,
    errors: &mut FieldErrors,
) -> Result<Vec<(i64, Level)>, sqlx::Error> {
    let rows: Vec<(usize, &str, &str)> =
        (1..=TARGET_ROWS).map(|i| (i, f.target(i).0.trim(), f.target(i).1.trim())).collect();
    let ids: Vec<i64> = rows.iter().filter_map(|(_, c, _)| c.parse::<i64>().ok()).collect();
    let known: Vec<i64> = if ids.is_empty() {
        vec![]
    } else {
        sqlx::query_scalar!("select id from competencies where id = any($1) and active", &ids)
            .fetch_all(&mut *conn)
            .await?
    };
    let mut out: Vec<(i64, Level)> = vec![];
    for (i, c, l) in rows {
        if c.is_empty() && l.is_empty() {
            continue;
        }
        const FIELDS: [&str; TARGET_ROWS] = ["tc1", "tc2", "tc3", "tc4"];
        let field = FIELDS[i - 1];
        let competency = c.parse::<i64>().ok().filter(|id| known.contains(id));
        let level = Level::parse(l).ok();
        match (competency, level) {
            (Some(c), Some(_)) if out.iter().any(|(o, _)| *o == c) => errors.add(field, "trnf.err.target_twice"),
            (Some(c), Some(l)) => out.push((c, l)),
            _ => errors.add(field, "trnf.err.target_row"),
        }
    }
    Ok(out)
}

#[derive(askama::Template)]
#[template(path = "development/training_form.html")]
pub(super) struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: TrainingInput,
    errors: FieldErrors,
    forms: &'static [TrainingForm],
    jenis: Vec<(String, String)>,
    latihan: Vec<(String, String)>,
    statuses: &'static [TrainingStatus],
    providers: Vec<Opt>,
    units: Vec<UnitOption>,
    edit: EditState,
    label_prefix: &'static str,
    competencies: Vec<Opt>,
    levels: [Level; 5],
}

pub(super) async fn form_page(
    state: &AppState,
    ctx: Ctx,
    id: Option<i64>,
    form: TrainingInput,
    errors: FieldErrors,
    edit: EditState,
) -> AppResult<Response> {
    let mut conn = state.pool.acquire().await?;
    let providers = db::provider_options(&mut conn).await?;
    let units = unit_options(&mut conn).await?;
    let competencies = if id.is_none() { competency_options(&mut conn, ctx.lang.is_en()).await? } else { vec![] };
    let status = edit.status(&errors);
    let page = FormPage {
        ctx,
        id,
        form,
        errors,
        forms: TrainingForm::ALL,
        jenis: crate::siasn::refs::options(&mut conn, "jenis_diklat").await?,
        latihan: crate::siasn::refs::options(&mut conn, "latihan_struktural").await?,
        statuses: TrainingStatus::ALL,
        providers,
        units,
        edit,
        label_prefix: "trn",
        competencies,
        levels: Level::ALL,
    };
    render_status(status, &page)
}

pub(super) async fn new_form(State(state): State<AppState>, ctx: Ctx) -> AppResult<Response> {
    let top: Option<i64> =
        sqlx::query_scalar!("select id from units where parent_id is null order by sort_key limit 1")
            .fetch_optional(&state.pool)
            .await?;
    let form = TrainingInput {
        form: "teknis".into(),
        jenis_diklat: "3".into(),
        budget_year: ctx.today.year().to_string(),
        budget_unit: top.map(|t| t.to_string()).unwrap_or_default(),
        status: "planned".into(),
        cost_per_participant: "0".into(),
        fixed_cost: "0".into(),
        ..Default::default()
    };
    form_page(&state, ctx, None, form, FieldErrors::default(), EditState::create()).await
}

pub(super) async fn load_form(
    conn: &mut PgConnection,
    id: i64,
    lock: bool,
) -> Result<Option<(i64, TrainingInput)>, sqlx::Error> {
    // One statement, with or without the training's row lock.
    macro_rules! load {
        ($tail:tt) => {
            sqlx::query_as!(
                TrainingRow,
                r#"select version, title, form, jenis_diklat, siasn_ref, provider_id, place, online, starts_on, ends_on,
                        jp::float8 as "jp!", cost_per_participant, fixed_cost, budget_year, budget_unit_id, budget_line, quota, status
                 from trainings where id = $1"#
                    + $tail,
                id,
            )
            .fetch_optional(conn)
            .await?
        };
    }
    let row = if lock { load!(" for update") } else { load!("") };
    Ok(row.map(|r| {
        (
            r.version,
            TrainingInput {
                title: r.title,
                form: r.form,
                jenis_diklat: r.jenis_diklat.to_string(),
                siasn_ref: r.siasn_ref,
                provider: r.provider_id.map(|p| p.to_string()).unwrap_or_default(),
                place: r.place,
                online: if r.online { "on".into() } else { String::new() },
                starts_on: r.starts_on.to_string(),
                ends_on: r.ends_on.to_string(),
                jp: jp_plain(r.jp),
                cost_per_participant: r.cost_per_participant.to_string(),
                fixed_cost: r.fixed_cost.to_string(),
                budget_year: r.budget_year.to_string(),
                budget_unit: r.budget_unit_id.to_string(),
                budget_line: r.budget_line,
                quota: r.quota.to_string(),
                status: r.status,
                ..Default::default()
            },
        )
    }))
}
