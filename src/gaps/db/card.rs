//! A gap card's lines and what could close each: mentors and trainings.

use super::*;

/// A requirement line of one employee against a position's standard.
#[derive(Clone, Debug)]
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
    sqlx::query_as!(
        GapLine,
        r#"select c.id as competency_id, c.code, case when $3 then c.name_en else c.name_id end as "name!", c.area,
                ps.required_level, ps.priority, cl.level as "current_level?",
                (case when cl.level is not null then greatest(ps.required_level - cl.level, 0) end)::smallint as "gap?",
                priority_weight(ps.priority, gs) as "weight!",
                cl.valid_until as "valid_until?"
         from position_standards ps join competencies c on c.id = ps.competency_id cross join gap_settings gs
         left join current_levels cl on cl.employee_id = $1 and cl.competency_id = ps.competency_id
         where ps.position_id = $2
         order by greatest(ps.required_level - cl.level, 0) desc nulls last, c.code"#,
        employee,
        position,
        en,
    )
    .fetch_all(conn)
    .await
}

/// A colleague who can teach a competency: holds it at `level` or above.
#[derive(Clone, Debug)]
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

/// Candidate mentors for several competencies at once, at most `per` each, in the order of the
/// one rule `mentor_candidates` (the same unit first, then the higher level, then fewer mentees in
/// the period); with the mentees each already has.
pub async fn mentor_options(
    conn: &mut PgConnection,
    needs: &[(i64, i16)],
    mentee: i64,
    today: NaiveDate,
    per: i64,
) -> Result<Vec<MentorOption>, sqlx::Error> {
    let comps: Vec<i64> = needs.iter().map(|n| n.0).collect();
    let levels: Vec<i16> = needs.iter().map(|n| n.1).collect();
    sqlx::query_as!(
        MentorOption,
        r#"select c.competency_id as "competency_id!", m.id as "employee_id!", m.nip as "nip!",
                employee_display_name(m.front_title, m.name, m.back_title) as "name!", u.name as "unit!",
                c.level as "level!", c.same_unit as "same_unit!", c.mentees as "mentees!"
         from mentor_candidates($1::bigint[], $2::smallint[], $3, $4::date, $5::int) c
         join employees m on m.id = c.mentor_id join units u on u.id = m.unit_id
         order by c.competency_id, c.mentor_rank"#,
        &comps,
        &levels,
        mentee,
        today,
        i32::try_from(per).unwrap_or(i32::MAX),
    )
    .fetch_all(conn)
    .await
}

/// A planned or open training that develops a competency, with its seats left and the effect
/// measured on earlier runs of the same training (same title).
#[derive(Clone, Debug)]
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

/// Planned or open trainings with seats left that develop these competencies, each beyond a level
/// when one is given (`(competency, above)`): the first `per` of each to start. A regency has
/// hundreds a competency (400 at 100 000 staff), and the card offers the next few.
pub async fn training_options(
    conn: &mut PgConnection,
    needs: &[(i64, Option<i16>)],
    per: i64,
) -> Result<Vec<TrainingOption>, sqlx::Error> {
    let comps: Vec<i64> = needs.iter().map(|n| n.0).collect();
    let above: Vec<Option<i16>> = needs.iter().map(|n| n.1).collect();
    sqlx::query_as!(
        TrainingOption,
        r#"select o.id as "training_id!", o.competency_id as "competency_id!", o.title as "title!",
                coalesce(p.name, '') as "provider!", o.form as "form!", o.jenis_diklat as "jenis_diklat!",
                o.starts_on as "starts_on!", o.jp::float8 as "jp!", o.target_level as "target_level!",
                o.cost_per_participant as "cost_per_participant!",
                tcost.next_cost - o.cost_per_participant as "fixed_due!", o.seats_left as "seats_left!",
                coalesce(fx.n, 0) as "measured_n!", fx.gain as "measured_gain?"
         from unnest($1::bigint[], $2::smallint[]) as n(competency_id, above)
         cross join lateral (
           select t.id, tc.competency_id, t.title, t.provider_id, t.form, t.jenis_diklat, t.starts_on, t.jp,
                  tc.target_level, t.cost_per_participant, t.quota - used.n as seats_left
           from training_competencies tc join trainings t on t.id = tc.training_id
           cross join lateral (select count(*) as n from training_participants x
                               where x.training_id = t.id and x.status <> 'rejected') used
           where tc.competency_id = n.competency_id and (n.above is null or tc.target_level > n.above)
             and t.status in ('planned', 'open') and t.quota > used.n
           order by t.starts_on, t.id
           limit $3) o
         join training_costs tcost on tcost.training_id = o.id
         left join providers p on p.id = o.provider_id
         left join lateral (
           select count(*) as n, avg(e.after_level - e.before_level)::float8 as gain
           from training_effect e join trainings past on past.id = e.training_id
           where past.title = o.title and e.competency_id = o.competency_id and e.after_level is not null) fx on true
         order by o.starts_on, o.id"#,
        &comps,
        &above as &[Option<i16>],
        per,
    )
    .fetch_all(conn)
    .await
}
