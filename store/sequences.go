package store

import (
	"context"
	"fmt"
)

// Sequence names.
const (
	SeqRegistration = "registration"
	SeqCustomer     = "customer"
	SeqUserRequest  = "user_request"
)

// NextValue allocates the next value of a number sequence. Call it inside the
// transaction that uses the number: a rollback returns the value, so numbers
// stay continuous, and the single writer means no two callers get the same one.
func (q *Queries) NextValue(ctx context.Context, name string) (int64, error) {
	var v int64
	err := q.q.QueryRowContext(ctx,
		`UPDATE sequences SET next_value = next_value + 1 WHERE name = ? RETURNING next_value - 1`,
		name).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: next %s number: %w", name, mapErr(err))
	}
	return v, nil
}

// PeekValue is the value NextValue would allocate now, for showing the number
// a new record will probably get.
func (q *Queries) PeekValue(ctx context.Context, name string) (int64, error) {
	var v int64
	err := q.q.QueryRowContext(ctx, `SELECT next_value FROM sequences WHERE name = ?`, name).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: peek %s number: %w", name, mapErr(err))
	}
	return v, nil
}

// NextValues allocates n consecutive values and returns the first.
func (q *Queries) NextValues(ctx context.Context, name string, n int64) (int64, error) {
	var v int64
	err := q.q.QueryRowContext(ctx,
		`UPDATE sequences SET next_value = next_value + ? WHERE name = ? RETURNING next_value - ?`,
		n, name, n).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("store: next %d %s numbers: %w", n, name, mapErr(err))
	}
	return v, nil
}

// SetNextValue moves a sequence forward so that NextValue allocates next;
// ErrConflict when next is not above the value it would allocate now (a
// sequence never goes back: numbers already given out would come again).
// It returns the value it replaced.
func (q *Queries) SetNextValue(ctx context.Context, name string, next int64) (int64, error) {
	old, err := q.PeekValue(ctx, name)
	if err != nil {
		return 0, err
	}
	res, err := q.q.ExecContext(ctx, `UPDATE sequences SET next_value = ? WHERE name = ? AND next_value < ?`,
		next, name, next)
	if err != nil {
		return 0, fmt.Errorf("store: set next %s number: %w", name, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return old, fmt.Errorf("store: set next %s number to %d: %w", name, next, ErrConflict)
	}
	return old, nil
}
