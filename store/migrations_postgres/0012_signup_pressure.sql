-- Sign-up under pressure: proof-of-work challenges used once, sign-ups per
-- email domain in hourly buckets, and when approvers were last alerted.
-- The twin of migrations/0012_signup_pressure.sql.

CREATE TABLE signup_challenges (
    id      TEXT PRIMARY KEY,
    used_at BIGINT NOT NULL
);

CREATE INDEX signup_challenges_used ON signup_challenges (used_at);

CREATE TABLE signup_domains (
    hour   BIGINT NOT NULL,
    domain TEXT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (hour, domain)
);

CREATE TABLE alerts (
    kind    TEXT PRIMARY KEY,
    sent_at BIGINT NOT NULL
);
