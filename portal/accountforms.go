package portal

import (
	"net/url"
	"strings"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// Field names of the login and account forms that the sign-up form lacks.
const (
	FieldCurrentPassword = "current_password"
	FieldRole            = "role"
	FieldNext            = "next"
	FieldLogin           = "login" // forgot-password: user name or email
)

// MsgLoginFailed is the one answer to every failed login: unknown user,
// wrong password and inactive login read the same.
const MsgLoginFailed = "The user name or password is wrong. Check them and try again."

// maxLoginLen bounds the login box: the longest user name or email address.
const maxLoginLen = domain.MaxEmailLen

// LoginForm is the login form: a user name or email address and a password.
type LoginForm struct {
	Username string // as entered, trimmed; also accepts the email address
	Password string
	Next     string // where to go afterwards; a local path or ""

	parseErr string
}

// ParseLoginForm reads the login form.
func ParseLoginForm(v url.Values) LoginForm {
	login, msg := domain.Clean(v.Get(FieldUsername), "User name or email address")
	return LoginForm{Username: login, Password: NormalizePassword(strings.ToValidUTF8(v.Get(FieldPassword), "\uFFFD")),
		Next: LocalPath(v.Get(FieldNext)), parseErr: msg}
}

// Validate reports empty boxes; whether the login is right is for the
// handler to find out.
func (f *LoginForm) Validate() FieldErrors {
	var errs FieldErrors
	switch {
	case f.parseErr != "":
		errs = errs.add(FieldUsername, "User name or email address", f.parseErr)
	case f.Username == "":
		errs = errs.add(FieldUsername, "User name or email address", "Enter your user name or email address")
	}
	if f.Password == "" {
		errs = errs.add(FieldPassword, "Password", "Enter your password")
	}
	return errs
}

// LocalPath returns p if it is a path on this site (so a login link cannot
// send people elsewhere), else "".
func LocalPath(p string) string {
	if len(p) > 200 || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") ||
		strings.ContainsAny(p, "\\\r\n\t") {
		return ""
	}
	u, err := url.Parse(p)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return ""
	}
	return p
}

// ForgotForm asks for the login whose password to reset.
type ForgotForm struct {
	Login    string
	parseErr string
}

// ParseForgotForm reads the forgot-password form.
func ParseForgotForm(v url.Values) ForgotForm {
	login, msg := domain.Clean(v.Get(FieldLogin), "Email address or user name")
	return ForgotForm{Login: login, parseErr: msg}
}

// Validate checks the box is filled and not absurdly long.
func (f *ForgotForm) Validate() FieldErrors {
	const label = "Email address or user name"
	var errs FieldErrors
	switch {
	case f.parseErr != "":
		return errs.add(FieldLogin, label, f.parseErr)
	case f.Login == "":
		return errs.add(FieldLogin, label, "Enter the email address or user name of your login")
	case len(f.Login) > maxLoginLen:
		return errs.add(FieldLogin, label, "That is longer than any email address; check what you entered")
	}
	return nil
}

// PasswordForm is a new password typed twice (reset and change), with the
// current password when changing it.
type PasswordForm struct {
	Current, Password, Confirm string
}

// ParsePasswordForm reads the password fields, NFC-normalised.
func ParsePasswordForm(v url.Values) PasswordForm {
	pw := func(name string) string { return NormalizePassword(strings.ToValidUTF8(v.Get(name), "\uFFFD")) }
	return PasswordForm{Current: pw(FieldCurrentPassword), Password: pw(FieldPassword), Confirm: pw(FieldPasswordConfirm)}
}

// Validate applies the sign-up rules to the new password (NIST SP 800-63B:
// 15 to 128 characters, not a common password, not containing the user name
// or email address) and checks the confirmation matches.
func (f PasswordForm) Validate(username, email string) FieldErrors {
	sf := SignupForm{Password: f.Password, PasswordConfirm: f.Confirm, Username: strings.ToLower(username),
		Email: email, confirmSent: true}
	common := LoadCommonPasswords()
	var errs FieldErrors
	for _, name := range []string{FieldPassword, FieldPasswordConfirm} {
		s, _, _ := specFor(name)
		if name == FieldPasswordConfirm && f.Confirm == "" && f.Password != "" {
			errs = errs.add(name, passwordLabels[name], "Type your new password again to confirm it")
			continue
		}
		if msg := sf.check(s, common); msg != "" {
			errs = errs.add(name, passwordLabels[name], strings.Replace(msg, "Enter a password", "Enter a new password", 1))
		}
	}
	return errs
}

var passwordLabels = map[string]string{
	FieldCurrentPassword: "Current password",
	FieldPassword:        "New password",
	FieldPasswordConfirm: "Confirm new password",
}

// Field returns one of the password inputs for a template.
func (f PasswordForm) Field(name string, errs FieldErrors) FormField {
	ff := FormField{Name: name, Label: passwordLabels[name], Type: "password", Error: errs.Get(name),
		Autocomplete: "new-password", Required: true}
	switch name {
	case FieldCurrentPassword:
		ff.Autocomplete = "current-password"
	case FieldPassword:
		ff.Hint = "At least 15 characters. A few unrelated words make a strong password that is easy to remember."
	}
	return ff
}

// ContactForm is a user's own contact details. The email address is not
// editable here: it is also the login's address (see [workflow.ContactInput]).
type ContactForm struct {
	sf SignupForm
}

