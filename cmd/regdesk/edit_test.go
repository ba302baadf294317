package main

import (
	"strings"
	"testing"
)

func TestCLI_RequestsEdit(t *testing.T) {
	t.Parallel()
	data := newData(t)
	regdesk(t, data, "", "seed", "--requests", "40").ok(t)
	editable := decode[[]requestJSON](t, regdesk(t, data, "", "requests", "list", "--status", "approved", "--json").ok(t))
	created := decode[[]requestJSON](t, regdesk(t, data, "", "requests", "list", "--status", "created", "--json").ok(t))
	if len(editable) == 0 || len(created) == 0 {
		t.Fatalf("seed made %d approved and %d created requests", len(editable), len(created))
	}
	r := editable[0]
	show := func(number string) requestJSON {
		return decode[requestJSON](t, regdesk(t, data, "", "requests", "show", number, "--json").ok(t))
	}

	out := regdesk(t, data, "", "requests", "edit", r.Number, "--as", "alice",
		"--set", "street=2 Side Street", "--set", "country=gb").ok(t)
	if !strings.HasPrefix(out, r.Number+" edited by alice") || !strings.Contains(out, `street: "`+r.Street+`" → "2 Side Street"`) {
		t.Fatalf("edit printed %q", out)
	}
	got := show(r.Number)
	if got.Street != "2 Side Street" || got.Country != "GB" || got.Version != r.Version+1 {
		t.Fatalf("after edit: %+v", got)
	}
	var edits []string
	for _, a := range got.Audit {
		if a.Action == "edit" && a.Actor == "alice" {
			edits = append(edits, a.Detail)
		}
	}
	if len(edits) != 2 || edits[0] != `street: "`+r.Street+`" → "2 Side Street"` {
		t.Fatalf("audit trail edits = %q", edits)
	}

	refused := []struct {
		name string
		args []string
		want string
		code int
	}{
		{"email", []string{r.Number, "--as", "alice", "--set", "email=new@x.example"}, "not editable", 1},
		{"unknown field", []string{r.Number, "--as", "alice", "--set", "password=x"}, "not a field of a request", 1},
		{"bad value", []string{r.Number, "--as", "alice", "--set", "country=XX", "--set", "city=Oslo"}, "Select a country", 1},
		{"no --set", []string{r.Number, "--as", "alice"}, "--set FIELD=VALUE", 2},
		{"no =", []string{r.Number, "--as", "alice", "--set", "street"}, "FIELD=VALUE", 2},
		{"twice", []string{r.Number, "--as", "alice", "--set", "city=A", "--set", "city=B"}, "given twice", 2},
		{"no actor", []string{r.Number, "--set", "city=Oslo"}, "--as", 1},
		{"created", []string{created[0].Number, "--as", "alice", "--set", "city=Oslo"}, "cannot edit", 1},
		{"unknown number", []string{"REG-999999", "--as", "alice", "--set", "city=Oslo"}, "not found", 1},
	}
	for _, tt := range refused {
		t.Run(tt.name, func(t *testing.T) {
			target := tt.args[0]
			if target == "REG-999999" {
				target = r.Number
			}
			before := show(target)
			res := regdesk(t, data, "", append([]string{"requests", "edit"}, tt.args...)...)
			res.fails(t, tt.want)
			if res.code != tt.code {
				t.Errorf("exit %d, want %d", res.code, tt.code)
			}
			if after := show(target); after.Version != before.Version || len(after.Audit) != len(before.Audit) {
				t.Fatal("a refused edit changed the request")
			}
		})
	}
}
