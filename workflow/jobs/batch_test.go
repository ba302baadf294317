package jobs_test

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
	"github.com/regdesk/regdesk/workflow/mailer/smtptest"
)

// TestRunner_WorkflowBatch: a backlog of user requests is worked with the
// steps of several sharing a transaction. Two of them fail inside the
// batch (their user name was taken meanwhile): they fail alone, with no
// login and no welcome mail, and every other request gets exactly one login
// and one welcome mail.
func TestRunner_WorkflowBatch(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, envOpts{smtp: &smtptest.Options{}, noStart: true})
	const n = 16
	clash := map[int]bool{3: true, 10: true}
	urs := make([]store.UserRequest, n)
	for i := range urs {
		urs[i] = create(t, e.svc, approved(t, e.svc, i))
	}
	for i := range clash {
		u := urs[i]
		err := e.db.WithTx(ctx, func(tx *store.Tx) error {
			return tx.InsertUser(ctx, &store.User{Username: u.Username, Email: "someone.else@example.com",
				PasswordHash: "$argon2id$other", Role: u.Role, CustomerID: u.CustomerID, ContactID: u.ContactID})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	e.start(t)
	for i, ur := range urs {
		if clash[i] {
			got := waitStatus(t, e.db, ur.ID, domain.URFailed)
			if !strings.Contains(got.LastError, "taken") || countUsers(t, e.db, ur.ID) != 0 ||
				len(welcomeMails(t, e.db, ur.Number)) != 0 {
				t.Errorf("request %d with a taken name: last_error %q, %d logins, %d welcome mails; want taken, 0, 0",
					i, got.LastError, countUsers(t, e.db, ur.ID), len(welcomeMails(t, e.db, ur.Number)))
			}
			continue
		}
		waitStatus(t, e.db, ur.ID, domain.URCompleted)
		if got := stepOutcomes(t, e.db, ur.ID); strings.Join(got, " ") !=
			"submit:done "+workflow.StepProvision+":done "+workflow.StepNotify+":done" {
			t.Errorf("request %d steps %v", i, got)
		}
		if countUsers(t, e.db, ur.ID) != 1 || len(welcomeMails(t, e.db, ur.Number)) != 1 {
			t.Errorf("request %d: %d logins, %d welcome mails; want 1 and 1", i,
				countUsers(t, e.db, ur.ID), len(welcomeMails(t, e.db, ur.Number)))
		}
	}
	want := n + n - len(clash) // activation mails, then welcome mails
	e.smtp.Wait(want, 30*time.Second)
	waitFor(t, 10*time.Second, "every mail marked sent", func() bool {
		c, err := e.db.Read().MailCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c[store.MailSent] == int64(want)
	})
	if got := len(e.smtp.Messages()); got != want {
		t.Fatalf("the server has %d messages, want %d", got, want)
	}
}

// TestRunner_MailBatchPartialFailure: deliveries that finish together are
// recorded in one transaction; when the server refuses some of them (a 4xx
// to retry, a 5xx to give up) a row is marked sent if and only if the
// server took its message, exactly once.
func TestRunner_MailBatchPartialFailure(t *testing.T) {
	ctx := context.Background()
	reply := func(n int) error {
		switch n % 5 {
		case 2:
			return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
		case 4:
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "mailbox unavailable"}
		}
		return nil
	}
	e := newEnv(t, envOpts{smtp: &smtptest.Options{Reply: reply}, noStart: true})
	const n = 24
	for i := range n {
		if _, err := e.svc.SignUp(ctx, workflow.SignupInput{CompanyName: fmt.Sprintf("Batch %d Ltd", i),
			Street: "1 Main St", City: "Springfield", PostalCode: "12345", Country: "US", FirstName: "Bo",
			LastName: fmt.Sprintf("Batch%d", i), Email: fmt.Sprintf("bo%d@example.org", i), Phone: "+1 555 0100",
			Username: fmt.Sprintf("bo%d", i), PasswordHash: "$argon2id$test"}); err != nil {
			t.Fatal(err)
		}
	}
	e.start(t)
	waitFor(t, 60*time.Second, "every mail sent or failed", func() bool {
		c, err := e.db.Read().MailCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return c[store.MailSent]+c[store.MailFailed] == n
	})
	accepted := map[string]int{}
	for _, m := range e.smtp.Messages() {
		parsed, err := mail.ReadMessage(bytes.NewReader(m.Data))
		if err != nil {
			t.Fatal(err)
		}
		accepted[parsed.Header.Get("Message-Id")]++
	}
	rows, err := e.db.Read().Mails(ctx, store.ListMail{})
	if err != nil {
		t.Fatal(err)
	}
	failed, retried := 0, 0
	for _, m := range rows {
		switch {
		case m.Status == store.MailSent && accepted[m.MessageID] != 1:
			t.Errorf("mail #%d marked sent, but the server took it %d times", m.ID, accepted[m.MessageID])
		case m.Status == store.MailFailed && accepted[m.MessageID] != 0:
			t.Errorf("mail #%d marked failed, but the server took it", m.ID)
		case m.Status == store.MailFailed:
			failed++
		}
		if m.Attempts > 1 {
			retried++
		}
	}
	if len(rows) != n || failed == 0 || retried == 0 {
		t.Fatalf("%d rows, %d failed, %d retried; want %d rows with some refused for good and some retried",
			len(rows), failed, retried, n)
	}
}
