-- Rule: what an account is told (the notifications page, the unread count beside the menu on every
-- page, the e-mail digest).
--
-- `account_notes`: what waits for the account's decision (`waiting_decisions`), the employee's
-- requests, nominations, self-assessments and activities decided in the last 90 days, a
-- certificate's warnings 90, 30 and 7 days before it expires, each evaluation owed
-- (`evaluations_owed`), and from October a JP shortfall against the yearly minimum. Date-based lines
-- are dated at the agency's midnight (`agency_day_start`), so the 06:00 digest sends them that day.
-- A plpgsql function with a generic plan: planned once per connection (~4 ms of planning a call
-- for ~0.3 ms of work at 15 000 staff when it was a plain statement).
--
-- `campaign_notes`: an open assessment campaign with something left for the employee to assess,
-- and a reminder three days before its deadline. Read beside `account_notes` in one statement.
--
-- Both were written by migrations 18, 22 and 50; they live here now, and no migration may
-- redefine them.

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
      select 'evaluation', agency_day_start(o.ends_on), o.title, '', '/participants/' || o.participant_id || '/evaluation'
      from evaluations_owed o
      where o.employee_id = p_employee
      union all
      select 'jp_shortfall', agency_day_start(make_date(extract(year from p_today::date)::int, 10, 1)),
             coalesce((select sum(jp) from jp_entries where employee_id = p_employee and year = extract(year from p_today::date)::int), 0)::text,
             p_jp_min::float8::text, '/employees/' || p_employee::bigint || '/development'
      where p_employee::bigint > 0 and extract(month from p_today::date) >= 10
        and coalesce((select sum(jp) from jp_entries where employee_id = p_employee and year = extract(year from p_today::date)::int), 0) < p_jp_min::float8
    ) n cross join (select notifications_seen_at as seen from accounts where id = p_account) s
    where n.at is not null and n.at <= p_now order by n.at desc limit 100;
end $$;

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
