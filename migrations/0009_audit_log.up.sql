-- The audit log (issue 14): one row for each staff action that reads or
-- changes personal data or access. Append-only: a trigger refuses UPDATE,
-- DELETE and TRUNCATE, so not even the service can change what is written.
-- The actor's e-mail address and the round's slug are copied as they were
-- at the time (no foreign keys: a row outlives the user, token and round
-- it names, and ON DELETE SET NULL would be an UPDATE).
CREATE TABLE audit_log (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT clock_timestamp(),
    action        text NOT NULL CHECK (action ~ '^[a-z_]+(\.[a-z_]+)+$'),
    -- user: a session; api_token: a script's token (api_token_id); operator:
    -- the command line; anonymous: nobody signed in (a failed sign-in).
    actor_kind    text NOT NULL CHECK (actor_kind IN ('user', 'api_token', 'operator', 'system', 'anonymous')),
    user_id       bigint,
    user_email    text NOT NULL DEFAULT '',
    api_token_id  bigint,
    survey_id     bigint,
    survey_slug   text NOT NULL DEFAULT '',
    municipality  text NOT NULL DEFAULT '',
    -- The client's address as the web saw it (TRUSTED_PROXIES), "cli" for
    -- the operator.
    client_addr   text NOT NULL DEFAULT '',
    detail        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(detail) = 'object')
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_action ON audit_log (action, id);
CREATE INDEX audit_log_user_email ON audit_log (user_email, id);
CREATE INDEX audit_log_survey ON audit_log (survey_slug, id);
CREATE INDEX audit_log_municipality ON audit_log (municipality, id) WHERE municipality <> '';

CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
