-- Operations: data retention, privacy erasure and the approvers' digest.

-- When a request's personal data was removed (expiry, retention or an erasure
-- request); the number, status and timestamps stay for the audit trail.
ALTER TABLE customer_requests ADD COLUMN purged_at INTEGER;

-- Rejected requests still holding personal data, oldest decision first: the
-- retention purge reads this instead of every rejected request.
CREATE INDEX customer_requests_purge ON customer_requests (status, decided_at, id)
    WHERE purged_at IS NULL;

-- Requests by the time they were verified, for the digest and the TUI notice.
CREATE INDEX customer_requests_verified ON customer_requests (verified_at, id)
    WHERE verified_at IS NOT NULL;

-- The approvers' digest: when one was last queued, and the high-water mark
-- (verified_at, id) of the requests it covered. One row.
CREATE TABLE digest_state (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    last_sent_at INTEGER NOT NULL DEFAULT 0,
    verified_at  INTEGER NOT NULL DEFAULT 0,
    request_id   INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO digest_state (id) VALUES (1);

-- Counting decisions for the metrics: a range of this index, not the table.
CREATE INDEX audit_action ON audit (entity, action);
