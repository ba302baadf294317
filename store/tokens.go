package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/regdesk/regdesk/workflow/domain"
)

// Token kinds.
const (
	TokenActivation    = "activation"
	TokenPasswordReset = "password_reset"
	TokenSetPassword   = "set_password"
)

// Token is a single-use link secret; only its hash is stored.
type Token struct {
	ID        int64
	Hash      []byte
	Kind      string
	RequestID *int64
	UserID    *int64
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    *time.Time
}

// InsertToken stores a token hash.
func (q *Queries) InsertToken(ctx context.Context, t *Token) error {
	t.CreatedAt = q.now().UTC()
	id, err := q.insertID(ctx, `INSERT INTO tokens (hash, kind, request_id, user_id,
		created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`, t.Hash, t.Kind, nullID(t.RequestID),
		nullID(t.UserID), t.CreatedAt.UnixMilli(), t.ExpiresAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: insert %s token: %w", t.Kind, mapErr(err))
	}
	t.ID = id
	return nil
}

func nullID(id *int64) any {
	if id == nil {
		return nil
	}
	return *id
}

// TokenByHash finds a token of a kind by its hash, used or not.
func (q *Queries) TokenByHash(ctx context.Context, kind string, hash []byte) (Token, error) {
	var t Token
	var req, user, used sql.NullInt64
	var created, expires int64
	err := q.q.QueryRowContext(ctx, `SELECT id, hash, kind, request_id, user_id, created_at,
		expires_at, used_at FROM tokens WHERE hash = ? AND kind = ?`, hash, kind).
		Scan(&t.ID, &t.Hash, &t.Kind, &req, &user, &created, &expires, &used)
	if err != nil {
		return t, fmt.Errorf("store: %s token: %w", kind, mapErr(err))
	}
	if req.Valid {
		t.RequestID = &req.Int64
	}
	if user.Valid {
		t.UserID = &user.Int64
	}
	t.CreatedAt, t.ExpiresAt, t.UsedAt = ms(created), ms(expires), msPtr(used)
	return t, nil
}

// UseToken marks a token used; ErrConflict if it was used or has expired
// meanwhile, so a link works once even when clicked twice at the same moment.
func (q *Queries) UseToken(ctx context.Context, id int64) error {
	now := q.nowMS()
	res, err := q.q.ExecContext(ctx, `UPDATE tokens SET used_at = ?
		WHERE id = ? AND used_at IS NULL AND expires_at > ?`, now, id, now)
	if err != nil {
		return fmt.Errorf("store: use token #%d: %w", id, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: use token #%d: %w", id, ErrConflict)
	}
	return nil
}

// RevokeTokens marks every unused token of a kind for a request or user used,
// so only the newest link works.
func (q *Queries) RevokeTokens(ctx context.Context, kind string, requestID, userID *int64) error {
	_, err := q.q.ExecContext(ctx, `UPDATE tokens SET used_at = ? WHERE kind = ? AND used_at IS NULL
		AND (request_id = ? OR user_id = ?)`, q.nowMS(), kind, nullID(requestID), nullID(userID))
	if err != nil {
		return fmt.Errorf("store: revoke %s tokens: %w", kind, mapErr(err))
	}
	return nil
}

// DeleteExpiredTokens removes up to limit tokens that expired before t and
// reports how many went. The activation links of a request still
// waiting for its confirmation stay until the request expires (its purge
// deletes them), so a late click says "expired" or "replaced by a newer
// link" and offers a new one.
func (q *Queries) DeleteExpiredTokens(ctx context.Context, t time.Time, limit int) (int64, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM tokens WHERE id IN
		(SELECT t.id FROM tokens t WHERE t.expires_at < ? AND NOT (t.kind = ?
			AND EXISTS (SELECT 1 FROM customer_requests r WHERE r.id = t.request_id AND r.status = ?))
		LIMIT ?)`, t.UnixMilli(), TokenActivation, domain.Requested, limit)
	if err != nil {
		return 0, fmt.Errorf("store: delete expired tokens: %w", mapErr(err))
	}
	return res.RowsAffected()
}

// LatestRequestToken is the newest token of a kind issued for a request,
// for showing whether its link is still good.
func (q *Queries) LatestRequestToken(ctx context.Context, kind string, requestID int64) (Token, error) {
	var t Token
	var req, user, used sql.NullInt64
	var created, expires int64
	err := q.q.QueryRowContext(ctx, `SELECT id, hash, kind, request_id, user_id, created_at,
		expires_at, used_at FROM tokens WHERE request_id = ? AND kind = ? ORDER BY id DESC LIMIT 1`,
		requestID, kind).Scan(&t.ID, &t.Hash, &t.Kind, &req, &user, &created, &expires, &used)
	if err != nil {
		return t, fmt.Errorf("store: latest %s token of request #%d: %w", kind, requestID, mapErr(err))
	}
	t.RequestID = &requestID
	t.CreatedAt, t.ExpiresAt, t.UsedAt = ms(created), ms(expires), msPtr(used)
	return t, nil
}
