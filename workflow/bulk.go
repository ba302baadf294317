package workflow

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"

	"github.com/regdesk/regdesk/store"
)

// BulkOutcome is what a bulk decision did to one request.
type BulkOutcome struct {
	Number string
	Done   bool
	// Request is the request after the decision, when Done.
	Request store.Request
	// Reason says why a request was skipped: it changed since the approver
	// saw it, or the decision does not apply to it.
	Reason string
	Err    error
}

// BulkResult lists every request of a bulk decision, done or skipped.
type BulkResult struct {
	Outcomes []BulkOutcome
}

// Done and Skipped count the outcomes.
func (r BulkResult) Done() int {
	n := 0
	for _, o := range r.Outcomes {
		if o.Done {
			n++
		}
	}
	return n
}

func (r BulkResult) Skipped() []BulkOutcome {
	var out []BulkOutcome
	for _, o := range r.Outcomes {
		if !o.Done {
			out = append(out, o)
		}
	}
	return out
}

// BulkApprove approves each request on its own, as Approve does: its own
// savepoint (requests decided together share a commit) and audit row, and
// only at the version the approver saw. A request that changed meanwhile is
// skipped with the reason, never half-done. Outcomes are in the order of
// actions.
func (s *Service) BulkApprove(ctx context.Context, actions []Action) BulkResult {
	return s.bulk(ctx, actions, func(ctx context.Context, a Action) (store.Request, error) {
		return s.Approve(ctx, a)
	})
}

// BulkReject rejects each request on its own with one reason and comment,
// as Reject does: each gets its own audit row and rejection mail.
func (s *Service) BulkReject(ctx context.Context, actions []Action, reason, comment string) BulkResult {
	return s.bulk(ctx, actions, func(ctx context.Context, a Action) (store.Request, error) {
		return s.Reject(ctx, a, reason, comment)
	})
}

// bulkWorkers decisions of a bulk decision run at once, so that they share
// commits (store.WithBatchedTx): at a million requests a commit of one
// decision writes as many index pages as one of several.
const bulkWorkers = 8

func (s *Service) bulk(ctx context.Context, actions []Action, do func(context.Context, Action) (store.Request, error)) BulkResult {
	res := BulkResult{Outcomes: make([]BulkOutcome, len(actions))}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(bulkWorkers, len(actions)) {
		wg.Go(func() {
			for i := int(next.Add(1) - 1); i < len(actions); i = int(next.Add(1) - 1) {
				res.Outcomes[i] = s.bulkOne(ctx, actions[i], do)
			}
		})
	}
	wg.Wait()
	return res
}

func (s *Service) bulkOne(ctx context.Context, a Action, do func(context.Context, Action) (store.Request, error)) BulkOutcome {
	o := BulkOutcome{Number: a.Number}
	if err := ctx.Err(); err != nil {
		o.Reason, o.Err = "not done: the session ended first", err
		return o
	}
	r, err := do(ctx, a)
	if err != nil {
		o.Err = err
		o.Reason = bulkReason(err)
		s.log.Info("bulk decision skipped a request", "number", a.Number, "err", err)
		return o
	}
	o.Done, o.Request = true, r
	return o
}

// bulkReason is the reason an approver reads for a skipped request.
func bulkReason(err error) string {
	var ce *ChangedError
	var fe *FieldError
	switch {
	case errors.As(err, &ce):
		return ce.Error()
	case errors.As(err, &fe):
		return fe.Message
	case errors.Is(err, store.ErrNotFound):
		return "not found: it may have been erased"
	}
	return "failed (the log has the details)"
}
