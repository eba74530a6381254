-- The rules layer (db/rules/, applied after the migrations on every start by src/app/rules.rs)
-- remembers what it applied: one checksum per rule file, so a start with unchanged rules applies
-- nothing.
create table rules_applied (
  name text primary key,
  checksum bytea not null,
  applied_at timestamptz not null default now()
);

-- Minutes per JP were an admin setting nothing read: JP come from the JP rules per form of
-- learning (`jp_rules`, /jp/rules).
delete from settings where key = 'jp_minutes';
