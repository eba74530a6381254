-- Rule: the assessments waiting for an account's validation.
--
-- Pending assessments (self-assessments, and a training's proposed level) of the employees the
-- account decides for (`scope_decides`: never its own). The approval queue (through
-- `waiting_decisions`), the validation page and the count beside the menu read it.
--
-- The unit's path is read per assessment, and only when the scope is not the whole agency:
-- `scope_decides` tests `p_all` first, so for HR (a campaign's thousands of pending
-- self-assessments) the count reads the pending index alone instead of joining every row to its
-- employee and unit (16 → 3 ms at 15 000 staff and 2 700 pending). The employee and unit always
-- exist (foreign keys, `employees.unit_id` not null), so the rows are those of the join.

create or replace function pending_assessments(p_all boolean, p_own bigint, p_patterns text[])
returns table (id bigint, employee_id bigint, since timestamptz)
language sql stable as $$
  select a.id, a.employee_id, a.created_at
  from assessments a
  where a.status = 'pending'
    and scope_decides(p_all, p_own, p_patterns, a.employee_id,
                      (select u.path from employees e join units u on u.id = e.unit_id where e.id = a.employee_id))
$$;
