-- Erasing personal data is a change of the response too (its version is
-- bumped, so a page opened before cannot write the erased answers back):
-- its revision, action 'erase', holds no answers (they are what was
-- erased); its note names the erased question codes.
ALTER TABLE revisions DROP CONSTRAINT revisions_action_check;
ALTER TABLE revisions ADD CONSTRAINT revisions_action_check
    CHECK (action IN ('save', 'submit', 'correct', 'return', 'carry', 'confirm', 'erase'));
