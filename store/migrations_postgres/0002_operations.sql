-- Operations: data retention, privacy erasure and the approvers' digest.
-- The twin of migrations/0002_operations.sql.

ALTER TABLE customer_requests ADD COLUMN purged_at BIGINT;

CREATE INDEX customer_requests_purge ON customer_requests (status, decided_at, id)
    WHERE purged_at IS NULL;

CREATE INDEX customer_requests_verified ON customer_requests (verified_at, id)
    WHERE verified_at IS NOT NULL;

CREATE TABLE digest_state (
    id           BIGINT PRIMARY KEY CHECK (id = 1),
    last_sent_at BIGINT NOT NULL DEFAULT 0,
    verified_at  BIGINT NOT NULL DEFAULT 0,
    request_id   BIGINT NOT NULL DEFAULT 0
);

INSERT INTO digest_state (id) VALUES (1);

CREATE INDEX audit_action ON audit (entity, action);
