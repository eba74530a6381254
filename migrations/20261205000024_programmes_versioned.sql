-- The programme catalogue is edited in forms by several people: every update raises its version
-- (optimistic concurrency, as providers and trainings) and stamps updated_at.
create trigger programmes_version before update on programmes for each row execute function bump_version();
create trigger programmes_updated_at before update on programmes for each row execute function set_updated_at();
