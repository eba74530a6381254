-- Accounts, roles, server-side sessions, login throttling and the append-only audit log.
create table accounts (
  id bigint generated always as identity primary key,
  username text not null check (username ~ '^[a-z0-9._-]{3,40}$'),
  employee_id bigint unique references employees (id),
  password_hash text not null,
  must_change_password boolean not null default false,
  disabled_at timestamptz,
  last_login_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index accounts_username_key on accounts (username);
create trigger accounts_updated_at before update on accounts for each row execute function set_updated_at();

-- A person may hold several roles; a head role names the unit led (its sub-units are included).
create table account_roles (
  id bigint generated always as identity primary key,
  account_id bigint not null references accounts (id),
  role text not null check (role in ('admin', 'hr', 'head', 'employee')),
  unit_id bigint references units (id),
  created_at timestamptz not null default now(),
  check ((role = 'head') = (unit_id is not null)),
  unique nulls not distinct (account_id, role, unit_id)
);
create index account_roles_account_id_idx on account_roles (account_id);
create index account_roles_unit_id_idx on account_roles (unit_id);

-- Sessions: only a SHA-256 of the cookie token is stored.
create table sessions (
  token_hash bytea primary key,
  account_id bigint not null references accounts (id),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null,
  ip text not null default '',
  user_agent text not null default ''
);
create index sessions_account_id_idx on sessions (account_id);
create index sessions_expires_at_idx on sessions (expires_at);

-- Failed and successful logins, per typed username (lower-cased) and per address.
create table login_attempts (
  id bigint generated always as identity primary key,
  username_key text not null,
  ip text not null,
  success boolean not null,
  at timestamptz not null default now()
);
create index login_attempts_user_idx on login_attempts (username_key, at);
create index login_attempts_ip_idx on login_attempts (ip, at);

create table audit_log (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  account_id bigint references accounts (id),
  actor text not null default '',
  ip text not null default '',
  entity text not null,
  entity_id text not null default '',
  action text not null,
  before jsonb,
  after jsonb
);
create index audit_log_at_idx on audit_log (at desc, id desc);
create index audit_log_account_id_idx on audit_log (account_id);
create index audit_log_entity_idx on audit_log (entity, entity_id);
create index audit_log_action_idx on audit_log (action);

create function audit_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'audit_log is append-only' using errcode = 'insufficient_privilege';
end $$;
create trigger audit_log_no_update before update or delete on audit_log
  for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
  for each statement execute function audit_log_append_only();
