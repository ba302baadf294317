package portal

import (
	"fmt"
	"net/http"
	"strings"
	"time"
)

// HomePage is the data for [PageHome].
type HomePage struct {
	SignupPaused bool         // show a note instead of the sign-up call to action
	LinkLifetime LinkLifetime // how long activation links work; 0 leaves it unsaid
}

// LinkLifetime is how long an activation link works; pages say it in words
// in their language (the template function dur).
type LinkLifetime time.Duration

// SignupPage is the data for [PageSignup]: the form as entered and its
// problems (nil on first display).
type SignupPage struct {
	Form   SignupForm
	Errors FieldErrors
	Terms  *Terms // the terms to accept, when the terms.version parameter is set
	// Challenge, near the cap on unverified requests, is the proof of work
	// the form carries (solved by /static/pow.js, or sent after a wait).
	Challenge *SignupChallenge
}

// SignupChallenge is the sign-up form's proof-of-work challenge.
type SignupChallenge struct {
	Token       string
	Bits        int
	WaitSeconds int
}

// Terms are the current terms and conditions a sign-up accepts.
type Terms struct {
	Version string
	URL     string
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

// InputMode is the keyboard a phone shows for the field, or "".
func (f FormField) InputMode() string {
	switch {
	case f.Type == "tel":
		return "tel"
	case f.Name == FieldCode:
		return "numeric"
	}
	return ""
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
	// What the button confirms, so the owner of the address can tell a
	// request they did not make.
	Number, Company, Username string
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
	// LinkUsernameGone: someone else confirmed a request for the same user
	// name first.
	LinkUsernameGone LinkProblem = "username_gone"
	// LinkReplaced: a newer activation link was sent since.
	LinkReplaced LinkProblem = "replaced"
	// LinkSignupReplaced: a newer sign-up from the same address replaced
	// the request.
	LinkSignupReplaced LinkProblem = "signup_replaced"
	// LinkSignupExpired: the request was not confirmed in time; only a new
	// sign-up helps.
	LinkSignupExpired LinkProblem = "signup_expired"
)

// ActivateInvalidPage is the data for [PageActivateInvalid]; it includes a
// resend form.
type ActivateInvalidPage struct {
	Problem      LinkProblem
	LinkLifetime LinkLifetime
	// RequestLifetime is how long a sign-up waits for its confirmation.
	RequestLifetime LinkLifetime
	Resend          ResendForm
	Errors          FieldErrors
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
