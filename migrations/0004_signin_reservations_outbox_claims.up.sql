-- Sign-in attempts are reserved before the password is checked, so that
-- parallel guesses cannot pass the limit (issue 9, defect 3): the table of
-- failures now holds every attempt that counts. 'pending' is a check in
-- progress (one whose process died stays counted as a failure until it
-- leaves the window); 'succeeded' is a right password given while the
-- account or the address already had attempts counted in the window (it
-- keeps counting, so a burst holding the right password gets one check).
ALTER TABLE login_failures ADD COLUMN state text NOT NULL DEFAULT 'failed'
    CHECK (state IN ('pending', 'failed', 'succeeded'));
ALTER TABLE login_failures ALTER COLUMN state DROP DEFAULT;

-- The outbox claims a message before sending it (defect 10): 'sending' with
-- when and by whom, in a short statement of its own; the SMTP conversation
-- runs outside any transaction and the outcome is recorded on its own. A
-- claim older than the claim timeout (its sender died) goes back to the
-- queue.
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check
    CHECK (status IN ('queued', 'sending', 'sent', 'failed'));
ALTER TABLE messages ADD COLUMN claimed_at timestamptz;
ALTER TABLE messages ADD COLUMN claimed_by text;
ALTER TABLE messages ADD CONSTRAINT messages_claim_check
    CHECK ((status = 'sending') = (claimed_at IS NOT NULL AND claimed_by IS NOT NULL));
CREATE INDEX messages_sending ON messages (claimed_at) WHERE status = 'sending';
