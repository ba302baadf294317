package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/mailer"
	"github.com/regdesk/regdesk/workflow/webhook"
)

// Config holds the Runner's dependencies and tuning. Zero values pick
// production defaults.
type Config struct {
	DB      *store.DB
	Service *workflow.Service
	// Steps runs the user request workflow; nil means Service. Tests wrap
	// it to inject failures.
	Steps  Steps
	Sender mailer.Sender
	// MailFrom, when set, overrides the mail.from parameter (serve --mail-from).
	MailFrom string
	Logger   *slog.Logger
	// Backoff is the retry policy; the zero value means DefaultBackoff.
	Backoff Backoff
	// PollInterval is how often idle queues look for new jobs (SQLite has
	// no notifications); 0 means 500 ms.
	PollInterval time.Duration
	// MailWorkers and WorkflowWorkers bound concurrent jobs; 0 means 16
	// each. Workflow steps running at once share a transaction
	// (store.WithBatchedTx), so more workers mean fewer, larger commits and
	// fewer fetches under a backlog; mail stays at one job per kept SMTP
	// connection (mailer.SMTPConfig.IdleConns). A delivery mostly waits
	// for the SMTP server's replies, so 16 at once (8 before) kept the
	// welcome mail up with the provisioning: 500-690 requests/s against
	// 400-530 on the workflow benchmark, side by side; 32 gave no more.
	MailWorkers, WorkflowWorkers int
	// SweepInterval is how often rows without a live job are queued again;
	// 0 means 5 minutes.
	SweepInterval time.Duration
	// StopTimeout bounds the wait for in-flight jobs at shutdown; 0 means 20 s.
	StopTimeout time.Duration
	// TestOnly relaxes River's production checks in tests.
	TestOnly bool
	// OnMailAttempt, when set, hears of every delivery attempt (metrics).
	OnMailAttempt func(err error)
	// Webhooks sends webhook deliveries; nil means a client that refuses
	// private addresses (webhook.NewClient with the zero Config).
	Webhooks *webhook.Client
	// WebhookWorkers bounds concurrent deliveries; 0 means 4.
	WebhookWorkers int
}

// Steps is the part of workflow.Service the workflow worker drives.
type Steps interface {
	RunStepWith(ctx context.Context, userRequestID int64, attempt int,
		inTx func(tx *store.Tx, res workflow.StepResult) error) (workflow.StepResult, error)
	RecordRetry(ctx context.Context, userRequestID int64, attempt int, cause error) error
	FailUserRequestWith(ctx context.Context, userRequestID int64, attempt int, cause error,
		inTx func(tx *store.Tx) error) error
}

// Runner is the job queue of `regdesk serve`: River with the mail and
// workflow workers, on the pool store.OpenJobPool gives.
type Runner struct {
	cfg     Config
	log     *slog.Logger
	pool    *sql.DB       // the job queue's: see store.OpenJobPool
	release func() error  // gives pool back
	listen  *pgxpool.Pool // PostgreSQL: River's notifications
	client  *river.Client[*sql.Tx]
	enq     *Enqueuer
}

