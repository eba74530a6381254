//! The gap queries. Everything is set work in SQL over the live records; Rust only arranges rows.

use chrono::NaiveDate;
use sqlx::PgConnection;

use crate::app::Ctx;

/// HR's thresholds and weights (one row).
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct GapSettings {
    pub weight_critical: f64,
    pub weight_important: f64,
    pub weight_useful: f64,
    pub coverage_threshold: i16,
    pub development_months: i16,
    pub assessment_months: i16,
    pub mentor_cap: i16,
    pub mentor_period_days: i16,
    pub trainings_per_person: i16,
    pub effect_min_participants: i16,
    pub version: i64,
}

pub const SETTINGS_SQL: &str =
    "select weight_critical::float8 as weight_critical, weight_important::float8 as weight_important,
        weight_useful::float8 as weight_useful, coverage_threshold, development_months, assessment_months, mentor_cap,
        mentor_period_days, trainings_per_person, effect_min_participants, version from gap_settings where id = 1";

pub const SETTINGS_LOCK_SQL: &str = "select weight_critical::float8 as weight_critical, weight_important::float8 as weight_important,
        weight_useful::float8 as weight_useful, coverage_threshold, development_months, assessment_months, mentor_cap,
        mentor_period_days, trainings_per_person, effect_min_participants, version from gap_settings where id = 1 for update";

pub async fn settings(conn: &mut PgConnection) -> Result<GapSettings, sqlx::Error> {
    sqlx::query_as(SETTINGS_SQL).fetch_one(conn).await
}

/// One employee's gap summary with the facts behind each flag.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct StaffGap {
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub position: String,
    pub requirements: i64,
    pub met: i64,
    pub coverage: f64,
    pub score: f64,
    pub max_gap: i32,
    pub critical_below: Option<String>,
    pub big_gaps: Option<String>,
    pub jp_year: f64,
    pub jp_minimum: f64,
    pub last_development: Option<NaiveDate>,
    pub last_assessment: Option<NaiveDate>,
    pub flag_critical: bool,
    pub flag_coverage: bool,
    pub flag_big_gap: bool,
    pub flag_jp: bool,
    pub flag_development: bool,
    pub flag_assessment: bool,
    /// Requirements with a known, valid level.
    pub assessed: i64,
    /// Met / assessed; None when nothing is known.
    pub readiness: Option<f64>,
    /// Critical competencies two or more levels short (the top tier).
    pub critical_big: Option<String>,
    /// 1 act now, 2 develop, 3 not yet assessed, 0 on track (the rule is `gap_summary`'s alone).
    pub tier: i16,
    /// Under-skilled in what is known (tiers 1 and 2).
    pub flagged: bool,
}

impl StaffGap {
    pub fn flagged(&self) -> bool {
        self.flagged
    }

    /// Assessment coverage: assessed / required, in percent.
    pub fn coverage_percent(&self) -> i64 {
        (self.coverage * 100.0).round() as i64
    }

    /// Readiness over what is known (met / assessed), in percent; None when nothing is known.
    pub fn readiness_percent(&self) -> Option<i64> {
        self.readiness.map(|r| (r * 100.0).round() as i64)
    }

