-- Risk signals and insights. The twin of migrations/0050_risk_insights.sql.

ALTER TABLE customer_requests ADD COLUMN risk_score BIGINT NOT NULL DEFAULT 0;
ALTER TABLE customer_requests ADD COLUMN risk_flags TEXT NOT NULL DEFAULT '';

CREATE INDEX customer_requests_risky ON customer_requests (status, id) WHERE risk_score > 0;
CREATE INDEX customer_requests_risky_all ON customer_requests (id) WHERE risk_score > 0;

CREATE INDEX customer_requests_created ON customer_requests (created_at, verified_at);
CREATE INDEX customer_requests_decided ON customer_requests
    (decided_at, status, decided_by, reject_reason, verified_at) WHERE decided_at IS NOT NULL;
CREATE INDEX customer_requests_waiting ON customer_requests (status, verified_at);
CREATE INDEX customer_requests_changed ON customer_requests (status, updated_at);
