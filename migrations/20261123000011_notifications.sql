-- Notifications are read from the records themselves (decisions, expiring certificates, owed
-- evaluations, JP shortfalls); an account only keeps when it last read them.
alter table accounts add column notifications_seen_at timestamptz not null default '-infinity';