    /// The tier's label key.
    pub fn tier_key(&self) -> &'static str {
        tier_key(self.tier)
    }

    /// Each flag with its reason, in the reader's language.
    pub fn reasons(&self, ctx: &Ctx, s: &GapSettings) -> Vec<String> {
        let en = ctx.lang.is_en();
        let mut out = vec![];
        if let Some(c) = &self.critical_big {
            out.push(ctx.t("gap.flag.critical_big").replace("{list}", c));
        } else if let Some(c) = self.critical_below.as_ref().filter(|_| self.flag_critical) {
            out.push(ctx.t("gap.flag.critical").replace("{list}", c));
        }
        if self.flag_coverage {
            out.push(
                ctx.t("gap.flag.readiness")
                    .replace("{pct}", &self.readiness_percent().unwrap_or(0).to_string())
                    .replace("{min}", &s.coverage_threshold.to_string()),
            );
        }
        if self.requirements > self.assessed {
            out.push(
                ctx.t("gap.flag.not_assessed")
                    .replace("{n}", &(self.requirements - self.assessed).to_string())
                    .replace("{of}", &self.requirements.to_string()),
            );
        }
        if let Some(c) = self.big_gaps.as_ref().filter(|_| self.flag_big_gap) {
            out.push(ctx.t("gap.flag.big_gap").replace("{list}", c));
        }
        if self.flag_jp {
            out.push(
                ctx.t("gap.flag.jp")
                    .replace("{jp}", &crate::development::model::jp_text(self.jp_year, en))
                    .replace("{min}", &crate::development::model::jp_text(self.jp_minimum, en)),
            );
        }
        if self.flag_development {
            out.push(match self.last_development {
                Some(d) => ctx
                    .t("gap.flag.development")
                    .replace("{date}", &ctx.date(d))
                    .replace("{months}", &s.development_months.to_string()),
                None => ctx.t("gap.flag.development_never").to_string(),
            });
        }
        if self.flag_assessment {
            out.push(match self.last_assessment {
                Some(d) => ctx
                    .t("gap.flag.assessment")
                    .replace("{date}", &ctx.date(d))
                    .replace("{months}", &s.assessment_months.to_string()),
                None => ctx.t("gap.flag.assessment_never").to_string(),
            });
        }
        out
    }
}

/// The label key of a tier as `gap_summary` gives it (1 act now, 2 develop, 3 not yet assessed,
/// 0 on track).
pub fn tier_key(tier: i16) -> &'static str {
    match tier {
        1 => "gap.tier.1",
        2 => "gap.tier.2",
        3 => "gap.tier.3",
        _ => "gap.tier.0",
    }
}

/// One employee's summary (computed for them alone).
pub async fn staff_gap(
    conn: &mut PgConnection,
    today: NaiveDate,
    employee: i64,
) -> Result<Option<StaffGap>, sqlx::Error> {
    // The same columns as `staff_page` (kept as whole statements: the schema test
    // prepares every static statement).
    sqlx::query_as(
        "select s.employee_id, e.nip, employee_display_name(e.front_title, e.name, e.back_title) as name, u.name as unit,
                coalesce(p.name, '') as position, s.requirements, s.met, s.coverage, s.score, s.max_gap, s.critical_below,
                s.big_gaps, s.jp_year, s.jp_minimum, s.last_development, s.last_assessment, s.flag_critical, s.flag_coverage,
                s.flag_big_gap, s.flag_jp, s.flag_development, s.flag_assessment, s.assessed, s.readiness, s.critical_big,
                s.tier, s.flagged
         from gap_summary($1, '/', $2) s join employees e on e.id = s.employee_id join units u on u.id = e.unit_id
         left join positions p on p.id = e.position_id",
    )
    .bind(today)
    .bind(employee)
    .fetch_optional(conn)
    .await
}

/// Readiness and flagged staff of the unit and of each unit directly under it.
#[derive(sqlx::FromRow, serde::Deserialize, Clone, Debug)]
pub struct UnitReadiness {
    pub unit_id: i64,
    pub name: String,
    pub staff: i64,
    pub flagged: i64,
    pub requirements: i64,
    pub met: i64,
    /// Requirements with a known, valid level.
    pub assessed: i64,
    /// Staff in the top tier (act now).
    pub top_tier: i64,
    /// Staff under half assessed and not flagged (ask for an assessment).
    pub not_assessed: i64,
}

impl UnitReadiness {
    /// Readiness over what is known: met / assessed (None when nothing is known).
    pub fn readiness(&self) -> Option<f64> {
        (self.assessed > 0).then(|| self.met as f64 / self.assessed as f64)
    }

