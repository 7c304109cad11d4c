-- The foundation: municipalities, survey rounds, invitation links, responses
-- and their revision history.

CREATE TABLE municipalities (
    code               text PRIMARY KEY CHECK (code ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
    name_lv            text NOT NULL CHECK (name_lv <> ''),
    name_en            text NOT NULL CHECK (name_en <> ''),
    kind               text NOT NULL CHECK (kind IN ('valstspilseta', 'novads')),
    planning_region    text NOT NULL CHECK (planning_region <> ''),
    statistical_region text NOT NULL CHECK (statistical_region <> ''),
    -- The list changes by law; a municipality that no longer exists is kept
    -- (old rounds refer to it) but marked inactive.
    active             boolean NOT NULL DEFAULT true,
    updated_at         timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE surveys (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    slug              text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
    title_lv          text NOT NULL,
    title_en          text NOT NULL,
    reference_year    integer NOT NULL,
    -- The questionnaire as it was loaded (survey.Definition.JSON()), so a
    -- later change of the definition file never changes a running round.
    definition        jsonb NOT NULL CHECK (jsonb_typeof(definition) = 'object'),
    definition_sha256 text NOT NULL,
    opens_at          timestamptz NOT NULL,
    closes_at         timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (closes_at > opens_at)
);

CREATE TABLE invitations (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id         bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    municipality_code text NOT NULL REFERENCES municipalities (code) ON UPDATE CASCADE,
    -- Only the SHA-256 of the 128-bit token is stored; the link cannot be
    -- recovered from the database.
    token_sha256      bytea NOT NULL UNIQUE CHECK (length(token_sha256) = 32),
    created_at        timestamptz NOT NULL DEFAULT now(),
    revoked_at        timestamptz,
    last_used_at      timestamptz
);

-- At most one working link per municipality and round.
CREATE UNIQUE INDEX invitations_one_active
    ON invitations (survey_id, municipality_code) WHERE revoked_at IS NULL;

CREATE TABLE responses (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    survey_id         bigint NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    municipality_code text NOT NULL REFERENCES municipalities (code) ON UPDATE CASCADE,
    status            text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'submitted')),
    -- The working copy: what the form shows; valid in draft mode.
    answers           jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(answers) = 'object'),
    -- Every change bumps the version; a save names the version it started
    -- from and is refused (409) when another save came first.
    version           integer NOT NULL DEFAULT 0 CHECK (version >= 0),
    -- The answers as last submitted (valid in submit mode) and the version
    -- that submission produced; reports read these.
    submitted_answers jsonb CHECK (jsonb_typeof(submitted_answers) = 'object'),
    submitted_version integer,
    submitted_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (survey_id, municipality_code),
    CHECK (status <> 'submitted' OR (submitted_answers IS NOT NULL AND submitted_at IS NOT NULL
                                     AND submitted_version IS NOT NULL))
);

CREATE TABLE revisions (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    response_id   bigint NOT NULL REFERENCES responses (id) ON DELETE CASCADE,
    -- The response version this change produced.
    version       integer NOT NULL,
    action        text NOT NULL CHECK (action IN ('save', 'submit')),
    -- Who: a respondent through an invitation link, a signed-in user, or the
    -- system (demo data, imports).
    actor         text NOT NULL CHECK (actor IN ('invitation', 'user', 'system')),
    invitation_id bigint REFERENCES invitations (id),
    user_id       bigint,
    -- Only the answers that changed: their values before and after. A key
    -- missing on one side was unanswered there.
    before        jsonb NOT NULL CHECK (jsonb_typeof(before) = 'object'),
    after         jsonb NOT NULL CHECK (jsonb_typeof(after) = 'object'),
    note          text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (response_id, version),
    CHECK ((actor = 'invitation') = (invitation_id IS NOT NULL)),
    CHECK ((actor = 'user') = (user_id IS NOT NULL))
);

CREATE INDEX revisions_invitation ON revisions (invitation_id) WHERE invitation_id IS NOT NULL;
