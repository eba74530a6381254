-- The skills matrix of a whole department ranked its competency columns from every requirement
-- row of its staff: 2 million rows and 3.2 s at 100 000 staff, on the first view after each change.
-- A unit's kept facts (migration 16) already hold the sums it needs but one: how many of the staff
-- a competency is required of have a known level. Without it, "nobody's level is known" (no
-- figure: the column sorts last) and "every known level meets the standard" (a gap of 0) would
-- look the same. `known` is that count; the matrix now sums the units' facts instead.

alter table unit_gap_facts add column known int not null default 0;

drop view unit_gap_facts_computed;
drop function unit_gap_facts_for(bigint[]);
create function unit_gap_facts_for(p_units bigint[])
returns table (unit_id bigint, competency_id bigint, required_by int, staff_short int, gap_critical int,
               gap_important int, gap_useful int, max_required smallint, h1 int, h2 int, h3 int, h4 int, h5 int,
               known int)
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
         max(ps.required_level)::smallint as max_required,
         count(cl.level)::int as known
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
       coalesce(h.h5, 0) as h5, coalesce(r.known, 0) as known
from req r full join held h on h.unit_id = r.unit_id and h.competency_id = r.competency_id
$$;
create view unit_gap_facts_computed as select * from unit_gap_facts_for(null);

update unit_gap_facts f set known = n.known
from unit_gap_facts_computed n
where n.unit_id = f.unit_id and n.competency_id = f.competency_id and f.known <> n.known;

-- The refresh at commit (migration 82), keeping `known` too.
create or replace function refresh_gap_facts(p_employees bigint[], p_units bigint[]) returns void language plpgsql as $$
declare
  units bigint[];
  fresh unit_gap_facts[];
begin
  p_employees := coalesce((select array_agg(distinct x) from unnest(p_employees) x where x is not null), '{}');
  units := coalesce((select array_agg(distinct x) from (
             select unnest(p_units) x union select unit_id from employees where id = any(p_employees)) u
           where x is not null), '{}');
  if cardinality(p_employees) = 0 and cardinality(units) = 0 then
    return;
  end if;
  if cardinality(p_employees) + cardinality(units) > 500 then
    perform pg_advisory_xact_lock(727310, 0);
  else
    perform pg_advisory_xact_lock_shared(727310, 0);
    perform pg_advisory_xact_lock(727311, (x % 2147483647)::int) from unnest(p_employees) x order by x;
    perform pg_advisory_xact_lock(727312, (x % 2147483647)::int) from unnest(units) x order by x;
  end if;
  if cardinality(p_employees) > 20000 then
    -- A bulk load: recomputing everything is cheaper than filtering by a long list.
    delete from employee_gap_facts;
    insert into employee_gap_facts select * from employee_gap_facts_computed;
    delete from employee_jp_years;
    insert into employee_jp_years select * from employee_jp_years_computed;
    delete from unit_gap_facts;
    insert into unit_gap_facts select * from unit_gap_facts_computed;
    return;
  end if;
  delete from employee_gap_facts where employee_id = any(p_employees);
  insert into employee_gap_facts
  select * from employee_gap_facts_computed where employee_id = any(p_employees);
  delete from employee_jp_years where employee_id = any(p_employees);
  insert into employee_jp_years
  select * from employee_jp_years_computed where employee_id = any(p_employees);
  if cardinality(units) = 0 then
    return;
  end if;
  fresh := array(select n::unit_gap_facts from unit_gap_facts_for(units) n);
  update unit_gap_facts f
     set required_by = n.required_by, staff_short = n.staff_short, gap_critical = n.gap_critical,
         gap_important = n.gap_important, gap_useful = n.gap_useful, max_required = n.max_required,
         h1 = n.h1, h2 = n.h2, h3 = n.h3, h4 = n.h4, h5 = n.h5, known = n.known
    from unnest(fresh) n
   where f.unit_id = n.unit_id and f.competency_id = n.competency_id and f is distinct from n;
  insert into unit_gap_facts
  select n.* from unnest(fresh) n
   where not exists (select 1 from unit_gap_facts f where f.unit_id = n.unit_id and f.competency_id = n.competency_id);
  delete from unit_gap_facts f
   where f.unit_id = any(units)
     and not exists (select 1 from unnest(fresh) n where n.unit_id = f.unit_id and n.competency_id = f.competency_id);
end $$;
