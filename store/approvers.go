package store

import (
	"context"
	"fmt"
	"time"
)

// Approver is a person who reviews requests, with the SSH keys they log in with.
type Approver struct {
	ID        int64
	Name      string
	Email     string
	CreatedAt time.Time
	Keys      []ApproverKey
}

// ApproverKey is one SSH public key of an approver.
type ApproverKey struct {
	ID          int64
	PublicKey   string // authorized_keys form
	Fingerprint string // SHA256:…
	Comment     string
	CreatedAt   time.Time
}

// InsertApprover adds an approver, or returns the existing one of that name
// (so adding a second key is the same command).
func (q *Queries) InsertApprover(ctx context.Context, name, email string) (Approver, error) {
	_, err := q.q.ExecContext(ctx, `INSERT INTO approvers (name, email, created_at) VALUES (?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET email = CASE WHEN excluded.email <> '' THEN excluded.email
		ELSE approvers.email END`, name, email, q.nowMS())
	if err != nil {
		return Approver{}, fmt.Errorf("store: insert approver %s: %w", name, mapErr(err))
	}
	return q.ApproverByName(ctx, name)
}

// AddApproverKey registers a key; a key already registered is a conflict.
func (q *Queries) AddApproverKey(ctx context.Context, approverID int64, k ApproverKey) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO approver_keys (approver_id, public_key, fingerprint,
		comment, created_at) VALUES (?, ?, ?, ?, ?)`, approverID, k.PublicKey, k.Fingerprint,
		k.Comment, q.nowMS())
	if err != nil {
		return fmt.Errorf("store: add key %s: %w", k.Fingerprint, mapErr(err))
	}
	return nil
}

// ApproverByName returns an approver with their keys.
func (q *Queries) ApproverByName(ctx context.Context, name string) (Approver, error) {
	var a Approver
	var at int64
	err := q.q.QueryRowContext(ctx, `SELECT id, name, email, created_at FROM approvers WHERE name = ?`,
		name).Scan(&a.ID, &a.Name, &a.Email, &at)
	if err != nil {
		return a, fmt.Errorf("store: approver %s: %w", name, mapErr(err))
	}
	a.CreatedAt = ms(at)
	a.Keys, err = q.approverKeys(ctx, a.ID)
	return a, err
}

// ApproverByFingerprint finds the approver who registered a key.
func (q *Queries) ApproverByFingerprint(ctx context.Context, fingerprint string) (Approver, error) {
	var name string
	err := q.q.QueryRowContext(ctx, `SELECT a.name FROM approver_keys k
		JOIN approvers a ON a.id = k.approver_id WHERE k.fingerprint = ?`, fingerprint).Scan(&name)
	if err != nil {
		return Approver{}, fmt.Errorf("store: approver with key %s: %w", fingerprint, mapErr(err))
	}
	return q.ApproverByName(ctx, name)
}

func (q *Queries) approverKeys(ctx context.Context, approverID int64) ([]ApproverKey, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, public_key, fingerprint, comment, created_at
		FROM approver_keys WHERE approver_id = ? ORDER BY id`, approverID)
	if err != nil {
		return nil, fmt.Errorf("store: approver keys: %w", mapErr(err))
	}
	defer rows.Close()
	var out []ApproverKey
	for rows.Next() {
		var k ApproverKey
		var at int64
		if err := rows.Scan(&k.ID, &k.PublicKey, &k.Fingerprint, &k.Comment, &at); err != nil {
			return nil, fmt.Errorf("store: approver keys: %w", mapErr(err))
		}
		k.CreatedAt = ms(at)
		out = append(out, k)
	}
	return out, mapErr(rows.Err())
}

// Approvers lists every approver with their keys, by name.
func (q *Queries) Approvers(ctx context.Context) ([]Approver, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT name FROM approvers ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("store: approvers: %w", mapErr(err))
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: approvers: %w", mapErr(err))
		}
		names = append(names, n)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: approvers: %w", mapErr(err))
	}
	out := make([]Approver, 0, len(names))
	for _, n := range names {
		a, err := q.ApproverByName(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// DeleteApprover removes an approver and their keys.
func (q *Queries) DeleteApprover(ctx context.Context, name string) error {
	res, err := q.q.ExecContext(ctx, `DELETE FROM approvers WHERE name = ?`, name)
	if err != nil {
		return fmt.Errorf("store: remove approver %s: %w", name, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: remove approver %s: %w", name, ErrNotFound)
	}
	return nil
}
