-- A record imported from SIASN (the reconcile page) moves the records' version of its employee's
-- scope, as every other write does (migration 26). The development history read SIASN's imports
-- beside its kept part at every view, one query each, because an import did not move the version:
-- at 15 000 staff the page answered at 0.42 of `/ping`. Now the imports are part of the kept
-- history; the user who imports (recent-write cookie) sees them at once, others within the stale
-- window like the rest of the page.
create trigger siasn_imported_scopes_insert after insert on siasn_imported
  referencing new table as new_rows for each statement execute function note_row_scopes('employee:employee_id');
create trigger siasn_imported_scopes_update after update on siasn_imported
  referencing old table as old_rows new table as new_rows for each statement
  execute function note_row_scopes('employee:employee_id');
create trigger siasn_imported_scopes_delete after delete on siasn_imported
  referencing old table as old_rows for each statement execute function note_row_scopes('employee:employee_id');
