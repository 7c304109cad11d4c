-- Feedback to the municipalities (issue 10): a coordinator releases a
-- round's feedback report to municipalities that submitted; from then on
-- the municipality's own personal link shows its results ("Rezultāti"),
-- also after the round closed. The report itself is not stored: it is
-- built from the submitted answers whenever it is opened. This row records
-- the release: when (first and latest) and by whom, what was released (the
-- municipality's submitted version and its time, so that answers corrected
-- since show), a withdrawal, the e-mail with the results link (last asked
-- for, last sent), and the municipality opening its results.
CREATE TABLE feedback_releases (
    survey_id         bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    municipality_code text NOT NULL REFERENCES municipalities (code) ON UPDATE CASCADE,
    first_released_at timestamptz NOT NULL DEFAULT now(),
    released_at       timestamptz NOT NULL DEFAULT now(),
    released_by       bigint REFERENCES users (id) ON DELETE SET NULL,
    submitted_version integer NOT NULL CHECK (submitted_version > 0),
    submitted_at      timestamptz NOT NULL,
    -- Withdrawn: the link shows no results again until released anew.
    withdrawn_at      timestamptz,
    withdrawn_by      bigint REFERENCES users (id) ON DELETE SET NULL,
    -- The e-mail with the results link: when a coordinator last asked for
    -- it (queued) and when one was last delivered (the outbox records it).
    mail_queued_at    timestamptz,
    mail_sent_at      timestamptz,
    -- The municipality opening its results through its link.
    first_opened_at   timestamptz,
    last_opened_at    timestamptz,
    PRIMARY KEY (survey_id, municipality_code),
    CHECK (first_released_at <= released_at),
    CHECK ((first_opened_at IS NULL) = (last_opened_at IS NULL))
);

-- The e-mail with a municipality's results link, to each of its contacts,
-- in the contact's language (Latvian unless known). Like an invitation it
-- names the link it carries, which is derived again when sending.
ALTER TABLE messages DROP CONSTRAINT messages_kind_check;
ALTER TABLE messages ADD CONSTRAINT messages_kind_check
    CHECK (kind IN ('invitation', 'reminder', 'receipt', 'feedback'));
ALTER TABLE messages ADD CONSTRAINT messages_feedback_check
    CHECK (kind <> 'feedback' OR (lang IS NOT NULL AND invitation_id IS NOT NULL));
