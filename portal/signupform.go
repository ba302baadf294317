package portal

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Sign-up form field names, as in SPEC.md; also the inputs' ids, so an error
// summary links to "#" + name.
const (
	FieldCompanyName     = "company_name"
	FieldTaxID           = "tax_id"
	FieldStreet          = "street"
	FieldCity            = "city"
	FieldState           = "state"
	FieldPostalCode      = "postal_code"
	FieldCountry         = "country"
	FieldFirstName       = "first_name"
	FieldLastName        = "last_name"
	FieldJobTitle        = "job_title"
	FieldEmail           = "email"
	FieldPhone           = "phone"
	FieldLanguage        = "language"
	FieldUsername        = "username"
	FieldPassword        = "password"
	FieldPasswordConfirm = "password_confirm"
	FieldTerms           = "terms" // the checkbox accepting the terms; its value is their version
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
// follow it.
var signupFields = [...]fieldSpec{
	{FieldCompanyName, "Company name", "Company", true, 200, "text", "organization", "", "Enter your company’s name"},
	{FieldTaxID, "Tax ID", "Company", false, 40, "text", "off", "For example a VAT or EIN number.", ""},
	{FieldStreet, "Street address", "Address", true, 200, "text", "address-line1", "", "Enter the street address"},
	{FieldCity, "Town or city", "Address", true, 100, "text", "address-level2", "", "Enter the town or city"},
	{FieldState, "State or province", "Address", false, 100, "text", "address-level1", "", ""},
	{FieldPostalCode, "Postal code", "Address", true, 20, "text", "postal-code", "", "Enter the postal code"},
	{FieldCountry, "Country", "Address", true, 2, "select", "country", "", "Select the country"},
	{FieldFirstName, "First name", "Contact person", true, 100, "text", "given-name", "", "Enter your first name"},
	{FieldLastName, "Last name", "Contact person", true, 100, "text", "family-name", "", "Enter your last name"},
	{FieldJobTitle, "Job title", "Contact person", false, 100, "text", "organization-title", "", ""},
	{FieldEmail, "Work email address", "Contact person", true, 254, "email", "email", "We’ll send a link to this address to confirm it.", "Enter your email address"},
	{FieldPhone, "Phone number", "Contact person", true, 40, "tel", "tel", "Include the country code, for example +49 30 1234567.", "Enter your phone number"},
	{FieldLanguage, "Preferred language", "Contact person", false, maxLanguageLen, "select", "language", "For the emails we send you.", ""},
	{FieldUsername, "User name", "Your login", true, 32, "text", "username", "3 to 32 characters: lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit.", "Enter a user name"},
	{FieldPassword, "Password", "Your login", true, PasswordMaxLen, "password", "new-password", "Use at least 15 characters. A few unrelated words make a strong password that is easy to remember. Spaces and any characters are allowed; no special mix is needed.", "Enter a password"},
	// Required on this site's form; a form elsewhere may leave it out (see check).
	{FieldPasswordConfirm, "Confirm password", "Your login", true, PasswordMaxLen, "password", "new-password", "", "Type your password again to confirm it"},
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
		val, msg := cleanInput(raw, s.label)
		if s.inputType == "password" {
			val = NormalizePassword(strings.ToValidUTF8(raw, "\uFFFD"))
		}
		if msg != "" {
			f.parseErrs = f.parseErrs.add(s.name, s.label, msg)
		}
		*f.field(s.name) = val
	}
	f.Username = strings.ToLower(f.Username)
	if v, msg := cleanInput(v.Get(FieldTerms), "Terms"); msg == "" && len(v) <= 32 {
		f.TermsVersion = v
	}
	return f
}

// TermsAccepted reports whether the terms checkbox was ticked.
func (f SignupForm) TermsAccepted() bool { return f.TermsVersion != "" }

// NormalizePassword puts a password into Unicode NFC, so the same password
// typed on different systems hashes the same. Login must use it too.
func NormalizePassword(pw string) string { return norm.NFC.String(pw) }

