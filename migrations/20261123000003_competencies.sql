-- The ICT competency catalog, position standards, assessments and their evidence.
create table competencies (
  id bigint generated always as identity primary key,
  code text not null unique check (code ~ '^[A-Z0-9][A-Z0-9.-]{1,19}$'),
  kind text not null check (kind in ('teknis', 'manajerial', 'sosial_kultural')),
  area text not null check (area in ('infrastruktur', 'keamanan', 'aplikasi', 'data', 'spbe', 'tata_kelola', 'komunikasi', 'umum')),
  name_id text not null check (length(name_id) between 1 and 200),
  name_en text not null check (length(name_en) between 1 and 200),
  description_id text not null default '',
  description_en text not null default '',
  -- Optional cross-reference code of a licensed framework (e.g. e-CF 'B.1'); never its text.
  framework_ref text not null default '',
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index competencies_kind_area_idx on competencies (kind, area);
create trigger competencies_updated_at before update on competencies for each row execute function set_updated_at();

-- Five proficiency levels per competency, each with its own descriptor.
create table competency_levels (
  competency_id bigint not null references competencies (id),
  level smallint not null check (level between 1 and 5),
  descriptor_id text not null check (length(descriptor_id) between 1 and 1000),
  descriptor_en text not null check (length(descriptor_en) between 1 and 1000),
  primary key (competency_id, level)
);

-- Standar kompetensi jabatan: per position, the competencies and levels required.
create table position_standards (
  position_id bigint not null references positions (id),
  competency_id bigint not null references competencies (id),
  required_level smallint not null check (required_level between 1 and 5),
  priority text not null check (priority in ('critical', 'important', 'useful')),
  primary key (position_id, competency_id)
);
create index position_standards_competency_id_idx on position_standards (competency_id);

-- Evidence for assessments (PDF or image), served only to those allowed to see the employee.
create table evidence_files (
  id bigint generated always as identity primary key,
  employee_id bigint not null references employees (id),
  filename text not null,
  content_type text not null check (content_type in ('application/pdf', 'image/png', 'image/jpeg')),
  size_bytes integer not null check (size_bytes > 0),
  sha256 bytea not null,
  data bytea not null,
  uploaded_by bigint references accounts (id),
  created_at timestamptz not null default now()
);
create index evidence_files_employee_id_idx on evidence_files (employee_id);
create index evidence_files_uploaded_by_idx on evidence_files (uploaded_by);

create table assessments (
  id bigint generated always as identity primary key,
  employee_id bigint not null references employees (id),
  competency_id bigint not null references competencies (id),
  level smallint not null check (level between 1 and 5),
  assessed_on date not null,
  source text not null check (source in ('self', 'supervisor', 'certification', 'test', 'assessment_centre', 'training')),
  assessor_account_id bigint references accounts (id),
  assessor_name text not null default '',
  note text not null default '',
  evidence_id bigint references evidence_files (id),
  status text not null check (status in ('pending', 'validated', 'rejected')),
  validated_by bigint references accounts (id),
  validated_at timestamptz,
  created_at timestamptz not null default now()
);
create index assessments_current_idx on assessments (employee_id, competency_id, assessed_on desc, id desc) where status = 'validated';
create index assessments_employee_id_idx on assessments (employee_id, assessed_on desc);
create index assessments_competency_id_idx on assessments (competency_id);
create index assessments_pending_idx on assessments (employee_id) where status = 'pending';
create index assessments_evidence_id_idx on assessments (evidence_id);
create index assessments_assessor_idx on assessments (assessor_account_id);
create index assessments_validated_by_idx on assessments (validated_by);

-- The current level: the latest validated assessment per employee and competency.
create view current_levels as
select distinct on (employee_id, competency_id)
       employee_id, competency_id, level, assessed_on, source, id as assessment_id
from assessments
where status = 'validated'
order by employee_id, competency_id, assessed_on desc, id desc;

create index employees_status_idx on employees (status);
create index positions_kind_idx on positions (kind);

-- Uploaded import files, parsed and previewed before anything is written; applied in one
-- transaction by the same account.
create table import_batches (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('employees', 'assessments')),
  account_id bigint not null references accounts (id),
  filename text not null,
  rows jsonb not null,
  row_count integer not null,
  error_count integer not null,
  applied_at timestamptz,
  created_at timestamptz not null default now()
);
create index import_batches_account_id_idx on import_batches (account_id);
