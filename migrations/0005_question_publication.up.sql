-- Which free-text questions of a round may be shown to other municipalities
-- (in their feedback reports) and published (in the open-data package). The
-- definition may preset a question (publishable: true); a coordinator's
-- choice here overrides it for the round. Default: not publishable.
CREATE TABLE question_publication (
    survey_id     bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    question_code text NOT NULL CHECK (question_code ~ '^[a-z][a-z0-9_]{0,62}$'),
    publishable   boolean NOT NULL,
    user_id       bigint REFERENCES users (id) ON DELETE SET NULL,
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (survey_id, question_code)
);
