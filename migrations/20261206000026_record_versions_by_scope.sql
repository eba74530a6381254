-- Versions that follow what changed, and no single row that every write queues on.
--
-- Until now one row, `data_version`, was bumped at the commit of every writing transaction: every
-- writer queued on it (37–50 % of sampled commits waited there under 16 writers), and any write
-- anywhere made every kept result of every unit stale.
--
-- Now each transaction bumps the version of the *scopes* it changed. A scope is a top unit's
-- child (a bidang, a sekretariat, an UPT), or the top unit itself for records attached to it, or
-- 0 for what concerns everyone (competencies, settings, trainings, programmes…). Each scope has a
-- few stripes, and a transaction bumps the stripe of its own transaction id, so two writers in one
-- bidang rarely meet on a row either. Bumps are taken in (scope, stripe) order at commit, after
-- every other lock, so they cannot deadlock.
--
-- A result about unit U depends on U's scope and on scope 0; a result about a top unit (the
-- department) on every scope under it and on scope 0. Its version is the sum of those rows as its
-- snapshot sees them: each row only grows, commits are seen in order, so two snapshots that read
-- the same sum saw the same commits of those scopes (`records_version`).
create table record_versions (
  root bigint not null,
  scope bigint not null,
  stripe smallint not null,
  version bigint not null,
  primary key (scope, stripe)
);
create index record_versions_root_idx on record_versions (root);
insert into record_versions values (0, 0, 0, (select version from data_version));

-- The scope and top unit of a unit path '/1/4/12/': (4, 1); of a top unit '/1/': (1, 1).
create function version_scope(p_path text) returns bigint language sql immutable parallel safe as $$
  select coalesce(nullif(split_part(p_path, '/', 3), ''), nullif(split_part(p_path, '/', 2), ''), '0')::bigint
$$;
create function version_root(p_path text) returns bigint language sql immutable parallel safe as $$
  select coalesce(nullif(split_part(p_path, '/', 2), ''), '0')::bigint
$$;

-- The version of what a result about `p_path` depends on (null: the whole portal).
create function records_version(p_path text) returns bigint language sql stable as $$
  select coalesce(sum(version), 0)::bigint from record_versions
  where p_path is null
     or scope = 0
     or (p_path = '/' || version_root(p_path) || '/' and root = version_root(p_path))
     or scope = version_scope(p_path)
$$;

-- Note scopes for this transaction's commit: kept in a transaction-local setting as
-- 'root:scope,…' (rolled back with the transaction or savepoint, no table written), and the
-- transaction noted once for the deferred bump.
create function note_scopes(p_scopes text[]) returns void language plpgsql as $$
declare
  kept text := coalesce(current_setting('cakap.scopes', true), '');
  s text;
begin
  foreach s in array coalesce(p_scopes, '{}') loop
    if position(',' || s || ',' in ',' || kept || ',') = 0 then
      kept := case when kept = '' then s else kept || ',' || s end;
    end if;
  end loop;
  perform set_config('cakap.scopes', kept, true);
  if current_setting('cakap.version_noted', true) is distinct from txid_current()::text then
    insert into data_version_bumps values (txid_current()) on conflict do nothing;
    perform set_config('cakap.version_noted', txid_current()::text, true);
  end if;
end $$;

-- The scopes of unit paths, as note_scopes wants them.
create function scope_keys(p_paths text[]) returns text[] language sql immutable as $$
  select coalesce(array_agg(distinct version_root(p) || ':' || version_scope(p)), '{}')
  from unnest(p_paths) p where p is not null
$$;

-- A statement's scopes, from its rows. `tg_argv[0]` says how a row leads to a unit:
--   unit:<col>         the row's unit (null: everyone)
--   employee:<col>     the unit of the row's employee
--   participant:<col>  the unit of the training participant's employee
--   position:<col>     the unit of the position
--   activity           the units of the activity's mentor and learners
--   self               the row is a unit
-- Transition tables: `new_rows` on insert and update, `old_rows` on update and delete (a move
-- changes both scopes).
create function note_row_scopes() returns trigger language plpgsql as $$
declare
  how text := split_part(tg_argv[0], ':', 1);
  col text := split_part(tg_argv[0], ':', 2);
  src text;
  paths text[];
  lead text;
