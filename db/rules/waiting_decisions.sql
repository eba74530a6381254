-- Rule: what waits for an account's decision.
--
-- The assessments it validates (`pending_assessments`), the nominations and training requests of
-- staff it decides for, and the pending learning activities whose every learner it decides for
-- and that it did not mentor itself. The approval queue, the development counts and the
-- notifications' "waiting" line read it.

create or replace function waiting_decisions(p_all boolean, p_own bigint, p_patterns text[])
returns table (kind text, id bigint, since timestamptz)
language sql stable as $$
  select 'assessment'::text, p.id, p.since
  from pending_assessments(p_all, p_own, p_patterns) p
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

-- How many of each kind wait: the counts beside the menu, read again after each write of their
-- reader. Inline, the four-part union above was planned afresh at every call (PostgreSQL kept
-- choosing a custom plan): 2.1 of 4.8 ms at 15 000 staff. Here its plan is made once per
-- connection, and `scope_decides` still tests `p_all` first, so HR's count reads the pending
-- index alone.
create or replace function waiting_counts(p_all boolean, p_own bigint, p_patterns text[])
returns table (kind text, n bigint)
language plpgsql stable
set plan_cache_mode = force_generic_plan
as $$
begin
  return query select w.kind, count(*) from waiting_decisions(p_all, p_own, p_patterns) w group by w.kind;
end $$;
