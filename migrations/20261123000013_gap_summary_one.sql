-- One employee's gap summary without computing their whole unit: `gap_summary` takes an optional
-- employee (the gap card passed the unit's path and kept one row of it; for a department-level
-- employee that was the whole department). The rule itself is unchanged; this replaces the function.
drop function gap_summary(date, text);

create function gap_summary(p_today date, p_path text, p_employee bigint default null)
returns table (
  employee_id bigint, unit_id bigint, requirements bigint, met bigint, coverage float8, score float8, max_gap int,
  critical_below text, big_gaps text, jp_year float8, jp_minimum float8, last_development date,
  last_assessment date, flag_critical boolean, flag_coverage boolean, flag_big_gap boolean, flag_jp boolean,
  flag_development boolean, flag_assessment boolean
) language sql stable as $$
  with staff as (
    select e.id, e.unit_id from employees e join units u on u.id = e.unit_id
    where e.active and u.path like p_path || '%' and (p_employee is null or e.id = p_employee)),
  req as (
    select g.employee_id, count(*) as requirements, count(*) filter (where g.gap = 0) as met,
           sum(g.gap * g.weight) as score, max(g.gap)::int as max_gap,
           string_agg(c.code, ', ' order by c.code) filter (where g.priority = 'critical' and g.gap > 0) as critical_below,
           string_agg(c.code, ', ' order by c.code) filter (where g.gap >= 2) as big_gaps
    from requirement_gaps g join staff s on s.id = g.employee_id join competencies c on c.id = g.competency_id
    group by g.employee_id),
  jp as (
    select j.employee_id, sum(j.jp)::float8 as jp from jp_entries j
    where j.year = extract(year from p_today)::int and (p_employee is null or j.employee_id = p_employee)
    group by j.employee_id),
  dev as (
    select employee_id, max(on_date) as last_dev from (
      select tp.employee_id, t.ends_on as on_date from training_participants tp join trainings t on t.id = tp.training_id
      where tp.status = 'passed' and t.status <> 'cancelled' and (p_employee is null or tp.employee_id = p_employee)
      union all
      select l.employee_id, a.held_on from activity_learners l join activities a on a.id = l.activity_id
      where a.status = 'confirmed' and (p_employee is null or l.employee_id = p_employee)) d
    group by employee_id),
  asm as (
    select a.employee_id, max(a.assessed_on) as last_asm from assessments a
    where a.status = 'validated' and (p_employee is null or a.employee_id = p_employee) group by a.employee_id),
  cfg as (
    select gs.*, (select value::float8 from settings where key = 'jp_per_year') as jp_min from gap_settings gs)
  select s.id, s.unit_id, coalesce(r.requirements, 0), coalesce(r.met, 0),
         case when coalesce(r.requirements, 0) = 0 then 1.0 else r.met::float8 / r.requirements end,
         coalesce(r.score, 0)::float8, coalesce(r.max_gap, 0), r.critical_below, r.big_gaps,
         coalesce(j.jp, 0), cfg.jp_min, d.last_dev, a.last_asm,
         r.critical_below is not null,
         coalesce(r.requirements, 0) > 0 and r.met::float8 / r.requirements * 100 < cfg.coverage_threshold,
         r.big_gaps is not null,
         coalesce(j.jp, 0) < cfg.jp_min,
         d.last_dev is null or d.last_dev < p_today - make_interval(months => cfg.development_months),
         a.last_asm is null or a.last_asm < p_today - make_interval(months => cfg.assessment_months)
  from staff s cross join cfg
  left join req r on r.employee_id = s.id left join jp j on j.employee_id = s.id
  left join dev d on d.employee_id = s.id left join asm a on a.employee_id = s.id
$$;
