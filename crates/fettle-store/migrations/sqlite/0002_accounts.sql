-- Fettle schema 2 (SQLite): accounts for the multi-user server. Users own exactly one athlete
-- partition each; sessions and API tokens are kept as the SHA-256 (64 hex digits) of the
-- secret the client holds, never the secret; memberships are keyed by the invited e-mail
-- address so that an invitation says nothing about whether an account exists. E-mail
-- addresses arrive trimmed and lower-cased, and are compared exactly.

CREATE TABLE users (
    user_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('athlete', 'coach')),
    -- The user's own partition; a partition belongs to at most one user.
    athlete_id    BIGINT NOT NULL UNIQUE REFERENCES athletes (athlete_id),
    password_hash TEXT NOT NULL,
    created_ms    BIGINT NOT NULL
);

-- Login sessions (cookie secrets' hashes). Expired rows are deleted when met or when the user
-- logs in again.
CREATE TABLE sessions (
    secret_hash TEXT PRIMARY KEY,
    user_id     BIGINT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    csrf_token  TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    expires_ms  BIGINT NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);

-- API tokens (bearer secrets' hashes); revoking deletes the row.
CREATE TABLE api_tokens (
    token_id     INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      BIGINT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_ms   BIGINT NOT NULL,
    last_used_ms BIGINT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id, created_ms);

-- A coach's invitation of an e-mail address ('invited'), which becomes a membership
-- ('active', with its acceptance time) when the user with that address accepts it.
CREATE TABLE memberships (
    coach_id    BIGINT NOT NULL REFERENCES users (user_id) ON DELETE CASCADE,
    email       TEXT NOT NULL,
    state       TEXT NOT NULL CHECK (state IN ('invited', 'active')),
    invited_ms  BIGINT NOT NULL,
    accepted_ms BIGINT,
    CHECK ((state = 'active') = (accepted_ms IS NOT NULL)),
    PRIMARY KEY (coach_id, email)
);
-- An athlete's invitations and coaches are found by their address.
CREATE INDEX memberships_by_email ON memberships (email, state);
