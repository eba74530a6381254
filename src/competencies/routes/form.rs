//! The competency form, and the competency as a versioned record (`edit::save`).

use super::*;

#[derive(Deserialize, serde::Serialize, Default, Clone, Debug)]
#[serde(default)]
pub struct CompForm {
    pub code: String,
    pub kind: String,
    pub area: String,
    pub name_id: String,
    pub name_en: String,
    pub description_id: String,
    pub description_en: String,
    pub framework_ref: String,
    pub active: Option<String>,
    pub validity_months: String,
    pub l1_id: String,
    pub l1_en: String,
    pub l2_id: String,
    pub l2_en: String,
    pub l3_id: String,
    pub l3_en: String,
    pub l4_id: String,
    pub l4_en: String,
    pub l5_id: String,
    pub l5_en: String,
}

impl CompForm {
    fn levels(&self) -> [(&'static str, &str, &'static str, &str); 5] {
        [
            ("l1_id", &self.l1_id, "l1_en", &self.l1_en),
            ("l2_id", &self.l2_id, "l2_en", &self.l2_en),
            ("l3_id", &self.l3_id, "l3_en", &self.l3_en),
            ("l4_id", &self.l4_id, "l4_en", &self.l4_en),
            ("l5_id", &self.l5_id, "l5_en", &self.l5_en),
        ]
    }

    /// (level number, field name of the id text, its value, field of the en text, its value)
    pub fn level_fields(&self) -> Vec<(i16, &'static str, String, &'static str, String)> {
        self.levels()
            .iter()
            .enumerate()
            .map(|(i, (a, av, b, bv))| (i as i16 + 1, *a, av.to_string(), *b, bv.to_string()))
            .collect()
    }
}

pub(super) struct Checked {
    code: CompetencyCode,
    kind: CompetencyKind,
    area: Area,
    texts: [String; 5],
    levels: Vec<(String, String)>,
    validity_months: i16,
}

pub(super) fn check(f: &CompForm) -> Result<Checked, FieldErrors> {
    let mut e = FieldErrors::default();
    let code = CompetencyCode::parse(&f.code).map_err(|k| e.add("code", k)).ok();
    let kind = CompetencyKind::parse(&f.kind);
    if kind.is_none() {
        e.add("kind", "comp.err.kind");
    }
    let area = Area::parse(&f.area);
    if area.is_none() {
        e.add("area", "comp.err.area");
    }
    let mut text = |field: &'static str, v: &str, max: usize, required: bool| {
        let t = clean_text(v, max).map_err(|k| e.add(field, k)).unwrap_or_default();
        if required && t.is_empty() {
            e.add(field, "form.required");
        }
        t
    };
    let texts = [
        text("name_id", &f.name_id, 200, true),
        text("name_en", &f.name_en, 200, true),
        text("description_id", &f.description_id, 2000, false),
        text("description_en", &f.description_en, 2000, false),
        text("framework_ref", &f.framework_ref, 40, false),
    ];
    let levels: Vec<(String, String)> =
        f.levels().iter().map(|(a, av, b, bv)| (text(a, av, 1000, true), text(b, bv, 1000, true))).collect();
    let validity = match f.validity_months.trim() {
        "" => Some(24),
        v => v.parse::<i16>().ok().filter(|m| (1..=120).contains(m)),
    };
    if validity.is_none() {
        e.add("validity_months", "comp.err.validity");
    }
    match (code, kind, area, validity, e.is_empty()) {
        (Some(code), Some(kind), Some(area), Some(validity_months), true) => {
            Ok(Checked { code, kind, area, texts, levels, validity_months })
        }
        _ => Err(e),
    }
}

#[derive(askama::Template)]
#[template(path = "competencies/form.html")]
pub(super) struct FormPage {
    ctx: Ctx,
    id: Option<i64>,
    form: CompForm,
    errors: FieldErrors,
    kinds: &'static [CompetencyKind],
    areas: &'static [Area],
    edit: EditState,
    label_prefix: &'static str,
}

pub(super) fn form_page(
    ctx: Ctx,
    id: Option<i64>,
    form: CompForm,
    errors: FieldErrors,
    edit: EditState,
) -> AppResult<Response> {
    let status = edit.status(&errors);
    let (kinds, areas) = (CompetencyKind::ALL, Area::ALL);
    render_status(status, &FormPage { ctx, id, form, errors, kinds, areas, edit, label_prefix: "comp" })
}

pub(super) async fn new_form(ctx: Ctx) -> AppResult<Response> {
    let form = CompForm {
        kind: "teknis".into(),
        active: Some("on".into()),
        validity_months: "24".into(),
        ..Default::default()
    };
    form_page(ctx, None, form, FieldErrors::default(), EditState::create())
}

