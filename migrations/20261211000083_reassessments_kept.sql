-- The re-assessments due (three months after a completed training, for each competency it
-- targets, while nobody has assessed it since) were computed from every completed training's
-- participants at each read: 23 000 rows and 0.28 s at 15 000 staff, 150 000 and 1 s at 100 000.
-- Every HR account's count beside the menu, the HR home and the approval queue paid it after any
-- write (under 16 writers it was 7 % of the database's time; the HR home's first view after a
-- start at 100 000 staff waited for it).
--
-- What is due no longer depends on the day except through the training's end, so it is kept:
-- `reassessment_candidates` holds, per participant and targeted competency of a completed
-- training, the ones nobody has assessed since (validated or pending, dated from three months
-- after the training's end). `reassessments_due` reads them in the day's window by index.
--
-- Kept current like the gap facts: statement triggers note the employees whose assessments or
-- whose trainings' competencies changed; changes to participants and trainings are already noted
-- for the gap facts. At commit, after the gap facts, the noted employees' candidates are computed
-- again under per-employee advisory locks (a new statement, so it sees what others committed),
-- taken in one sorted pass after every other lock; a large set takes one portal-wide lock.

create table reassessment_candidates (
  employee_id bigint not null references employees (id) on delete cascade,
  training_id bigint not null references trainings (id) on delete cascade,
  competency_id bigint not null references competencies (id) on delete cascade,
  target_level smallint not null,
  ends_on date not null,
  primary key (employee_id, training_id, competency_id)
);
create index reassessment_candidates_ends_on_idx on reassessment_candidates (ends_on);
create index reassessment_candidates_training_idx on reassessment_candidates (training_id);
create index reassessment_candidates_competency_idx on reassessment_candidates (competency_id);

-- The one definition: a participant (attended, passed or failed) of a completed training, for each
-- competency the training targets, with no validated or pending assessment of it dated three
-- months after the training's end or later. `p_employees` null: everyone.
create function reassessment_candidates_of(p_employees bigint[])
returns table (employee_id bigint, training_id bigint, competency_id bigint, target_level smallint, ends_on date)
language sql stable as $$
  select p.employee_id, t.id, tc.competency_id, tc.target_level, t.ends_on
  from training_participants p join trainings t on t.id = p.training_id
  join training_competencies tc on tc.training_id = t.id
  where t.status = 'completed' and p.status in ('attended', 'passed', 'failed')
    and (p_employees is null or p.employee_id = any(p_employees))
    and coalesce((select max(a.assessed_on) from assessments a
                  where a.employee_id = p.employee_id and a.competency_id = tc.competency_id
                    and a.status in ('validated', 'pending')), '-infinity') < t.ends_on + 90
$$;

insert into reassessment_candidates select * from reassessment_candidates_of(null);

create or replace function reassessments_due(p_all boolean, p_own bigint, p_patterns text[], p_today date)
returns table (employee_id bigint, competency_id bigint, target_level smallint, training_id bigint, due_on date)
language sql stable as $$
  select c.employee_id, c.competency_id, c.target_level, c.training_id, c.ends_on + 90
  from reassessment_candidates c join employees e on e.id = c.employee_id
  where e.active and c.ends_on <= p_today - 90 and c.ends_on > p_today - 455
    and scope_decides(p_all, p_own, p_patterns, e.id, (select u.path from units u where u.id = e.unit_id))
$$;

-- The employees whose candidates a transaction may have changed, besides those of the gap facts.
create table reassessment_pending (
  txid bigint not null,
  employee_id bigint not null
);
create index reassessment_pending_txid_idx on reassessment_pending (txid);

create function note_reassessment_change() returns trigger language plpgsql as $$
declare
  tx bigint := txid_current();
begin
  if tg_table_name = 'assessments' then
    if tg_op <> 'INSERT' then
      insert into reassessment_pending select distinct tx, employee_id from old_rows;
    end if;
    if tg_op <> 'DELETE' then
      insert into reassessment_pending select distinct tx, employee_id from new_rows;
    end if;
  elsif tg_table_name = 'training_competencies' then
    if tg_op <> 'INSERT' then
      insert into reassessment_pending select distinct tx, p.employee_id from training_participants p
      where p.training_id in (select training_id from old_rows);
    end if;
    if tg_op <> 'DELETE' then
      insert into reassessment_pending select distinct tx, p.employee_id from training_participants p
      where p.training_id in (select training_id from new_rows);
    end if;
  end if;
  return null;
end $$;

do $$
declare
  t text;
  ev text;
begin
  foreach t in array array['assessments', 'training_competencies'] loop
    foreach ev in array array['insert', 'update', 'delete'] loop
      execute format('create trigger %I after %s on %I referencing %s for each statement
                      execute function note_reassessment_change()',
        t || '_reassess_' || ev, ev, t,
        case ev when 'insert' then 'new table as new_rows' when 'delete' then 'old table as old_rows'
                else 'old table as old_rows new table as new_rows' end);
    end loop;
  end loop;
end $$;

-- Refresh the candidates of these employees (called at commit, after the gap facts' locks).
create function refresh_reassessment_candidates(p_employees bigint[]) returns void language plpgsql as $$
begin
  p_employees := coalesce((select array_agg(distinct x) from unnest(p_employees) x where x is not null), '{}');
  if cardinality(p_employees) = 0 then
    return;
  end if;
  if cardinality(p_employees) > 500 then
    perform pg_advisory_xact_lock(727320, 0);
  else
    perform pg_advisory_xact_lock_shared(727320, 0);
    perform pg_advisory_xact_lock(727321, (x % 2147483647)::int) from unnest(p_employees) x order by x;
  end if;
  if cardinality(p_employees) > 20000 then
    delete from reassessment_candidates;
    insert into reassessment_candidates select * from reassessment_candidates_of(null);
    return;
  end if;
  delete from reassessment_candidates where employee_id = any(p_employees);
  insert into reassessment_candidates select * from reassessment_candidates_of(p_employees);
end $$;

-- The bump at commit (migration 26), now also refreshing the candidates.
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