    /// Readiness in percent; None when nothing is known.
    pub fn percent(&self) -> Option<i64> {
        self.readiness().map(|r| (r * 100.0).round() as i64)
    }

    /// Assessment coverage: assessed / required, in percent.
    pub fn coverage_percent(&self) -> i64 {
        if self.requirements == 0 {
            100
        } else {
            (self.assessed as f64 * 100.0 / self.requirements as f64).round() as i64
        }
    }

    /// Too little is known to call the unit ready or not (under half assessed).
    pub fn mostly_unknown(&self) -> bool {
        self.assessed * 2 < self.requirements
    }

    pub fn flagged_percent(&self) -> i64 {
        if self.staff == 0 { 0 } else { (self.flagged as f64 * 100.0 / self.staff as f64).round() as i64 }
    }
}

/// The readiness of the unit under `path` (its whole subtree) and then of each open unit directly
/// under it, from one pass over the kept gap facts: `$1` today, `$2` the unit, `$3` its path.
/// Staff are counted per unit, and each unit belongs to the part directly under this one that holds
/// it (an equality to group on; a prefix match against every part cost 10 s at 100 000 staff).
pub async fn readiness(
    conn: &mut PgConnection,
    today: NaiveDate,
    unit: i64,
    path: &str,
) -> Result<Vec<UnitReadiness>, sqlx::Error> {
    sqlx::query_as(
        "with by_unit as (
           select g.unit_id, count(*) as staff, count(*) filter (where g.flagged) as flagged,
                  sum(g.requirements) as requirements, sum(g.met) as met, sum(g.assessed) as assessed,
                  count(*) filter (where g.tier = 1) as top_tier, count(*) filter (where g.tier = 3) as not_assessed
           from gap_summary($1, $3) g group by g.unit_id),
         by_part as (
           select $3 || nullif(split_part(substr(u.path, length($3) + 1), '/', 1), '') || '/' as part_path,
                  sum(b.staff) as staff, sum(b.flagged) as flagged, sum(b.requirements) as requirements, sum(b.met) as met,
                  sum(b.assessed) as assessed, sum(b.top_tier) as top_tier, sum(b.not_assessed) as not_assessed
           from by_unit b join units u on u.id = b.unit_id group by 1),
         parts as (select id, name, path, 0 as ord, '' as sort_key from units where id = $2
                   union all
                   select id, name, path, 1, sort_key from units where parent_id = $2 and closed_on is null)
         select p.id as unit_id, p.name, coalesce(sum(b.staff), 0)::bigint as staff,
                coalesce(sum(b.flagged), 0)::bigint as flagged, coalesce(sum(b.requirements), 0)::bigint as requirements,
                coalesce(sum(b.met), 0)::bigint as met, coalesce(sum(b.assessed), 0)::bigint as assessed,
                coalesce(sum(b.top_tier), 0)::bigint as top_tier, coalesce(sum(b.not_assessed), 0)::bigint as not_assessed
         from parts p left join by_part b on p.ord = 0 or b.part_path = p.path
         group by p.id, p.name, p.ord, p.sort_key order by p.ord, p.sort_key",
    )
    .bind(today)
    .bind(unit)
    .bind(path)
    .fetch_all(conn)
    .await
}

