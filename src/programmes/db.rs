//! The programme catalogue's queries: the filtered list, one programme with what it develops, its
//! runs (trainings with `programme_id`) and the effect measured on them.

use sqlx::PgConnection;

use super::model::{ProgrammeInput, Scheme};
use crate::development::{
    db::Opt,
    model::{TrainingForm, TrainingStatus, jp_plain, jp_text, rupiah},
};

/// One programme of the list.
#[derive(Clone)]
pub struct ListRow {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub provider: Option<String>,
    pub scheme: Scheme,
    pub form: TrainingForm,
    pub jp: f64,
    pub days: i16,
    pub cost_per_participant: i64,
    pub cost_per_class: i64,
    pub min_class: i32,
    pub max_class: i32,
    pub offered_from: i32,
    pub offered_to: i32,
    pub active: bool,
    /// "SEC-02 → 3, SEC-04 → 2": what it develops, to which level.
    pub develops: String,
    /// Trainings run as this programme.
    pub runs: i64,
}

impl ListRow {
    pub fn jp_str(&self, en: bool) -> String {
        jp_text(self.jp, en)
    }

    pub fn years(&self) -> String {
        if self.offered_from == self.offered_to {
            self.offered_from.to_string()
        } else {
            format!("{}–{}", self.offered_from, self.offered_to)
        }
    }

    pub fn class(&self) -> String {
        format!("{}–{}", self.min_class, self.max_class)
    }

    pub fn cpp(&self) -> String {
        rupiah(self.cost_per_participant)
    }

    pub fn cpc(&self) -> String {
        rupiah(self.cost_per_class)
    }
}

/// The list's filters, parsed: the year offered, a competency it develops, the scheme.
pub struct Filter {
    pub year: Option<i32>,
    pub competency: Option<i64>,
    pub scheme: Option<Scheme>,
}

pub async fn list(conn: &mut PgConnection, f: &Filter) -> Result<Vec<ListRow>, sqlx::Error> {
    sqlx::query_as!(
        ListRow,
        r#"select g.id, g.code, g.title, p.name as "provider?", g.scheme as "scheme: Scheme", g.form as "form: TrainingForm",
                g.jp::float8 as "jp!", g.days,
                g.cost_per_participant, g.cost_per_class, g.min_class, g.max_class, g.offered_from, g.offered_to, g.active,
                coalesce((select string_agg(c.code || ' → ' || pc.target_level, ', ' order by c.code)
                          from programme_competencies pc join competencies c on c.id = pc.competency_id
                          where pc.programme_id = g.id), '') as "develops!",
                (select count(*) from trainings t where t.programme_id = g.id) as "runs!"
         from programmes g left join providers p on p.id = g.provider_id
         where ($1::int is null or $1 between g.offered_from and g.offered_to)
           and ($2::bigint is null or exists (select 1 from programme_competencies pc
                                              where pc.programme_id = g.id and pc.competency_id = $2))
           and ($3::text is null or g.scheme = $3)
         order by g.active desc, g.code"#,
        f.year,
        f.competency,
        f.scheme.map(Scheme::as_str),
    )
    .fetch_all(conn)
    .await
}

/// Every provider, for the form's choice (an inactive one stays choosable: a programme may
/// still name it).
pub async fn provider_options(conn: &mut PgConnection) -> Result<Vec<Opt>, sqlx::Error> {
    sqlx::query_as!(Opt, "select id, name as label from providers order by active desc, name").fetch_all(conn).await
}

pub async fn provider_exists(conn: &mut PgConnection, id: i64) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(r#"select exists(select 1 from providers where id = $1) as "exists!""#, id)
        .fetch_one(conn)
        .await
}

struct FormRow {
    version: i64,
    code: String,
    title: String,
    provider_id: Option<i64>,
    scheme: String,
    form: String,
    jenis_diklat: i16,
    jp: f64,
    days: i16,
    cost_per_participant: i64,
    cost_per_class: i64,
    min_class: i32,
    max_class: i32,
    offered_from: i32,
    offered_to: i32,
    notes: String,
    active: bool,
}

/// The edit form's values and the version they are from (`lock`: under a row lock, to save).
pub async fn load_form(
    conn: &mut PgConnection,
    id: i64,
    lock: bool,
) -> Result<Option<(i64, ProgrammeInput)>, sqlx::Error> {
    let row = if lock {
        sqlx::query_as!(
            FormRow,
            r#"select version, code, title, provider_id, scheme, form, jenis_diklat, jp::float8 as "jp!", days,
                    cost_per_participant, cost_per_class, min_class, max_class, offered_from, offered_to, notes, active
             from programmes where id = $1 for update"#,
            id,
        )
        .fetch_optional(conn)
        .await?
    } else {
        sqlx::query_as!(
            FormRow,
            r#"select version, code, title, provider_id, scheme, form, jenis_diklat, jp::float8 as "jp!", days,
                    cost_per_participant, cost_per_class, min_class, max_class, offered_from, offered_to, notes, active
             from programmes where id = $1"#,
            id,
        )
        .fetch_optional(conn)
        .await?
    };
    Ok(row.map(|r| {
        (
            r.version,
            ProgrammeInput {
                code: r.code,
                title: r.title,
                provider: r.provider_id.map(|p| p.to_string()).unwrap_or_default(),
                scheme: r.scheme,
                form: r.form,
                jenis_diklat: r.jenis_diklat.to_string(),
                jp: jp_plain(r.jp),
                days: r.days.to_string(),
                cost_per_participant: r.cost_per_participant.to_string(),
                cost_per_class: r.cost_per_class.to_string(),
                min_class: r.min_class.to_string(),
                max_class: r.max_class.to_string(),
                offered_from: r.offered_from.to_string(),
                offered_to: r.offered_to.to_string(),
                notes: r.notes,
                active: if r.active { "on".into() } else { String::new() },
            },
        )
    }))
}

