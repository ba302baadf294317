package main

import (
	"context"
	"encoding/json"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// TestLocalAsIsWhateverIsTyped: `--as` on a local command was whatever was
// typed, so anyone with the database could act as any approver and the
// audit trail believed it. The trail now records the operating-system
// account beside the name typed, from the process's user id ($USER does
// not change it), and a name cannot forge that part.
func TestLocalAsIsWhateverIsTyped(t *testing.T) {
	t.Setenv("USER", "mallory")
	t.Setenv("SUDO_USER", "")
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	path := filepath.Join(data, store.DBFile)
	number := signUpVerified(t, path, "Local Actor Ltd", "erin@local-actor.test")

	if _, err := inproc(t, "requests", "approve", number, "--as", "alice", "--data", data); err != nil {
		t.Fatalf("approve: %v", err)
	}
	js, err := inproc(t, "requests", "show", number, "--json", "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	var shown struct {
		Audit []auditJSON `json:"audit"`
	}
	if err := json.Unmarshal([]byte(js), &shown); err != nil {
		t.Fatal(err)
	}
	var approve *auditJSON
	for i, a := range shown.Audit {
		if a.Action == "approve" {
			approve = &shown.Audit[i]
		}
	}
	if approve == nil {
		t.Fatalf("no approval in the audit trail: %s", js)
	}
	wantOS := osUserLabel(me.Username, loginUser(), "")
	if approve.Actor != "alice" || approve.OSUser != wantOS || !strings.HasPrefix(approve.OSUser, me.Username) {
		t.Fatalf("approval recorded as actor %q, os user %q; want alice and %q", approve.Actor, approve.OSUser, wantOS)
	}
	text, err := inproc(t, "requests", "show", number, "--data", data)
	if err != nil {
		t.Fatal(err)
	}
	if want := domain.ActorLabel("alice", wantOS); !strings.Contains(text, want+"  approve") {
		t.Errorf("history does not say %q:\n%s", want, text)
	}
	if strings.Contains(text, "mallory") {
		t.Errorf("$USER reached the audit trail:\n%s", text)
	}

	t.Run("a name that forges the os part is refused, nothing changes", func(t *testing.T) {
		before, _ := inproc(t, "requests", "show", number, "--json", "--data", data)
		_, err := inproc(t, "requests", "reject", number, "--reason", "other", "--as", "alice (os: bob)", "--data", data)
		if err == nil || !strings.Contains(err.Error(), "must not hold parentheses") {
			t.Fatalf("err = %v, want the parentheses refusal", err)
		}
		if after, _ := inproc(t, "requests", "show", number, "--json", "--data", data); after != before {
			t.Errorf("a refused reject changed the request:\n%s\n%s", before, after)
		}
	})

	t.Run("serve's own rows carry no os user", func(t *testing.T) {
		db, err := store.Open(context.Background(), path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		ctx := context.Background()
		if err := db.WithTx(ctx, func(tx *store.Tx) error {
			return tx.InsertAudit(ctx, store.AuditEntry{Actor: "system", Entity: store.EntityRequest,
				Ref: number, Action: "note", OSUser: "forged"})
		}); err != nil {
			t.Fatal(err)
		}
		last, err := db.Read().LastAudit(ctx, store.EntityRequest, number)
		if err != nil || last.Action != "note" || last.OSUser != "" {
			t.Fatalf("last entry %+v, %v: want the note without an os user (the store sets it, not callers)", last, err)
		}
	})
}

func TestOSUserLabel(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, login, sudo, want string }{
		{"root", "", "", "root"},
		{"regdesk", "bob", "", "regdesk (login: bob)"},
		{"regdesk", "bob", "mallory", "regdesk (login: bob)"}, // the kernel's login uid wins over the environment
		{"regdesk", "regdesk", "", "regdesk"},
		{"regdesk", "", "bob", "regdesk (sudo: bob)"},
		{"bob", "", "bob", "bob"},
	} {
		if got := osUserLabel(tc.name, tc.login, tc.sudo); got != tc.want {
			t.Errorf("osUserLabel(%q, %q, %q) = %q, want %q", tc.name, tc.login, tc.sudo, got, tc.want)
		}
	}
}
