package portal

import (
	"net/url"

	"github.com/regdesk/regdesk/workflow/domain"
)

// ResendForm asks for the address to send a new activation link to.
type ResendForm struct {
	Email string

	parseErr string
}

const resendEmailLabel = "Email address"

// FieldToken is the activation form's hidden field holding the token.
const FieldToken = "token"

// ParseResendForm reads the email field of a resend form.
func ParseResendForm(v url.Values) ResendForm {
	val, msg := domain.Clean(v.Get(FieldEmail), resendEmailLabel)
	return ResendForm{Email: val, parseErr: msg}
}

// Validate checks the address and lower-cases its domain. The page that
// follows must not say whether the address is known.
func (f *ResendForm) Validate() FieldErrors {
	var errs FieldErrors
	switch {
	case f.parseErr != "":
		return errs.add(FieldEmail, resendEmailLabel, f.parseErr)
	case f.Email == "":
		return errs.add(FieldEmail, resendEmailLabel, "Enter the email address you signed up with")
	}
	email, msg := domain.CheckEmail(f.Email)
	if msg != "" {
		return errs.add(FieldEmail, resendEmailLabel, msg)
	}
	f.Email = email
	return nil
}

// Field returns the email field for the template.
func (f ResendForm) Field(errs FieldErrors) FormField {
	return FormField{
		Name: FieldEmail, Label: resendEmailLabel, Type: "email", Value: f.Email,
		Error: errs.Get(FieldEmail), Autocomplete: "email", Required: true,
		Hint: "The address you used when you signed up.",
	}
}
