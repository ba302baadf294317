package main

import (
	"context"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/mailer/smtptest"
)

// TestServe_CrashMidBatch kills serve with SIGKILL while it works a backlog
// of user requests, whose steps and delivery records share transactions:
// nothing is marked sent that the SMTP server did not take, and after a
// restart every request is completed exactly once (one login, one welcome
// mail in the outbox and at the server).
func TestServe_CrashMidBatch(t *testing.T) {
	sqliteOnly(t, "the restart's own orphan rescue is SQLite's; on PostgreSQL River's rescuer reclaims a killed process's jobs after its 3-minute rescue interval")
	const n = 60
	ctx := context.Background()
	data := newData(t)
	srv := smtptest.New(t, smtptest.Options{})
	d := openDesk(t, data)
	cli(t, data, "params", "set", workflow.ParamSignupPerDomain, "100000")
	numbers := make([]string, n)
	for i := range numbers {
		numbers[i] = d.approved(t, i)
		if _, err := d.svc.Create(ctx, workflow.CreateInput{Action: workflow.Action{Number: numbers[i], Actor: "alice"}}); err != nil {
			t.Fatal(err)
		}
	}
	completed := func() int {
		urs, err := d.db.Read().UserRequests(ctx, store.ListUserRequests{Status: domain.URCompleted})
		if err != nil {
			t.Fatal(err)
		}
		return len(urs)
	}
	received := func() map[string]int { return receivedByID(t, srv) }
	sentRows := func() []store.Mail {
		ms, err := d.db.Read().Mails(ctx, store.ListMail{Status: store.MailSent})
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}

	p := startServe(t, data, nil, "--smtp", srv.URL())
	waitFor(t, 30*time.Second, "the first user request completed", func() bool { return completed() > 0 })
	p.kill(t)
	c := completed()
	if c == n {
		t.Fatalf("all %d user requests completed before the kill: it came too late to test a backlog", n)
	}
	t.Logf("killed with %d of %d user requests completed", c, n)
	got := received()
	for _, m := range sentRows() {
		if got[m.MessageID] == 0 {
			t.Errorf("mail #%d marked sent, but the server never took it", m.ID)
		}
	}

	startServe(t, data, nil, "--smtp", srv.URL())
	waitFor(t, 60*time.Second, "every user request completed", func() bool { return completed() == n })
	waitFor(t, 60*time.Second, "every mail sent", func() bool { return len(sentRows()) == 2*n })
	got = received()
	for _, number := range numbers {
		if welcome := provisionedOnce(t, d, number); got[welcome.MessageID] == 0 {
			t.Fatalf("%s: the welcome mail never reached the server", number)
		}
	}
	// SMTP is at-least-once across a kill: a message whose answer the killed
	// process never read may come again with the same Message-ID.
	for id, c := range got {
		if c > 2 {
			t.Errorf("%s received %d times", id, c)
		}
	}
}
