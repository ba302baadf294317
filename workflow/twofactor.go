package workflow

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/regdesk/regdesk/store"
)

// Two-step login: an authenticator app (TOTP, RFC 6238, through
// github.com/pquerna/otp) and ten single-use recovery codes.
const (
	totpPeriod        = 30 // seconds per code
	totpSkew          = 1  // codes one step early or late are accepted (clock drift)
	RecoveryCodeCount = 10
	// TwoFactorMaxFailures wrong codes within TwoFactorWindow stop the
	// user's code checks until the window has passed: six digits must not
	// be guessable by trying.
	TwoFactorMaxFailures = 5
	TwoFactorWindow      = 15 * time.Minute
)

// Errors of the two-step login.
var (
	ErrNoSecrets    = errors.New("two-step login is not available: the secrets key is not loaded")
	ErrTwoFactorOn  = errors.New("two-step login is already on")
	ErrTwoFactorOff = errors.New("two-step login is not on")
	ErrCodeWrong    = errors.New("the code is wrong")
	ErrCodeUsed     = errors.New("that code has been used already; wait for the next one")
	ErrNotEnrolling = errors.New("no enrolment is in progress; start again")
	ErrCodeFormat   = errors.New("enter the 6-digit code from the app, or a recovery code")
	// ErrSecretUnreadable: the stored secret does not open with the key in
	// DATA (the key file was lost or replaced). Recovery codes still work.
	ErrSecretUnreadable = errors.New("the authenticator's secret cannot be opened with this installation's key")
)

// ThrottledError says that too many wrong codes were entered; codes are not
// checked again until RetryAfter has passed.
type ThrottledError struct{ RetryAfter time.Duration }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("too many wrong codes; try again in %s", e.RetryAfter.Round(time.Second))
}

// Enrolment is an authenticator being set up: the secret to scan or type.
type Enrolment struct {
	Secret string // base32, as apps expect
	URL    string // otpauth:// URL for the QR code
	Key    *otp.Key
}

// TwoFactorStatus is what a user's security page shows.
type TwoFactorStatus struct {
	Enabled       bool
	Since         time.Time
	RecoveryCodes int // unused ones
}

func (s *Service) secrets() (*Secrets, error) {
	if s.sec == nil {
		return nil, ErrNoSecrets
	}
	return s.sec, nil
}

// secretContext binds a sealed secret to its user.
func secretContext(userID int64) []byte { return []byte("totp:user:" + strconv.FormatInt(userID, 10)) }

// TwoFactor returns a user's two-step login status.
func (s *Service) TwoFactor(ctx context.Context, userID int64) (TwoFactorStatus, error) {
	q := s.db.Read()
	t, err := q.UserTOTP(ctx, userID)
	if errors.Is(err, store.ErrNotFound) || err == nil && !t.Enabled() {
		return TwoFactorStatus{}, nil
	}
	if err != nil {
		return TwoFactorStatus{}, err
	}
	n, err := q.RecoveryCodesLeft(ctx, userID)
	if err != nil {
		return TwoFactorStatus{}, err
	}
	return TwoFactorStatus{Enabled: true, Since: *t.ConfirmedAt, RecoveryCodes: n}, nil
}

// StartTwoFactor begins enrolment for a user: it keeps the enrolment under
// way (so reloading the page shows the same QR code) or starts a new one.
func (s *Service) StartTwoFactor(ctx context.Context, userID int64) (Enrolment, error) {
	sec, err := s.secrets()
	if err != nil {
		return Enrolment{}, err
	}
	u, err := s.db.Read().UserByID(ctx, userID)
	if err != nil {
		return Enrolment{}, err
	}
	p, err := LoadParams(ctx, s.db.Read())
	if err != nil {
		return Enrolment{}, err
	}
	issuer := s.issuer(p)
	t, err := s.db.Read().UserTOTP(ctx, userID)
	switch {
	case err == nil && t.Enabled():
		return Enrolment{}, ErrTwoFactorOn
	case err == nil:
		if plain, oerr := sec.Open(t.Secret, secretContext(userID)); oerr == nil {
			return enrolment(issuer, u.Username, string(plain))
		}
		// A key that no longer opens it (the key file was replaced): start anew.
	case !errors.Is(err, store.ErrNotFound):
		return Enrolment{}, err
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: u.Username,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return Enrolment{}, fmt.Errorf("two-step login: new secret: %w", err)
	}
	sealed := sec.Seal([]byte(key.Secret()), secretContext(userID))
	if err := s.db.WithTx(ctx, func(tx *store.Tx) error { return tx.StartTOTP(ctx, userID, sealed) }); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return Enrolment{}, ErrTwoFactorOn
		}
		return Enrolment{}, err
	}
	return Enrolment{Secret: key.Secret(), URL: key.URL(), Key: key}, nil
}

