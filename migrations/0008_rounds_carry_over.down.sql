DELETE FROM revisions WHERE action IN ('carry', 'confirm');
ALTER TABLE revisions DROP CONSTRAINT revisions_action_check;
ALTER TABLE revisions ADD CONSTRAINT revisions_action_check
    CHECK (action IN ('save', 'submit', 'correct', 'return'));
ALTER TABLE responses DROP COLUMN carried;
ALTER TABLE surveys DROP COLUMN previous_survey_id;
