package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// TOTP is a user's authenticator app. Secret is sealed by the workflow;
// the store never sees it in the clear.
type TOTP struct {
	UserID      int64
	Secret      []byte
	CreatedAt   time.Time
	ConfirmedAt *time.Time // nil while enrolling
	LastStep    int64      // newest time step accepted
	Failures    int        // wrong codes since FailedSince
	FailedSince time.Time
}

// Enabled reports whether enrolment was confirmed with a first code.
func (t TOTP) Enabled() bool { return t.ConfirmedAt != nil }

// UserTOTP returns a user's authenticator, or ErrNotFound.
func (q *Queries) UserTOTP(ctx context.Context, userID int64) (TOTP, error) {
	var t TOTP
	var created, failedSince int64
	var confirmed sql.NullInt64
	err := q.q.QueryRowContext(ctx, `SELECT user_id, secret, created_at, confirmed_at, last_step,
		failures, failed_since FROM user_totp WHERE user_id = ?`, userID).
		Scan(&t.UserID, &t.Secret, &created, &confirmed, &t.LastStep, &t.Failures, &failedSince)
	if err != nil {
		return t, fmt.Errorf("store: authenticator of user #%d: %w", userID, mapErr(err))
	}
	t.CreatedAt, t.ConfirmedAt, t.FailedSince = ms(created), msPtr(confirmed), ms(failedSince)
	return t, nil
}

// StartTOTP stores a new, unconfirmed authenticator for a user, replacing an
// unconfirmed one. It fails with ErrConflict when one is confirmed already.
func (q *Queries) StartTOTP(ctx context.Context, userID int64, sealed []byte) error {
	res, err := q.q.ExecContext(ctx, `INSERT INTO user_totp (user_id, secret, created_at)
		VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret, created_at = excluded.created_at,
			last_step = 0, failures = 0, failed_since = 0
		WHERE user_totp.confirmed_at IS NULL`, userID, sealed, q.nowMS())
	if err != nil {
		return fmt.Errorf("store: start authenticator of user #%d: %w", userID, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: start authenticator of user #%d: already on: %w", userID, ErrConflict)
	}
	return nil
}

// ConfirmTOTP turns an enrolling authenticator on and stores the hashes of
// its recovery codes, replacing any earlier ones.
func (q *Queries) ConfirmTOTP(ctx context.Context, userID, step int64, codeHashes [][]byte) error {
	res, err := q.q.ExecContext(ctx, `UPDATE user_totp SET confirmed_at = ?, last_step = ?,
		failures = 0, failed_since = 0 WHERE user_id = ? AND confirmed_at IS NULL`, q.nowMS(), step, userID)
	if err != nil {
		return fmt.Errorf("store: confirm authenticator of user #%d: %w", userID, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: confirm authenticator of user #%d: %w", userID, ErrConflict)
	}
	return q.replaceRecoveryCodes(ctx, userID, codeHashes)
}

func (q *Queries) replaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM user_recovery_codes WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: recovery codes of user #%d: %w", userID, mapErr(err))
	}
	for _, h := range hashes {
		if _, err := q.q.ExecContext(ctx, `INSERT INTO user_recovery_codes (user_id, hash) VALUES (?, ?)`,
			userID, h); err != nil {
			return fmt.Errorf("store: recovery codes of user #%d: %w", userID, mapErr(err))
		}
	}
	return nil
}