// New migrates River's tables and builds the client; Start or Run starts it.
// The Service gets the Runner's Enqueuer.
func New(ctx context.Context, cfg Config) (*Runner, error) {
	if cfg.DB == nil || cfg.Service == nil || cfg.Sender == nil {
		return nil, errors.New("jobs: Config needs DB, Service and Sender")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	log = log.With("component", "jobs")
	if cfg.Steps == nil {
		cfg.Steps = cfg.Service
	}
	if cfg.Webhooks == nil {
		cfg.Webhooks = webhook.NewClient(webhook.Config{})
	}
	if cfg.Backoff.Base <= 0 {
		cfg.Backoff = DefaultBackoff()
	}
	cfg.PollInterval = cmpOr(cfg.PollInterval, 500*time.Millisecond)
	cfg.SweepInterval = cmpOr(cfg.SweepInterval, 5*time.Minute)
	cfg.StopTimeout = cmpOr(cfg.StopTimeout, 20*time.Second)
	if err := Migrate(ctx, cfg.DB, riverLogger(log)); err != nil {
		return nil, err
	}
	pool, release, err := cfg.DB.OpenJobPool(ctx)
	if err != nil {
		return nil, err
	}
	r := &Runner{cfg: cfg, log: log, pool: pool, release: release}
	var rescueAfter time.Duration
	if cfg.DB.Postgres() {
		if r.listen, err = cfg.DB.OpenListenerPool(ctx); err != nil {
			release()
			return nil, err
		}
		// Other processes may be working: a job counts as orphaned only when
		// it has run far longer than any job may (River's JobTimeout is 1 min).
		rescueAfter = 3 * time.Minute
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, &mailWorker{r: r})
	river.AddWorker(workers, &userRequestWorker{r: r})
	river.AddWorker(workers, &sweepWorker{r: r})
	river.AddWorker(workers, &webhookWorker{r: r})
	river.AddWorker(workers, &linkWorker{r: r})
	r.client, err = river.NewClient(driverFor(cfg.DB, pool, r.listen), &river.Config{
		Logger: riverLogger(log),
		Queues: map[string]river.QueueConfig{
			QueueMail:          {MaxWorkers: orInt(cfg.MailWorkers, 16)},
			QueueWorkflow:      {MaxWorkers: orInt(cfg.WorkflowWorkers, 16)},
			QueueWebhooks:      {MaxWorkers: orInt(cfg.WebhookWorkers, 4)},
			river.QueueDefault: {MaxWorkers: 1},
		},
		Workers:           workers,
		ErrorHandler:      &errorHandler{r: r},
		RetryPolicy:       cfg.Backoff,
		FetchPollInterval: cfg.PollInterval,
		FetchCooldown:     10 * time.Millisecond,
		PeriodicJobs: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(cfg.SweepInterval),
			func() (river.JobArgs, *river.InsertOpts) { return SweepArgs{}, nil }, nil)},
		RescueStuckJobsAfter: rescueAfter,
		TestOnly:             cfg.TestOnly,
	})
	if err != nil {
		r.closePools()
		return nil, fmt.Errorf("jobs: client: %w", err)
	}
	r.enq = &Enqueuer{client: r.client}
	cfg.Service.SetJobs(r.enq)
	return r, nil
}

func cmpOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func orInt(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}

// Enqueuer inserts jobs in the caller's transaction.
func (r *Runner) Enqueuer() *Enqueuer { return r.enq }

func (r *Runner) closePools() error {
	if r.listen != nil {
		r.listen.Close()
	}
	return r.release()
}

// Start releases jobs a killed process left running, queues every row that
// still needs work, and starts the workers. On SQLite only one serve works a
// database at a time (serve holds a lock on the data directory), so every
// running job at start is an orphan; on PostgreSQL other processes may be
// working, and River's rescuer releases a dead process's jobs instead.
func (r *Runner) Start(ctx context.Context) error {
	if !r.cfg.DB.Postgres() {
		n, err := r.rescueOrphans(ctx)
		if err != nil {
			return err
		}
		if n > 0 {
			r.log.Info("released jobs left running by a stopped process", "jobs", n)
		}
	}
	swept, err := r.Sweep(ctx)
	if err != nil {
		return err
	}
	if swept > 0 {
		r.log.Info("queued waiting work", "jobs", swept)
	}
	// The client outlives ctx: shutdown is a graceful Stop, not a cancel.
	if err := r.client.Start(context.WithoutCancel(ctx)); err != nil {
		return fmt.Errorf("jobs: start: %w", err)
	}
	return nil
}

// Stop waits for in-flight jobs (at most StopTimeout, then cancels them) and
// closes the pool.
func (r *Runner) Stop() error {
	ctx, cancel := context.WithTimeout(context.Background(), r.cfg.StopTimeout)
	defer cancel()
	err := r.client.Stop(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		r.log.Warn("jobs still running at the stop timeout; cancelling them")
		hard, cancelHard := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancelHard()
		err = r.client.StopAndCancel(hard)
	}
	return errors.Join(err, r.closePools())
}

// Run starts the workers and stops them gracefully when ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	if err := r.Start(ctx); err != nil {
		r.closePools()
		if ctx.Err() != nil {
			return nil // shut down while starting: nothing is lost, the sweep runs next time
		}
		return err
	}
	<-ctx.Done()
	return r.Stop()
}

// Client is the River client, for tests and for operators' tools.
func (r *Runner) Client() *river.Client[*sql.Tx] { return r.client }
