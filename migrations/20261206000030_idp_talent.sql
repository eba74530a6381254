-- Individual development plans (rencana pengembangan individu, IDP) drawn from the gap card,
-- templates per position, yearly performance ratings (SKP 2022) and the talent map's settings.

-- One IDP per employee and year. Progress is never typed: it is read from the records made on or
-- after `starts_on` (passed trainings, confirmed informal learning, validated levels).
create table idps (
  id bigint generated always as identity primary key,
  employee_id bigint not null references employees (id),
  year integer not null check (year between 2000 and 2100),
  starts_on date not null default current_date,
  status text not null default 'draft' check (status in ('draft', 'approved')),
  created_by bigint references accounts (id),
  approved_by bigint references accounts (id),
  approved_at timestamptz,
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint idps_once unique (employee_id, year),
  constraint idps_approved check ((status = 'approved') = (approved_at is not null))
);
create index idps_created_by_idx on idps (created_by);
create index idps_approved_by_idx on idps (approved_by);
create index idps_year_status_idx on idps (year, status);
create trigger idps_updated_at before update on idps for each row execute function set_updated_at();

-- One line per competency gap: the goal, by when, the route and the JP expected.
create table idp_lines (
  id bigint generated always as identity primary key,
  idp_id bigint not null references idps (id),
  competency_id bigint not null references competencies (id),
  -- The level when the line was made (null: not assessed then).
  start_level smallint check (start_level between 1 and 5),
  goal_level smallint not null check (goal_level between 1 and 5),
  target_date date not null,
  route text not null check (route in ('programme', 'training', 'mentor', 'self_study', 'assignment')),
  programme_id bigint references programmes (id),
  training_id bigint references trainings (id),
  mentor_id bigint references employees (id),
  note text not null default '' check (length(note) <= 500),
  expected_jp numeric(6, 1) not null default 0 check (expected_jp >= 0 and expected_jp <= 2000),
  -- Where the line came from: the gap card, the accepted unit plan (AKPK) or a position template.
  source text not null default 'gap' check (source in ('gap', 'plan', 'template')),
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint idp_lines_once unique (idp_id, competency_id),
  constraint idp_lines_route_choice check ((route <> 'programme' or programme_id is not null)
    and (route <> 'training' or training_id is not null) and (route <> 'mentor' or mentor_id is not null))
);
create index idp_lines_competency_id_idx on idp_lines (competency_id);
create index idp_lines_programme_id_idx on idp_lines (programme_id);
create index idp_lines_training_id_idx on idp_lines (training_id);
create index idp_lines_mentor_id_idx on idp_lines (mentor_id);
create trigger idp_lines_updated_at before update on idp_lines for each row execute function set_updated_at();

-- HR's template per position: the lines everyone in the position should have where they fall short.
create table idp_templates (
  id bigint generated always as identity primary key,
  position_id bigint not null references positions (id),
  competency_id bigint not null references competencies (id),
  goal_level smallint not null check (goal_level between 1 and 5),
  route text not null check (route in ('programme', 'self_study', 'assignment')),
  programme_id bigint references programmes (id),
  months smallint not null default 12 check (months between 1 and 36),
  expected_jp numeric(6, 1) not null default 0 check (expected_jp >= 0 and expected_jp <= 2000),
  created_at timestamptz not null default now(),
  constraint idp_templates_once unique (position_id, competency_id),
  constraint idp_templates_route_choice check (route <> 'programme' or programme_id is not null)
);
create index idp_templates_competency_id_idx on idp_templates (competency_id);
create index idp_templates_programme_id_idx on idp_templates (programme_id);

-- The yearly performance rating (SKP 2022, PermenPANRB 6/2022): hasil kerja and perilaku kerja
-- against expectation, and the predicate. Versioned and audited.
create table performance_ratings (
  id bigint generated always as identity primary key,
  employee_id bigint not null references employees (id),
  year integer not null check (year between 2000 and 2100),
  hasil_kerja text not null check (hasil_kerja in ('above', 'as_expected', 'below')),
  perilaku_kerja text not null check (perilaku_kerja in ('above', 'as_expected', 'below')),
  predicate text not null check (predicate in ('sangat_baik', 'baik', 'butuh_perbaikan', 'kurang', 'sangat_kurang')),
  source text not null default 'manual' check (source in ('manual', 'import', 'siasn')),
  recorded_by bigint references accounts (id),
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint performance_ratings_once unique (employee_id, year)
);
create index performance_ratings_recorded_by_idx on performance_ratings (recorded_by);
create index performance_ratings_year_idx on performance_ratings (year);
create trigger performance_ratings_updated_at before update on performance_ratings for each row execute function set_updated_at();

