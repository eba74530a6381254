-- NIP prefix search ("1986…") uses an index whatever the database's collation.
create index employees_nip_pattern_idx on employees (nip text_pattern_ops);
