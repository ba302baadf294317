package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// User roles.
const (
	RoleCustomerUser  = "customer_user"
	RoleCustomerAdmin = "customer_admin"
)

// User is a customer's login.
type User struct {
	ID                int64
	Username          string
	Email             string
	PasswordHash      string
	Role              string
	CustomerID        int64
	ContactID         int64
	UserRequestID     *int64
	Active            bool
	CreatedAt         time.Time
	UpdatedAt         time.Time
	PasswordChangedAt *time.Time
	InactivatedAt     *time.Time
	InactivatedBy     string
}

const userColumns = `id, username, email, password_hash, role, customer_id, contact_id,
	user_request_id, active, created_at, updated_at, password_changed_at, inactivated_at,
	inactivated_by`

func scanUser(s scanner) (User, error) {
	var u User
	var ur, changed, inactivated sql.NullInt64
	var created, updated int64
	err := s.Scan(&u.ID, &u.Username, &u.Email, &u.PasswordHash, &u.Role, &u.CustomerID,
		&u.ContactID, &ur, &u.Active, &created, &updated, &changed, &inactivated, &u.InactivatedBy)
	if ur.Valid {
		u.UserRequestID = &ur.Int64
	}
	u.CreatedAt, u.UpdatedAt = ms(created), ms(updated)
	u.PasswordChangedAt, u.InactivatedAt = msPtr(changed), msPtr(inactivated)
	return u, mapErr(err)
}

// InsertUser stores a new, active login and fills in ID and timestamps.
func (q *Queries) InsertUser(ctx context.Context, u *User) error {
	u.CreatedAt = q.now().UTC()
	u.UpdatedAt, u.Active = u.CreatedAt, true
	var ur any
	if u.UserRequestID != nil {
		ur = *u.UserRequestID
	}
	id, err := q.insertID(ctx, `INSERT INTO users (username, email, password_hash, role,
		customer_id, contact_id, user_request_id, active, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`, u.Username, u.Email, u.PasswordHash, u.Role,
		u.CustomerID, u.ContactID, ur, u.CreatedAt.UnixMilli(), u.UpdatedAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: insert user %s: %w", u.Username, mapErr(err))
	}
	u.ID = id
	return nil
}

// UserByID returns one user.
func (q *Queries) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(q.q.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		return u, fmt.Errorf("store: user #%d: %w", id, err)
	}
	return u, nil
}

// UserByUserRequest returns the user a user request provisioned.
func (q *Queries) UserByUserRequest(ctx context.Context, userRequestID int64) (User, error) {
	u, err := scanUser(q.q.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE user_request_id = ?`, userRequestID))
	if err != nil {
		return u, fmt.Errorf("store: user of user request #%d: %w", userRequestID, err)
	}
	return u, nil
}

// UserByLogin finds a user by user name, or by email when exactly one user has it.
func (q *Queries) UserByLogin(ctx context.Context, login string) (User, error) {
	u, err := scanUser(q.q.QueryRowContext(ctx,
		`SELECT `+userColumns+` FROM users WHERE username = ? COLLATE NOCASE`, login))
	if err == nil {
		return u, nil
	}
	rows, err := q.q.QueryContext(ctx, `SELECT `+userColumns+` FROM users
		WHERE email = ? COLLATE NOCASE LIMIT 2`, login)
	if err != nil {
		return u, fmt.Errorf("store: user %q: %w", login, mapErr(err))
	}
	defer rows.Close()
	var found []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return u, fmt.Errorf("store: user %q: %w", login, err)
		}
		found = append(found, u)
	}
	if err := rows.Err(); err != nil {
		return User{}, fmt.Errorf("store: user %q: %w", login, mapErr(err))
	}
	if len(found) != 1 {
		return User{}, fmt.Errorf("store: user %q: %w", login, ErrNotFound)
	}
	return found[0], nil
}

// Users lists a customer's users, or every user when customerID is 0.
func (q *Queries) Users(ctx context.Context, customerID int64) ([]User, error) {
	query := `SELECT ` + userColumns + ` FROM users`
	var args []any
	if customerID != 0 {
		query += ` WHERE customer_id = ?`
		args = append(args, customerID)
	}
	out, err := queryAll(ctx, q.q, scanUser, query+` ORDER BY username`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: users: %w", err)
	}
	return out, nil
}

// SetUserActive activates or inactivates a user. Inactivating also ends the
// user's sessions in the same transaction.
func (q *Queries) SetUserActive(ctx context.Context, id int64, active bool, actor string) error {
	now := q.nowMS()
	var res sql.Result
	var err error
	if active {
		res, err = q.q.ExecContext(ctx, `UPDATE users SET active = 1, inactivated_at = NULL,
			inactivated_by = '', updated_at = ? WHERE id = ? AND active = 0`, now, id)
	} else {
		res, err = q.q.ExecContext(ctx, `UPDATE users SET active = 0, inactivated_at = ?,
			inactivated_by = ?, updated_at = ? WHERE id = ? AND active = 1`, now, actor, now, id)
	}
	if err != nil {
		return fmt.Errorf("store: set user #%d active: %w", id, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: set user #%d active=%t: %w", id, active, ErrConflict)
	}
	if !active {
		return q.DeleteUserSessions(ctx, id)
	}
	return nil
}

// SetUserPassword replaces a user's password hash and ends every session.
func (q *Queries) SetUserPassword(ctx context.Context, id int64, hash string) error {
	now := q.nowMS()
	res, err := q.q.ExecContext(ctx, `UPDATE users SET password_hash = ?, password_changed_at = ?,
		updated_at = ? WHERE id = ?`, hash, now, now, id)
	if err != nil {
		return fmt.Errorf("store: set password of user #%d: %w", id, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: set password of user #%d: %w", id, ErrNotFound)
	}
	return q.DeleteUserSessions(ctx, id)
}

// DeleteUserSessions ends every session of a user.
func (q *Queries) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := q.q.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
	if err != nil {
		return fmt.Errorf("store: end sessions of user #%d: %w", userID, mapErr(err))
	}
	return nil
}

// RehashUserPassword replaces a password hash with a stronger hash of the same
// password, at login. Sessions stay: the password did not change. It does
// nothing if the hash changed meanwhile (a reset won the race).
func (q *Queries) RehashUserPassword(ctx context.Context, id int64, oldHash, newHash string) error {
	_, err := q.q.ExecContext(ctx, `UPDATE users SET password_hash = ?, updated_at = ?
		WHERE id = ? AND password_hash = ?`, newHash, q.nowMS(), id, oldHash)
	if err != nil {
		return fmt.Errorf("store: rehash password of user #%d: %w", id, mapErr(err))
	}
	return nil
}
