-- A rejected self-assessment says why; the employee sees it on their profile.
alter table assessments add column decision_reason text not null default '' check (length(decision_reason) <= 1000);
