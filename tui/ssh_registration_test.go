package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/charmbracelet/ssh"

	tea "charm.land/bubbletea/v2"

	"github.com/regdesk/regdesk/store"
)

// withRegistration serves the real Registration screen, as serve does.
func (f *fixture) withRegistration(cfg *SSHConfig) {
	cfg.DB = f.db
	cfg.NewModel = func(sess ssh.Session, approver string) (tea.Model, error) {
		return New(Config{Context: sess.Context(), Service: f.svc, DB: f.db, Actor: approver}), nil
	}
}

// TestSSH_TwoApproversOneRequest: two approvers over SSH act on the same
// request at once; one approval lands, the other is told who beat them, and
// both screens show the outcome without a keypress.
func TestSSH_TwoApproversOneRequest(t *testing.T) {
	f := newFixture(t)
	r := f.signUp("Contoso Ltd", "Ada", "ada@contoso.test", true)
	e := newSSHTestEnv(t, f.withRegistration)
	alice, bob := e.AddApprover("alice"), e.AddApprover("bob")

	ta := e.Open(alice, sshTermOptions{Width: 120, Height: 40})
	tb := e.Open(bob, sshTermOptions{Width: 120, Height: 40})
	for _, tm := range []*sshTerm{ta, tb} {
		tm.WaitFor(r.Number)
		tm.WaitFor("Contoso Ltd")
	}
	// Both open the approve confirmation, then both confirm.
	ta.Send("a")
	tb.Send("a")
	ta.WaitFor("Approve " + r.Number + "?")
	tb.WaitFor("Approve " + r.Number + "?")
	ta.Send("y")
	ta.WaitFor(r.Number + " approved")
	tb.Send("y")
	tb.WaitFor("alice")

	got, err := f.db.Read().RequestByNumber(context.Background(), r.Number)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != "approved" || got.DecidedBy != "alice" {
		t.Fatalf("request is %s by %q, want approved by alice", got.Status, got.DecidedBy)
	}
	trail, _ := f.db.Read().AuditTrail(context.Background(), store.EntityRequest, r.Number)
	approvals := 0
	for _, a := range trail {
		if a.Action == "approve" {
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
