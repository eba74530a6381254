-- Rule: a budget's figures: allocated, committed, spent and remaining.
--
-- A budget is a unit's for a year (the department's own pool is its top unit's). Allocated is what
-- HR set (0 when nothing is set); committed is the cost of the trainings charged to it that are not
-- yet completed, spent of those completed (cancelled ones count for nothing); remaining is
-- allocated less both, and may fall below 0 when HR approved past the budget with a reason.
-- `budget_figures(year)` gives them for every unit; `recorded` says an allocation is set or a
-- training is charged. The budgets page, a training's page, an approval's budget check and the
-- homes read it.

-- Per budget (year, unit) with a training charged to it: committed and spent.
create or replace view budget_use as
select budget_year as year, budget_unit_id as unit_id,
       coalesce(sum(cost) filter (where status in ('planned', 'open', 'running')), 0)::bigint as committed,
       coalesce(sum(cost) filter (where status = 'completed'), 0)::bigint as spent
from training_costs
where status <> 'cancelled'
group by budget_year, budget_unit_id;

create or replace function budget_figures(p_year int)
returns table (unit_id bigint, year int, allocated bigint, committed bigint, spent bigint, remaining bigint,
               recorded boolean)
language sql stable as $$
  select u.id, p_year, coalesce(b.amount, 0)::bigint, coalesce(x.committed, 0)::bigint, coalesce(x.spent, 0)::bigint,
         (coalesce(b.amount, 0) - coalesce(x.committed, 0) - coalesce(x.spent, 0))::bigint,
         b.amount is not null or x.unit_id is not null
  from units u
  left join unit_budgets b on b.unit_id = u.id and b.year = p_year
  left join budget_use x on x.unit_id = u.id and x.year = p_year
$$;