begin
  src := case tg_op
    when 'INSERT' then 'select * from new_rows'
    when 'DELETE' then 'select * from old_rows'
    else 'select * from new_rows union all select * from old_rows' end;
  lead := case how
    when 'unit' then format('select u.path from (%s) r left join units u on u.id = r.%I', src, col)
    when 'employee' then format(
      'select u.path from (%s) r join employees e on e.id = r.%I join units u on u.id = e.unit_id', src, col)
    when 'participant' then format(
      'select u.path from (%s) r join training_participants p on p.id = r.%I
         join employees e on e.id = p.employee_id join units u on u.id = e.unit_id', src, col)
    when 'position' then format(
      'select u.path from (%s) r join positions p on p.id = r.%I join units u on u.id = p.unit_id', src, col)
    when 'activity' then format(
      'select u.path from (%1$s) r join employees e on e.id = r.mentor_id join units u on u.id = e.unit_id
       union all
       select u.path from (%1$s) r join activity_learners l on l.activity_id = r.id
         join employees e on e.id = l.employee_id join units u on u.id = e.unit_id', src)
    when 'self' then format('select r.path from (%s) r', src)
  end;
  -- A unit-led row without a unit (an account role of no unit) concerns everyone: its path is
  -- null, read as '/0/', which is scope 0. A statement that changed no row notes nothing.
  execute format('select array_agg(distinct coalesce(x.path, ''/0/'')) from (%s) x(path)', lead) into paths;
  if paths is not null then
    perform note_scopes(scope_keys(paths));
  end if;
  return null;
end $$;

-- Tables that concern everyone: one statement trigger, scope 0.
create or replace function note_data_change() returns trigger language plpgsql as $$
begin
  perform note_scopes(array['0:0']);
  return null;
end $$;

do $$
declare
  t text;
  how text;
  ev text;
begin
  for t, how in select * from (values
      ('account_roles', 'unit:unit_id'),
      ('activities', 'activity'),
      ('activity_learners', 'employee:employee_id'),
      ('assessments', 'employee:employee_id'),
      ('campaign_items', 'employee:employee_id'),
      ('campaign_units', 'unit:unit_id'),
      ('current_level_rows', 'employee:employee_id'),
      ('dev_plans', 'unit:unit_id'),
      ('employees', 'unit:unit_id'),
      ('position_standards', 'position:position_id'),
      ('positions', 'unit:unit_id'),
      ('training_confirmations', 'participant:participant_id'),
      ('training_evaluations', 'participant:participant_id'),
      ('training_participants', 'employee:employee_id'),
      ('training_requests', 'employee:employee_id'),
      ('unit_budgets', 'unit:unit_id'),
      ('units', 'self')) v(t, how)
  loop
    execute format('drop trigger %I on %I', t || '_notes_change', t);
    foreach ev in array array['insert', 'update', 'delete'] loop
      execute format('create trigger %I after %s on %I referencing %s for each statement
                      execute function note_row_scopes(%L)',
        t || '_scopes_' || ev, ev, t,
        case ev when 'insert' then 'new table as new_rows' when 'delete' then 'old table as old_rows'
                else 'old table as old_rows new table as new_rows' end,
        how);
    end loop;
  end loop;
end $$;

-- The bump at commit: refresh the kept gap facts of what the transaction touched (as before), then
-- bump the stripe of each scope it noted, and of the units whose facts it refreshed (a change that
-- reaches employees through a rule, such as a JP rule or a training's status).
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
    coalesce((select array_agg(employee_id) from gap_facts_pending where txid = new.txid and employee_id is not null), '{}'),
    coalesce((select array_agg(unit_id) from gap_facts_pending where txid = new.txid and unit_id is not null), '{}'));
  delete from gap_facts_pending where txid = new.txid;
  insert into record_versions (root, scope, stripe, version)
  select split_part(k, ':', 1)::bigint, split_part(k, ':', 2)::bigint, my_stripe, 1
  from unnest(keys) k
  order by split_part(k, ':', 2)::bigint
  on conflict (scope, stripe) do update set version = record_versions.version + 1;
  delete from data_version_bumps where txid = new.txid;
  return null;
end $$;

drop table data_version;
