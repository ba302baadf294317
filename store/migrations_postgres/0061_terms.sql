-- The terms a prospect accepted at sign-up; the twin of migrations/0061_terms.sql.
ALTER TABLE customer_requests ADD COLUMN terms_version TEXT NOT NULL DEFAULT '';
ALTER TABLE customer_requests ADD COLUMN terms_accepted_at BIGINT;
