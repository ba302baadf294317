package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/mailer"
)

// mailWorker delivers one outbox message. The row is marked sent in the same
// transaction that completes the job, so a message is recorded sent exactly
// once; a crash between the SMTP reply and that commit can repeat the
// delivery, with the same Message-ID.
type mailWorker struct {
	river.WorkerDefaults[MailArgs]
	r *Runner
}

func (w *mailWorker) Work(ctx context.Context, job *river.Job[MailArgs]) error {
	db, id := w.r.cfg.DB, job.Args.MailID
	m, err := db.Read().MailByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	if m.Status != store.MailQueued {
		return nil // sent or failed already: a duplicate or stale job
	}
	from, err := w.from(ctx)
	if err != nil {
		return err
	}
	// The working link joins the message only now, on its way out.
	link, err := db.Read().MailLink(ctx, id)
	if err != nil {
		return err
	}
	m = store.FillLink(m, link)
	log := w.r.log.With("mail_id", id, "kind", m.Kind, "attempt", job.Attempt)
	sendErr := w.r.cfg.Sender.Send(ctx, from, m)
	if w.r.cfg.OnMailAttempt != nil {
		w.r.cfg.OnMailAttempt(sendErr)
	}
	if sendErr == nil {
		// The message is out: record it even if shutdown cancelled ctx.
		// Deliveries finishing together are recorded in one transaction,
		// each in its own savepoint (store.WithBatchedTx).
		ctx := context.WithoutCancel(ctx)
		err := db.WithBatchedTx(ctx, func(tx *store.Tx) error {
			if err := tx.MarkMailSent(ctx, id); err != nil && !errors.Is(err, store.ErrConflict) {
				return err
			}
			return completeTx(ctx, tx, job)
		})
		if err != nil {
			return fmt.Errorf("jobs: record mail #%d sent: %w", id, err)
		}
		log.Info("mail delivered")
		return nil
	}
	permanent := mailer.IsPermanent(sendErr)
	if !permanent && job.Attempt < job.MaxAttempts {
		if err := db.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			return tx.MarkMailAttempt(ctx, id, sendErr.Error(), false)
		}); err != nil {
			log.Error("recording a failed delivery", "err", err)
		}
		log.Warn("mail delivery failed; will retry", "err", sendErr)
		return sendErr
	}
	// Failed for good: mark the row failed and finish the job in one
	// transaction, so a retry from the TUI can queue a new job at once.
	ctx = context.WithoutCancel(ctx)
	if err := db.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.MarkMailAttempt(ctx, id, sendErr.Error(), true); err != nil {
			return err
		}
		return completeTx(ctx, tx, job)
	}); err != nil {
		log.Error("recording a failed delivery", "err", err)
		return sendErr
	}
	log.Error("mail failed; marked failed", "err", sendErr, "permanent", permanent)
	return nil
}

// from is the sender: serve --mail-from, else the mail.from parameter.
func (w *mailWorker) from(ctx context.Context) (string, error) {
	if w.r.cfg.MailFrom != "" {
		return w.r.cfg.MailFrom, nil
	}
	p, err := w.r.cfg.Service.Params(ctx, w.r.cfg.DB.Read())
	if err != nil {
		return "", err
	}
	return p.String(workflow.ParamMailFrom), nil
}
