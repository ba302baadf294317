package workflow

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestService_Insights(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t) // the clock starts 2026-03-02 09:00 UTC
	signUp := func() (string, string) {
		t.Helper()
		res, err := f.svc.SignUp(ctx, f.input())
		if err != nil {
			t.Fatal(err)
		}
		return res.Number, res.Token
	}
	activate := func(token string) {
		t.Helper()
		if _, err := f.svc.Activate(ctx, token); err != nil {
			t.Fatal(err)
		}
	}
	a, ta := signUp()
	b, tb := signUp()
	signUp() // never activated: it expires
	f.clock.Advance(time.Hour)
	activate(ta)
	activate(tb)
	f.clock.Advance(2 * time.Hour)
	if _, err := f.svc.Approve(ctx, Action{Number: a, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(8 * time.Hour) // b: 10 hours after verification
	if _, err := f.svc.Reject(ctx, Action{Number: b, Actor: "bob"}, "duplicate", ""); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(15 * 24 * time.Hour) // 2026-03-17 19:00
	_, td := signUp()
	activate(td)
	if rep, err := f.svc.Maintain(ctx); err != nil || rep.Expired != 1 {
		t.Fatalf("maintenance expired %d: %v", rep.Expired, err)
	}
	f.clock.Advance(6 * time.Hour) // d has waited six hours

	in, err := f.svc.Insights(ctx, f.db.Read(), 30)
	if err != nil {
		t.Fatal(err)
	}
	if in.Signups != 4 || in.Verified != 3 || in.VerificationRate != 0.75 || len(in.PerDay) != 30 {
		t.Fatalf("sign-ups %d verified %d rate %v days %d", in.Signups, in.Verified, in.VerificationRate, len(in.PerDay))
	}
	first := in.PerDay[len(in.PerDay)-17] // 2026-03-02
	if first.Date != "2026-03-02" || first.Signups != 3 || first.Verified != 2 {
		t.Fatalf("day %+v", first)
	}
	if last := in.PerDay[len(in.PerDay)-1]; last.Date != "2026-03-18" || last.Signups != 0 {
		t.Fatalf("last day %+v (until %s)", last, in.Until)
	}
	if prev := in.PerDay[len(in.PerDay)-2]; prev.Signups != 1 || prev.Expired != 1 {
		t.Fatalf("2026-03-17: %+v", prev)
	}
	if in.Queue != (QueueInsight{Waiting: 1, OldestAgeSeconds: 6 * 3600, MedianAgeSeconds: 6 * 3600}) {
		t.Fatalf("queue %+v", in.Queue)
	}
	if in.DecisionTime != (DecisionInsight{Decisions: 2, MedianSeconds: 2 * 3600, P90Seconds: 10 * 3600}) {
		t.Fatalf("decision time %+v", in.DecisionTime)
	}
	if in.Approved != 1 || in.Rejected != 1 || len(in.RejectedByReason) != 1 || in.RejectedByReason[0] != (ReasonCount{"duplicate", 1}) {
		t.Fatalf("outcomes approved %d rejected %d %+v", in.Approved, in.Rejected, in.RejectedByReason)
	}
	if len(in.Approvers) != 2 || in.Approvers[0] != (ApproverInsight{"alice", 1, 0}) || in.Approvers[1] != (ApproverInsight{"bob", 0, 1}) {
		t.Fatalf("approvers %+v", in.Approvers)
	}
	if in.Expired != 1 {
		t.Fatalf("expired %d", in.Expired)
	}

	t.Run("a shorter period leaves the old decisions out", func(t *testing.T) {
		in, err := f.svc.Insights(ctx, f.db.Read(), 7)
		if err != nil || in.Signups != 1 || in.Approved+in.Rejected != 0 || in.DecisionTime.Decisions != 0 || in.Queue.Waiting != 1 {
			t.Fatalf("%+v %v", in, err)
		}
	})
	t.Run("days out of range are refused", func(t *testing.T) {
		for _, days := range []int{0, -1, MaxInsightDays + 1} {
			if _, err := f.svc.Insights(ctx, f.db.Read(), days); !errors.Is(err, ErrInvalid) {
				t.Fatalf("days %d: %v", days, err)
			}
		}
	})
}
