-- Search by customer account: the requests that became (or joined) a customer.
CREATE INDEX customer_requests_customer ON customer_requests (customer_id)
    WHERE customer_id IS NOT NULL;

-- The words the search index holds, so that a word being typed ("conto")
-- becomes the few whole words it begins ("contoso", "contosotraders"):
-- the index answers whole words lazily in queue order, where a prefix
-- query first gathers every match.
CREATE VIRTUAL TABLE request_search_vocab USING fts5vocab(request_search, 'row');
