package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/mail"
	"strings"
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
	data := t.TempDir()
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

	var urs []userRequestJSON
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

// TestServe_CrashRecovery kills serve with SIGKILL while user requests are
// in the workflow and mail is being sent, restarts it, and checks that every
// request completes exactly once: one user and one welcome mail each.
func TestServe_CrashRecovery(t *testing.T) {
	const n = 12
	ctx := context.Background()
	data := t.TempDir()
	// A slow server keeps deliveries in flight when the process dies.
	srv := smtptest.New(t, smtptest.Options{Reply: func(int) error { time.Sleep(150 * time.Millisecond); return nil }})
	d := openDesk(t, data)
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
	completed := func() int {
		urs, err := d.db.Read().UserRequests(ctx, store.ListUserRequests{Status: domain.URCompleted})
		if err != nil {
			t.Fatal(err)
		}
		return len(urs)
	}
	waitFor(t, 30*time.Second, "the first completed user request", func() bool { return completed() > 0 })
	p.kill(t)
	before, received := completed(), len(srv.Messages())
	t.Logf("killed with %d of %d user requests completed and %d mails received", before, n, received)

	p2 := startServe(t, data, nil, "--smtp", srv.URL())
	waitFor(t, 60*time.Second, "every user request completed", func() bool { return completed() == n })
	sent := func() int {
		ms, err := d.db.Read().Mails(ctx, store.ListMail{Status: store.MailSent})
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	waitFor(t, 60*time.Second, "every mail sent", func() bool { return sent() == 2*n })

	byMessageID := map[string]int{}
	for _, m := range srv.Messages() {
		msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		byMessageID[msg.Header.Get("Message-Id")]++
	}
	for _, number := range numbers {
		r, err := d.db.Read().RequestByNumber(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		urs, err := d.db.Read().UserRequests(ctx, store.ListUserRequests{CustomerID: *r.CustomerID})
		if err != nil || len(urs) != 1 {
			t.Fatalf("%s: %d user requests (%v)", number, len(urs), err)
		}
		if users, err := d.db.Read().Users(ctx, *r.CustomerID); err != nil || len(users) != 1 {
			t.Fatalf("%s: %d users (%v), want 1", number, len(users), err)
		}
		var welcome []store.Mail
		ms, _ := d.db.Read().Mails(ctx, store.ListMail{Ref: urs[0].Number})
		for _, m := range ms {
			if m.Kind == "welcome" {
				welcome = append(welcome, m)
			}
		}
		if len(welcome) != 1 {
			t.Fatalf("%s: %d welcome mails in the outbox", number, len(welcome))
		}
		if byMessageID[welcome[0].MessageID] == 0 {
			t.Fatalf("%s: welcome mail never received", number)
		}
	}
	// SMTP is at-least-once across a kill: a message accepted just before
	// the kill is sent again with the same Message-ID, never as a new mail.
	dups := 0
	for _, c := range byMessageID {
		dups += c - 1
	}
	if len(byMessageID) != 2*n {
		t.Fatalf("%d distinct messages received, want %d", len(byMessageID), 2*n)
	}
	t.Logf("redelivered after the kill (same Message-ID): %d; orphaned jobs released at restart: %v",
		dups, strings.Contains(p2.stderr.String(), "released jobs left running"))
	p2.stop(t)
}
