DELETE FROM messages WHERE kind = 'receipt';
ALTER TABLE messages DROP CONSTRAINT messages_receipt_check;
ALTER TABLE messages DROP COLUMN submitted_at;
ALTER TABLE messages DROP COLUMN response_version;
ALTER TABLE messages DROP COLUMN lang;
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check CHECK (kind IN ('invitation', 'reminder'));
