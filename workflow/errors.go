package workflow

import (
	"errors"
	"fmt"
	"time"

	"github.com/regdesk/regdesk/store"
)

// The sentinels callers match with errors.Is; they are the store's, so one
// mapping (404, 409, 422) covers both layers.
var (
	ErrNotFound = store.ErrNotFound
	ErrConflict = store.ErrConflict
	ErrInvalid  = store.ErrInvalid
)

// Errors a portal page or a command shows as they are.
var (
	ErrSignupPaused = errors.New("sign-up is paused: too many requests are waiting for activation")
	ErrTooMany      = errors.New("too many sign-ups for this address; try again later")
	// ErrTooManyFromDomain is ErrTooMany for an email domain.
	ErrTooManyFromDomain = fmt.Errorf("too many sign-ups from this email domain: %w", ErrTooMany)
	ErrTokenInvalid      = errors.New("this link is not valid")
	ErrTokenExpired      = errors.New("this link has expired")
	ErrTokenUsed         = errors.New("this link has already been used")
	// ErrTokenReplaced: a newer activation link was sent for the same
	// request, which revoked this one.
	ErrTokenReplaced = errors.New("a newer activation link replaced this one")
	// ErrSignupReplaced: a newer sign-up from the same address replaced the
	// request this link belongs to.
	ErrSignupReplaced = errors.New("a newer sign-up from the same address replaced this one")
	// ErrSignupExpired: the request was not confirmed in time and expired.
	ErrSignupExpired = errors.New("this sign-up expired before its address was confirmed")
	// ErrUsernameGone means another prospect confirmed their address first
	// with the user name of a request being activated.
	ErrUsernameGone = errors.New("the user name was taken by someone who confirmed their address first")
)

// FieldError is an input the workflow refused; Field names the form field.
type FieldError struct {
	Field   string
	Message string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Message }

// Unwrap makes a FieldError match ErrInvalid.
func (e *FieldError) Unwrap() error { return ErrInvalid }

// ChangedError says that a record moved on under the caller, and who moved it.
type ChangedError struct {
	Number string
	Status string
	By     string
	At     time.Time
	Action string
	Err    error // the TransitionError or ErrConflict behind it
}

func (e *ChangedError) Error() string {
	msg := fmt.Sprintf("%s is %s", e.Number, e.Status)
	if e.By != "" {
		msg += fmt.Sprintf(" (last change: %s by %s at %s)", e.Action, e.By, e.At.UTC().Format("2006-01-02 15:04 UTC"))
	}
	if te, ok := errors.AsType[*TransitionError](e.Err); ok {
		return msg + ": cannot " + eventVerb(te.Event) + " it"
	}
	return msg + ": it changed meanwhile; reread and try again"
}

// Unwrap makes a ChangedError match ErrConflict and the transition error.
func (e *ChangedError) Unwrap() []error { return []error{ErrConflict, e.Err} }
