package portal

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/regdesk/regdesk/workflow/domain"
	"golang.org/x/text/unicode/norm"
)

// Sign-up form field names, as in SPEC.md; also the inputs' ids, so an error
// summary links to "#" + name. The request's fields and their rules are the
// workflow's (package domain); the password exists only here.
const (
	FieldCompanyName     = domain.FieldCompanyName
	FieldTaxID           = domain.FieldTaxID
	FieldStreet          = domain.FieldStreet
	FieldCity            = domain.FieldCity
	FieldState           = domain.FieldState
	FieldPostalCode      = domain.FieldPostalCode
	FieldCountry         = domain.FieldCountry
	FieldFirstName       = domain.FieldFirstName
	FieldLastName        = domain.FieldLastName
	FieldJobTitle        = domain.FieldJobTitle
	FieldEmail           = domain.FieldEmail
	FieldPhone           = domain.FieldPhone
	FieldLanguage        = domain.FieldLanguage
	FieldUsername        = domain.FieldUsername
	FieldPassword        = "password"
	FieldPasswordConfirm = "password_confirm"
	FieldTerms           = "terms"            // the checkbox accepting the terms; its value is their version
	FieldChallenge       = "challenge"        // the proof-of-work challenge near the cap
	FieldChallengeAnswer = "challenge_answer" // its answer, from /static/pow.js
)

// Password length limits in characters (runes), per NIST SP 800-63B for a
// password used as the only factor.
const (
	PasswordMinLen = 15
	PasswordMaxLen = 128
)

// MsgUsernameTaken is the message a handler adds, with [AddSignupError], when
// the store reports the user name is already used by a user or open request.
const MsgUsernameTaken = "That user name is already taken; choose another"

// fieldSpec describes one sign-up field: how it is shown and its limits.
type fieldSpec struct {
	name         string
	label        string
	group        string // fieldset legend
	required     bool
	maxLen       int // in characters (runes)
	inputType    string
	autocomplete string
	hint         string
	missing      string // message when a required field is empty
}

// signupFields is in form order: validation, the error summary and the page
// follow it. Labels, limits and messages come from the request's field rules.
var signupFields = [...]fieldSpec{
	requestField(FieldCompanyName, "text", "organization"),
	requestField(FieldTaxID, "text", "off"),
	requestField(FieldStreet, "text", "address-line1"),
	requestField(FieldCity, "text", "address-level2"),
	requestField(FieldState, "text", "address-level1"),
	requestField(FieldPostalCode, "text", "postal-code"),
	requestField(FieldCountry, "select", "country"),
	requestField(FieldFirstName, "text", "given-name"),
	requestField(FieldLastName, "text", "family-name"),
	requestField(FieldJobTitle, "text", "organization-title"),
	requestField(FieldEmail, "email", "email"),
	requestField(FieldPhone, "tel", "tel"),
	requestField(FieldLanguage, "select", "language"),
	requestField(FieldUsername, "text", "username"),
	{FieldPassword, "Password", "Your login", true, PasswordMaxLen, "password", "new-password", "Use at least 15 characters. A few unrelated words make a strong password that is easy to remember. Spaces and any characters are allowed; no special mix is needed.", "Enter a password"},
	// Required on this site's form; a form elsewhere may leave it out (see check).
	{FieldPasswordConfirm, "Confirm password", "Your login", true, PasswordMaxLen, "password", "new-password", "", "Type your password again to confirm it"},
}

// requestField is the input for one of a request's fields.
func requestField(name, inputType, autocomplete string) fieldSpec {
	f, ok := domain.FieldNamed(name)
	if !ok {
		panic("portal: no request field " + name) // a typo in the table above
	}
	return fieldSpec{f.Name, f.Label, f.Group, f.Required, f.MaxLen, inputType, autocomplete, f.Hint, f.Missing}
}

func specFor(name string) (fieldSpec, int, bool) {
	for i, s := range signupFields {
		if s.name == name {
			return s, i, true
		}
	}
	return fieldSpec{}, -1, false
}

// SignupForm is the sign-up form as posted, cleaned by [ParseSignupForm].
// Password fields are never rendered back to the page.
type SignupForm struct {
	CompanyName     string
	TaxID           string
	Street          string
	City            string
	State           string
	PostalCode      string
	Country         string // upper-case ISO 3166-1 alpha-2 once valid
	FirstName       string
	LastName        string
	JobTitle        string
	Email           string // domain lower-cased once valid
	Phone           string
	Language        string // canonical BCP 47 once valid, or ""
	Username        string // lower-cased
	Password        string
	PasswordConfirm string

	// TermsVersion is the version of the terms the checkbox accepted ("" if
	// unticked); whether it must be ticked is the handler's to say.
	TermsVersion string

	// Challenge and ChallengeAnswer are the proof-of-work challenge the
	// form carried near the cap, and the browser's answer ("" without one).
	Challenge, ChallengeAnswer string

	confirmSent bool        // password_confirm was in the request
	parseErrs   FieldErrors // unreadable input found while parsing
}

// field maps a field name to the struct field holding its value.
func (f *SignupForm) field(name string) *string {
	switch name {
	case FieldCompanyName:
		return &f.CompanyName
	case FieldTaxID:
		return &f.TaxID
	case FieldStreet:
		return &f.Street
	case FieldCity:
		return &f.City
	case FieldState:
		return &f.State
	case FieldPostalCode:
		return &f.PostalCode
	case FieldCountry:
		return &f.Country
	case FieldFirstName:
		return &f.FirstName
	case FieldLastName:
		return &f.LastName
	case FieldJobTitle:
		return &f.JobTitle
	case FieldEmail:
		return &f.Email
	case FieldPhone:
		return &f.Phone
	case FieldLanguage:
		return &f.Language
	case FieldUsername:
		return &f.Username
	case FieldPassword:
		return &f.Password
	case FieldPasswordConfirm:
		return &f.PasswordConfirm
	}
	return nil
}

