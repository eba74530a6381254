-- Rule: who is flagged, and in which tier (the gap summary per employee).
--
--   tier 1, act now: a critical competency two or more levels short (in what is known);
--   tier 2, develop: a critical competency short, any competency two or more levels short, or
--           readiness (met / assessed) below HR's threshold;
--   tier 3, not yet assessed: none of the above and under half the requirements known; the action is
--           to ask for an assessment, not to train;
--   tier 0: on track in what is known.
-- `flagged` is tiers 1 and 2. JP below the minimum and no recent development or assessment are
-- reminders with their reasons, not a sign of being under-skilled.
--
-- `gap_summary(today, unit path, [employee])` gives each active employee under the path with the
-- facts behind each flag; the gap pages, the home, the plan and the exports read it (and never
-- test a flag themselves). It reads the kept gap facts (`employee_gap_facts`, migrations).
create or replace function gap_summary(p_today date, p_path text, p_employee bigint default null)
returns table (
  employee_id bigint, unit_id bigint, requirements bigint, met bigint, coverage float8, score float8, max_gap int,
  critical_below text, big_gaps text, jp_year float8, jp_minimum float8, last_development date,
  last_assessment date, flag_critical boolean, flag_coverage boolean, flag_big_gap boolean, flag_jp boolean,
  flag_development boolean, flag_assessment boolean, sort_name text,
  assessed bigint, readiness float8, critical_big text, tier smallint, flagged boolean
) language sql stable as $$
  select s.employee_id, s.unit_id, s.requirements, s.met, s.coverage, s.score, s.max_gap, s.critical_below, s.big_gaps,
         s.jp_year, s.jp_minimum, s.last_development, s.last_assessment, s.flag_critical, s.flag_readiness,
         s.flag_big_gap, s.flag_jp, s.flag_development, s.flag_assessment, s.sort_name, s.assessed, s.readiness,
         s.critical_big, t.tier, t.tier in (1, 2)
  from (
    -- The settings and cut-off dates are worked out once, not once per employee (`offset 0` keeps
    -- them a subquery of their own; the rest stays flat, so a page in rank order reads the rank
    -- index and stops at the page).
    select f.employee_id, f.unit_id, f.requirements::bigint as requirements, f.met::bigint as met,
           case when f.requirements = 0 then 1.0 else f.assessed::float8 / f.requirements end as coverage,
           f.score, f.max_gap::int as max_gap, f.critical_below, f.big_gaps,
           coalesce(j.jp, 0)::float8 as jp_year, cfg.jp_min as jp_minimum, f.last_development, f.last_assessment,
           f.critical_below is not null as flag_critical,
           f.assessed > 0 and f.met * 100 < cfg.coverage_threshold * f.assessed as flag_readiness,
           f.big_gaps is not null as flag_big_gap,
           coalesce(j.jp, 0) < cfg.jp_min_n as flag_jp,
           f.last_development is null or f.last_development < cfg.dev_cutoff as flag_development,
           f.last_assessment is null or f.last_assessment < cfg.asm_cutoff as flag_assessment,
           f.name as sort_name, f.assessed::bigint as assessed,
           case when f.assessed > 0 then f.met::float8 / f.assessed end as readiness,
           f.critical_big
    from employee_gap_facts f join units u on u.id = f.unit_id
    cross join (
      select gs.coverage_threshold, j.jp_min, j.jp_min::numeric as jp_min_n,
             p_today - make_interval(months => gs.development_months) as dev_cutoff,
             p_today - make_interval(months => gs.assessment_months) as asm_cutoff
      from gap_settings gs cross join (select jp_minimum()::float8 as jp_min) j
      offset 0) cfg
    left join employee_jp_years j on j.employee_id = f.employee_id and j.year = extract(year from p_today)::int
    where f.active and u.path like p_path || '%' and (p_employee is null or f.employee_id = p_employee)
  ) s
  cross join lateral (
    select (case
              when s.critical_big is not null then 1
              when s.flag_critical or s.flag_big_gap or s.flag_readiness then 2
              when s.requirements > 0 and s.assessed * 2 < s.requirements then 3
              else 0 end)::smallint as tier) t
$$;
