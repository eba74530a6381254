-- `refresh_gap_facts` runs in every commit that changes the records. PostgreSQL kept planning its
-- statements afresh at each call (the plan cache kept choosing custom plans for the employee
-- facts' view, whose planning alone is ~8 ms): 11.7 ms a call for one employee at 15 000 staff,
-- 5.3 ms with the plans made once per connection; 400 employees at once 1.0 s instead of 1.8 s
-- (measured over 44 calls each, alternating). The generic plans read the same rows by the same
-- indexes (migration 89). A later `create or replace` of the function must repeat this setting.
alter function refresh_gap_facts(bigint[], bigint[]) set plan_cache_mode = force_generic_plan;
