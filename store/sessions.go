package store

import (
	"context"
	"fmt"
	"time"
)

// Session is a logged-in customer's server-side session; only the hash of its
// id is stored.
type Session struct {
	ID         int64
	Hash       []byte
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time // absolute expiry
}

// InsertSession stores a new session.
func (q *Queries) InsertSession(ctx context.Context, s *Session) error {
	s.CreatedAt = q.now().UTC()
	s.LastSeenAt = s.CreatedAt
	id, err := q.insertID(ctx, `INSERT INTO sessions (hash, user_id, created_at, last_seen_at,
		expires_at) VALUES (?, ?, ?, ?, ?)`, s.Hash, s.UserID, s.CreatedAt.UnixMilli(),
		s.LastSeenAt.UnixMilli(), s.ExpiresAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: insert session: %w", mapErr(err))
	}
	s.ID = id
	return nil
}

// SessionByHash returns a session by the hash of its id.
func (q *Queries) SessionByHash(ctx context.Context, hash []byte) (Session, error) {
	var s Session
	var created, seen, expires int64
	err := q.q.QueryRowContext(ctx, `SELECT id, hash, user_id, created_at, last_seen_at, expires_at
		FROM sessions WHERE hash = ?`, hash).Scan(&s.ID, &s.Hash, &s.UserID, &created, &seen, &expires)
	if err != nil {
		return s, fmt.Errorf("store: session: %w", mapErr(err))
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = ms(created), ms(seen), ms(expires)
	return s, nil
}

// TouchSession records activity on a session.
func (q *Queries) TouchSession(ctx context.Context, id int64) error {
	_, err := q.q.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE id = ?`, q.nowMS(), id)
	if err != nil {
		return fmt.Errorf("store: touch session: %w", mapErr(err))
	}
	return nil
}

// DeleteSession ends one session.
func (q *Queries) DeleteSession(ctx context.Context, id int64) error {
	_, err := q.q.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id)
	if err != nil {
		return fmt.Errorf("store: delete session: %w", mapErr(err))
	}
	return nil
}

// DeleteExpiredSessions removes up to limit sessions past their absolute
// expiry or idle since before idleBefore.
func (q *Queries) DeleteExpiredSessions(ctx context.Context, now, idleBefore time.Time, limit int) (int64, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM sessions WHERE id IN (SELECT id FROM sessions
		WHERE expires_at < ? OR last_seen_at < ? LIMIT ?)`, now.UnixMilli(), idleBefore.UnixMilli(), limit)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired sessions: %w", mapErr(err))
	}
	return res.RowsAffected()
}
