-- The 3-month re-assessments due, one definition for the list (the approval queue, the
-- development page) and the count beside them (they were written twice): each developed
-- competency of an active participant of a completed training whose three months ended within
-- the last year, with no validated or pending assessment of it since, in the scope the reader
-- decides for. `offset 0` keeps "no assessment since" a probe per row on the whole (employee,
-- competency, date) index key; as an anti-join PostgreSQL probed by employee alone and filtered
-- ~1 million rows at 100 000 staff (256 → 105 ms).
create function reassessments_due(p_all boolean, p_own bigint, p_patterns text[], p_today date)
returns table (employee_id bigint, competency_id bigint, target_level smallint, training_id bigint, due_on date)
language sql stable as $$
  select p.employee_id, tc.competency_id, tc.target_level, t.id, t.ends_on + 90
  from training_participants p join trainings t on t.id = p.training_id
  join training_competencies tc on tc.training_id = t.id
  join employees e on e.id = p.employee_id join units u on u.id = e.unit_id
  where t.status = 'completed' and p.status in ('attended', 'passed', 'failed') and e.active
    and t.ends_on + 90 <= p_today and t.ends_on + 90 > p_today - 365
    and scope_decides(p_all, p_own, p_patterns, e.id, u.path)
    and not exists (select 1 from assessments a where a.employee_id = p.employee_id and a.competency_id = tc.competency_id
                    and a.status in ('validated', 'pending') and a.assessed_on >= t.ends_on + 90 offset 0)
$$;
