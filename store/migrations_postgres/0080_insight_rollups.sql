-- The twin of migrations/0080_insight_rollups.sql: daily rollups for
-- insights, kept by triggers in the transaction of every change to
-- customer_requests, and backfilled here.

CREATE TABLE insight_days (
    day      BIGINT PRIMARY KEY,
    signups  BIGINT NOT NULL DEFAULT 0,
    verified BIGINT NOT NULL DEFAULT 0,
    expired  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE insight_decisions (
    day           BIGINT NOT NULL,
    decided_by    TEXT NOT NULL,
    status        TEXT NOT NULL,
    reject_reason TEXT NOT NULL,
    n             BIGINT NOT NULL,
    PRIMARY KEY (day, decided_by, status, reject_reason)
);

CREATE TABLE insight_time_buckets (
    lo BIGINT PRIMARY KEY
);

WITH RECURSIVE b (lo) AS (
    SELECT CAST(0 AS BIGINT)
    UNION ALL
    SELECT lo + CASE WHEN lo / 16 > 1000 THEN lo / 16 ELSE 1000 END FROM b WHERE lo < 34560000000
)
INSERT INTO insight_time_buckets (lo) SELECT lo FROM b;
INSERT INTO insight_time_buckets (lo) VALUES (-1000000000000000000);

CREATE TABLE insight_decision_times (
    day    BIGINT NOT NULL,
    bucket BIGINT NOT NULL,
    n      BIGINT NOT NULL,
    PRIMARY KEY (day, bucket)
);

CREATE INDEX customer_requests_decision_time ON customer_requests
    ((decided_at - verified_at), decided_at, verified_at) WHERE decided_at IS NOT NULL AND verified_at IS NOT NULL;

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

-- Sign-ups and verifications, by the day of sign-up.
CREATE FUNCTION insight_signups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE insight_days SET signups = signups - 1,
            verified = verified - CASE WHEN OLD.verified_at IS NULL THEN 0 ELSE 1 END
            WHERE day = OLD.created_at / 86400000;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO insight_days AS d (day, signups, verified)
            VALUES (NEW.created_at / 86400000, 1, CASE WHEN NEW.verified_at IS NULL THEN 0 ELSE 1 END)
            ON CONFLICT (day) DO UPDATE SET signups = d.signups + 1, verified = d.verified + excluded.verified;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER insight_signups_insert_delete AFTER INSERT OR DELETE ON customer_requests
    FOR EACH ROW EXECUTE FUNCTION insight_signups();
CREATE TRIGGER insight_signups_update AFTER UPDATE OF created_at, verified_at ON customer_requests
    FOR EACH ROW WHEN (OLD.created_at <> NEW.created_at OR (OLD.verified_at IS NULL) <> (NEW.verified_at IS NULL))
    EXECUTE FUNCTION insight_signups();

-- Expiries, by the day of the expired request's last change.
CREATE FUNCTION insight_expired() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.status = 'expired' THEN
            UPDATE insight_days SET expired = expired - 1 WHERE day = OLD.updated_at / 86400000;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.status = 'expired' THEN
            INSERT INTO insight_days AS d (day, expired) VALUES (NEW.updated_at / 86400000, 1)
                ON CONFLICT (day) DO UPDATE SET expired = d.expired + 1;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER insight_expired_insert_delete AFTER INSERT OR DELETE ON customer_requests
    FOR EACH ROW EXECUTE FUNCTION insight_expired();
CREATE TRIGGER insight_expired_update AFTER UPDATE OF status, updated_at ON customer_requests
    FOR EACH ROW WHEN ((OLD.status = 'expired' OR NEW.status = 'expired')
        AND (OLD.status <> NEW.status OR OLD.updated_at <> NEW.updated_at))
    EXECUTE FUNCTION insight_expired();

-- Decisions by approver, status and reason.
CREATE FUNCTION insight_decisions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.decided_at IS NOT NULL THEN
            UPDATE insight_decisions SET n = n - 1
                WHERE day = OLD.decided_at / 86400000 AND decided_by = OLD.decided_by
                AND status = OLD.status AND reject_reason = OLD.reject_reason;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.decided_at IS NOT NULL THEN
            INSERT INTO insight_decisions AS d (day, decided_by, status, reject_reason, n)
                VALUES (NEW.decided_at / 86400000, NEW.decided_by, NEW.status, NEW.reject_reason, 1)
                ON CONFLICT (day, decided_by, status, reject_reason) DO UPDATE SET n = d.n + 1;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER insight_decisions_insert_delete AFTER INSERT OR DELETE ON customer_requests
    FOR EACH ROW EXECUTE FUNCTION insight_decisions();
CREATE TRIGGER insight_decisions_update AFTER UPDATE OF decided_at, decided_by, status, reject_reason ON customer_requests
    FOR EACH ROW WHEN (OLD.decided_at IS DISTINCT FROM NEW.decided_at OR (NEW.decided_at IS NOT NULL
        AND (OLD.decided_by <> NEW.decided_by OR OLD.status <> NEW.status OR OLD.reject_reason <> NEW.reject_reason)))
    EXECUTE FUNCTION insight_decisions();

-- Time from verification to decision.
CREATE FUNCTION insight_times() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.decided_at IS NOT NULL AND OLD.verified_at IS NOT NULL THEN
            UPDATE insight_decision_times SET n = n - 1
                WHERE day = OLD.decided_at / 86400000 AND bucket = (SELECT lo FROM insight_time_buckets
                    WHERE lo <= OLD.decided_at - OLD.verified_at ORDER BY lo DESC LIMIT 1);
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.decided_at IS NOT NULL AND NEW.verified_at IS NOT NULL THEN
            INSERT INTO insight_decision_times AS t (day, bucket, n)
                SELECT NEW.decided_at / 86400000, lo, 1 FROM insight_time_buckets
                WHERE lo <= NEW.decided_at - NEW.verified_at ORDER BY lo DESC LIMIT 1
                ON CONFLICT (day, bucket) DO UPDATE SET n = t.n + 1;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER insight_times_insert_delete AFTER INSERT OR DELETE ON customer_requests
    FOR EACH ROW EXECUTE FUNCTION insight_times();
CREATE TRIGGER insight_times_update AFTER UPDATE OF decided_at, verified_at ON customer_requests
    FOR EACH ROW WHEN (OLD.decided_at IS DISTINCT FROM NEW.decided_at OR OLD.verified_at IS DISTINCT FROM NEW.verified_at)
    EXECUTE FUNCTION insight_times();