-- The talent map's weights and cut-offs (one row). Scores run 0–100; a score below `low_cut` is
-- low, from `high_cut` on high (`pot_low_cut`, `pot_high_cut` for potential). Each weight's source is named on the map and the settings page.
create table talent_settings (
  id smallint primary key default 1 check (id = 1),
  perf_hasil numeric(4, 2) not null default 0.70 check (perf_hasil between 0 and 1),
  perf_perilaku numeric(4, 2) not null default 0.30 check (perf_perilaku between 0 and 1),
  pot_readiness numeric(4, 2) not null default 0.50 check (pot_readiness between 0 and 1),
  pot_qualification numeric(4, 2) not null default 0.20 check (pot_qualification between 0 and 1),
  pot_development numeric(4, 2) not null default 0.30 check (pot_development between 0 and 1),
  -- The score of each SKP rating against expectation.
  exp_above smallint not null default 100 check (exp_above between 0 and 100),
  exp_as_expected smallint not null default 60 check (exp_as_expected between 0 and 100),
  exp_below smallint not null default 0 check (exp_below between 0 and 100),
  -- Band limits of performance, then of potential.
  low_cut smallint not null default 45 check (low_cut between 1 and 99),
  high_cut smallint not null default 75 check (high_cut between 2 and 100),
  pot_low_cut smallint not null default 70 check (pot_low_cut between 1 and 99),
  pot_high_cut smallint not null default 90 check (pot_high_cut between 2 and 100),
  version bigint not null default 1,
  updated_by bigint references accounts (id),
  updated_at timestamptz not null default now(),
  constraint talent_settings_cuts check (low_cut < high_cut and pot_low_cut < pot_high_cut),
  constraint talent_settings_perf_sum check (perf_hasil + perf_perilaku = 1),
  constraint talent_settings_pot_sum check (pot_readiness + pot_qualification + pot_development = 1)
);
create index talent_settings_updated_by_idx on talent_settings (updated_by);
insert into talent_settings default values;

-- Key positions (jabatan kritikal): their succession pool is read from boxes 7–9 of the map.
alter table positions add column is_key boolean not null default false;
create index positions_is_key_idx on positions (id) where is_key;

do $$
declare t text;
begin
  foreach t in array array['idps', 'idp_lines', 'idp_templates', 'performance_ratings', 'talent_settings'] loop
    execute format('create trigger %I after insert or update or delete on %I
                    for each statement execute function note_data_change()', t || '_notes_change', t);
  end loop;
end $$;

-- The one definition of an IDP line's progress, from the records made on or after the IDP's start:
-- JP earned on the line's competency (passed trainings that develop it, confirmed informal learning
-- on it), sessions waiting to be confirmed, whether a training on it was passed, and the percent:
-- 100 once the goal level is validated, else the JP earned against the JP expected, at most 90
-- (the last tenth is the validated level); a line expecting no JP moves only with the level.
create view idp_line_progress as
select l.id as line_id, l.idp_id, i.employee_id, cl.level as current_level, f.earned_jp, f.waiting, f.sessions, f.passed,
       (case when cl.level >= l.goal_level then 100
             when l.expected_jp <= 0 then 0
             else least(90, round(100 * f.earned_jp / l.expected_jp::float8)) end)::int as percent,
       case when cl.level >= l.goal_level then 'reached'
            when f.earned_jp > 0 or f.waiting > 0 or f.passed then 'moving'
            else 'not_started' end as state
