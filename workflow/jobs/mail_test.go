package jobs_test

import (
	"bytes"
	"context"
	"net/mail"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/jobs"
	"github.com/regdesk/regdesk/workflow/mailer"
	"github.com/regdesk/regdesk/workflow/mailer/smtptest"
)

func TestRunner_MailToFiles(t *testing.T) {
	e := newEnv(t, envOpts{})
	number := approved(t, e.svc, 1)
	ms := mails(t, e.db, number)
	if len(ms) != 1 || ms[0].Kind != "activation" {
		t.Fatalf("mail: %+v", ms)
	}
	waitFor(t, 10*time.Second, "activation mail sent", func() bool { return mailByID(t, e.db, ms[0].ID).Status == store.MailSent })
	m := mailByID(t, e.db, ms[0].ID)
	if m.Attempts != 1 || m.SentAt == nil {
		t.Fatalf("sent mail: attempts=%d sent_at=%v", m.Attempts, m.SentAt)
	}
	raw, err := os.ReadFile(filepath.Join(e.mail, mailer.FileName(m)))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Message-Id") != m.MessageID || msg.Header.Get("Subject") != m.Subject {
		t.Fatalf("headers: %v", msg.Header)
	}
	if from, _ := mail.ParseAddress(msg.Header.Get("From")); from == nil || from.Address != "no-reply@regdesk.localhost" {
		t.Fatalf("From = %q, want the mail.from parameter", msg.Header.Get("From"))
	}
}

// TestRunner_MailFromChangedElsewhere: the mail worker reads the mail.from
// parameter through the Service's cache; set by another process (another
// opened store on the same file), it is the sender of the next mail.
func TestRunner_MailFromChangedElsewhere(t *testing.T) {
	e := newEnv(t, envOpts{})
	ctx := context.Background()
	first := approved(t, e.svc, 1)
	id := mails(t, e.db, first)[0].ID
	waitFor(t, 10*time.Second, "first mail sent", func() bool { return mailByID(t, e.db, id).Status == store.MailSent })
	if got := sentFrom(t, e, id); got != "no-reply@regdesk.localhost" {
		t.Fatalf("first From = %q", got)
	}
	other, err := store.Open(ctx, e.db.Path(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	if err := workflow.New(workflow.Config{DB: other}).SetParam(ctx, workflow.ParamMailFrom,
		"desk@example.test", "op"); err != nil {
		t.Fatal(err)
	}
	second := approved(t, e.svc, 2)
	id = mails(t, e.db, second)[0].ID
	waitFor(t, 10*time.Second, "second mail sent", func() bool { return mailByID(t, e.db, id).Status == store.MailSent })
	if got := sentFrom(t, e, id); got != "desk@example.test" {
		t.Fatalf("From after the change elsewhere = %q, want desk@example.test", got)
	}
}

// sentFrom is the From address of the mail file written for mail id.
func sentFrom(t *testing.T, e *env, id int64) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(e.mail, mailer.FileName(mailByID(t, e.db, id))))
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	from, err := mail.ParseAddress(msg.Header.Get("From"))
	if err != nil {
		t.Fatal(err)
	}
	return from.Address
}

func TestRunner_MailSMTPOutage(t *testing.T) {
	e := newEnv(t, envOpts{smtp: &smtptest.Options{STARTTLS: true, User: "regdesk", Password: "pw"}})
	e.smtp.Stop()
	number := approved(t, e.svc, 1)
	id := mails(t, e.db, number)[0].ID
	waitFor(t, 10*time.Second, "two failed attempts", func() bool { return mailByID(t, e.db, id).Attempts >= 2 })
	if m := mailByID(t, e.db, id); m.Status != store.MailQueued || m.LastError == "" {
		t.Fatalf("during the outage: status=%s last_error=%q", m.Status, m.LastError)
	}
	e.smtp.Start()
	msgs := e.smtp.Wait(1, 10*time.Second)
	waitFor(t, 10*time.Second, "mail marked sent", func() bool { return mailByID(t, e.db, id).Status == store.MailSent })
	// A further sweep finds nothing to do and nothing arrives twice.
	if n, err := e.runner.Sweep(context.Background()); err != nil || n != 0 {
		t.Fatalf("sweep after delivery: %d, %v", n, err)
	}
	m := mailByID(t, e.db, id)
	if got := e.smtp.Messages(); len(got) != 1 || !got[0].TLS || got[0].User != "regdesk" {
		t.Fatalf("received %d messages (tls=%v user=%q), want exactly 1", len(got), msgs[0].TLS, msgs[0].User)
	}
	if parsed, err := mail.ReadMessage(bytes.NewReader(msgs[0].Data)); err != nil || parsed.Header.Get("Message-Id") != m.MessageID {
		t.Fatalf("message id: %v", err)
	}
	if m.LastError != "" {
		t.Errorf("last_error kept after delivery: %q", m.LastError)
	}
}

