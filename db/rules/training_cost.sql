-- Rule: what a training costs its budget.
--
-- Participants are paid for once approved, in every later state but rejected (`participant_billable`).
-- A training costs its fixed cost plus the cost per paid participant, once anybody is paid for; a
-- training nobody is approved for costs nothing yet (`training_cost`). `training_costs` gives each
-- training's paid participants and cost, and what approving one more participant adds to it
-- (`next_cost`: the fixed cost as well for the first): the approval's budget check, the trainings
-- pages, the budgets and the plan read it.

create or replace function participant_billable(status text) returns boolean language sql immutable as $$
  select status in ('approved', 'attended', 'passed', 'failed', 'absent')
$$;

create or replace function training_cost(p_fixed bigint, p_per_participant bigint, p_paid bigint) returns bigint
language sql immutable as $$
  select case when p_paid > 0 then p_fixed + p_per_participant * p_paid else 0 end
$$;

-- Counted per training, so a filter on the training reaches the count.
create or replace view training_costs as
select t.id as training_id, t.budget_year, t.budget_unit_id, t.status,
       n.paid as paid_participants,
       training_cost(t.fixed_cost, t.cost_per_participant, n.paid) as cost,
       training_cost(t.fixed_cost, t.cost_per_participant, n.paid + 1)
         - training_cost(t.fixed_cost, t.cost_per_participant, n.paid) as next_cost
from trainings t
cross join lateral (select count(*) as paid from training_participants p
                    where p.training_id = t.id and participant_billable(p.status)) n;