func enrolment(issuer, account, secret string) (Enrolment, error) {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("period", strconv.Itoa(totpPeriod))
	v.Set("algorithm", "SHA1")
	v.Set("digits", "6")
	u := url.URL{Scheme: "otpauth", Host: "totp", Path: "/" + issuer + ":" + account, RawQuery: v.Encode()}
	key, err := otp.NewKeyFromURL(u.String())
	if err != nil {
		return Enrolment{}, fmt.Errorf("two-step login: %w", err)
	}
	return Enrolment{Secret: secret, URL: key.URL(), Key: key}, nil
}

// issuer names regdesk in the customer's authenticator app: the portal's
// host, which is what the customer knows it by.
func (s *Service) issuer(p Params) string {
	if u, err := url.Parse(s.portalURL(p)); err == nil && u.Hostname() != "" {
		return u.Hostname()
	}
	return "regdesk"
}

// ConfirmTwoFactor turns two-step login on once the first code from the app
// is right, and returns the ten recovery codes, which are shown once and
// stored only as hashes.
func (s *Service) ConfirmTwoFactor(ctx context.Context, userID int64, code string) ([]string, error) {
	sec, err := s.secrets()
	if err != nil {
		return nil, err
	}
	code = normalizeCode(code)
	if !isTOTPCode(code) {
		return nil, ErrCodeFormat
	}
	var codes []string
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		t, err := tx.UserTOTP(ctx, userID)
		if errors.Is(err, store.ErrNotFound) {
			return ErrNotEnrolling
		}
		if err != nil {
			return err
		}
		if t.Enabled() {
			return ErrTwoFactorOn
		}
		secret, err := sec.Open(t.Secret, secretContext(userID))
		if err != nil {
			return ErrNotEnrolling
		}
		step, ok := matchTOTP(string(secret), code, s.now(), t.LastStep)
		if !ok {
			return ErrCodeWrong
		}
		codes = newRecoveryCodes()
		hashes := make([][]byte, len(codes))
		for i, c := range codes {
			hashes[i] = hashRecoveryCode(c)
		}
		if err := tx.ConfirmTOTP(ctx, userID, step, hashes); err != nil {
			return err
		}
		return s.auditUser(ctx, tx, userID, "", "two_factor_enabled", "authenticator app confirmed; 10 recovery codes issued")
	})
	if err != nil {
		return nil, fmt.Errorf("confirm two-step login: %w", err)
	}
	s.log.Info("two-step login enabled", "user_id", userID)
	return codes, nil
}

// VerifyTwoFactor checks a code at login (or before turning two-step login
// off): a 6-digit code from the app, accepted once per time step, or an
// unused recovery code, which is then spent. Wrong codes are counted; after
// TwoFactorMaxFailures within TwoFactorWindow it answers *ThrottledError
// without looking at the code. It reports whether a recovery code was used.
func (s *Service) VerifyTwoFactor(ctx context.Context, userID int64, code string) (recovery bool, err error) {
	sec, err := s.secrets()
	if err != nil {
		return false, err
	}
	code = normalizeCode(code)
	if !isTOTPCode(code) && !isRecoveryCode(code) {
		return false, ErrCodeFormat
	}
	var failed error
	err = s.db.WithTx(ctx, func(tx *store.Tx) error {
		t, err := tx.UserTOTP(ctx, userID)
		if errors.Is(err, store.ErrNotFound) || err == nil && !t.Enabled() {
			return ErrTwoFactorOff
		}
		if err != nil {
			return err
		}
		now := s.now()
		if t.Failures >= TwoFactorMaxFailures {
			if wait := t.FailedSince.Add(TwoFactorWindow).Sub(now); wait > 0 {
				return &ThrottledError{RetryAfter: wait}
			}
		}
		if isRecoveryCode(code) {
			err := tx.UseRecoveryCode(ctx, userID, hashRecoveryCode(code))
			if err == nil {
				recovery = true
				left, err := tx.RecoveryCodesLeft(ctx, userID)
				if err != nil {
					return err
				}
				return s.auditUser(ctx, tx, userID, "", "recovery_code_used",
					fmt.Sprintf("recovery code used at login; %d left", left))
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
			failed = ErrCodeWrong
		} else {
			secret, err := sec.Open(t.Secret, secretContext(userID))
			if err != nil {
				s.log.Error("two-step login secret unreadable; was DATA/secrets.key replaced?", "user_id", userID)
				return ErrSecretUnreadable
			}
			step, ok := matchTOTP(string(secret), code, now, t.LastStep)
			switch {
			case ok:
				err := tx.AcceptTOTPStep(ctx, userID, step)
				if !errors.Is(err, store.ErrConflict) {
					return err
				}
				failed = ErrCodeUsed // another login took this step first
			case step != 0:
				failed = ErrCodeUsed
			default:
				failed = ErrCodeWrong
			}
		}
		// The failure is counted, and that count must commit.
		return tx.RecordTOTPFailure(ctx, userID, TwoFactorWindow)
	})
	if err == nil && failed != nil {
		err = failed
	}
	return recovery, err
}

// DisableTwoFactor turns two-step login off for a user who proved it with a
// code (the portal checks the password first).
func (s *Service) DisableTwoFactor(ctx context.Context, userID int64, code string) error {
	if _, err := s.VerifyTwoFactor(ctx, userID, code); err != nil {
		return err
	}
	return s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.DeleteTwoFactor(ctx, userID); err != nil {
			return err
		}
		return s.auditUser(ctx, tx, userID, "", "two_factor_disabled", "turned off by the user")
	})
}

