-- A unit's kept facts are refreshed at commit by `refresh_gap_facts`, which calls
-- `unit_gap_facts_for(units)` with a variable. PL/pgSQL soon keeps one generic plan for it, and
-- in that plan the staff filter `p_units is null or unit_id = any(p_units)` could not use the
-- index on the unit: it read every employee and hashed every position's standards (41 025 rows
-- at 15 000 staff), 18 ms a commit for a unit of 33. The filter is now one `= any(...)` over the
-- units asked for, or every unit, and each person's standards are read by their position (as
-- their levels already were): the same rows, by the indexes.
create or replace function unit_gap_facts_for(p_units bigint[])
returns table (unit_id bigint, competency_id bigint, required_by int, staff_short int, gap_critical int,
               gap_important int, gap_useful int, max_required smallint, h1 int, h2 int, h3 int, h4 int, h5 int,
               known int)
language sql stable as $$
with staff as materialized (
  select id, unit_id, position_id from employees
  where active and unit_id = any(coalesce(p_units, array(select id from units)))),
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
         max(ps.required_level)::smallint as max_required,
         count(cl.level)::int as known
  from staff s
  cross join lateral (select * from position_standards p where p.position_id = s.position_id offset 0) ps
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
       coalesce(h.h5, 0) as h5, coalesce(r.known, 0) as known
from req r full join held h on h.unit_id = r.unit_id and h.competency_id = r.competency_id
$$;
