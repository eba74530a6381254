//! A training's fields checked, and the training as a versioned record (`edit::save`).

use super::*;

pub(super) async fn check(
    conn: &mut PgConnection,
    f: &TrainingInput,
    errors: &mut FieldErrors,
) -> Result<Option<Checked>, sqlx::Error> {
    let title = required_text(errors, "title", &f.title, 300);
    let form = TrainingForm::parse(&f.form);
    if form.is_none() {
        errors.add("form", "trn.err.form");
    }
    let jenis = match f.jenis_diklat.trim().parse::<i16>() {
        Ok(j) if refs::known(&mut *conn, "jenis_diklat", &j.to_string()).await? => Some(j),
        _ => None,
    };
    if jenis.is_none() {
        errors.add("jenis_diklat", "trn.err.jenis");
    }
    // The leadership type: from SIASN's list, and only for structural training (jenis 1).
    let siasn_ref = f.siasn_ref.trim().to_string();
    let ref_ok = match siasn_ref.as_str() {
        "" => true,
        r => jenis == Some(1) && refs::known(&mut *conn, "latihan_struktural", r).await?,
    };
    if !ref_ok {
        errors.add("siasn_ref", "siasn.trn.err.latihan");
    }
    let provider = if f.provider.trim().is_empty() {
        None
    } else {
        let found: Option<i64> = match f.provider.trim().parse::<i64>() {
            Ok(p) => {
                sqlx::query_scalar!("select id from providers where id = $1", p).fetch_optional(&mut *conn).await?
            }
            Err(_) => None,
        };
        if found.is_none() {
            errors.add("provider", "trn.err.provider");
        }
        found
    };
    let place = clean_text(&f.place, 300).map_err(|k| errors.add("place", k)).unwrap_or_default();
    let online = f.online == "on";
    if place.is_empty() && !online {
        errors.add("place", "trn.err.place");
    }
    let starts_on = parse_date(&f.starts_on);
    if starts_on.is_none() {
        errors.add("starts_on", "form.bad_date");
    }
    let ends_on = parse_date(&f.ends_on);
    match (starts_on, ends_on) {
        (_, None) => errors.add("ends_on", "form.bad_date"),
        (Some(s), Some(e)) if e < s => errors.add("ends_on", "trn.err.end_before_start"),
        _ => {}
    }
    let jp = Jp::parse(&f.jp).map_err(|k| errors.add("jp", k)).ok();
    let cpp = Rupiah::parse(&f.cost_per_participant).map_err(|k| errors.add("cost_per_participant", k)).ok();
    let fixed = Rupiah::parse(&f.fixed_cost).map_err(|k| errors.add("fixed_cost", k)).ok();
    let year = f.budget_year.trim().parse::<i32>().ok().filter(|y| (2000..=2100).contains(y));
    if year.is_none() {
        errors.add("budget_year", "trn.err.year");
    }
    let unit: Option<i64> = match f.budget_unit.trim().parse::<i64>() {
        Ok(u) => sqlx::query_scalar!("select id from units where id = $1", u).fetch_optional(&mut *conn).await?,
        Err(_) => None,
    };
    if unit.is_none() {
        errors.add("budget_unit", "trn.err.budget_unit");
    }
    let line = clean_text(&f.budget_line, 200).map_err(|k| errors.add("budget_line", k)).unwrap_or_default();
    let quota = f.quota.trim().parse::<i32>().ok().filter(|q| (1..=10000).contains(q));
    if quota.is_none() {
        errors.add("quota", "trn.err.quota");
    }
    let status = TrainingStatus::parse(&f.status);
    if status.is_none() {
        errors.add("status", "trn.err.status");
    }
    Ok(match (form, jenis, starts_on, ends_on, jp, cpp, fixed, year, unit, quota, status) {
        (
            Some(form),
            Some(jenis),
            Some(starts_on),
            Some(ends_on),
            Some(jp),
            Some(cpp),
            Some(fixed),
            Some(year),
            Some(unit),
            Some(quota),
            Some(status),
        ) if errors.is_empty() => Some(Checked {
            title,
            form,
            jenis,
            siasn_ref,
            provider,
            place,
            online,
            starts_on,
            ends_on,
            jp,
            cpp,
            fixed,
            year,
            unit,
            line,
            quota,
            status,
        }),
        _ => None,
    })
}

pub(super) async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select to_jsonb(t) - 'created_at' - 'updated_at' as "snapshot!" from trainings t where id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// A training, edited through its versioned form (`edit::save`). A new training takes its target
/// competencies with it.
pub(super) struct TrainingRecord;

impl edit::Editable for TrainingRecord {
    type Form = TrainingInput;
    type Checked = (Checked, Vec<(i64, Level)>);
    const ENTITY: &'static str = "training";
    const LIST: &'static str = "/trainings";