// ResetTwoFactor turns a customer's two-step login off for an approver, for a
// customer who lost the phone and the recovery codes. The customer logs in
// with the password alone and can enrol again. Audited under actor.
func (s *Service) ResetTwoFactor(ctx context.Context, username, actor string) (store.User, error) {
	var u store.User
	if err := checkActor(actor); err != nil {
		return u, err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByLogin(ctx, username)
		if errors.Is(err, store.ErrNotFound) || err == nil && !strings.EqualFold(u.Username, username) {
			return &FieldError{Field: "username", Message: fmt.Sprintf("no user named %q", username)}
		}
		if err != nil {
			return err
		}
		had, err := tx.DeleteTwoFactor(ctx, u.ID)
		if err != nil {
			return err
		}
		if !had {
			return &FieldError{Field: "username", Message: u.Username + " has no two-step login to reset"}
		}
		return audit(ctx, tx, actor, store.EntityUser, u.Username, "two_factor_reset",
			"two-step login reset by an approver; the user logs in with the password and can enrol again")
	})
	if err != nil {
		return u, fmt.Errorf("reset two-step login of %s: %w", username, err)
	}
	s.log.Info("two-step login reset", "user", u.Username, "actor", actor)
	return u, nil
}

// auditUser writes an audit row about a user; the actor is the user unless given.
func (s *Service) auditUser(ctx context.Context, tx *store.Tx, userID int64, actor, action, detail string) error {
	u, err := tx.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if actor == "" {
		actor = u.Username
	}
	return audit(ctx, tx, actor, store.EntityUser, u.Username, action, detail)
}

// matchTOTP looks for code among the time steps around now. It returns the
// matching step and ok when that step is newer than last (a code works
// once); a match on a used step returns the step and !ok.
func matchTOTP(secret, code string, now time.Time, last int64) (int64, bool) {
	opts := totp.ValidateOpts{Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	cur := now.Unix() / totpPeriod
	for _, d := range []int64{0, -totpSkew, totpSkew} {
		step := cur + d
		want, err := totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0).UTC(), opts)
		if err != nil {
			return 0, false
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, step > last
		}
	}
	return 0, false
}

// normalizeCode drops the spaces and hyphens people type or paste and
// lower-cases recovery codes.
func normalizeCode(code string) string {
	return strings.ToLower(strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\u00a0' {
			return -1
		}
		return r
	}, code))
}

func isTOTPCode(c string) bool {
	if len(c) != 6 {
		return false
	}
	for _, r := range c {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// Recovery codes are 10 characters of base32 (50 random bits), shown as
// "abcde-fghij". That is too many to guess within the throttle, so a plain
// SHA-256 stores them safely, as for link tokens.
var recoveryEncoding = base32.StdEncoding.WithPadding(base32.NoPadding)

const recoveryCodeLen = 10

func isRecoveryCode(c string) bool {
	return len(c) == recoveryCodeLen && strings.Trim(c, "abcdefghijklmnopqrstuvwxyz234567") == ""
}

func newRecoveryCodes() []string {
	codes := make([]string, RecoveryCodeCount)
	for i := range codes {
		b := make([]byte, 7)
		_, _ = rand.Read(b)
		c := strings.ToLower(recoveryEncoding.EncodeToString(b))[:recoveryCodeLen]
		codes[i] = c[:5] + "-" + c[5:]
	}
	return codes
}

func hashRecoveryCode(code string) []byte {
	h := sha256.Sum256([]byte("recovery:" + normalizeCode(code)))
	return h[:]
}
