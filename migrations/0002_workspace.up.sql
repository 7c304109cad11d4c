-- The coordinator workspace: users and their sessions, API tokens, login
-- throttling, municipality contacts, messages sent, per-municipality
-- deadlines, closing a round early, and returning a response for correction.

CREATE TABLE users (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- Stored lower-case; the sign-in name.
    email               text NOT NULL UNIQUE CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$'),
    name                text NOT NULL DEFAULT '',
    role                text NOT NULL CHECK (role IN ('admin', 'coordinator', 'viewer')),
    -- bcrypt; NULL until the user sets a password through a link.
    password_hash       text,
    password_changed_at timestamptz,
    disabled_at         timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);

-- One-time links to set a password (new users, resets). Only the token's
-- SHA-256 is stored.
CREATE TABLE password_links (
    token_sha256 bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    used_at      timestamptz
);

-- Server-side sessions, so any instance can serve any request. The cookie
-- holds a 128-bit token; only its SHA-256 is stored.
CREATE TABLE sessions (
    token_sha256 bytea PRIMARY KEY CHECK (length(token_sha256) = 32),
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_seen_at timestamptz NOT NULL DEFAULT now(),
    -- The absolute end; the idle limit is checked against last_seen_at.
    expires_at   timestamptz NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Bearer tokens for scripts. A token acts as its user, with the user's role.
CREATE TABLE api_tokens (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id      bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name         text NOT NULL CHECK (name <> ''),
    token_sha256 bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    created_by   bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);

-- Failed sign-ins, counted per account and per address to slow guessing.
CREATE TABLE login_failures (
    id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    email text NOT NULL,
    ip    text NOT NULL,
    at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_email ON login_failures (email, at);
CREATE INDEX login_failures_ip ON login_failures (ip, at);

-- Who at the municipality receives the invitation (personal data: shown to
-- coordinators and admins only).
CREATE TABLE contacts (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    municipality_code text NOT NULL REFERENCES municipalities (code) ON UPDATE CASCADE ON DELETE CASCADE,
    email             text NOT NULL CHECK (email = lower(email) AND email ~ '^[^@\s]+@[^@\s]+$'),
    name              text NOT NULL DEFAULT '',
    created_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (municipality_code, email)
);

-- A round closed before its date: closed for everyone, whatever the
-- deadlines. Reopening clears it.
ALTER TABLE surveys ADD COLUMN closed_at timestamptz;

-- A later deadline for one municipality.
CREATE TABLE deadline_extensions (
    survey_id         bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    municipality_code text NOT NULL REFERENCES municipalities (code) ON UPDATE CASCADE,
    closes_at         timestamptz NOT NULL,
    user_id           bigint REFERENCES users (id) ON DELETE SET NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (survey_id, municipality_code)
);

-- Links issued from now on can be shown again: the token is derived from a
-- random salt with the service's LINK_KEY (HMAC), and only the salt and the
-- token's SHA-256 are stored. NULL for links that cannot be shown again.
ALTER TABLE invitations ADD COLUMN token_salt bytea CHECK (length(token_salt) = 16);

-- Every e-mail the service sends (or tried to).
CREATE TABLE messages (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id         bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    municipality_code text NOT NULL REFERENCES municipalities (code) ON UPDATE CASCADE,
    kind              text NOT NULL CHECK (kind IN ('invitation', 'reminder')),
    recipient         text NOT NULL,
    invitation_id     bigint REFERENCES invitations (id),
    user_id           bigint REFERENCES users (id) ON DELETE SET NULL,
    status            text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts          integer NOT NULL DEFAULT 0,
    error             text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    sent_at           timestamptz
);
CREATE INDEX messages_survey ON messages (survey_id, municipality_code);
CREATE INDEX messages_queued ON messages (created_at) WHERE status = 'queued';

-- Returned for correction: the municipality edits and submits again.
ALTER TABLE responses DROP CONSTRAINT responses_status_check;
ALTER TABLE responses ADD CONSTRAINT responses_status_check
    CHECK (status IN ('draft', 'submitted', 'returned'));

CREATE TABLE returns (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    response_id bigint NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    user_id     bigint REFERENCES users (id) ON DELETE SET NULL,
    note        text NOT NULL DEFAULT '',
    -- Per question code: the coordinator's comment.
    comments    jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(comments) = 'object'),
    created_at  timestamptz NOT NULL DEFAULT now(),
    -- When the municipality submitted again.
    resolved_at timestamptz
);
-- At most one open return per response.
CREATE UNIQUE INDEX returns_one_open ON returns (response_id) WHERE resolved_at IS NULL;

-- A coordinator's correction and a return are revisions too.
ALTER TABLE revisions DROP CONSTRAINT revisions_action_check;
ALTER TABLE revisions ADD CONSTRAINT revisions_action_check
    CHECK (action IN ('save', 'submit', 'correct', 'return'));
ALTER TABLE revisions ADD CONSTRAINT revisions_user_fk
    FOREIGN KEY (user_id) REFERENCES users (id);
