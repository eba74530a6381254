-- What waits for a user's decision, one definition for the approval queue, the development counts
-- and the notifications' "waiting" line (the three were written separately; the notifications left
-- out learning activities): pending self-assessments, nominations and training requests of staff
-- the user decides for, and pending learning activities whose every learner they decide for and
-- that they did not mentor themselves.
create function waiting_decisions(p_all boolean, p_own bigint, p_patterns text[])
returns table (kind text, id bigint, since timestamptz)
language sql stable as $$
  select 'assessment'::text, a.id, a.created_at
  from assessments a join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
  where a.status = 'pending' and scope_decides(p_all, p_own, p_patterns, e.id, u.path)
  union all
  select 'participant', tp.id, tp.created_at
  from training_participants tp join employees e on e.id = tp.employee_id join units u on u.id = e.unit_id
  where tp.status = 'nominated' and scope_decides(p_all, p_own, p_patterns, e.id, u.path)
  union all
  select 'request', r.id, r.created_at
  from training_requests r join employees e on e.id = r.employee_id join units u on u.id = e.unit_id
  where r.status = 'pending' and scope_decides(p_all, p_own, p_patterns, e.id, u.path)
  union all
  select 'activity', a.id, a.created_at
  from activities a
  where a.status = 'pending' and a.mentor_id is distinct from p_own
    and not exists (select 1 from activity_learners l join employees e on e.id = l.employee_id join units u on u.id = e.unit_id
                    where l.activity_id = a.id and not scope_decides(p_all, p_own, p_patterns, e.id, u.path))
$$;

-- An account's notifications (the page, the unread count beside the menu on every page, the
-- e-mail digest) are one statement of nine branches. Planned afresh for each call (PostgreSQL
-- keeps custom plans for it) it cost ~4 ms of planning for ~0.3 ms of work at 15 000 staff; as a
-- function with a generic plan it is planned once per connection. The statement is unchanged.
create function account_notes(p_employee bigint, p_all boolean, p_own bigint, p_patterns text[], p_staff boolean,
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
      where r.employee_id = p_employee and r.decided_at > now() - interval '90 days'
      union all
      select 'nomination_decided', tp.decided_at, t.title, tp.status, '/trainings/' || t.id
      from training_participants tp join trainings t on t.id = tp.training_id
      where tp.employee_id = p_employee and tp.decided_at > now() - interval '90 days' and tp.status in ('approved', 'rejected')
      union all
      select 'assessment_decided', a.validated_at, c.code, a.status, '/employees/' || a.employee_id
      from assessments a join competencies c on c.id = a.competency_id
      where a.employee_id = p_employee and a.source = 'self' and a.validated_at > now() - interval '90 days'
      union all
      select 'activity_decided', a.decided_at, a.topic, a.status, '/activities'
      from activities a join activity_learners l on l.activity_id = a.id
      where l.employee_id = p_employee and a.logged_by is distinct from a.decided_by and a.decided_at > now() - interval '90 days'
      union all
      select 'certificate', (tp.certificate_expires_on - d.days)::timestamptz, t.title, d.days::text, '/certificates'
      from training_participants tp join trainings t on t.id = tp.training_id cross join (values (90), (30), (7)) as d(days)
      where tp.employee_id = p_employee and tp.certificate_expires_on between p_today::date and p_today::date + d.days
        and tp.certificate_expires_on - d.days <= p_today::date
      union all
      select 'evaluation', t.ends_on::timestamptz, t.title, '', '/participants/' || tp.id || '/evaluation'
      from training_participants tp join trainings t on t.id = tp.training_id
      where tp.employee_id = p_employee and t.status = 'completed' and tp.status in ('attended', 'passed', 'failed')
        and not exists (select 1 from training_evaluations ev where ev.participant_id = tp.id)
      union all
      select 'jp_shortfall', make_date(extract(year from p_today::date)::int, 10, 1)::timestamptz,
             coalesce((select sum(jp) from jp_entries where employee_id = p_employee and year = extract(year from p_today::date)::int), 0)::text,
             p_jp_min::float8::text, '/employees/' || p_employee::bigint || '/development'
      where p_employee::bigint > 0 and extract(month from p_today::date) >= 10
        and coalesce((select sum(jp) from jp_entries where employee_id = p_employee and year = extract(year from p_today::date)::int), 0) < p_jp_min::float8
    ) n cross join (select notifications_seen_at as seen from accounts where id = p_account) s
    where n.at is not null and n.at <= p_now order by n.at desc limit 100;
end $$;
