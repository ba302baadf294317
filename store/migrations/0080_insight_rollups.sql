-- Insights at a million requests: daily rollups kept by triggers in the same
-- transaction as every change to customer_requests, so a period of a year
-- sums a few hundred rows instead of sorting and grouping most of the table.
-- A day is days since 1970-01-01 UTC (a timestamp / 86400000); a period
-- starts at a UTC midnight, so summing whole days gives exactly what a range
-- of timestamps would. Rows that fall to zero stay; readers skip them.
-- The insight_ tables are derived: migrate-store leaves them out and the
-- destination's triggers build them again as the requests go in.

-- Sign-ups and how many of them are verified, by the day of sign-up; and
-- the expired requests by the day of their last change (the day they
-- expired, unless something changed them since).
CREATE TABLE insight_days (
    day      INTEGER PRIMARY KEY,
    signups  INTEGER NOT NULL DEFAULT 0,
    verified INTEGER NOT NULL DEFAULT 0,
    expired  INTEGER NOT NULL DEFAULT 0
) STRICT;

-- Decisions by the day they were made, who made them, the status the
-- request has now and the reject reason.
CREATE TABLE insight_decisions (
    day           INTEGER NOT NULL,
    decided_by    TEXT NOT NULL,
    status        TEXT NOT NULL,
    reject_reason TEXT NOT NULL,
    n             INTEGER NOT NULL,
    PRIMARY KEY (day, decided_by, status, reject_reason)
) STRICT, WITHOUT ROWID;

-- Time from verification to decision, as a histogram per day of decision.
-- A bucket runs from its lo up to the next lo: whole seconds up to 16 s,
-- then each 1/16 wider than the one before (about 260 buckets up to 400
-- days, one beyond, one for the negative times a clock step can leave).
-- The histogram finds the bucket that holds the k-th time of a period; the
-- index customer_requests_decision_time then gives the exact value.
CREATE TABLE insight_time_buckets (
    lo INTEGER PRIMARY KEY
) STRICT;

WITH RECURSIVE b (lo) AS (
    SELECT CAST(0 AS BIGINT)
    UNION ALL
    SELECT lo + CASE WHEN lo / 16 > 1000 THEN lo / 16 ELSE 1000 END FROM b WHERE lo < 34560000000
)
INSERT INTO insight_time_buckets (lo) SELECT lo FROM b;
INSERT INTO insight_time_buckets (lo) VALUES (-1000000000000000000);

CREATE TABLE insight_decision_times (
    day    INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    n      INTEGER NOT NULL,
    PRIMARY KEY (day, bucket)
) STRICT, WITHOUT ROWID;

CREATE INDEX customer_requests_decision_time ON customer_requests
    ((decided_at - verified_at), decided_at, verified_at) WHERE decided_at IS NOT NULL AND verified_at IS NOT NULL;

-- Backfill from the requests there are.
INSERT INTO insight_days (day, signups, verified, expired)
SELECT day, sum(s), sum(v), sum(e) FROM (
    SELECT created_at / 86400000 AS day, 1 AS s, CASE WHEN verified_at IS NULL THEN 0 ELSE 1 END AS v, 0 AS e
    FROM customer_requests
    UNION ALL
    SELECT updated_at / 86400000, 0, 0, 1 FROM customer_requests WHERE status = 'expired'
) x GROUP BY day;

INSERT INTO insight_decisions (day, decided_by, status, reject_reason, n)
SELECT decided_at / 86400000, decided_by, status, reject_reason, count(*) FROM customer_requests
WHERE decided_at IS NOT NULL GROUP BY 1, 2, 3, 4;

INSERT INTO insight_decision_times (day, bucket, n)
SELECT day, bucket, count(*) FROM (
    SELECT decided_at / 86400000 AS day, (SELECT lo FROM insight_time_buckets
        WHERE lo <= decided_at - verified_at ORDER BY lo DESC LIMIT 1) AS bucket
    FROM customer_requests WHERE decided_at IS NOT NULL AND verified_at IS NOT NULL
) x GROUP BY day, bucket;

-- Sign-ups and verifications.
CREATE TRIGGER insight_signups_insert AFTER INSERT ON customer_requests BEGIN
    INSERT INTO insight_days (day, signups, verified)
        VALUES (NEW.created_at / 86400000, 1, CASE WHEN NEW.verified_at IS NULL THEN 0 ELSE 1 END)
        ON CONFLICT (day) DO UPDATE SET signups = signups + 1, verified = verified + excluded.verified;
END;

CREATE TRIGGER insight_signups_update AFTER UPDATE OF created_at, verified_at ON customer_requests
WHEN OLD.created_at <> NEW.created_at OR (OLD.verified_at IS NULL) <> (NEW.verified_at IS NULL) BEGIN
    UPDATE insight_days SET signups = signups - 1,
        verified = verified - CASE WHEN OLD.verified_at IS NULL THEN 0 ELSE 1 END
        WHERE day = OLD.created_at / 86400000;
    INSERT INTO insight_days (day, signups, verified)
        VALUES (NEW.created_at / 86400000, 1, CASE WHEN NEW.verified_at IS NULL THEN 0 ELSE 1 END)
        ON CONFLICT (day) DO UPDATE SET signups = signups + 1, verified = verified + excluded.verified;
END;

