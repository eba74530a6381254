-- Formal and informal competency development: providers, trainings and their participants,
-- training requests, peer learning (nonklasikal), the agency's JP conversion rules, unit budgets
-- and evaluations. Every total (JP, committed, spent, effect) is a view over these rows; nothing
-- is kept as a counter that could drift.

create table providers (
  id bigint generated always as identity primary key,
  name text not null check (length(name) between 1 and 200),
  kind text not null check (kind in ('university', 'vendor', 'lan_bpsdm', 'ministry', 'professional_body', 'other')),
  contact_person text not null default '',
  email text not null default '',
  phone text not null default '',
  website text not null default '',
  notes text not null default '',
  active boolean not null default true,
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index providers_name_key on providers (lower(name));
create trigger providers_updated_at before update on providers for each row execute function set_updated_at();
create trigger providers_version before update on providers for each row execute function bump_version();

create table trainings (
  id bigint generated always as identity primary key,
  title text not null check (length(title) between 1 and 300),
  form text not null check (form in ('teknis', 'fungsional', 'manajerial', 'struktural', 'workshop', 'seminar',
    'kursus', 'bimtek', 'sosialisasi', 'sertifikasi', 'e_learning', 'pjj', 'penataran', 'tugas_belajar', 'lainnya')),
  -- SIASN jenisDiklatId (1 Struktural … 25 Nonklasikal lainnya).
  jenis_diklat smallint not null check (jenis_diklat between 1 and 25),
  -- SIASN latihanStrukturalId, for the riwayat diklat file (struktural trainings only).
  siasn_ref text not null default '',
  provider_id bigint references providers (id),
  place text not null default '',
  online boolean not null default false,
  starts_on date not null,
  ends_on date not null,
  jp numeric(6, 1) not null check (jp > 0 and jp <= 2000),
  cost_per_participant bigint not null default 0 check (cost_per_participant >= 0),
  fixed_cost bigint not null default 0 check (fixed_cost >= 0),
  budget_year integer not null check (budget_year between 2000 and 2100),
  budget_unit_id bigint not null references units (id),
  budget_line text not null default '',
  quota integer not null check (quota between 1 and 10000),
  status text not null default 'planned' check (status in ('planned', 'open', 'running', 'completed', 'cancelled')),
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint trainings_dates_check check (ends_on >= starts_on)
);
create index trainings_provider_id_idx on trainings (provider_id);
create index trainings_budget_idx on trainings (budget_year, budget_unit_id);
create index trainings_budget_unit_id_idx on trainings (budget_unit_id);
create index trainings_status_idx on trainings (status, starts_on);
create index trainings_starts_on_idx on trainings (starts_on desc);
create trigger trainings_updated_at before update on trainings for each row execute function set_updated_at();
create trigger trainings_version before update on trainings for each row execute function bump_version();

-- The competencies a training develops and the level it brings a participant up to.
create table training_competencies (
  training_id bigint not null references trainings (id) on delete cascade,
  competency_id bigint not null references competencies (id),
  target_level smallint not null check (target_level between 1 and 5),
  primary key (training_id, competency_id)
);
create index training_competencies_competency_id_idx on training_competencies (competency_id);

-- An employee or their head asks for a training for a named gap; the head decides; HR schedules.
create table training_requests (
  id bigint generated always as identity primary key,
  employee_id bigint not null references employees (id),
  competency_id bigint not null references competencies (id),
  target_level smallint not null check (target_level between 1 and 5),
  reason text not null check (length(reason) between 1 and 2000),
  requested_by bigint references accounts (id),
  status text not null default 'pending' check (status in ('pending', 'approved', 'rejected', 'scheduled')),
  decided_by bigint references accounts (id),
  decided_at timestamptz,
  decision_reason text not null default '',
  training_id bigint references trainings (id),
  created_at timestamptz not null default now()
);
create index training_requests_employee_id_idx on training_requests (employee_id);
create index training_requests_competency_id_idx on training_requests (competency_id);
create index training_requests_requested_by_idx on training_requests (requested_by);
create index training_requests_decided_by_idx on training_requests (decided_by);
create index training_requests_training_id_idx on training_requests (training_id);
create index training_requests_status_idx on training_requests (status);

create table training_participants (
  id bigint generated always as identity primary key,
  training_id bigint not null references trainings (id),
  employee_id bigint not null references employees (id),
  status text not null default 'nominated'
    check (status in ('nominated', 'approved', 'rejected', 'attended', 'passed', 'failed', 'absent')),
  nominated_by bigint references accounts (id),
  request_id bigint references training_requests (id),
  decided_by bigint references accounts (id),
  decided_at timestamptz,
  decision_reason text not null default '',
  -- Set when HR approved past the budget: why.
  override_reason text not null default '',
  certificate_no text not null default '',
  certificate_issued_on date,
  certificate_expires_on date,
  score numeric(5, 2) check (score between 0 and 100),
  -- JP credited when it differs from the training's JP (null: the training's JP).
  jp_credited numeric(6, 1) check (jp_credited >= 0 and jp_credited <= 2000),
  certificate_file_id bigint references evidence_files (id),
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint training_participants_once unique (training_id, employee_id),
  constraint training_participants_cert_dates check (certificate_expires_on is null or certificate_issued_on is null
    or certificate_expires_on >= certificate_issued_on)
);
create index training_participants_employee_id_idx on training_participants (employee_id);
create index training_participants_status_idx on training_participants (status);
create index training_participants_expiry_idx on training_participants (certificate_expires_on) where certificate_expires_on is not null;
create index training_participants_nominated_by_idx on training_participants (nominated_by);
create index training_participants_decided_by_idx on training_participants (decided_by);
create index training_participants_request_id_idx on training_participants (request_id);
create index training_participants_certificate_file_id_idx on training_participants (certificate_file_id);
create trigger training_participants_updated_at before update on training_participants for each row execute function set_updated_at();
create trigger training_participants_version before update on training_participants for each row execute function bump_version();

