-- The gap analysis of a whole department read ~2 million requirement rows per view (12 s at
-- 100 000 staff). What it rests on per employee and per unit × competency is now kept in two
-- tables, refreshed at commit for exactly the employees and units a transaction touched. Each
-- table's definition is a view (`*_computed`): the kept table is that view's copy, and a test
-- checks the two agree after every kind of change.

-- The weighted gap from the gap sums per priority and HR's weights (one definition; inlined), and
-- the same with the weights taken from HR's settings row.
create function weighted_gap(critical int, important int, useful int, wc float8, wi float8, wu float8) returns float8
language sql immutable as $$
  select critical * wc + important * wi + useful * wu
$$;
create function weighted_gap(critical int, important int, useful int, gs gap_settings) returns float8
language sql immutable as $$
  select weighted_gap(critical, important, useful, gs.weight_critical::float8, gs.weight_important::float8,
                      gs.weight_useful::float8)
$$;

-- Per employee: the requirements of their position's standard against their current levels
-- (the gap sums per priority, so HR's weights apply at read time), the latest validated
-- assessment and the latest development (a passed training that was not cancelled, a confirmed
-- informal activity).
create view employee_gap_facts_computed as
select e.id as employee_id, e.unit_id, e.active, e.name,
       count(ps.competency_id)::int as requirements,
       (count(ps.competency_id) filter (where coalesce(cl.level, 0) >= ps.required_level))::int as met,
       coalesce(sum(greatest(ps.required_level - coalesce(cl.level, 0), 0)) filter (where ps.priority = 'critical'), 0)::int as gap_critical,
       coalesce(sum(greatest(ps.required_level - coalesce(cl.level, 0), 0)) filter (where ps.priority = 'important'), 0)::int as gap_important,
       coalesce(sum(greatest(ps.required_level - coalesce(cl.level, 0), 0)) filter (where ps.priority not in ('critical', 'important')), 0)::int as gap_useful,
       coalesce(max(greatest(ps.required_level - coalesce(cl.level, 0), 0)), 0)::smallint as max_gap,
       string_agg(c.code, ', ' order by c.code) filter (where ps.priority = 'critical' and coalesce(cl.level, 0) < ps.required_level) as critical_below,
       string_agg(c.code, ', ' order by c.code) filter (where ps.required_level - coalesce(cl.level, 0) >= 2) as big_gaps,
       weighted_gap(
         coalesce(sum(greatest(ps.required_level - coalesce(cl.level, 0), 0)) filter (where ps.priority = 'critical'), 0)::int,
         coalesce(sum(greatest(ps.required_level - coalesce(cl.level, 0), 0)) filter (where ps.priority = 'important'), 0)::int,
         coalesce(sum(greatest(ps.required_level - coalesce(cl.level, 0), 0)) filter (where ps.priority not in ('critical', 'important')), 0)::int,
         gs) as score,
       (select max(x.assessed_on) from current_level_rows x where x.employee_id = e.id) as last_assessment,
       (select max(d.on_date) from (
          select t.ends_on as on_date from training_participants tp join trainings t on t.id = tp.training_id
          where tp.employee_id = e.id and tp.status = 'passed' and t.status <> 'cancelled'
          union all
          select a.held_on from activity_learners l join activities a on a.id = l.activity_id
          where l.employee_id = e.id and a.status = 'confirmed') d) as last_development
from employees e
left join position_standards ps on ps.position_id = e.position_id
left join current_level_rows cl on cl.employee_id = e.id and cl.competency_id = ps.competency_id
left join competencies c on c.id = ps.competency_id
cross join gap_settings gs
group by e.id, gs.id;

create table employee_gap_facts (
  employee_id bigint primary key references employees (id) on delete cascade,
  -- Copied from the employee, so a department's summary reads this table alone.
  unit_id bigint not null,
  active boolean not null,
  name text not null,
  requirements int not null,
  met int not null,
  gap_critical int not null,
  gap_important int not null,
  gap_useful int not null,
  max_gap smallint not null,
  critical_below text,
  big_gaps text,
  -- The weighted gap with HR's current weights (rewritten when they change): the summary's staff
  -- list is read in this order.
  score float8 not null,
  last_assessment date,
  last_development date
);
create index employee_gap_facts_unit_idx on employee_gap_facts (unit_id);
create index employee_gap_facts_score_idx on employee_gap_facts (score desc, name, employee_id) where active;

-- JP per employee and year (formal and informal, by the agency's rules).
create view employee_jp_years_computed as
select employee_id, year, sum(jp)::numeric(10, 1) as jp from jp_entries group by employee_id, year;

create table employee_jp_years (
  employee_id bigint not null references employees (id) on delete cascade,
  year integer not null,
  jp numeric(10, 1) not null,
  primary key (employee_id, year)
);

-- Per unit and competency, over the unit's own active staff: how many require it, how many fall
-- short, the levels missing (per priority, for the weights) and the highest level required; and
-- how many hold it at each level or above (for "one person or nobody holds it").
-- (A function of the units asked for, so refreshing one unit reads that unit's staff alone; the
-- view is the same for every unit.)
create function unit_gap_facts_for(p_units bigint[])
returns table (unit_id bigint, competency_id bigint, required_by int, staff_short int, gap_critical int,
               gap_important int, gap_useful int, max_required smallint, h1 int, h2 int, h3 int, h4 int, h5 int)
language sql stable as $$
with staff as (select id, unit_id, position_id from employees where active and (p_units is null or unit_id = any(p_units))),
req as (
  select s.unit_id, ps.competency_id, count(*)::int as required_by,
         (count(*) filter (where coalesce(cl.level, 0) < ps.required_level))::int as staff_short,
         sum(greatest(ps.required_level - coalesce(cl.level, 0), 0)) filter (where ps.priority = 'critical')::int as gc,
         sum(greatest(ps.required_level - coalesce(cl.level, 0), 0)) filter (where ps.priority = 'important')::int as gi,
         sum(greatest(ps.required_level - coalesce(cl.level, 0), 0)) filter (where ps.priority not in ('critical', 'important'))::int as gu,
         max(ps.required_level)::smallint as max_required
  from staff s join position_standards ps on ps.position_id = s.position_id
  left join current_level_rows cl on cl.employee_id = s.id and cl.competency_id = ps.competency_id
  group by s.unit_id, ps.competency_id),
held as (
  select s.unit_id, cl.competency_id,
         (count(*) filter (where cl.level >= 1))::int as h1, (count(*) filter (where cl.level >= 2))::int as h2,
         (count(*) filter (where cl.level >= 3))::int as h3, (count(*) filter (where cl.level >= 4))::int as h4,
         (count(*) filter (where cl.level >= 5))::int as h5
  from staff s join current_level_rows cl on cl.employee_id = s.id
  group by s.unit_id, cl.competency_id)
select coalesce(r.unit_id, h.unit_id) as unit_id, coalesce(r.competency_id, h.competency_id) as competency_id,
       coalesce(r.required_by, 0) as required_by, coalesce(r.staff_short, 0) as staff_short,
       coalesce(r.gc, 0) as gap_critical, coalesce(r.gi, 0) as gap_important, coalesce(r.gu, 0) as gap_useful,
       coalesce(r.max_required, 0)::smallint as max_required,
       coalesce(h.h1, 0) as h1, coalesce(h.h2, 0) as h2, coalesce(h.h3, 0) as h3, coalesce(h.h4, 0) as h4,
       coalesce(h.h5, 0) as h5
from req r full join held h on h.unit_id = r.unit_id and h.competency_id = r.competency_id
$$;
create view unit_gap_facts_computed as select * from unit_gap_facts_for(null);

create table unit_gap_facts (
  unit_id bigint not null references units (id) on delete cascade,
  competency_id bigint not null references competencies (id) on delete cascade,
  required_by int not null,
  staff_short int not null,
  gap_critical int not null,
  gap_important int not null,
  gap_useful int not null,
  max_required smallint not null,
  h1 int not null,
  h2 int not null,
  h3 int not null,
  h4 int not null,
  h5 int not null,
  primary key (unit_id, competency_id)
);
create index unit_gap_facts_competency_idx on unit_gap_facts (competency_id);

-- What a transaction touched, noted by statement triggers and refreshed once at its commit.
create table gap_facts_pending (
  txid bigint not null,
  employee_id bigint,
  unit_id bigint
);
create index gap_facts_pending_txid_idx on gap_facts_pending (txid);

-- Refresh the kept facts of these employees and units (and the units the employees are in).
-- Writers serialise per employee and unit on advisory locks taken in one sorted pass, so the
-- recompute (a new statement, a new snapshot) sees what the other committed; a large set takes
-- one portal-wide lock instead. Called at commit only, after every other lock the transaction
-- holds, so these locks cannot take part in a deadlock.
create function refresh_gap_facts(p_employees bigint[], p_units bigint[]) returns void language plpgsql as $$
declare
  units bigint[];
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
  delete from unit_gap_facts where unit_id = any(units);
  insert into unit_gap_facts select * from unit_gap_facts_for(units);
end $$;

-- Note the employees (and units) a statement touched. `kind` says how the table leads to them.
create function note_gap_change() returns trigger language plpgsql as $$
declare
  tx bigint := txid_current();
begin
  if tg_table_name in ('current_level_rows', 'training_participants', 'activity_learners') then
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
    insert into gap_facts_pending (txid, employee_id)
    select distinct tx, e.id from new_rows n join old_rows o on o.id = n.id
    join position_standards ps on ps.competency_id = n.id join employees e on e.position_id = ps.position_id
    where n.code <> o.code;
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

create trigger current_level_rows_gap_insert after insert on current_level_rows
  referencing new table as new_rows for each statement execute function note_gap_change();
create trigger current_level_rows_gap_update after update on current_level_rows
  referencing old table as old_rows new table as new_rows for each statement execute function note_gap_change();
create trigger current_level_rows_gap_delete after delete on current_level_rows
  referencing old table as old_rows for each statement execute function note_gap_change();
create trigger training_participants_gap_insert after insert on training_participants
  referencing new table as new_rows for each statement execute function note_gap_change();
create trigger training_participants_gap_update after update on training_participants
  referencing old table as old_rows new table as new_rows for each statement execute function note_gap_change();
create trigger training_participants_gap_delete after delete on training_participants
  referencing old table as old_rows for each statement execute function note_gap_change();
create trigger activity_learners_gap_insert after insert on activity_learners
  referencing new table as new_rows for each statement execute function note_gap_change();
create trigger activity_learners_gap_update after update on activity_learners
  referencing old table as old_rows new table as new_rows for each statement execute function note_gap_change();
create trigger activity_learners_gap_delete after delete on activity_learners
  referencing old table as old_rows for each statement execute function note_gap_change();
create trigger employees_gap_insert after insert on employees
  referencing new table as new_rows for each statement execute function note_gap_change();
create trigger employees_gap_update after update on employees
  referencing old table as old_rows new table as new_rows for each statement execute function note_gap_change();
create trigger employees_gap_delete after delete on employees
  referencing old table as old_rows for each statement execute function note_gap_change();
create trigger position_standards_gap_insert after insert on position_standards
  referencing new table as new_rows for each statement execute function note_gap_change();
create trigger position_standards_gap_update after update on position_standards
  referencing old table as old_rows new table as new_rows for each statement execute function note_gap_change();
create trigger position_standards_gap_delete after delete on position_standards
  referencing old table as old_rows for each statement execute function note_gap_change();
create trigger competencies_gap_update after update on competencies
  referencing old table as old_rows new table as new_rows for each statement execute function note_gap_change();
create trigger trainings_gap_update after update on trainings
  referencing old table as old_rows new table as new_rows for each statement execute function note_gap_change();
create trigger activities_gap_update after update on activities
  referencing old table as old_rows new table as new_rows for each statement execute function note_gap_change();
create trigger jp_rules_gap_update after update on jp_rules
  for each statement execute function note_gap_change();

-- New weights rewrite every kept score at once. The portal-wide lock waits for the refreshes
-- already under way (they computed with the old weights and commit first; this statement then
-- sees them) and holds new ones back until these weights are committed.
create function gap_settings_rescore() returns trigger language plpgsql as $$
begin
  perform pg_advisory_xact_lock(727310, 0);
  update employee_gap_facts f set score = weighted_gap(f.gap_critical, f.gap_important, f.gap_useful, gs)
  from gap_settings gs where f.score <> weighted_gap(f.gap_critical, f.gap_important, f.gap_useful, gs);
  return null;
end $$;
create trigger gap_settings_rescore after update on gap_settings
  for each statement execute function gap_settings_rescore();

-- The version bump at commit first refreshes what the transaction touched (every table above
-- also bumps the version, so every such transaction reaches here), then bumps.
create or replace function bump_data_version() returns trigger language plpgsql as $$
begin
  perform refresh_gap_facts(
    coalesce((select array_agg(employee_id) from gap_facts_pending where txid = new.txid and employee_id is not null), '{}'),
    coalesce((select array_agg(unit_id) from gap_facts_pending where txid = new.txid and unit_id is not null), '{}'));
  delete from gap_facts_pending where txid = new.txid;
  update data_version set version = version + 1;
  delete from data_version_bumps where txid = new.txid;
  return null;
end $$;

-- Fill the kept tables once.
insert into employee_gap_facts select * from employee_gap_facts_computed;
insert into employee_jp_years select * from employee_jp_years_computed;
insert into unit_gap_facts select * from unit_gap_facts_computed;

-- The gap summary reads the kept facts alone (and the employee's unit for the scope); the rule
-- (flags against today and HR's settings) is unchanged. It also gives the name it sorts by.
drop function gap_summary(date, text, bigint);
create function gap_summary(p_today date, p_path text, p_employee bigint default null)
returns table (
  employee_id bigint, unit_id bigint, requirements bigint, met bigint, coverage float8, score float8, max_gap int,
  critical_below text, big_gaps text, jp_year float8, jp_minimum float8, last_development date,
  last_assessment date, flag_critical boolean, flag_coverage boolean, flag_big_gap boolean, flag_jp boolean,
  flag_development boolean, flag_assessment boolean, sort_name text
) language sql stable as $$
  -- The settings and cut-off dates are worked out once, not once per employee (`offset 0` keeps
  -- them a subquery of their own; the rest stays flat, so a page in score order reads the score
  -- index and stops at the page).
  select f.employee_id, f.unit_id, f.requirements::bigint, f.met::bigint,
         case when f.requirements = 0 then 1.0 else f.met::float8 / f.requirements end,
         f.score,
         f.max_gap::int, f.critical_below, f.big_gaps,
         coalesce(j.jp, 0)::float8, cfg.jp_min, f.last_development, f.last_assessment,
         f.critical_below is not null,
         f.requirements > 0 and f.met * 100 < cfg.coverage_threshold * f.requirements,
         f.big_gaps is not null,
         coalesce(j.jp, 0) < cfg.jp_min_n,
         f.last_development is null or f.last_development < cfg.dev_cutoff,
         f.last_assessment is null or f.last_assessment < cfg.asm_cutoff,
         f.name
  from employee_gap_facts f join units u on u.id = f.unit_id
  cross join (
    select gs.coverage_threshold, j.jp_min, j.jp_min::numeric as jp_min_n,
           p_today - make_interval(months => gs.development_months) as dev_cutoff,
           p_today - make_interval(months => gs.assessment_months) as asm_cutoff
    from gap_settings gs cross join (select value::float8 as jp_min from settings where key = 'jp_per_year') j
    offset 0) cfg
  left join employee_jp_years j on j.employee_id = f.employee_id and j.year = extract(year from p_today)::int
  where f.active and u.path like p_path || '%' and (p_employee is null or f.employee_id = p_employee)
$$;