/// A page of the staff under `path` (`only_flagged`: of the flagged ones), highest weighted gap
/// first; `limit` None for all of them (exports).
pub async fn staff_page(
    conn: &mut PgConnection,
    today: NaiveDate,
    path: &str,
    only_flagged: bool,
    offset: i64,
    limit: Option<i64>,
) -> Result<Vec<StaffGap>, sqlx::Error> {
    // The same columns as `staff_gap` (kept as whole statements: the schema test prepares every
    // static statement).
    sqlx::query_as(
        "with s as (
           select * from gap_summary($1, $2) s
           where not $3 or s.flagged
           order by s.critical_big is not null desc, s.score desc, s.sort_name, s.employee_id offset $4 limit $5)
         select s.employee_id, e.nip, employee_display_name(e.front_title, e.name, e.back_title) as name, u.name as unit,
                coalesce(p.name, '') as position, s.requirements, s.met, s.coverage, s.score, s.max_gap, s.critical_below,
                s.big_gaps, s.jp_year, s.jp_minimum, s.last_development, s.last_assessment, s.flag_critical, s.flag_coverage,
                s.flag_big_gap, s.flag_jp, s.flag_development, s.flag_assessment, s.assessed, s.readiness, s.critical_big,
                s.tier, s.flagged
         from s join employees e on e.id = s.employee_id join units u on u.id = e.unit_id
         left join positions p on p.id = e.position_id
         order by s.critical_big is not null desc, s.score desc, s.sort_name, s.employee_id",
    )
    .bind(today)
    .bind(path)
    .bind(only_flagged)
    .bind(offset)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// A competency with the total gap in a unit.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct CompetencyGap {
    pub competency_id: i64,
    pub code: String,
    pub name: String,
    pub staff_short: i64,
    pub levels: i64,
    pub weighted: f64,
}

pub async fn top_gaps(
    conn: &mut PgConnection,
    path: &str,
    en: bool,
    limit: i64,
) -> Result<Vec<CompetencyGap>, sqlx::Error> {
    sqlx::query_as(
        "with a as (
           select f.competency_id, sum(f.staff_short)::bigint as staff_short, sum(f.gap_critical)::int as gc,
                  sum(f.gap_important)::int as gi, sum(f.gap_useful)::int as gu
           from unit_gap_facts f join units u on u.id = f.unit_id where u.path like $1 || '%' group by f.competency_id)
         select c.id as competency_id, c.code, case when $2 then c.name_en else c.name_id end as name, a.staff_short,
                (a.gc + a.gi + a.gu)::bigint as levels, weighted_gap(a.gc, a.gi, a.gu, gs) as weighted
         from a join competencies c on c.id = a.competency_id cross join gap_settings gs
         where a.gc + a.gi + a.gu > 0
         order by weighted desc, c.code limit $3",
    )
    .bind(path)
    .bind(en)
    .bind(limit)
    .fetch_all(conn)
    .await
}

/// A required competency that one person or nobody in the unit holds at the required level.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct SinglePoint {
    pub code: String,
    pub name: String,
    pub required_level: i16,
    pub holders: i64,
    pub holder: Option<String>,
    /// Staff in the unit with a known, valid level of it at all (0: nobody is known).
    pub known: i64,
}

pub async fn single_points(conn: &mut PgConnection, path: &str, en: bool) -> Result<Vec<SinglePoint>, sqlx::Error> {
    sqlx::query_as(
        "with agg as (
           select f.competency_id, max(f.max_required) filter (where f.required_by > 0) as required_level,
                  sum(f.h1) as h1, sum(f.h2) as h2, sum(f.h3) as h3, sum(f.h4) as h4, sum(f.h5) as h5
           from unit_gap_facts f join units u on u.id = f.unit_id
           where u.path like $1 || '%' group by f.competency_id),
         held as (
           select a.competency_id, a.required_level, a.h1::bigint as known,
                  (case a.required_level when 1 then a.h1 when 2 then a.h2 when 3 then a.h3 when 4 then a.h4 else a.h5 end)::bigint as holders
           from agg a where a.required_level is not null)
         select c.code, case when $2 then c.name_en else c.name_id end as name, h.required_level::smallint as required_level, h.holders,
                h.known,
                case when h.holders = 1 then
                  (select employee_display_name(e.front_title, e.name, e.back_title)
                   from current_levels cl join employees e on e.id = cl.employee_id and e.active
                   join units u on u.id = e.unit_id
                   where cl.competency_id = h.competency_id and cl.level >= h.required_level and u.path like $1 || '%'
                   limit 1) end as holder
         from held h join competencies c on c.id = h.competency_id
         where h.holders <= 1 order by h.known = 0, h.holders, c.code",
    )
    .bind(path)
    .bind(en)
    .fetch_all(conn)
    .await
}

