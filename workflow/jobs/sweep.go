package jobs

import (
	"context"
	"fmt"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/rivertype"

	"github.com/regdesk/regdesk/store"
)

const sweepBatch = 500

// Sweep queues a job for every outbox row still queued and every user
// request the workflow still has to move on. Rows that have a live job are
// skipped by the unique options, so it is safe at any time; it returns how
// many jobs it inserted.
func (r *Runner) Sweep(ctx context.Context) (int, error) {
	mails, err := r.sweep(ctx, (*store.Queries).QueuedMailIDs, func(id int64) river.JobArgs { return MailArgs{MailID: id} })
	if err != nil {
		return 0, fmt.Errorf("jobs: sweep mail: %w", err)
	}
	urs, err := r.sweep(ctx, (*store.Queries).ActiveUserRequestIDs, func(id int64) river.JobArgs {
		return UserRequestArgs{UserRequestID: id}
	})
	if err != nil {
		return 0, fmt.Errorf("jobs: sweep user requests: %w", err)
	}
	return mails + urs, nil
}

func (r *Runner) sweep(ctx context.Context, list func(*store.Queries, context.Context, int64, int) ([]int64, error),
	args func(int64) river.JobArgs) (int, error) {
	var after int64
	inserted := 0
	for {
		ids, err := list(r.cfg.DB.Read(), ctx, after, sweepBatch)
		if err != nil || len(ids) == 0 {
			return inserted, err
		}
		params := make([]river.InsertManyParams, len(ids))
		for i, id := range ids {
			params[i] = river.InsertManyParams{Args: args(id)}
		}
		err = r.cfg.DB.WithTx(ctx, func(tx *store.Tx) error {
			res, err := r.client.InsertManyTx(ctx, tx.SQLTx(), params)
			for _, x := range res {
				if !x.UniqueSkippedAsDuplicate {
					inserted++
				}
			}
			return err
		})
		if err != nil {
			return inserted, err
		}
		after = ids[len(ids)-1]
	}
}

// rescueOrphans makes jobs that a killed process left "running" available
// again at once, instead of after River's stuck-job timeout. It runs before
// the client starts, while this process is the database's only worker, so
// every running job is an orphan. Work is idempotent (a step that ran finds
// its row moved on), so re-running one is safe.
func (r *Runner) rescueOrphans(ctx context.Context) (int, error) {
	exec := driverFor(r.cfg.DB, r.pool, nil).GetExecutor()
	now := time.Now().UTC()
	horizon := now.Add(time.Hour) // every running job, whatever the clocks say
	total := 0
	for {
		stuck, err := exec.JobGetStuck(ctx, &riverdriver.JobGetStuckParams{Max: sweepBatch, StuckHorizon: horizon})
		if err != nil {
			return total, fmt.Errorf("jobs: find orphaned jobs: %w", err)
		}
		if len(stuck) == 0 {
			return total, nil
		}
		p := &riverdriver.JobRescueManyParams{StuckHorizon: horizon}
		for _, j := range stuck {
			state := rivertype.JobStateAvailable
			var finalized *time.Time
			if j.Attempt >= j.MaxAttempts {
				// Out of attempts: discard; the sweep queues a fresh job for
				// a row that still needs work.
				state, finalized = rivertype.JobStateDiscarded, &now
			}
			p.ID = append(p.ID, j.ID)
			p.Error = append(p.Error, []byte(fmt.Sprintf(
				`{"at":%q,"attempt":%d,"error":"the process running this job stopped","trace":""}`,
				now.Format(time.RFC3339Nano), j.Attempt)))
			p.FinalizedAt = append(p.FinalizedAt, finalized)
			p.ScheduledAt = append(p.ScheduledAt, now)
			p.State = append(p.State, string(state))
		}
		if _, err := exec.JobRescueMany(ctx, p); err != nil {
			return total, fmt.Errorf("jobs: release orphaned jobs: %w", err)
		}
		total += len(stuck)
		if len(stuck) < sweepBatch {
			return total, nil
		}
	}
}

// SweepArgs is the periodic sweep, which catches rows whose job was lost
// (for example requeued while the previous job was still finishing).
type SweepArgs struct{}

// Kind names the job.
func (SweepArgs) Kind() string { return "regdesk_sweep" }

type sweepWorker struct {
	river.WorkerDefaults[SweepArgs]
	r *Runner
}

func (w *sweepWorker) Work(ctx context.Context, _ *river.Job[SweepArgs]) error {
	n, err := w.r.Sweep(ctx)
	if n > 0 {
		w.r.log.Info("sweep queued waiting work", "jobs", n)
	}
	return err
}
