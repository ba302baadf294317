-- The terms and conditions a prospect accepted at sign-up: the version in
-- force (parameter terms.version) and when. Empty and NULL when no terms
-- were asked for.
ALTER TABLE customer_requests ADD COLUMN terms_version TEXT NOT NULL DEFAULT '';
ALTER TABLE customer_requests ADD COLUMN terms_accepted_at INTEGER;
