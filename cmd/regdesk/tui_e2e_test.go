package main

import (
	"context"
	"encoding/json"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// TestTUI_EndToEnd builds the real binary and drives `regdesk tui` in tmux:
// find a verified request, approve it, create its customer, then check the
// result with `regdesk requests show --json`.
func TestTUI_EndToEnd(t *testing.T) {
	t.Parallel()
	needTmux(t)
	if testing.Short() {
		t.Skip("builds the binary; not in -short mode")
	}
	bin, err := binary()
	if err != nil {
		t.Fatal(err)
	}
	data := newData(t)
	cli := func(args ...string) []byte { t.Helper(); return []byte(regdesk(t, data, "", args...).ok(t)) }
	cli("seed", "--requests", "20")
	number := signUpVerified(t, dataDB(data),
		"E2E Robotics \x1b[2J\x1b]0;pwned\x07Ltd", "erin@e2e-robotics.test")

	term := startTmux(t, 100, 30, strings.Join(withDB(data, []string{bin, "tui", "--as", "erin", "--data", data}), " "))
	keys, waitFor := term.keys, term.waitFor

	waitFor("▸ Verified", "NUMBER")
	keys("/")
	keys("-l", "e2e-robotics")
	keys("Enter")
	s := waitFor("esc clears", number, "E2E Robotics")
	if strings.Contains(s, "pwned") {
		t.Fatalf("an OSC title sequence from the company name reached the screen:\n%s", s)
	}
	// Correct the street before approving: the form checks it like the
	// sign-up page, and the audit trail records old → new.
	keys("e")
	waitFor("Edit "+number, "Street address", "(not editable)")
	keys("Tab", "Tab", "C-u")
	keys("-l", "9 Robot Way")
	keys("C-s")
	waitFor("Save the changes to "+number+"?", `"1 Robot Way" → "9 Robot Way"`)
	keys("y")
	waitFor(number + " edited (1 field)")
	keys("a")
	waitFor("Approve " + number + "?")
	keys("y")
	waitFor("✓ " + number + " approved")
	keys("Tab", "Tab") // Approved
	// The number is in the status line already: wait for the selected row.
	waitFor("▸ Approved", "▌  "+number)
	keys("c")
	waitFor("(next number)")
	keys("Enter")
	waitFor("Create the customer for " + number)
	keys("y")
	// Not just "customer C": the confirmation says "Creates customer C…"
	// too, and q before the create lands would leave the request approved.
	waitFor(number+": customer C", " created; user request ")
	keys("q")

	var got struct {
		Status          domain.RequestStatus `json:"status"`
		CustomerAccount string               `json:"customer_account"`
		DecidedBy       string               `json:"decided_by"`
		Street          string               `json:"street"`
		Audit           []struct {
			Actor  string `json:"actor"`
			OSUser string `json:"os_user"`
			Action string `json:"action"`
			Detail string `json:"detail"`
		} `json:"audit"`
	}
	if err := json.Unmarshal(cli("requests", "show", number, "--json"), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != domain.Created || got.CustomerAccount == "" || got.DecidedBy != "erin" {
		t.Fatalf("request after the TUI = %+v", got)
	}
	edited := false
	me, err := user.Current()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range got.Audit {
		edited = edited || a.Action == "edit" && a.Actor == "erin" && a.Detail == `street: "1 Robot Way" → "9 Robot Way"`
		// The local TUI's --as is recorded with the account that ran it.
		if a.Actor == "erin" && !strings.HasPrefix(a.OSUser, me.Username) {
			t.Errorf("the local TUI's %s is recorded with os user %q, want %s", a.Action, a.OSUser, me.Username)
		}
	}
	if !edited || got.Street != "9 Robot Way" {
		t.Fatalf("the TUI's edit is not in requests show --json: street %q, audit %+v", got.Street, got.Audit)
	}
	if log, err := os.ReadFile(filepath.Join(data, "tui.log")); err != nil || !strings.Contains(string(log), "customer created") {
		t.Fatalf("tui.log = %q, %v", log, err)
	}
}

// signUpVerified makes a verified request through the workflow, as the
// portal would; the user name is the address's local part.
func signUpVerified(t *testing.T, path, company, email string) string {
	t.Helper()
	return signUpVerifiedAs(t, path, company, email, usernameOf(email))
}

// signUpVerifiedAs is signUpVerified with the prospect's user name.
func signUpVerifiedAs(t *testing.T, path, company, email, username string) string {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := workflow.New(workflow.Config{DB: db})
	res, err := svc.SignUp(ctx, workflow.SignupInput{CompanyName: "E2E Robotics Ltd", Street: "1 Robot Way",
		City: "Austin", PostalCode: "73301", Country: "US", FirstName: "Erin", LastName: "Engineer",
		Email: email, Phone: "+1 512 555 0100", Username: username, PasswordHash: "$argon2id$e2e"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := svc.Activate(ctx, res.Token)
	if err != nil {
		t.Fatal(err)
	}
	// The workflow refuses control characters now; a database restored from
	// before it did can still hold them, and the screen must stay harmless.
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.EditRequest(ctx, store.RequestEdit{ID: r.ID, Status: r.Status, Version: r.Version,
			Fields: map[string]string{"company_name": company}})
	})
	if err != nil {
		t.Fatal(err)
	}
	return res.Number
}

// usernameOf is a user name from an address's local part: "erin@x" → "erin.e2e".
func usernameOf(email string) string {
	local, _, _ := strings.Cut(email, "@")
	return local + ".e2e"
}