// contactFields are the editable fields, in form order.
var contactFields = []string{FieldFirstName, FieldLastName, FieldJobTitle, FieldPhone, FieldLanguage}

// ParseContactForm reads the contact details form.
func ParseContactForm(v url.Values) ContactForm {
	only := url.Values{}
	for _, name := range contactFields {
		only[name] = v[name]
	}
	return ContactForm{sf: ParseSignupForm(only)}
}

// ContactFormFrom fills the form from the stored contact person.
func ContactFormFrom(c store.Contact) ContactForm {
	return ContactForm{sf: SignupForm{FirstName: c.FirstName, LastName: c.LastName, JobTitle: c.JobTitle,
		Phone: c.Phone, Language: c.Language}}
}

// FirstName and the others return the cleaned values.
func (f ContactForm) FirstName() string { return f.sf.FirstName }
func (f ContactForm) LastName() string  { return f.sf.LastName }
func (f ContactForm) JobTitle() string  { return f.sf.JobTitle }
func (f ContactForm) Phone() string     { return f.sf.Phone }
func (f ContactForm) Language() string  { return f.sf.Language }

// Validate checks the fields with the sign-up rules; the phone number may
// be left empty here (contacts added by an administrator have none yet).
func (f *ContactForm) Validate() FieldErrors {
	return validateSubset(&f.sf, contactFields, map[string]bool{FieldPhone: true})
}

// Field returns one input for a template.
func (f ContactForm) Field(name string, errs FieldErrors) FormField {
	ff := subsetField(f.sf, name, errs)
	if name == FieldPhone {
		ff.Required = false
	}
	if name == FieldLanguage {
		ff.Hint = "For the emails we send you."
	}
	return ff
}

// Languages lists the language select's options.
func (f ContactForm) Languages() []domain.LanguageOption {
	return domain.LanguageOptions(f.sf.Language)
}

// AddUserForm is a self-service administrator's "add customer user".
type AddUserForm struct {
	sf   SignupForm
	Role string
}

var addUserFields = []string{FieldFirstName, FieldLastName, FieldEmail, FieldUsername}

// ParseAddUserForm reads the add-user form.
func ParseAddUserForm(v url.Values) AddUserForm {
	only := url.Values{}
	for _, name := range addUserFields {
		only[name] = v[name]
	}
	return AddUserForm{sf: ParseSignupForm(only), Role: strings.TrimSpace(v.Get(FieldRole))}
}

// FirstName and the others return the cleaned values.
func (f AddUserForm) FirstName() string { return f.sf.FirstName }
func (f AddUserForm) LastName() string  { return f.sf.LastName }
func (f AddUserForm) Email() string     { return f.sf.Email }
func (f AddUserForm) Username() string  { return f.sf.Username }

// Validate checks the fields with the sign-up rules and the role.
func (f *AddUserForm) Validate() FieldErrors {
	errs := validateSubset(&f.sf, addUserFields, nil)
	for i, e := range errs { // the sign-up messages speak to the person themselves
		errs[i].Message = strings.Replace(e.Message, "Enter your ", "Enter the ", 1)
	}
	if f.Role != store.RoleCustomerUser && f.Role != store.RoleCustomerAdmin {
		errs = errs.add(FieldRole, "Role", "Choose a role: customer user or self-service administrator")
	}
	return errs
}

// Field returns one input for a template.
func (f AddUserForm) Field(name string, errs FieldErrors) FormField {
	ff := subsetField(f.sf, name, errs)
	switch name {
	case FieldEmail:
		ff.Label = "Email address"
		ff.Hint = "Once an approver has set up the login, we email a link here to choose a password."
		ff.Autocomplete = "off"
	case FieldUsername:
		ff.Autocomplete = "off"
	case FieldFirstName, FieldLastName:
		ff.Autocomplete = "off"
	}
	return ff
}

// RoleOption is one choice of the role radio buttons.
type RoleOption struct {
	Value, Label, Hint string
	Checked            bool
}

// Roles lists the roles to choose from.
func (f AddUserForm) Roles() []RoleOption {
	role := f.Role
	if role == "" {
		role = store.RoleCustomerUser
	}
	return []RoleOption{
		{store.RoleCustomerUser, "Customer user", "Sees the company’s account and their own details.", role == store.RoleCustomerUser},
		{store.RoleCustomerAdmin, "Self-service administrator", "Also adds and inactivates the company’s users.", role == store.RoleCustomerAdmin},
	}
}

// validateSubset checks some sign-up fields of sf, in order; optional names
// may be empty.
func validateSubset(sf *SignupForm, names []string, optional map[string]bool) FieldErrors {
	common := LoadCommonPasswords()
	var errs FieldErrors
	for _, name := range names {
		s, _, _ := specFor(name)
		if msg := sf.parseErrs.Get(name); msg != "" {
			errs = errs.add(name, s.label, msg)
			continue
		}
		if optional[name] {
			s.required = false
		}
		if msg := sf.check(s, common); msg != "" {
			errs = errs.add(name, s.label, msg)
		}
	}
	return errs
}

// subsetField is a sign-up field's input with this form's value and error.
func subsetField(sf SignupForm, name string, errs FieldErrors) FormField {
	s, _, _ := specFor(name)
	return FormField{Name: s.name, Label: s.label, Type: s.inputType, Value: sf.Value(name),
		Hint: s.hint, Error: errs.Get(name), Autocomplete: s.autocomplete, Required: s.required}
}
