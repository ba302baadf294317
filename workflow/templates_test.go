package workflow

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
)

func ptr(s string) *string { return &s }

// approvedN signs up prospect i, confirms and approves the request.
func approvedN(t *testing.T, s *Service, i int) string {
	t.Helper()
	number, token := signUpN(t, s, i)
	mustActivate(t, s, token)
	if _, err := s.Approve(context.Background(), Action{Number: number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	return number
}

func TestService_Templates(t *testing.T) {
	ctx := context.Background()
	s, _ := newOpsService(t)
	list := func() []store.Template {
		t.Helper()
		ts, err := s.Templates(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return ts
	}
	trail := func(code string) []store.AuditEntry {
		t.Helper()
		a, err := s.DB().Read().AuditTrail(ctx, store.EntityTemplate, code)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	nordic := store.Template{Code: "NORDIC", Name: "Nordic customer", CustomerGroup: "NOR", Currency: "SEK",
		Language: "sv-se", PaymentTerms: "Net 45"}

	t.Run("add", func(t *testing.T) {
		if err := s.AddTemplate(ctx, nordic, "alice"); err != nil {
			t.Fatal(err)
		}
		got, err := s.DB().Read().TemplateByCode(ctx, "NORDIC")
		if err != nil || got.Language != "sv-SE" || got.Currency != "SEK" {
			t.Fatalf("added %+v %v", got, err)
		}
		if a := trail("NORDIC"); len(a) != 1 || a[0].Action != "add" || a[0].Actor != "alice" {
			t.Fatalf("audit %+v", a)
		}
	})

	t.Run("bad input is refused and changes nothing", func(t *testing.T) {
		before := list()
		bad := func(mod func(*store.Template)) store.Template {
			x := nordic
			x.Code = "NEW"
			mod(&x)
			return x
		}
		for name, tt := range map[string]struct {
			t    store.Template
			want string
		}{
			"duplicate":        {nordic, "template NORDIC exists"},
			"bad code":         {bad(func(x *store.Template) { x.Code = "no spaces" }), "code:"},
			"empty code":       {bad(func(x *store.Template) { x.Code = "" }), "code:"},
			"no description":   {bad(func(x *store.Template) { x.Name = " " }), "description is required"},
			"long description": {bad(func(x *store.Template) { x.Name = strings.Repeat("x", 101) }), "at most 100"},
			"escape":           {bad(func(x *store.Template) { x.Name = "a\x1b[2Jb" }), "printable"},
			"group":            {bad(func(x *store.Template) { x.CustomerGroup = "" }), "customer group"},
			"currency":         {bad(func(x *store.Template) { x.Currency = "euro" }), "ISO 4217"},
			"language":         {bad(func(x *store.Template) { x.Language = "not a tag!" }), "BCP 47"},
			"no language":      {bad(func(x *store.Template) { x.Language = "" }), "BCP 47"},
			"terms":            {bad(func(x *store.Template) { x.PaymentTerms = "" }), "payment terms is required"},
		} {
			err := s.AddTemplate(ctx, tt.t, "alice")
			var fe *FieldError
			if !errors.As(err, &fe) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v, want %q", name, err, tt.want)
			}
		}
		if err := s.AddTemplate(ctx, bad(func(*store.Template) {}), ""); err == nil || !strings.Contains(err.Error(), "--as") {
			t.Errorf("no actor: %v", err)
		}
		if after := list(); !reflect.DeepEqual(after, before) {
			t.Fatalf("refusals changed the templates: %+v", after)
		}
		if a := trail("NEW"); len(a) != 0 {
			t.Fatalf("refusals audited: %+v", a)
		}
	})

	// A customer created from EU keeps its values when EU changes or goes.
	number := approvedN(t, s, 1)
	res, err := s.Create(ctx, CreateInput{Action: Action{Number: number, Actor: "alice"}, Template: "EU"})
	if err != nil {
		t.Fatal(err)
	}
	if res.Customer.Currency != "EUR" {
		t.Fatalf("customer %+v", res.Customer)
	}

	t.Run("set", func(t *testing.T) {
		got, err := s.SetTemplate(ctx, "EU", TemplateChange{Currency: ptr("CHF"), PaymentTerms: ptr("Net 14")}, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if got.Currency != "CHF" || got.PaymentTerms != "Net 14" || got.Name != "European Union customer" {
			t.Fatalf("after set %+v", got)
		}
		a := trail("EU")
		if len(a) != 1 || a[0].Actor != "bob" || a[0].Detail != `currency "EUR" → "CHF"; payment terms "Net 30" → "Net 14"` {
			t.Fatalf("audit %+v", a)
		}
		before := list()
		for name, tt := range map[string]struct {
			code string
			c    TemplateChange
			want string
		}{
			"unknown":  {"NOPE", TemplateChange{Currency: ptr("EUR")}, `no template "NOPE"`},
			"nothing":  {"EU", TemplateChange{}, "nothing to change"},
			"same":     {"EU", TemplateChange{Currency: ptr("CHF")}, "nothing to change"},
			"bad":      {"EU", TemplateChange{Currency: ptr("chf")}, "ISO 4217"},
			"bad lang": {"EU", TemplateChange{Language: ptr("??")}, "BCP 47"},
		} {
			if _, err := s.SetTemplate(ctx, tt.code, tt.c, "bob"); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%s: %v, want %q", name, err, tt.want)
			}
		}
		if after := list(); !reflect.DeepEqual(after, before) {
			t.Fatalf("refusals changed the templates: %+v", after)
		}
	})

	t.Run("remove", func(t *testing.T) {
		err := s.RemoveTemplate(ctx, "STANDARD", "alice")
		if err == nil || !strings.Contains(err.Error(), "parameter customer.default_template names template STANDARD") {
			t.Fatalf("removing the default: %v", err)
		}
		if err := s.RemoveTemplate(ctx, "NOPE", "alice"); err == nil || !strings.Contains(err.Error(), `no template "NOPE"`) {
			t.Fatalf("removing an unknown one: %v", err)
		}
		if len(list()) != 4 {
			t.Fatalf("refusals changed the templates: %+v", list())
		}
		if err := s.RemoveTemplate(ctx, "EU", "alice"); err != nil {
			t.Fatal(err)
		}
		for _, x := range list() {
			if x.Code == "EU" {
				t.Fatal("EU still listed")
			}
		}
		c, err := s.DB().Read().CustomerByID(ctx, res.Customer.ID)
		if err != nil || c.Template != "EU" || c.Currency != "EUR" || c.PaymentTerms != "Net 30" {
			t.Fatalf("customer after its template changed and went: %+v %v", c, err)
		}
		// Create no longer offers it.
		number := approvedN(t, s, 2)
		_, err = s.Create(ctx, CreateInput{Action: Action{Number: number, Actor: "alice"}, Template: "EU"})
		if err == nil || !strings.Contains(err.Error(), `unknown template "EU"`) {
			t.Fatalf("create from a removed template: %v", err)
		}
		if err := s.RemoveTemplate(ctx, "EU", "alice"); err == nil || !strings.Contains(err.Error(), `no template "EU"`) {
			t.Fatalf("removing twice: %v", err)
		}
		// The default moves, then the old default can go.
		if err := s.SetParam(ctx, ParamDefaultTemplate, "NORDIC", "op"); err != nil {
			t.Fatal(err)
		}
		if err := s.RemoveTemplate(ctx, "STANDARD", "alice"); err != nil {
			t.Fatal(err)
		}
		// A removed code can be added again, with new values.
		eu := store.Template{Code: "EU", Name: "EU customer, new terms", CustomerGroup: "EU", Currency: "EUR",
			Language: "en-IE", PaymentTerms: "Net 20"}
		if err := s.AddTemplate(ctx, eu, "alice"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.DB().Read().TemplateByCode(ctx, "EU"); got != eu {
			t.Fatalf("re-added %+v", got)
		}
	})
}
