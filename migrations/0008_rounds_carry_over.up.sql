-- A round made from the previous one (issue 12): it remembers its source,
-- and each response can hold answers carried over from the source round's
-- submitted answers, not yet confirmed by the municipality.
ALTER TABLE surveys ADD COLUMN previous_survey_id bigint REFERENCES surveys (id) ON DELETE SET NULL
    CHECK (previous_survey_id <> id);
-- carried: question code → the source round's slug, for each carried-over
-- answer the municipality has not yet confirmed or changed.
ALTER TABLE responses ADD COLUMN carried jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(carried) = 'object');
ALTER TABLE revisions DROP CONSTRAINT revisions_action_check;
ALTER TABLE revisions ADD CONSTRAINT revisions_action_check
    CHECK (action IN ('save', 'submit', 'correct', 'return', 'carry', 'confirm'));
