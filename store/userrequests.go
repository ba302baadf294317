package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/regdesk/regdesk/workflow/domain"
)

// UserRequest asks for a login for a contact person.
type UserRequest struct {
	ID           int64
	Number       string
	Status       domain.UserRequestStatus
	Version      int64
	RequestID    *int64 // the customer request it came from, if any
	CustomerID   int64
	ContactID    int64
	Username     string
	Email        string
	Role         string
	PasswordHash string // empty: the user sets a password by link
	Step         string
	Attempts     int
	LastError    string
	UserID       *int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	CreatedBy    string
	// Joined for display.
	RequestNumber   string
	CustomerAccount string
}

const userRequestColumns = `u.id, u.number, u.status, u.version, u.request_id, u.customer_id,
	u.contact_id, u.username, u.email, u.role, u.password_hash, u.step, u.attempts, u.last_error,
	u.user_id, u.created_at, u.updated_at, u.created_by, coalesce(r.number, ''), c.account`

const userRequestFrom = ` FROM user_requests u LEFT JOIN customer_requests r ON r.id = u.request_id
	JOIN customers c ON c.id = u.customer_id`

func scanUserRequest(s scanner) (UserRequest, error) {
	var u UserRequest
	var req, user sql.NullInt64
	var created, updated int64
	err := s.Scan(&u.ID, &u.Number, &u.Status, &u.Version, &req, &u.CustomerID, &u.ContactID,
		&u.Username, &u.Email, &u.Role, &u.PasswordHash, &u.Step, &u.Attempts, &u.LastError, &user,
		&created, &updated, &u.CreatedBy, &u.RequestNumber, &u.CustomerAccount)
	if req.Valid {
		u.RequestID = &req.Int64
	}
	if user.Valid {
		u.UserID = &user.Int64
	}
	u.CreatedAt, u.UpdatedAt = ms(created), ms(updated)
	return u, mapErr(err)
}

// InsertUserRequest stores a new user request and fills in ID, Version and timestamps.
func (q *Queries) InsertUserRequest(ctx context.Context, u *UserRequest) error {
	u.CreatedAt = q.now().UTC()
	u.UpdatedAt, u.Version = u.CreatedAt, 1
	var req any
	if u.RequestID != nil {
		req = *u.RequestID
	}
	id, err := q.insertID(ctx, `INSERT INTO user_requests (number, status, request_id,
		customer_id, contact_id, username, email, role, password_hash, step, created_at,
		updated_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		u.Number, u.Status, req, u.CustomerID, u.ContactID, u.Username, u.Email, u.Role,
		u.PasswordHash, u.Step, u.CreatedAt.UnixMilli(), u.UpdatedAt.UnixMilli(), u.CreatedBy)
	if err != nil {
		return fmt.Errorf("store: insert user request %s: %w", u.Number, mapErr(err))
	}
	u.ID = id
	return nil
}

// UserRequestByNumber returns one user request.
func (q *Queries) UserRequestByNumber(ctx context.Context, number string) (UserRequest, error) {
	u, err := scanUserRequest(q.q.QueryRowContext(ctx,
		`SELECT `+userRequestColumns+userRequestFrom+` WHERE u.number = ?`, number))
	if err != nil {
		return u, fmt.Errorf("store: user request %s: %w", number, err)
	}
	return u, nil
}

// UserRequestByID returns one user request.
func (q *Queries) UserRequestByID(ctx context.Context, id int64) (UserRequest, error) {
	u, err := scanUserRequest(q.q.QueryRowContext(ctx,
		`SELECT `+userRequestColumns+userRequestFrom+` WHERE u.id = ?`, id))
	if err != nil {
		return u, fmt.Errorf("store: user request #%d: %w", id, err)
	}
	return u, nil
}

// ListUserRequests selects user requests in queue order (oldest first).
type ListUserRequests struct {
	Status     domain.UserRequestStatus
	CustomerID int64
	AfterID    int64
	Limit      int // 0 means every row
}

// UserRequests returns one page of user requests.
func (q *Queries) UserRequests(ctx context.Context, p ListUserRequests) ([]UserRequest, error) {
	where := []string{"u.id > ?"}
	args := []any{p.AfterID}
	if p.Status != "" {
		where = append(where, "u.status = ?")
		args = append(args, p.Status)
	}
	if p.CustomerID != 0 {
		where = append(where, "u.customer_id = ?")
		args = append(args, p.CustomerID)
	}
	query := `SELECT ` + userRequestColumns + userRequestFrom + ` WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY u.id`
	if p.Limit > 0 {
		query += ` LIMIT ?`
		args = append(args, p.Limit)
	}
	out, err := queryAll(ctx, q.q, scanUserRequest, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: user requests: %w", err)
	}
	return out, nil
}

// UserRequestChange is a conditional update: it applies only while the user
// request is in From at Version.
type UserRequestChange struct {
	ID        int64
	From, To  domain.UserRequestStatus
	Version   int64
	Step      *string
	Attempts  *int
	LastError *string
	UserID    int64
}

// UpdateUserRequest applies c or returns ErrConflict when the request moved on.
func (q *Queries) UpdateUserRequest(ctx context.Context, c UserRequestChange) error {
	set := []string{"status = ?", "version = version + 1", "updated_at = ?"}
	args := []any{c.To, q.nowMS()}
	if c.Step != nil {
		set = append(set, "step = ?")
		args = append(args, *c.Step)
	}
	if c.Attempts != nil {
		set = append(set, "attempts = ?")
		args = append(args, *c.Attempts)
	}
	if c.LastError != nil {
		set = append(set, "last_error = ?")
		args = append(args, *c.LastError)
	}
	if c.UserID != 0 {
		set = append(set, "user_id = ?")
		args = append(args, c.UserID)
	}
	args = append(args, c.ID, c.From, c.Version)
	res, err := q.q.ExecContext(ctx, `UPDATE user_requests SET `+strings.Join(set, ", ")+
		` WHERE id = ? AND status = ? AND version = ?`, args...)
	if err != nil {
		return fmt.Errorf("store: update user request #%d: %w", c.ID, mapErr(err))
	}
	if n, err := res.RowsAffected(); err != nil || n != 1 {
		return fmt.Errorf("store: update user request #%d: %w", c.ID, ErrConflict)
	}
	return nil
}

// Step is one entry of a user request's step history.
type Step struct {
	ID            int64
	UserRequestID int64
	Step          string
	Outcome       string
	Attempt       int
	Detail        string
	At            time.Time
	Actor         string
}

// InsertStep appends to a user request's step history.
func (q *Queries) InsertStep(ctx context.Context, s Step) error {
	_, err := q.q.ExecContext(ctx, `INSERT INTO user_request_steps (user_request_id, step, outcome,
		attempt, detail, at, actor) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.UserRequestID, s.Step, s.Outcome, s.Attempt, s.Detail, q.nowMS(), s.Actor)
	if err != nil {
		return fmt.Errorf("store: step %s of user request #%d: %w", s.Step, s.UserRequestID, mapErr(err))
	}
	return nil
}

