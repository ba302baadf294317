package store

import (
	"context"
	"fmt"
	"time"
)

// UseChallenge records that the sign-up challenge id was used at now, and
// forgets ids used before forgetBefore (their challenges have expired). A
// second use of the same id is ErrConflict.
func (q *Queries) UseChallenge(ctx context.Context, id string, forgetBefore time.Time) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM signup_challenges WHERE used_at < ?`,
		forgetBefore.UnixMilli()); err != nil {
		return fmt.Errorf("store: use challenge: %w", mapErr(err))
	}
	res, err := q.q.ExecContext(ctx, `INSERT INTO signup_challenges (id, used_at) VALUES (?, ?)
		ON CONFLICT (id) DO NOTHING`, id, q.nowMS())
	if err != nil {
		return fmt.Errorf("store: use challenge: %w", mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: challenge used already: %w", ErrConflict)
	}
	return nil
}

// AddDomainSignup counts one sign-up for an email domain in the current
// hour, and forgets hours before the previous one.
func (q *Queries) AddDomainSignup(ctx context.Context, domain string) error {
	hour := q.now().Unix() / 3600
	if _, err := q.q.ExecContext(ctx, `DELETE FROM signup_domains WHERE hour < ?`, hour-1); err != nil {
		return fmt.Errorf("store: count domain sign-up: %w", mapErr(err))
	}
	_, err := q.q.ExecContext(ctx, `INSERT INTO signup_domains (hour, domain, n) VALUES (?, ?, 1)
		ON CONFLICT (hour, domain) DO UPDATE SET n = signup_domains.n + 1`, hour, domain)
	if err != nil {
		return fmt.Errorf("store: count domain sign-up: %w", mapErr(err))
	}
	return nil
}

// DomainSignups estimates the sign-ups for an email domain in the last hour:
// this hour's count plus the previous hour's, weighted by how much of it the
// last 60 minutes still cover (a sliding window over two buckets).
func (q *Queries) DomainSignups(ctx context.Context, domain string) (float64, error) {
	now := q.now()
	hour := now.Unix() / 3600
	var cur, prev int64
	err := q.q.QueryRowContext(ctx, `SELECT
		coalesce((SELECT n FROM signup_domains WHERE hour = ? AND domain = ?), 0),
		coalesce((SELECT n FROM signup_domains WHERE hour = ? AND domain = ?), 0)`,
		hour, domain, hour-1, domain).Scan(&cur, &prev)
	if err != nil {
		return 0, fmt.Errorf("store: domain sign-ups: %w", mapErr(err))
	}
	elapsed := float64(now.Unix()%3600) / 3600
	return float64(cur) + float64(prev)*(1-elapsed), nil
}

// TakeAlert reports whether an alert of kind is due (none sent within
// every) and, if so, records it as sent now.
func (q *Queries) TakeAlert(ctx context.Context, kind string, every time.Duration) (bool, error) {
	now := q.nowMS()
	res, err := q.q.ExecContext(ctx, `INSERT INTO alerts (kind, sent_at) VALUES (?, ?)
		ON CONFLICT (kind) DO UPDATE SET sent_at = excluded.sent_at WHERE alerts.sent_at <= ?`,
		kind, now, now-every.Milliseconds())
	if err != nil {
		return false, fmt.Errorf("store: alert %s: %w", kind, mapErr(err))
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("store: alert %s: %w", kind, mapErr(err))
	}
	return n == 1, nil
}
