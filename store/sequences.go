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
