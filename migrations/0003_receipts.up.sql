-- A receipt to the respondent after a submit: the address typed in the
-- definition's receipt_email question, in the respondent's language, naming
-- the version submitted and when. The link in it is derived again from the
-- invitation when sending (the token is never stored).
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('invitation', 'reminder', 'receipt'));
ALTER TABLE messages ADD COLUMN lang text CHECK (lang IN ('lv', 'en'));
ALTER TABLE messages ADD COLUMN response_version integer;
ALTER TABLE messages ADD COLUMN submitted_at timestamptz;
ALTER TABLE messages ADD CONSTRAINT messages_receipt_check
    CHECK (kind <> 'receipt' OR (lang IS NOT NULL AND response_version IS NOT NULL AND submitted_at IS NOT NULL));
