package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// Insights are figures about the requests of a period, each read by an
// aggregate over a range of one index, so their cost follows the period's
// traffic, not the size of the table.
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
// until's UTC day).
func (q *Queries) Insights(ctx context.Context, days int, until time.Time) (Insights, error) {
	until = until.UTC()
	start := time.Date(until.Year(), until.Month(), until.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, 1-days)
	in := Insights{Since: start, Until: until, Days: make([]DayFigures, days)}
	for i := range in.Days {
		in.Days[i].Day = start.AddDate(0, 0, i)
	}
	since := start.UnixMilli()
	wrap := func(what string, err error) error {
		return fmt.Errorf("store: insights: %s: %w", what, mapErr(err))
	}

	// Sign-ups by day, and how many are verified (customer_requests_created).
	err := q.each(ctx, func(rows *sql.Rows) error {
		var d, n, v int64
		if err := rows.Scan(&d, &n, &v); err != nil {
			return err
		}
		if d >= 0 && d < int64(days) {
			in.Days[d].Signups, in.Days[d].Verified = n, v
		}
		return nil
	}, `SELECT (created_at - ?) / ?, count(*), count(verified_at) FROM customer_requests
		WHERE created_at >= ? GROUP BY 1`, since, dayMS, since)
	if err != nil {
		return in, wrap("sign-ups", err)
	}

	// Expiries by day: an expired request's last change is its expiry
	// (customer_requests_changed).
	err = q.each(ctx, func(rows *sql.Rows) error {
		var d, n int64
		if err := rows.Scan(&d, &n); err != nil {
			return err
		}
		if d >= 0 && d < int64(days) {
			in.Days[d].Expired = n
		}
		return nil
	}, `SELECT (updated_at - ?) / ?, count(*) FROM customer_requests
		WHERE status = 'expired' AND updated_at >= ? GROUP BY 1`, since, dayMS, since)
	if err != nil {
		return in, wrap("expiries", err)
	}

	// The verified queue: its length is kept by triggers; the oldest and
	// the median are index lookups (customer_requests_waiting).
	err = q.q.QueryRowContext(ctx, `SELECT n FROM request_counts WHERE status = 'verified'`).Scan(&in.Queue.Waiting)
	if err != nil && err != sql.ErrNoRows {
		return in, wrap("queue", err)
	}
	if in.Queue.Waiting > 0 {
		var oldest, median sql.NullInt64
		if err := q.q.QueryRowContext(ctx, `SELECT min(verified_at) FROM customer_requests
			WHERE status = 'verified' AND verified_at IS NOT NULL`).Scan(&oldest); err != nil {
			return in, wrap("queue", err)
		}
		err := q.q.QueryRowContext(ctx, `SELECT verified_at FROM customer_requests
			WHERE status = 'verified' AND verified_at IS NOT NULL ORDER BY verified_at LIMIT 1 OFFSET ?`,
			(in.Queue.Waiting-1)/2).Scan(&median)
		if err != nil && err != sql.ErrNoRows {
			return in, wrap("queue", err)
		}
		if oldest.Valid {
			in.Queue.Oldest = ms(oldest.Int64)
		}
		if median.Valid {
			in.Queue.Median = ms(median.Int64)
		}
	}

	// Time from verification to decision: the median and the 90th
	// percentile by rank, in one sort of the period's decisions.
	err = q.each(ctx, func(rows *sql.Rows) error {
		var rn, n, t int64
		if err := rows.Scan(&rn, &n, &t); err != nil {
			return err
		}
		in.Decisions = n
		d := time.Duration(t) * time.Millisecond
		if rn == (n+1)/2 {
			in.DecisionMedian = d
		}
		if rn == (9*n+9)/10 {
			in.Decision90 = d
		}
		return nil
	}, `SELECT rn, n, t FROM (
			SELECT decided_at - verified_at AS t,
				row_number() OVER (ORDER BY decided_at - verified_at) AS rn,
				count(*) OVER () AS n
			FROM customer_requests
			WHERE decided_at >= ? AND verified_at IS NOT NULL) x
		WHERE rn = (n + 1) / 2 OR rn = (9 * n + 9) / 10 ORDER BY rn`, since)
	if err != nil {
		return in, wrap("decision times", err)
	}

	// Decisions by outcome, reason and approver, in one pass over the
	// period's range of customer_requests_decided.
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
	}, `SELECT decided_by, status, reject_reason, count(*) FROM customer_requests
		WHERE decided_at >= ? GROUP BY decided_by, status, reject_reason
		ORDER BY decided_by, status, reject_reason`, since)
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
