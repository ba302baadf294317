package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Bucket is the allowance of a rate limit: Burst attempts at once, then one
// more every Every.
type Bucket struct {
	Burst int
	Every time.Duration
}

// TakeToken takes one token from key's bucket at now, in the database, so
// that every process sharing it (and a restarted one) counts against the
// same allowance. It reports whether there was a token and, when there was
// not, how long until there is. A refused attempt changes nothing.
func (db *DB) TakeToken(ctx context.Context, key string, b Bucket, now time.Time) (ok bool, wait time.Duration, err error) {
	if b.Burst <= 0 || b.Every <= 0 {
		return false, 0, fmt.Errorf("store: take token: burst and interval must be positive")
	}
	err = db.WithTx(ctx, func(tx *Tx) error {
		ok, wait, err = tx.takeToken(ctx, key, b, now)
		return err
	})
	return ok, wait, err
}

func (tx *Tx) takeToken(ctx context.Context, key string, b Bucket, now time.Time) (bool, time.Duration, error) {
	burst := float64(b.Burst)
	tokens := burst
	var stored float64
	var updated int64
	err := tx.q.QueryRowContext(ctx, `SELECT tokens, updated_at FROM rate_buckets WHERE key = ?`,
		key).Scan(&stored, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return false, 0, fmt.Errorf("store: take token: %w", mapErr(err))
	default:
		// Refill for the time since the last token taken (none when a
		// clock went back).
		elapsed := max(now.Sub(ms(updated)), 0)
		tokens = min(burst, stored+float64(elapsed)/float64(b.Every))
	}
	if tokens < 1 {
		return false, time.Duration((1 - tokens) * float64(b.Every)), nil
	}
	tokens--
	full := now.Add(time.Duration((burst - tokens) * float64(b.Every)))
	_, err = tx.q.ExecContext(ctx, `INSERT INTO rate_buckets (key, tokens, updated_at, full_at)
		VALUES (?, ?, ?, ?) ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens,
		updated_at = excluded.updated_at, full_at = excluded.full_at`,
		key, tokens, now.UnixMilli(), full.UnixMilli())
	if err != nil {
		return false, 0, fmt.Errorf("store: take token: %w", mapErr(err))
	}
	return true, 0, nil
}

// DeleteFullRateBuckets deletes up to limit buckets that are full again at
// now: a missing row is a full bucket.
func (q *Queries) DeleteFullRateBuckets(ctx context.Context, now time.Time, limit int) (int64, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM rate_buckets WHERE key IN
		(SELECT key FROM rate_buckets WHERE full_at <= ? LIMIT ?)`, now.UnixMilli(), limit)
	if err != nil {
		return 0, fmt.Errorf("store: delete full rate buckets: %w", mapErr(err))
	}
	return res.RowsAffected()
}
