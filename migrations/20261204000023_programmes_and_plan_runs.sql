-- Next year's plan: a catalogue of development programmes to choose from, and plans computed as
-- jobs (a queue in PostgreSQL) and accepted exactly as shown.

-- A development programme offered by a provider or a free national scheme (LAN, BPSDM, BSSN,
-- Kominfo's Digital Talent Scholarship, e-learning). The plan may open a class of it: the class
-- costs `cost_per_class` once, plus `cost_per_participant` a head, and opens only with at least
-- `min_class` participants (at most `max_class`).
create table programmes (
  id bigint generated always as identity primary key,
  code text not null unique check (code ~ '^[A-Z0-9][A-Z0-9._-]{0,29}$'),
  title text not null check (length(title) between 1 and 300),
  provider_id bigint references providers (id),
  -- A free national scheme (no cost to the agency) or a paid provider.
  scheme text not null default 'paid' check (scheme in ('paid', 'national_free')),
  form text not null check (form in ('teknis', 'fungsional', 'manajerial', 'struktural', 'workshop', 'seminar',
    'kursus', 'bimtek', 'sosialisasi', 'sertifikasi', 'e_learning', 'pjj', 'penataran', 'tugas_belajar', 'lainnya')),
  jenis_diklat smallint not null check (jenis_diklat between 1 and 25),
  jp numeric(6, 1) not null check (jp > 0 and jp <= 2000),
  days smallint not null check (days between 1 and 365),
  cost_per_participant bigint not null default 0 check (cost_per_participant >= 0),
  cost_per_class bigint not null default 0 check (cost_per_class >= 0),
  min_class integer not null default 1 check (min_class between 1 and 1000),
  max_class integer not null check (max_class between 1 and 1000),
  offered_from integer not null check (offered_from between 2000 and 2100),
  offered_to integer not null check (offered_to between 2000 and 2100),
  notes text not null default '',
  active boolean not null default true,
  version bigint not null default 1,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint programmes_class_check check (min_class <= max_class),
  constraint programmes_years_check check (offered_to >= offered_from)
);
create index programmes_provider_id_idx on programmes (provider_id);
create index programmes_years_idx on programmes (offered_from, offered_to) where active;

-- The competencies a programme develops, and to which level.
create table programme_competencies (
  programme_id bigint not null references programmes (id) on delete cascade,
  competency_id bigint not null references competencies (id),
  target_level smallint not null check (target_level between 1 and 5),
  primary key (programme_id, competency_id)
);
create index programme_competencies_competency_id_idx on programme_competencies (competency_id);

-- A scheduled training may be a run of a catalogue programme: its results are the programme's
-- measured effect.
alter table trainings add column programme_id bigint references programmes (id);
create index trainings_programme_id_idx on trainings (programme_id);

do $$
declare t text;
begin
  foreach t in array array['programmes', 'programme_competencies'] loop
    execute format('create trigger %I after insert or update or delete on %I
                    for each statement execute function note_data_change()', t || '_notes_change', t);
  end loop;
end $$;

-- A plan computed by a worker: queued by a head or HR, claimed by one node (`for update skip
-- locked`), its inputs read in one snapshot at `data_version`, its result stored whole (what the
-- page shows and what accepting stores). Runs are not records: writing one does not move the
-- records' version.
create table plan_runs (
  id bigint generated always as identity primary key,
  unit_id bigint not null references units (id),
  year integer not null check (year between 2000 and 2100),
  budget bigint not null check (budget >= 0),
  status text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  requested_by bigint references accounts (id),
  requested_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz,
  worker text not null default '',
  data_version bigint,
  seconds float8,
  result jsonb,
  error text not null default ''
);
create index plan_runs_queue_idx on plan_runs (requested_at, id) where status = 'queued';
create index plan_runs_lookup_idx on plan_runs (unit_id, year, budget, id desc);
create index plan_runs_requested_by_idx on plan_runs (requested_by);

-- An accepted plan names the run it came from.
alter table dev_plans add column run_id bigint references plan_runs (id);
create unique index dev_plans_run_id_idx on dev_plans (run_id);
alter table dev_plan_items add column programme_id bigint references programmes (id);
create index dev_plan_items_programme_id_idx on dev_plan_items (programme_id);
