-- The language a contact is written to (issue 11): invitations, reminders
-- and the feedback e-mail go to each contact in its language, Latvian
-- unless a coordinator says English.
ALTER TABLE contacts ADD COLUMN lang text NOT NULL DEFAULT 'lv' CHECK (lang IN ('lv', 'en'));
