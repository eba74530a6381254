-- Rule: which trainings a participant owes an evaluation of.
--
-- A participant who took part (attended, passed or failed) in a training that is completed owes
-- its evaluation until they submit it. One row per participation owed, with the training: the
-- development page (list and count), the employee's home, a training's page, the development
-- history, the evaluation form itself and the notifications (`account_notes`) read it.

create or replace view evaluations_owed as
select tp.id as participant_id, tp.employee_id, t.id as training_id, t.title, t.ends_on
from training_participants tp join trainings t on t.id = tp.training_id
where t.status = 'completed' and tp.status in ('attended', 'passed', 'failed')
  and not exists (select 1 from training_evaluations ev where ev.participant_id = tp.id);
