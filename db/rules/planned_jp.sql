-- Rule: the JP a planned informal activity (a plan line that routes a need to a mentor) counts for.
--
-- Read from the agency's JP rules (`jp_rules`, edited on /jp/rules), never written in code: the
-- form's fixed figure, else a month's worth at its caps (the JP cap per session times the sessions
-- counted a month, one session when they are not capped), else its cap per day, else one hour's
-- JP at its minutes per JP. For mentoring under the default rules: 2 JP × 2 sessions = 4 JP.

create or replace function planned_jp(p_kind text) returns float8 language sql stable as $$
  select coalesce(r.fixed_jp, r.max_jp_per_session * coalesce(r.max_sessions_per_month, 1), r.max_jp_per_day,
                  round(60.0 / r.minutes_per_jp, 1))::float8
  from jp_rules r where r.kind = p_kind
$$;
