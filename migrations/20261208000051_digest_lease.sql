-- The digest is leased, not claimed for good: a node sending an account's digest holds it until
-- `digest_claimed_until`, and `digest_sent_at` moves only once the message went out. A node that
-- stops between the two (a crash, a restart) leaves the day's digest owed, and a round after the
-- lease sends it.
alter table accounts add column digest_claimed_until timestamptz;
