package store

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Sentinel errors callers match with errors.Is; the portal maps them to
// 404, 409 and 422 in one place.
var (
	ErrNotFound = errors.New("not found")
	ErrConflict = errors.New("conflict")
	ErrInvalid  = errors.New("invalid")
)

// mapErr is the one place that turns driver errors into the sentinels.
func mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &wrapped{ErrConflict, err}
		case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL,
			sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &wrapped{ErrInvalid, err}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505": // unique_violation
			return &wrapped{ErrConflict, err}
		case "23514", "23502", "23503": // check, not null, foreign key
			return &wrapped{ErrInvalid, err}
		}
	}
	return err
}

// wrapped keeps the driver error for logs while matching a sentinel.
type wrapped struct {
	sentinel error
	err      error
}

func (w *wrapped) Error() string {
	msg := w.err.Error()
	if i := strings.Index(msg, "constraint failed: "); i >= 0 {
		msg = msg[i:]
	}
	return w.sentinel.Error() + ": " + msg
}

func (w *wrapped) Unwrap() []error { return []error{w.sentinel, w.err} }
