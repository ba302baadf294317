package jobs_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/jobs"
	"github.com/regdesk/regdesk/workflow/mailer/smtptest"
)

// BenchmarkWorkflow_ProvisionAndMail measures the user request workflow as
// serve meets a backlog: b.N approved requests are created (their
// provisioning queued) while no runner works, then a runner with serve's
// settings starts, as serve does after a bulk decision or a restart, and the
// clock stops when the local SMTP server has every welcome mail.
func BenchmarkWorkflow_ProvisionAndMail(b *testing.B) {
	ctx := context.Background()
	e := newEnv(b, envOpts{smtp: &smtptest.Options{}, servePolling: true, noStart: true})
	// No sign-up limit gets in the way of the backlog.
	for k, v := range map[string]string{workflow.ParamSignupPerDomain: "100000", workflow.ParamMaxUnverified: "10000000"} {
		if err := e.svc.SetParam(ctx, k, v, "bench"); err != nil {
			b.Fatal(err)
		}
	}
	first := e.runner
	if err := first.Start(ctx); err != nil {
		b.Fatal(err)
	}
	numbers := make([]string, b.N)
	for i := range numbers {
		numbers[i] = approved(b, e.svc, i)
	}
	e.smtp.Wait(b.N, time.Minute) // activation mails
	if err := first.Stop(); err != nil {
		b.Fatal(err)
	}
	var err error
	if e.runner, err = jobs.New(ctx, e.cfg); err != nil {
		b.Fatal(err)
	}
	for _, n := range numbers {
		if _, err := e.svc.Create(ctx, workflow.CreateInput{Action: workflow.Action{Number: n, Actor: "alice"}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	start := time.Now()
	e.start(b)
	e.smtp.Wait(2*b.N, 5*time.Minute)
	elapsed := time.Since(start)
	b.StopTimer()
	// The welcome mail is queued by the step that completes the request.
	done, err := e.db.Read().UserRequests(ctx, store.ListUserRequests{Status: domain.URCompleted})
	if err != nil || len(done) != b.N {
		b.Fatalf("%d user requests completed (%v), want %d", len(done), err, b.N)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "requests/s")
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
