package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// LinkRequest is one "forgot password" or "resend activation link" post.
// Login is blanked once the request is handled; the keys stay for the limits.
type LinkRequest struct {
	ID        int64
	Kind      string // TokenActivation or TokenPasswordReset
	Login     string
	LoginKey  string
	ClientKey string
	CreatedAt time.Time
	DoneAt    *time.Time
}

// InsertLinkRequest records a link request and fills in ID and CreatedAt.
func (q *Queries) InsertLinkRequest(ctx context.Context, r *LinkRequest) error {
	r.CreatedAt = q.now().UTC()
	id, err := q.insertID(ctx, `INSERT INTO link_requests (kind, login, login_key, client_key,
		created_at) VALUES (?, ?, ?, ?, ?)`, r.Kind, r.Login, r.LoginKey, r.ClientKey, r.CreatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: insert link request: %w", mapErr(err))
	}
	r.ID = id
	return nil
}

// CountLinkRequests counts the link requests for a login and from a client
// since a time, of any kind.
func (q *Queries) CountLinkRequests(ctx context.Context, loginKey, clientKey string, since time.Time) (byLogin, byClient int, err error) {
	err = q.q.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM link_requests WHERE login_key = ? AND created_at >= ?),
		(SELECT count(*) FROM link_requests WHERE client_key = ? AND created_at >= ?)`,
		loginKey, since.UnixMilli(), clientKey, since.UnixMilli()).Scan(&byLogin, &byClient)
	if err != nil {
		return 0, 0, fmt.Errorf("store: count link requests: %w", mapErr(err))
	}
	return byLogin, byClient, nil
}

// LinkRequestByID returns one link request.
func (q *Queries) LinkRequestByID(ctx context.Context, id int64) (LinkRequest, error) {
	var r LinkRequest
	var created int64
	var done sql.NullInt64
	err := q.q.QueryRowContext(ctx, `SELECT id, kind, login, login_key, client_key, created_at, done_at
		FROM link_requests WHERE id = ?`, id).Scan(&r.ID, &r.Kind, &r.Login, &r.LoginKey, &r.ClientKey,
		&created, &done)
	if err != nil {
		return r, fmt.Errorf("store: link request #%d: %w", id, mapErr(err))
	}
	r.CreatedAt, r.DoneAt = ms(created), msPtr(done)
	return r, nil
}

// FinishLinkRequest marks a link request handled and forgets the login.
func (q *Queries) FinishLinkRequest(ctx context.Context, id int64) error {
	_, err := q.q.ExecContext(ctx, `UPDATE link_requests SET done_at = ?, login = '' WHERE id = ?`, q.nowMS(), id)
	if err != nil {
		return fmt.Errorf("store: finish link request #%d: %w", id, mapErr(err))
	}
	return nil
}

// DeleteOldLinkRequests removes up to limit handled link requests older
// than t and reports how many went.
func (q *Queries) DeleteOldLinkRequests(ctx context.Context, t time.Time, limit int) (int64, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM link_requests WHERE id IN
		(SELECT id FROM link_requests WHERE created_at < ? AND done_at IS NOT NULL LIMIT ?)`, t.UnixMilli(), limit)
	if err != nil {
		return 0, fmt.Errorf("store: delete old link requests: %w", mapErr(err))
	}
	return res.RowsAffected()
}