/// A unit the reader may analyse: (id, name, path).
pub async fn unit_in_scope(
    conn: &mut PgConnection,
    unit: Option<i64>,
    user: &crate::auth::CurrentUser,
) -> Result<Option<(i64, String, String)>, sqlx::Error> {
    let scope = user.scope();
    let default = if scope.all {
        sqlx::query_scalar("select id from units where parent_id is null order by sort_key limit 1")
            .fetch_optional(&mut *conn)
            .await?
    } else {
        user.head_units.first().map(|u| u.id)
    };
    let Some(id) = unit.or(default) else { return Ok(None) };
    sqlx::query_as("select id, name, path from units where id = $1 and unit_in_scope($2, $3, path)")
        .bind(id)
        .bind(scope.all)
        .bind(&scope.unit_patterns)
        .fetch_optional(conn)
        .await
}

/// Units the reader may analyse, for the unit picker (reused while the records are unchanged: a
/// regency's tree is read for every page view otherwise).
pub async fn unit_options<'a>(
    state: &crate::app::AppState,
    conn: impl Into<crate::app::versioned::Source<'a>>,
    user: &crate::auth::CurrentUser,
    current: i64,
) -> Result<Vec<crate::units::db::UnitOption>, sqlx::Error> {
    let scope = user.scope();
    crate::units::db::near_reused(state, conn, Some(current), scope.all, &scope.unit_patterns).await
}

/// A requirement line of one employee against a position's standard.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct GapLine {
    pub competency_id: i64,
    pub code: String,
    pub name: String,
    pub area: String,
    pub required_level: i16,
    pub priority: String,
    /// None: not assessed, or no longer valid ("belum dinilai"), never level 0.
    pub current_level: Option<i16>,
    /// None where the level is unknown.
    pub gap: Option<i16>,
    pub weight: f64,
    /// The last day the current level counts.
    pub valid_until: Option<NaiveDate>,
}

impl GapLine {
    /// The gap where it is known, 0 otherwise (for sums over what is known).
    pub fn known_gap(&self) -> i16 {
        self.gap.unwrap_or(0)
    }
}

/// An employee against a position's standard (their own or a target one).
pub async fn lines(
    conn: &mut PgConnection,
    employee: i64,
    position: i64,
    en: bool,
) -> Result<Vec<GapLine>, sqlx::Error> {
    sqlx::query_as(
        "select c.id as competency_id, c.code, case when $3 then c.name_en else c.name_id end as name, c.area,
                ps.required_level, ps.priority, cl.level as current_level,
                (case when cl.level is not null then greatest(ps.required_level - cl.level, 0) end)::smallint as gap,
                priority_weight(ps.priority, gs) as weight,
                cl.valid_until
         from position_standards ps join competencies c on c.id = ps.competency_id cross join gap_settings gs
         left join current_levels cl on cl.employee_id = $1 and cl.competency_id = ps.competency_id
         where ps.position_id = $2
         order by greatest(ps.required_level - cl.level, 0) desc nulls last, c.code",
    )
    .bind(employee)
    .bind(position)
    .bind(en)
    .fetch_all(conn)
    .await
}

/// A colleague who can teach a competency: holds it at `level` or above.
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct MentorOption {
    pub competency_id: i64,
    pub employee_id: i64,
    pub nip: String,
    pub name: String,
    pub unit: String,
    pub level: i16,
    pub same_unit: bool,
    pub mentees: i64,
}

