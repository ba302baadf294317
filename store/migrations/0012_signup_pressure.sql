-- Sign-up under pressure: proof-of-work challenges used once, sign-ups per
-- email domain in hourly buckets, and when approvers were last alerted.

-- A challenge's id is kept from its use until it expires, so a solved
-- challenge cannot be sent twice.
CREATE TABLE signup_challenges (
    id      TEXT PRIMARY KEY,
    used_at INTEGER NOT NULL
) STRICT;

CREATE INDEX signup_challenges_used ON signup_challenges (used_at);

-- Sign-ups per email domain and hour (hour = Unix time / 3600).
CREATE TABLE signup_domains (
    hour   INTEGER NOT NULL,
    domain TEXT NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (hour, domain)
) STRICT;

-- The last alert of each kind, so approvers hear at most one an hour.
CREATE TABLE alerts (
    kind    TEXT PRIMARY KEY,
    sent_at INTEGER NOT NULL
) STRICT;