// Value returns what the page shows in a field: the entered value, or "" for
// the password fields, which are never sent back.
func (f SignupForm) Value(name string) string {
	if name == FieldPassword || name == FieldPasswordConfirm {
		return ""
	}
	if p := f.field(name); p != nil {
		return *p
	}
	return ""
}

// ParseSignupForm reads the sign-up fields from v (the first value of each).
// Text is trimmed and NFC-normalised; passwords are only NFC-normalised (see
// [NormalizePassword]). Invalid UTF-8 and control characters are kept out of
// the values and reported by [SignupForm.Validate].
func ParseSignupForm(v url.Values) SignupForm {
	var f SignupForm
	_, f.confirmSent = v[FieldPasswordConfirm]
	for _, s := range signupFields {
		raw := v.Get(s.name)
		val, msg := domain.Clean(raw, s.label)
		if s.inputType == "password" {
			val = NormalizePassword(strings.ToValidUTF8(raw, "\uFFFD"))
		}
		if msg != "" {
			f.parseErrs = f.parseErrs.add(s.name, s.label, msg)
		}
		*f.field(s.name) = val
	}
	f.Username = strings.ToLower(f.Username)
	if v, msg := domain.Clean(v.Get(FieldTerms), "Terms"); msg == "" && len(v) <= 32 {
		f.TermsVersion = v
	}
	// Checked by the workflow; anything odd here simply fails that check.
	if v := v.Get(FieldChallenge); len(v) <= 200 {
		f.Challenge = v
	}
	if v := v.Get(FieldChallengeAnswer); len(v) <= 20 {
		f.ChallengeAnswer = v
	}
	return f
}

// TermsAccepted reports whether the terms checkbox was ticked.
func (f SignupForm) TermsAccepted() bool { return f.TermsVersion != "" }

// NormalizePassword puts a password into Unicode NFC, so the same password
// typed on different systems hashes the same. Login must use it too.
func NormalizePassword(pw string) string { return norm.NFC.String(pw) }

// Validate checks every field and returns the problems in form order, at most
// one per field; nil means the form is valid. It also finishes normalising:
// country upper-case, language canonical, email domain lower-case.
// Passwords are checked against [LoadCommonPasswords]. Uniqueness of the user
// name is the store's to check; see [AddSignupError].
func (f *SignupForm) Validate() FieldErrors {
	common := LoadCommonPasswords()
	var errs FieldErrors
	for _, s := range signupFields {
		if msg := f.parseErrs.Get(s.name); msg != "" {
			errs = errs.add(s.name, s.label, msg)
			continue
		}
		if msg := f.check(s, common); msg != "" {
			errs = errs.add(s.name, s.label, msg)
		}
	}
	return errs
}

// check returns the first problem with one field, or "". The request's
// fields follow the workflow's rules; the password ones are the portal's.
func (f *SignupForm) check(s fieldSpec, common *CommonPasswords) string {
	p := f.field(s.name)
	switch s.name {
	case FieldPasswordConfirm:
		switch {
		case !f.confirmSent || f.Password == "":
			return "" // optional for other sites' forms; nothing to match without a password
		case *p == "":
			return s.missing
		case f.PasswordConfirm != f.Password:
			return "The passwords do not match; type the same password in both boxes"
		}
		return ""
	case FieldPassword:
		if *p == "" {
			return s.missing
		}
		return f.checkPassword(common)
	}
	df, _ := domain.FieldNamed(s.name)
	df.Required = s.required // a form may make a field optional
	v, msg := df.Check(*p)
	if msg == "" {
		*p = v
	}
	return msg
}

func (f *SignupForm) checkPassword(common *CommonPasswords) string {
	pw := f.Password
	n := utf8.RuneCountInString(pw)
	switch {
	case n < PasswordMinLen:
		return fmt.Sprintf(fmtPwShort, PasswordMinLen)
	case n > PasswordMaxLen:
		return fmt.Sprintf(fmtPwLong, PasswordMaxLen)
	case strings.IndexFunc(pw, domain.IsForbiddenRune) >= 0:
		return "Password must not contain control characters"
	case common.Contains(pw):
		return "This password is on a list of commonly used passwords; choose one that is harder to guess"
	}
	lower := strings.ToLower(pw)
	if u := f.Username; len(u) >= 3 && strings.Contains(lower, u) {
		return "Password must not contain your user name"
	}
	if at := strings.LastIndexByte(f.Email, '@'); at > 0 {
		local := strings.ToLower(f.Email[:at])
		if strings.Contains(lower, strings.ToLower(f.Email)) || len(local) >= 3 && strings.Contains(lower, local) {
			return "Password must not contain your email address"
		}
	}
	return ""
}

// AddSignupError adds a problem found outside Validate, such as
// [MsgUsernameTaken] from the store, keeping the list in form order. It
// replaces an existing message for the same field. Unknown fields go last.
func AddSignupError(errs FieldErrors, field, message string) FieldErrors {
	s, idx, ok := specFor(field)
	label := s.label
	if !ok {
		label = field
		idx = len(signupFields)
	}
	out := slices.DeleteFunc(slices.Clone(errs), func(e FieldError) bool { return e.Field == field })
	pos := len(out)
	for i, e := range out {
		if _, j, _ := specFor(e.Field); j > idx || j < 0 && ok {
			pos = i
			break
		}
	}
	return slices.Insert(out, pos, FieldError{Field: field, Label: label, Message: message})
}
