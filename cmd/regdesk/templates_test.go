package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestCLI_Templates(t *testing.T) {
	t.Parallel()
	data := t.TempDir()
	cli(t, data, "seed", "--requests", "1")
	list := func() []templateJSON {
		t.Helper()
		var out []templateJSON
		if err := json.Unmarshal([]byte(cli(t, data, "templates", "list", "--json")), &out); err != nil {
			t.Fatal(err)
		}
		return out
	}
	before := list()
	if len(before) != 3 || before[0].Code != "EU" || before[0].Description != "European Union customer" ||
		before[0].CustomerGroup != "EU" || before[0].Currency != "EUR" || before[0].PaymentTerms != "Net 30" {
		t.Fatalf("templates list --json: %+v", before)
	}
	if text := cli(t, data, "templates", "list"); !strings.Contains(text, "PAYMENT TERMS") || !strings.Contains(text, "Export customer, prepaid") {
		t.Fatalf("templates list:\n%s", text)
	}

	out := cli(t, data, "templates", "add", "NORDIC", "--description", "Nordic customer", "--group", "NOR",
		"--currency", "SEK", "--language", "sv-SE", "--payment-terms", "Net 45", "--as", "alice")
	if !strings.Contains(out, "template NORDIC added (by alice)") {
		t.Fatalf("add: %q", out)
	}
	out = cli(t, data, "templates", "set", "NORDIC", "--payment-terms", "Net 60")
	if !strings.Contains(out, "Nordic customer · NOR · SEK · sv-SE · Net 60 (by operator)") {
		t.Fatalf("set: %q", out)
	}
	before = list()

	fails := func(want string, args ...string) {
		t.Helper()
		_, err := inproc(t, append(args, "--data", data)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("regdesk %s: %v, want an error saying %q", strings.Join(args, " "), err, want)
		}
		if after := list(); len(after) != len(before) || after[len(after)-2] != before[len(before)-2] {
			t.Fatalf("regdesk %s refused but changed %+v", strings.Join(args, " "), after)
		}
	}
	fails("template NORDIC exists", "templates", "add", "NORDIC", "--description", "x", "--group", "G",
		"--currency", "EUR", "--language", "en", "--payment-terms", "Net 1")
	fails("description is required", "templates", "add", "BALTIC", "--group", "G", "--currency", "EUR",
		"--language", "en", "--payment-terms", "Net 1")
	fails("ISO 4217", "templates", "set", "NORDIC", "--currency", "kronor")
	fails("nothing to change", "templates", "set", "NORDIC")
	fails(`no template "BALTIC"`, "templates", "set", "BALTIC", "--currency", "EUR")
	fails("parameter customer.default_template names template STANDARD", "templates", "remove", "STANDARD")
	fails(`no template "BALTIC"`, "templates", "remove", "BALTIC")

	out = cli(t, data, "templates", "remove", "NORDIC")
	if !strings.Contains(out, "template NORDIC removed") {
		t.Fatalf("remove: %q", out)
	}
	for _, x := range list() {
		if x.Code == "NORDIC" {
			t.Fatal("removed template still listed")
		}
	}
}
