-- The twin of migrations/0031_search_prefix.sql. PostgreSQL's GIN index
-- answers word prefixes itself; fresh statistics on the search table let the
-- planner see how common a word is, and so whether walking the queue in
-- order beats gathering every match.
ANALYZE request_search;
