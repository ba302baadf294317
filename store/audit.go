package store

import (
	"context"
	"fmt"
	"time"
)

// Audit entities.
const (
	EntityRequest     = "customer_request"
	EntityUserRequest = "user_request"
	EntityCustomer    = "customer"
	EntityUser        = "user"
	EntityParam       = "parameter"
	EntityApprover    = "approver"
	EntityMail        = "mail"
	EntityTemplate    = "customer_template"
)

// AuditEntry records who did what to which record, and when.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string // the approver, user or "system"
	Entity string
	Ref    string
	Action string
	Detail string
	// OSUser is the operating-system account of the local process that
	// wrote the row (Options.OSUser), set by the store, not by callers;
	// empty when serve wrote it.
	OSUser string
}

// InsertAudit appends to the audit trail; call it in the action's transaction.
func (q *Queries) InsertAudit(ctx context.Context, e AuditEntry) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO audit (at, actor, entity, ref, action, detail, os_user)
		VALUES (?, ?, ?, ?, ?, ?, ?)`, q.nowMS(), e.Actor, e.Entity, e.Ref, e.Action, e.Detail, q.osUser)
	if err != nil {
		return fmt.Errorf("store: audit %s %s: %w", e.Action, e.Ref, mapErr(err))
	}
	return nil
}

// AuditTrail returns the entries for one record, oldest first.
func (q *Queries) AuditTrail(ctx context.Context, entity, ref string) ([]AuditEntry, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, at, actor, entity, ref, action, detail, os_user
		FROM audit WHERE entity = ? AND ref = ? ORDER BY id`, entity, ref)
	if err != nil {
		return nil, fmt.Errorf("store: audit trail %s: %w", ref, mapErr(err))
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Entity, &e.Ref, &e.Action, &e.Detail, &e.OSUser); err != nil {
			return nil, fmt.Errorf("store: audit trail %s: %w", ref, mapErr(err))
		}
		e.At = ms(at)
		out = append(out, e)
	}
	return out, mapErr(rows.Err())
}

// LastAudit is the newest entry for a record, for saying who changed it.
func (q *Queries) LastAudit(ctx context.Context, entity, ref string) (AuditEntry, error) {
	var e AuditEntry
	var at int64
	err := q.q.QueryRowContext(ctx, `SELECT id, at, actor, entity, ref, action, detail, os_user
		FROM audit WHERE entity = ? AND ref = ? ORDER BY id DESC LIMIT 1`, entity, ref).
		Scan(&e.ID, &at, &e.Actor, &e.Entity, &e.Ref, &e.Action, &e.Detail, &e.OSUser)
	if err != nil {
		return e, fmt.Errorf("store: last audit %s: %w", ref, mapErr(err))
	}
	e.At = ms(at)
	return e, nil
}
