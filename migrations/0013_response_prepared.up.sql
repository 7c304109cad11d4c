-- A response's answers as the charts count them (reports.AppendPrepared:
-- which questions are shown and answered, each number of a number
-- question, each option chosen, each indicator's value; no text of any
-- answer), kept so that a server just started reads these short forms
-- rather than decoding every answers document of a round again.
-- Derived data: each row names the response row version it was made from
-- (its xmin and version, as the charts read them: any write of the
-- response gives another xmin; both are compared, as xids repeat after
-- four billion transactions), the SHA-256 of the questionnaire it was made
-- under and its format (reports.PreparedFormat), and is read only while
-- all three are the same; a row may be deleted at any time and is made
-- again when next needed. It goes with its response.
CREATE TABLE response_prepared (
    response_id       bigint PRIMARY KEY REFERENCES responses (id) ON DELETE CASCADE,
    survey_id         bigint NOT NULL,
    row_xmin          xid NOT NULL,
    row_version       integer NOT NULL,
    definition_sha256 text NOT NULL,
    format            integer NOT NULL,
    prepared          bytea NOT NULL
);

CREATE INDEX response_prepared_survey ON response_prepared (survey_id);
