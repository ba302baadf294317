-- The core schema: customer requests and what they become.
-- Timestamps are Unix milliseconds (UTC); statuses are checked here so that
-- no code path can store one the workflow does not know.

CREATE TABLE sequences (
    name       TEXT PRIMARY KEY,
    next_value INTEGER NOT NULL CHECK (next_value > 0)
) STRICT;

INSERT INTO sequences (name, next_value) VALUES
    ('registration', 1), ('customer', 1), ('user_request', 1);

CREATE TABLE parameters (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    updated_by TEXT NOT NULL
) STRICT;

CREATE TABLE customer_templates (
    code           TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    customer_group TEXT NOT NULL,
    currency       TEXT NOT NULL,
    language       TEXT NOT NULL,
    payment_terms  TEXT NOT NULL
) STRICT;

INSERT INTO customer_templates (code, name, customer_group, currency, language, payment_terms) VALUES
    ('STANDARD', 'Standard domestic customer', 'DOM', 'USD', 'en-US', 'Net 30'),
    ('EU', 'European Union customer', 'EU', 'EUR', 'en-GB', 'Net 30'),
    ('EXPORT', 'Export customer, prepaid', 'EXP', 'USD', 'en-US', 'Prepayment');

CREATE TABLE customer_requests (
    id             INTEGER PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL CHECK (status IN
                   ('requested', 'verified', 'approved', 'created', 'rejected', 'expired')),
    version        INTEGER NOT NULL DEFAULT 1,
    company_name   TEXT NOT NULL,
    tax_id         TEXT NOT NULL DEFAULT '',
    street         TEXT NOT NULL,
    city           TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT '',
    postal_code    TEXT NOT NULL,
    country        TEXT NOT NULL,
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL,
    job_title      TEXT NOT NULL DEFAULT '',
    email          TEXT NOT NULL,
    phone          TEXT NOT NULL,
    language       TEXT NOT NULL DEFAULT '',
    username       TEXT NOT NULL,
    password_hash  TEXT NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    verified_at    INTEGER,
    decided_at     INTEGER,
    decided_by     TEXT NOT NULL DEFAULT '',
    reject_reason  TEXT NOT NULL DEFAULT '',
    reject_comment TEXT NOT NULL DEFAULT '',
    customer_id    INTEGER REFERENCES customers (id),
    source_ip      TEXT NOT NULL DEFAULT ''
) STRICT;

-- The approver queue: one status, oldest first. Ids grow with creation time,
-- so the rowid is the queue order and the keyset; "All" needs no index.
CREATE INDEX customer_requests_queue ON customer_requests (status, id);
-- Duplicate warnings and the "open request with this user name" check.
CREATE INDEX customer_requests_email ON customer_requests (email COLLATE NOCASE);
CREATE INDEX customer_requests_username ON customer_requests (username COLLATE NOCASE);
CREATE INDEX customer_requests_company ON customer_requests (company_name COLLATE NOCASE);
CREATE INDEX customer_requests_tax_id ON customer_requests (tax_id) WHERE tax_id <> '';
CREATE INDEX customer_requests_domain ON customer_requests
    (substr(email, instr(email, '@') + 1) COLLATE NOCASE);

CREATE TABLE customers (
    id             INTEGER PRIMARY KEY,
    account        TEXT NOT NULL UNIQUE,
    name           TEXT NOT NULL,
    tax_id         TEXT NOT NULL DEFAULT '',
    street         TEXT NOT NULL,
    city           TEXT NOT NULL,
    state          TEXT NOT NULL DEFAULT '',
    postal_code    TEXT NOT NULL,
    country        TEXT NOT NULL,
    template       TEXT NOT NULL REFERENCES customer_templates (code),
    customer_group TEXT NOT NULL,
    currency       TEXT NOT NULL,
    language       TEXT NOT NULL,
    payment_terms  TEXT NOT NULL,
    created_at     INTEGER NOT NULL,
    created_by     TEXT NOT NULL
) STRICT;

CREATE INDEX customers_name ON customers (name COLLATE NOCASE);
CREATE INDEX customers_tax_id ON customers (tax_id) WHERE tax_id <> '';

CREATE TABLE contact_persons (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers (id),
    request_id  INTEGER UNIQUE REFERENCES customer_requests (id),
    first_name  TEXT NOT NULL,
    last_name   TEXT NOT NULL,
    job_title   TEXT NOT NULL DEFAULT '',
    email       TEXT NOT NULL,
    phone       TEXT NOT NULL DEFAULT '',
    language    TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX contact_persons_customer ON contact_persons (customer_id);
CREATE INDEX contact_persons_email ON contact_persons (email COLLATE NOCASE);
CREATE INDEX contact_persons_domain ON contact_persons
    (substr(email, instr(email, '@') + 1) COLLATE NOCASE);

CREATE TABLE user_requests (
    id             INTEGER PRIMARY KEY,
    number         TEXT NOT NULL UNIQUE,
    status         TEXT NOT NULL CHECK (status IN
                   ('draft', 'submitted', 'pending_approval', 'provisioned', 'completed',
                    'rejected', 'canceled', 'failed')),
    version        INTEGER NOT NULL DEFAULT 1,
    request_id     INTEGER UNIQUE REFERENCES customer_requests (id),
    customer_id    INTEGER NOT NULL REFERENCES customers (id),
    contact_id     INTEGER NOT NULL REFERENCES contact_persons (id),
    username       TEXT NOT NULL,
    email          TEXT NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('customer_user', 'customer_admin')),
    password_hash  TEXT NOT NULL DEFAULT '',
    step           TEXT NOT NULL DEFAULT '',
    attempts       INTEGER NOT NULL DEFAULT 0,
    last_error     TEXT NOT NULL DEFAULT '',
    user_id        INTEGER REFERENCES users (id),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    created_by     TEXT NOT NULL
) STRICT;