CREATE TRIGGER insight_signups_delete AFTER DELETE ON customer_requests BEGIN
    UPDATE insight_days SET signups = signups - 1,
        verified = verified - CASE WHEN OLD.verified_at IS NULL THEN 0 ELSE 1 END
        WHERE day = OLD.created_at / 86400000;
END;

-- Expiries.
CREATE TRIGGER insight_expired_insert AFTER INSERT ON customer_requests
WHEN NEW.status = 'expired' BEGIN
    INSERT INTO insight_days (day, expired) VALUES (NEW.updated_at / 86400000, 1)
        ON CONFLICT (day) DO UPDATE SET expired = expired + 1;
END;

CREATE TRIGGER insight_expired_update AFTER UPDATE OF status, updated_at ON customer_requests
WHEN (OLD.status = 'expired' OR NEW.status = 'expired')
    AND (OLD.status <> NEW.status OR OLD.updated_at <> NEW.updated_at) BEGIN
    UPDATE insight_days SET expired = expired - 1
        WHERE OLD.status = 'expired' AND day = OLD.updated_at / 86400000;
    INSERT INTO insight_days (day, expired) SELECT NEW.updated_at / 86400000, 1 WHERE NEW.status = 'expired'
        ON CONFLICT (day) DO UPDATE SET expired = expired + 1;
END;

CREATE TRIGGER insight_expired_delete AFTER DELETE ON customer_requests
WHEN OLD.status = 'expired' BEGIN
    UPDATE insight_days SET expired = expired - 1 WHERE day = OLD.updated_at / 86400000;
END;

-- Decisions by approver, status and reason.
CREATE TRIGGER insight_decisions_insert AFTER INSERT ON customer_requests
WHEN NEW.decided_at IS NOT NULL BEGIN
    INSERT INTO insight_decisions (day, decided_by, status, reject_reason, n)
        VALUES (NEW.decided_at / 86400000, NEW.decided_by, NEW.status, NEW.reject_reason, 1)
        ON CONFLICT (day, decided_by, status, reject_reason) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER insight_decisions_update AFTER UPDATE OF decided_at, decided_by, status, reject_reason ON customer_requests
WHEN OLD.decided_at IS NOT NEW.decided_at OR (NEW.decided_at IS NOT NULL AND (OLD.decided_by <> NEW.decided_by
    OR OLD.status <> NEW.status OR OLD.reject_reason <> NEW.reject_reason)) BEGIN
    UPDATE insight_decisions SET n = n - 1
        WHERE OLD.decided_at IS NOT NULL AND day = OLD.decided_at / 86400000 AND decided_by = OLD.decided_by
        AND status = OLD.status AND reject_reason = OLD.reject_reason;
    INSERT INTO insight_decisions (day, decided_by, status, reject_reason, n)
        SELECT NEW.decided_at / 86400000, NEW.decided_by, NEW.status, NEW.reject_reason, 1
        WHERE NEW.decided_at IS NOT NULL
        ON CONFLICT (day, decided_by, status, reject_reason) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER insight_decisions_delete AFTER DELETE ON customer_requests
WHEN OLD.decided_at IS NOT NULL BEGIN
    UPDATE insight_decisions SET n = n - 1
        WHERE day = OLD.decided_at / 86400000 AND decided_by = OLD.decided_by
        AND status = OLD.status AND reject_reason = OLD.reject_reason;
END;

-- Time from verification to decision.
CREATE TRIGGER insight_times_insert AFTER INSERT ON customer_requests
WHEN NEW.decided_at IS NOT NULL AND NEW.verified_at IS NOT NULL BEGIN
    INSERT INTO insight_decision_times (day, bucket, n)
        SELECT NEW.decided_at / 86400000, lo, 1 FROM insight_time_buckets
        WHERE lo <= NEW.decided_at - NEW.verified_at ORDER BY lo DESC LIMIT 1
        ON CONFLICT (day, bucket) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER insight_times_update AFTER UPDATE OF decided_at, verified_at ON customer_requests
WHEN OLD.decided_at IS NOT NEW.decided_at OR OLD.verified_at IS NOT NEW.verified_at BEGIN
    UPDATE insight_decision_times SET n = n - 1
        WHERE OLD.decided_at IS NOT NULL AND OLD.verified_at IS NOT NULL AND day = OLD.decided_at / 86400000
        AND bucket = (SELECT lo FROM insight_time_buckets
            WHERE lo <= OLD.decided_at - OLD.verified_at ORDER BY lo DESC LIMIT 1);
    INSERT INTO insight_decision_times (day, bucket, n)
        SELECT NEW.decided_at / 86400000, lo, 1 FROM insight_time_buckets
        WHERE NEW.decided_at IS NOT NULL AND NEW.verified_at IS NOT NULL
        AND lo <= NEW.decided_at - NEW.verified_at ORDER BY lo DESC LIMIT 1
        ON CONFLICT (day, bucket) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER insight_times_delete AFTER DELETE ON customer_requests
WHEN OLD.decided_at IS NOT NULL AND OLD.verified_at IS NOT NULL BEGIN
    UPDATE insight_decision_times SET n = n - 1
        WHERE day = OLD.decided_at / 86400000 AND bucket = (SELECT lo FROM insight_time_buckets
            WHERE lo <= OLD.decided_at - OLD.verified_at ORDER BY lo DESC LIMIT 1);
END;
