package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"time"
)

// Insights are figures about the requests of a period, read from daily
// rollups and index ranges, so their cost follows the number of days and
// the period's traffic, not the size of the table.
type Insights struct {
	Since, Until time.Time // the period: Since (a UTC midnight) up to Until
	// Days has one entry per UTC day of the period, oldest first.
	Days []DayFigures
	// Queue is the verified queue now.
	Queue QueueFigures
	// Decisions in the period, and how long they took from verification:
	// the median and the 90th percentile.
	Decisions                  int64
	DecisionMedian, Decision90 time.Duration
	// Outcomes count the period's decisions by outcome ("approved" or
	// "rejected") and reject reason; Approvers by who decided.
	Outcomes  []OutcomeCount
	Approvers []ApproverCount
}

// DayFigures are one day's sign-ups, how many of them are verified by now,
// and the requests that expired that day.
type DayFigures struct {
	Day      time.Time
	Signups  int64
	Verified int64
	Expired  int64
}

// QueueFigures describe the verified queue: its length and when its oldest
// and its median request were verified.
type QueueFigures struct {
	Waiting        int64
	Oldest, Median time.Time // zero when the queue is empty
}

// OutcomeCount is how many decisions had an outcome (and reason).
type OutcomeCount struct {
	Outcome string // "approved" or "rejected"
	Reason  string // reject reason code
	N       int64
}

// ApproverCount is one approver's decisions in the period.
type ApproverCount struct {
	Approver           string
	Approved, Rejected int64
}

const dayMS = int64(24 * time.Hour / time.Millisecond)

// Insights reads the figures for the days up to until (the last day is
// until's UTC day). The counts come from the daily rollups of migration
// 0080 (insight_days, insight_decisions, insight_decision_times), which
// triggers keep in the transaction of every change to a request, so a year
// costs a few thousand rollup rows, not a pass over a year's requests. The
// percentiles are exact: the histogram of decision times finds the bucket
// holding the wanted rank, an index on the time gives the value.
func (q *Queries) Insights(ctx context.Context, days int, until time.Time) (Insights, error) {
	until = until.UTC()
	start := time.Date(until.Year(), until.Month(), until.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1-days)
	in := Insights{Since: start, Until: until, Days: make([]DayFigures, days)}
	for i := range in.Days {
		in.Days[i].Day = start.AddDate(0, 0, i)
	}
	since := start.UnixMilli()
	first := since / dayMS // the period's first day, in days since 1970-01-01
	wrap := func(what string, err error) error {
		return fmt.Errorf("store: insights: %s: %w", what, mapErr(err))
	}

	// Sign-ups by the day they came in, how many of them are verified by
	// now, and expiries by the day of the expired request's last change.
	err := q.each(ctx, func(rows *sql.Rows) error {
		var d, n, v, x int64
		if err := rows.Scan(&d, &n, &v, &x); err != nil {
			return err
		}
		if d -= first; d >= 0 && d < int64(days) {
			in.Days[d].Signups, in.Days[d].Verified, in.Days[d].Expired = n, v, x
		}
		return nil
	}, `SELECT day, signups, verified, expired FROM insight_days WHERE day >= ? AND day < ?`,
		first, first+int64(days))
	if err != nil {
		return in, wrap("days", err)
	}

	if in.Queue, err = q.queueFigures(ctx); err != nil {
		return in, wrap("queue", err)
	}

	// Time from verification to decision: the median and the 90th
	// percentile by rank among the period's decisions.
	in.Decisions, in.DecisionMedian, in.Decision90, err = q.decisionTimes(ctx, first, since)
	if err != nil {
		return in, wrap("decision times", err)
	}

	// Decisions by outcome, reason and approver.
	byApprover := map[string]*ApproverCount{}
	byOutcome := map[[2]string]int64{}
	err = q.each(ctx, func(rows *sql.Rows) error {
		var by, status, reason string
		var n int64
		if err := rows.Scan(&by, &status, &reason, &n); err != nil {
			return err
		}
		a := byApprover[by]
		if a == nil {
			a = &ApproverCount{Approver: by}
			byApprover[by] = a
		}
		if status == "rejected" {
			a.Rejected += n
			byOutcome[[2]string{"rejected", reason}] += n
		} else {
			a.Approved += n
			byOutcome[[2]string{"approved", ""}] += n
		}
		return nil
	}, `SELECT decided_by, status, reject_reason, CAST(sum(n) AS BIGINT) FROM insight_decisions
		WHERE day >= ? GROUP BY decided_by, status, reject_reason HAVING sum(n) > 0`, first)
	if err != nil {
		return in, wrap("decisions", err)
	}
	for _, a := range byApprover {
		in.Approvers = append(in.Approvers, *a)
	}
	// The busiest approver first; approvals first, then reasons by count.
	slices.SortFunc(in.Approvers, func(a, b ApproverCount) int {
		return cmp.Or(cmp.Compare(b.Approved+b.Rejected, a.Approved+a.Rejected), cmp.Compare(a.Approver, b.Approver))
	})
	for k, n := range byOutcome {
		in.Outcomes = append(in.Outcomes, OutcomeCount{Outcome: k[0], Reason: k[1], N: n})
	}
	slices.SortFunc(in.Outcomes, func(a, b OutcomeCount) int {
		return cmp.Or(cmp.Compare(a.Outcome, b.Outcome), cmp.Compare(b.N, a.N), cmp.Compare(a.Reason, b.Reason))
	})
	return in, nil
}

