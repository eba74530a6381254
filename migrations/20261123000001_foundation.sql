-- Foundation: settings, reference ranks, the unit tree, positions and employees.
create extension if not exists pg_trgm;

create function set_updated_at() returns trigger language plpgsql as $$
begin
  new.updated_at = now();
  return new;
end $$;

-- Key/value facts about this installation (e.g. which demo seed has been applied).
create table app_meta (
  key text primary key,
  value text not null,
  updated_at timestamptz not null default now()
);

-- Settings HR/admin may change. Values marked "to confirm" in DOMAIN.md live here, not in code.
create table settings (
  key text primary key,
  value text not null,
  description text not null default '',
  updated_at timestamptz not null default now()
);
create trigger settings_updated_at before update on settings for each row execute function set_updated_at();
insert into settings (key, value, description) values
  ('department_name', 'Dinas Komunikasi, Informatika dan Statistik Kabupaten Bandung', 'Nama instansi yang tampil di portal'),
  ('jp_per_year', '20', 'Minimal JP pengembangan kompetensi per pegawai per tahun (PP 11/2017 ps. 203)'),
  ('jp_minutes', '45', 'Menit per satu JP (jam pelajaran)');

-- Golongan/pangkat: 17 PNS ranks and 17 PPPK golongan.
create table ranks (
  code text primary key,
  status text not null check (status in ('PNS', 'PPPK')),
  grade text not null,
  title text not null,
  ordinal smallint not null,
  unique (status, ordinal)
);
insert into ranks (code, status, grade, title, ordinal) values
  ('I/a','PNS','I/a','Juru Muda',1), ('I/b','PNS','I/b','Juru Muda Tingkat I',2),
  ('I/c','PNS','I/c','Juru',3), ('I/d','PNS','I/d','Juru Tingkat I',4),
  ('II/a','PNS','II/a','Pengatur Muda',5), ('II/b','PNS','II/b','Pengatur Muda Tingkat I',6),
  ('II/c','PNS','II/c','Pengatur',7), ('II/d','PNS','II/d','Pengatur Tingkat I',8),
  ('III/a','PNS','III/a','Penata Muda',9), ('III/b','PNS','III/b','Penata Muda Tingkat I',10),
  ('III/c','PNS','III/c','Penata',11), ('III/d','PNS','III/d','Penata Tingkat I',12),
  ('IV/a','PNS','IV/a','Pembina',13), ('IV/b','PNS','IV/b','Pembina Tingkat I',14),
  ('IV/c','PNS','IV/c','Pembina Utama Muda',15), ('IV/d','PNS','IV/d','Pembina Utama Madya',16),
  ('IV/e','PNS','IV/e','Pembina Utama',17);
insert into ranks (code, status, grade, title, ordinal)
select 'PPPK-' || g, 'PPPK', g, 'Golongan ' || g, n
from unnest(array['I','II','III','IV','V','VI','VII','VIII','IX','X','XI','XII','XIII','XIV','XV','XVI','XVII'])
  with ordinality as t(g, n);

-- The unit tree (dinas -> bidang/sekretariat -> seksi/subbagian/UPT). `path` is a materialised
-- path '/1/4/12/' kept by triggers, so "unit X and its sub-units" is one indexed prefix match.
create table units (
  id bigint generated always as identity primary key,
  parent_id bigint references units (id),
  code text not null unique,
  name text not null,
  kind text not null check (kind in ('dinas', 'sekretariat', 'bidang', 'subbagian', 'seksi', 'upt')),
  path text not null default '' ,
  closed_on date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (parent_id is distinct from id)
);
create index units_parent_id_idx on units (parent_id);
create index units_path_idx on units (path text_pattern_ops);
create trigger units_updated_at before update on units for each row execute function set_updated_at();

create function units_set_path() returns trigger language plpgsql as $$
declare parent_path text;
begin
  if new.parent_id is null then
    new.path = '/' || new.id || '/';
  else
    select path into parent_path from units where id = new.parent_id;
    if parent_path like '%/' || new.id || '/%' then
      raise exception 'unit % cannot move under its own sub-unit', new.id using errcode = 'check_violation';
    end if;
    new.path = parent_path || new.id || '/';
  end if;
  return new;
end $$;
create trigger units_path_ins before insert on units for each row execute function units_set_path();
create trigger units_path_upd before update of parent_id on units for each row
  when (old.parent_id is distinct from new.parent_id) execute function units_set_path();

create function units_move_subtree() returns trigger language plpgsql as $$
begin
  update units set path = new.path || substr(path, length(old.path) + 1)
  where path like old.path || '%' and id <> new.id;
  return null;
end $$;
create trigger units_path_subtree after update of parent_id on units for each row
  when (old.path is distinct from new.path) execute function units_move_subtree();

-- Positions (jabatan).
create table positions (
  id bigint generated always as identity primary key,
  unit_id bigint not null references units (id),
  name text not null,
  kind text not null check (kind in ('jpt_utama', 'jpt_madya', 'jpt_pratama', 'administrator', 'pengawas', 'pelaksana', 'fungsional')),
  functional_level text check (functional_level in ('terampil', 'mahir', 'penyelia', 'ahli_pertama', 'ahli_muda', 'ahli_madya', 'ahli_utama')),
  class_grade smallint check (class_grade between 1 and 17),
  is_unit_head boolean not null default false,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check ((kind = 'fungsional') = (functional_level is not null))
);
create index positions_unit_id_idx on positions (unit_id);
create unique index positions_one_head_per_unit on positions (unit_id) where is_unit_head;
create trigger positions_updated_at before update on positions for each row execute function set_updated_at();

-- Employees (pegawai). Never deleted: leaving sets active = false.
create table employees (
  id bigint generated always as identity primary key,
  nip text not null unique check (nip ~ '^[0-9]{18}$'),
  status text not null check (status in ('PNS', 'PPPK')),
  front_title text not null default '',
  name text not null check (length(name) between 1 and 200),
  back_title text not null default '',
  sex char(1) not null check (sex in ('L', 'P')),
  birth_date date not null,
  rank_code text references ranks (code),
  position_id bigint references positions (id),
  unit_id bigint not null references units (id),
  education_level text check (education_level in ('SD', 'SMP', 'SMA', 'D1', 'D2', 'D3', 'D4', 'S1', 'S2', 'S3')),
  education_field text not null default '',
  email text,
  phone text,
  active boolean not null default true,
  deactivated_on date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index employees_unit_id_idx on employees (unit_id);
create index employees_position_id_idx on employees (position_id);
create index employees_rank_code_idx on employees (rank_code);
create index employees_active_name_idx on employees (active, name, id);
create index employees_name_trgm_idx on employees using gin (name gin_trgm_ops);
create trigger employees_updated_at before update on employees for each row execute function set_updated_at();
