-- Accounts for everyone: HR creates accounts in bulk (a batch), each new account gets a one-time
-- sign-in code (only its argon2id hash is kept), printed as a letter or sent by e-mail, and an
-- account's head role follows its employee's head position.

-- What HR created together (to print its letters or send its e-mails afterwards).
create table account_batches (
  id bigint generated always as identity primary key,
  created_by bigint references accounts (id),
  created_at timestamptz not null default now(),
  unit_id bigint references units (id),
  with_subunits boolean not null default true,
  created_count integer not null default 0 check (created_count >= 0)
);
create index account_batches_created_by_idx on account_batches (created_by);
create index account_batches_unit_id_idx on account_batches (unit_id);

alter table accounts add column batch_id bigint references account_batches (id);
create index accounts_batch_id_idx on accounts (batch_id);

-- One-time sign-in codes: random, stored as argon2id hashes, single use, expiring. Issuing a new
-- code for an account revokes the one still unused, so at most one is live.
create table sign_in_codes (
  id bigint generated always as identity primary key,
  account_id bigint not null references accounts (id),
  code_hash text not null,
  delivery text not null check (delivery in ('letter', 'email')),
  issued_by bigint references accounts (id),
  issued_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz,
  revoked_at timestamptz,
  check (expires_at > issued_at)
);
create index sign_in_codes_account_id_idx on sign_in_codes (account_id, issued_at desc);
create index sign_in_codes_issued_by_idx on sign_in_codes (issued_by);
create unique index sign_in_codes_one_live on sign_in_codes (account_id) where used_at is null and revoked_at is null;

-- A session opened with a sign-in code may set the first password without knowing an old one.
alter table sessions add column via_code boolean not null default false;

-- E-mails waiting to go out. A sign-in code mail holds no code: the code is made, hashed and
-- stored when the mail is sent, so no code is ever kept in clear.
create table mail_outbox (
  id bigint generated always as identity primary key,
  kind text not null check (kind in ('sign_in_code')),
  account_id bigint not null references accounts (id),
  to_address text not null check (to_address like '%_@_%'),
  queued_by bigint references accounts (id),
  queued_at timestamptz not null default now(),
  attempts integer not null default 0,
  next_try_at timestamptz not null default now(),
  sent_at timestamptz,
  cancelled_at timestamptz,
  last_error text
);
create index mail_outbox_account_id_idx on mail_outbox (account_id);
create index mail_outbox_queued_by_idx on mail_outbox (queued_by);
create index mail_outbox_due_idx on mail_outbox (next_try_at) where sent_at is null and cancelled_at is null;

-- The head role follows the head position: for the accounts of the given employees, the head
-- roles become exactly the units whose head position the (active) employee holds. Every change
-- is audited as `roles_follow_position` with the roles before and after. Returns the accounts
-- changed. Called in the same transaction as the write that moved a person or a position.
create function sync_head_roles(p_employees bigint[], p_actor bigint, p_label text, p_ip text)
returns integer language plpgsql as $$
declare n integer;
begin
  -- The accounts' rows first, so two writers on one account take turns.
  perform 1 from accounts where employee_id = any(p_employees) order by id for update;
  with acc as (
    select a.id, a.employee_id from accounts a where a.employee_id = any(p_employees)),
  want as (
    select acc.id as account_id, p.unit_id from acc
    join employees e on e.id = acc.employee_id
    join positions p on p.id = e.position_id
    where e.active and p.is_unit_head and p.active),
  have as (
    select r.account_id, r.unit_id from account_roles r join acc on acc.id = r.account_id where r.role = 'head'),
  changed as (
    select account_id from (select * from want except select * from have) g
    union
    select account_id from (select * from have except select * from want) l),
  del as (
    delete from account_roles r using changed c
    where r.account_id = c.account_id and r.role = 'head'
      and not exists (select 1 from want w where w.account_id = r.account_id and w.unit_id = r.unit_id)
    returning r.account_id),
  ins as (
    insert into account_roles (account_id, role, unit_id)
    select w.account_id, 'head', w.unit_id from want w
    where not exists (select 1 from have h where h.account_id = w.account_id and h.unit_id = w.unit_id)
    returning account_id),
  bump as (
    update accounts set version = version + 1 where id in (select account_id from changed) returning id),
  audited as (
    insert into audit_log (account_id, actor, ip, entity, entity_id, action, before, after)
    select p_actor, p_label, p_ip, 'account', c.account_id::text, 'roles_follow_position',
      jsonb_build_object('roles', (
        select coalesce(jsonb_agg(jsonb_build_object('role', r.role, 'unit_id', r.unit_id) order by r.role, r.unit_id), '[]')
        from account_roles r where r.account_id = c.account_id)),
      jsonb_build_object('roles', (
        select coalesce(jsonb_agg(jsonb_build_object('role', x.role, 'unit_id', x.unit_id) order by x.role, x.unit_id), '[]')
        from (select r.role, r.unit_id from account_roles r where r.account_id = c.account_id and r.role <> 'head'
              union all
              select 'head', w.unit_id from want w where w.account_id = c.account_id) x))
    from changed c
    returning 1)
  -- (Data-modifying parts of a WITH always run to completion, read or not.)
  select count(*) into n from changed;
  return n;
end $$;
