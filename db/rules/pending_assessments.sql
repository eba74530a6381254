-- Rule: the assessments waiting for an account's validation.
--
-- Pending assessments (self-assessments, and a training's proposed level) of the employees the
-- account decides for (`scope_decides`: never its own). The approval queue (through
-- `waiting_decisions`), the validation page and the count beside the menu read it.

create or replace function pending_assessments(p_all boolean, p_own bigint, p_patterns text[])
returns table (id bigint, employee_id bigint, since timestamptz)
language sql stable as $$
  select a.id, a.employee_id, a.created_at
  from assessments a join employees e on e.id = a.employee_id join units u on u.id = e.unit_id
  where a.status = 'pending' and scope_decides(p_all, p_own, p_patterns, e.id, u.path)
$$;
