package workflow

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// templateParams are the parameters whose value is a template code: a
// template they name cannot be removed.
var templateParams = []string{ParamDefaultTemplate}

var currencyRE = regexp.MustCompile(`^[A-Z]{3}$`)

// TemplateChange is what `templates set` changes; nil fields stay.
type TemplateChange struct {
	Description, CustomerGroup, Currency, Language, PaymentTerms *string
}

// Templates lists the customer account templates in use, by code.
func (s *Service) Templates(ctx context.Context) ([]store.Template, error) {
	ts, err := s.db.Read().Templates(ctx)
	if err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	return ts, nil
}

// checkTemplate validates a template and puts its language in canonical
// form. The first refused field is reported.
func checkTemplate(t *store.Template) error {
	if err := validCode(t.Code); err != nil {
		return &FieldError{Field: "code", Message: "code: " + err.Error()}
	}
	text := func(field, label, v string, max int) error {
		switch {
		case strings.TrimSpace(v) == "":
			return &FieldError{Field: field, Message: label + " is required"}
		case utf8.RuneCountInString(v) > max:
			return &FieldError{Field: field, Message: fmt.Sprintf("%s is at most %d characters", label, max)}
		case !utf8.ValidString(v) || strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0:
			return &FieldError{Field: field, Message: label + " must be printable text on one line"}
		}
		return nil
	}
	if err := text("description", "the description", t.Name, 100); err != nil {
		return err
	}
	if err := validCode(t.CustomerGroup); err != nil {
		return &FieldError{Field: "group", Message: "customer group: " + err.Error()}
	}
	if !currencyRE.MatchString(t.Currency) {
		return &FieldError{Field: "currency", Message: fmt.Sprintf("currency %q: want an ISO 4217 code of three capital letters, such as EUR", t.Currency)}
	}
	lang, err := domain.CanonicalLanguage(t.Language)
	if err != nil || t.Language == "" {
		return &FieldError{Field: "language", Message: fmt.Sprintf("language %q: want a BCP 47 tag such as en-GB", t.Language)}
	}
	t.Language = lang
	return text("payment-terms", "the payment terms", t.PaymentTerms, 40)
}

func templateDetail(t store.Template) string {
	return strings.Join([]string{t.Name, t.CustomerGroup, t.Currency, t.Language, t.PaymentTerms}, " · ")
}

// AddTemplate adds a customer account template, with an audit row.
func (s *Service) AddTemplate(ctx context.Context, t store.Template, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	if err := checkTemplate(&t); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.AddTemplate(ctx, t); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return &FieldError{Field: "code", Message: fmt.Sprintf("template %s exists; change it with templates set", t.Code)}
			}
			return err
		}
		return audit(ctx, tx, actor, store.EntityTemplate, t.Code, "add", templateDetail(t))
	})
	if err != nil {
		return fmt.Errorf("add template %s: %w", t.Code, err)
	}
	return nil
}

// SetTemplate changes a template's fields, with an audit row naming each
// change. Customers created from it keep the values they were created with.
func (s *Service) SetTemplate(ctx context.Context, code string, c TemplateChange, actor string) (store.Template, error) {
	if err := checkActor(actor); err != nil {
		return store.Template{}, err
	}
	var out store.Template
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		old, err := tx.TemplateByCode(ctx, code)
		if errors.Is(err, store.ErrNotFound) {
			return unknownTemplate(ctx, &tx.Queries, code)
		}
		if err != nil {
			return err
		}
		t := old
		var changes []string
		for _, f := range []struct {
			label string
			to    *string
			field *string
		}{
			{"description", c.Description, &t.Name}, {"group", c.CustomerGroup, &t.CustomerGroup},
			{"currency", c.Currency, &t.Currency}, {"language", c.Language, &t.Language},
			{"payment terms", c.PaymentTerms, &t.PaymentTerms},
		} {
			if f.to != nil {
				*f.field = *f.to
			}
		}
		if err := checkTemplate(&t); err != nil {
			return err
		}
		for _, f := range []struct{ label, from, to string }{
			{"description", old.Name, t.Name}, {"group", old.CustomerGroup, t.CustomerGroup},
			{"currency", old.Currency, t.Currency}, {"language", old.Language, t.Language},
			{"payment terms", old.PaymentTerms, t.PaymentTerms},
		} {
			if f.from != f.to {
				changes = append(changes, fmt.Sprintf("%s %q → %q", f.label, f.from, f.to))
			}
		}
		if len(changes) == 0 {
			return &FieldError{Field: "template", Message: "nothing to change: give at least one new value"}
		}
		if err := tx.UpdateTemplate(ctx, t); err != nil {
			return err
		}
		out = t
		return audit(ctx, tx, actor, store.EntityTemplate, code, "set", strings.Join(changes, "; "))
	})
	if err != nil {
		return store.Template{}, fmt.Errorf("set template %s: %w", code, err)
	}
	return out, nil
}

// RemoveTemplate takes a template out of use, with an audit row. It is
// refused while a parameter names it; customers created from it keep what
// they were created with.
func (s *Service) RemoveTemplate(ctx context.Context, code, actor string) error {
	if err := checkActor(actor); err != nil {
		return err
	}
	err := s.db.WithTx(ctx, func(tx *store.Tx) error {
		if _, err := tx.TemplateByCode(ctx, code); errors.Is(err, store.ErrNotFound) {
			return unknownTemplate(ctx, &tx.Queries, code)
		} else if err != nil {
			return err
		}
		p, err := s.Params(ctx, &tx.Queries)
		if err != nil {
			return err
		}
		for _, key := range templateParams {
			if p.String(key) == code {
				return &FieldError{Field: "template", Message: fmt.Sprintf(
					"parameter %s names template %s; set it to another template first (regdesk params set %s CODE)", key, code, key)}
			}
		}
		if err := tx.RemoveTemplate(ctx, code); err != nil {
			return err
		}
		return audit(ctx, tx, actor, store.EntityTemplate, code, "remove", "customers created from it keep their values")
	})
	if err != nil {
		return fmt.Errorf("remove template %s: %w", code, err)
	}
	return nil
}

func unknownTemplate(ctx context.Context, q *store.Queries, code string) error {
	ts, err := q.Templates(ctx)
	if err != nil {
		return err
	}
	codes := make([]string, len(ts))
	for i, t := range ts {
		codes[i] = t.Code
	}
	return &FieldError{Field: "template", Message: fmt.Sprintf("no template %q; the templates are %s", code, strings.Join(codes, ", "))}
}
