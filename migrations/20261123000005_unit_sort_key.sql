-- Tree order for units: the path with each id zero-padded, so '/1/2/' sorts before '/1/11/'.
create function unit_sort_key(p text) returns text language sql immutable parallel safe as $$
  select coalesce(string_agg(lpad(x, 12, '0'), '/' order by ord), '')
  from unnest(string_to_array(trim(both '/' from p), '/')) with ordinality as t(x, ord)
$$;
alter table units add column sort_key text generated always as (unit_sort_key(path)) stored;
create index units_sort_key_idx on units (sort_key);