// queueFigures reads the verified queue: its length is kept by triggers;
// the oldest and the median are index lookups (customer_requests_waiting).
func (q *Queries) queueFigures(ctx context.Context) (QueueFigures, error) {
	var f QueueFigures
	err := q.q.QueryRowContext(ctx, `SELECT n FROM request_counts WHERE status = 'verified'`).Scan(&f.Waiting)
	if err != nil && err != sql.ErrNoRows {
		return f, err
	}
	if f.Waiting <= 0 {
		return f, nil
	}
	var oldest, median sql.NullInt64
	if err := q.q.QueryRowContext(ctx, `SELECT min(verified_at) FROM customer_requests
		WHERE status = 'verified' AND verified_at IS NOT NULL`).Scan(&oldest); err != nil {
		return f, err
	}
	err = q.q.QueryRowContext(ctx, `SELECT verified_at FROM customer_requests
		WHERE status = 'verified' AND verified_at IS NOT NULL ORDER BY verified_at LIMIT 1 OFFSET ?`,
		(f.Waiting-1)/2).Scan(&median)
	if err != nil && err != sql.ErrNoRows {
		return f, err
	}
	if oldest.Valid {
		f.Oldest = ms(oldest.Int64)
	}
	if median.Valid {
		f.Median = ms(median.Int64)
	}
	return f, nil
}

// decisionTimes counts the decisions since since (a UTC midnight, day
// first) made on verified requests, and finds the times from verification
// to decision of rank (n+1)/2 and (9n+9)/10 in ascending order: the median
// and the 90th percentile. The day's histogram (insight_decision_times)
// says which bucket holds a rank and how many times lie below the bucket;
// the index customer_requests_decision_time walks that bucket's times in
// order, skipping decisions before the period, to the exact one.
func (q *Queries) decisionTimes(ctx context.Context, first, since int64) (n int64, median, p90 time.Duration, err error) {
	type bucket struct{ lo, n int64 }
	var hist []bucket
	err = q.each(ctx, func(rows *sql.Rows) error {
		var b bucket
		if err := rows.Scan(&b.lo, &b.n); err != nil {
			return err
		}
		hist = append(hist, b)
		n += b.n
		return nil
	}, `SELECT bucket, CAST(sum(n) AS BIGINT) FROM insight_decision_times WHERE day >= ?
		GROUP BY bucket HAVING sum(n) > 0 ORDER BY bucket`, first)
	if err != nil || n == 0 {
		return n, 0, 0, err
	}
	rank := func(k int64) (time.Duration, error) {
		below := int64(0)
		for _, b := range hist {
			if below+b.n < k {
				below += b.n
				continue
			}
			// The bucket runs up to the next bucket's lo; the last has none.
			var hi sql.NullInt64
			if err := q.q.QueryRowContext(ctx, `SELECT min(lo) FROM insight_time_buckets WHERE lo > ?`,
				b.lo).Scan(&hi); err != nil {
				return 0, err
			}
			if !hi.Valid {
				hi.Int64 = math.MaxInt64
			}
			var t int64
			err := q.q.QueryRowContext(ctx, `SELECT decided_at - verified_at FROM customer_requests
				WHERE decided_at IS NOT NULL AND verified_at IS NOT NULL
				AND decided_at - verified_at >= ? AND decided_at - verified_at < ? AND decided_at >= ?
				ORDER BY decided_at - verified_at LIMIT 1 OFFSET ?`, b.lo, hi.Int64, since, k-below-1).Scan(&t)
			if err != nil {
				return 0, err
			}
			return time.Duration(t) * time.Millisecond, nil
		}
		return 0, fmt.Errorf("rank %d of %d is in no bucket", k, n)
	}
	if median, err = rank((n + 1) / 2); err != nil {
		return n, 0, 0, err
	}
	if p90, err = rank((9*n + 9) / 10); err != nil {
		return n, 0, 0, err
	}
	return n, median, p90, nil
}

// each runs a query and calls fn for every row.
func (q *Queries) each(ctx context.Context, fn func(*sql.Rows) error, query string, args ...any) error {
	rows, err := q.q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
