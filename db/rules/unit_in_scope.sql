-- Rule: which units (and so which employees and decisions) an account reaches.
--
-- A scope is `s_all` (HR and admin: everything) or a list of unit path patterns (a head: each
-- unit they lead followed by '%', so its whole subtree). Every query filters by these functions;
-- none writes the test out again.

-- A unit is in scope: everything, or the unit lies in a subtree the account heads.
create or replace function unit_in_scope(s_all boolean, s_patterns text[], unit_path text)
returns boolean language sql immutable parallel safe as $$
  select s_all or unit_path like any(s_patterns)
$$;

-- Personal data: an account sees everything (HR), its own record, or the employees of the unit
-- subtrees it heads.
create or replace function scope_sees(s_all boolean, s_own bigint, s_patterns text[], employee_id bigint, unit_path text)
returns boolean language sql immutable parallel safe as $$
  select employee_id = s_own or unit_in_scope(s_all, s_patterns, unit_path)
$$;

-- Decisions (validate, approve): everything for HR, the unit subtrees a head leads; never one's
-- own record.
create or replace function scope_decides(s_all boolean, s_own bigint, s_patterns text[], employee_id bigint, unit_path text)
returns boolean language sql immutable parallel safe as $$
  select employee_id is distinct from s_own and unit_in_scope(s_all, s_patterns, unit_path)
$$;

-- A scope covers the units under `under_path` ('' the whole department) when every one of them
-- is in it: readers who cover the same subtree see the same there and may share a kept result.
create or replace function scope_covers(s_all boolean, s_patterns text[], under_path text)
returns boolean language sql stable parallel safe as $$
  select s_all or not exists (select 1 from units u
                              where u.path like under_path || '%' and not unit_in_scope(s_all, s_patterns, u.path))
$$;

-- The units an account reaches, as keys. A list in another order (names) narrows a head's staff
-- by these units' index first (`e.unit_id = any(units_in_scope(...))`, beside `scope_sees`),
-- instead of walking the whole department in that order to find their few: a kepala bidang's
-- employee list at 100 000 staff took 0.37 s for 19 people, now 3 ms.
create or replace function units_in_scope(s_all boolean, s_patterns text[]) returns bigint[]
language sql stable parallel safe as $$
  select array(select u.id from units u where unit_in_scope(s_all, s_patterns, u.path))
$$;
