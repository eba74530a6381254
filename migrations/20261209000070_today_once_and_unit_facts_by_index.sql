-- A write's commit spent ~80 ms recomputing one unit's gap facts (measured on the 1 000-staff
-- benchmark organisation; 16 writers then reached only 2× one writer on 2 cores, every core busy in
-- these statements). Two causes, both fixed here without changing any result:
--
-- 1. `current_levels` (migration 50) compared each row with `agency_today()`, which the planner
--    inlines to `now() at time zone agency_time_zone()` and evaluates *per row*, reading the
--    settings table each time. A scalar subquery is an init plan: evaluated once per statement.
-- 2. `unit_gap_facts_for(units)` joined the unit's staff with every current level of the portal
--    (a hash of all rows) to find the few it needed. It now collects the staff's own levels first,
--    by index, and aggregates those; the portal-wide form (`p_units` null, the bulk recompute) reads
--    every level once as before.
--
-- One unit's facts: 89 ms → 2 ms; the whole portal's: 122 ms → 37 ms (1 000 staff).

create or replace view current_levels as
select r.employee_id, r.competency_id, r.level, r.assessed_on, r.source, r.assessment_id,
       level_valid_until(r.assessed_on, c.validity_months, a.valid_until) as valid_until
from current_level_rows r
join competencies c on c.id = r.competency_id
join assessments a on a.id = r.assessment_id
where level_valid_until(r.assessed_on, c.validity_months, a.valid_until) >= (select agency_today());

create or replace function unit_gap_facts_for(p_units bigint[])
returns table (unit_id bigint, competency_id bigint, required_by int, staff_short int, gap_critical int,
               gap_important int, gap_useful int, max_required smallint, h1 int, h2 int, h3 int, h4 int, h5 int)
language sql stable as $$
with staff as materialized (
  select id, unit_id, position_id from employees where active and (p_units is null or unit_id = any(p_units))),
lv as materialized (
  select cl.employee_id, cl.competency_id, cl.level from current_levels cl where p_units is null
  union all
  select cl.employee_id, cl.competency_id, cl.level
  from staff s cross join lateral (select * from current_levels c where c.employee_id = s.id offset 0) cl
  where p_units is not null),
req as (
  select s.unit_id, ps.competency_id, count(*)::int as required_by,
         (count(*) filter (where cl.level < ps.required_level))::int as staff_short,
         sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority = 'critical')::int as gc,
         sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority = 'important')::int as gi,
         sum(greatest(ps.required_level - cl.level, 0)) filter (where ps.priority not in ('critical', 'important'))::int as gu,
         max(ps.required_level)::smallint as max_required
  from staff s join position_standards ps on ps.position_id = s.position_id
  left join lv cl on cl.employee_id = s.id and cl.competency_id = ps.competency_id
  group by s.unit_id, ps.competency_id),
held as (
  select s.unit_id, cl.competency_id,
         (count(*) filter (where cl.level >= 1))::int as h1, (count(*) filter (where cl.level >= 2))::int as h2,
         (count(*) filter (where cl.level >= 3))::int as h3, (count(*) filter (where cl.level >= 4))::int as h4,
         (count(*) filter (where cl.level >= 5))::int as h5
  from staff s join lv cl on cl.employee_id = s.id
  group by s.unit_id, cl.competency_id)
select coalesce(r.unit_id, h.unit_id) as unit_id, coalesce(r.competency_id, h.competency_id) as competency_id,
       coalesce(r.required_by, 0) as required_by, coalesce(r.staff_short, 0) as staff_short,
       coalesce(r.gc, 0) as gap_critical, coalesce(r.gi, 0) as gap_important, coalesce(r.gu, 0) as gap_useful,
       coalesce(r.max_required, 0)::smallint as max_required,
       coalesce(h.h1, 0) as h1, coalesce(h.h2, 0) as h2, coalesce(h.h3, 0) as h3, coalesce(h.h4, 0) as h4,
       coalesce(h.h5, 0) as h5
from req r full join held h on h.unit_id = r.unit_id and h.competency_id = r.competency_id
$$;

-- 3. `refresh_current_levels` found its few (employee, competency) pairs by hashing every kept
--    level (the planner reads `generate_subscripts` as 1 000 rows): the pairs' employees now
--    narrow both statements by index first. Same rows, same locks.
create or replace function refresh_current_levels(pairs bigint[][]) returns void language plpgsql as $$
declare
  emps bigint[];
begin
  if coalesce(array_length(pairs, 1), 0) = 0 then
    return;
  end if;
  if array_length(pairs, 1) > 200 then
    perform pg_advisory_xact_lock(727300, 0);
  else
    perform pg_advisory_xact_lock_shared(727300, 0);
    perform pg_advisory_xact_lock(727301, hashtext(p.e::text || '/' || p.k::text))
      from (select distinct pairs[i][1] as e, pairs[i][2] as k from generate_subscripts(pairs, 1) i) p
      order by hashtext(p.e::text || '/' || p.k::text);
  end if;
  emps := array(select distinct pairs[i][1] from generate_subscripts(pairs, 1) i);
  delete from current_level_rows c
   using (select pairs[i][1] as e, pairs[i][2] as k from generate_subscripts(pairs, 1) i) p
   where c.employee_id = any(emps) and c.employee_id = p.e and c.competency_id = p.k;
  insert into current_level_rows (employee_id, competency_id, level, assessed_on, source, assessment_id)
  select distinct on (a.employee_id, a.competency_id) a.employee_id, a.competency_id, a.level, a.assessed_on, a.source, a.id
  from assessments a
  join (select distinct pairs[i][1] as e, pairs[i][2] as k from generate_subscripts(pairs, 1) i) p
    on a.employee_id = p.e and a.competency_id = p.k
  where a.employee_id = any(emps) and a.status = 'validated'
  order by a.employee_id, a.competency_id, a.assessed_on desc, a.id desc
  on conflict (employee_id, competency_id) do update
    set level = excluded.level, assessed_on = excluded.assessed_on, source = excluded.source,
        assessment_id = excluded.assessment_id;
end $$;

-- 4. `records_version`, read by every page before it reuses a kept result, was a SQL function
--    with a FROM clause: never inlined, so its statement was planned again at each call (0.23 ms,
--    five times a `select 1`; the pages' database time was mostly this). In PL/pgSQL its plan is
--    kept per connection: 0.03 ms. Same rule, same result.
create or replace function records_version(p_path text) returns bigint language plpgsql stable as $$
begin
  return (select coalesce(sum(version), 0)::bigint from record_versions
          where p_path is null
             or scope = 0
             or (p_path = '/' || version_root(p_path) || '/' and root = version_root(p_path))
             or scope = version_scope(p_path));
end $$;