// Steps returns a user request's step history, oldest first.
func (q *Queries) Steps(ctx context.Context, userRequestID int64) ([]Step, error) {
	rows, err := q.q.QueryContext(ctx, `SELECT id, user_request_id, step, outcome, attempt, detail,
		at, actor FROM user_request_steps WHERE user_request_id = ? ORDER BY id`, userRequestID)
	if err != nil {
		return nil, fmt.Errorf("store: steps: %w", mapErr(err))
	}
	defer rows.Close()
	var out []Step
	for rows.Next() {
		var s Step
		var at int64
		if err := rows.Scan(&s.ID, &s.UserRequestID, &s.Step, &s.Outcome, &s.Attempt, &s.Detail,
			&at, &s.Actor); err != nil {
			return nil, fmt.Errorf("store: steps: %w", mapErr(err))
		}
		s.At = ms(at)
		out = append(out, s)
	}
	return out, mapErr(rows.Err())
}

// UserRequestByRequestID returns the user request a customer request led to.
func (q *Queries) UserRequestByRequestID(ctx context.Context, requestID int64) (UserRequest, error) {
	u, err := scanUserRequest(q.q.QueryRowContext(ctx,
		`SELECT `+userRequestColumns+userRequestFrom+` WHERE u.request_id = ?`, requestID))
	if err != nil {
		return u, fmt.Errorf("store: user request of request #%d: %w", requestID, err)
	}
	return u, nil
}

// ActiveUserRequestIDs returns up to limit ids, after afterID in id order, of
// user requests the workflow still has to move on (submitted or provisioned).
func (q *Queries) ActiveUserRequestIDs(ctx context.Context, afterID int64, limit int) ([]int64, error) {
	return ids(ctx, q.q, `SELECT id FROM user_requests WHERE status IN (?, ?)
		AND id > ? ORDER BY id LIMIT ?`, domain.URSubmitted, domain.URProvisioned, afterID, limit)
}
