-- One definition of each rule, in the database where every query can use it.

-- The agency's time zone decides what "today" and "this year" are (WIB, WITA or WIT).
insert into settings (key, value, description) values
  ('time_zone', 'Asia/Jakarta', 'Zona waktu instansi (WIB Asia/Jakarta, WITA Asia/Makassar, WIT Asia/Jayapura)')
on conflict (key) do nothing;

-- Display name: academic titles before and after the name ("Dr. Asep Sutisna, S.Kom.").
create function employee_display_name(front_title text, name text, back_title text) returns text
language sql immutable parallel safe as $$
  select concat_ws(' ', nullif(front_title, ''), name)
         || case when coalesce(back_title, '') <> '' then ', ' || back_title else '' end
$$;

-- Rank label: "III/b Penata Muda Tingkat I" for a PNS, "PPPK IX" for a PPPK golongan.
create function rank_label(grade text, status text, title text) returns text
language sql immutable parallel safe as $$
  select case when status = 'PNS' then grade || ' ' || title else 'PPPK ' || grade end
$$;

-- Scope of personal data: an account sees everything (HR), its own record, or the employees of
-- the unit subtrees it heads (patterns are materialised unit paths followed by '%').
create function scope_sees(s_all boolean, s_own bigint, s_patterns text[], employee_id bigint, unit_path text)
returns boolean language sql immutable parallel safe as $$
  select s_all or employee_id = s_own or unit_path like any(s_patterns)
$$;

-- Scope of decisions (validate, approve): everything for HR, the unit subtrees a head leads;
-- never one's own record.
create function scope_decides(s_all boolean, s_own bigint, s_patterns text[], employee_id bigint, unit_path text)
returns boolean language sql immutable parallel safe as $$
  select employee_id is distinct from s_own and (s_all or unit_path like any(s_patterns))
$$;

-- The unit path as names: "Dinas … › Bidang … › Seksi …".
create function unit_path_label(p text) returns text
language sql stable parallel safe as $$
  select coalesce(string_agg(u.name, ' › ' order by t.ord), '')
  from unnest(string_to_array(trim(both '/' from p), '/')) with ordinality as t(x, ord)
  join units u on u.id = t.x::bigint
$$;

-- An import batch remembers which fields its file carried (an absent column leaves the stored
-- value as it is) and which of its columns were not recognised (shown as ignored).
alter table import_batches
  add column present jsonb not null default '[]',
  add column ignored jsonb not null default '[]';
