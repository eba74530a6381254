-- Training results never lower a level and never vanish (issue 22, part 6).
--
-- 1. A passed training proposes its target level only where that is above the participant's
--    current level; otherwise it records that the training confirmed the level she already holds
--    (`training_confirmations`, no assessment, nothing to decide). Each proposal names the
--    participation it comes from, so the training's page can say what became of it, the same
--    participation never proposes twice, and the training's measured effect leaves it out.
-- 2. Approving a proposal that waited while the employee was validated at its level or higher
--    records the same confirmation instead of a validated assessment (the assessments' decision,
--    `confirm_instead`), so a training result never becomes a lower latest level. The current
--    level itself keeps its one definition (`refresh_current_levels`, `current_levels`).
-- There was never a unique index on pending assessments: the employee's own pending claim and a
-- training's proposal for the same competency now both wait, and the head decides each.

alter table assessments add column training_participant_id bigint references training_participants (id);

-- Proposals made before: the passed participation of that employee in the training whose title is
-- the note and whose last day is the assessment date (one participation per assessment, one
-- assessment per participation and competency).
update assessments a set training_participant_id = m.participant_id
from (
  select distinct on (participant_id, competency_id) id, participant_id, competency_id
  from (
    select distinct on (a.id) a.id, tp.id as participant_id, a.competency_id
    from assessments a
    join trainings t on t.title = a.note and t.ends_on = a.assessed_on
    join training_participants tp on tp.training_id = t.id and tp.employee_id = a.employee_id and tp.status = 'passed'
    join training_competencies tc on tc.training_id = t.id and tc.competency_id = a.competency_id
    where a.source = 'training'
    order by a.id, tp.id
  ) one_each
  order by participant_id, competency_id, id desc
) m
where m.id = a.id;

create unique index assessments_training_proposal_once on assessments (training_participant_id, competency_id)
  where training_participant_id is not null;

-- A training that confirmed a level the participant already held (at or above its target).
create table training_confirmations (
  id bigint generated always as identity primary key,
  participant_id bigint not null references training_participants (id),
  competency_id bigint not null references competencies (id),
  target_level smallint not null check (target_level between 1 and 5),
  held_level smallint not null check (held_level between 1 and 5),
  confirmed_by bigint references accounts (id),
  -- The proposal this replaced when it was approved after the level had risen (its row is in the
  -- audit log), so a second decider of it is told who decided and when.
  proposal_id bigint unique,
  created_at timestamptz not null default now(),
  constraint training_confirmations_once unique (participant_id, competency_id),
  check (held_level >= target_level)
);
create index training_confirmations_competency_idx on training_confirmations (competency_id);
create index training_confirmations_confirmed_by_idx on training_confirmations (confirmed_by);
create trigger training_confirmations_notes_change after insert or update or delete on training_confirmations
  for each statement execute function note_data_change();

-- Effect: the first validated level after the training, from anything but that participation's
-- own proposal (which only repeats the training's target).
create or replace view training_effect as
select p.training_id, p.id as participant_id, p.employee_id, tc.competency_id,
       coalesce((select a.level from assessments a where a.employee_id = p.employee_id and a.competency_id = tc.competency_id
                   and a.status = 'validated' and a.assessed_on < t.starts_on
                 order by a.assessed_on desc, a.id desc limit 1), 0) as before_level,
       (select a.level from assessments a where a.employee_id = p.employee_id and a.competency_id = tc.competency_id
          and a.status = 'validated' and a.assessed_on >= t.ends_on and a.training_participant_id is distinct from p.id
        order by a.assessed_on, a.id limit 1) as after_level
from training_participants p join trainings t on t.id = p.training_id
join training_competencies tc on tc.training_id = t.id
where t.status = 'completed' and p.status in ('attended', 'passed', 'failed');
