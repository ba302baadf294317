package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/sample"
)

// insightPeriods are the periods the rollups are checked over.
var insightPeriods = []int{1, 7, 30, 90, 366}

// checkInsights holds the figures Insights reads from the rollups to a
// recount from every request row, and to the queries Insights ran before
// the rollups, for every period ending at until.
func checkInsights(t *testing.T, db *store.DB, until time.Time, when string) {
	t.Helper()
	ctx := context.Background()
	for _, days := range insightPeriods {
		got, err := db.Read().Insights(ctx, days, until)
		if err != nil {
			t.Fatalf("%s: insights over %d days: %v", when, days, err)
		}
		want, err := storetest.RecountInsights(ctx, db.Read(), days, until)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s, %d days up to %s: the rollups say\n%+v\nthe requests say\n%+v", when, days, until, got, want)
		}
		direct, err := db.Read().InsightsDirect(ctx, days, until)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, direct) {
			t.Fatalf("%s, %d days up to %s: the rollups say\n%+v\nthe queries over the requests say\n%+v", when, days, until, got, direct)
		}
	}
}

// The rollups equal a recount after a random mix of every store write that
// changes a request's status, timestamps or decision: inserts one by one
// and in bulk (with any status, decision and even a decision before the
// verification), verification, approval, customer creation, rejection,
// expiry, edits, purges and deletion, on days spread over a year and more.
func TestInsights_RollupsFollowEveryWrite(t *testing.T) {
	ctx := context.Background()
	clock := storetest.NewClock()
	db := storetest.NewWithClock(t, clock.Now)
	rng := rand.New(rand.NewPCG(15, 80))
	approvers := []string{"alice", "bob", "chandra"}
	reasons := []string{"duplicate", "incomplete", "not_eligible"}
	next := 0
	newReq := func(status domain.RequestStatus, at time.Time) store.Request {
		next++
		return newRequest(next, status, at)
	}
	// A bulk load of history: any status, with decisions and their times.
	var bulk []store.Request
	for range 150 {
		created := clock.Now().Add(-time.Duration(rng.IntN(420*24)) * time.Hour)
		st := []domain.RequestStatus{domain.Requested, domain.Verified, domain.Approved, domain.Created,
			domain.Rejected, domain.Expired}[rng.IntN(6)]
		r := newReq(st, created)
		r.UpdatedAt = created.Add(time.Duration(rng.IntN(72*3600)) * time.Second)
		if st != domain.Requested && st != domain.Expired {
			v := created.Add(time.Duration(rng.IntN(3600)) * time.Second)
			r.VerifiedAt = &v
		}
		if st == domain.Approved || st == domain.Created || st == domain.Rejected || rng.IntN(20) == 0 {
			// Now and then a decision without a verification, or one a
			// clock step put before it.
			d := created.Add(time.Duration(rng.IntN(96*3600)-3600) * time.Second)
			r.DecidedAt, r.DecidedBy = &d, approvers[rng.IntN(len(approvers))]
			if st == domain.Rejected {
				r.RejectReason = reasons[rng.IntN(len(reasons))]
			}
		}
		bulk = append(bulk, r)
	}
	if err := db.BulkLoad(ctx, func(tx *store.Tx) error { return tx.InsertRequestsBulk(ctx, bulk) }); err != nil {
		t.Fatal(err)
	}
	checkInsights(t, db, clock.Now(), "after the bulk load")

	change := func(r store.Request, to domain.RequestStatus, c store.RequestChange) error {
		c.ID, c.From, c.To, c.Version = r.ID, r.Status, to, r.Version
		return db.WithTx(ctx, func(tx *store.Tx) error { return tx.UpdateRequestStatus(ctx, c) })
	}
	ops := map[string]int{}
	for step := range 400 {
		switch rng.IntN(5) {
		case 0:
			clock.Advance(time.Duration(rng.IntN(30)) * time.Hour)
		case 1:
			clock.Advance(time.Duration(rng.IntN(90)) * time.Minute)
		}
		rs, err := db.Read().Requests(ctx, store.ListRequests{})
		if err != nil {
			t.Fatal(err)
		}
		r := rs[rng.IntN(len(rs))]
		op := ""
		switch k := rng.IntN(10); {
		case k == 0:
			op = "insert"
			nr := newReq(domain.Requested, time.Time{})
			err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertRequest(ctx, &nr) })
		case k == 1 && r.Status == domain.Requested:
			op = "verify"
			err = change(r, domain.Verified, store.RequestChange{Verified: true})
		case k == 2 && r.Status == domain.Verified:
			op = "approve"
			err = change(r, domain.Approved, store.RequestChange{Decided: true, Actor: approvers[rng.IntN(len(approvers))]})
		case k == 3 && r.Status == domain.Approved:
			op = "create"
			err = change(r, domain.Created, store.RequestChange{})
		case k == 4 && r.Status == domain.Verified:
			op = "reject"
			err = change(r, domain.Rejected, store.RequestChange{Decided: true, Actor: approvers[rng.IntN(len(approvers))],
				Reason: reasons[rng.IntN(len(reasons))], Comment: "checked"})
		case k == 5 && (r.Status == domain.Requested || r.Status == domain.Verified):
			op = "expire"
			err = change(r, domain.Expired, store.RequestChange{})
		case k == 6 && r.CustomerID == nil:
			op = "purge"
			err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.PurgeRequest(ctx, r) })
		case k == 7:
			op = "edit"
			err = db.WithTx(ctx, func(tx *store.Tx) error {
				return tx.EditRequest(ctx, store.RequestEdit{ID: r.ID, Status: r.Status, Version: r.Version,
					Fields: map[string]string{"company_name": fmt.Sprintf("Edited %d", step)}})
			})
		case k == 8 && rng.IntN(4) == 0:
			op = "delete"
			err = db.WithTx(ctx, func(tx *store.Tx) error { return tx.DeleteRequest(ctx, r.ID) })
		default:
			continue
		}
		if err != nil {
			t.Fatalf("step %d, %s %s: %v", step, op, r.Number, err)
		}
		ops[op]++
		if step%25 == 0 {
			checkInsights(t, db, clock.Now(), fmt.Sprintf("step %d (%s)", step, op))
		}
	}
	checkInsights(t, db, clock.Now(), "at the end")
	// A period that ended a while ago reads the days as they were counted.
	checkInsights(t, db, clock.Now().AddDate(0, 0, -45), "45 days back")
	for _, op := range []string{"insert", "verify", "approve", "create", "reject", "expire", "purge", "edit", "delete"} {
		if ops[op] == 0 {
			t.Errorf("the mix never ran %s (ran %v)", op, ops)
		}
	}
}

