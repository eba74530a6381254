-- Unknown is not zero. A requirement nobody assessed (or whose level is no longer valid) is its
-- own state, "belum dinilai", never level 0: the gap sums, the score, the largest gaps and the
-- single points are computed over what is known, and assessment coverage (assessed / required)
-- is reported apart from readiness (met / assessed).

-- How long a level stays valid, per competency (HR sets it; default 24 months), and, where a level
-- came from a certificate, until the certificate's expiry.
alter table competencies add column validity_months smallint not null default 24
  check (validity_months between 1 and 120);
alter table assessments add column valid_until date;

-- The last day a level counts: the earlier of the competency's validity period and the
-- certificate's expiry. One definition, read by `current_levels` and the kept gap facts.
create function level_valid_until(p_assessed_on date, p_validity_months smallint, p_certificate_until date)
returns date language sql immutable as $$
  select least((p_assessed_on + make_interval(months => p_validity_months))::date - 1, p_certificate_until)
$$;

-- The current level is the latest validated assessment while it is still valid (the one name every
-- query reads). An expired level is not current: the requirement is "not assessed" again.
create or replace view current_levels as
select r.employee_id, r.competency_id, r.level, r.assessed_on, r.source, r.assessment_id,
       level_valid_until(r.assessed_on, c.validity_months, a.valid_until) as valid_until
from current_level_rows r
join competencies c on c.id = r.competency_id
join assessments a on a.id = r.assessment_id
where level_valid_until(r.assessed_on, c.validity_months, a.valid_until) >= current_date;

-- Per requirement: `current_level` and `gap` are null where the level is unknown; `assessed` says so.
create or replace view requirement_gaps as
select e.id as employee_id, e.unit_id, ps.position_id, ps.competency_id, ps.required_level, ps.priority,
       cl.level as current_level,
       case when cl.level is not null then greatest(ps.required_level - cl.level, 0) end::smallint as gap,
       (case ps.priority when 'critical' then gs.weight_critical when 'important' then gs.weight_important
        else gs.weight_useful end)::float8 as weight,
       cl.level is not null as assessed
from employees e
join position_standards ps on ps.position_id = e.position_id
cross join gap_settings gs
left join current_levels cl on cl.employee_id = e.id and cl.competency_id = ps.competency_id
where e.active;

-- Per employee, over the known requirements only; `assessed` counts them, `critical_big` lists the
-- critical competencies two or more levels short (the top tier), `next_expiry` is the first day one
-- of the employee's levels stops counting (the kept facts are refreshed then: see
-- `refresh_expired_gap_facts`).
create or replace view employee_gap_facts_computed as
select e.id as employee_id, e.unit_id, e.active, e.name,
       count(ps.competency_id)::int as requirements,
       (count(ps.competency_id) filter (where cl.level >= ps.required_level))::int as met,
       coalesce(sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority = 'critical'), 0)::int as gap_critical,
       coalesce(sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority = 'important'), 0)::int as gap_important,
       coalesce(sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority not in ('critical', 'important')), 0)::int as gap_useful,
       coalesce(max(greatest(ps.required_level - cl.level, 0)), 0)::smallint as max_gap,
       string_agg(c.code, ', ' order by c.code) filter (where ps.priority = 'critical' and cl.level < ps.required_level) as critical_below,
       string_agg(c.code, ', ' order by c.code) filter (where ps.required_level - cl.level >= 2) as big_gaps,
       weighted_gap(
         coalesce(sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority = 'critical'), 0)::int,
         coalesce(sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority = 'important'), 0)::int,
         coalesce(sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority not in ('critical', 'important')), 0)::int,
         gs) as score,
       (select max(x.assessed_on) from current_levels x where x.employee_id = e.id) as last_assessment,
       (select max(d.on_date) from (
          select t.ends_on as on_date from training_participants tp join trainings t on t.id = tp.training_id
          where tp.employee_id = e.id and tp.status = 'passed' and t.status <> 'cancelled'
          union all
          select a.held_on from activity_learners l join activities a on a.id = l.activity_id
          where l.employee_id = e.id and a.status = 'confirmed') d) as last_development,
       (count(cl.level))::int as assessed,
       string_agg(c.code, ', ' order by c.code) filter (where ps.priority = 'critical' and ps.required_level - cl.level >= 2) as critical_big,
       (select min(x.valid_until) + 1 from current_levels x where x.employee_id = e.id) as next_expiry
from employees e
left join position_standards ps on ps.position_id = e.position_id
left join current_levels cl on cl.employee_id = e.id and cl.competency_id = ps.competency_id
left join competencies c on c.id = ps.competency_id
cross join gap_settings gs
group by e.id, gs.id;

alter table employee_gap_facts add column assessed int not null default 0;
alter table employee_gap_facts add column critical_big text;
alter table employee_gap_facts add column next_expiry date;
create index employee_gap_facts_next_expiry_idx on employee_gap_facts (next_expiry);
-- The summary's staff list: the top tier first, then the weighted gap in what is known.
create index employee_gap_facts_rank_idx on employee_gap_facts ((critical_big is not null) desc, score desc, name, employee_id)
  where active;

