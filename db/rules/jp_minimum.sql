-- Rule: the JP every civil servant owes a year, and who is below it.
--
-- The minimum is the agency's setting `jp_per_year` (20 JP, PermenPANRB 38/2017); a year's JP is
-- what `employee_jp_years` holds (the JP entries of formal and informal development, kept at
-- commit). `jp_minimum()` is the figure; `staff_below_jp(year)` lists the active staff below it.
-- `gap_summary`'s JP flag (`flagged.sql`) and the HR home's count read them.

create or replace function jp_minimum() returns numeric language sql stable as $$
  select coalesce((select value::numeric from settings where key = 'jp_per_year'), 20)
$$;

create or replace function staff_below_jp(p_year int)
returns table (employee_id bigint, jp numeric)
language sql stable as $$
  select e.id, coalesce(j.jp, 0)::numeric
  from employees e left join employee_jp_years j on j.employee_id = e.id and j.year = p_year
  where e.active and coalesce(j.jp, 0) < (select jp_minimum())
$$;
