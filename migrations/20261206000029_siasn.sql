-- SIASN: what BKN's national civil-service system needs of each training result, the reference
-- lists HR refreshes from SIASN, the push queue with its per-record log, and the records read back
-- from SIASN and imported into Cakap's history.

-- SIASN's reference lists (jenis diklat, latihan struktural, jenis kursus sertifikat, jenis
-- kompetensi). Seeded with the values the public clients use; HR refreshes them from SIASN.
create table siasn_refs (
  kind text not null check (kind in ('jenis_diklat', 'latihan_struktural', 'jenis_kursus_sertifikat', 'jenis_kompetensi')),
  ref_id text not null check (length(ref_id) between 1 and 60),
  name text not null check (length(name) between 1 and 300),
  refreshed_at timestamptz,
  primary key (kind, ref_id)
);

insert into siasn_refs (kind, ref_id, name) values
  ('jenis_diklat', '1', 'Struktural'), ('jenis_diklat', '2', 'Fungsional'), ('jenis_diklat', '3', 'Teknis'),
  ('jenis_diklat', '4', 'Workshop'), ('jenis_diklat', '5', 'Manajerial'), ('jenis_diklat', '6', 'Sosial Kultural'),
  ('jenis_diklat', '7', 'Sosialisasi'), ('jenis_diklat', '8', 'Bimbingan Teknis'), ('jenis_diklat', '9', 'Seminar'),
  ('jenis_diklat', '10', 'Magang'), ('jenis_diklat', '11', 'Kursus'), ('jenis_diklat', '12', 'Penataran'),
  ('jenis_diklat', '13', 'Klasikal lainnya'), ('jenis_diklat', '14', 'Coaching'), ('jenis_diklat', '15', 'Mentoring'),
  ('jenis_diklat', '16', 'E-Learning'), ('jenis_diklat', '17', 'Pelatihan Jarak Jauh'), ('jenis_diklat', '18', 'Detasering'),
  ('jenis_diklat', '19', 'Outbound'), ('jenis_diklat', '20', 'Benchmarking'), ('jenis_diklat', '21', 'Pertukaran'),
  ('jenis_diklat', '22', 'Belajar Mandiri'), ('jenis_diklat', '23', 'Komunitas Belajar'),
  ('jenis_diklat', '24', 'Bimbingan di Tempat Kerja'), ('jenis_diklat', '25', 'Nonklasikal lainnya'),
  ('latihan_struktural', '1', 'SEPADA'), ('latihan_struktural', '2', 'SEPALA / ADUM / Diklatpim Tk. IV'),
  ('latihan_struktural', '3', 'SEPADYA / SPAMA / Diklatpim Tk. III'), ('latihan_struktural', '4', 'SPAMEN / SESPA / Diklatpim Tk. II'),
  ('latihan_struktural', '5', 'SEPATI / Diklatpim Tk. I'), ('latihan_struktural', '6', 'Pelatihan Kepemimpinan Pengawas (PKP)'),
  ('latihan_struktural', '7', 'Pelatihan Kepemimpinan Administrator (PKA)'),
  ('latihan_struktural', '8', 'Pelatihan Kepemimpinan Nasional Tingkat II (PKN II)'),
  ('latihan_struktural', '9', 'Pelatihan Kepemimpinan Nasional Tingkat I (PKN I)'),
  ('jenis_kursus_sertifikat', 'P', 'Sertifikat pelatihan'), ('jenis_kursus_sertifikat', 'S', 'Sertifikat keahlian / profesi'),
  ('jenis_kursus_sertifikat', 'T', 'Surat tanda tamat'),
  ('jenis_kompetensi', 'M', 'Manajerial'), ('jenis_kompetensi', 'T', 'Teknis'), ('jenis_kompetensi', 'S', 'Sosial Kultural');

-- What SIASN needs of a training beyond what Cakap already keeps (siasn_ref is latihanStrukturalId).
alter table trainings add column siasn_jenis_kompetensi text not null default '',
  add column siasn_bobot numeric(6, 2) check (siasn_bobot >= 0 and siasn_bobot <= 1000),
  add column siasn_jenis_kursus_sertifikat text not null default '',
  add column siasn_lokasi_id text not null default '';

-- The employee's id in SIASN (data-utama `id`, the pnsOrangId every write needs): read once.
create table siasn_employees (
  employee_id bigint primary key references employees (id),
  pns_orang_id text not null check (length(pns_orang_id) between 1 and 100),
  read_at timestamptz not null default now()
);

