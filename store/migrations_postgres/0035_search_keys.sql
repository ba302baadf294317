-- The twin of migrations/0035_search_keys.sql. Search by customer account:
-- the requests that became (or joined) a customer. Words are searched in the
-- GIN-indexed tsvector, which answers prefixes itself (no vocabulary table).
CREATE INDEX customer_requests_customer ON customer_requests (customer_id)
    WHERE customer_id IS NOT NULL;
