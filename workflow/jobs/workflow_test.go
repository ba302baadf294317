package jobs_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/jobs"
	"github.com/regdesk/regdesk/workflow/mailer/smtptest"
)

// stepOutcomes lists "step:outcome" of a user request's history.
func stepOutcomes(t *testing.T, db *store.DB, id int64) []string {
	t.Helper()
	steps, err := db.Read().Steps(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, s := range steps {
		out = append(out, s.Step+":"+s.Outcome)
	}
	return out
}

func countUsers(t *testing.T, db *store.DB, urID int64) int {
	t.Helper()
	_, err := db.Read().UserByUserRequest(context.Background(), urID)
	if errors.Is(err, store.ErrNotFound) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return 1
}

func welcomeMails(t *testing.T, db *store.DB, ref string) []store.Mail {
	t.Helper()
	var out []store.Mail
	for _, m := range mails(t, db, ref) {
		if m.Kind == "welcome" {
			out = append(out, m)
		}
	}
	return out
}

func TestRunner_Workflow(t *testing.T) {
	e := newEnv(t, envOpts{smtp: &smtptest.Options{STARTTLS: true, User: "u", Password: "p"}})
	ur := create(t, e.svc, approved(t, e.svc, 1))
	if ur.Status != domain.URSubmitted {
		t.Fatalf("after Create: %s", ur.Status)
	}
	u := waitStatus(t, e.db, ur.ID, domain.URCompleted)
	if got := stepOutcomes(t, e.db, ur.ID); len(got) != 3 || got[0] != "submit:done" ||
		got[1] != workflow.StepProvision+":done" || got[2] != workflow.StepNotify+":done" {
		t.Fatalf("steps: %v", got)
	}
	user, err := e.db.Read().UserByUserRequest(context.Background(), ur.ID)
	if err != nil || user.Username != u.Username || user.PasswordHash != "$argon2id$test" || user.Role != u.Role {
		t.Fatalf("user: %+v %v", user, err)
	}
	w := welcomeMails(t, e.db, u.Number)
	if len(w) != 1 {
		t.Fatalf("%d welcome mails", len(w))
	}
	waitFor(t, 10*time.Second, "welcome mail sent", func() bool { return mailByID(t, e.db, w[0].ID).Status == store.MailSent })
	msgs := e.smtp.Wait(2, 5*time.Second) // activation + welcome
	if len(msgs) != 2 || msgs[1].To[0] != user.Email {
		t.Fatalf("received %d messages", len(msgs))
	}
}

func TestRunner_WorkflowApproveStep(t *testing.T) {
	e := newEnv(t, envOpts{})
	setParam(t, e.svc, workflow.ParamApproveUserStep, "true")
	ur := create(t, e.svc, approved(t, e.svc, 1))
	waitStatus(t, e.db, ur.ID, domain.URPendingApproval)
	if n := countUsers(t, e.db, ur.ID); n != 0 {
		t.Fatal("a user was provisioned before approval")
	}
	if _, err := e.svc.ApproveUserRequest(context.Background(), workflow.Action{Number: ur.Number, Actor: "bob"}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, e.db, ur.ID, domain.URCompleted)
	if countUsers(t, e.db, ur.ID) != 1 || len(welcomeMails(t, e.db, ur.Number)) != 1 {
		t.Fatal("want one user and one welcome mail")
	}
}

func TestRunner_WorkflowRetries(t *testing.T) {
	var f *flaky
	e := newEnv(t, envOpts{steps: func(s jobs.Steps) jobs.Steps {
		f = &flaky{Steps: s, n: 2, err: errTransient}
		return f
	}})
	ur := create(t, e.svc, approved(t, e.svc, 1))
	u := waitStatus(t, e.db, ur.ID, domain.URCompleted)
	got := stepOutcomes(t, e.db, ur.ID)
	want := []string{"submit:done", workflow.StepProvision + ":retry", workflow.StepProvision + ":retry",
		workflow.StepProvision + ":done", workflow.StepNotify + ":done"}
	if len(got) != len(want) {
		t.Fatalf("steps: %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("steps: %v, want %v", got, want)
		}
	}
	steps, _ := e.db.Read().Steps(context.Background(), ur.ID)
	if steps[1].Attempt != 1 || steps[2].Attempt != 2 || steps[3].Attempt != 3 {
		t.Fatalf("attempts: %d %d %d", steps[1].Attempt, steps[2].Attempt, steps[3].Attempt)
	}
	if u.Attempts != 0 || u.LastError != "" {
		t.Fatalf("a completed request keeps attempts=%d last_error=%q", u.Attempts, u.LastError)
	}
}

func TestRunner_WorkflowFailsAndRetry(t *testing.T) {
	var f *flaky
	e := newEnv(t, envOpts{steps: func(s jobs.Steps) jobs.Steps {
		f = &flaky{Steps: s, n: 1000, err: errTransient}
		return f
	}})
	setParam(t, e.svc, workflow.ParamMaxAttempts, "3")
	ur := create(t, e.svc, approved(t, e.svc, 1))
	u := waitStatus(t, e.db, ur.ID, domain.URFailed)
	if u.Attempts != 3 || u.LastError != errTransient.Error() {
		t.Fatalf("failed: attempts=%d last_error=%q", u.Attempts, u.LastError)
	}
	if countUsers(t, e.db, ur.ID) != 0 {
		t.Fatal("user provisioned by a failing step")
	}
	f.heal()
	if _, err := e.svc.RetryUserRequest(context.Background(), workflow.Action{Number: ur.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	waitStatus(t, e.db, ur.ID, domain.URCompleted)
	if countUsers(t, e.db, ur.ID) != 1 || len(welcomeMails(t, e.db, ur.Number)) != 1 {
		t.Fatal("want one user and one welcome mail after the retry")
	}
}

func TestRunner_WorkflowPermanentError(t *testing.T) {
	e := newEnv(t, envOpts{steps: func(s jobs.Steps) jobs.Steps {
		return &flaky{Steps: s, n: 1, err: &workflow.PermanentError{Err: errors.New("user name taken")}}
	}})
	ur := create(t, e.svc, approved(t, e.svc, 1))
	u := waitStatus(t, e.db, ur.ID, domain.URFailed)
	if u.Attempts != 1 || u.LastError != "user name taken" {
		t.Fatalf("a permanent error must fail at once: attempts=%d last_error=%q", u.Attempts, u.LastError)
	}
}

func TestRunner_WorkflowDisabled(t *testing.T) {
	e := newEnv(t, envOpts{})
	setParam(t, e.svc, workflow.ParamWorkflowEnabled, "false")
	ur := create(t, e.svc, approved(t, e.svc, 1))
	if ur.Status != domain.URDraft {
		t.Fatalf("status %s, want draft", ur.Status)
	}
	// The sweep also re-queues mail still in the outbox: let the mail of
	// the sign-up and the decisions go first, so what it counts is the draft.
	waitFor(t, 15*time.Second, "the outbox to drain", func() bool {
		ids, err := e.db.Read().QueuedMailIDs(context.Background(), 0, 1)
		return err == nil && len(ids) == 0
	})
	if n, err := e.runner.Sweep(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep queued %d jobs for a draft (%v)", n, err)
	}
	if u := userRequest(t, e.db, ur.ID); u.Status != domain.URDraft {
		t.Fatalf("the workflow touched a draft: %s", u.Status)
	}
	u, err := e.svc.ProvisionUser(context.Background(), workflow.Action{Number: ur.Number, Actor: "alice"})
	if err != nil || u.Status != domain.URCompleted {
		t.Fatalf("provision: %v %s", err, u.Status)
	}
	w := welcomeMails(t, e.db, ur.Number)
	if len(w) != 1 {
		t.Fatalf("%d welcome mails", len(w))
	}
	waitFor(t, 10*time.Second, "welcome mail sent", func() bool { return mailByID(t, e.db, w[0].ID).Status == store.MailSent })
}

// TestInserter_OtherProcess is the CLI's path: another store handle on the
// same file inserts with an insert-only client; the running runner works it.
func TestInserter_OtherProcess(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOpts{})
	number := approved(t, e.svc, 1)
	cli, err := store.Open(ctx, e.db.Path(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	q, err := jobs.NewInserter(ctx, cli, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := workflow.New(workflow.Config{DB: cli, Jobs: q})
	ur := create(t, svc, number)
	waitStatus(t, e.db, ur.ID, domain.URCompleted)
	if countUsers(t, e.db, ur.ID) != 1 || len(welcomeMails(t, e.db, ur.Number)) != 1 {
		t.Fatal("want one user and one welcome mail")
	}
}

// TestRunner_StepsAreIdempotent runs the steps again behind the worker's
// back: nothing is created twice.
func TestRunner_StepsAreIdempotent(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOpts{})
	ur := create(t, e.svc, approved(t, e.svc, 1))
	waitStatus(t, e.db, ur.ID, domain.URCompleted)
	for range 3 {
		res, err := e.svc.RunStep(ctx, ur.ID, 9)
		if err != nil || res.Step != "" || res.More {
			t.Fatalf("rerun: %+v %v", res, err)
		}
	}
	// The sweep may queue a job again for a mail being sent as it looks
	// (harmless: that job finds the mail sent); once it is out, nothing.
	w := welcomeMails(t, e.db, ur.Number)
	if len(w) != 1 {
		t.Fatalf("%d welcome mails", len(w))
	}
	waitFor(t, 10*time.Second, "welcome mail sent", func() bool { return mailByID(t, e.db, w[0].ID).Status == store.MailSent })
	if n, err := e.runner.Sweep(ctx); err != nil || n != 0 {
		t.Fatalf("sweep: %d %v", n, err)
	}
	if countUsers(t, e.db, ur.ID) != 1 || len(welcomeMails(t, e.db, ur.Number)) != 1 {
		t.Fatal("want one user and one welcome mail")
	}
}
