-- Security: link requests counted in the database, links kept out of the
-- outbox row until the mail is sent, and sign-ups counted per network.

-- Every "forgot password" and "resend activation link" post, known address
-- or not: the limits count these rows (so they hold across restarts and
-- processes), and the job that mails a link, if there is an account, reads
-- them. login_key and client_key are keyed hashes, never the address.
CREATE TABLE link_requests (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN ('activation', 'password_reset')),
    login      TEXT NOT NULL,
    login_key  TEXT NOT NULL,
    client_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    done_at    INTEGER
) STRICT;

CREATE INDEX link_requests_login ON link_requests (login_key, created_at);
CREATE INDEX link_requests_client ON link_requests (client_key, created_at);
CREATE INDEX link_requests_pending ON link_requests (id) WHERE done_at IS NULL;

-- The working link of a queued mail, apart from its row: the text in the
-- outbox says [link] until the worker fills it in while sending, and the
-- row here is deleted in the transaction that marks the mail sent (or
-- failed). Backups leave this table empty.
CREATE TABLE outbox_links (
    outbox_id INTEGER PRIMARY KEY REFERENCES outbox (id) ON DELETE CASCADE,
    link      TEXT NOT NULL
) STRICT;

-- The network a sign-up came from (/24 for IPv4, /64 for IPv6, and the
-- wider /48 and /56 for IPv6), for the sign-up limits per network.
ALTER TABLE customer_requests ADD COLUMN source_net TEXT NOT NULL DEFAULT '';
ALTER TABLE customer_requests ADD COLUMN source_net48 TEXT NOT NULL DEFAULT '';
ALTER TABLE customer_requests ADD COLUMN source_net56 TEXT NOT NULL DEFAULT '';
CREATE INDEX customer_requests_net ON customer_requests (source_net, created_at) WHERE source_net <> '';
CREATE INDEX customer_requests_net48 ON customer_requests (source_net48, created_at) WHERE source_net48 <> '';
CREATE INDEX customer_requests_net56 ON customer_requests (source_net56, created_at) WHERE source_net56 <> '';

-- Live activation links, for the sign-up pause: unused and unexpired.
CREATE INDEX tokens_live ON tokens (kind, expires_at) WHERE used_at IS NULL;
