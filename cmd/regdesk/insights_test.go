package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCLI_Insights(t *testing.T) {
	t.Parallel()
	data := newData(t)
	regdesk(t, data, "", "seed", "--requests", "300").ok(t)
	verified := decode[[]map[string]any](t, regdesk(t, data, "", "requests", "list",
		"--status", "verified", "--limit", "1", "--json").ok(t))
	regdesk(t, data, "", "requests", "approve", verified[0]["number"].(string), "--as", "zoe").ok(t)

	in := decode[map[string]any](t, regdesk(t, data, "", "insights", "--days", "30", "--json").ok(t))
	for _, k := range []string{"days", "since", "until", "signups", "verified", "verification_rate", "per_day",
		"verified_queue", "verified_to_decision", "approved", "rejected", "rejected_by_reason", "approvers", "expired"} {
		if _, ok := in[k]; !ok {
			t.Fatalf("insights JSON lacks %q: %v", k, in)
		}
	}
	if in["days"].(float64) != 30 || len(in["per_day"].([]any)) != 30 {
		t.Fatalf("days %v, %d per day", in["days"], len(in["per_day"].([]any)))
	}
	found := false
	for _, a := range in["approvers"].([]any) {
		a := a.(map[string]any)
		found = found || (a["approver"] == "zoe" && a["approved"].(float64) == 1)
	}
	if !found {
		t.Fatalf("zoe's approval is not counted: %v", in["approvers"])
	}
	if in["verified_queue"].(map[string]any)["waiting"].(float64) < 1 {
		t.Fatalf("queue %v", in["verified_queue"])
	}

	text := regdesk(t, data, "", "insights").ok(t)
	for _, want := range []string{"Insights, the last 30 days", "sign-ups per day", "Verified queue", "Verified to decision", "zoe"} {
		if !strings.Contains(text, want) {
			t.Fatalf("text lacks %q:\n%s", want, text)
		}
	}

	t.Run("bad input changes nothing and says why", func(t *testing.T) {
		for _, days := range []string{"0", "367", "-3"} {
			r := regdesk(t, data, "", "insights", "--days", days)
			r.fails(t, "--days must be from 1 to 366")
			if r.code != 2 {
				t.Fatalf("--days %s: exit %d", days, r.code)
			}
		}
		regdesk(t, data, "", "insights", "--days", "many").fails(t, "many")
		regdesk(t, t.TempDir(), "", "insights").fails(t, "no database")
	})
	t.Run("a malformed disposable-domains file is named", func(t *testing.T) {
		os.WriteFile(filepath.Join(data, "disposable-domains.txt"), []byte("burner.example\nme@burner.example\n"), 0o600)
		defer os.Remove(filepath.Join(data, "disposable-domains.txt"))
		regdesk(t, data, "", "insights").fails(t, "disposable-domains.txt line 2")
	})
}
