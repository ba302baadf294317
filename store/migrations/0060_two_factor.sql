-- Two-step login for customers: an authenticator app (TOTP, RFC 6238) and
-- single-use recovery codes; and the half-step of a login between the
-- password and the code.

-- One authenticator per user. The secret is sealed (AES-256-GCM) with a key
-- kept in the data folder outside the database, so a copy of the database
-- alone does not give it away.
CREATE TABLE user_totp (
    user_id      INTEGER PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    secret       BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER,                    -- NULL while enrolling
    last_step    INTEGER NOT NULL DEFAULT 0, -- newest accepted time step: a code works once
    failures     INTEGER NOT NULL DEFAULT 0, -- wrong codes since failed_since (throttling)
    failed_since INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Recovery codes, stored only as hashes; used_at marks a spent one.
CREATE TABLE user_recovery_codes (
    id      INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    hash    BLOB NOT NULL UNIQUE,
    used_at INTEGER
) STRICT;

CREATE INDEX user_recovery_codes_user ON user_recovery_codes (user_id);

-- A login whose password was right and whose code is still to come. Only
-- the hash of its token (held in a short-lived cookie) is stored.
CREATE TABLE login_challenges (
    id         INTEGER PRIMARY KEY,
    hash       BLOB NOT NULL UNIQUE,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    next       TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;

CREATE INDEX login_challenges_user ON login_challenges (user_id);
