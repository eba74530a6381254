-- A change of someone's level refreshes their unit's kept facts for that competency only.
--
-- Every commit that changed a level (an assessment entered or validated) recomputed its unit's
-- facts for every competency its staff are held to: at 15 000 staff, a unit of 33 and ~330
-- requirement rows, 2.1 ms of the 5 ms that commit's refresh took, on every such write. A unit's
-- facts for a competency depend on its staff (who, in which position), their positions' standards
-- and their levels *in that competency*: a level change leaves the unit's other competencies as
-- they were. So the pending rows of `current_level_rows` now carry their competency, and the
-- commit refreshes, for those, only the (unit, competency) facts concerned. Every other change
-- (staff moving, positions, standards, rules) still refreshes its units whole, as before.

alter table gap_facts_pending add column competency_id bigint;

-- Note the employees (and units) a statement touched (migrations 16, 20); a level's row with
-- its competency.
create or replace function note_gap_change() returns trigger language plpgsql as $$
declare
  tx bigint := txid_current();
begin
  if tg_table_name = 'current_level_rows' then
    if tg_op <> 'INSERT' then
      insert into gap_facts_pending (txid, employee_id, competency_id)
      select distinct tx, employee_id, competency_id from old_rows;
    end if;
    if tg_op <> 'DELETE' then
      insert into gap_facts_pending (txid, employee_id, competency_id)
      select distinct tx, employee_id, competency_id from new_rows;
    end if;
  elsif tg_table_name in ('training_participants', 'activity_learners') then
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
    -- A competency's validity period changing moves whose levels count (migration 20).
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

-- A unit's facts, for the units asked for (null: every unit) and the competencies asked for
-- (null: every competency). The same definition as migration 89 with the competency filter on
-- the standards and the levels read.
drop view unit_gap_facts_computed;
drop function unit_gap_facts_for(bigint[]);
create function unit_gap_facts_for(p_units bigint[], p_competencies bigint[] default null)
returns table (unit_id bigint, competency_id bigint, required_by int, staff_short int, gap_critical int,
               gap_important int, gap_useful int, max_required smallint, h1 int, h2 int, h3 int, h4 int, h5 int,
               known int)
language sql stable as $$
with staff as materialized (
  select id, unit_id, position_id from employees
  where active and unit_id = any(coalesce(p_units, array(select id from units)))),