-- Per unit and competency, over what is known: staff short and the levels missing count only staff
-- whose level is known and valid; holders count valid levels.
create or replace function unit_gap_facts_for(p_units bigint[])
returns table (unit_id bigint, competency_id bigint, required_by int, staff_short int, gap_critical int,
               gap_important int, gap_useful int, max_required smallint, h1 int, h2 int, h3 int, h4 int, h5 int)
language sql stable as $$
with staff as (select id, unit_id, position_id from employees where active and (p_units is null or unit_id = any(p_units))),
req as (
  select s.unit_id, ps.competency_id, count(*)::int as required_by,
         (count(*) filter (where cl.level < ps.required_level))::int as staff_short,
         sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority = 'critical')::int as gc,
         sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority = 'important')::int as gi,
         sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority not in ('critical', 'important'))::int as gu,
         max(ps.required_level)::smallint as max_required
  from staff s join position_standards ps on ps.position_id = s.position_id
  left join current_levels cl on cl.employee_id = s.id and cl.competency_id = ps.competency_id
  group by s.unit_id, ps.competency_id),
held as (
  select s.unit_id, cl.competency_id,
         (count(*) filter (where cl.level >= 1))::int as h1, (count(*) filter (where cl.level >= 2))::int as h2,
         (count(*) filter (where cl.level >= 3))::int as h3, (count(*) filter (where cl.level >= 4))::int as h4,
         (count(*) filter (where cl.level >= 5))::int as h5
  from staff s join current_levels cl on cl.employee_id = s.id
  group by s.unit_id, cl.competency_id)
select coalesce(r.unit_id, h.unit_id) as unit_id, coalesce(r.competency_id, h.competency_id) as competency_id,
       coalesce(r.required_by, 0) as required_by, coalesce(r.staff_short, 0) as staff_short,
       coalesce(r.gc, 0) as gap_critical, coalesce(r.gi, 0) as gap_important, coalesce(r.gu, 0) as gap_useful,
       coalesce(r.max_required, 0)::smallint as max_required,
       coalesce(h.h1, 0) as h1, coalesce(h.h2, 0) as h2, coalesce(h.h3, 0) as h3, coalesce(h.h4, 0) as h4,
       coalesce(h.h5, 0) as h5
from req r full join held h on h.unit_id = r.unit_id and h.competency_id = r.competency_id
$$;

-- A competency's validity period changing moves whose levels count: note those employees too.
create or replace function note_gap_change() returns trigger language plpgsql as $$
declare
  tx bigint := txid_current();
begin
  if tg_table_name in ('current_level_rows', 'training_participants', 'activity_learners') then
    if tg_op <> 'INSERT' then
      insert into gap_facts_pending (txid, employee_id) select distinct tx, employee_id from old_rows;
    end if;
    if tg_op <> 'DELETE' then
      insert into gap_facts_pending (txid, employee_id) select distinct tx, employee_id from new_rows;
    end if;
  elsif tg_table_name = 'employees' then
    if tg_op = 'INSERT' then
      insert into gap_facts_pending (txid, employee_id) select tx, id from new_rows;
    elsif tg_op = 'UPDATE' then
      insert into gap_facts_pending (txid, employee_id, unit_id)
      select tx, n.id, o.unit_id from new_rows n join old_rows o on o.id = n.id
      where n.position_id is distinct from o.position_id or n.unit_id <> o.unit_id or n.active <> o.active
         or n.name <> o.name;
    else
      insert into gap_facts_pending (txid, unit_id) select distinct tx, unit_id from old_rows;
    end if;
  elsif tg_table_name = 'position_standards' then
    if tg_op <> 'INSERT' then
      insert into gap_facts_pending (txid, employee_id)
      select tx, e.id from employees e where e.position_id in (select position_id from old_rows);
    end if;
    if tg_op <> 'DELETE' then
      insert into gap_facts_pending (txid, employee_id)
      select tx, e.id from employees e where e.position_id in (select position_id from new_rows);
    end if;
  elsif tg_table_name = 'competencies' then
    insert into gap_facts_pending (txid, employee_id)
    select distinct tx, e.id from new_rows n join old_rows o on o.id = n.id
    join position_standards ps on ps.competency_id = n.id join employees e on e.position_id = ps.position_id
    where n.code <> o.code or n.validity_months <> o.validity_months;
    insert into gap_facts_pending (txid, employee_id)
    select distinct tx, r.employee_id from new_rows n join old_rows o on o.id = n.id
    join current_level_rows r on r.competency_id = n.id
    where n.validity_months <> o.validity_months;
  elsif tg_table_name = 'trainings' then
    insert into gap_facts_pending (txid, employee_id)
    select distinct tx, tp.employee_id from new_rows n join old_rows o on o.id = n.id
    join training_participants tp on tp.training_id = n.id
    where (n.status, n.ends_on, n.jp) is distinct from (o.status, o.ends_on, o.jp);
  elsif tg_table_name = 'activities' then
    insert into gap_facts_pending (txid, employee_id)
    select distinct tx, l.employee_id from new_rows n join old_rows o on o.id = n.id
    join activity_learners l on l.activity_id = n.id
    where (n.status, n.held_on, n.minutes, n.kind) is distinct from (o.status, o.held_on, o.minutes, o.kind);
  elsif tg_table_name = 'jp_rules' then
    insert into gap_facts_pending (txid, employee_id) select distinct tx, employee_id from activity_learners;
  end if;
  return null;
