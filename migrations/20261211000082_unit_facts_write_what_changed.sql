-- A write's commit rewrote every kept fact of the writer's unit: ~34 rows deleted and inserted
-- (two foreign-key checks each) for the one or two that changed. Under 16 writers this rewrite
-- was the largest single part of a commit, and it left ~34 dead rows per write for autovacuum.
--
-- The unit's facts are now computed once, then only the rows that differ are updated, the new
-- ones inserted and the vanished ones deleted. Same rows, same locks, same order of locks.
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
         h1 = n.h1, h2 = n.h2, h3 = n.h3, h4 = n.h4, h5 = n.h5
    from unnest(fresh) n
   where f.unit_id = n.unit_id and f.competency_id = n.competency_id and f is distinct from n;
  insert into unit_gap_facts
  select n.* from unnest(fresh) n
   where not exists (select 1 from unit_gap_facts f where f.unit_id = n.unit_id and f.competency_id = n.competency_id);
  delete from unit_gap_facts f
   where f.unit_id = any(units)
     and not exists (select 1 from unnest(fresh) n where n.unit_id = f.unit_id and n.competency_id = f.competency_id);
end $$;
