package jobs

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivertype"

	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/mailer"
)

// rescueOrphans on the job rows a SIGKILL leaves: a running job with
// attempts left is available again at once, with the same attempt count and
// an error saying why; one out of attempts is discarded (the sweep queues a
// fresh job if its row still needs work); finished and waiting jobs are not
// touched; a second pass finds nothing.
func TestRunner_RescueOrphans(t *testing.T) {
	if storetest.Postgres() {
		t.Skip("rescueOrphans runs on SQLite only (one serve per data directory); on PostgreSQL River's rescuer releases a dead process's jobs")
	}
	ctx := context.Background()
	db := storetest.New(t)
	sender, err := mailer.NewFileSender(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r, err := New(ctx, Config{DB: db, Service: workflow.New(workflow.Config{DB: db}), Sender: sender, TestOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.release() })
	exec := riversqlite.New(r.pool).GetExecutor()
	started := time.Now().Add(-time.Minute).UTC()
	insert := func(kind, queue string, state rivertype.JobState, attempt, maxAttempts int) *rivertype.JobRow {
		t.Helper()
		p := &riverdriver.JobInsertFullParams{Kind: kind, Queue: queue, State: state, Attempt: attempt,
			MaxAttempts: maxAttempts, EncodedArgs: []byte(`{"mail_id":1}`), Metadata: []byte(`{}`),
			Priority: 1, ScheduledAt: &started}
		if attempt > 0 {
			p.AttemptedAt = &started
			p.AttemptedBy = []string{"killed-process"}
		}
		if state == rivertype.JobStateCompleted {
			p.FinalizedAt = &started
		}
		j, err := exec.JobInsertFull(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	mail, ur := MailArgs{}.Kind(), UserRequestArgs{}.Kind()
	orphan := insert(mail, QueueMail, rivertype.JobStateRunning, 2, 5)
	orphanStep := insert(ur, QueueWorkflow, rivertype.JobStateRunning, 1, 8)
	spent := insert(mail, QueueMail, rivertype.JobStateRunning, 5, 5)
	done := insert(mail, QueueMail, rivertype.JobStateCompleted, 1, 5)
	waiting := insert(ur, QueueWorkflow, rivertype.JobStateAvailable, 0, 8)

	n, err := r.rescueOrphans(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 {
		t.Fatalf("rescued %d jobs, want the 3 left running", n)
	}
	get := func(j *rivertype.JobRow) *rivertype.JobRow {
		t.Helper()
		got, err := exec.JobGetByID(ctx, &riverdriver.JobGetByIDParams{ID: j.ID})
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	for _, j := range []*rivertype.JobRow{orphan, orphanStep} {
		got := get(j)
		if got.State != rivertype.JobStateAvailable || got.Attempt != j.Attempt || got.FinalizedAt != nil {
			t.Errorf("orphan %s: state %s attempt %d finalized %v, want available, attempt %d",
				j.Kind, got.State, got.Attempt, got.FinalizedAt, j.Attempt)
		}
		if got.ScheduledAt.After(time.Now()) {
			t.Errorf("orphan %s scheduled for %v, want at once", j.Kind, got.ScheduledAt)
		}
		if len(got.Errors) != 1 || !strings.Contains(got.Errors[0].Error, "the process running this job stopped") {
			t.Errorf("orphan %s errors %+v", j.Kind, got.Errors)
		}
	}
	if got := get(spent); got.State != rivertype.JobStateDiscarded || got.FinalizedAt == nil {
		t.Errorf("a job out of attempts: state %s finalized %v, want discarded", got.State, got.FinalizedAt)
	}
	for _, j := range []*rivertype.JobRow{done, waiting} {
		if got := get(j); got.State != j.State || got.Attempt != j.Attempt || len(got.Errors) != 0 {
			t.Errorf("%s job changed: %s attempt %d errors %d", j.State, got.State, got.Attempt, len(got.Errors))
		}
	}
	if n, err := r.rescueOrphans(ctx); err != nil || n != 0 {
		t.Fatalf("second pass rescued %d (%v), want 0", n, err)
	}
}
