-- The kept re-assessments (migration 83) are written at commit while the writer holds the
-- per-employee advisory locks. Their foreign keys took a KEY SHARE lock on the training, the
-- competency and the employee row for each row written; a transaction that had locked that
-- training or employee `for update` (a training's targets or form, an employee's edit) and then
-- waited for the same employee's advisory lock at its own commit would deadlock with it. The rows
-- are derived, kept equal to their definition at every commit, so they need no foreign keys:
-- what removes a training, a competency's targeting or a participant already notes the employees
-- concerned, and an employee removed is noted here.
alter table reassessment_candidates
  drop constraint reassessment_candidates_employee_id_fkey,
  drop constraint reassessment_candidates_training_id_fkey,
  drop constraint reassessment_candidates_competency_id_fkey;
drop index reassessment_candidates_training_idx;
drop index reassessment_candidates_competency_idx;

create or replace function note_reassessment_change() returns trigger language plpgsql as $$
declare
  tx bigint := txid_current();
begin
  if tg_table_name = 'assessments' then
    if tg_op <> 'INSERT' then
      insert into reassessment_pending select distinct tx, employee_id from old_rows;
    end if;
    if tg_op <> 'DELETE' then
      insert into reassessment_pending select distinct tx, employee_id from new_rows;
    end if;
  elsif tg_table_name = 'training_competencies' then
    if tg_op <> 'INSERT' then
      insert into reassessment_pending select distinct tx, p.employee_id from training_participants p
      where p.training_id in (select training_id from old_rows);
    end if;
    if tg_op <> 'DELETE' then
      insert into reassessment_pending select distinct tx, p.employee_id from training_participants p
      where p.training_id in (select training_id from new_rows);
    end if;
  elsif tg_table_name = 'employees' then
    insert into reassessment_pending select distinct tx, id from old_rows;
  end if;
  return null;
end $$;

create trigger employees_reassess_delete after delete on employees
  referencing old table as old_rows for each statement execute function note_reassessment_change();
