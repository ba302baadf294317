package store

import (
	"context"
	"fmt"
	"time"
)

// Param is a stored parameter value; parameters never set keep their defaults,
// which the workflow package owns.
type Param struct {
	Key       string
	Value     string
	UpdatedAt time.Time
	UpdatedBy string
}

// Params returns every stored parameter by key.
func (q *Queries) Params(ctx context.Context) (map[string]Param, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT key, value, updated_at, updated_by FROM parameters`)
	if err != nil {
		return nil, fmt.Errorf("store: params: %w", mapErr(err))
	}
	defer rows.Close()
	out := map[string]Param{}
	for rows.Next() {
		var p Param
		var at int64
		if err := rows.Scan(&p.Key, &p.Value, &at, &p.UpdatedBy); err != nil {
			return nil, fmt.Errorf("store: params: %w", mapErr(err))
		}
		p.UpdatedAt = ms(at)
		out[p.Key] = p
	}
	return out, mapErr(rows.Err())
}

// SetParam stores a parameter value.
func (q *Queries) SetParam(ctx context.Context, key, value, actor string) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO parameters (key, value, updated_at, updated_by)
		VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value,
		updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
		key, value, q.nowMS(), actor)
	if err != nil {
		return fmt.Errorf("store: set param %s: %w", key, mapErr(err))
	}
	return nil
}

// ParamVersion moves whenever a parameter is stored, changed or removed, by
// any process (triggers keep it): parameters cached at one version are
// current while it has not moved.
func (q *Queries) ParamVersion(ctx context.Context) (int64, error) {
	var v int64
	if err := q.q.QueryRowContext(ctx, `SELECT n FROM param_version WHERE id = 1`).Scan(&v); err != nil {
		return 0, fmt.Errorf("store: param version: %w", mapErr(err))
	}
	return v, nil
}

// SignupState is what a sign-up page needs to know on every request, read
// in one round trip: the parameters' version, the requests awaiting
// activation (a counter kept by triggers, not a count of rows) and, when
// that counter has reached the caller's threshold, the requests whose
// activation link still works, counted up to the threshold.
type SignupState struct {
	ParamVersion int64
	Unverified   int64
	// Live is the count of requests with a working activation link, up to
	// the threshold given (at most that many are counted), when LiveCounted;
	// below the threshold it is exact.
	Live        int64
	LiveCounted bool
}

// SignupState reads the parameters' version and the unverified count, and
// counts the live unverified requests up to liveFrom (≥ 1) when the
// unverified count is at least liveFrom. The count visits at most liveFrom
// requests, so its cost does not grow with the database.
func (q *Queries) SignupState(ctx context.Context, now time.Time, liveFrom int64) (SignupState, error) {
	var s SignupState
	if liveFrom < 1 {
		return s, fmt.Errorf("store: sign-up state: threshold %d is not positive", liveFrom)
	}
	err := q.q.QueryRowContext(ctx, `SELECT v.pv, v.un, CASE WHEN v.un >= ? THEN
		(SELECT count(*) FROM (SELECT DISTINCT request_id FROM tokens
			WHERE kind = 'activation' AND used_at IS NULL AND expires_at > ? LIMIT ?) AS live)
		ELSE -1 END
		FROM (SELECT (SELECT n FROM param_version WHERE id = 1) AS pv,
			(SELECT n FROM request_counts WHERE status = 'requested') AS un) AS v`,
		liveFrom, now.UnixMilli(), liveFrom).Scan(&s.ParamVersion, &s.Unverified, &s.Live)
	if err != nil {
		return s, fmt.Errorf("store: sign-up state: %w", mapErr(err))
	}
	if s.Live < 0 {
		s.Live = 0
	} else {
		s.LiveCounted = true
	}
	return s, nil
}
