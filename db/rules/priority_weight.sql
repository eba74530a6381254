-- Rule: how much a requirement's gap weighs, by its priority in the position's standard.
--
-- HR sets one weight per priority (critical, important, useful) in `gap_settings`; any other
-- priority counts as useful. The weighted gap of an employee or a unit is the gap levels of each
-- priority times that priority's weight. Read by the requirement gaps, the kept gap facts' score,
-- the gap card's lines and the largest gaps of a unit.

create or replace function priority_weight(p_priority text, gs gap_settings) returns float8
language sql immutable as $$
  select (case p_priority when 'critical' then gs.weight_critical when 'important' then gs.weight_important
          else gs.weight_useful end)::float8
$$;

-- The weighted gap from the gap levels per priority and the three weights.
create or replace function weighted_gap(critical int, important int, useful int, wc float8, wi float8, wu float8)
returns float8 language sql immutable as $$
  select critical * wc + important * wi + useful * wu
$$;

-- The same with the weights taken from HR's settings row.
create or replace function weighted_gap(critical int, important int, useful int, gs gap_settings) returns float8
language sql immutable as $$
  select weighted_gap(critical, important, useful, priority_weight('critical', gs), priority_weight('important', gs),
                      priority_weight('useful', gs))
$$;
