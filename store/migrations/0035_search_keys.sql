-- Search by customer account: the requests that became (or joined) a customer.
CREATE INDEX customer_requests_customer ON customer_requests (customer_id)
    WHERE customer_id IS NOT NULL;
