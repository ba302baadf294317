package workflow

import (
	"strings"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// FieldErrors are several fields refused at once, in form order.
type FieldErrors []domain.FieldError

func (e FieldErrors) Error() string {
	parts := make([]string, len(e))
	for i, fe := range e {
		parts[i] = fe.Field + ": " + fe.Message
	}
	return strings.Join(parts, "; ")
}

// Unwrap makes FieldErrors match ErrInvalid.
func (e FieldErrors) Unwrap() error { return ErrInvalid }

// checkRequestFields applies the request field rules to the named fields of
// r (every field when names is empty), leaving r holding the cleaned values.
// The workflow checks what it stores itself, whoever called it.
func checkRequestFields(r *store.Request, names ...string) error {
	v := domain.Values{}
	for _, f := range domain.RequestFields() {
		v[f.Name] = *r.Field(f.Name)
	}
	errs := v.Validate(names...)
	if errs != nil {
		return FieldErrors(errs)
	}
	for name, val := range v {
		*r.Field(name) = val
	}
	return nil
}
