-- Risk signals and insights.

-- A request's risk: the score (0 none … 100) and the signal codes, computed
-- by the workflow at sign-up and whenever the request's fields change, so
-- the queue can show and filter by risk without computing it per page.
ALTER TABLE customer_requests ADD COLUMN risk_score INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customer_requests ADD COLUMN risk_flags TEXT NOT NULL DEFAULT '';

-- The "risky only" queue: a status, oldest first, among risky requests only,
-- and the same over every status. Few requests are risky, so these stay small.
CREATE INDEX customer_requests_risky ON customer_requests (status, id) WHERE risk_score > 0;
CREATE INDEX customer_requests_risky_all ON customer_requests (id) WHERE risk_score > 0;
-- Sign-ups from one network in the last hour use the source_net and
-- source_net48 indexes of 0010.

-- Insights read ranges of these, never the whole table: sign-ups (and how
-- many were verified) by day; decisions in a period with who, what and how
-- long after verification; the verified queue by age; expiries by when.
CREATE INDEX customer_requests_created ON customer_requests (created_at, verified_at);
CREATE INDEX customer_requests_decided ON customer_requests
    (decided_at, status, decided_by, reject_reason, verified_at) WHERE decided_at IS NOT NULL;
CREATE INDEX customer_requests_waiting ON customer_requests (status, verified_at);
CREATE INDEX customer_requests_changed ON customer_requests (status, updated_at);
