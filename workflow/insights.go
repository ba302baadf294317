package workflow

import (
	"context"
	"fmt"
	"time"

	"github.com/regdesk/regdesk/store"
)

// MaxInsightDays is the longest period insights cover.
const MaxInsightDays = 366

// Insights is how the approvers' desk is doing over a period: what came in,
// how fast it was decided, how, and by whom. Its JSON form is the output of
// regdesk insights --json.
type Insights struct {
	Days  int       `json:"days"`
	Since time.Time `json:"since"`
	Until time.Time `json:"until"`

	Signups  int64 `json:"signups"`
	Verified int64 `json:"verified"`
	// VerificationRate is the share of the period's sign-ups verified by now.
	VerificationRate float64      `json:"verification_rate"`
	PerDay           []InsightDay `json:"per_day"`

	Queue QueueInsight `json:"verified_queue"`
	// Decision times run from verification to approval or rejection.
	DecisionTime DecisionInsight `json:"verified_to_decision"`

	Approved         int64             `json:"approved"`
	Rejected         int64             `json:"rejected"`
	RejectedByReason []ReasonCount     `json:"rejected_by_reason"`
	Approvers        []ApproverInsight `json:"approvers"`
	Expired          int64             `json:"expired"`
}

// InsightDay is one UTC day.
type InsightDay struct {
	Date     string `json:"date"`
	Signups  int64  `json:"signups"`
	Verified int64  `json:"verified"`
	Expired  int64  `json:"expired"`
}

// QueueInsight is the verified queue now.
type QueueInsight struct {
	Waiting          int64 `json:"waiting"`
	OldestAgeSeconds int64 `json:"oldest_age_seconds"`
	MedianAgeSeconds int64 `json:"median_age_seconds"`
}

// DecisionInsight is how long the period's decisions took.
type DecisionInsight struct {
	Decisions     int64 `json:"decisions"`
	MedianSeconds int64 `json:"median_seconds"`
	P90Seconds    int64 `json:"p90_seconds"`
}

// ReasonCount is how many rejections gave a reason.
type ReasonCount struct {
	Reason string `json:"reason"`
	N      int64  `json:"count"`
}

// ApproverInsight is one approver's decisions in the period.
type ApproverInsight struct {
	Approver string `json:"approver"`
	Approved int64  `json:"approved"`
	Rejected int64  `json:"rejected"`
}

// Insights reads the figures of the last days days, today included.
func (s *Service) Insights(ctx context.Context, q *store.Queries, days int) (Insights, error) {
	if days < 1 || days > MaxInsightDays {
		return Insights{}, &FieldError{Field: "days", Message: fmt.Sprintf("days must be from 1 to %d", MaxInsightDays)}
	}
	now := s.now()
	raw, err := q.Insights(ctx, days, now)
	if err != nil {
		return Insights{}, fmt.Errorf("insights: %w", err)
	}
	in := Insights{Days: days, Since: raw.Since, Until: raw.Until.Truncate(time.Second),
		RejectedByReason: []ReasonCount{}, Approvers: []ApproverInsight{}}
	for _, d := range raw.Days {
		in.PerDay = append(in.PerDay, InsightDay{Date: d.Day.Format(time.DateOnly), Signups: d.Signups,
			Verified: d.Verified, Expired: d.Expired})
		in.Signups += d.Signups
		in.Verified += d.Verified
		in.Expired += d.Expired
	}
	if in.Signups > 0 {
		in.VerificationRate = float64(in.Verified) / float64(in.Signups)
	}
	in.Queue.Waiting = raw.Queue.Waiting
	if !raw.Queue.Oldest.IsZero() {
		in.Queue.OldestAgeSeconds = int64(now.Sub(raw.Queue.Oldest) / time.Second)
	}
	if !raw.Queue.Median.IsZero() {
		in.Queue.MedianAgeSeconds = int64(now.Sub(raw.Queue.Median) / time.Second)
	}
	in.DecisionTime = DecisionInsight{Decisions: raw.Decisions,
		MedianSeconds: int64(raw.DecisionMedian / time.Second), P90Seconds: int64(raw.Decision90 / time.Second)}
	for _, o := range raw.Outcomes {
		if o.Outcome == "rejected" {
			in.Rejected += o.N
			in.RejectedByReason = append(in.RejectedByReason, ReasonCount{Reason: o.Reason, N: o.N})
		} else {
			in.Approved += o.N
		}
	}
	for _, a := range raw.Approvers {
		in.Approvers = append(in.Approvers, ApproverInsight{Approver: a.Approver, Approved: a.Approved, Rejected: a.Rejected})
	}
	return in, nil
}
