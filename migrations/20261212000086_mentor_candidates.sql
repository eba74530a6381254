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
-- is small), the first `p_limit` holders elsewhere who mentor nobody yet (their order is the
-- index's: their mentees are all 0), and those elsewhere who already mentor at a level above the
-- last of those (at 100 000 staff ~2 000 colleagues mentor; looking each up cost 45 ms).

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
-- the first others elsewhere who do not mentor yet, from the index's end
tops as (
  select n.competency_id, o.id, o.level
  from need n cross join me cross join loaded
  cross join lateral (
    select x.id, cl.level
    from current_levels cl join employees x on x.id = cl.employee_id
    where cl.competency_id = n.competency_id and cl.level >= n.level
      and x.active and x.unit_id <> me.unit_id and x.id <> p_mentee and x.id <> all (loaded.ids)
    order by cl.level desc, cl.employee_id desc
    limit p_limit) o),
-- those who already mentor rank after every other of their level: only a level above the last
-- of those firsts can place them among the first (any level when there are fewer than p_limit)
floors as (
  select n.competency_id, case when count(t.id) < p_limit then n.level else min(t.level) + 1 end as above
  from need n left join tops t on t.competency_id = n.competency_id
  group by n.competency_id, n.level),
found as (
  select n.competency_id, x.id, cl.level, true as same_unit
  from need n cross join me
  join employees x on x.unit_id = me.unit_id and x.active and x.id <> p_mentee
  join current_levels cl on cl.employee_id = x.id and cl.competency_id = n.competency_id and cl.level >= n.level
  union all
  select t.competency_id, t.id, t.level, false from tops t
  union all
  -- (the levels above, read by range: few rows, where asking for each mentor was ~2 000 probes)
  select f.competency_id, x.id, cl.level, false
  from floors f cross join me
  cross join lateral (select c.employee_id, c.level from current_levels c
                      where c.competency_id = f.competency_id and c.level >= f.above
                      offset 0) cl
  join load l on l.mentor_id = cl.employee_id
  join employees x on x.id = cl.employee_id and x.active and x.unit_id <> me.unit_id and x.id <> p_mentee)
select r.competency_id, r.id, r.level, r.same_unit, r.mentees, r.rn
from (
  select f.competency_id, f.id, f.level, f.same_unit, coalesce(l.mentees, 0)::bigint as mentees,
         row_number() over (partition by f.competency_id
                            order by f.same_unit desc, f.level desc, coalesce(l.mentees, 0), f.id desc) as rn
  from found f left join load l on l.mentor_id = f.id) r
where r.rn <= p_limit
$$;
