-- `current_levels` joined every kept level with its assessment to read one column, the
-- certificate's own end (`assessments.valid_until`, migration 20). A query that reads the levels
-- of one competency across the department (the mentors who hold it, on the home page) then hashed
-- all 2.3 million assessments at 100 000 staff, once per person listed: 680 ms each, ~3 s for the
-- HR home's first view after a start. The kept row now carries that date itself, written by the
-- one function that keeps the rows (an update of an assessment's `valid_until` refreshes its pair
-- as any update does), and the view reads no assessment. Same rows, same columns.

alter table current_level_rows add column certificate_until date;

update current_level_rows r set certificate_until = a.valid_until
from assessments a where a.id = r.assessment_id and a.valid_until is not null;

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

create or replace view current_levels as
select r.employee_id, r.competency_id, r.level, r.assessed_on, r.source, r.assessment_id,
       level_valid_until(r.assessed_on, c.validity_months, r.certificate_until) as valid_until
from current_level_rows r
join competencies c on c.id = r.competency_id
where level_valid_until(r.assessed_on, c.validity_months, r.certificate_until) >= (select agency_today());
