package main

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// candidate is one line of `regdesk __complete`: the word and its description.
type candidate struct{ word, desc string }

// complete asks the command line what TAB offers after words, as the shell
// scripts of `regdesk completion` do.
func complete(t *testing.T, data string, words ...string) []candidate {
	t.Helper()
	var out, errb bytes.Buffer
	args := append(withDB(data, []string{"__complete", "--data", data}), words...) // the last word is the one completed
	if err := run(context.Background(), args, strings.NewReader(""), &out, &errb); err != nil {
		t.Fatalf("__complete %v: %v\n%s", words, err, errb.String())
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, ":") {
		t.Fatalf("__complete %v: no directive line in %q", words, out.String())
	}
	var cs []candidate
	for _, l := range lines[:len(lines)-1] {
		w, d, _ := strings.Cut(l, "\t")
		cs = append(cs, candidate{w, d})
	}
	return cs
}

func words(cs []candidate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.word)
	}
	return out
}

// newest lists the numbers of requests in the statuses, newest first.
func newest(t *testing.T, data string, statuses ...domain.RequestStatus) []string {
	t.Helper()
	db, err := store.Open(context.Background(), dataDB(data), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var rs []store.Request
	for _, s := range statuses {
		page, err := db.Read().Requests(context.Background(), store.ListRequests{Status: s})
		if err != nil {
			t.Fatal(err)
		}
		rs = append(rs, page...)
	}
	slices.SortFunc(rs, func(a, b store.Request) int { return int(b.ID - a.ID) })
	var out []string
	for _, r := range rs {
		out = append(out, r.Number)
	}
	return out
}

func TestCompletion_SeededDatabase(t *testing.T) {
	t.Parallel()
	data := newData(t)
	if _, err := inproc(t, "seed", "--requests", "400", "--data", data); err != nil {
		t.Fatal(err)
	}
	hostile := signUpVerified(t, dataDB(data),
		"Escape \x1b[2J\x1b]0;pwned\x07Corp", "esc@escape.test")

	t.Run("approve offers the verified requests, newest first", func(t *testing.T) {
		got := complete(t, data, "requests", "approve", "")
		want := newest(t, data, domain.Verified)
		if len(want) > completionCap {
			want = want[:completionCap]
		}
		if len(want) < 2 || !slices.Equal(words(got), want) {
			t.Fatalf("approve offers %v, want %v", words(got), want)
		}
		if got[0].word != hostile {
			t.Fatalf("newest verified %s is not first: %v", hostile, words(got))
		}
		for _, c := range got {
			if !strings.HasPrefix(c.desc, "verified · ") || strings.ContainsAny(c.desc, "\x1b\x07") {
				t.Fatalf("description %q of %s", c.desc, c.word)
			}
		}
		if got[0].desc != "verified · Escape Corp" {
			t.Fatalf("the company name's escape sequences were not stripped: %q", got[0].desc)
		}
	})

	t.Run("show offers every status, capped", func(t *testing.T) {
		got := words(complete(t, data, "requests", "show", ""))
		all := newest(t, data, domain.RequestStatuses...)
		if !slices.Equal(got, all[:completionCap]) {
			t.Fatalf("show offers %v, want the %d newest %v", got, completionCap, all[:completionCap])
		}
	})

	t.Run("a typed prefix narrows to matching numbers", func(t *testing.T) {
		got := words(complete(t, data, "requests", "show", "REG-00010"))
		if len(got) != 10 {
			t.Fatalf("REG-00010 offers %v, want REG-000100 … REG-000109", got)
		}
		for i, w := range got {
			if want := "REG-00010" + string(rune('9'-i)); w != want {
				t.Fatalf("candidate %d is %s, want %s (newest first)", i, w, want)
			}
		}
	})

	t.Run("reject offers verified and approved; create approved; erase no created", func(t *testing.T) {
		verified := newest(t, data, domain.Verified)
		if _, err := inproc(t, "requests", "approve", verified[1], "--as", "alice", "--data", data); err != nil {
			t.Fatal(err)
		}
		check := func(cmd string, statuses ...domain.RequestStatus) {
			t.Helper()
			want := newest(t, data, statuses...)
			if len(want) > completionCap {
				want = want[:completionCap]
			}
			if got := words(complete(t, data, "requests", cmd, "")); !slices.Equal(got, want) {
				t.Fatalf("%s offers %v, want %v", cmd, got, want)
			}
		}
		check("reject", domain.Verified, domain.Approved)
		check("create", domain.Approved)
		check("resend", domain.Requested)
		check("erase", domain.Requested, domain.Rejected, domain.Expired)
		if got := words(complete(t, data, "requests", "create", "")); !slices.Contains(got, verified[1]) {
			t.Fatalf("create does not offer the request just approved, %s: %v", verified[1], got)
		}
		if got := complete(t, data, "requests", "approve", verified[0], ""); len(got) != 0 {
			t.Fatalf("a second NUMBER is offered: %v", got)
		}
	})

	t.Run("flags: approvers, reasons, templates, roles, statuses", func(t *testing.T) {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		sp, err := ssh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		keyFile := filepath.Join(t.TempDir(), "key.pub")
		if err := os.WriteFile(keyFile, ssh.MarshalAuthorizedKey(sp), 0o600); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"alice", "bob"} {
			if _, err := inproc(t, "approvers", "add", name, "--key", keyFile, "--data", data); err != nil && name == "alice" {
				t.Fatal(err)
			}
		}
		if got := words(complete(t, data, "requests", "approve", "REG-000001", "--as", "")); !slices.Equal(got, []string{"alice"}) {
			t.Fatalf("--as offers %v", got)
		}
		if got := words(complete(t, data, "approvers", "remove", "a")); !slices.Equal(got, []string{"alice"}) {
			t.Fatalf("approvers remove offers %v", got)
		}
		if _, err := inproc(t, "params", "set", "reject.reasons", "spam,duplicate", "--data", data); err != nil {
			t.Fatal(err)
		}
		if got := words(complete(t, data, "requests", "reject", "REG-000001", "--reason", "")); !slices.Equal(got, []string{"spam", "duplicate"}) {
			t.Fatalf("--reason offers %v, want the reject.reasons parameter", got)
		}
		if got := words(complete(t, data, "requests", "create", "REG-000001", "--template", "")); !slices.Equal(got, []string{"EU", "EXPORT", "STANDARD"}) {
			t.Fatalf("--template offers %v", got)
		}
		if got := words(complete(t, data, "requests", "create", "REG-000001", "--role", "customer_a")); !slices.Equal(got, []string{store.RoleCustomerAdmin}) {
			t.Fatalf("--role offers %v", got)
		}
		if got := words(complete(t, data, "user-requests", "list", "--status", "")); strings.Join(got, ",") != "draft,submitted,pending_approval,provisioned,completed,rejected,canceled,failed" {
			t.Fatalf("user-requests --status offers %v", got)
		}
	})

	t.Run("params: keys, then what the key accepts", func(t *testing.T) {
		var keys []string
		for _, d := range workflow.ParamDefs() {
			keys = append(keys, d.Key)
		}
		if got := words(complete(t, data, "params", "set", "")); !slices.Equal(got, keys) {
			t.Fatalf("params set offers %v", got)
		}
		for key, want := range map[string][]string{
			"workflow.enabled":          {"true", "false"},
			"user.default_role":         {store.RoleCustomerUser, store.RoleCustomerAdmin},
			"customer.default_template": {"EU", "EXPORT", "STANDARD"},
			"link.activation_ttl":       {"48h"},
			"reject.reasons":            {"spam,duplicate", "duplicate,incomplete,unverifiable,not_eligible,other"},
		} {
			if got := words(complete(t, data, "params", "set", key, "")); !slices.Equal(got, want) {
				t.Errorf("params set %s offers %v, want %v", key, got, want)
			}
		}
		if got := complete(t, data, "params", "set", "no.such", ""); len(got) != 0 {
			t.Errorf("an unknown key's values: %v", got)
		}
	})

	t.Run("user requests by the status the command accepts", func(t *testing.T) {
		// With the workflow off, Create leaves the user request a draft for
		// the approver to provision by hand.
		if _, err := inproc(t, "params", "set", "workflow.enabled", "false", "--data", data); err != nil {
			t.Fatal(err)
		}
		approved := newest(t, data, domain.Approved)
		if _, err := inproc(t, "requests", "create", approved[0], "--as", "alice", "--data", data); err != nil {
			t.Fatal(err)
		}
		db, err := store.Open(context.Background(), dataDB(data), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		drafts, err := db.Read().UserRequests(context.Background(), store.ListUserRequests{Status: domain.URDraft})
		db.Close()
		if err != nil {
			t.Fatal(err)
		}
		got := words(complete(t, data, "user-requests", "provision", ""))
		if len(drafts) != 1 || !slices.Equal(got, []string{drafts[0].Number}) {
			t.Fatalf("provision offers %v; drafts %v", got, drafts)
		}
		if got := complete(t, data, "user-requests", "retry", ""); len(got) != 0 {
			t.Fatalf("retry offers %v with no failed user request", got)
		}
	})

	t.Run("completion reads while a writer holds the database", func(t *testing.T) {
		db, err := store.Open(context.Background(), dataDB(data), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var got []candidate
		err = db.WithTx(context.Background(), func(tx *store.Tx) error {
			// The write lock is held until this returns; a completion that
			// waited for it would time out with nothing.
			if err := tx.InsertAudit(context.Background(), store.AuditEntry{Actor: "test",
				Entity: store.EntityApprover, Ref: "lock", Action: "hold"}); err != nil {
				return err
			}
			got = complete(t, data, "requests", "approve", "")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) == 0 {
			t.Fatal("completion offered nothing while a write transaction was open")
		}
	})

	t.Run("a missing database offers nothing and is not created", func(t *testing.T) {
		missing := filepath.Join(t.TempDir(), "typo")
		if got := complete(t, missing, "requests", "approve", ""); len(got) != 0 {
			t.Fatalf("offers %v", got)
		}
		if _, err := os.Stat(missing); !os.IsNotExist(err) {
			t.Fatalf("completion created %s: %v", missing, err)
		}
	})
}

func TestCompletion_Scripts(t *testing.T) {
	t.Parallel()
	for shell, marker := range map[string]string{
		"bash": "__start_regdesk", "zsh": "#compdef regdesk",
		"fish": "complete -c regdesk", "powershell": "Register-ArgumentCompleter",
	} {
		out, err := inproc(t, "completion", shell)
		if err != nil || !strings.Contains(out, marker) {
			t.Errorf("completion %s: %v, lacks %q", shell, err, marker)
		}
	}
	if _, err := inproc(t, "completion", "tcsh"); err == nil {
		t.Error("completion for an unknown shell succeeded")
	}
}