-- Reaction: each participant's evaluation of a completed training (1–5 each).
create table training_evaluations (
  participant_id bigint primary key references training_participants (id),
  relevance smallint not null check (relevance between 1 and 5),
  method smallint not null check (method between 1 and 5),
  trainer smallint not null check (trainer between 1 and 5),
  usefulness smallint not null check (usefulness between 1 and 5),
  comment text not null default '' check (length(comment) <= 2000),
  submitted_at timestamptz not null default now()
);

-- The agency's own JP conversion rules for informal development (no national table exists).
create table jp_rules (
  kind text primary key check (kind in ('coaching', 'mentoring', 'belajar_mandiri', 'komunitas_belajar',
    'bimbingan_kerja', 'magang', 'detasering', 'benchmarking', 'e_learning', 'pertukaran')),
  minutes_per_jp integer not null check (minutes_per_jp between 1 and 600),
  max_jp_per_session numeric(5, 1) check (max_jp_per_session > 0),
  max_sessions_per_month integer check (max_sessions_per_month > 0),
  max_jp_per_day numeric(5, 1) check (max_jp_per_day > 0),
  fixed_jp numeric(6, 1) check (fixed_jp > 0),
  version bigint not null default 1,
  updated_at timestamptz not null default now()
);
create trigger jp_rules_updated_at before update on jp_rules for each row execute function set_updated_at();
create trigger jp_rules_version before update on jp_rules for each row execute function bump_version();
insert into jp_rules (kind, minutes_per_jp, max_jp_per_session, max_sessions_per_month, max_jp_per_day, fixed_jp) values
  ('coaching', 45, 2, 2, null, null),
  ('mentoring', 45, 2, 2, null, null),
  ('belajar_mandiri', 45, null, null, 2, null),
  ('komunitas_belajar', 45, 2, 4, null, null),
  ('bimbingan_kerja', 45, 4, null, null, null),
  ('magang', 45, null, null, null, 20),
  ('detasering', 45, null, null, null, 20),
  ('benchmarking', 45, 8, null, null, null),
  ('e_learning', 45, null, null, 4, null),
  ('pertukaran', 45, null, null, null, 20);

