-- Optimistic concurrency: every editable record carries a version that each update raises, so a
-- save made from an older version is noticed instead of silently overwriting someone's change.
create function bump_version() returns trigger language plpgsql as $$
begin
  new.version = old.version + 1;
  return new;
end $$;

alter table employees add column version bigint not null default 1;
alter table units add column version bigint not null default 1;
alter table positions add column version bigint not null default 1;
alter table competencies add column version bigint not null default 1;
alter table accounts add column version bigint not null default 1;
alter table settings add column version bigint not null default 1;
alter table position_standards add column version bigint not null default 1;

create trigger employees_version before update on employees for each row execute function bump_version();
create trigger units_version before update on units for each row execute function bump_version();
create trigger positions_version before update on positions for each row execute function bump_version();
create trigger competencies_version before update on competencies for each row execute function bump_version();
create trigger accounts_version before update of username, employee_id, disabled_at, must_change_password, password_hash
  on accounts for each row execute function bump_version();
create trigger settings_version before update on settings for each row execute function bump_version();
create trigger position_standards_version before update on position_standards for each row execute function bump_version();

-- A form submitted twice (a double click, a retried request) creates one record: each create
-- form carries a one-time token, remembered with where its record went.
create table form_submissions (
  token text primary key check (length(token) between 16 and 64),
  account_id bigint not null references accounts (id),
  location text not null default '',
  created_at timestamptz not null default now()
);
create index form_submissions_account_id_idx on form_submissions (account_id);
create index form_submissions_created_at_idx on form_submissions (created_at);
