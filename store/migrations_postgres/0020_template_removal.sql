-- Removed customer account templates keep their row; the twin of
-- migrations/0020_template_removal.sql.
ALTER TABLE customer_templates ADD COLUMN removed_at BIGINT;
