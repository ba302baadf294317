package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"time"
)

// InsightsDirect computes what Insights reads from the rollups straight
// from customer_requests, as regdesk did before migration 0080: a sort and
// a grouping over the period's requests. Tests hold the rollups to it.
func (q *Queries) InsightsDirect(ctx context.Context, days int, until time.Time) (Insights, error) {
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

// DeleteRequest removes a request row outright. No code path does that
// today; the rollup triggers answer for deletions all the same.
func (q *Queries) DeleteRequest(ctx context.Context, id int64) error {
	_, err := q.q.ExecContext(ctx, `DELETE FROM customer_requests WHERE id = ?`, id)
	return mapErr(err)
}