/// A competency as its edit form shows it, with its version (`lock`: held until the transaction ends).
pub(super) async fn load_form(
    conn: &mut PgConnection,
    id: i64,
    lock: bool,
) -> Result<Option<(i64, CompForm)>, sqlx::Error> {
    let version = if lock {
        sqlx::query_scalar!("select version from competencies where id = $1 for update", id)
            .fetch_optional(&mut *conn)
            .await?
    } else {
        sqlx::query_scalar!("select version from competencies where id = $1", id).fetch_optional(&mut *conn).await?
    };
    let (Some(version), Some((c, levels))) = (version, find(conn, id).await?) else { return Ok(None) };
    let lv = |n: i16| levels.iter().find(|l| l.level == n).cloned();
    let d = |n: i16| lv(n).map(|l| (l.descriptor_id, l.descriptor_en)).unwrap_or_default();
    let (l1_id, l1_en) = d(1);
    let (l2_id, l2_en) = d(2);
    let (l3_id, l3_en) = d(3);
    let (l4_id, l4_en) = d(4);
    let (l5_id, l5_en) = d(5);
    let form = CompForm {
        code: c.code,
        kind: c.kind.to_string(),
        area: c.area.to_string(),
        name_id: c.name_id,
        name_en: c.name_en,
        description_id: c.description_id,
        description_en: c.description_en,
        framework_ref: c.framework_ref,
        active: c.active.then(|| "on".into()),
        validity_months: c.validity_months.to_string(),
        l1_id,
        l1_en,
        l2_id,
        l2_en,
        l3_id,
        l3_en,
        l4_id,
        l4_en,
        l5_id,
        l5_en,
    };
    Ok(Some((version, form)))
}

pub(super) async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select to_jsonb(c) - 'created_at' - 'updated_at' ||
                jsonb_build_object('levels', (select jsonb_agg(jsonb_build_object('level', level, 'id', descriptor_id, 'en', descriptor_en) order by level)
                                              from competency_levels where competency_id = c.id)) as "row!"
         from competencies c where id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

/// A competency, edited through its versioned form (`edit::save`).
pub(super) struct Competency;

impl edit::Editable for Competency {
    type Form = CompForm;
    type Checked = Checked;
    const ENTITY: &'static str = "competency";
    const LIST: &'static str = "/competencies";

    async fn load(conn: &mut PgConnection, id: i64, lock: bool) -> Result<Option<(i64, CompForm)>, sqlx::Error> {
        load_form(conn, id, lock).await
    }

    async fn check(
        _: &mut PgConnection,
        _: Option<i64>,
        form: &CompForm,
        errors: &mut FieldErrors,
    ) -> Result<Option<Checked>, sqlx::Error> {
        Ok(check(form).map_err(|e| *errors = e).ok())
    }

    async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
        snapshot(conn, id).await
    }

    async fn write(conn: &mut PgConnection, id: Option<i64>, form: &CompForm, c: &Checked) -> Result<i64, sqlx::Error> {
        let (texts, active) = (&c.texts, form.active.is_some());
        let saved = match id {
            Some(id) => {
                sqlx::query_scalar!(
                    "update competencies set code = $1, kind = $2, area = $3, name_id = $4, name_en = $5, description_id = $6,
                       description_en = $7, framework_ref = $8, active = $9, validity_months = $10 where id = $11 returning id",
                    c.code.as_str(),
                    c.kind.as_str(),
                    c.area.as_str(),
                    &texts[0],
                    &texts[1],
                    &texts[2],
                    &texts[3],
                    &texts[4],
                    active,
                    c.validity_months,
                    id,
                )
                .fetch_one(&mut *conn)
                .await?
            }
            None => {
                sqlx::query_scalar!(
                    "insert into competencies (code, kind, area, name_id, name_en, description_id, description_en, framework_ref,
                                               active, validity_months)
                     values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning id",
                    c.code.as_str(),
                    c.kind.as_str(),
                    c.area.as_str(),
                    &texts[0],
                    &texts[1],
                    &texts[2],
                    &texts[3],
                    &texts[4],
                    active,
                    c.validity_months,
                )
                .fetch_one(&mut *conn)
                .await?
            }
        };
        for (i, (d_id, d_en)) in c.levels.iter().enumerate() {
            sqlx::query!(
                r#"insert into competency_levels (competency_id, level, descriptor_id, descriptor_en) values ($1, $2, $3, $4)
                 on conflict (competency_id, level) do update set descriptor_id = excluded.descriptor_id, descriptor_en = excluded.descriptor_en"#,
                saved,
                i as i16 + 1,
                d_id,
                d_en,
            )
            .execute(&mut *conn)
            .await?;
        }
        Ok(saved)
    }

    fn location(saved: i64) -> String {
        format!("/competencies/{saved}")
    }

    async fn page(
        _: &AppState,
        ctx: Ctx,
        id: Option<i64>,
        form: CompForm,
        errors: FieldErrors,
        edit: EditState,
    ) -> AppResult<Response> {
        form_page(ctx, id, form, errors, edit)
    }
}
