-- Rule: which re-assessments are due, and whose decision they wait for.
--
-- Three months after a completed training, each competency it targets is due to be assessed
-- again for each participant (attended, passed or failed) whom nobody has assessed in it since
-- (validated or pending), for a year after that. What is due is kept in
-- `reassessment_candidates` (migration 83, kept current at each commit); this reads the day's
-- window of it for the employees an account decides for (`scope_decides`): the navigation
-- count, the HR home, the development page and the approval queue's list read it.
--
-- The employees are found from the units in reach (a head's bidang: its few units, by index),
-- not by checking the scope of every candidate in the department: a kepala bidang's count at
-- 100 000 staff took 0.21 s for 2 rows, now 3 ms; HR's is unchanged (~60 ms).

create or replace function reassessments_due(p_all boolean, p_own bigint, p_patterns text[], p_today date)
returns table (employee_id bigint, competency_id bigint, target_level smallint, training_id bigint, due_on date)
language sql stable as $$
  select c.employee_id, c.competency_id, c.target_level, c.training_id, c.ends_on + 90
  from units u join employees e on e.unit_id = u.id
  join reassessment_candidates c on c.employee_id = e.id
  where e.active and c.ends_on <= p_today - 90 and c.ends_on > p_today - 455
    and scope_decides(p_all, p_own, p_patterns, e.id, u.path)
$$;
