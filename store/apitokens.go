package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// API token scopes: read lists and shows; decide also approves, rejects and
// creates.
const (
	ScopeRead   = "read"
	ScopeDecide = "decide"
)

// APIToken is a bearer token of the HTTP API; only its hash is stored.
type APIToken struct {
	ID         int64
	Name       string
	Hash       []byte
	Scope      string
	CreatedAt  time.Time
	CreatedBy  string
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

const apiTokenColumns = `id, name, hash, scope, created_at, created_by, last_used_at, revoked_at`

func scanAPIToken(s scanner) (APIToken, error) {
	var t APIToken
	var created int64
	var used, revoked sql.NullInt64
	err := s.Scan(&t.ID, &t.Name, &t.Hash, &t.Scope, &created, &t.CreatedBy, &used, &revoked)
	t.CreatedAt, t.LastUsedAt, t.RevokedAt = ms(created), msPtr(used), msPtr(revoked)
	return t, mapErr(err)
}

// InsertAPIToken stores a token; ErrConflict when a live token has the name.
func (q *Queries) InsertAPIToken(ctx context.Context, t *APIToken) error {
	t.CreatedAt = q.now().UTC()
	err := q.q.QueryRowContext(ctx, `INSERT INTO api_tokens (name, hash, scope, created_at, created_by)
		VALUES (?, ?, ?, ?, ?) RETURNING id`, t.Name, t.Hash, t.Scope, t.CreatedAt.UnixMilli(),
		t.CreatedBy).Scan(&t.ID)
	if err != nil {
		return fmt.Errorf("store: add token %q: %w", t.Name, mapErr(err))
	}
	return nil
}

// LiveAPITokenByHash finds a token that has not been revoked.
func (q *Queries) LiveAPITokenByHash(ctx context.Context, hash []byte) (APIToken, error) {
	t, err := scanAPIToken(q.q.QueryRowContext(ctx, `SELECT `+apiTokenColumns+` FROM api_tokens
		WHERE hash = ? AND revoked_at IS NULL`, hash))
	if err != nil {
		return t, fmt.Errorf("store: token: %w", err)
	}
	return t, nil
}

// APITokens returns every token, live ones first, then by name.
func (q *Queries) APITokens(ctx context.Context) ([]APIToken, error) {
	out, err := queryAll(ctx, q.q, scanAPIToken, `SELECT `+apiTokenColumns+` FROM api_tokens
		ORDER BY CASE WHEN revoked_at IS NULL THEN 0 ELSE 1 END, name, id`)
	if err != nil {
		return nil, fmt.Errorf("store: tokens: %w", err)
	}
	return out, nil
}

// RevokeAPIToken revokes the live token of a name; ErrNotFound when none.
func (q *Queries) RevokeAPIToken(ctx context.Context, name string) (APIToken, error) {
	t, err := scanAPIToken(q.q.QueryRowContext(ctx, `UPDATE api_tokens SET revoked_at = ?
		WHERE name = ? AND revoked_at IS NULL RETURNING `+apiTokenColumns, q.nowMS(), name))
	if err != nil {
		return t, fmt.Errorf("store: revoke token %q: %w", name, err)
	}
	return t, nil
}

// TouchAPIToken records a use of a token.
func (q *Queries) TouchAPIToken(ctx context.Context, id int64) error {
	if _, err := q.q.ExecContext(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`,
		q.nowMS(), id); err != nil {
		return fmt.Errorf("store: token #%d used: %w", id, mapErr(err))
	}
	return nil
}
