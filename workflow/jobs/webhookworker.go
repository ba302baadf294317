package jobs

import (
	"context"
	"errors"
	"fmt"

	"github.com/riverqueue/river"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/webhook"
)

// webhookWorker makes one attempt at a delivery. Like mail, the delivery is
// recorded in the transaction that completes the job; a crash between the
// receiver's answer and that commit repeats the attempt with the same
// webhook-id, which receivers use to drop the repeat.
type webhookWorker struct {
	river.WorkerDefaults[WebhookArgs]
	r *Runner
}

func (w *webhookWorker) Work(ctx context.Context, job *river.Job[WebhookArgs]) error {
	db, id := w.r.cfg.DB, job.Args.DeliveryID
	d, err := db.Read().DeliveryByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err) // the endpoint was removed
	}
	if err != nil {
		return err
	}
	if d.Status != store.DeliveryQueued {
		return nil // delivered or failed already: a duplicate or stale job
	}
	ep, err := db.Read().WebhookEndpointByID(ctx, d.EndpointID)
	if errors.Is(err, store.ErrNotFound) {
		return river.JobCancel(err)
	}
	if err != nil {
		return err
	}
	log := w.r.log.With("delivery", id, "event", d.Event.Type, "webhook", ep.ID, "attempt", job.Attempt)
	res := w.r.cfg.Webhooks.Send(ctx, webhook.Message{URL: ep.URL, Secret: ep.Secret,
		ID: d.Event.EventID, Time: db.Now(), Body: d.Event.Payload})
	a := store.DeliveryAttempt{ID: id, ResponseCode: res.StatusCode}
	if res.Err == nil {
		a.Delivered = true
		err := w.finish(ctx, job, a)
		if err != nil {
			return fmt.Errorf("jobs: record delivery #%d: %w", id, err)
		}
		log.Info("webhook delivered", "status", res.StatusCode)
		return nil
	}
	a.Error = res.Err.Error()
	if !res.Permanent && job.Attempt < job.MaxAttempts {
		if err := db.WithTx(context.WithoutCancel(ctx), func(tx *store.Tx) error {
			return tx.RecordDeliveryAttempt(ctx, a)
		}); err != nil && !errors.Is(err, store.ErrConflict) {
			log.Error("recording a failed delivery", "err", err)
		}
		log.Warn("webhook delivery failed; will retry", "err", res.Err)
		return res.Err
	}
	// Failed for good: mark it failed and finish the job together, so a
	// retry by hand can queue a new job at once.
	a.Final = true
	if err := w.finish(ctx, job, a); err != nil {
		log.Error("recording a failed delivery", "err", err)
		return res.Err
	}
	log.Error("webhook delivery failed; marked failed", "err", res.Err, "permanent", res.Permanent)
	return nil
}

// finish records the attempt and completes the job in one transaction, even
// if shutdown cancelled ctx: the attempt was made.
func (w *webhookWorker) finish(ctx context.Context, job *river.Job[WebhookArgs], a store.DeliveryAttempt) error {
	ctx = context.WithoutCancel(ctx)
	return w.r.cfg.DB.WithTx(ctx, func(tx *store.Tx) error {
		if err := tx.RecordDeliveryAttempt(ctx, a); err != nil && !errors.Is(err, store.ErrConflict) {
			return err
		}
		return completeTx(ctx, tx, job)
	})
}
