package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCLI_Sequences(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	cli(t, data, "seed", "--requests", "3")
	type seq struct {
		Name, Param, Format string
		Next                int64
		NextNumber          string `json:"next_number"`
	}
	show := func() map[string]seq {
		t.Helper()
		var list []seq
		if err := json.Unmarshal([]byte(cli(t, data, "sequences", "show", "--json")), &list); err != nil {
			t.Fatal(err)
		}
		out := map[string]seq{}
		for _, s := range list {
			out[s.Name] = s
		}
		return out
	}
	before := show()
	if len(before) != 3 || before["registration"].Next != 4 || before["registration"].NextNumber != "REG-000004" ||
		before["customer"].Format != "C{00000}" {
		t.Fatalf("sequences show --json: %+v", before)
	}
	text := cli(t, data, "sequences", "show")
	for _, want := range []string{"NAME", "FORMAT", "NEXT NUMBER", "registration", "REG-{000000}", "REG-000004", "user_request"} {
		if !strings.Contains(text, want) {
			t.Fatalf("sequences show lacks %q:\n%s", want, text)
		}
	}

	fails := func(want string, args ...string) {
		t.Helper()
		_, err := inproc(t, append(args, "--data", data)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("regdesk %s: %v, want an error saying %q", strings.Join(args, " "), err, want)
		}
		if after := show(); after["registration"] != before["registration"] || after["customer"] != before["customer"] {
			t.Fatalf("regdesk %s refused but changed %+v", strings.Join(args, " "), after)
		}
	}
	fails("only moves forward", "sequences", "set", "registration", "--next", "2", "--as", "alice")
	fails("only moves forward", "sequences", "set", "registration", "--next", "4", "--as", "alice")
	fails("--next N is required", "sequences", "set", "registration", "--as", "alice")
	fails("--as", "sequences", "set", "registration", "--next", "100", "--as", "")
	fails(`no sequence "invoices"`, "sequences", "set", "invoices", "--next", "100", "--as", "alice")
	fails("invalid argument", "sequences", "set", "registration", "--next", "lots", "--as", "alice")

	out := cli(t, data, "sequences", "set", "customer", "--next", "120", "--as", "alice")
	if !strings.Contains(out, "the next customer number is C00120 (by alice)") {
		t.Fatalf("set: %q", out)
	}
	if got := show()["customer"]; got.Next != 120 {
		t.Fatalf("after set: %+v", got)
	}
	// As SPEC writes it, without --as: the operator moves it, as for params set.
	out = cli(t, data, "sequences", "set", "customer", "--next", "130")
	if !strings.Contains(out, "the next customer number is C00130 (by operator)") {
		t.Fatalf("set without --as: %q", out)
	}
}
