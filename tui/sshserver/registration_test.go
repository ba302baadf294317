package sshserver

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
)

// TestSSH_TwoApproversOneRequest: two approvers over SSH, each on the
// Registration screen exactly as serve wires it, act on the same request at
// once; one approval lands, the other is told who beat them, and both
// screens show the outcome without a keypress.
func TestSSH_TwoApproversOneRequest(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock()
	db := storetest.NewWithClock(t, clock.Now)
	svc := workflow.New(workflow.Config{DB: db, BaseURL: "http://portal.test"})
	res, err := svc.SignUp(ctx, workflow.SignupInput{CompanyName: "Contoso Ltd", Street: "1 Main Street",
		City: "Springfield", PostalCode: "62701", Country: "US", FirstName: "Ada", LastName: "Tester",
		Email: "ada@contoso.test", Phone: "+1 217 555 0100", Username: "ada", PasswordHash: "$argon2id$test"})
	if err != nil {
		t.Fatal(err)
	}
	clock.Advance(time.Minute)
	if _, err := svc.Activate(ctx, res.Token); err != nil {
		t.Fatal(err)
	}
	number := res.Number

	e := newSSHTestEnv(t, func(c *Config) { c.DB = db; c.NewModel = Registration(svc, db, nil) })
	alice, bob := e.AddApprover("alice"), e.AddApprover("bob")

	ta := e.Open(alice, sshTermOptions{Width: 120, Height: 40})
	tb := e.Open(bob, sshTermOptions{Width: 120, Height: 40})
	for _, tm := range []*sshTerm{ta, tb} {
		tm.WaitFor(number)
		tm.WaitFor("Contoso Ltd")
	}
	// Both open the approve confirmation, then both confirm.
	ta.Send("a")
	tb.Send("a")
	ta.WaitFor("Approve " + number + "?")
	tb.WaitFor("Approve " + number + "?")
	ta.Send("y")
	ta.WaitFor(number + " approved")
	tb.Send("y")
	tb.WaitFor("alice")

	got, err := db.Read().RequestByNumber(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "approved" || got.DecidedBy != "alice" {
		t.Fatalf("request is %s by %q, want approved by alice", got.Status, got.DecidedBy)
	}
	trail, err := db.Read().AuditTrail(ctx, store.EntityRequest, number)
	if err != nil {
		t.Fatal(err)
	}
	approvals := 0
	for _, a := range trail {
		if a.Action == "approve" {
			// Over SSH the key names the approver; no local account is involved.
			if a.Actor != "alice" || a.OSUser != "" {
				t.Errorf("approval recorded for %q (os user %q), want the key's approver alice alone", a.Actor, a.OSUser)
			}
			approvals++
		}
	}
	if approvals != 1 {
		t.Fatalf("%d approvals in the audit trail, want 1", approvals)
	}
	// Bob's screen was told why, naming who acted.
	if s := tb.Screen(); !strings.Contains(s, "alice") {
		t.Fatalf("bob's screen does not say alice approved it:\n%s", s)
	}
}
