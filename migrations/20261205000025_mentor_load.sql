-- One definition of a mentor's load: the distinct colleagues they mentored (activities not
-- rejected) in the period of the gap settings, up to a day. Used by the gap card's mentor options,
-- the home's routes and the plan's mentor capacities.
create function mentor_load(p_today date) returns table (mentor_id bigint, mentees bigint)
language sql stable as $$
  select a.mentor_id, count(distinct l.employee_id)
  from activities a join activity_learners l on l.activity_id = a.id cross join gap_settings gs
  where a.mentor_id is not null and a.status <> 'rejected' and a.held_on > p_today - gs.mentor_period_days
  group by a.mentor_id
$$;
