-- The current level (the latest validated assessment per employee and competency) is read on
-- almost every page and by every gap query, and written far less often. Computing it with
-- DISTINCT ON over all assessments cost ~200 ms at 15 000 staff; it is now kept in a table by a
-- trigger on assessments, and `current_levels` stays the one name every query reads.

create table current_level_rows (
  employee_id bigint not null references employees (id),
  competency_id bigint not null references competencies (id),
  level smallint not null,
  assessed_on date not null,
  source text not null,
  assessment_id bigint not null,
  primary key (employee_id, competency_id)
);
create index current_level_rows_competency_idx on current_level_rows (competency_id, level);

insert into current_level_rows (employee_id, competency_id, level, assessed_on, source, assessment_id)
select distinct on (employee_id, competency_id) employee_id, competency_id, level, assessed_on, source, id
from assessments where status = 'validated'
order by employee_id, competency_id, assessed_on desc, id desc;

-- Recompute the pairs a statement touched, set-based (an import of 20 000 rows is one statement).
-- Writers serialise per pair on advisory locks taken before the recompute, so the recompute (a new
-- statement, a new snapshot) sees what the other committed; a large statement takes one portal-wide
-- lock instead of thousands.
create function refresh_current_levels(pairs bigint[][]) returns void language plpgsql as $$
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
  delete from current_level_rows c
   using (select pairs[i][1] as e, pairs[i][2] as k from generate_subscripts(pairs, 1) i) p
   where c.employee_id = p.e and c.competency_id = p.k;
  insert into current_level_rows (employee_id, competency_id, level, assessed_on, source, assessment_id)
  select distinct on (a.employee_id, a.competency_id) a.employee_id, a.competency_id, a.level, a.assessed_on, a.source, a.id
  from assessments a
  join (select distinct pairs[i][1] as e, pairs[i][2] as k from generate_subscripts(pairs, 1) i) p
    on a.employee_id = p.e and a.competency_id = p.k
  where a.status = 'validated'
  order by a.employee_id, a.competency_id, a.assessed_on desc, a.id desc
  on conflict (employee_id, competency_id) do update
    set level = excluded.level, assessed_on = excluded.assessed_on, source = excluded.source,
        assessment_id = excluded.assessment_id;
end $$;

create function assessments_levels_inserted() returns trigger language plpgsql as $$
begin
  perform refresh_current_levels(coalesce((select array_agg(array[employee_id, competency_id]) from
    (select distinct employee_id, competency_id from new_rows where status = 'validated') d), '{}'));
  return null;
end $$;

create function assessments_levels_changed() returns trigger language plpgsql as $$
begin
  perform refresh_current_levels(coalesce((select array_agg(array[employee_id, competency_id]) from
    (select employee_id, competency_id from old_rows union select employee_id, competency_id from new_rows) d), '{}'));
  return null;
end $$;

create function assessments_levels_deleted() returns trigger language plpgsql as $$
begin
  perform refresh_current_levels(coalesce((select array_agg(array[employee_id, competency_id]) from
    (select distinct employee_id, competency_id from old_rows where status = 'validated') d), '{}'));
  return null;
end $$;

create trigger assessments_levels_insert after insert on assessments
  referencing new table as new_rows for each statement execute function assessments_levels_inserted();
create trigger assessments_levels_update after update on assessments
  referencing old table as old_rows new table as new_rows for each statement execute function assessments_levels_changed();
create trigger assessments_levels_delete after delete on assessments
  referencing old table as old_rows for each statement execute function assessments_levels_deleted();

drop view requirement_gaps;
drop view current_levels;
create view current_levels as
select employee_id, competency_id, level, assessed_on, source, assessment_id from current_level_rows;

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
