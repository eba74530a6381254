-- A large refresh of current levels (an import, the synthetic seed: more than 200 pairs) is
-- planned with its values. Migration 92 gave `refresh_current_levels` one generic plan per
-- connection, cheap for a write's few pairs; but in a generic plan `= any(emps)` compares each
-- row with the whole array (only a constant array is hashed), so a load of n levels cost n²:
-- the synthetic seed's 500 000 older self-assessments at 100 000 staff took 439 s (5 s at
-- 15 000), and the whole seed 12 min instead of 4. The same statements, run with EXECUTE for a
-- large refresh; a write's refresh keeps its one plan.
create or replace function refresh_current_levels(pairs bigint[][]) returns void language plpgsql as $$
declare
  emps bigint[];
begin
  if coalesce(array_length(pairs, 1), 0) = 0 then
    return;
  end if;
  if array_length(pairs, 1) > 200 then
    perform pg_advisory_xact_lock(727300, 0);
    emps := array(select distinct pairs[i][1] from generate_subscripts(pairs, 1) i);
    execute $q$
      delete from current_level_rows c
       using (select $1[i][1] as e, $1[i][2] as k from generate_subscripts($1, 1) i) p
       where c.employee_id = any($2) and c.employee_id = p.e and c.competency_id = p.k$q$
      using pairs, emps;
    execute $q$
      insert into current_level_rows (employee_id, competency_id, level, assessed_on, source, assessment_id, certificate_until)
      select distinct on (a.employee_id, a.competency_id) a.employee_id, a.competency_id, a.level, a.assessed_on, a.source, a.id,
             a.valid_until
      from assessments a
      join (select distinct $1[i][1] as e, $1[i][2] as k from generate_subscripts($1, 1) i) p
        on a.employee_id = p.e and a.competency_id = p.k
      where a.employee_id = any($2) and a.status = 'validated'
      order by a.employee_id, a.competency_id, a.assessed_on desc, a.id desc
      on conflict (employee_id, competency_id) do update
        set level = excluded.level, assessed_on = excluded.assessed_on, source = excluded.source,
            assessment_id = excluded.assessment_id, certificate_until = excluded.certificate_until$q$
      using pairs, emps;
    return;
  end if;
  perform pg_advisory_xact_lock_shared(727300, 0);
  perform pg_advisory_xact_lock(727301, hashtext(p.e::text || '/' || p.k::text))
    from (select distinct pairs[i][1] as e, pairs[i][2] as k from generate_subscripts(pairs, 1) i) p
    order by hashtext(p.e::text || '/' || p.k::text);
  emps := array(select distinct pairs[i][1] from generate_subscripts(pairs, 1) i);
  delete from current_level_rows c
   using (select pairs[i][1] as e, pairs[i][2] as k from generate_subscripts(pairs, 1) i) p
   where c.employee_id = any(emps) and c.employee_id = p.e and c.competency_id = p.k;
  insert into current_level_rows (employee_id, competency_id, level, assessed_on, source, assessment_id, certificate_until)
  select distinct on (a.employee_id, a.competency_id) a.employee_id, a.competency_id, a.level, a.assessed_on, a.source, a.id,
         a.valid_until
  from assessments a
  join (select distinct pairs[i][1] as e, pairs[i][2] as k from generate_subscripts(pairs, 1) i) p
    on a.employee_id = p.e and a.competency_id = p.k
  where a.employee_id = any(emps) and a.status = 'validated'
  order by a.employee_id, a.competency_id, a.assessed_on desc, a.id desc
  on conflict (employee_id, competency_id) do update
    set level = excluded.level, assessed_on = excluded.assessed_on, source = excluded.source,
        assessment_id = excluded.assessment_id, certificate_until = excluded.certificate_until;
end $$;
-- A write's refresh keeps one plan per connection (migration 92; `create or replace` drops it).
alter function refresh_current_levels(bigint[]) set plan_cache_mode = force_generic_plan;
