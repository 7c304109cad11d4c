DROP INDEX messages_sending;
ALTER TABLE messages DROP CONSTRAINT messages_claim_check;
UPDATE messages SET status = 'queued' WHERE status = 'sending';
ALTER TABLE messages DROP COLUMN claimed_by;
ALTER TABLE messages DROP COLUMN claimed_at;
ALTER TABLE messages DROP CONSTRAINT messages_status_check;
ALTER TABLE messages ADD CONSTRAINT messages_status_check CHECK (status IN ('queued', 'sent', 'failed'));
DELETE FROM login_failures WHERE state = 'succeeded';
ALTER TABLE login_failures DROP COLUMN state;
