package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/mail"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/mailer/smtptest"
)

// TestServe_EndToEnd drives the built binary: the CLI creates the customer,
// the running serve provisions the user and mails the welcome over SMTP
// with STARTTLS and AUTH.
func TestServe_EndToEnd(t *testing.T) {
	t.Parallel()
	data := newData(t)
	srv := smtptest.New(t, smtptest.Options{STARTTLS: true, User: "regdesk", Password: "mail pass"})
	p := startServe(t, data, []string{"SSL_CERT_FILE=" + srv.CAFile(t.TempDir())},
		"--smtp", srv.URL(), "--mail-from", "Acme Onboarding <onboarding@acme.test>")
	d := openDesk(t, data)
	number := d.approved(t, 1)
	srv.Wait(1, 20*time.Second) // the activation mail, queued by another process

	out := cli(t, data, "requests", "create", number, "--as", "alice")
	if !strings.Contains(out, "UR-") {
		t.Fatalf("create: %s", out)
	}
	msgs := srv.Wait(2, 20*time.Second)
	welcome, err := mail.ReadMessage(bytes.NewReader(msgs[1].Data))
	if err != nil {
		t.Fatal(err)
	}
	if !msgs[1].TLS || msgs[1].User != "regdesk" || msgs[1].To[0] != "grace1@example.com" {
		t.Fatalf("session: tls=%v user=%q to=%v", msgs[1].TLS, msgs[1].User, msgs[1].To)
	}
	if from, _ := mail.ParseAddress(welcome.Header.Get("From")); from == nil || from.Address != "onboarding@acme.test" {
		t.Fatalf("From = %q, want --mail-from", welcome.Header.Get("From"))
	}
	var body bytes.Buffer
	body.ReadFrom(welcome.Body)
	if !strings.Contains(body.String(), "grace1") || !strings.Contains(body.String(), p.url) {
		t.Fatalf("welcome mail lacks the user name or the portal URL %s", p.url)
	}

	var urs []workflow.UserRequestRecord
	if err := json.Unmarshal([]byte(cli(t, data, "user-requests", "list", "--json")), &urs); err != nil {
		t.Fatal(err)
	}
	if len(urs) != 1 || urs[0].Status != domain.URCompleted || urs[0].RequestNumber != number {
		t.Fatalf("user requests: %+v", urs)
	}
	var ms []mailJSON
	waitFor(t, 10*time.Second, "both mails marked sent", func() bool {
		ms = nil
		json.Unmarshal([]byte(cli(t, data, "mail", "list", "--json")), &ms)
		return len(ms) == 2 && ms[0].Status == store.MailSent && ms[1].Status == store.MailSent
	})
	if welcome.Header.Get("Message-Id") != ms[1].MessageID { // oldest first: activation, then welcome
		t.Fatalf("Message-ID %q, outbox %q", welcome.Header.Get("Message-Id"), ms[1].MessageID)
	}
	p.stop(t)
}

