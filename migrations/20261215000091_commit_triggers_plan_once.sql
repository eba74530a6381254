-- What every writing transaction runs in its triggers is planned once per connection, not at
-- every call. Under 16 concurrent writers at 15 000 staff a fifth of the database's time went
-- to planning statements nested in triggers and functions (pg_stat_statements, track_planning):
--   - `note_row_scopes` built its statement with EXECUTE format(...) for each statement on the
--     tracked tables, so it was parsed and planned each time (2-3 times a write);
--   - `scope_keys` and `agency_time_zone` were SQL functions that cannot be inlined (a FROM
--     clause, a sub-select): their body was planned again inside each statement that called them;
--   - `records_version` chose a custom plan at each call (its `p_path is null or ...` filter
--     folds away with the value, so PostgreSQL never settled on a generic plan);
--   - `reassessment_candidates_of`, at every commit, planned afresh for the same reason (its
--     generic plan hashed every training and targeted competency, 1.5 ms against 0.1 ms).
-- Same rules, same results; each statement now has one shape that reads by index with the value
-- unknown, so its plan is kept per connection.

-- 1. A statement's scopes, from its rows (migration 26): static statements, one per way a row
-- leads to a unit and per transition table, so PL/pgSQL keeps each plan. `tg_argv[0]` as before:
--   unit:unit_id, employee:employee_id, participant:participant_id, position:position_id,
--   activity, self.
-- A statement references a transition table only in the branch of the operation that has it.
create or replace function note_row_scopes() returns trigger language plpgsql as $$
declare
  how text := tg_argv[0];
  paths text[] := '{}';
  more text[];
begin
  if how not in ('unit:unit_id', 'employee:employee_id', 'participant:participant_id', 'position:position_id',
                 'activity', 'self') then
    raise exception 'note_row_scopes: unknown way to a unit: %', how;
  end if;
  if tg_op <> 'DELETE' then
    if how = 'unit:unit_id' then
      -- A unit-led row without a unit (an account role of no unit) concerns everyone: '/0/'.
      select array_agg(distinct coalesce(u.path, '/0/')) into more
      from new_rows r left join units u on u.id = r.unit_id;
    elsif how = 'employee:employee_id' then
      select array_agg(distinct u.path) into more
      from new_rows r join employees e on e.id = r.employee_id join units u on u.id = e.unit_id;
    elsif how = 'participant:participant_id' then
      select array_agg(distinct u.path) into more
      from new_rows r join training_participants p on p.id = r.participant_id
      join employees e on e.id = p.employee_id join units u on u.id = e.unit_id;
    elsif how = 'position:position_id' then
      select array_agg(distinct u.path) into more
      from new_rows r join positions p on p.id = r.position_id join units u on u.id = p.unit_id;
    elsif how = 'activity' then
      select array_agg(distinct x.path) into more from (
        select u.path from new_rows r join employees e on e.id = r.mentor_id join units u on u.id = e.unit_id
        union all
        select u.path from new_rows r join activity_learners l on l.activity_id = r.id
          join employees e on e.id = l.employee_id join units u on u.id = e.unit_id) x;
    else
      select array_agg(distinct r.path) into more from new_rows r;
    end if;
    paths := paths || coalesce(more, '{}');
  end if;
  if tg_op <> 'INSERT' then
    if how = 'unit:unit_id' then
      select array_agg(distinct coalesce(u.path, '/0/')) into more
      from old_rows r left join units u on u.id = r.unit_id;
    elsif how = 'employee:employee_id' then
      select array_agg(distinct u.path) into more
      from old_rows r join employees e on e.id = r.employee_id join units u on u.id = e.unit_id;
    elsif how = 'participant:participant_id' then
      select array_agg(distinct u.path) into more
      from old_rows r join training_participants p on p.id = r.participant_id
      join employees e on e.id = p.employee_id join units u on u.id = e.unit_id;
    elsif how = 'position:position_id' then
      select array_agg(distinct u.path) into more
      from old_rows r join positions p on p.id = r.position_id join units u on u.id = p.unit_id;
    elsif how = 'activity' then
      select array_agg(distinct x.path) into more from (
        select u.path from old_rows r join employees e on e.id = r.mentor_id join units u on u.id = e.unit_id
        union all
        select u.path from old_rows r join activity_learners l on l.activity_id = r.id
          join employees e on e.id = l.employee_id join units u on u.id = e.unit_id) x;
    else
      select array_agg(distinct r.path) into more from old_rows r;
    end if;
    paths := paths || coalesce(more, '{}');
  end if;
  -- A statement that changed no row notes nothing.
  if cardinality(paths) > 0 then
    perform note_scopes(scope_keys(paths));
  end if;
  return null;
end $$;

-- 2. The scopes of unit paths (migration 26), in PL/pgSQL so its statement is planned once.
create or replace function scope_keys(p_paths text[]) returns text[] language plpgsql immutable as $$
begin
  return (select coalesce(array_agg(distinct version_root(p) || ':' || version_scope(p)), '{}')
          from unnest(p_paths) p where p is not null);
end $$;

-- 3. The agency's time zone (migration 50), likewise.
create or replace function agency_time_zone() returns text language plpgsql stable as $$
begin
  return coalesce((select value from settings where key = 'time_zone'), 'Asia/Jakarta');
end $$;

-- 4. The version of what a result about `p_path` depends on (migrations 26, 70): one statement
-- per case, each with a plan that does not depend on the value.
create or replace function records_version(p_path text) returns bigint language plpgsql stable as $$
declare
  r bigint;
begin
  if p_path is null then
    return (select coalesce(sum(version), 0)::bigint from record_versions);
  end if;
  r := version_root(p_path);
  if p_path = '/' || r || '/' then
    -- A top unit: every scope under it (its own records are its scope r, whose root is r too).
    return (select coalesce(sum(version), 0)::bigint from record_versions where scope = 0 or root = r);
  end if;
  return (select coalesce(sum(version), 0)::bigint from record_versions
          where scope = 0 or scope = version_scope(p_path));
end $$;

-- 5. The re-assessment candidates (migration 83): the same definition, the participants of the
-- employees asked for (or everyone's) first, then each one's training and its targeted
-- competencies by their keys. Its generic plan reads them by index (0.1 ms for one employee;
-- everyone's, 55 000 rows at 15 000 staff, in 0.3 s as before).
create or replace function reassessment_candidates_of(p_employees bigint[])
returns table (employee_id bigint, training_id bigint, competency_id bigint, target_level smallint, ends_on date)
language sql stable as $$
  select p.employee_id, t.id, tc.competency_id, tc.target_level, t.ends_on
  from training_participants p
  cross join lateral (select t.id, t.ends_on from trainings t
                      where t.id = p.training_id and t.status = 'completed' offset 0) t
  cross join lateral (select tc.competency_id, tc.target_level from training_competencies tc
                      where tc.training_id = t.id offset 0) tc
  where p.status in ('attended', 'passed', 'failed')
    and p.employee_id = any(coalesce(p_employees, array(select id from employees)))
    and coalesce((select max(a.assessed_on) from assessments a
                  where a.employee_id = p.employee_id and a.competency_id = tc.competency_id
                    and a.status in ('validated', 'pending')), '-infinity') < t.ends_on + 90
$$;
-- Its refresh at commit keeps one plan per connection (as `refresh_gap_facts` does, migration
-- 90). A later `create or replace` of the function must repeat this setting.
alter function refresh_reassessment_candidates(bigint[]) set plan_cache_mode = force_generic_plan;
