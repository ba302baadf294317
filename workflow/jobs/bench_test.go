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
	e := newEnv(b, envOpts{smtp: &smtptest.Options{}, servePolling: true})
	benchMail(b, e, func() int { return len(e.smtp.Messages()) })
}

// BenchmarkMail_Files measures delivery to .eml files (the default sender).
func BenchmarkMail_Files(b *testing.B) {
	e := newEnv(b, envOpts{servePolling: true})
	benchMail(b, e, func() int {
		counts, err := e.db.Read().MailCounts(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		return int(counts[store.MailSent])
	})
}

// benchMail times mail as serve handles it: the runner is already running,
// with serve's polling; each of b.N sign-ups queues its activation mail and
// the delivery job in its own transaction, and the clock stops when the last
// is delivered. The runner's start-up is not timed.
func benchMail(b *testing.B, e *env, delivered func() int) {
	ctx := context.Background()
	b.ResetTimer()
	start := time.Now()
	for i := range b.N {
		if _, err := e.svc.SignUp(ctx, workflow.SignupInput{CompanyName: fmt.Sprintf("C%d", i),
			Street: "s", City: "c", PostalCode: "1", Country: "US", FirstName: "F", LastName: "L",
			Email: fmt.Sprintf("m%d@example.com", i), Phone: "1", Username: fmt.Sprintf("m%d", i)}); err != nil {
			b.Fatal(err)
		}
	}
	waitFor(b, 5*time.Minute, "every mail delivered", func() bool { return delivered() >= b.N })
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "mails/s")
}
