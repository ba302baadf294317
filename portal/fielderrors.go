package portal

import "github.com/regdesk/regdesk/workflow"

// FieldError is one problem with one form field, shown next to the field and
// as a link in the error summary at the top of the page.
type FieldError struct {
	Field   string // the input's name and id, e.g. "email"
	Label   string // the field's label, e.g. "Email address"
	Message string // a full sentence telling the person what to do; a catalogue key
	Args    []any  // what Message's verbs stand for, when it names something
}

// fromWorkflow is the workflow's refusal fe as a field error labelled
// label, keeping the arguments of a message that names something so the
// page says it in the reader's language.
func fromWorkflow(fe *workflow.FieldError, field, label string) FieldError {
	msg, args := fe.Text()
	return FieldError{Field: field, Label: label, Message: msg, Args: args}
}

// FieldErrors lists a form's problems in form order, at most one per field.
// The zero value is an empty list.
type FieldErrors []FieldError

// Has reports whether field has an error.
func (fe FieldErrors) Has(field string) bool {
	for _, e := range fe {
		if e.Field == field {
			return true
		}
	}
	return false
}

// Get returns field's message, or "" if it has none.
func (fe FieldErrors) Get(field string) string {
	for _, e := range fe {
		if e.Field == field {
			return e.Message
		}
	}
	return ""
}

// add appends an error unless field already has one: the first problem found
// is the one to fix first.
func (fe FieldErrors) add(field, label, msg string) FieldErrors {
	if fe.Has(field) {
		return fe
	}
	return append(fe, FieldError{Field: field, Label: label, Message: msg})
}
