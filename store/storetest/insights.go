package storetest

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// RecountInsights computes the figures store.Queries.Insights reads from
// its rollups afresh, in Go, from every request row: the check that the
// rollups the triggers keep say what the requests say.
func RecountInsights(ctx context.Context, q *store.Queries, days int, until time.Time) (store.Insights, error) {
	rs, err := q.Requests(ctx, store.ListRequests{})
	if err != nil {
		return store.Insights{}, fmt.Errorf("storetest: recount insights: %w", err)
	}
	until = until.UTC()
	start := time.Date(until.Year(), until.Month(), until.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1-days)
	in := store.Insights{Since: start, Until: until, Days: make([]store.DayFigures, days)}
	for i := range in.Days {
		in.Days[i].Day = start.AddDate(0, 0, i)
	}
	day := func(t time.Time) int {
		if t.Before(start) {
			return -1
		}
		return int(t.Sub(start) / (24 * time.Hour))
	}
	var waiting []time.Time
	var times []time.Duration
	approvers := map[string]*store.ApproverCount{}
	outcomes := map[[2]string]int64{}
	for _, r := range rs {
		if d := day(r.CreatedAt); d >= 0 && d < days {
			in.Days[d].Signups++
			if r.VerifiedAt != nil {
				in.Days[d].Verified++
			}
		}
		if d := day(r.UpdatedAt); r.Status == domain.Expired && d >= 0 && d < days {
			in.Days[d].Expired++
		}
		if r.Status == domain.Verified {
			in.Queue.Waiting++
			if r.VerifiedAt != nil {
				waiting = append(waiting, *r.VerifiedAt)
			}
		}
		if r.DecidedAt == nil || r.DecidedAt.Before(start) {
			continue
		}
		if r.VerifiedAt != nil {
			times = append(times, r.DecidedAt.Sub(*r.VerifiedAt))
		}
		a := approvers[r.DecidedBy]
		if a == nil {
			a = &store.ApproverCount{Approver: r.DecidedBy}
			approvers[r.DecidedBy] = a
		}
		if r.Status == domain.Rejected {
			a.Rejected++
			outcomes[[2]string{"rejected", r.RejectReason}]++
		} else {
			a.Approved++
			outcomes[[2]string{"approved", ""}]++
		}
	}
	slices.SortFunc(waiting, func(a, b time.Time) int { return a.Compare(b) })
	if len(waiting) > 0 {
		in.Queue.Oldest = waiting[0]
		if i := (in.Queue.Waiting - 1) / 2; i < int64(len(waiting)) {
			in.Queue.Median = waiting[i]
		}
	}
	slices.Sort(times)
	if n := int64(len(times)); n > 0 {
		in.Decisions = n
		in.DecisionMedian = times[(n+1)/2-1]
		in.Decision90 = times[(9*n+9)/10-1]
	}
	for _, a := range approvers {
		in.Approvers = append(in.Approvers, *a)
	}
	slices.SortFunc(in.Approvers, func(a, b store.ApproverCount) int {
		return cmp.Or(cmp.Compare(b.Approved+b.Rejected, a.Approved+a.Rejected), cmp.Compare(a.Approver, b.Approver))
	})
	for k, n := range outcomes {
		in.Outcomes = append(in.Outcomes, store.OutcomeCount{Outcome: k[0], Reason: k[1], N: n})
	}
	slices.SortFunc(in.Outcomes, func(a, b store.OutcomeCount) int {
		return cmp.Or(cmp.Compare(a.Outcome, b.Outcome), cmp.Compare(b.N, a.N), cmp.Compare(a.Reason, b.Reason))
	})
	return in, nil
}
