-- Prefix indexes for the words approvers type. Without them FTS5 answers a
-- word prefix ("lovelace"*) by gathering and merging the rows of every word
-- it begins (tens of thousands at a million requests, as each email address
-- is a word of its own) before the first row comes out; with them a prefix
-- of up to ten characters is one list, read lazily in rowid order, so a page
-- stops after its rows. The index grows by about four times (about 100 MB at
-- a million requests). Same columns and tokenizer as before; the table is
-- rebuilt from customer_requests as the store writes it. (The vocabulary
-- table of 0035 finds the table by name when queried, so it stays valid.)
DROP TABLE request_search;
CREATE VIRTUAL TABLE request_search USING fts5 (
    number, digits, company_name, contact, email, tax_id,
    content = '', contentless_delete = 1, detail = none,
    prefix = '1 2 3 4 5 6 7 8 9 10',
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO request_search (rowid, number, digits, company_name, contact, email, tax_id)
    SELECT id, number, ltrim(replace(number, rtrim(number, '0123456789'), ''), '0'),
        company_name, first_name || ' ' || last_name, email, tax_id
    FROM customer_requests;