-- Informal development (nonklasikal): one session or assignment, a mentor when there is one,
-- one or more learners. Logged by an employee it counts once their head (or HR) confirms it.
create table activities (
  id bigint generated always as identity primary key,
  kind text not null references jp_rules (kind),
  mentor_id bigint references employees (id),
  competency_id bigint not null references competencies (id),
  target_level smallint check (target_level between 1 and 5),
  held_on date not null,
  minutes integer not null check (minutes between 1 and 14400),
  topic text not null check (length(topic) between 1 and 300),
  notes text not null default '',
  outcome text not null default '',
  -- Self-study: what was learnt and from which sources.
  report text not null default '',
  evidence_id bigint references evidence_files (id),
  status text not null default 'pending' check (status in ('pending', 'confirmed', 'rejected')),
  logged_by bigint references accounts (id),
  decided_by bigint references accounts (id),
  decided_at timestamptz,
  decision_reason text not null default '',
  created_at timestamptz not null default now()
);
create index activities_mentor_id_idx on activities (mentor_id);
create index activities_competency_id_idx on activities (competency_id);
create index activities_evidence_id_idx on activities (evidence_id);
create index activities_logged_by_idx on activities (logged_by);
create index activities_decided_by_idx on activities (decided_by);
create index activities_pending_idx on activities (status) where status = 'pending';
create index activities_held_on_idx on activities (held_on);

create table activity_learners (
  activity_id bigint not null references activities (id) on delete cascade,
  employee_id bigint not null references employees (id),
  primary key (activity_id, employee_id)
);
create index activity_learners_employee_id_idx on activity_learners (employee_id);