from idp_lines l join idps i on i.id = l.idp_id
left join current_levels cl on cl.employee_id = i.employee_id and cl.competency_id = l.competency_id
cross join lateral (
  select (coalesce((select sum(tj.jp) from training_jp tj
                    join training_competencies tc on tc.training_id = tj.training_id and tc.competency_id = l.competency_id
                    where tj.employee_id = i.employee_id and tj.on_date >= i.starts_on), 0)
          + coalesce((select sum(aj.jp) from activity_jp aj join activities a on a.id = aj.activity_id
                      where aj.employee_id = i.employee_id and a.competency_id = l.competency_id
                        and aj.on_date >= i.starts_on), 0))::float8 as earned_jp,
         (select count(*) from activities a join activity_learners al on al.activity_id = a.id
          where al.employee_id = i.employee_id and a.competency_id = l.competency_id and a.status = 'pending'
            and a.held_on >= i.starts_on) as waiting,
         (select count(*) from activities a join activity_learners al on al.activity_id = a.id
          where al.employee_id = i.employee_id and a.competency_id = l.competency_id and a.status = 'confirmed'
            and a.held_on >= i.starts_on) as sessions,
         exists (select 1 from training_participants tp join trainings t on t.id = tp.training_id
                 join training_competencies tc on tc.training_id = tp.training_id and tc.competency_id = l.competency_id
                 where tp.employee_id = i.employee_id and tp.status = 'passed' and t.ends_on >= i.starts_on) as passed
) f;

-- The qualification part of potential: a score per education level (PermenPANRB 3/2020 names
-- qualification among the parts of potential; the scores are HR's, shown on the map's settings).
create table talent_qualification_scores (
  education_level text primary key check (education_level in ('SD', 'SMP', 'SMA', 'D1', 'D2', 'D3', 'D4', 'S1', 'S2', 'S3')),
  score smallint not null check (score between 0 and 100)
);
insert into talent_qualification_scores values
  ('SD', 10), ('SMP', 15), ('SMA', 30), ('D1', 40), ('D2', 45), ('D3', 55), ('D4', 75), ('S1', 75), ('S2', 90), ('S3', 100);
create trigger talent_qualification_scores_notes_change after insert or update or delete on talent_qualification_scores
  for each statement execute function note_data_change();

-- The one definition of the talent map for a rating year: per active employee, performance (from
-- the year's rating) and potential (competency readiness in what is known, qualification,
-- development over the year and the one before against twice the yearly minimum), each 0–100 with
-- its parts, the band of each axis (1 low, 2 middle, 3 high) and the box of PermenPANRB 3/2020
-- (1 low/low … 9 high/high). Without a rating an employee has no box. Potential is the weighted
-- mean of the parts that are known (readiness is unknown while nothing is assessed).
create function talent_placements(p_year int)
returns table (employee_id bigint, unit_id bigint, hasil_kerja text, perilaku_kerja text, predicate text,
               performance int, readiness int, assessed int, met int, education_level text, qualification int,
               development_jp float8, development int, potential int, perf_band smallint, pot_band smallint, box smallint)
language sql stable as $$
  with s as (select * from talent_settings where id = 1),
  jpmin as (select coalesce((select value::numeric from settings where key = 'jp_per_year'), 20) as v),
  g as (select rg.employee_id, count(*) filter (where rg.assessed)::int as assessed,
               count(*) filter (where rg.gap = 0)::int as met
        from requirement_gaps rg group by rg.employee_id),
  d as (select j.employee_id, sum(j.jp)::float8 as jp from jp_entries j where j.year between p_year - 1 and p_year
        group by j.employee_id),
  parts as (
    select e.id as employee_id, e.unit_id, r.hasil_kerja, r.perilaku_kerja, r.predicate,
           case when r.id is null then null else round(
             s.perf_hasil * (case r.hasil_kerja when 'above' then s.exp_above when 'as_expected' then s.exp_as_expected else s.exp_below end)
           + s.perf_perilaku * (case r.perilaku_kerja when 'above' then s.exp_above when 'as_expected' then s.exp_as_expected else s.exp_below end))::int end as performance,
           case when coalesce(g.assessed, 0) > 0 then round(100.0 * g.met / g.assessed)::int end as readiness,
           coalesce(g.assessed, 0) as assessed, coalesce(g.met, 0) as met, e.education_level,
           coalesce(q.score, 0)::int as qualification, coalesce(d.jp, 0) as development_jp,
           least(100, round(100 * coalesce(d.jp, 0) / (2 * greatest(jpmin.v, 1))::float8))::int as development,
           s.*
    from employees e cross join s cross join jpmin
    left join performance_ratings r on r.employee_id = e.id and r.year = p_year
    left join g on g.employee_id = e.id left join d on d.employee_id = e.id
    left join talent_qualification_scores q on q.education_level = e.education_level
    where e.active),
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
