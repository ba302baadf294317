package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

func TestRegistration_BulkApprove(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	var rs []store.Request
	for _, c := range []string{"Alpha", "Bravo", "Charlie", "Delta"} {
		rs = append(rs, f.signUp(c+" Ltd", c, strings.ToLower(c)+"@"+strings.ToLower(c)+".test", true))
	}
	a := f.app(80, 24)

	t.Run("space marks and moves down; the count stays beside the status line", func(t *testing.T) {
		press(t, a, "space", "space", "space")
		mustContain(t, a, "3 marked: a approves, x rejects them", "• 3 marked", "a approve marked")
		if got := strings.Count(shown(a), " • REG-"); got != 3 {
			t.Fatalf("%d rows show the mark:\n%s", got, shown(a))
		}
		press(t, a, "up", "space") // unmark the third
		mustContain(t, a, "2 marked", "▌  "+rs[3].Number)
		press(t, a, "up", "space")
		mustContain(t, a, "3 marked")
	})
	t.Run("the confirmation names how many and which", func(t *testing.T) {
		press(t, a, "a")
		mustContain(t, a, "Approve 3 marked requests?", rs[0].Number+" · Alpha Ltd", rs[1].Number+" · Bravo Ltd",
			rs[2].Number+" · Charlie Ltd", "skipped and listed")
		if strings.Contains(shown(a), "Delta") && strings.Contains(shown(a), rs[3].Number+" · Delta") {
			t.Fatalf("an unmarked request is named:\n%s", shown(a))
		}
		press(t, a, "esc")
		mustContain(t, a, "Cancelled; nothing changed.", "• 3 marked")
		for _, r := range rs {
			if got := requestStatus(t, f, r.Number); got.Status != domain.Verified {
				t.Fatalf("%s is %s after cancel", r.Number, got.Status)
			}
		}
	})
	t.Run("one changed under the approver is skipped and listed", func(t *testing.T) {
		if _, err := f.svc.Reject(ctx, workflow.Action{Number: rs[1].Number, Actor: "bob"}, "duplicate", ""); err != nil {
			t.Fatal(err)
		}
		press(t, a, "a", "y")
		mustContain(t, a, "Some requests were skipped", "Approved 2 of 3.", rs[1].Number+" is rejected", "by bob")
		press(t, a, "enter")
		mustContain(t, a, "Approved 2 of 3; 1 skipped (listed).")
		if strings.Contains(shown(a), "marked") {
			t.Fatalf("marks left after the bulk approve:\n%s", shown(a))
		}
		for i, want := range []domain.RequestStatus{domain.Approved, domain.Rejected, domain.Approved, domain.Verified} {
			got := requestStatus(t, f, rs[i].Number)
			if got.Status != want {
				t.Fatalf("%s = %s, want %s", rs[i].Number, got.Status, want)
			}
			if want == domain.Approved && got.DecidedBy != "alice" {
				t.Fatalf("%s decided by %q", rs[i].Number, got.DecidedBy)
			}
		}
	})
}

func TestRegistration_BulkReject(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r1 := f.signUp("Echo Ltd", "Eve", "eve@echo.test", true)
	r2 := f.signUp("Foxtrot Ltd", "Fred", "fred@foxtrot.test", true)
	a := f.app(80, 24)
	press(t, a, "space", "space", "x")
	mustContain(t, a, "Reject 2 marked requests", "one reason for all", "Comment for the prospect")
	press(t, a, "right", "tab")
	typeText(t, a, "Please send your VAT number.")
	press(t, a, "enter")
	mustContain(t, a, "Reject 2 marked requests?", r1.Number+" · Echo Ltd", r2.Number+" · Foxtrot Ltd", `"incomplete"`,
		"Please send your VAT number.")
	press(t, a, "y")
	mustContain(t, a, "✓ Rejected 2 requests: "+r1.Number+", "+r2.Number+".")
	for _, r := range []store.Request{r1, r2} {
		got := requestStatus(t, f, r.Number)
		if got.Status != domain.Rejected || got.RejectReason != "incomplete" || got.RejectComment != "Please send your VAT number." {
			t.Fatalf("%s = %+v", r.Number, got)
		}
		mails, err := f.db.Read().Mails(ctx, store.ListMail{Ref: r.Number})
		if err != nil || len(mails) == 0 || mails[0].Kind != "rejection" {
			t.Fatalf("%s: %+v %v", r.Number, mails, err)
		}
		trail, _ := f.db.Read().AuditTrail(ctx, store.EntityRequest, r.Number)
		if last := trail[len(trail)-1]; last.Action != "reject" || last.Actor != "alice" {
			t.Fatalf("%s audit %+v", r.Number, last)
		}
	}
}

func TestRegistration_EscClearsMarks(t *testing.T) {
	f := newFixture(t)
	r := f.signUp("Golf Ltd", "Gil", "gil@golf.test", true)
	a := f.app(80, 24)
	press(t, a, "space", "esc")
	mustContain(t, a, "1 mark cleared.")
	press(t, a, "a")
	mustContain(t, a, "Approve "+r.Number+"?") // a single approve again
}

func TestRegistration_Risk(t *testing.T) {
	f := newFixture(t)
	clean := f.signUp("Hotel Ltd", "Hal", "hal@hotel.test", true)
	risky := f.signUp("India Ltd", "Ida", "ida@mailinator.com", true)
	a := f.app(80, 24)
	mustContain(t, a, "RISK", "high")
	t.Run("! keeps only risky requests", func(t *testing.T) {
		press(t, a, "!")
		mustContain(t, a, "risky only", risky.Number)
		if strings.Contains(shown(a), clean.Number) {
			t.Fatalf("a clean request in the risky list:\n%s", shown(a))
		}
		press(t, a, "!")
		mustContain(t, a, clean.Number, risky.Number)
	})
	t.Run("details say why", func(t *testing.T) {
		press(t, a, "G", "enter")
		mustContain(t, a, "Risk  high · 50 of 100", "Email domain mailinator.com is a disposable-mail service")
		press(t, a, "esc", "g", "enter")
		mustContain(t, a, "Risk  none", "no signal")
	})
}
