DELETE FROM messages WHERE kind = 'feedback';
ALTER TABLE messages DROP CONSTRAINT messages_feedback_check;
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check CHECK (kind IN ('invitation', 'reminder', 'receipt'));
DROP TABLE feedback_releases;
