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
// in one round trip: the parameters' version and the requests awaiting
// activation (a counter kept by triggers, not a count of rows).
type SignupState struct {
	ParamVersion int64
	Unverified   int64
}

// SignupState reads the parameters' version and the unverified count.
func (q *Queries) SignupState(ctx context.Context) (SignupState, error) {
	var s SignupState
	err := q.q.QueryRowContext(ctx, `SELECT (SELECT n FROM param_version WHERE id = 1),
		(SELECT n FROM request_counts WHERE status = 'requested')`).Scan(&s.ParamVersion, &s.Unverified)
	if err != nil {
		return s, fmt.Errorf("store: sign-up state: %w", mapErr(err))
	}
	return s, nil
}
