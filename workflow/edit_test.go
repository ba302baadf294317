package workflow

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// snapshot is everything an edit may touch: the request and its trail.
func snapshot(t *testing.T, db *store.DB, number string) (store.Request, []store.AuditEntry) {
	t.Helper()
	ctx := context.Background()
	r, err := db.Read().RequestByNumber(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	trail, err := db.Read().AuditTrail(ctx, store.EntityRequest, number)
	if err != nil {
		t.Fatal(err)
	}
	return r, trail
}

func TestService_Edit(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	other := f.request(domain.Verified)
	r := f.request(domain.Verified)

	res, err := f.svc.Edit(ctx, EditInput{Action: Action{Number: r.Number, Actor: "alice", Version: r.Version},
		Fields: map[string]string{"street": " 1 Main Street ", "country": "gb", "company_name": other.CompanyName,
			"username": "Ada.New", "city": r.City}})
	if err != nil {
		t.Fatal(err)
	}
	want := []FieldChange{{"street", "1 Main St", "1 Main Street"}, {"country", "US", "GB"},
		{"company_name", r.CompanyName, other.CompanyName}, {"username", r.Username, "ada.new"}}
	// Changes come in form order, whatever order they were given in.
	want[0], want[1], want[2] = want[2], want[0], want[1]
	if !reflect.DeepEqual(res.Changes, want) {
		t.Fatalf("changes = %+v\nwant      %+v", res.Changes, want)
	}
	got, trail := snapshot(t, f.db, r.Number)
	if got.Street != "1 Main Street" || got.Country != "GB" || got.Username != "ada.new" ||
		got.Version != r.Version+1 || got.Status != domain.Verified || got.Email != r.Email {
		t.Fatalf("stored request = %+v", got)
	}
	var edits []string
	for _, e := range trail {
		if e.Action == EventEdit {
			if e.Actor != "alice" {
				t.Errorf("edit by %q", e.Actor)
			}
			edits = append(edits, e.Detail)
		}
	}
	if len(edits) != 4 || edits[1] != `street: "1 Main St" → "1 Main Street"` {
		t.Fatalf("audit details = %q", edits)
	}
	// Warnings are checked against the new values: the company name now
	// matches the other request's.
	if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0].Message, other.Number) {
		t.Fatalf("warnings = %+v", res.Warnings)
	}
	// Search finds the request by its new name.
	found, err := f.db.Read().Requests(ctx, store.ListRequests{Search: other.CompanyName})
	if err != nil || len(found) != 2 {
		t.Fatalf("search for the new company name = %d rows, %v", len(found), err)
	}

	t.Run("the same values change nothing", func(t *testing.T) {
		before, beforeTrail := snapshot(t, f.db, r.Number)
		res, err := f.svc.Edit(ctx, EditInput{Action: Action{Number: r.Number, Actor: "alice"},
			Fields: map[string]string{"street": "1 Main Street"}})
		if err != nil || len(res.Changes) != 0 {
			t.Fatalf("Edit = %+v, %v", res.Changes, err)
		}
		after, afterTrail := snapshot(t, f.db, r.Number)
		if after.Version != before.Version || len(afterTrail) != len(beforeTrail) {
			t.Fatal("an edit without changes wrote something")
		}
	})
}

func TestService_Edit_refused(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.request(domain.Approved)
	taken := f.request(domain.Verified)
	requested := f.request(domain.Requested)
	created := f.request(domain.Created)
	stale := r.Version
	if _, err := f.svc.Edit(ctx, EditInput{Action: Action{Number: r.Number, Actor: "bob"},
		Fields: map[string]string{"city": "Shelbyville"}}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		in     EditInput
		target string
		want   string
		is     error
	}{
		{"no actor", EditInput{Action: Action{Number: r.Number}, Fields: map[string]string{"city": "X"}}, r.Number, "--as", ErrInvalid},
		{"nothing to set", EditInput{Action: Action{Number: r.Number, Actor: "a"}}, r.Number, "FIELD=VALUE", ErrInvalid},
		{"email", EditInput{Action: Action{Number: r.Number, Actor: "a"}, Fields: map[string]string{"email": "x@y.example"}}, r.Number, "not editable", ErrInvalid},
		{"unknown field", EditInput{Action: Action{Number: r.Number, Actor: "a"}, Fields: map[string]string{"password": "x"}}, r.Number, "not a field", ErrInvalid},
		{"bad value", EditInput{Action: Action{Number: r.Number, Actor: "a"}, Fields: map[string]string{"country": "XX", "city": "Ok"}}, r.Number, "Select a country", ErrInvalid},
		{"empty required", EditInput{Action: Action{Number: r.Number, Actor: "a"}, Fields: map[string]string{"company_name": "  "}}, r.Number, "company", ErrInvalid},
		{"user name taken", EditInput{Action: Action{Number: r.Number, Actor: "a"}, Fields: map[string]string{"username": taken.Username}}, r.Number, "taken", ErrInvalid},
		{"still requested", EditInput{Action: Action{Number: requested.Number, Actor: "a"}, Fields: map[string]string{"city": "X"}}, requested.Number, "cannot edit", ErrConflict},
		{"created", EditInput{Action: Action{Number: created.Number, Actor: "a"}, Fields: map[string]string{"city": "X"}}, created.Number, "cannot edit", ErrConflict},
		{"changed meanwhile", EditInput{Action: Action{Number: r.Number, Actor: "alice", Version: stale}, Fields: map[string]string{"city": "X"}}, r.Number, "edit by bob", ErrConflict},
		{"unknown number", EditInput{Action: Action{Number: "REG-999999", Actor: "a"}, Fields: map[string]string{"city": "X"}}, r.Number, "not found", ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before, beforeTrail := snapshot(t, f.db, tt.target)
			_, err := f.svc.Edit(ctx, tt.in)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, tt.is) {
				t.Fatalf("Edit = %v; want an error saying %q matching %v", err, tt.want, tt.is)
			}
			after, afterTrail := snapshot(t, f.db, tt.target)
			if !reflect.DeepEqual(before, after) || len(afterTrail) != len(beforeTrail) {
				t.Fatal("a refused edit changed the request or its trail")
			}
		})
	}
}

func TestService_SignUp_checksItsInput(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	in := f.input()
	in.Country, in.Phone, in.CompanyName = "Atlantis", "call me", "Evil\x1b[2J"
	_, err := f.svc.SignUp(ctx, in)
	var fe FieldErrors
	if !errors.As(err, &fe) || !errors.Is(err, ErrInvalid) || len(fe) != 3 {
		t.Fatalf("SignUp = %v; want three field errors", err)
	}
	in = f.input()
	in.PasswordHash = "hunter2"
	if _, err := f.svc.SignUp(ctx, in); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "argon2id") {
		t.Fatalf("SignUp with a plain password = %v", err)
	}
	rs, err := f.db.Read().Requests(ctx, store.ListRequests{})
	if err != nil || len(rs) != 0 {
		t.Fatalf("refused sign-ups stored %d requests, %v", len(rs), err)
	}
	// Values are stored cleaned, as the portal would have sent them.
	in = f.input()
	in.Country, in.Username, in.Email = "de", "Ada.Upper", "ada@CONTOSO.test"
	res, err := f.svc.SignUp(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := snapshot(t, f.db, res.Number)
	if r.Country != "DE" || r.Username != "ada.upper" || r.Email != "ada@contoso.test" {
		t.Fatalf("stored %q %q %q", r.Country, r.Username, r.Email)
	}
}
