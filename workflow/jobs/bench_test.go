package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/mailer/smtptest"
)

// BenchmarkWorkflow_ProvisionAndMail measures the whole user request
// workflow: b.N approved requests are created, and the clock stops when the
// local SMTP server has every welcome mail.
func BenchmarkWorkflow_ProvisionAndMail(b *testing.B) {
	e := newEnv(b, envOpts{smtp: &smtptest.Options{}})
	numbers := make([]string, b.N)
	for i := range numbers {
		numbers[i] = approved(b, e.svc, i)
	}
	e.smtp.Wait(b.N, time.Minute) // activation mails
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for _, n := range numbers {
		if _, err := e.svc.Create(ctx, workflow.CreateInput{Action: workflow.Action{Number: n, Actor: "alice"}}); err != nil {
			b.Fatal(err)
		}
	}
	e.smtp.Wait(2*b.N, 5*time.Minute)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "requests/s")
}

// BenchmarkMail_SMTP measures outbox delivery to a local SMTP server, one
// connection per message.
func BenchmarkMail_SMTP(b *testing.B) {
	e := newEnv(b, envOpts{smtp: &smtptest.Options{}, noStart: true})
	benchMail(b, e, func() int { return len(e.smtp.Messages()) })
}

// BenchmarkMail_Files measures delivery to .eml files (the default sender).
func BenchmarkMail_Files(b *testing.B) {
	e := newEnv(b, envOpts{noStart: true})
	benchMail(b, e, func() int {
		counts, _ := e.db.Read().MailCounts(context.Background())
		return int(counts[store.MailSent])
	})
}

// benchMail queues b.N messages (sign-ups) with the queue stopped, then
// times the workers draining the outbox.
func benchMail(b *testing.B, e *env, delivered func() int) {
	plain := workflow.New(workflow.Config{DB: e.db})
	for i := range b.N {
		if _, err := plain.SignUp(context.Background(), workflow.SignupInput{CompanyName: fmt.Sprintf("C%d", i),
			Street: "s", City: "c", PostalCode: "1", Country: "US", FirstName: "F", LastName: "L",
			Email: fmt.Sprintf("m%d@example.com", i), Phone: "1", Username: fmt.Sprintf("m%d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	e.start(b) // the start-up sweep queues every message
	waitFor(b, 5*time.Minute, "every mail delivered", func() bool { return delivered() >= b.N })
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "mails/s")
}
