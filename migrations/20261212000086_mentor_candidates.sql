-- Who could mentor someone in a competency: one rule for the gap card and the HR home's "develop
-- first", read from an index's end instead of sorting every holder.
--
-- Both ranked every colleague at or above the level by name: at 15 000 staff a competency has
-- ~7 000 holders, and an employee's gap card spent 66 ms of the database on its four mentors per
-- gap (10 cards a second on 2 cores); at 100 000 the HR home's first view spent ~0.1 s a person.
--
-- The order is: the mentee's own unit first, then the higher level, then fewer mentees in the
-- mentoring period, then the newest level record (any fixed tie-break would do; this one is the
-- index's order). The candidates are exact for that order: every holder of the own unit (a unit
-- is small), every holder elsewhere who already mentors (few), and the first `p_limit` of the
-- other holders elsewhere, whose order is the index's (their mentees are all 0).

create index current_level_rows_competency_level_idx on current_level_rows (competency_id, level, employee_id);
drop index current_level_rows_competency_idx;

create function mentor_candidates(p_competencies bigint[], p_levels smallint[], p_mentee bigint, p_today date,
                                  p_limit int)
returns table (competency_id bigint, mentor_id bigint, level smallint, same_unit boolean, mentees bigint,
               mentor_rank bigint)
language sql stable as $$
with me as (select e.unit_id from employees e where e.id = p_mentee),
load as materialized (select ld.mentor_id, ld.mentees from mentor_load(p_today) ld),
loaded as materialized (select coalesce(array_agg(l.mentor_id), '{}') as ids from load l),
need as (select * from unnest(p_competencies, p_levels) as n(competency_id, level)),
found as (
  select n.competency_id, x.id, cl.level, true as same_unit
  from need n cross join me
  join employees x on x.unit_id = me.unit_id and x.active and x.id <> p_mentee
  join current_levels cl on cl.employee_id = x.id and cl.competency_id = n.competency_id and cl.level >= n.level
  union all
  -- (each looked up by its key: `offset 0` keeps the planner from hashing every employee)
  select n.competency_id, x.id, cl.level, false
  from load l cross join me
  cross join lateral (select x.id from employees x
                      where x.id = l.mentor_id and x.active and x.unit_id <> me.unit_id and x.id <> p_mentee
                      offset 0) x
  cross join need n
  cross join lateral (select c.level from current_levels c
                      where c.employee_id = x.id and c.competency_id = n.competency_id and c.level >= n.level
                      offset 0) cl
  union all
  select n.competency_id, o.id, o.level, false
  from need n cross join me cross join loaded
  cross join lateral (
    select x.id, cl.level
    from current_levels cl join employees x on x.id = cl.employee_id
    where cl.competency_id = n.competency_id and cl.level >= n.level
      and x.active and x.unit_id <> me.unit_id and x.id <> p_mentee and x.id <> all (loaded.ids)
    order by cl.level desc, cl.employee_id desc
    limit p_limit) o)
select r.competency_id, r.id, r.level, r.same_unit, r.mentees, r.rn
from (
  select f.competency_id, f.id, f.level, f.same_unit, coalesce(l.mentees, 0)::bigint as mentees,
         row_number() over (partition by f.competency_id
                            order by f.same_unit desc, f.level desc, coalesce(l.mentees, 0), f.id desc) as rn
  from found f left join load l on l.mentor_id = f.id) r
where r.rn <= p_limit
$$;
