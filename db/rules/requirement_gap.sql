-- Rule: an employee's gap in one requirement of their position's standard.
--
-- Per requirement of an active employee: `current_level` and `gap` are null where the level is
-- unknown (never assessed, or no longer valid: "belum dinilai", never level 0), `assessed` says
-- so; the gap is how many levels short, never below 0; `weight` is the requirement's priority
-- weight (`priority_weight`).

create or replace view requirement_gaps as
select e.id as employee_id, e.unit_id, ps.position_id, ps.competency_id, ps.required_level, ps.priority,
       cl.level as current_level,
       case when cl.level is not null then greatest(ps.required_level - cl.level, 0) end::smallint as gap,
       priority_weight(ps.priority, gs) as weight,
       cl.level is not null as assessed
from employees e
join position_standards ps on ps.position_id = e.position_id
cross join gap_settings gs
left join current_levels cl on cl.employee_id = e.id and cl.competency_id = ps.competency_id
where e.active;