func TestRunner_MailPermanentFailure(t *testing.T) {
	refuse := true
	e := newEnv(t, envOpts{smtp: &smtptest.Options{Reply: func(int) error {
		if refuse {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
		}
		return nil
	}}})
	number := approved(t, e.svc, 1)
	id := mails(t, e.db, number)[0].ID
	waitFor(t, 10*time.Second, "mail failed", func() bool { return mailByID(t, e.db, id).Status == store.MailFailed })
	m := mailByID(t, e.db, id)
	if m.Attempts != 1 || m.LastError == "" {
		t.Fatalf("a 5xx must fail at once: attempts=%d last_error=%q", m.Attempts, m.LastError)
	}

	t.Run("retry", func(t *testing.T) {
		ctx := context.Background()
		if _, err := e.svc.RetryMail(ctx, id, ""); err == nil {
			t.Fatal("retry without an actor accepted")
		}
		if _, err := e.svc.RetryMail(ctx, 9999, "alice"); err == nil {
			t.Fatal("retry of a missing mail accepted")
		}
		refuse = false // the fix: the mailbox exists now (set before any new job runs)
		got, err := e.svc.RetryMail(ctx, id, "alice")
		if err != nil || got.Status != store.MailQueued {
			t.Fatalf("retry: %v %+v", err, got)
		}
		waitFor(t, 10*time.Second, "mail sent after retry", func() bool { return mailByID(t, e.db, id).Status == store.MailSent })
		if _, err := e.svc.RetryMail(ctx, id, "alice"); err == nil {
			t.Fatal("retry of a sent mail accepted")
		}
		audit, err := e.db.Read().LastAudit(ctx, store.EntityMail, "1")
		if err != nil || audit.Actor != "alice" || audit.Action != "retry" {
			t.Fatalf("audit: %+v %v", audit, err)
		}
	})
}

func TestRunner_MailRunsOutOfAttempts(t *testing.T) {
	e := newEnv(t, envOpts{smtp: &smtptest.Options{Reply: func(int) error {
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}}})
	number := approved(t, e.svc, 1)
	id := mails(t, e.db, number)[0].ID
	waitFor(t, 20*time.Second, "mail failed", func() bool { return mailByID(t, e.db, id).Status == store.MailFailed })
	if m := mailByID(t, e.db, id); m.Attempts != jobs.MailMaxAttempts {
		t.Fatalf("attempts = %d, want %d", m.Attempts, jobs.MailMaxAttempts)
	}
	if n := len(e.smtp.Messages()); n != 0 {
		t.Fatalf("%d messages accepted", n)
	}
}

func TestRunner_SweepQueuesMailWithoutJob(t *testing.T) {
	e := newEnv(t, envOpts{noStart: true})
	// Rows written by a process without a queue (an older binary, a restore).
	plain := workflow.New(workflow.Config{DB: e.db})
	number := approved(t, plain, 1)
	id := mails(t, e.db, number)[0].ID
	n, err := e.runner.Sweep(context.Background())
	if err != nil || n != 1 {
		t.Fatalf("sweep: %d, %v; want 1 job", n, err)
	}
	if n, _ := e.runner.Sweep(context.Background()); n != 0 {
		t.Fatalf("second sweep inserted %d jobs; unique jobs must make it a no-op", n)
	}
	e.start(t)
	waitFor(t, 10*time.Second, "swept mail sent", func() bool { return mailByID(t, e.db, id).Status == store.MailSent })
}

func TestBackoff_Delay(t *testing.T) {
	b := jobs.DefaultBackoff()
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second}
	for i, w := range want {
		if d := b.Delay(i + 1); d != w {
			t.Errorf("attempt %d: %v, want %v", i+1, d, w)
		}
	}
	if d := b.Delay(40); d != time.Hour {
		t.Errorf("attempt 40: %v, want the 1h cap", d)
	}
}
