-- What the trends read of an earlier round's aggregate (reports.
-- EncodeTrendSummary: how many responses, each indicator's N and median,
-- each choice question's answered count and options' counts and
-- percents; nothing of any one response, nothing of a personal question),
-- kept so that the charts page of a later round, the first time a
-- server just started shows it, need not read the earlier round's
-- answers again. Derived data: each row holds the fingerprint of the
-- round's submitted rows it was made from (store.qChartSubmittedFingerprint)
-- and is read only while they are still the same; a row may be deleted
-- at any time and is made again when next needed. One per round,
-- questionnaire (its SHA-256), filter (planning region, statistical
-- region, kind) and format (reports.TrendSummaryFormat: a row written by
-- code that counted otherwise is not read).
CREATE TABLE trend_summaries (
    survey_id         bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    definition_sha256 text NOT NULL,
    filter            text NOT NULL,
    format            integer NOT NULL,
    fingerprint       text NOT NULL,
    summary           bytea NOT NULL,
    made_at           timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (survey_id, definition_sha256, filter, format)
);
