// Package mailer turns outbox rows into RFC 5322 messages and delivers them:
// over SMTP with go-mail, or as .eml files in a directory when no SMTP server
// is configured.
package mailer

import (
	"context"
	"errors"
	"fmt"
	"strings"

	gomail "github.com/wneessen/go-mail"

	"github.com/regdesk/regdesk/store"
)

// Sender delivers one outbox message from the given sender address.
type Sender interface {
	Send(ctx context.Context, from string, m store.Mail) error
}

// PermanentError is a delivery that retrying cannot fix: the server refused
// the message with a 5xx reply, or the message itself is unusable.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// IsPermanent reports whether err should fail the message at once instead of
// being retried.
func IsPermanent(err error) bool {
	var pe *PermanentError
	if errors.As(err, &pe) {
		return true
	}
	var se *gomail.SendError
	if errors.As(err, &se) {
		code := se.ErrorCode()
		return code >= 500 && code < 600
	}
	return false
}

// build makes the multipart (text + HTML) message for m. Message-ID comes
// from the row, so a retried delivery carries the same id, and Date is when
// the message was queued.
func build(from string, m store.Mail) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(from); err != nil {
		return nil, &PermanentError{fmt.Errorf("sender %q: %w", from, err)}
	}
	if err := msg.To(m.To); err != nil {
		return nil, &PermanentError{fmt.Errorf("recipient %q: %w", m.To, err)}
	}
	msg.Subject(m.Subject)
	msg.SetMessageIDWithValue(strings.TrimSuffix(strings.TrimPrefix(m.MessageID, "<"), ">"))
	msg.SetDateWithValue(m.CreatedAt)
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}
