package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// userRequestWorker moves a user request through its steps. Each step runs
// in its own transaction and is idempotent (Service.RunStep), so a crash or
// a duplicate job resumes without a second user or a second welcome mail.
type userRequestWorker struct {
	river.WorkerDefaults[UserRequestArgs]
	r *Runner
}

func (w *userRequestWorker) Work(ctx context.Context, job *river.Job[UserRequestArgs]) error {
	svc, id := w.r.cfg.Steps, job.Args.UserRequestID
	log := w.r.log.With("user_request_id", id, "attempt", job.Attempt)
	for {
		// The last step finishes the job in its own transaction, so a human
		// action right after it (approve, retry) can queue a new job.
		res, err := svc.RunStepWith(ctx, id, job.Attempt, func(tx *store.Tx, res workflow.StepResult) error {
			if res.More {
				return nil
			}
			return completeTx(context.WithoutCancel(ctx), tx, job)
		})
		if errors.Is(err, store.ErrNotFound) {
			return river.JobCancel(err)
		}
		if err != nil {
			return w.failed(ctx, job, err)
		}
		if res.Step != "" {
			log.Info("workflow step done", "step", res.Step, "status", res.Status)
		}
		if !res.More {
			return nil
		}
	}
}

// failed records a failed attempt: the user request fails at once on a
// permanent error or after the workflow.max_attempts-th attempt; otherwise
// River retries with backoff.
func (w *userRequestWorker) failed(ctx context.Context, job *river.Job[UserRequestArgs], cause error) error {
	svc, id := w.r.cfg.Steps, job.Args.UserRequestID
	ctx = context.WithoutCancel(ctx)
	maxAttempts := job.MaxAttempts
	if p, err := w.r.cfg.Service.Params(ctx, w.r.cfg.DB.Read()); err == nil {
		maxAttempts = min(maxAttempts, p.Int(workflow.ParamMaxAttempts))
	}
	var pe *workflow.PermanentError
	if errors.As(cause, &pe) || job.Attempt >= maxAttempts {
		err := svc.FailUserRequestWith(ctx, id, job.Attempt, cause, func(tx *store.Tx) error {
			return completeTx(ctx, tx, job)
		})
		if err != nil {
			w.r.log.Error("marking a user request failed", "user_request_id", id, "err", err)
			return err
		}
		w.r.log.Error("user request failed", "user_request_id", id, "attempt", job.Attempt, "err", cause)
		return nil
	}
	if err := svc.RecordRetry(ctx, id, job.Attempt, cause); err != nil {
		w.r.log.Error("recording a retry", "user_request_id", id, "err", err)
	}
	w.r.log.Warn("workflow step failed; will retry", "user_request_id", id, "attempt", job.Attempt, "err", cause)
	return cause
}

// errorHandler catches what the workers did not: a panic, or an error on a
// job's last attempt, marks the row failed so an approver sees it.
type errorHandler struct{ r *Runner }

func (h *errorHandler) HandleError(ctx context.Context, job *rivertype.JobRow, err error) *river.ErrorHandlerResult {
	h.final(ctx, job, err)
	return nil
}

func (h *errorHandler) HandlePanic(ctx context.Context, job *rivertype.JobRow, panicVal any, _ string) *river.ErrorHandlerResult {
	h.r.log.Error("job panicked", "kind", job.Kind, "job_id", job.ID, "panic", fmt.Sprint(panicVal))
	h.final(ctx, job, fmt.Errorf("internal error: %v", panicVal))
	return nil
}

func (h *errorHandler) final(ctx context.Context, job *rivertype.JobRow, cause error) {
	if job.Attempt < job.MaxAttempts {
		return
	}
	ctx = context.WithoutCancel(ctx)
	var err error
	switch job.Kind {
	case MailArgs{}.Kind():
		var a MailArgs
		if err = json.Unmarshal(job.EncodedArgs, &a); err == nil {
			err = h.r.cfg.DB.WithTx(ctx, func(tx *store.Tx) error {
				return tx.MarkMailAttempt(ctx, a.MailID, cause.Error(), true)
			})
		}
	case UserRequestArgs{}.Kind():
		var a UserRequestArgs
		if err = json.Unmarshal(job.EncodedArgs, &a); err == nil {
			err = h.r.cfg.Steps.FailUserRequestWith(ctx, a.UserRequestID, job.Attempt, cause, nil)
		}
	}
	if err != nil {
		h.r.log.Error("marking a job's row failed", "kind", job.Kind, "job_id", job.ID, "err", err)
	}
}
