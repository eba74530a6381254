-- The agency's day in the database. The portal's sessions run with TimeZone=UTC (sqlx sets it), so
-- `current_date`, `now()::date` and `date::timestamptz` are UTC's: between 00:00 and 07:00 WIB (08:00
-- WITA, 09:00 WIT) they are still yesterday, and a notification dated `date::timestamptz` appeared at
-- 07:00 WIB, after the 06:00 digest. Every SQL rule that needs "today" or the start of a day reads
-- these functions, which read the `time_zone` setting (Asia/Jakarta WIB, Asia/Makassar WITA,
-- Asia/Jayapura WIT; Rust has the same in `app::clock::TimeZone`).

-- The agency's time zone, by its IANA name.
create function agency_time_zone() returns text language sql stable as $$
  select coalesce((select value from settings where key = 'time_zone'), 'Asia/Jakarta')
$$;

-- The agency's date at an instant.
create function agency_date(p_at timestamptz) returns date language sql stable as $$
  select (p_at at time zone agency_time_zone())::date
$$;

-- The agency's date now.
create function agency_today() returns date language sql stable as $$
  select agency_date(now())
$$;

-- The instant a day begins in the agency's zone (its local midnight): what a date-based
-- notification is dated by, so it shows from 00:00 local and the morning's digest sends it.
create function agency_day_start(p_day date) returns timestamptz language sql stable as $$
  select p_day::timestamp at time zone agency_time_zone()
$$;

-- A level counts until the end of its last valid day, in the agency's days.
create or replace view current_levels as
select r.employee_id, r.competency_id, r.level, r.assessed_on, r.source, r.assessment_id,
       level_valid_until(r.assessed_on, c.validity_months, a.valid_until) as valid_until
from current_level_rows r
join competencies c on c.id = r.competency_id
join assessments a on a.id = r.assessment_id
where level_valid_until(r.assessed_on, c.validity_months, a.valid_until) >= agency_today();

-- An IDP starts on the agency's today unless told otherwise.
alter table idps alter column starts_on set default agency_today();

-- `account_notes` (migration 18) as it was, with its date-based lines (a certificate's warning, an
-- evaluation owed, the last quarter's JP) dated at the agency's midnight and "the last 90 days"
-- counted from `p_now` (the portal's clock) rather than the database's.
create or replace function account_notes(p_employee bigint, p_all boolean, p_own bigint, p_patterns text[], p_staff boolean,
                              p_today date, p_jp_min float8, p_account bigint, p_now timestamptz)
returns table (kind text, at timestamptz, subject text, outcome text, href text, unread boolean)
language plpgsql stable
set plan_cache_mode = force_generic_plan
as $$
#variable_conflict use_column
begin
  return query
    select n.*, n.at > s.seen as unread from (
      select 'waiting' as kind, max(w.since) as at, count(*)::text as subject, '' as outcome, '/approvals' as href
      from waiting_decisions(p_all, p_own, p_patterns) w where p_staff
      having count(*) > 0
      union all
      select 'request_decided', r.decided_at, c.code, r.status, '/training-requests'
      from training_requests r join competencies c on c.id = r.competency_id
      where r.employee_id = p_employee and r.decided_at > p_now - interval '90 days'
      union all
      select 'nomination_decided', tp.decided_at, t.title, tp.status, '/trainings/' || t.id
      from training_participants tp join trainings t on t.id = tp.training_id
      where tp.employee_id = p_employee and tp.decided_at > p_now - interval '90 days' and tp.status in ('approved', 'rejected')
      union all
      select 'assessment_decided', a.validated_at, c.code, a.status, '/employees/' || a.employee_id
      from assessments a join competencies c on c.id = a.competency_id
      where a.employee_id = p_employee and a.source = 'self' and a.validated_at > p_now - interval '90 days'
      union all
      select 'activity_decided', a.decided_at, a.topic, a.status, '/activities'
      from activities a join activity_learners l on l.activity_id = a.id
      where l.employee_id = p_employee and a.logged_by is distinct from a.decided_by and a.decided_at > p_now - interval '90 days'
      union all
      select 'certificate', agency_day_start(tp.certificate_expires_on - d.days), t.title, d.days::text, '/certificates'
      from training_participants tp join trainings t on t.id = tp.training_id cross join (values (90), (30), (7)) as d(days)
      where tp.employee_id = p_employee and tp.certificate_expires_on between p_today::date and p_today::date + d.days
        and tp.certificate_expires_on - d.days <= p_today::date
      union all
      select 'evaluation', agency_day_start(t.ends_on), t.title, '', '/participants/' || tp.id || '/evaluation'
      from training_participants tp join trainings t on t.id = tp.training_id
      where tp.employee_id = p_employee and t.status = 'completed' and tp.status in ('attended', 'passed', 'failed')
        and not exists (select 1 from training_evaluations ev where ev.participant_id = tp.id)
      union all
      select 'jp_shortfall', agency_day_start(make_date(extract(year from p_today::date)::int, 10, 1)),
             coalesce((select sum(jp) from jp_entries where employee_id = p_employee and year = extract(year from p_today::date)::int), 0)::text,
             p_jp_min::float8::text, '/employees/' || p_employee::bigint || '/development'
      where p_employee::bigint > 0 and extract(month from p_today::date) >= 10
        and coalesce((select sum(jp) from jp_entries where employee_id = p_employee and year = extract(year from p_today::date)::int), 0) < p_jp_min::float8
    ) n cross join (select notifications_seen_at as seen from accounts where id = p_account) s
    where n.at is not null and n.at <= p_now order by n.at desc limit 100;
end $$;

-- `campaign_notes` (migration 22) as it was, its reminder dated by `agency_day_start`.
create or replace function campaign_notes(p_employee bigint, p_today date, p_account bigint, p_now timestamptz)
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
    select 'campaign_reminder', agency_day_start(o.deadline - 3), o.name, o.deadline::text, '/#kampanye'
    from open_items o
    where p_today >= o.deadline - 3
  )
  select n.kind, n.at, n.subject, n.outcome, n.href,
         n.at > coalesce((select notifications_seen_at from accounts where id = p_account), '-infinity')
  from n where n.at <= p_now;
end $$;
