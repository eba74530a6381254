-- Rule: where each person stands on the talent map (the nine boxes of PermenPANRB 3/2020) for a
-- rating year.
--
-- Per active employee: performance from the year's rating (hasil kerja and perilaku kerja,
-- weighted by HR's talent settings), potential from competency readiness in what is known (met /
-- assessed, from the kept gap facts `employee_gap_facts`, so the same figure as the gap pages),
-- qualification (education level's score) and development (JP of the year and the one before, from
-- `employee_jp_years`, against twice the yearly minimum `jp_minimum()`), each 0–100; the band of
-- each axis (1 low, 2 middle, 3 high) and the box (1 low/low … 9 high/high). Without a rating an
-- employee has no box. Potential is the weighted mean of the parts that are known (readiness is
-- unknown while nothing is assessed).
--
-- `talent_placements_under(year, unit path)` places the active staff under the path, reading each
-- one's kept facts by key: a unit's map costs its own staff. (It used to aggregate every
-- requirement of the whole department first: 6 s at 100 000 staff for any unit's map.)
-- `talent_placements(year)` (migration 30's name, for the succession pool and the seed) is the
-- whole department.

-- `talent_placements_of(year, path, ids)`: the placements of the staff under the unit `path`
-- ('' = everyone), or of those of them whose ids are given (a page of the map: only its people
-- are scored).
create or replace function talent_placements_of(p_year int, p_path text, p_ids bigint[])
returns table (employee_id bigint, unit_id bigint, hasil_kerja text, perilaku_kerja text, predicate text,
               performance int, readiness int, assessed int, met int, education_level text, qualification int,
               development_jp float8, development int, potential int, perf_band smallint, pot_band smallint, box smallint)
language sql stable as $$
  with s as (select * from talent_settings where id = 1),
  parts as (
    select e.id as employee_id, e.unit_id, r.hasil_kerja, r.perilaku_kerja, r.predicate,
           case when r.id is null then null else round(
             s.perf_hasil * (case r.hasil_kerja when 'above' then s.exp_above when 'as_expected' then s.exp_as_expected else s.exp_below end)
           + s.perf_perilaku * (case r.perilaku_kerja when 'above' then s.exp_above when 'as_expected' then s.exp_as_expected else s.exp_below end))::int end as performance,
           case when coalesce(g.assessed, 0) > 0 then round(100.0 * g.met / g.assessed)::int end as readiness,
           coalesce(g.assessed, 0) as assessed, coalesce(g.met, 0) as met, e.education_level,
           coalesce(q.score, 0)::int as qualification, coalesce(j1.jp + j0.jp, j1.jp, j0.jp, 0)::float8 as development_jp,
           least(100, round(100 * coalesce(j1.jp + j0.jp, j1.jp, j0.jp, 0) / (2 * greatest((select jp_minimum()), 1))::float8))::int as development,
           s.*
    from employees e join units un on un.id = e.unit_id cross join s
    left join performance_ratings r on r.employee_id = e.id and r.year = p_year
    left join employee_gap_facts g on g.employee_id = e.id
    -- The year and the one before, each by key (an aggregate per person cost 7 µs a row).
    left join employee_jp_years j1 on j1.employee_id = e.id and j1.year = p_year
    left join employee_jp_years j0 on j0.employee_id = e.id and j0.year = p_year - 1
    left join talent_qualification_scores q on q.education_level = e.education_level
    where e.active and un.path like p_path || '%' and (p_ids is null or e.id = any(p_ids))),
  scored as (
    select p.*, round((coalesce(p.pot_readiness * p.readiness, 0) + p.pot_qualification * p.qualification + p.pot_development * p.development)
                / nullif(case when p.readiness is null then 0 else p.pot_readiness end + p.pot_qualification + p.pot_development, 0))::int as potential
    from parts p),
  banded as (
    select sc.*,
           (case when sc.performance is null then null when sc.performance >= sc.high_cut then 3 when sc.performance >= sc.low_cut then 2 else 1 end)::smallint as perf_band,
           (case when coalesce(sc.potential, 0) >= sc.pot_high_cut then 3 when coalesce(sc.potential, 0) >= sc.pot_low_cut then 2 else 1 end)::smallint as pot_band
    from scored sc)
  select b.employee_id, b.unit_id, b.hasil_kerja, b.perilaku_kerja, b.predicate, b.performance, b.readiness, b.assessed, b.met,
         b.education_level, b.qualification, b.development_jp, b.development, coalesce(b.potential, 0), b.perf_band, b.pot_band,
         (case when b.perf_band is null then null
               else (array[1, 2, 4, 3, 5, 7, 6, 8, 9])[(b.perf_band - 1) * 3 + b.pot_band] end)::smallint as box
  from banded b
$$;

create or replace function talent_placements_under(p_year int, p_path text)
returns table (employee_id bigint, unit_id bigint, hasil_kerja text, perilaku_kerja text, predicate text,
               performance int, readiness int, assessed int, met int, education_level text, qualification int,
               development_jp float8, development int, potential int, perf_band smallint, pot_band smallint, box smallint)
language sql stable as $$
  select * from talent_placements_of(p_year, p_path, null)
$$;

create or replace function talent_placements(p_year int)
returns table (employee_id bigint, unit_id bigint, hasil_kerja text, perilaku_kerja text, predicate text,
               performance int, readiness int, assessed int, met int, education_level text, qualification int,
               development_jp float8, development int, potential int, perf_band smallint, pot_band smallint, box smallint)
language sql stable as $$
  select * from talent_placements_under(p_year, '')
$$;
