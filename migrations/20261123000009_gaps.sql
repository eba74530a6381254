-- Gap analysis: the thresholds and weights HR sets, one definition of a requirement's gap and of
-- an employee's summary and flags (a function of the agency's date), and the accepted plans the
-- AKPK is exported from.

create table gap_settings (
  id smallint primary key default 1 check (id = 1),
  weight_critical numeric(4, 1) not null default 3 check (weight_critical > 0 and weight_critical <= 100),
  weight_important numeric(4, 1) not null default 2 check (weight_important > 0 and weight_important <= 100),
  weight_useful numeric(4, 1) not null default 1 check (weight_useful > 0 and weight_useful <= 100),
  -- Coverage (share of requirements met) under this percentage is a flag.
  coverage_threshold smallint not null default 60 check (coverage_threshold between 1 and 100),
  -- No development (formal or informal) within this many months is a flag.
  development_months smallint not null default 12 check (development_months between 1 and 60),
  -- A latest validated assessment older than this many months is a flag.
  assessment_months smallint not null default 24 check (assessment_months between 1 and 120),
  -- Mentees a mentor takes at most in a period, and the period in days.
  mentor_cap smallint not null default 3 check (mentor_cap between 1 and 50),
  mentor_period_days smallint not null default 90 check (mentor_period_days between 7 and 366),
  -- Trainings one person goes to at most in a plan.
  trainings_per_person smallint not null default 2 check (trainings_per_person between 1 and 10),
  -- A training's measured effect is used in a plan once this many participants back it.
  effect_min_participants smallint not null default 5 check (effect_min_participants between 1 and 1000),
  version bigint not null default 1,
  updated_at timestamptz not null default now()
);
insert into gap_settings (id) values (1);
create trigger gap_settings_updated_at before update on gap_settings for each row execute function set_updated_at();
create trigger gap_settings_version before update on gap_settings for each row execute function bump_version();

-- Every requirement of an active employee's position standard against their current level
-- (0 when never assessed), with its weight.
create view requirement_gaps as
select e.id as employee_id, e.unit_id, ps.position_id, ps.competency_id, ps.required_level, ps.priority,
       coalesce(cl.level, 0)::smallint as current_level,
       greatest(ps.required_level - coalesce(cl.level, 0), 0)::smallint as gap,
       (case ps.priority when 'critical' then gs.weight_critical when 'important' then gs.weight_important
        else gs.weight_useful end)::float8 as weight
from employees e
join position_standards ps on ps.position_id = e.position_id
cross join gap_settings gs
left join current_levels cl on cl.employee_id = e.id and cl.competency_id = ps.competency_id
where e.active;

-- One row per active employee of the units under `p_path`: requirements, met, coverage, weighted
-- gap score, largest gap, and each flag with what it rests on. `p_today` is the agency's date.
create function gap_summary(p_today date, p_path text)
returns table (
  employee_id bigint, unit_id bigint, requirements bigint, met bigint, coverage float8, score float8, max_gap int,
  critical_below text, big_gaps text, jp_year float8, jp_minimum float8, last_development date,
  last_assessment date, flag_critical boolean, flag_coverage boolean, flag_big_gap boolean, flag_jp boolean,
  flag_development boolean, flag_assessment boolean
) language sql stable as $$
  with staff as (
    select e.id, e.unit_id from employees e join units u on u.id = e.unit_id
    where e.active and u.path like p_path || '%'),
  req as (
    select g.employee_id, count(*) as requirements, count(*) filter (where g.gap = 0) as met,
           sum(g.gap * g.weight) as score, max(g.gap)::int as max_gap,
           string_agg(c.code, ', ' order by c.code) filter (where g.priority = 'critical' and g.gap > 0) as critical_below,
           string_agg(c.code, ', ' order by c.code) filter (where g.gap >= 2) as big_gaps
    from requirement_gaps g join staff s on s.id = g.employee_id join competencies c on c.id = g.competency_id
    group by g.employee_id),
  jp as (
    select j.employee_id, sum(j.jp)::float8 as jp from jp_entries j
    where j.year = extract(year from p_today)::int group by j.employee_id),
  dev as (
    select employee_id, max(on_date) as last_dev from (
      select tp.employee_id, t.ends_on as on_date from training_participants tp join trainings t on t.id = tp.training_id
      where tp.status = 'passed' and t.status <> 'cancelled'
      union all
      select l.employee_id, a.held_on from activity_learners l join activities a on a.id = l.activity_id
      where a.status = 'confirmed') d
    group by employee_id),
  asm as (
    select a.employee_id, max(a.assessed_on) as last_asm from assessments a
    where a.status = 'validated' group by a.employee_id),
  cfg as (
    select gs.*, (select value::float8 from settings where key = 'jp_per_year') as jp_min from gap_settings gs)
  select s.id, s.unit_id, coalesce(r.requirements, 0), coalesce(r.met, 0),
         case when coalesce(r.requirements, 0) = 0 then 1.0 else r.met::float8 / r.requirements end,
         coalesce(r.score, 0)::float8, coalesce(r.max_gap, 0), r.critical_below, r.big_gaps,
         coalesce(j.jp, 0), cfg.jp_min, d.last_dev, a.last_asm,
         r.critical_below is not null,
         coalesce(r.requirements, 0) > 0 and r.met::float8 / r.requirements * 100 < cfg.coverage_threshold,
         r.big_gaps is not null,
         coalesce(j.jp, 0) < cfg.jp_min,
         d.last_dev is null or d.last_dev < p_today - make_interval(months => cfg.development_months),
         a.last_asm is null or a.last_asm < p_today - make_interval(months => cfg.assessment_months)
  from staff s cross join cfg
  left join req r on r.employee_id = s.id left join jp j on j.employee_id = s.id
  left join dev d on d.employee_id = s.id left join asm a on a.employee_id = s.id
$$;

-- An accepted development plan for a unit and year: the trainings chosen within a budget and the
-- mentor assignments. The AKPK is exported from the latest accepted plan.
create table dev_plans (
  id bigint generated always as identity primary key,
  unit_id bigint not null references units (id),
  year integer not null check (year between 2000 and 2100),
  budget bigint not null check (budget >= 0),
  objective float8 not null,
  -- The solver's proven bound and whether the plan is proven optimal.
  bound float8 not null,
  optimal boolean not null,
  accepted_by bigint references accounts (id),
  accepted_at timestamptz not null default now()
);
create index dev_plans_unit_year_idx on dev_plans (unit_id, year, accepted_at desc);
create index dev_plans_accepted_by_idx on dev_plans (accepted_by);

create table dev_plan_items (
  id bigint generated always as identity primary key,
  plan_id bigint not null references dev_plans (id) on delete cascade,
  employee_id bigint not null references employees (id),
  competency_id bigint not null references competencies (id),
  required_level smallint not null,
  current_level smallint not null,
  priority text not null,
  route text not null check (route in ('klasikal', 'nonklasikal')),
  jenis_diklat smallint not null check (jenis_diklat between 1 and 25),
  training_id bigint references trainings (id),
  mentor_id bigint references employees (id),
  programme text not null,
  provider text not null default '',
  jp numeric(6, 1) not null default 0,
  estimated_cost bigint not null default 0,
  funding text not null default ''
);
create index dev_plan_items_plan_id_idx on dev_plan_items (plan_id);
create index dev_plan_items_employee_id_idx on dev_plan_items (employee_id);
create index dev_plan_items_competency_id_idx on dev_plan_items (competency_id);
create index dev_plan_items_training_id_idx on dev_plan_items (training_id);
create index dev_plan_items_mentor_id_idx on dev_plan_items (mentor_id);
