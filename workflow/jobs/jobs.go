// Package jobs runs regdesk's durable background work on River
// (github.com/riverqueue/river) in the store's own database: delivering
// outbox mail and moving user requests through the workflow. Jobs are
// inserted in the transaction of the change that caused them
// (workflow.Enqueuer), so the work and its reason commit together.
//
// On SQLite River runs on riversqlite; on PostgreSQL on riverdatabasesql,
// which shares the store's database/sql transactions, with riverpgxv5
// listening for new jobs and leadership on a pgx pool. Either way a
// transaction is a *sql.Tx, so the workers are written once. Several
// processes may work one PostgreSQL database: River's leader election runs
// the periodic sweep once, and its job locking hands each job to one worker.
package jobs

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"
	"github.com/riverqueue/river/rivertype"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// Queues: mail has its own so a slow SMTP server never holds up provisioning.
const (
	QueueMail     = "mail"
	QueueWorkflow = "workflow"
)

// MailMaxAttempts is how often a message is tried before it is marked failed.
const MailMaxAttempts = 12

// workflowMaxAttempts bounds the job; the workflow.max_attempts parameter
// (at most 50) decides when a user request fails.
const workflowMaxAttempts = 50

// unique keeps one live job per outbox row or user request. Completed and
// discarded jobs are left out so the same row can be queued again later
// (a retried mail, a retried user request).
var uniqueStates = []rivertype.JobState{
	rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled,
}

// MailArgs asks for one outbox message to be delivered.
type MailArgs struct {
	MailID int64 `json:"mail_id"`
}

// Kind names the job.
func (MailArgs) Kind() string { return "regdesk_mail" }

// InsertOpts puts the job on the mail queue, once per message.
func (MailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueMail, MaxAttempts: MailMaxAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// UserRequestArgs asks for a user request to be moved through its steps.
type UserRequestArgs struct {
	UserRequestID int64 `json:"user_request_id"`
}

// Kind names the job.
func (UserRequestArgs) Kind() string { return "regdesk_user_request" }

// InsertOpts puts the job on the workflow queue, once per user request.
func (UserRequestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: QueueWorkflow, MaxAttempts: workflowMaxAttempts,
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: uniqueStates}}
}

// Migrate creates or updates River's tables in the database. It is
// idempotent and safe while another process uses the database.
func Migrate(ctx context.Context, db *store.DB, log *slog.Logger) error {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	m, err := rivermigrate.New(driverFor(db, db.WriteDB(), nil), &rivermigrate.Config{Logger: log})
	if err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	// Two processes starting at once must not both create River's tables.
	return db.WithMigrationLock(ctx, func() error {
		if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
			return fmt.Errorf("jobs: migrate: %w", err)
		}
		return nil
	})
}

// driverFor is River's driver for the store's database on pool. listen, on
// PostgreSQL, is the pgx pool River listens on (nil: poll only).
func driverFor(db *store.DB, pool *sql.DB, listen *pgxpool.Pool) riverdriver.Driver[*sql.Tx] {
	switch {
	case !db.Postgres():
		return riversqlite.New(pool)
	case listen != nil:
		return riverdatabasesql.NewWithPgxListener(pool, listen)
	default:
		return riverdatabasesql.New(pool)
	}
}

// completeTx marks a job completed in tx, together with the work it did.
func completeTx[T river.JobArgs](ctx context.Context, tx *store.Tx, job *river.Job[T]) error {
	_, err := river.JobCompleteTx[riverdriver.Driver[*sql.Tx]](ctx, tx.SQLTx(), job)
	return err
}

// Enqueuer implements workflow.Enqueuer on a River client: it inserts jobs in
// the caller's transaction.
type Enqueuer struct {
	client *river.Client[*sql.Tx]
}

var _ workflow.Enqueuer = (*Enqueuer)(nil)

// NewInserter returns an Enqueuer for a process that only inserts jobs (the
// CLI): a running `regdesk serve` picks them up. It migrates River's tables
// first, so it works on a database serve has never opened.
func NewInserter(ctx context.Context, db *store.DB, log *slog.Logger) (*Enqueuer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := Migrate(ctx, db, riverLogger(log)); err != nil {
		return nil, err
	}
	c, err := river.NewClient(driverFor(db, db.WriteDB(), nil), &river.Config{Logger: riverLogger(log)})
	if err != nil {
		return nil, fmt.Errorf("jobs: insert-only client: %w", err)
	}
	return &Enqueuer{client: c}, nil
}

// MailQueued inserts the delivery job for an outbox row in tx.
func (e *Enqueuer) MailQueued(ctx context.Context, tx *store.Tx, mailID int64) error {
	if _, err := e.client.InsertTx(ctx, tx.SQLTx(), MailArgs{MailID: mailID}, nil); err != nil {
		return fmt.Errorf("jobs: queue mail #%d: %w", mailID, err)
	}
	return nil
}

// UserRequestSubmitted inserts the workflow job for a user request in tx.
func (e *Enqueuer) UserRequestSubmitted(ctx context.Context, tx *store.Tx, userRequestID int64) error {
	if _, err := e.client.InsertTx(ctx, tx.SQLTx(), UserRequestArgs{UserRequestID: userRequestID}, nil); err != nil {
		return fmt.Errorf("jobs: queue user request #%d: %w", userRequestID, err)
	}
	return nil
}
