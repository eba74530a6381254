-- The records' version: one number that every transaction changing the records bumps once, at
-- commit, in the same transaction. A reader that sees version V in
-- its snapshot sees exactly the records of version V, so what it computed from that snapshot
-- (the department's gap summary, a unit's matrix and plan, the HR home's figures) can be reused
-- by any portal node for as long as the version is still V. Sessions, login attempts, the audit
-- log and the accounts' own bookkeeping do not bump it.
create table data_version (
  id boolean primary key default true check (id),
  version bigint not null
);
insert into data_version values (true, 1);

-- A statement that changes records notes its transaction once (a statement-level trigger, cheap
-- for a bulk COPY too); the noted row's deferred trigger bumps the version at commit, after the
-- transaction's other locks, so the one-row update cannot take part in a deadlock.
create table data_version_bumps (txid bigint primary key);

create function note_data_change() returns trigger language plpgsql as $$
begin
  if current_setting('cakap.version_noted', true) is distinct from txid_current()::text then
    insert into data_version_bumps values (txid_current()) on conflict do nothing;
    perform set_config('cakap.version_noted', txid_current()::text, true);
  end if;
  return null;
end $$;

create function bump_data_version() returns trigger language plpgsql as $$
begin
  update data_version set version = version + 1;
  delete from data_version_bumps where txid = new.txid;
  return null;
end $$;

create constraint trigger data_version_bumps_at_commit after insert on data_version_bumps
  deferrable initially deferred for each row execute function bump_data_version();

do $$
declare t text;
begin
  foreach t in array array['account_roles', 'activities', 'activity_learners', 'assessments', 'competencies',
    'competency_levels', 'current_level_rows', 'dev_plan_items', 'dev_plans', 'employees', 'gap_settings', 'jp_rules',
    'position_standards', 'positions', 'providers', 'ranks', 'settings', 'training_competencies', 'training_evaluations',
    'training_participants', 'training_requests', 'trainings', 'unit_budgets', 'units'] loop
    execute format('create trigger %I after insert or update or delete on %I
                    for each statement execute function note_data_change()', t || '_notes_change', t);
  end loop;
end $$;

-- The 3-month re-assessments due: "no assessment of this competency since" per participant.
create index assessments_since_idx on assessments (employee_id, competency_id, assessed_on)
  where status in ('validated', 'pending');