// TestServe_CrashRecovery kills serve with SIGKILL in the middle of the
// workflow by construction: the approve-user-request step is on, so half the
// user requests wait for an approver the test has not yet been, and the SMTP
// server holds every delivery unanswered, so mail jobs are running when the
// process dies. After a restart every request completes exactly once (one
// user, one welcome mail each); a message the server took whose answer the
// dead process never read may come again with the same Message-ID, and only
// those.
func TestServe_CrashRecovery(t *testing.T) {
	t.Parallel()
	sqliteOnly(t, "the restart's own orphan rescue is SQLite's; on PostgreSQL River's rescuer reclaims a killed process's jobs after its 3-minute rescue interval")
	const n = 12
	ctx := context.Background()
	data := newData(t)
	gate := make(chan struct{}) // closed: the SMTP server answers again
	var restarted atomic.Bool
	var arrived, heldForDead atomic.Int32 // DATA commands; those sent by the killed serve
	srv := smtptest.New(t, smtptest.Options{Reply: func(int) error {
		arrived.Add(1)
		if !restarted.Load() {
			heldForDead.Add(1)
		}
		<-gate
		return nil
	}})
	d := openDesk(t, data)
	cli(t, data, "params", "set", workflow.ParamApproveUserStep, "true")
	numbers := make([]string, n)
	for i := range numbers {
		numbers[i] = d.approved(t, i)
	}
	p := startServe(t, data, nil, "--smtp", srv.URL())
	for _, number := range numbers {
		if _, err := d.svc.Create(ctx, workflow.CreateInput{Action: workflow.Action{Number: number, Actor: "alice"}}); err != nil {
			t.Fatal(err)
		}
	}
	inStatus := func(status domain.UserRequestStatus) []store.UserRequest {
		urs, err := d.db.Read().UserRequests(ctx, store.ListUserRequests{Status: status})
		if err != nil {
			t.Fatal(err)
		}
		return urs
	}
	sent := func() int {
		ms, err := d.db.Read().Mails(ctx, store.ListMail{Status: store.MailSent})
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	approveUsers := func(urs []store.UserRequest) {
		t.Helper()
		for _, u := range urs {
			if _, err := d.svc.ApproveUserRequest(ctx, workflow.Action{Number: u.Number, Actor: "bob"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitFor(t, 30*time.Second, "every user request waiting for its approver", func() bool {
		return len(inStatus(domain.URPendingApproval)) == n
	})
	approveUsers(inStatus(domain.URPendingApproval)[:n/2])
	waitFor(t, 30*time.Second, "the approved half completed and a delivery held at SMTP", func() bool {
		return len(inStatus(domain.URCompleted)) == n/2 && arrived.Load() > 0
	})
	p.kill(t)
	// What was in flight when it died: the other half at their human step,
	// every mail unacknowledged.
	if got := len(inStatus(domain.URPendingApproval)); got != n-n/2 {
		t.Fatalf("%d user requests waiting at the kill, want %d", got, n-n/2)
	}
	if got := sent(); got != 0 {
		t.Fatalf("%d mails marked sent while the server answered none", got)
	}
	close(gate) // the server takes what it held; the sender is gone

	restarted.Store(true)
	held := int(heldForDead.Load())
	p2 := startServe(t, data, nil, "--smtp", srv.URL())
	approveUsers(inStatus(domain.URPendingApproval))
	waitFor(t, 60*time.Second, "every user request completed", func() bool {
		return len(inStatus(domain.URCompleted)) == n
	})
	waitFor(t, 60*time.Second, "every mail sent", func() bool { return sent() == 2*n })

	byMessageID := receivedByID(t, srv)
	for _, number := range numbers {
		welcome := provisionedOnce(t, d, number)
		if byMessageID[welcome.MessageID] == 0 {
			t.Fatalf("%s: welcome mail never received", number)
		}
	}
	// SMTP is at-least-once across a kill: a message the server accepted
	// but whose answer the killed process never read is sent again with the
	// same Message-ID, never as a new mail, and no other message twice.
	dups := 0
	for id, c := range byMessageID {
		if c > 2 {
			t.Errorf("%s received %d times", id, c)
		}
		dups += c - 1
	}
	if len(byMessageID) != 2*n {
		t.Fatalf("%d distinct messages received, want %d", len(byMessageID), 2*n)
	}
	if dups > held {
		t.Fatalf("%d messages received twice, but only %d were held for the killed process", dups, held)
	}
	// The mail jobs running at the kill were released at once at restart,
	// not after River's stuck-job timeout.
	if log := p2.stderr.String(); !strings.Contains(log, "released jobs left running by a stopped process") {
		t.Fatalf("the restart released no orphaned job:\n%s", clipLog(log))
	}
	t.Logf("held for the killed serve: %d deliveries; received twice: %d", held, dups)
	p2.stop(t)
}

// receivedByID counts the messages the SMTP server took by Message-ID.
func receivedByID(t *testing.T, srv *smtptest.Server) map[string]int {
	t.Helper()
	by := map[string]int{}
	for _, m := range srv.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		by[msg.Header.Get("Message-Id")]++
	}
	return by
}

// provisionedOnce checks that the created request number has exactly one
// user request, one login and one welcome mail in the outbox, and returns
// that mail.
func provisionedOnce(t *testing.T, d *desk, number string) store.Mail {
	t.Helper()
	ctx := context.Background()
	r, err := d.db.Read().RequestByNumber(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	urs, err := d.db.Read().UserRequests(ctx, store.ListUserRequests{CustomerID: *r.CustomerID})
	if err != nil || len(urs) != 1 {
		t.Fatalf("%s: %d user requests (%v)", number, len(urs), err)
	}
	if users, err := d.db.Read().Users(ctx, *r.CustomerID); err != nil || len(users) != 1 {
		t.Fatalf("%s: %d logins (%v), want 1", number, len(users), err)
	}
	ms, err := d.db.Read().Mails(ctx, store.ListMail{Ref: urs[0].Number})
	if err != nil {
		t.Fatal(err)
	}
	var welcome []store.Mail
	for _, m := range ms {
		if m.Kind == "welcome" {
			welcome = append(welcome, m)
		}
	}
	if len(welcome) != 1 {
		t.Fatalf("%s: %d welcome mails in the outbox, want 1", number, len(welcome))
	}
	return welcome[0]
}
