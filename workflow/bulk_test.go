package workflow

import (
	"context"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

func TestService_BulkApprove(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a, b, c, d := f.request(domain.Verified), f.request(domain.Verified), f.request(domain.Verified), f.request(domain.Requested)
	// c changes under the approver after they saw it: bob rejects it.
	if _, err := f.svc.Reject(ctx, Action{Number: c.Number, Actor: "bob"}, "duplicate", ""); err != nil {
		t.Fatal(err)
	}
	var actions []Action
	for _, r := range []store.Request{a, b, c, d} {
		actions = append(actions, Action{Number: r.Number, Actor: "alice", Version: r.Version})
	}
	res := f.svc.BulkApprove(ctx, actions)
	if res.Done() != 2 || len(res.Outcomes) != 4 {
		t.Fatalf("done %d of %d: %+v", res.Done(), len(res.Outcomes), res.Outcomes)
	}
	skipped := res.Skipped()
	if len(skipped) != 2 || skipped[0].Number != c.Number || !strings.Contains(skipped[0].Reason, "is rejected") ||
		!strings.Contains(skipped[0].Reason, "by bob") || skipped[1].Number != d.Number || !strings.Contains(skipped[1].Reason, "is requested") {
		t.Fatalf("skipped = %+v", skipped)
	}
	for _, r := range []store.Request{a, b} {
		got, _ := f.db.Read().RequestByNumber(ctx, r.Number)
		if got.Status != domain.Approved || got.DecidedBy != "alice" {
			t.Fatalf("%s = %s by %s", r.Number, got.Status, got.DecidedBy)
		}
		trail, _ := f.db.Read().AuditTrail(ctx, store.EntityRequest, r.Number)
		if trail[len(trail)-1].Action != "approve" || trail[len(trail)-1].Actor != "alice" {
			t.Fatalf("%s audit = %+v", r.Number, trail[len(trail)-1])
		}
	}
	if got, _ := f.db.Read().RequestByNumber(ctx, c.Number); got.Status != domain.Rejected || got.DecidedBy != "bob" {
		t.Fatalf("the skipped request changed: %s by %s", got.Status, got.DecidedBy)
	}
	if got, _ := f.db.Read().RequestByNumber(ctx, d.Number); got.Status != domain.Requested {
		t.Fatalf("the requested one moved: %s", got.Status)
	}
}

func TestService_BulkReject(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	a, b := f.request(domain.Verified), f.request(domain.Approved)
	res := f.svc.BulkReject(ctx, []Action{{Number: a.Number, Actor: "alice", Version: a.Version},
		{Number: b.Number, Actor: "alice", Version: b.Version}}, "incomplete", "Please send a tax id.")
	if res.Done() != 2 {
		t.Fatalf("outcomes %+v", res.Outcomes)
	}
	for _, r := range []store.Request{a, b} {
		got, _ := f.db.Read().RequestByNumber(ctx, r.Number)
		if got.Status != domain.Rejected || got.RejectReason != "incomplete" || got.RejectComment != "Please send a tax id." {
			t.Fatalf("%s = %+v", r.Number, got)
		}
		mails, err := f.db.Read().Mails(ctx, store.ListMail{Ref: r.Number})
		if err != nil || len(mails) == 0 || mails[0].Kind != "rejection" || mails[0].To != r.Email {
			t.Fatalf("%s: no rejection mail of its own: %+v %v", r.Number, mails, err)
		}
	}
	t.Run("a bad reason rejects nothing", func(t *testing.T) {
		c := f.request(domain.Verified)
		res := f.svc.BulkReject(ctx, []Action{{Number: c.Number, Actor: "alice", Version: c.Version}}, "no-such-reason", "")
		if res.Done() != 0 || len(res.Skipped()) != 1 || res.Skipped()[0].Reason == "" {
			t.Fatalf("outcomes %+v", res.Outcomes)
		}
		if got, _ := f.db.Read().RequestByNumber(ctx, c.Number); got.Status != domain.Verified {
			t.Fatalf("status %s", got.Status)
		}
	})
}
