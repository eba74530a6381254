-- `reassessments_due` (migration 19) cost 1.7 s at 100 000 staff (150 000 due), on the HR home's
-- count and the approval queue's list. Two changes, same rows:
-- 1. The window is a range on `trainings.ends_on` itself (`ends_on <= today - 90`), not on
--    `ends_on + 90`: the planner estimated 65 trainings instead of 4 519 from the expression and
--    joined 150 000 rows to employees and units one probe at a time.
-- 2. "No validated or pending assessment since" asks for the latest such date, which PostgreSQL
--    reads from the end of `assessments_since_idx` alone; the `not exists` probe took the
--    campaigns' `assessments_created_idx` and read each assessment row to compare its date.
-- 1.7 s -> 1.1 s warm (jit off, as the portal runs).

create or replace function reassessments_due(p_all boolean, p_own bigint, p_patterns text[], p_today date)
returns table (employee_id bigint, competency_id bigint, target_level smallint, training_id bigint, due_on date)
language sql stable as $$
  select p.employee_id, tc.competency_id, tc.target_level, t.id, t.ends_on + 90
  from training_participants p join trainings t on t.id = p.training_id
  join training_competencies tc on tc.training_id = t.id
  join employees e on e.id = p.employee_id join units u on u.id = e.unit_id
  where t.status = 'completed' and p.status in ('attended', 'passed', 'failed') and e.active
    and t.ends_on <= p_today - 90 and t.ends_on > p_today - 455
    and scope_decides(p_all, p_own, p_patterns, e.id, u.path)
    and coalesce((select max(a.assessed_on) from assessments a
                  where a.employee_id = p.employee_id and a.competency_id = tc.competency_id
                    and a.status in ('validated', 'pending')), '-infinity') < t.ends_on + 90
$$;