/// Candidate mentors for several competencies at once: `$1` competency ids, `$2` required levels,
/// `$3` the mentee, `$4` today, `$5` per competency at most. Same unit first, then the department;
/// with the mentees each already has in the period.
pub async fn mentor_options(
    conn: &mut PgConnection,
    needs: &[(i64, i16)],
    mentee: i64,
    today: NaiveDate,
    per: i64,
) -> Result<Vec<MentorOption>, sqlx::Error> {
    let comps: Vec<i64> = needs.iter().map(|n| n.0).collect();
    let levels: Vec<i16> = needs.iter().map(|n| n.1).collect();
    sqlx::query_as(
        "with need as (select * from unnest($1::bigint[], $2::smallint[]) as n(competency_id, level)),
         me as (select unit_id from employees where id = $3),
         load as (select * from mentor_load($4::date)),
         c as (
           select n.competency_id, m.id as employee_id, m.nip, employee_display_name(m.front_title, m.name, m.back_title) as name,
                  u.name as unit, cl.level, m.unit_id = me.unit_id as same_unit, coalesce(ld.mentees, 0) as mentees,
                  row_number() over (partition by n.competency_id order by m.unit_id = me.unit_id desc, cl.level desc,
                                     coalesce(ld.mentees, 0), m.name, m.id) as rn
           from need n join current_levels cl on cl.competency_id = n.competency_id and cl.level >= n.level
           join employees m on m.id = cl.employee_id and m.active and m.id <> $3 join units u on u.id = m.unit_id
           cross join me left join load ld on ld.mentor_id = m.id)
         select competency_id, employee_id, nip, name, unit, level, same_unit, mentees from c where rn <= $5
         order by competency_id, rn",
    )
    .bind(&comps)
    .bind(&levels)
    .bind(mentee)
    .bind(today)
    .bind(per)
    .fetch_all(conn)
    .await
}

/// A planned or open training that develops a competency, with its seats left and the effect
/// measured on earlier runs of the same training (same title).
#[derive(sqlx::FromRow, Clone, Debug)]
pub struct TrainingOption {
    pub training_id: i64,
    pub competency_id: i64,
    pub title: String,
    pub provider: String,
    pub form: String,
    pub jenis_diklat: i16,
    pub starts_on: NaiveDate,
    pub jp: f64,
    pub target_level: i16,
    pub cost_per_participant: i64,
    /// The fixed cost still to pay (0 once anybody is paid for): what one more participant adds
    /// beyond their own cost (`training_costs.next_cost`).
    pub fixed_due: i64,
    pub seats_left: i64,
    pub measured_n: i64,
    pub measured_gain: Option<f64>,
}

/// Trainings for these competencies (`$1`), planned or open, with seats left.
pub async fn training_options(
    conn: &mut PgConnection,
    competencies: &[i64],
) -> Result<Vec<TrainingOption>, sqlx::Error> {
    sqlx::query_as(
        "select t.id as training_id, tc.competency_id, t.title, coalesce(p.name, '') as provider, t.form, t.jenis_diklat, t.starts_on,
                t.jp::float8 as jp, tc.target_level, t.cost_per_participant,
                tcost.next_cost - t.cost_per_participant as fixed_due,
                t.quota - (select count(*) from training_participants x where x.training_id = t.id and x.status <> 'rejected') as seats_left,
                coalesce(fx.n, 0) as measured_n, fx.gain as measured_gain
         from trainings t join training_competencies tc on tc.training_id = t.id join training_costs tcost on tcost.training_id = t.id
         left join providers p on p.id = t.provider_id
         left join lateral (
           select count(*) as n, avg(e.after_level - e.before_level)::float8 as gain
           from training_effect e join trainings past on past.id = e.training_id
           where past.title = t.title and e.competency_id = tc.competency_id and e.after_level is not null) fx on true
         where t.status in ('planned', 'open') and tc.competency_id = any($1)
         order by t.starts_on, t.id",
    )
    .bind(competencies)
    .fetch_all(conn)
    .await
}