// BenchmarkInsights_RollupsVsDirect reads a period's figures from the
// rollups and, side by side in one run, by the queries over the requests
// that Insights ran before them, on the cached samples of 1k and 1M
// requests (see workflow/sample.CachedDB). Each pair is first checked to
// give the same figures.
func BenchmarkInsights_RollupsVsDirect(b *testing.B) {
	ctx := context.Background()
	end := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	for _, n := range []int{1000, 1_000_000} {
		for _, days := range []int{7, 30, 365} {
			b.Run(fmt.Sprintf("rows=%d/days=%d", n, days), func(b *testing.B) {
				path, err := sample.CachedDB(ctx, n)
				if err != nil {
					b.Fatal(err)
				}
				db, err := store.Open(ctx, path, store.Options{})
				if err != nil {
					b.Fatal(err)
				}
				defer db.Close()
				q := db.Read()
				got, err := q.Insights(ctx, days, end)
				if err != nil {
					b.Fatal(err)
				}
				direct, err := q.InsightsDirect(ctx, days, end)
				if err != nil {
					b.Fatal(err)
				}
				if got.Decisions == 0 || !reflect.DeepEqual(got, direct) {
					b.Fatalf("the rollups say\n%+v\nthe requests say\n%+v", got, direct)
				}
				for _, m := range []struct {
					name string
					read func(context.Context, int, time.Time) (store.Insights, error)
				}{{"direct", q.InsightsDirect}, {"rollups", q.Insights}} {
					b.Run(m.name, func(b *testing.B) {
						for b.Loop() {
							if _, err := m.read(ctx, days, end); err != nil {
								b.Fatal(err)
							}
						}
					})
				}
			})
		}
	}
}