-- Every completed training result SIASN takes, with what it carries and what it still lacks
-- (codes; the pages and files say them in words). Diklat: struktural trainings (jenisDiklatId 1);
-- kursus: every other one.
create view siasn_records as
select p.id as participant_id, p.employee_id, e.nip, coalesce(se.pns_orang_id, '') as pns_orang_id,
       t.id as training_id, t.title, t.jenis_diklat, case when t.jenis_diklat = 1 then 'diklat' else 'kursus' end as kind,
       t.siasn_ref as latihan_struktural_id, t.siasn_jenis_kompetensi as jenis_kompetensi, t.siasn_bobot::float8 as bobot,
       t.siasn_jenis_kursus_sertifikat as jenis_kursus_sertifikat, t.siasn_lokasi_id as lokasi_id,
       coalesce(pr.name, '') as institusi, coalesce(p.jp_credited, t.jp)::float8 as jp, p.certificate_no,
       t.starts_on, t.ends_on, extract(year from t.ends_on)::int as year, p.certificate_file_id,
       array_remove(array[
         case when t.jenis_diklat = 1 and t.siasn_ref = '' then 'latihan_struktural' end,
         case when t.jenis_diklat = 1 and t.siasn_jenis_kompetensi = '' then 'jenis_kompetensi' end,
         case when t.jenis_diklat = 1 and t.siasn_bobot is null then 'bobot' end,
         case when t.jenis_diklat <> 1 and t.siasn_jenis_kursus_sertifikat = '' then 'jenis_kursus_sertifikat' end,
         case when t.jenis_diklat <> 1 and t.siasn_lokasi_id = '' then 'lokasi' end,
         case when pr.name is null then 'institusi' end,
         case when p.certificate_no = '' then 'nomor' end,
         case when p.certificate_file_id is null then 'berkas' end
       ], null) as missing
from training_participants p join trainings t on t.id = p.training_id join employees e on e.id = p.employee_id
left join providers pr on pr.id = t.provider_id left join siasn_employees se on se.employee_id = p.employee_id
where p.status = 'passed' and t.status = 'completed';

-- The push queue: one row per result ever sent (sending again updates the same SIASN record).
create table siasn_pushes (
  id bigint generated always as identity primary key,
  participant_id bigint not null references training_participants (id),
  kind text not null check (kind in ('diklat', 'kursus')),
  -- rwDiklatId / rwKursusId SIASN answered; null until the first save succeeded.
  siasn_id text,
  status text not null default 'queued' check (status in ('queued', 'running', 'sent', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  -- Why the last attempt failed: missing (never sent), rejected (a 4xx), unreachable (5xx or
  -- time-out, retries exhausted), config (no settings).
  error_kind text check (error_kind in ('missing', 'rejected', 'unreachable', 'config')),
  error_detail text not null default '',
  -- The uploaded certificate (upload-dok's answer) and which stored file it was.
  doc jsonb,
  doc_file_id bigint references evidence_files (id),
  queued_by bigint references accounts (id),
  queued_at timestamptz not null default now(),
  started_at timestamptz,
  worker text,
  sent_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint siasn_pushes_once unique (participant_id)
);
create index siasn_pushes_due_idx on siasn_pushes (next_attempt_at) where status = 'queued';
create index siasn_pushes_status_idx on siasn_pushes (status);
create index siasn_pushes_doc_file_id_idx on siasn_pushes (doc_file_id);
create index siasn_pushes_queued_by_idx on siasn_pushes (queued_by);
create trigger siasn_pushes_updated_at before update on siasn_pushes for each row execute function set_updated_at();

-- The log per record: every call made for a push, what was sent and what SIASN answered.
create table siasn_push_log (
  id bigint generated always as identity primary key,
  push_id bigint not null references siasn_pushes (id),
  at timestamptz not null default now(),
  actor bigint references accounts (id),
  step text not null check (step in ('check', 'pns', 'upload', 'save')),
  attempt integer not null,
  sent jsonb,
  http_status integer,
  answer text not null default '',
  outcome text not null check (outcome in ('ok', 'retry', 'rejected', 'missing', 'error'))
);
create index siasn_push_log_push_id_idx on siasn_push_log (push_id, at);
create index siasn_push_log_actor_idx on siasn_push_log (actor);

-- Records SIASN has that Cakap had not, imported by HR from the reconcile page.
create table siasn_imported (
  id bigint generated always as identity primary key,
  employee_id bigint not null references employees (id),
  kind text not null check (kind in ('diklat', 'kursus')),
  siasn_id text not null,
  name text not null,
  institusi text not null default '',
  jp numeric(6, 1),
  nomor text not null default '',
  starts_on date,
  ends_on date,
  year integer,
  imported_by bigint references accounts (id),
  imported_at timestamptz not null default now(),
  constraint siasn_imported_once unique (kind, siasn_id)
);
create index siasn_imported_employee_id_idx on siasn_imported (employee_id);
create index siasn_imported_imported_by_idx on siasn_imported (imported_by);
