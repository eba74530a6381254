-- E-mail digest: each account may turn it off, remembers when its last digest went out (one a
-- day, whatever the number of portal nodes) and the language it last chose (the digest speaks it).
alter table accounts
  add column email_digest boolean not null default true,
  add column digest_sent_at timestamptz,
  add column lang text not null default 'id' check (lang in ('id', 'en'));
