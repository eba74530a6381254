-- Assessment campaigns (issue 22, part 3). The gap analysis treats a requirement never assessed
-- as unknown ("belum dinilai"); before the yearly AKPK a department fills the unknowns with a
-- campaign: HR or a head asks the staff of some units to assess some competencies by a deadline.
-- Employees answer with the existing self-assessment; heads validate in the existing queue.
--
-- Who is asked what is fixed when the campaign opens (`campaign_items`, written in one statement):
-- someone who joins the unit later is not suddenly behind, and the record of who was asked stays.
-- Where each item stands is read from the assessments (`campaign_item_states`, the one definition),
-- never copied, until the campaign is closed: closing keeps each item's state at that moment, so
-- the list of who never answered does not change afterwards.

create table campaigns (
  id bigint generated always as identity primary key,
  name text not null check (length(name) between 1 and 200),
  -- 'standard': every competency of each person's own position standard; 'picked': the
  -- competencies in campaign_competencies, for everyone in the units.
  scope text not null check (scope in ('standard', 'picked')),
  -- Only what the person had never had validated when the campaign opened (the unknowns).
  only_unknown boolean not null default false,
  deadline date not null,
  opened_by bigint not null references accounts (id),
  opened_at timestamptz not null default now(),
  closed_by bigint references accounts (id),
  closed_at timestamptz,
  version bigint not null default 1,
  updated_at timestamptz not null default now(),
  check ((closed_at is null) = (closed_by is null))
);
create index campaigns_opened_by_idx on campaigns (opened_by);
create index campaigns_closed_by_idx on campaigns (closed_by);
create index campaigns_open_deadline_idx on campaigns (deadline) where closed_at is null;
create index campaigns_opened_at_idx on campaigns (opened_at desc, id desc);
create trigger campaigns_updated_at before update on campaigns for each row execute function set_updated_at();
create trigger campaigns_version before update on campaigns for each row execute function bump_version();

-- The units asked (each with its sub-units).
create table campaign_units (
  campaign_id bigint not null references campaigns (id),
  unit_id bigint not null references units (id),
  primary key (campaign_id, unit_id)
);
create index campaign_units_unit_id_idx on campaign_units (unit_id);

-- The competencies picked (scope 'picked' only).
create table campaign_competencies (
  campaign_id bigint not null references campaigns (id),
  competency_id bigint not null references competencies (id),
  primary key (campaign_id, competency_id)
);
create index campaign_competencies_competency_id_idx on campaign_competencies (competency_id);

-- Who is asked to assess which competency. `closed_state` is the item's state when the campaign
-- was closed (null while it is open).
create table campaign_items (
  campaign_id bigint not null references campaigns (id),
  employee_id bigint not null references employees (id),
  competency_id bigint not null references competencies (id),
  closed_state text check (closed_state in ('not_started', 'submitted', 'validated')),
  primary key (campaign_id, employee_id, competency_id)
);
create index campaign_items_employee_idx on campaign_items (employee_id, competency_id);
create index campaign_items_competency_id_idx on campaign_items (competency_id);

-- "Answered since the campaign opened": a person's assessments of a competency by creation time.
create index assessments_created_idx on assessments (employee_id, competency_id, created_at)
  where status in ('validated', 'pending');

-- Where an item stands (one definition: the campaign page, its progress per unit, the closing,
-- the employee's home and the notifications read it):
-- validated    a validated assessment of the competency made on/after the campaign opened (the
--              employee's self-assessment once the head validated it, or one HR or the head recorded);
-- submitted    else, a self-assessment made since then, waiting for validation;
-- not_started  else (a rejected or withdrawn self-assessment puts the item back here).
-- Who counts: while the campaign is open, the staff still active; once closed, the items it
-- closed with, in the state they had then (someone who left meanwhile is not "never answered").
create view campaign_item_states as
select i.campaign_id, i.employee_id, i.competency_id,
       coalesce(i.closed_state,
         case
           when exists (select 1 from assessments a
                        where a.employee_id = i.employee_id and a.competency_id = i.competency_id
                          and a.status = 'validated' and a.created_at >= c.opened_at) then 'validated'
           when exists (select 1 from assessments a
                        where a.employee_id = i.employee_id and a.competency_id = i.competency_id
                          and a.status = 'pending' and a.source = 'self' and a.created_at >= c.opened_at) then 'submitted'
           else 'not_started'
         end) as state
from campaign_items i join campaigns c on c.id = i.campaign_id join employees e on e.id = i.employee_id
where case when c.closed_at is null then e.active else i.closed_state is not null end;

-- Which campaigns an account sees: HR all; the head who opened it; a head whose unit subtree
-- overlaps the campaign's units (a campaign of their unit or sub-units, or of a unit above theirs:
-- they follow their own staff in it). Patterns are unit paths followed by '%' (as `scope_sees`).
create function campaign_sees(p_all boolean, p_account bigint, p_patterns text[], p_campaign bigint)
returns boolean language sql stable as $$
  select p_all
      or exists (select 1 from campaigns c where c.id = p_campaign and c.opened_by = p_account)
      or exists (select 1 from campaign_units cu join units u on u.id = cu.unit_id
                 where cu.campaign_id = p_campaign
                   and (u.path like any(p_patterns) or exists (select 1 from unnest(p_patterns) p where p like u.path || '%')))
$$;

-- An employee's campaign notifications, in the shape of `account_notes` (the portal reads both in
-- one statement): the campaign is open and something is still to assess (from when it opened), and
-- a reminder from three days before the deadline (midnight, the agency's time) for as long as
-- something is still not started. A separate function rather than a tenth branch of
-- `account_notes`, so a later change to that function does not drop this one. Like it, planned
-- once per connection (a generic plan).
create function campaign_notes(p_employee bigint, p_today date, p_account bigint, p_now timestamptz)
returns table (kind text, at timestamptz, subject text, outcome text, href text, unread boolean)
language plpgsql stable
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
  with open_items as (
    select c.id, c.name, c.opened_at, c.deadline
    from campaigns c
    where c.closed_at is null and p_employee > 0
      and exists (select 1 from campaign_item_states s
                  where s.campaign_id = c.id and s.employee_id = p_employee and s.state = 'not_started')
  ), n as (
    select 'campaign_open'::text as kind, o.opened_at as at, o.name as subject, o.deadline::text as outcome,
           '/#kampanye'::text as href
    from open_items o
    union all
    select 'campaign_reminder', ((o.deadline - 3)::timestamp at time zone
             coalesce((select value from settings where key = 'time_zone'), 'Asia/Jakarta')),
           o.name, o.deadline::text, '/#kampanye'
    from open_items o
    where p_today >= o.deadline - 3
  )
  select n.kind, n.at, n.subject, n.outcome, n.href,
         n.at > coalesce((select notifications_seen_at from accounts where id = p_account), '-infinity')
  from n where n.at <= p_now;
end $$;

-- Campaigns are records: a change bumps the records' version (migration 15), so results kept
-- per version (homes, notifications) are never stale.
do $$
declare t text;
begin
  foreach t in array array['campaigns', 'campaign_units', 'campaign_competencies', 'campaign_items'] loop
    execute format('create trigger %I after insert or update or delete on %I
                    for each statement execute function note_data_change()', t || '_notes_change', t);
  end loop;
end $$;
