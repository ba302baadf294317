package portal

import (
	"html/template"
	"slices"
	"strings"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// Template names of the login and self-service pages, with their page structs.
const (
	PageLogin           = "login"            // LoginPage
	PageForgot          = "forgot"           // ForgotPage
	PageForgotSent      = "forgot_sent"      // ForgotSentPage
	PageReset           = "reset"            // ResetPage
	PageResetInvalid    = "reset_invalid"    // ResetInvalidPage
	PageAccount         = "account"          // AccountPage
	PageAccountContact  = "account_contact"  // ContactPage
	PageAccountPassword = "account_password" // PasswordPage
	PageAccountUsers    = "account_users"    // UsersPage
	PageAccountUserNew  = "account_user_new" // AddUserPage
	PageForbidden       = "forbidden"        // ForbiddenPage
	PageAccountSecurity = "account_security" // SecurityPage
	PageLoginCode       = "login_code"       // CodePage
)

// Nav is the signed-in header: who is logged in and what they may open.
// The zero value is the signed-out header.
type Nav struct {
	Username string
	Name     string // the contact person's name, or ""
	Admin    bool   // a self-service administrator: show Users
	Current  string // "account", "users": the section to mark as current
}

// SignedIn reports whether someone is logged in.
func (n Nav) SignedIn() bool { return n.Username != "" }

// Notice is a one-line confirmation shown after a redirect (Post/Redirect/Get).
// Only these fixed texts can appear, chosen by a key in the URL.
type Notice string

// notices maps the ?done= keys to their text.
var notices = map[string]Notice{
	"logout":         "You have logged out.",
	"reset":          "Your password has been changed and every session has ended. Log in with your new password.",
	"ended":          "Your session has ended. Log in again to continue.",
	"contact":        "Your contact details have been saved.",
	"password":       "Your password has been changed. Every other session of your login has ended.",
	"user_added":     "The new user has been requested. Our team reviews the request; once the login is ready we email them a link to choose a password.",
	"inactivated":    "The user has been inactivated and their sessions have ended.",
	"activated":      "The user has been activated again. We have emailed them a link to choose a new password.",
	"withdrawn":      "The requested login has been withdrawn; nobody will review it.",
	"code_expired":   "The time for entering the code has run out. Log in again with your password.",
	"two_factor_on":  "Two-step login is on. From now on, logging in asks for a code from your app.",
	"two_factor_off": "Two-step login is off. Logging in asks for your password only.",
	"required":       "Your company requires two-step login for self-service administrators. Set it up to continue.",
	"recovery_used":  "You logged in with a recovery code, which is now used up. If you have lost your phone, turn two-step login off and set it up again on your new phone.",
}

// noticeFor returns the notice for a ?done= key, or "".
func noticeFor(key string) Notice { return notices[key] }

// LoginPage is the data for [PageLogin].
type LoginPage struct {
	Form   LoginForm
	Errors FieldErrors
	Notice Notice
}

// UsernameField is the user name box, keeping what was typed.
func (p LoginPage) UsernameField() FormField {
	return FormField{Name: FieldUsername, Label: "User name or email address", Type: "text",
		Value: p.Form.Username, Error: p.Errors.Get(FieldUsername), Autocomplete: "username", Required: true}
}

// PasswordField is the password box, never refilled.
func (p LoginPage) PasswordField() FormField {
	return FormField{Name: FieldPassword, Label: "Password", Type: "password",
		Error: p.Errors.Get(FieldPassword), Autocomplete: "current-password", Required: true}
}

// ForgotPage is the data for [PageForgot].
type ForgotPage struct {
	Form   ForgotForm
	Errors FieldErrors
}

// LoginField is the one box of the form.
func (p ForgotPage) LoginField() FormField {
	return FormField{Name: FieldLogin, Label: "Email address or user name", Type: "text",
		Value: p.Form.Login, Error: p.Errors.Get(FieldLogin), Autocomplete: "username", Required: true,
		Hint: "The address we send your emails to, or your user name."}
}

// ForgotSentPage is the data for [PageForgotSent]: the same for every
// address, known or not.
type ForgotSentPage struct {
	LinkLifetime LinkLifetime
}

// ResetPage is the data for [PageReset]: a new password for the login a
// reset or set-password link belongs to.
type ResetPage struct {
	Token       string
	Username    string
	SetPassword bool // a first password (user added by an administrator)
	Form        PasswordForm
	Errors      FieldErrors
}

// Field returns one of the password inputs.
func (p ResetPage) Field(name string) FormField { return p.Form.Field(name, p.Errors) }

// ResetInvalidPage is the data for [PageResetInvalid].
type ResetInvalidPage struct {
	Problem LinkProblem
}

// AccountPage is the data for [PageAccount]: the company, its contact
// persons and the user's own details.
type AccountPage struct {
	Nav      Nav
	Notice   Notice
	User     store.User
	Customer store.Customer
	Contact  store.Contact // the user's own contact person
	Contacts []store.Contact
}

// CountryName is the customer's country in words.
func (p AccountPage) CountryName() string {
	if n, ok := domain.CountryName(p.Customer.Country); ok {
		return n
	}
	return p.Customer.Country
}

// LanguageName is the user's language in words, or "".
func (p AccountPage) LanguageName() string { return LanguageName(p.Contact.Language) }

// RoleLabel is the user's role in words.
func (p AccountPage) RoleLabel() string { return RoleLabel(p.User.Role) }

// RoleLabel says a role in words.
func RoleLabel(role string) string {
	if role == store.RoleCustomerAdmin {
		return "Self-service administrator"
	}
	return "Customer user"
}

// LanguageName is a language tag in words, or the tag when unknown, or "".
func LanguageName(tag string) string {
	if tag == "" {
		return ""
	}
	for _, o := range domain.LanguageOptions(tag) {
		if o.Tag == tag {
			return o.Name
		}
	}
	return tag
}

// ContactPage is the data for [PageAccountContact].
type ContactPage struct {
	Nav    Nav
	Email  string // shown, not editable
	Form   ContactForm
	Errors FieldErrors
}

// Field returns one input.
func (p ContactPage) Field(name string) FormField { return p.Form.Field(name, p.Errors) }

// PasswordPage is the data for [PageAccountPassword].
type PasswordPage struct {
	Nav    Nav
	Form   PasswordForm
	Errors FieldErrors
}

// Field returns one of the password inputs.
func (p PasswordPage) Field(name string) FormField { return p.Form.Field(name, p.Errors) }

// UserRow is one login of the company on [PageAccountUsers].
type UserRow struct {
	ID            int64
	Username      string
	Name          string
	Email         string
	Role          string
	Active        bool
	Self          bool // the administrator looking at the page
	InactivatedAt *time.Time
	InactivatedBy string
}

// RoleLabel says the role in words.
func (r UserRow) RoleLabel() string { return RoleLabel(r.Role) }

// PendingRow is a requested login that is not ready yet.
type PendingRow struct {
	Number   string
	Username string
	Email    string
	Status   domain.UserRequestStatus
	// Withdrawable: no approver has dealt with it yet, so the administrator
	// may take it back.
	Withdrawable bool
}

// StatusLabel says the user request's status in words for a customer.
func (r PendingRow) StatusLabel() string {
	switch r.Status {
	case domain.URDraft, domain.URSubmitted, domain.URPendingApproval:
		return "Waiting for review"
	case domain.URProvisioned:
		return "Login created; email on its way"
	case domain.URFailed:
		return "Delayed; our team is on it"
	case domain.URRejected:
		return "Not approved"
	case domain.URCanceled:
		return "Canceled"
	}
	return string(r.Status)
}

// UsersPage is the data for [PageAccountUsers].
type UsersPage struct {
	Nav      Nav
	Notice   Notice
	Errors   FieldErrors // a refused inactivation
	Company  string
	Users    []UserRow
	Pending  []PendingRow
	Contacts []store.Contact
}

// AddUserPage is the data for [PageAccountUserNew].
type AddUserPage struct {
	Nav     Nav
	Company string
	Form    AddUserForm
	Errors  FieldErrors
}

// Field returns one input.
func (p AddUserPage) Field(name string) FormField { return p.Form.Field(name, p.Errors) }

// SecurityPage is the data for [PageAccountSecurity]: two-step login on
// (its state and the form to turn it off) or off (the enrolment).
type SecurityPage struct {
	Nav           Nav
	Notice        Notice
	Status        workflow.TwoFactorStatus
	Required      bool         // the user must turn it on (administrators, by parameter)
	Secret        string       // the enrolment's key, for typing into the app
	QR            template.URL // the enrolment's QR code as a data: URL
	RecoveryCodes []string     // shown once, right after turning it on
	EnableErrors  FieldErrors
	DisableErrors FieldErrors
}

// SecretGroups is the key in groups of four, easier to type.
func (p SecurityPage) SecretGroups() string {
	var b strings.Builder
	for i, r := range p.Secret {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CodeField is the box for a code from the app.
func (p SecurityPage) CodeField() FormField {
	return codeField(p.EnableErrors, "Enter the 6-digit code your app shows for this login.")
}

// DisableFields are the password and code boxes that turn it off.
func (p SecurityPage) DisableFields() []FormField {
	pw := FormField{Name: FieldCurrentPassword, Label: "Password", Type: "password",
		Error: p.DisableErrors.Get(FieldCurrentPassword), Autocomplete: "current-password", Required: true}
	return []FormField{pw, codeField(p.DisableErrors, "A code from your app, or one of your recovery codes.")}
}

// Errors are both forms' problems, for the summary and the title.
func (p SecurityPage) Errors() FieldErrors {
	return append(slices.Clone(p.EnableErrors), p.DisableErrors...)
}

// CodePage is the data for [PageLoginCode]: the second step of a login.
type CodePage struct {
	Errors FieldErrors
}

// CodeField is the box for the code.
func (p CodePage) CodeField() FormField {
	return codeField(p.Errors, "Open your authenticator app and enter the 6-digit code it shows. Lost your phone? Enter one of your recovery codes.")
}

func codeField(errs FieldErrors, hint string) FormField {
	return FormField{Name: FieldCode, Label: codeLabel, Type: "text", Hint: hint, Error: errs.Get(FieldCode),
		Autocomplete: "one-time-code", Required: true}
}

// ForbiddenPage is the data for [PageForbidden]: a signed-in user opened a
// page their role does not allow.
type ForbiddenPage struct {
	Nav Nav
}