-- Yearly training budget of a unit (the department's own pool is the budget of its top unit).
create table unit_budgets (
  year integer not null check (year between 2000 and 2100),
  unit_id bigint not null references units (id),
  amount bigint not null check (amount >= 0),
  version bigint not null default 1,
  updated_at timestamptz not null default now(),
  primary key (year, unit_id)
);
create index unit_budgets_unit_id_idx on unit_budgets (unit_id);
create trigger unit_budgets_updated_at before update on unit_budgets for each row execute function set_updated_at();
create trigger unit_budgets_version before update on unit_budgets for each row execute function bump_version();

-- Participants a training is paid for: approved and every later state but rejected.
create function participant_billable(status text) returns boolean language sql immutable as $$
  select status in ('approved', 'attended', 'passed', 'failed', 'absent')
$$;

-- What a training costs: its fixed cost plus the cost per paid participant, once anybody is paid
-- for (a training nobody is approved for costs nothing yet).
create view training_costs as
select t.id as training_id, t.budget_year, t.budget_unit_id, t.status,
       coalesce(n.paid, 0) as paid_participants,
       case when coalesce(n.paid, 0) > 0 then t.fixed_cost + t.cost_per_participant * n.paid else 0 end as cost
from trainings t
left join (select training_id, count(*) as paid from training_participants
           where participant_billable(status) group by training_id) n on n.training_id = t.id;

-- Per budget (year, unit): committed (trainings not yet completed) and spent (completed).
create view budget_use as
select budget_year as year, budget_unit_id as unit_id,
       coalesce(sum(cost) filter (where status in ('planned', 'open', 'running')), 0)::bigint as committed,
       coalesce(sum(cost) filter (where status = 'completed'), 0)::bigint as spent
from training_costs
where status <> 'cancelled'
group by budget_year, budget_unit_id;

-- JP from formal development: a passed participant of a training that was not cancelled, in the
-- year the training ended; the training's JP unless HR credited another figure.
create view training_jp as
select p.id as participant_id, p.employee_id, p.training_id, extract(year from t.ends_on)::int as year,
       t.ends_on as on_date, coalesce(p.jp_credited, t.jp) as jp,
       case when p.jp_credited is null then 'training' else 'credited' end as rule
from training_participants p join trainings t on t.id = p.training_id
where p.status = 'passed' and t.status <> 'cancelled';

-- JP from informal development, by the agency's rules: minutes per JP, a cap per session, at most
-- so many sessions a month (later ones give 0), at most so many JP a day, or a fixed figure.
-- `rule` says which of these produced the figure.
create view activity_jp as
with base as (
  select a.id as activity_id, l.employee_id, a.kind, a.held_on, r.max_sessions_per_month, r.max_jp_per_day, r.fixed_jp,
         round(a.minutes::numeric / r.minutes_per_jp, 1) as by_minutes, r.max_jp_per_session
  from activities a join activity_learners l on l.activity_id = a.id join jp_rules r on r.kind = a.kind
  where a.status = 'confirmed'
), sessions as (
  select b.*, coalesce(b.fixed_jp, least(b.by_minutes, coalesce(b.max_jp_per_session, b.by_minutes))) as session_jp
  from base b
), ranked as (
  select s.*,
         row_number() over (partition by employee_id, kind, date_trunc('month', held_on) order by held_on, activity_id) as nth_in_month,
         coalesce(sum(session_jp) over (partition by employee_id, kind, held_on order by activity_id
                                        rows between unbounded preceding and 1 preceding), 0) as day_before
  from sessions s
)
select activity_id, employee_id, kind, held_on as on_date, extract(year from held_on)::int as year,
       (case when max_sessions_per_month is not null and nth_in_month > max_sessions_per_month then 0
             when max_jp_per_day is not null then greatest(0, least(session_jp, max_jp_per_day - day_before))
             else session_jp end)::numeric(6, 1) as jp,
       case when fixed_jp is not null then 'fixed'
            when max_sessions_per_month is not null and nth_in_month > max_sessions_per_month then 'month_cap'
            when max_jp_per_day is not null and session_jp > max_jp_per_day - day_before then 'day_cap'
            when max_jp_per_session is not null and by_minutes > max_jp_per_session then 'session_cap'
            else 'minutes' end as rule
from ranked;

-- Every JP an employee earned, formal and informal, with the year it counts in.
create view jp_entries as
select employee_id, year, 'formal'::text as source, jp from training_jp
union all
select employee_id, year, 'informal'::text as source, jp from activity_jp;

-- Effect: per participant and developed competency of a completed training, the validated level
-- before it started (0 when never assessed) and the first validated level from its end on.
create view training_effect as
select p.training_id, p.id as participant_id, p.employee_id, tc.competency_id,
       coalesce((select a.level from assessments a where a.employee_id = p.employee_id and a.competency_id = tc.competency_id
                   and a.status = 'validated' and a.assessed_on < t.starts_on
                 order by a.assessed_on desc, a.id desc limit 1), 0) as before_level,
       (select a.level from assessments a where a.employee_id = p.employee_id and a.competency_id = tc.competency_id
          and a.status = 'validated' and a.assessed_on >= t.ends_on
        order by a.assessed_on, a.id limit 1) as after_level
from training_participants p join trainings t on t.id = p.training_id
join training_competencies tc on tc.training_id = t.id
where t.status = 'completed' and p.status in ('attended', 'passed', 'failed');

-- The same for each learner of a confirmed informal activity (before: earlier than the session;
-- after: the first validated level after it).
create view activity_effect as
select a.id as activity_id, a.kind, l.employee_id, a.competency_id,
       coalesce((select s.level from assessments s where s.employee_id = l.employee_id and s.competency_id = a.competency_id
                   and s.status = 'validated' and s.assessed_on < a.held_on
                 order by s.assessed_on desc, s.id desc limit 1), 0) as before_level,
       (select s.level from assessments s where s.employee_id = l.employee_id and s.competency_id = a.competency_id
          and s.status = 'validated' and s.assessed_on > a.held_on
        order by s.assessed_on, s.id limit 1) as after_level
from activities a join activity_learners l on l.activity_id = a.id
where a.status = 'confirmed';

-- Per completed training: its cost, the measured participant × competency pairs, the mean level
-- before and after, the levels gained and the mean reaction score (the effect page groups these
-- by training, provider and form).
create view training_effect_summary as
select t.id as training_id, t.title, t.form, coalesce(p.name, '—') as provider, c.cost,
       coalesce(fx.measured, 0) as measured, fx.before, fx.after, coalesce(fx.gained, 0) as gained, ev.reaction
from trainings t join training_costs c on c.training_id = t.id left join providers p on p.id = t.provider_id
left join (select training_id, count(after_level) as measured,
                  avg(before_level) filter (where after_level is not null) as before, avg(after_level) as after,
                  sum(greatest(after_level - before_level, 0)) filter (where after_level is not null) as gained
           from training_effect group by training_id) fx on fx.training_id = t.id
left join (select tp.training_id, avg((e.relevance + e.method + e.trainer + e.usefulness) / 4.0) as reaction
           from training_evaluations e join training_participants tp on tp.id = e.participant_id
           group by tp.training_id) ev on ev.training_id = t.id
where t.status = 'completed';
