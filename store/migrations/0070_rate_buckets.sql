-- Rate limits counted in the database, so that every process sharing it
-- (several serve processes on one PostgreSQL database, a restarted one)
-- draws from the same allowance: a token bucket per key. key is a hash of
-- the limit's name and what it limits (client address, account), never the
-- address itself. full_at is when the bucket is full again: from then on it
-- behaves like a missing row, and maintenance deletes it.
CREATE TABLE rate_buckets (
    key        TEXT PRIMARY KEY,
    tokens     REAL NOT NULL,
    updated_at INTEGER NOT NULL,
    full_at    INTEGER NOT NULL
) STRICT;

CREATE INDEX rate_buckets_full ON rate_buckets (full_at);
