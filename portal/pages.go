package portal

import (
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/regdesk/regdesk/workflow/domain"
)

// HomePage is the data for [PageHome].
type HomePage struct {
	SignupPaused bool         // show a note instead of the sign-up call to action
	LinkLifetime LinkLifetime // how long activation links work; 0 leaves it unsaid
}

// LinkLifetime is how long an activation link works, shown in words.
type LinkLifetime time.Duration

// String says the lifetime in words ("48 hours", "30 minutes"), or "" for 0.
func (l LinkLifetime) String() string {
	d := time.Duration(l)
	switch {
	case d <= 0:
		return ""
	case d%(24*time.Hour) == 0 && d > 48*time.Hour:
		return plural(int(d/(24*time.Hour)), "day")
	case d >= time.Hour:
		return plural(int(math.Ceil(d.Hours())), "hour")
	default:
		return plural(int(math.Ceil(d.Minutes())), "minute")
	}
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return fmt.Sprintf("%d %ss", n, unit)
}

// SignupPage is the data for [PageSignup]: the form as entered and its
// problems (nil on first display).
type SignupPage struct {
	Form   SignupForm
	Errors FieldErrors
}

// FormField is what a template needs to draw one input.
type FormField struct {
	Name         string // name and id
	Label        string
	Type         string // text, email, tel, password, select
	Value        string // "" for passwords
	Hint         string
	Error        string
	Autocomplete string
	Required     bool
}

// HintID is the id of the field's hint, or "" if it has none.
func (f FormField) HintID() string {
	if f.Hint == "" {
		return ""
	}
	return f.Name + "-hint"
}

// ErrorID is the id of the field's error message, or "" if it has none.
func (f FormField) ErrorID() string {
	if f.Error == "" {
		return ""
	}
	return f.Name + "-error"
}

// DescribedBy is the aria-describedby value: hint then error.
func (f FormField) DescribedBy() string {
	return strings.TrimSpace(f.HintID() + " " + f.ErrorID())
}

// Plain reports whether the field holds identifiers (email, user name) that
// browsers should neither spell-check nor capitalise.
func (f FormField) Plain() bool {
	return f.Name == FieldEmail || f.Name == FieldUsername || f.Name == FieldTaxID || f.Type == "password"
}

// Field returns the named sign-up field with its value and error.
func (p SignupPage) Field(name string) (FormField, error) {
	s, _, ok := specFor(name)
	if !ok {
		return FormField{}, fmt.Errorf("no sign-up field %q", name)
	}
	return FormField{
		Name: s.name, Label: s.label, Type: s.inputType, Value: p.Form.Value(name),
		Hint: s.hint, Error: p.Errors.Get(name), Autocomplete: s.autocomplete,
		Required: s.required,
	}, nil
}

// Countries lists the countries for the country select.
func (p SignupPage) Countries() []domain.Country { return domain.Countries() }

// Languages lists the language select's options, including the entered one.
func (p SignupPage) Languages() []domain.LanguageOption {
	return domain.LanguageOptions(p.Form.Language)
}

// SignupPausedPage is the data for [PageSignupPaused], shown when too many
// requests await verification.
type SignupPausedPage struct{}

// SignupSentPage is the data for [PageSignupSent]. Email is the address as
// entered; the page is the same whether or not it was already registered.
type SignupSentPage struct {
	Email        string // optional; the page reads well without it
	LinkLifetime LinkLifetime
}

// ActivatePage is the data for [PageActivate]: GET shows a button that POSTs
// Token, because mail scanners prefetch links.
type ActivatePage struct {
	Token string
}

// ActivatedPage is the data for [PageActivated].
type ActivatedPage struct {
	Number string // registration number, e.g. REG-000042; optional
}

// LinkProblem says why an activation link did not work.
type LinkProblem string

// Link problems for [ActivateInvalidPage].
const (
	LinkInvalid LinkProblem = "invalid" // unknown or malformed token
	LinkExpired LinkProblem = "expired"
	LinkUsed    LinkProblem = "used"
)

// ActivateInvalidPage is the data for [PageActivateInvalid]; it includes a
// resend form.
type ActivateInvalidPage struct {
	Problem      LinkProblem
	LinkLifetime LinkLifetime
	Resend       ResendForm
	Errors       FieldErrors
}

// ResendPage is the data for [PageResend].
type ResendPage struct {
	Resend ResendForm
	Errors FieldErrors
}

// ResendSentPage is the data for [PageResendSent]; it never says whether the
// address is known.
type ResendSentPage struct {
	LinkLifetime LinkLifetime
}

// ErrorPage is the data for [PageError]. RequestID is shown so a person can
// quote it; the details are only in the log.
type ErrorPage struct {
	Status    int
	RequestID string
}

// Heading is the page's headline for Status.
func (p ErrorPage) Heading() string {
	switch p.Status {
	case http.StatusBadRequest:
		return "We could not read that request"
	case http.StatusForbidden:
		return "That form was sent from another site"
	case http.StatusMethodNotAllowed:
		return "That action is not available here"
	case http.StatusRequestEntityTooLarge:
		return "That was more data than we accept"
	case http.StatusServiceUnavailable:
		return "Sorry, the service is unavailable"
	}
	return "Sorry, something went wrong on our side"
}

// Message explains what to do next.
func (p ErrorPage) Message() string {
	switch p.Status {
	case http.StatusBadRequest:
		return "Go back, check what you entered and try again."
	case http.StatusForbidden:
		return "For your security we only accept forms submitted from this site. Open the page again here and resend the form."
	case http.StatusMethodNotAllowed:
		return "Go back and use the buttons on the page."
	case http.StatusRequestEntityTooLarge:
		return "Go back, shorten what you entered and try again."
	case http.StatusServiceUnavailable:
		return "Please try again in a few minutes."
	}
	return "Nothing you entered was lost on your side, but we could not finish your request. Please try again in a few minutes."
}

// NotFoundPage is the data for [PageNotFound].
type NotFoundPage struct{}

// TooManyPage is the data for [PageTooMany].
type TooManyPage struct {
	RetryAfter time.Duration
}

// Wait says in words how long to wait, rounded up.
func (p TooManyPage) Wait() string {
	switch d := p.RetryAfter; {
	case d <= time.Minute:
		return "a minute"
	case d < time.Hour:
		return fmt.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
	case d < 2*time.Hour:
		return "an hour"
	default:
		return fmt.Sprintf("%d hours", int(math.Ceil(d.Hours())))
	}
}
