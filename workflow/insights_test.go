package workflow

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store/storetest"
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

// The insight rollups stay equal to a recount from the request rows through
// every service path that changes a request's status or decision: sign-up,
// verification, approval and rejection one by one and in bulk, customer
// creation, correction, expiry and purge by maintenance, and erasure.
func TestService_InsightsFollowEveryWritePath(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	check := func(when string) {
		t.Helper()
		for _, days := range []int{1, 7, 30, MaxInsightDays} {
			got, err := f.db.Read().Insights(ctx, days, f.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			want, err := storetest.RecountInsights(ctx, f.db.Read(), days, f.clock.Now())
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("after %s, %d days: the rollups say\n%+v\nthe requests say\n%+v", when, days, got, want)
			}
		}
	}
	var numbers, tokens []string
	for range 14 {
		res, err := f.svc.SignUp(ctx, f.input())
		if err != nil {
			t.Fatal(err)
		}
		numbers, tokens = append(numbers, res.Number), append(tokens, res.Token)
	}
	check("sign-ups")
	f.clock.Advance(90 * time.Minute)
	for _, tok := range tokens[:12] {
		if _, err := f.svc.Activate(ctx, tok); err != nil {
			t.Fatal(err)
		}
	}
	check("verification")
	f.clock.Advance(2 * time.Hour)
	if _, err := f.svc.Approve(ctx, Action{Number: numbers[0], Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Approve(ctx, Action{Number: numbers[1], Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Reject(ctx, Action{Number: numbers[2], Actor: "bob"}, "duplicate", ""); err != nil {
		t.Fatal(err)
	}
	check("approvals and a rejection")
	f.clock.Advance(26 * time.Hour)
	var marked []Action
	for _, n := range numbers[3:6] {
		marked = append(marked, Action{Number: n, Actor: "chandra"})
	}
	if res := f.svc.BulkApprove(ctx, marked); res.Done() != 3 {
		t.Fatalf("bulk approve: %+v", res)
	}
	marked = marked[:0]
	for _, n := range numbers[6:8] {
		marked = append(marked, Action{Number: n, Actor: "chandra"})
	}
	if res := f.svc.BulkReject(ctx, marked, "incomplete", "no tax id"); res.Done() != 2 {
		t.Fatalf("bulk reject: %+v", res)
	}
	check("bulk decisions")
	if _, err := f.svc.Create(ctx, CreateInput{Action: Action{Number: numbers[0], Actor: "alice"}}); err != nil {
		t.Fatal(err)
	}
	check("customer creation")
	if _, err := f.svc.Edit(ctx, EditInput{Action: Action{Number: numbers[8], Actor: "alice"},
		Fields: map[string]string{"company_name": "Contoso Corrected Ltd"}}); err != nil {
		t.Fatal(err)
	}
	check("a correction")
	f.clock.Advance(15 * 24 * time.Hour) // the two never verified expire
	if rep, err := f.svc.Maintain(ctx); err != nil || rep.Expired != 2 {
		t.Fatalf("maintenance expired %d: %v", rep.Expired, err)
	}
	check("expiry")
	if _, err := f.svc.Reject(ctx, Action{Number: numbers[9], Actor: "bob"}, "not_eligible", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Erase(ctx, Action{Number: numbers[9], Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	check("erasure")
	f.clock.Advance(91 * 24 * time.Hour) // the rejected ones are past retention
	if rep, err := f.svc.Maintain(ctx); err != nil || rep.Purged == 0 {
		t.Fatalf("maintenance purged %d: %v", rep.Purged, err)
	}
	check("purge")
	in, err := f.svc.Insights(ctx, f.db.Read(), MaxInsightDays)
	if err != nil {
		t.Fatal(err)
	}
	if in.Signups != 14 || in.Verified != 12 || in.Approved != 5 || in.Rejected != 4 || in.Expired != 2 || in.Queue.Waiting != 3 {
		t.Fatalf("the year: %+v", in)
	}
}