// cleanInput trims and normalises one text value. It returns a value safe to
// show again and, if the input was unusable, a message saying why.
func cleanInput(raw, label string) (string, string) {
	msg := ""
	if !utf8.ValidString(raw) {
		raw = strings.ToValidUTF8(raw, "\uFFFD")
		msg = fmt.Sprintf(fmtUnreadable, label)
	}
	val := norm.NFC.String(strings.TrimSpace(raw))
	if strings.IndexFunc(val, isForbiddenRune) >= 0 {
		val = strings.Map(func(r rune) rune {
			if isForbiddenRune(r) {
				return -1
			}
			return r
		}, val)
		if msg == "" {
			msg = fmt.Sprintf(fmtControl, label)
		}
	}
	return val, msg
}

// isForbiddenRune reports control characters and invisible direction
// overrides, which could disguise text shown to approvers.
func isForbiddenRune(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069: // bidi embeddings, overrides, isolates
		return true
	case r == 0x2028 || r == 0x2029 || r == 0xFEFF: // line/paragraph separators, BOM
		return true
	}
	return false
}

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

// check returns the first problem with one field, or "".
func (f *SignupForm) check(s fieldSpec, common *CommonPasswords) string {
	p := f.field(s.name)
	if s.name == FieldPasswordConfirm && (!f.confirmSent || f.Password == "") {
		return "" // optional for other sites' forms; nothing to match without a password
	}
	if *p == "" {
		if s.required {
			return s.missing
		}
		return ""
	}
	if n := utf8.RuneCountInString(*p); n > s.maxLen && s.inputType != "select" && s.inputType != "password" {
		return fmt.Sprintf(fmtTooLong, s.label, s.maxLen)
	}
	switch s.name {
	case FieldTaxID:
		if !allRunes(*p, func(r rune) bool {
			return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" -./", r)
		}) {
			return "Tax ID can only contain letters, digits, spaces, hyphens, dots and slashes"
		}
	case FieldPostalCode:
		if !allRunes(*p, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || r == '-' }) {
			return "Postal code can only contain letters, digits, spaces and hyphens"
		}
	case FieldCountry:
		code := strings.ToUpper(*p)
		if _, ok := CountryName(code); !ok {
			return "Select a country from the list"
		}
		*p = code
	case FieldEmail:
		email, msg := checkEmail(*p)
		if msg != "" {
			return msg
		}
		*p = email
	case FieldPhone:
		return checkPhone(*p)
	case FieldLanguage:
		tag, err := canonicalLanguage(*p)
		if err != nil {
			return "Select a language from the list, or send a BCP 47 tag such as en, de or pt-BR"
		}
		*p = tag
	case FieldUsername:
		return checkUsername(*p)
	case FieldPassword:
		return f.checkPassword(common)
	case FieldPasswordConfirm:
		if f.PasswordConfirm != f.Password {
			return "The passwords do not match; type the same password in both boxes"
		}
	}
	return ""
}

func allRunes(s string, ok func(rune) bool) bool {
	for _, r := range s {
		if !ok(r) {
			return false
		}
	}
	return true
}

func checkPhone(s string) string {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case strings.ContainsRune(" ()-.", r):
		default:
			return "Phone number can only contain digits, spaces, brackets, dots, hyphens and a leading +"
		}
	}
	if digits < 5 || digits > 20 {
		return "Enter a phone number with 5 to 20 digits, like +49 30 1234567"
	}
	return ""
}

func checkUsername(s string) string {
	switch n := utf8.RuneCountInString(s); {
	case n < 3:
		return "User name must be at least 3 characters"
	case n > 32:
		return "User name must be 32 characters or fewer"
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return "User name can only contain lower-case letters a–z, digits, dots, hyphens and underscores"
		}
	}
	if c := s[0]; c == '.' || c == '_' || c == '-' {
		return "User name must start with a letter or a digit"
	}
	return ""
}

func (f *SignupForm) checkPassword(common *CommonPasswords) string {
	pw := f.Password
	n := utf8.RuneCountInString(pw)
	switch {
	case n < PasswordMinLen:
		return fmt.Sprintf(fmtPwShort, PasswordMinLen)
	case n > PasswordMaxLen:
		return fmt.Sprintf(fmtPwLong, PasswordMaxLen)
	case strings.IndexFunc(pw, isForbiddenRune) >= 0:
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