// AcceptTOTPStep records a code's time step as used and clears the failure
// count. It fails with ErrConflict if that step or a later one was used
// meanwhile, so a code works once even when two logins race.
func (q *Queries) AcceptTOTPStep(ctx context.Context, userID, step int64) error {
	res, err := q.q.ExecContext(ctx, `UPDATE user_totp SET last_step = ?, failures = 0, failed_since = 0
		WHERE user_id = ? AND last_step < ?`, step, userID, step)
	if err != nil {
		return fmt.Errorf("store: accept code of user #%d: %w", userID, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: accept code of user #%d: already used: %w", userID, ErrConflict)
	}
	return nil
}

// RecordTOTPFailure counts a wrong code. A count older than window starts
// again at one.
func (q *Queries) RecordTOTPFailure(ctx context.Context, userID int64, window time.Duration) error {
	now := q.nowMS()
	_, err := q.q.ExecContext(ctx, `UPDATE user_totp SET
		failures = CASE WHEN failed_since <= ? THEN 1 ELSE failures + 1 END,
		failed_since = CASE WHEN failed_since <= ? THEN ? ELSE failed_since END
		WHERE user_id = ?`, now-window.Milliseconds(), now-window.Milliseconds(), now, userID)
	if err != nil {
		return fmt.Errorf("store: count wrong code of user #%d: %w", userID, mapErr(err))
	}
	return nil
}

// UseRecoveryCode spends the unused recovery code with this hash and clears
// the failure count. It fails with ErrNotFound when there is none.
func (q *Queries) UseRecoveryCode(ctx context.Context, userID int64, hash []byte) error {
	res, err := q.q.ExecContext(ctx, `UPDATE user_recovery_codes SET used_at = ?
		WHERE user_id = ? AND hash = ? AND used_at IS NULL`, q.nowMS(), userID, hash)
	if err != nil {
		return fmt.Errorf("store: use recovery code of user #%d: %w", userID, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return fmt.Errorf("store: use recovery code of user #%d: %w", userID, ErrNotFound)
	}
	if _, err := q.q.ExecContext(ctx, `UPDATE user_totp SET failures = 0, failed_since = 0
		WHERE user_id = ?`, userID); err != nil {
		return fmt.Errorf("store: use recovery code of user #%d: %w", userID, mapErr(err))
	}
	return nil
}

// RecoveryCodesLeft counts a user's unused recovery codes.
func (q *Queries) RecoveryCodesLeft(ctx context.Context, userID int64) (int, error) {
	var n int
	err := q.q.QueryRowContext(ctx, `SELECT count(*) FROM user_recovery_codes
		WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: recovery codes of user #%d: %w", userID, mapErr(err))
	}
	return n, nil
}

// DeleteTwoFactor removes a user's authenticator, recovery codes and pending
// login challenges. It reports whether an authenticator was there.
func (q *Queries) DeleteTwoFactor(ctx context.Context, userID int64) (bool, error) {
	res, err := q.q.ExecContext(ctx, `DELETE FROM user_totp WHERE user_id = ?`, userID)
	if err != nil {
		return false, fmt.Errorf("store: remove two-step login of user #%d: %w", userID, mapErr(err))
	}
	n, _ := res.RowsAffected()
	for _, stmt := range []string{`DELETE FROM user_recovery_codes WHERE user_id = ?`,
		`DELETE FROM login_challenges WHERE user_id = ?`} {
		if _, err := q.q.ExecContext(ctx, stmt, userID); err != nil {
			return false, fmt.Errorf("store: remove two-step login of user #%d: %w", userID, mapErr(err))
		}
	}
	return n == 1, nil
}

// LoginChallenge is a login between the password and the code.
type LoginChallenge struct {
	ID        int64
	Hash      []byte
	UserID    int64
	Next      string // where the login goes afterwards
	CreatedAt time.Time
	ExpiresAt time.Time
}

// InsertLoginChallenge stores a challenge, and sweeps a few expired ones.
func (q *Queries) InsertLoginChallenge(ctx context.Context, c *LoginChallenge) error {
	c.CreatedAt = q.now().UTC()
	id, err := q.insertID(ctx, `INSERT INTO login_challenges (hash, user_id, next, created_at,
		expires_at) VALUES (?, ?, ?, ?, ?)`, c.Hash, c.UserID, c.Next, c.CreatedAt.UnixMilli(),
		c.ExpiresAt.UnixMilli())
	if err != nil {
		return fmt.Errorf("store: insert login challenge: %w", mapErr(err))
	}
	c.ID = id
	_, err = q.q.ExecContext(ctx, `DELETE FROM login_challenges WHERE id IN
		(SELECT id FROM login_challenges WHERE expires_at <= ? LIMIT 100)`, q.nowMS())
	if err != nil {
		return fmt.Errorf("store: sweep login challenges: %w", mapErr(err))
	}
	return nil
}

// LoginChallengeByHash returns an unexpired challenge, or ErrNotFound.
func (q *Queries) LoginChallengeByHash(ctx context.Context, hash []byte) (LoginChallenge, error) {
	var c LoginChallenge
	var created, expires int64
	err := q.q.QueryRowContext(ctx, `SELECT id, hash, user_id, next, created_at, expires_at
		FROM login_challenges WHERE hash = ? AND expires_at > ?`, hash, q.nowMS()).
		Scan(&c.ID, &c.Hash, &c.UserID, &c.Next, &created, &expires)
	if err != nil {
		return c, fmt.Errorf("store: login challenge: %w", mapErr(err))
	}
	c.CreatedAt, c.ExpiresAt = ms(created), ms(expires)
	return c, nil
}

// DeleteLoginChallenge ends a challenge (used, or abandoned).
func (q *Queries) DeleteLoginChallenge(ctx context.Context, id int64) error {
	if _, err := q.q.ExecContext(ctx, `DELETE FROM login_challenges WHERE id = ?`, id); err != nil {
		return fmt.Errorf("store: delete login challenge: %w", mapErr(err))
	}
	return nil
}
