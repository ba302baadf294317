package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

// TestCLI_ResendRetryRemove drives the commands the end-to-end test does not:
// requests resend, user-requests retry and approvers remove, each with what
// it changes and a refusal that changes nothing.
func TestCLI_ResendRetryRemove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	data := newData(t)
	if _, err := inproc(t, "seed", "--requests", "10", "--data", data); err != nil {
		t.Fatal(err)
	}
	db, err := store.Open(ctx, dataDB(data), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := workflow.New(workflow.Config{DB: db})
	activationMails := func(number string) int {
		t.Helper()
		ms, err := db.Read().Mails(ctx, store.ListMail{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, m := range ms {
			if m.Ref == number && m.Kind == "activation" {
				n++
			}
		}
		return n
	}

	t.Run("requests resend: a new link, the unexpired old one no longer works", func(t *testing.T) {
		res, err := svc.SignUp(ctx, workflow.SignupInput{CompanyName: "Resend Ltd", Street: "1 Way",
			City: "Leeds", PostalCode: "LS1 1AA", Country: "GB", FirstName: "Rhea", LastName: "Send",
			Email: "rhea@resend.test", Phone: "+44 113 555 0100", Username: "rhea.send", PasswordHash: "$argon2id$x"})
		if err != nil {
			t.Fatal(err)
		}
		if n := activationMails(res.Number); n != 1 {
			t.Fatalf("%d activation mails after sign-up", n)
		}
		out := cli(t, data, "requests", "resend", res.Number, "--as", "alice")
		if !strings.Contains(out, res.Number+": a new activation link is queued; earlier links no longer work") {
			t.Fatalf("resend: %q", out)
		}
		if n := activationMails(res.Number); n != 2 {
			t.Fatalf("%d activation mails after resend, want 2", n)
		}
		if _, err := svc.Activate(ctx, res.Token); err == nil {
			t.Fatal("the first link, not yet expired, still activated after a resend")
		}
		r, err := db.Read().RequestByNumber(ctx, res.Number)
		if err != nil || r.Status != domain.Requested {
			t.Fatalf("after the old link: %s, %v", r.Status, err)
		}

		// A verified request has nothing to resend: refused, no mail.
		verified := signUpVerified(t, dataDB(data), "Done Ltd", "done@resend.test")
		before := activationMails(verified)
		_, err = inproc(t, "requests", "resend", verified, "--as", "alice", "--data", data)
		if err == nil || !strings.Contains(err.Error(), "verified") {
			t.Fatalf("resend of a verified request: %v", err)
		}
		if after := activationMails(verified); after != before {
			t.Fatalf("a refused resend queued mail: %d → %d", before, after)
		}
	})

	t.Run("user-requests retry: a failed user request is submitted again", func(t *testing.T) {
		number := signUpVerified(t, dataDB(data), "Retry GmbH", "rita@retry.test")
		cli(t, data, "requests", "approve", number, "--as", "alice")
		cli(t, data, "requests", "create", number, "--as", "alice")
		r, err := db.Read().RequestByNumber(ctx, number)
		if err != nil {
			t.Fatal(err)
		}
		u, err := db.Read().UserRequestByRequestID(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		// A fresh retry is refused while the user request is still running.
		if _, err := inproc(t, "user-requests", "retry", u.Number, "--as", "alice", "--data", data); err == nil {
			t.Fatalf("retry of a %s user request succeeded", u.Status)
		}
		// What the job runner does when a step runs out of attempts.
		if err := svc.FailUserRequest(ctx, u.ID, 8, errors.New("smtp: connection refused")); err != nil {
			t.Fatal(err)
		}
		if u, _ = db.Read().UserRequestByID(ctx, u.ID); u.Status != domain.URFailed {
			t.Fatalf("after the failure: %s", u.Status)
		}
		out := cli(t, data, "user-requests", "retry", u.Number, "--as", "alice")
		if !strings.Contains(out, u.Number+" is submitted again") {
			t.Fatalf("retry: %q", out)
		}
		u, err = db.Read().UserRequestByID(ctx, u.ID)
		if err != nil || u.Status != domain.URSubmitted {
			t.Fatalf("after retry: %s, %v", u.Status, err)
		}
		if _, err := inproc(t, "user-requests", "retry", u.Number, "--data", data); err == nil || !strings.Contains(err.Error(), "--as") {
			t.Fatalf("retry without --as: %v", err)
		}
	})

	t.Run("approvers remove: the key no longer opens the screen", func(t *testing.T) {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		sp, err := ssh.NewPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		keyFile := filepath.Join(t.TempDir(), "k.pub")
		if err := os.WriteFile(keyFile, ssh.MarshalAuthorizedKey(sp), 0o600); err != nil {
			t.Fatal(err)
		}
		cli(t, data, "approvers", "add", "carol", "--key", keyFile)
		if a, err := db.Read().ApproverByFingerprint(ctx, ssh.FingerprintSHA256(sp)); err != nil || a.Name != "carol" {
			t.Fatalf("before remove: %+v, %v", a, err)
		}
		out := cli(t, data, "approvers", "remove", "carol")
		if !strings.Contains(out, "approver carol removed") {
			t.Fatalf("remove: %q", out)
		}
		if _, err := db.Read().ApproverByFingerprint(ctx, ssh.FingerprintSHA256(sp)); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("the removed approver's key still finds an approver: %v", err)
		}
		if list := cli(t, data, "approvers", "list"); strings.Contains(list, "carol") {
			t.Fatalf("approvers list after remove:\n%s", list)
		}
		_, err = inproc(t, "approvers", "remove", "carol", "--data", data)
		if err == nil || !strings.Contains(err.Error(), "not found") {
			t.Fatalf("removing a missing approver: %v", err)
		}
	})
}
