-- The twin of migrations/0070_rate_buckets.sql: a token bucket per rate
-- limit key, shared by every process on the database.
CREATE TABLE rate_buckets (
    key        TEXT PRIMARY KEY,
    tokens     DOUBLE PRECISION NOT NULL,
    updated_at BIGINT NOT NULL,
    full_at    BIGINT NOT NULL
);

CREATE INDEX rate_buckets_full ON rate_buckets (full_at);
