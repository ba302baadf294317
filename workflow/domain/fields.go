package domain

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// A request's field names, as in the sign-up form (SPEC.md) and the
// database columns.
const (
	FieldCompanyName = "company_name"
	FieldTaxID       = "tax_id"
	FieldStreet      = "street"
	FieldCity        = "city"
	FieldState       = "state"
	FieldPostalCode  = "postal_code"
	FieldCountry     = "country"
	FieldFirstName   = "first_name"
	FieldLastName    = "last_name"
	FieldJobTitle    = "job_title"
	FieldEmail       = "email"
	FieldPhone       = "phone"
	FieldLanguage    = "language"
	FieldUsername    = "username"
)

// Field is one of a request's fields and its rules.
type Field struct {
	Name     string
	Label    string
	Group    string // the part of the form it belongs to
	Required bool
	MaxLen   int    // in characters (runes)
	Hint     string // shown under the input
	Missing  string // the message when a required field is empty
	choice   bool   // checked against a list, not a length
}

// Editable reports whether an approver may correct the field. The email
// address is not: only its owner proved it.
func (f Field) Editable() bool { return f.Name != FieldEmail }

// requestFields are in form order: validation, error summaries and forms
// follow it.
var requestFields = [...]Field{
	{FieldCompanyName, "Company name", "Company", true, 200, "", "Enter your company’s name", false},
	{FieldTaxID, "Tax ID", "Company", false, 40, "For example a VAT or EIN number.", "", false},
	{FieldStreet, "Street address", "Address", true, 200, "", "Enter the street address", false},
	{FieldCity, "Town or city", "Address", true, 100, "", "Enter the town or city", false},
	{FieldState, "State or province", "Address", false, 100, "", "", false},
	{FieldPostalCode, "Postal code", "Address", true, 20, "", "Enter the postal code", false},
	{FieldCountry, "Country", "Address", true, 2, "", "Select the country", true},
	{FieldFirstName, "First name", "Contact person", true, 100, "", "Enter your first name", false},
	{FieldLastName, "Last name", "Contact person", true, 100, "", "Enter your last name", false},
	{FieldJobTitle, "Job title", "Contact person", false, 100, "", "", false},
	{FieldEmail, "Work email address", "Contact person", true, MaxEmailLen, "We’ll send a link to this address to confirm it.", "Enter your email address", false},
	{FieldPhone, "Phone number", "Contact person", true, 40, "Include the country code, for example +49 30 1234567.", "Enter your phone number", false},
	{FieldLanguage, "Preferred language", "Contact person", false, MaxLanguageLen, "For the emails we send you.", "", true},
	{FieldUsername, "User name", "Your login", true, 32, "3 to 32 characters: lower-case letters, digits, dots, hyphens or underscores, starting with a letter or digit.", "Enter a user name", false},
}

// RequestFields returns a request's fields in form order (a copy).
func RequestFields() []Field { return append([]Field(nil), requestFields[:]...) }

// FieldNamed returns the field called name.
func FieldNamed(name string) (Field, bool) {
	for _, f := range requestFields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// FieldError is one field's problem: Message is a full sentence saying
// what to do.
type FieldError struct {
	Field   string
	Message string
}

// Check applies the field's rules to a value as typed. It returns the value
// cleaned (trimmed, NFC, country upper-case, language canonical, email
// domain lower-case, user name lower-case) and a message if it is not
// acceptable.
func (f Field) Check(raw string) (string, string) {
	v, msg := Clean(raw, f.Label)
	if msg != "" {
		return v, msg
	}
	if f.Name == FieldUsername {
		v = strings.ToLower(v)
	}
	return f.check(v)
}

// check applies the rules to a value that is already clean.
func (f Field) check(v string) (string, string) {
	if v == "" {
		if f.Required {
			return v, f.Missing
		}
		return v, ""
	}
	if !f.choice && utf8.RuneCountInString(v) > f.MaxLen {
		return v, fmt.Sprintf("%s must be %d characters or fewer", f.Label, f.MaxLen)
	}
	switch f.Name {
	case FieldTaxID:
		if !allRunes(v, func(r rune) bool {
			return unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" -./", r)
		}) {
			return v, "Tax ID can only contain letters, digits, spaces, hyphens, dots and slashes"
		}
	case FieldPostalCode:
		if !allRunes(v, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) || r == ' ' || r == '-' }) {
			return v, "Postal code can only contain letters, digits, spaces and hyphens"
		}
	case FieldCountry:
		code := strings.ToUpper(v)
		if _, ok := CountryName(code); !ok {
			return v, "Select a country from the list"
		}
		return code, ""
	case FieldEmail:
		email, msg := CheckEmail(v)
		if msg != "" {
			return v, msg
		}
		return email, ""
	case FieldPhone:
		return v, checkPhone(v)
	case FieldLanguage:
		tag, err := CanonicalLanguage(v)
		if err != nil {
			return v, "Select a language from the list, or send a BCP 47 tag such as en, de or pt-BR"
		}
		return tag, ""
	case FieldUsername:
		return v, CheckUsername(v)
	}
	return v, ""
}

// Clean trims and NFC-normalises one text value. It returns a value safe
// to show again and, if the input was unusable, a message saying why.
func Clean(raw, label string) (string, string) {
	msg := ""
	if !utf8.ValidString(raw) {
		raw = strings.ToValidUTF8(raw, "\uFFFD")
		msg = label + " contains characters that could not be read; type it again"
	}
	val := norm.NFC.String(strings.TrimSpace(raw))
	if strings.IndexFunc(val, IsForbiddenRune) >= 0 {
		val = strings.Map(func(r rune) rune {
			if IsForbiddenRune(r) {
				return -1
			}
			return r
		}, val)
		if msg == "" {
			msg = label + " must not contain control characters such as tabs or line breaks"
		}
	}
	return val, msg
}

// IsForbiddenRune reports control characters and invisible direction
// overrides, which could disguise text shown to approvers.
func IsForbiddenRune(r rune) bool {
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

// CheckUsername returns what is wrong with a (lower-cased) user name, or "".
func CheckUsername(s string) string {
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

// Values holds a request's fields by name, as a form or a command gives them.
type Values map[string]string

// Validate checks the named fields of v (all of a request's fields when
// names is empty) and returns the problems in form order, at most one per
// field; v is left holding the cleaned values.
func (v Values) Validate(names ...string) []FieldError {
	var errs []FieldError
	for _, f := range requestFields {
		if len(names) > 0 && !slices.Contains(names, f.Name) {
			continue
		}
		clean, msg := f.Check(v[f.Name])
		v[f.Name] = clean
		if msg != "" {
			errs = append(errs, FieldError{Field: f.Name, Message: msg})
		}
	}
	return errs
}