lv as materialized (
  select cl.employee_id, cl.competency_id, cl.level from current_levels cl
  where p_units is null and cl.competency_id = any(coalesce(p_competencies, array(select id from competencies)))
  union all
  select cl.employee_id, cl.competency_id, cl.level
  from staff s cross join lateral (select * from current_levels c
                                   where c.employee_id = s.id and c.competency_id = any(coalesce(p_competencies, array(select id from competencies)))
                                   offset 0) cl
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
  cross join lateral (select * from position_standards p
                      where p.position_id = s.position_id and p.competency_id = any(coalesce(p_competencies, array(select id from competencies)))
                      offset 0) ps
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

-- Write the kept facts of these units for these competencies (null: all of theirs): only the
-- rows that changed.
create function store_unit_gap_facts(p_units bigint[], p_competencies bigint[]) returns void language plpgsql as $$
declare
  fresh unit_gap_facts[];
begin
  fresh := array(select n::unit_gap_facts from unit_gap_facts_for(p_units, p_competencies) n);
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
   where f.unit_id = any(p_units)
     and f.competency_id = any(coalesce(p_competencies, array(select id from competencies)))
     and not exists (select 1 from unnest(fresh) n where n.unit_id = f.unit_id and n.competency_id = f.competency_id);
end $$;
alter function store_unit_gap_facts(bigint[], bigint[]) set plan_cache_mode = force_generic_plan;

-- The refresh at commit (migrations 16, 82, 84). `p_levels`: (employee, competency) pairs whose
-- level changed: the employee's own facts, and their unit's facts for that competency (the whole
-- unit when it is refreshed anyway). `p_employees` and `p_units` as before: their units whole.
drop function refresh_gap_facts(bigint[], bigint[]);
create function refresh_gap_facts(p_employees bigint[], p_units bigint[], p_levels bigint[] default '{}')
returns void language plpgsql as $$
declare
  everyone bigint[];
  units bigint[];
  level_emps bigint[];
  level_units bigint[];
  level_comps bigint[];
begin
  p_employees := coalesce((select array_agg(distinct x) from unnest(p_employees) x where x is not null), '{}');
  p_levels := coalesce(p_levels, '{}');
  -- `p_levels` flat: employee, competency, employee, competency…
  level_emps := coalesce((select array_agg(distinct p_levels[i])
                          from generate_series(1, cardinality(p_levels), 2) i), '{}');
  everyone := coalesce((select array_agg(distinct x) from (
                select unnest(p_employees) x union select unnest(level_emps)) s
              where x is not null), '{}');
  units := coalesce((select array_agg(distinct x) from (
             select unnest(p_units) x union select unit_id from employees where id = any(p_employees)) u
           where x is not null), '{}');
  -- By the primary key, as `units` above (its generic plan read every employee when the ids came
  -- from a subquery).
  level_units := coalesce((select array_agg(distinct unit_id) from employees
                           where id = any(level_emps) and unit_id <> all(units)), '{}');
  level_comps := coalesce((select array_agg(distinct p_levels[i + 1])
                           from generate_series(1, cardinality(p_levels), 2) i), '{}');
  if cardinality(everyone) = 0 and cardinality(units) = 0 then
    return;
  end if;
  if cardinality(everyone) + cardinality(units) + cardinality(level_units) > 500 then
    perform pg_advisory_xact_lock(727310, 0);
  else
    perform pg_advisory_xact_lock_shared(727310, 0);
    perform pg_advisory_xact_lock(727311, (x % 2147483647)::int) from unnest(everyone) x order by x;
    perform pg_advisory_xact_lock(727312, (x % 2147483647)::int)
      from (select unnest(units) union select unnest(level_units)) u(x) order by x;
  end if;
  if cardinality(everyone) > 20000 then
    -- A bulk load: recomputing everything is cheaper than filtering by a long list.
    delete from employee_gap_facts;
    insert into employee_gap_facts select * from employee_gap_facts_computed;
    delete from employee_jp_years;
    insert into employee_jp_years select * from employee_jp_years_computed;
    delete from unit_gap_facts;
    insert into unit_gap_facts select * from unit_gap_facts_computed;
    return;
  end if;
  delete from employee_gap_facts where employee_id = any(everyone);
  insert into employee_gap_facts
  select * from employee_gap_facts_computed where employee_id = any(everyone);
  delete from employee_jp_years where employee_id = any(everyone);
  insert into employee_jp_years
  select * from employee_jp_years_computed where employee_id = any(everyone);
  if cardinality(units) > 0 then
    perform store_unit_gap_facts(units, null);
  end if;
  if cardinality(level_units) > 0 then
    perform store_unit_gap_facts(level_units, level_comps);
  end if;
end $$;
-- Planned once per connection (migration 90).
alter function refresh_gap_facts(bigint[], bigint[], bigint[]) set plan_cache_mode = force_generic_plan;

-- The bump at commit (migration 83): level changes passed with their competency.
create or replace function bump_data_version() returns trigger language plpgsql as $$
declare
  my_stripe smallint := (new.txid % 4)::smallint;
  keys text[];
begin
  select coalesce(array_agg(distinct k), '{}') into keys from (
    select unnest(string_to_array(nullif(current_setting('cakap.scopes', true), ''), ',')) k
    union
    select unnest(scope_keys(array_agg(u.path)))
    from gap_facts_pending p
    left join employees e on e.id = p.employee_id
    join units u on u.id = coalesce(p.unit_id, e.unit_id)
    where p.txid = new.txid) s
  where k is not null;
  perform refresh_gap_facts(
    coalesce((select array_agg(employee_id) from gap_facts_pending
              where txid = new.txid and employee_id is not null and competency_id is null), '{}'),
    coalesce((select array_agg(unit_id) from gap_facts_pending where txid = new.txid and unit_id is not null), '{}'),
    coalesce((select array_agg(x order by n, k) from (
                select employee_id, competency_id, row_number() over () from gap_facts_pending
                where txid = new.txid and competency_id is not null) p(e, c, n)
              cross join lateral (values (1, e), (2, c)) v(k, x)), '{}'));
  perform refresh_reassessment_candidates(array(
    select employee_id from gap_facts_pending where txid = new.txid and employee_id is not null
    union
    select employee_id from reassessment_pending where txid = new.txid));
  delete from reassessment_pending where txid = new.txid;
  delete from gap_facts_pending where txid = new.txid;
  insert into record_versions (root, scope, stripe, version)
  select split_part(k, ':', 1)::bigint, split_part(k, ':', 2)::bigint, my_stripe, 1
  from unnest(keys) k
  order by split_part(k, ':', 2)::bigint
  on conflict (scope, stripe) do update set version = record_versions.version + 1;
  delete from data_version_bumps where txid = new.txid;
  return null;
end $$;

-- A level's refresh (migration 80) keeps one plan per connection too: its statements read the
-- pairs' employees by index whatever they are.
alter function refresh_current_levels(bigint[]) set plan_cache_mode = force_generic_plan;
