-- A rejected self-assessment says why; the employee sees it on their profile.
alter table assessments add column decision_reason text not null default '' check (length(decision_reason) <= 1000);

-- The NIP search matches any part of the NIP (a trigram index keeps it fast).
create index employees_nip_trgm_idx on employees using gin (nip gin_trgm_ops);
