package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/workflow"
)

// hostileText is what a restored or hand-edited database may hold in any
// text column: a clear-screen, a window title, a clipboard write (OSC 52),
// a bidi override and a C1 control sequence introducer around the words.
const hostileText = "\x1b[2J\x1b]0;pwned\x07Evil\u202e Corp\u009b31m\x1b]52;c;Y2xpcGJvYXJk\x07 Ltd"

// mustBeHarmless fails when the screen, as drawn, holds anything of
// hostileText but its words: an escape sequence other than colour, the title
// or clipboard payloads, the bidi override or the C1 control.
func mustBeHarmless(t *testing.T, a *App, where string) {
	t.Helper()
	out := a.render()
	if rest := sgr.ReplaceAllString(out, ""); strings.ContainsRune(rest, 0x1b) {
		t.Fatalf("%s: an escape sequence other than colour reached the screen: %q", where, rest)
	}
	for _, bad := range []string{"pwned", "Y2xpcGJvYXJk", "\u202e", "\u009b"} {
		if strings.Contains(out, bad) {
			t.Fatalf("%s: %q reached the screen:\n%s", where, bad, shown(a))
		}
	}
}

// The Customers, Mail and User-requests screens show text from the database
// as the Registration screen does: escape bytes written straight into the
// database (past the workflow's checks) reach none of them, in the lists or
// the details.
func TestApp_EscapeSequencesOnEveryScreen(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.signUp("Adatum GmbH", "Ada", "ada@adatum.test", true)
	if _, err := f.svc.Approve(ctx, workflow.Action{Number: r.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetParam(ctx, workflow.ParamWorkflowEnabled, "false", "alice"); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Create(ctx, workflow.CreateInput{Action: workflow.Action{Number: r.Number, Actor: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE customers SET name = $1, city = $1, tax_id = $1 WHERE id = $2`,
		`UPDATE users SET email = $1 WHERE customer_id = $2`,
		`UPDATE contact_persons SET first_name = $1, last_name = $1, email = $1 WHERE customer_id = $2`,
		`UPDATE user_requests SET email = $1, last_error = $1 WHERE customer_id = $2`,
	} {
		if _, err := f.db.WriteDB().ExecContext(ctx, q, hostileText, res.Customer.ID); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	for _, q := range []string{
		`UPDATE user_request_steps SET detail = $1`,
		`UPDATE outbox SET to_addr = $1, subject = $1, text_body = $1, last_error = $1`,
	} {
		if _, err := f.db.WriteDB().ExecContext(ctx, q, hostileText); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	a := f.app(120, 40)

	press(t, a, "3")
	mustContain(t, a, res.Customer.Account, "Evil Corp")
	mustBeHarmless(t, a, "Customers")
	press(t, a, "enter")
	mustContain(t, a, "Users", "Evil Corp")
	mustBeHarmless(t, a, "customer details")
	press(t, a, "esc")

	press(t, a, "5", "tab") // Queued
	mustContain(t, a, "Evil Corp")
	mustBeHarmless(t, a, "Mail")
	press(t, a, "enter")
	mustContain(t, a, "Evil Corp")
	mustBeHarmless(t, a, "mail details")
	press(t, a, "esc")

	press(t, a, "2", "shift+tab") // All
	mustContain(t, a, res.UserRequest.Number)
	mustBeHarmless(t, a, "User requests")
	press(t, a, "enter")
	mustContain(t, a, "Steps", "Evil Corp")
	mustBeHarmless(t, a, "user request details")
}