CREATE INDEX user_requests_queue ON user_requests (status, id);
CREATE INDEX user_requests_username ON user_requests (username COLLATE NOCASE);

CREATE TABLE user_request_steps (
    id              INTEGER PRIMARY KEY,
    user_request_id INTEGER NOT NULL REFERENCES user_requests (id),
    step            TEXT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN ('started', 'done', 'retry', 'failed', 'skipped')),
    attempt         INTEGER NOT NULL DEFAULT 0,
    detail          TEXT NOT NULL DEFAULT '',
    at              INTEGER NOT NULL,
    actor           TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX user_request_steps_request ON user_request_steps (user_request_id, id);

CREATE TABLE users (
    id                  INTEGER PRIMARY KEY,
    username            TEXT NOT NULL UNIQUE COLLATE NOCASE,
    email               TEXT NOT NULL,
    password_hash       TEXT NOT NULL DEFAULT '',
    role                TEXT NOT NULL CHECK (role IN ('customer_user', 'customer_admin')),
    customer_id         INTEGER NOT NULL REFERENCES customers (id),
    contact_id          INTEGER NOT NULL REFERENCES contact_persons (id),
    user_request_id     INTEGER UNIQUE REFERENCES user_requests (id),
    active              INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1)),
    created_at          INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    password_changed_at INTEGER,
    inactivated_at      INTEGER,
    inactivated_by      TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX users_customer ON users (customer_id);
CREATE INDEX users_email ON users (email COLLATE NOCASE);

CREATE TABLE approvers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    email      TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE approver_keys (
    id          INTEGER PRIMARY KEY,
    approver_id INTEGER NOT NULL REFERENCES approvers (id) ON DELETE CASCADE,
    public_key  TEXT NOT NULL,
    fingerprint TEXT NOT NULL UNIQUE,
    comment     TEXT NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
) STRICT;

CREATE TABLE audit (
    id       INTEGER PRIMARY KEY,
    at       INTEGER NOT NULL,
    actor    TEXT NOT NULL,
    entity   TEXT NOT NULL,
    ref      TEXT NOT NULL,
    action   TEXT NOT NULL,
    detail   TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX audit_ref ON audit (entity, ref, id);

CREATE TABLE outbox (
    id           INTEGER PRIMARY KEY,
    message_id   TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    ref          TEXT NOT NULL DEFAULT '',
    to_addr      TEXT NOT NULL,
    subject      TEXT NOT NULL,
    text_body    TEXT NOT NULL,
    html_body    TEXT NOT NULL,
    status       TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    sent_at      INTEGER
) STRICT;

CREATE INDEX outbox_status ON outbox (status, id);
CREATE INDEX outbox_ref ON outbox (ref) WHERE ref <> '';

CREATE TABLE tokens (
    id         INTEGER PRIMARY KEY,
    hash       BLOB NOT NULL UNIQUE,
    kind       TEXT NOT NULL CHECK (kind IN ('activation', 'password_reset', 'set_password')),
    request_id INTEGER REFERENCES customer_requests (id) ON DELETE CASCADE,
    user_id    INTEGER REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
) STRICT;

CREATE INDEX tokens_expires ON tokens (expires_at);
CREATE INDEX tokens_request ON tokens (request_id) WHERE request_id IS NOT NULL;
CREATE INDEX tokens_user ON tokens (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE sessions (
    id           INTEGER PRIMARY KEY,
    hash         BLOB NOT NULL UNIQUE,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL
) STRICT;

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

-- Live tab counts for the Registration screen without counting a million rows.
CREATE TABLE request_counts (
    status TEXT PRIMARY KEY,
    n      INTEGER NOT NULL DEFAULT 0
) STRICT;

INSERT INTO request_counts (status, n) VALUES
    ('requested', 0), ('verified', 0), ('approved', 0), ('created', 0), ('rejected', 0), ('expired', 0);

CREATE TRIGGER customer_requests_count_insert AFTER INSERT ON customer_requests BEGIN
    UPDATE request_counts SET n = n + 1 WHERE status = NEW.status;
END;

CREATE TRIGGER customer_requests_count_update AFTER UPDATE OF status ON customer_requests
WHEN OLD.status <> NEW.status BEGIN
    UPDATE request_counts SET n = n - 1 WHERE status = OLD.status;
    UPDATE request_counts SET n = n + 1 WHERE status = NEW.status;
END;

CREATE TRIGGER customer_requests_count_delete AFTER DELETE ON customer_requests BEGIN
    UPDATE request_counts SET n = n - 1 WHERE status = OLD.status;
END;

-- Word-prefix search across number, company, contact, email and tax id
-- ("conto" finds Contoso, "42" finds REG-000042 through the digits column).
-- The store keeps it in step with customer_requests by hand, not by triggers:
-- FTS5 flushes at every statement savepoint, which makes bulk loads crawl.
CREATE VIRTUAL TABLE request_search USING fts5 (
    number, digits, company_name, contact, email, tax_id,
    content = '', contentless_delete = 1, detail = none,
    tokenize = 'unicode61 remove_diacritics 2'
);
