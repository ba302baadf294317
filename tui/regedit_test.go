package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

func TestRegistration_Edit(t *testing.T) {
	f := newFixture(t)
	r := f.signUp("Contoso Ltd", "Carl", "carl@contoso.test", true)
	a := f.app(100, 30)
	mustContain(t, a, r.Number, "e edit")

	press(t, a, "e")
	mustContain(t, a, "Edit "+r.Number, "Company name", "Street address", "carl@contoso.test (not editable)")
	// Street is the third field: company, tax id, street.
	press(t, a, "tab", "tab", "ctrl+u")
	typeText(t, a, "2 Side Street")
	press(t, a, "tab", "tab", "tab", "tab", "ctrl+u") // country
	typeText(t, a, "XX")
	press(t, a, "ctrl+s")
	mustContain(t, a, "Select a country from the list")
	if got := requestStatus(t, f, r.Number); got.Street != r.Street {
		t.Fatalf("an invalid form saved the street: %q", got.Street)
	}
	press(t, a, "ctrl+u")
	typeText(t, a, "gb")
	press(t, a, "ctrl+s")
	mustContain(t, a, "Save the changes to "+r.Number+"?", `Street address: "1 Main Street" → "2 Side Street"`,
		`Country: "US" → "GB"`, "Each change is recorded")
	press(t, a, "y")
	mustContain(t, a, r.Number+" edited (2 fields).")

	got := requestStatus(t, f, r.Number)
	if got.Street != "2 Side Street" || got.Country != "GB" || got.Status != domain.Verified {
		t.Fatalf("request after the edit = %+v", got)
	}
	trail, err := f.db.Read().AuditTrail(context.Background(), store.EntityRequest, r.Number)
	if err != nil {
		t.Fatal(err)
	}
	var details []string
	for _, e := range trail {
		if e.Action == workflow.EventEdit && e.Actor == "alice" {
			details = append(details, e.Detail)
		}
	}
	if strings.Join(details, "|") != `street: "1 Main Street" → "2 Side Street"|country: "US" → "GB"` {
		t.Fatalf("audit = %q", details)
	}

	t.Run("esc cancels and nothing changes", func(t *testing.T) {
		press(t, a, "e", "ctrl+u")
		typeText(t, a, "Other Name")
		press(t, a, "esc")
		mustContain(t, a, "Cancelled; nothing changed.")
		if got := requestStatus(t, f, r.Number); got.CompanyName != r.CompanyName {
			t.Fatalf("company = %q", got.CompanyName)
		}
	})
	t.Run("a request changed meanwhile is refused with who changed it", func(t *testing.T) {
		press(t, a, "e", "ctrl+u")
		typeText(t, a, "Contoso Group")
		if _, err := f.svc.Approve(context.Background(), workflow.Action{Number: r.Number, Actor: "bob"}); err != nil {
			t.Fatal(err)
		}
		press(t, a, "ctrl+s", "y")
		mustContain(t, a, "approve by bob")
		if got := requestStatus(t, f, r.Number); got.CompanyName != r.CompanyName {
			t.Fatalf("company = %q", got.CompanyName)
		}
	})
	t.Run("a request still waiting for activation cannot be edited", func(t *testing.T) {
		q := f.signUp("Fabrikam", "Fay", "fay@fabrikam.test", false)
		press(t, a, "tab") // Requested
		mustContain(t, a, q.Number)
		press(t, a, "e")
		mustContain(t, a, "Cannot edit "+q.Number+": it is requested.")
	})
}

func TestRegistration_EditFits80x24(t *testing.T) {
	f := newFixture(t)
	r := f.signUp("Contoso Ltd", "Carl", "carl@contoso.test", true)
	a := f.app(80, 24)
	press(t, a, "e")
	// Every field and the keys to leave fit on the smallest terminal.
	mustContain(t, a, "Edit "+r.Number, "Company name", "User name", "ctrl+s save", "esc cancel")
}