/// The stored row for the audit log.
pub async fn snapshot(conn: &mut PgConnection, id: i64) -> Result<Option<serde_json::Value>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"select to_jsonb(g) - 'created_at' - 'updated_at' as "row!" from programmes g where id = $1"#,
        id
    )
    .fetch_optional(conn)
    .await
}

/// One programme as its page shows it.
pub struct Detail {
    pub id: i64,
    pub code: String,
    pub title: String,
    pub provider_id: Option<i64>,
    pub provider: Option<String>,
    pub scheme: Scheme,
    pub form: TrainingForm,
    pub jenis_diklat: i16,
    pub jp: f64,
    pub days: i16,
    pub cost_per_participant: i64,
    pub cost_per_class: i64,
    pub min_class: i32,
    pub max_class: i32,
    pub offered_from: i32,
    pub offered_to: i32,
    pub notes: String,
    pub active: bool,
    /// The type's name on SIASN's list as HR last refreshed it.
    pub jenis_name: String,
}

impl Detail {
    pub fn jenis_label(&self) -> String {
        format!("{} · {}", self.jenis_diklat, self.jenis_name)
    }

    /// What a class of `n` participants costs the agency.
    fn class_cost(&self, n: i32) -> i64 {
        self.cost_per_class + i64::from(n) * self.cost_per_participant
    }

    /// The smallest class that opens.
    pub fn smallest_class_cost(&self) -> i64 {
        self.class_cost(self.min_class)
    }

    pub fn full_class_cost(&self) -> i64 {
        self.class_cost(self.max_class)
    }
}

pub async fn find(conn: &mut PgConnection, id: i64) -> Result<Option<Detail>, sqlx::Error> {
    sqlx::query_as!(
        Detail,
        r#"select g.id, g.code, g.title, g.provider_id, p.name as "provider?", g.scheme as "scheme: Scheme",
                g.form as "form: TrainingForm", g.jenis_diklat, g.jp::float8 as "jp!", g.days, g.cost_per_participant,
                g.cost_per_class, g.min_class, g.max_class, g.offered_from, g.offered_to, g.notes, g.active,
                coalesce(r.name, '') as "jenis_name!"
         from programmes g left join providers p on p.id = g.provider_id
         left join siasn_refs r on r.kind = 'jenis_diklat' and r.ref_id = g.jenis_diklat::text
         where g.id = $1"#,
        id,
    )
    .fetch_optional(conn)
    .await
}

pub struct Target {
    pub competency_id: i64,
    pub code: String,
    pub name: String,
    pub target_level: i16,
}

pub async fn targets(conn: &mut PgConnection, id: i64, en: bool) -> Result<Vec<Target>, sqlx::Error> {
    sqlx::query_as!(
        Target,
        r#"select c.id as competency_id, c.code, case when $2 then c.name_en else c.name_id end as "name!", pc.target_level
         from programme_competencies pc join competencies c on c.id = pc.competency_id
         where pc.programme_id = $1 order by c.code"#,
        id,
        en,
    )
    .fetch_all(conn)
    .await
}

/// The effect measured on the programme's completed runs, per competency: only participants whose
/// level before was known and who were assessed again after.
pub struct EffectLine {
    pub code: String,
    pub name: String,
    /// Participants the figures rest on.
    pub measured: i64,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub gain: Option<f64>,
    /// One of the programme's declared targets (a run may develop more).
    pub targeted: bool,
}

pub async fn effect(conn: &mut PgConnection, id: i64, en: bool) -> Result<Vec<EffectLine>, sqlx::Error> {
    sqlx::query_as!(
        EffectLine,
        r#"select c.code, case when $2 then c.name_en else c.name_id end as "name!", count(*) as "measured!",
                avg(fx.before_level)::float8 as "before?", avg(fx.after_level)::float8 as "after?",
                avg(fx.after_level - fx.before_level)::float8 as "gain?",
                exists (select 1 from programme_competencies pc where pc.programme_id = $1 and pc.competency_id = c.id) as "targeted!"
         from training_effect fx join trainings t on t.id = fx.training_id join competencies c on c.id = fx.competency_id
         where t.programme_id = $1 and fx.before_level > 0 and fx.after_level is not null
         group by c.id, c.code, c.name_en, c.name_id order by c.code"#,
        id,
        en,
    )
    .fetch_all(conn)
    .await
}

/// A training run as this programme.
pub struct Run {
    pub id: i64,
    pub title: String,
    pub starts_on: chrono::NaiveDate,
    pub ends_on: chrono::NaiveDate,
    pub status: TrainingStatus,
    /// Took part (attended, passed or failed).
    pub took_part: i64,
    /// Of those, measured before and after on a competency the run develops.
    pub measured: i64,
}

pub async fn runs(conn: &mut PgConnection, id: i64) -> Result<Vec<Run>, sqlx::Error> {
    sqlx::query_as!(
        Run,
        r#"select t.id, t.title, t.starts_on, t.ends_on, t.status as "status: TrainingStatus",
                (select count(*) from training_participants tp
                 where tp.training_id = t.id and tp.status in ('attended', 'passed', 'failed')) as "took_part!",
                (select count(distinct fx.participant_id) from training_effect fx
                 where fx.training_id = t.id and fx.before_level > 0 and fx.after_level is not null) as "measured!"
         from trainings t where t.programme_id = $1 order by t.starts_on desc, t.id desc"#,
        id,
    )
    .fetch_all(conn)
    .await
}