    async fn load(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, TrainingInput)>, sqlx::Error> {
        load_form(conn, id, lock).await
    }

    async fn check(
        conn: &mut PgConnection,
        id: Option<i64>,
        form: &TrainingInput,
        errors: &mut FieldErrors,
    ) -> Result<Option<Self::Checked>, sqlx::Error> {
        let checked = check(&mut *conn, form, errors).await?;
        // The quota cannot fall below the participants already taken on.
        if let (Some(c), Some(id)) = (&checked, id) {
            let taken: i64 = sqlx::query_scalar!(
                r#"select count(*) as "n!" from training_participants where training_id = $1 and status <> 'rejected'"#,
                id,
            )
            .fetch_one(&mut *conn)
            .await?;
            if i64::from(c.quota) < taken {
                errors.add("quota", "trn.err.quota_below_participants");
            }
        }
        let targets = if id.is_none() { check_targets(&mut *conn, form, errors).await? } else { vec![] };
        Ok(checked.map(|c| (c, targets)))
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
        snapshot(conn, id).await
    }

    async fn write(
        conn: &mut PgConnection,
        id: Option<i64>,
        _: &TrainingInput,
        (c, targets): &Self::Checked,
    ) -> Result<i64, sqlx::Error> {
        let saved: i64 = match id {
            Some(id) => {
                sqlx::query_scalar!(
                    "update trainings set title = $1, form = $2, jenis_diklat = $3, siasn_ref = $4, provider_id = $5, place = $6,
                            online = $7, starts_on = $8, ends_on = $9, jp = round($10::float8::numeric, 1), cost_per_participant = $11,
                            fixed_cost = $12, budget_year = $13, budget_unit_id = $14, budget_line = $15, quota = $16, status = $17
                     where id = $18 returning id",
                    &c.title,
                    c.form.as_str(),
                    c.jenis,
                    &c.siasn_ref,
                    c.provider,
                    &c.place,
                    c.online,
                    c.starts_on,
                    c.ends_on,
                    c.jp.get(),
                    c.cpp.get(),
                    c.fixed.get(),
                    c.year,
                    c.unit,
                    &c.line,
                    c.quota,
                    c.status.as_str(),
                    id,
                )
                .fetch_one(&mut *conn)
                .await?
            }
            None => {
                sqlx::query_scalar!(
                    "insert into trainings (title, form, jenis_diklat, siasn_ref, provider_id, place, online, starts_on, ends_on, jp,
                                            cost_per_participant, fixed_cost, budget_year, budget_unit_id, budget_line, quota, status)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, round($10::float8::numeric, 1), $11, $12, $13, $14, $15, $16, $17)
                     returning id",
                    &c.title,
                    c.form.as_str(),
                    c.jenis,
                    &c.siasn_ref,
                    c.provider,
                    &c.place,
                    c.online,
                    c.starts_on,
                    c.ends_on,
                    c.jp.get(),
                    c.cpp.get(),
                    c.fixed.get(),
                    c.year,
                    c.unit,
                    &c.line,
                    c.quota,
                    c.status.as_str(),
                )
                .fetch_one(&mut *conn)
                .await?
            }
        };
        if !targets.is_empty() {
            let (competencies, levels): (Vec<i64>, Vec<i16>) = targets.iter().map(|(c, l)| (*c, l.get())).unzip();
            sqlx::query!(
                "insert into training_competencies (training_id, competency_id, target_level)
                 select $1, c, l from unnest($2::bigint[], $3::smallint[]) as x(c, l)",
                saved,
                &competencies,
                &levels,
            )
            .execute(&mut *conn)
            .await?;
        }
        Ok(saved)
    }

    /// A new training's targets, each in the audit log.
    async fn after(
        conn: &mut PgConnection,
        actor: &Actor,
        edited: Option<i64>,
        saved: i64,
        _: (Option<&serde_json::Value>, Option<&serde_json::Value>),
    ) -> Result<(), sqlx::Error> {
        if edited.is_some() {
            return Ok(());
        }
        let targets = sqlx::query!(
            "select competency_id, target_level from training_competencies where training_id = $1 order by competency_id",
            saved,
        )
        .fetch_all(&mut *conn)
        .await?;
        for t in targets {
            let (c, l) = (t.competency_id, t.target_level);
            let target = json!({"competency_id": c, "target_level": l});
            audit::record(&mut *conn, actor, "training", saved, "target_set", None, Some(target)).await?;
        }
        Ok(())
    }

    fn location(saved: i64) -> String {
        format!("/trainings/{saved}")
    }

    async fn page(
        state: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: TrainingInput,
        errors: FieldErrors,
        edit: EditState,
    ) -> AppResult<Response> {
        form_page(state, ctx, id, form, errors, edit).await
    }
}