end $$;

-- Levels expire with time, not with a write: the employees one of whose levels stopped counting
-- are noted like a change and refreshed at this transaction's commit (which also moves the records'
-- version, so no kept page shows them as they were). Run by the hourly housekeeping job.
create function refresh_expired_gap_facts(p_today date) returns int language plpgsql as $$
declare
  n int;
begin
  insert into gap_facts_pending (txid, employee_id)
  select txid_current(), employee_id from employee_gap_facts where next_expiry <= p_today;
  get diagnostics n = row_count;
  if n > 0 then
    insert into data_version_bumps values (txid_current()) on conflict do nothing;
  end if;
  return n;
end $$;

-- Refill the kept facts under the new rules.
delete from employee_gap_facts;
insert into employee_gap_facts select * from employee_gap_facts_computed;
delete from unit_gap_facts;
insert into unit_gap_facts select * from unit_gap_facts_computed;

-- The gap summary per employee. One place for the rule of who is flagged and in which tier:
--   tier 1, act now: a critical competency two or more levels short (in what is known);
--   tier 2, develop: a critical competency short, any competency two or more levels short, or
--           readiness (met / assessed) below HR's threshold;
--   tier 3, not yet assessed: none of the above and under half the requirements known; the action is
--           to ask for an assessment, not to train;
--   tier 0: on track in what is known.
-- `flagged` is tiers 1 and 2. JP below the minimum and no recent development or assessment are
-- reminders with their reasons, not a sign of being under-skilled.
drop function gap_summary(date, text, bigint);
create function gap_summary(p_today date, p_path text, p_employee bigint default null)
returns table (
  employee_id bigint, unit_id bigint, requirements bigint, met bigint, coverage float8, score float8, max_gap int,
  critical_below text, big_gaps text, jp_year float8, jp_minimum float8, last_development date,
  last_assessment date, flag_critical boolean, flag_coverage boolean, flag_big_gap boolean, flag_jp boolean,
  flag_development boolean, flag_assessment boolean, sort_name text,
  assessed bigint, readiness float8, critical_big text, tier smallint, flagged boolean
) language sql stable as $$
  select s.employee_id, s.unit_id, s.requirements, s.met, s.coverage, s.score, s.max_gap, s.critical_below, s.big_gaps,
         s.jp_year, s.jp_minimum, s.last_development, s.last_assessment, s.flag_critical, s.flag_readiness,
         s.flag_big_gap, s.flag_jp, s.flag_development, s.flag_assessment, s.sort_name, s.assessed, s.readiness,
         s.critical_big, t.tier, t.tier in (1, 2)
  from (
    -- The settings and cut-off dates are worked out once, not once per employee (`offset 0` keeps
    -- them a subquery of their own; the rest stays flat, so a page in rank order reads the rank
    -- index and stops at the page).
    select f.employee_id, f.unit_id, f.requirements::bigint as requirements, f.met::bigint as met,
           case when f.requirements = 0 then 1.0 else f.assessed::float8 / f.requirements end as coverage,
           f.score, f.max_gap::int as max_gap, f.critical_below, f.big_gaps,
           coalesce(j.jp, 0)::float8 as jp_year, cfg.jp_min as jp_minimum, f.last_development, f.last_assessment,
           f.critical_below is not null as flag_critical,
           f.assessed > 0 and f.met * 100 < cfg.coverage_threshold * f.assessed as flag_readiness,
           f.big_gaps is not null as flag_big_gap,
           coalesce(j.jp, 0) < cfg.jp_min_n as flag_jp,
           f.last_development is null or f.last_development < cfg.dev_cutoff as flag_development,
           f.last_assessment is null or f.last_assessment < cfg.asm_cutoff as flag_assessment,
           f.name as sort_name, f.assessed::bigint as assessed,
           case when f.assessed > 0 then f.met::float8 / f.assessed end as readiness,
           f.critical_big
    from employee_gap_facts f join units u on u.id = f.unit_id
    cross join (
      select gs.coverage_threshold, j.jp_min, j.jp_min::numeric as jp_min_n,
             p_today - make_interval(months => gs.development_months) as dev_cutoff,
             p_today - make_interval(months => gs.assessment_months) as asm_cutoff
      from gap_settings gs cross join (select value::float8 as jp_min from settings where key = 'jp_per_year') j
      offset 0) cfg
    left join employee_jp_years j on j.employee_id = f.employee_id and j.year = extract(year from p_today)::int
    where f.active and u.path like p_path || '%' and (p_employee is null or f.employee_id = p_employee)
  ) s
  cross join lateral (
    select (case
              when s.critical_big is not null then 1
              when s.flag_critical or s.flag_big_gap or s.flag_readiness then 2
              when s.requirements > 0 and s.assessed * 2 < s.requirements then 3
              else 0 end)::smallint as tier) t
$$;
