package main

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// enrolledUser makes a customer with one login that has two-step login on,
// as the portal would (with the data folder's secrets key).
func enrolledUser(t *testing.T, data, username string) {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, filepath.Join(data, store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sec, err := workflow.LoadSecrets(data)
	if err != nil {
		t.Fatal(err)
	}
	svc := workflow.New(workflow.Config{DB: db, Secrets: sec})
	var u store.User
	err = db.WithTx(ctx, func(tx *store.Tx) error {
		c := store.Customer{Account: "C90001", Name: "Harbour Marmalade GmbH", Street: "Kaistr. 5", City: "Hamburg",
			PostalCode: "20457", Country: "DE", Template: "STANDARD", CustomerGroup: "DOM", Currency: "EUR",
			Language: "de", PaymentTerms: "Net 30", CreatedBy: "test"}
		if err := tx.InsertCustomer(ctx, &c); err != nil {
			return err
		}
		contact := store.Contact{CustomerID: c.ID, FirstName: "Hedy", LastName: "Lamarr", Email: "hedy@harbour.example"}
		if err := tx.InsertContact(ctx, &contact); err != nil {
			return err
		}
		u = store.User{Username: username, Email: contact.Email, PasswordHash: "$argon2id$x", Role: store.RoleCustomerUser,
			CustomerID: c.ID, ContactID: contact.ID}
		return tx.InsertUser(ctx, &u)
	})
	if err != nil {
		t.Fatal(err)
	}
	en, err := svc.StartTwoFactor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCodeCustom(en.Secret, time.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConfirmTwoFactor(ctx, u.ID, code); err != nil {
		t.Fatal(err)
	}
}

func TestCLI_UsersResetTwoFactor(t *testing.T) {
	data := t.TempDir()
	regdesk(t, data, "", "seed", "--requests", "3").ok(t)
	enrolledUser(t, data, "hedy")

	for _, c := range []struct {
		args []string
		want string
		code int
	}{
		{[]string{"users", "reset-2fa"}, "missing USERNAME", 2},
		{[]string{"users", "reset-2fa", "hedy", "extra", "--as", "alice"}, "unexpected argument", 2},
		{[]string{"users", "reset-2fa", "hedy"}, "--as", 1},
		{[]string{"users", "reset-2fa", "nobody", "--as", "alice"}, `no user named "nobody"`, 1},
		{[]string{"users", "frob"}, "unknown subcommand", 2},
	} {
		r := regdesk(t, data, "", c.args...)
		r.fails(t, c.want)
		if r.code != c.code {
			t.Errorf("%v: exit %d, want %d", c.args, r.code, c.code)
		}
	}

	out := regdesk(t, data, "", "users", "reset-2fa", "HEDY", "--as", "alice").ok(t)
	if out != "two-step login of hedy reset; they log in with the password and can set it up again\n" {
		t.Fatalf("stdout %q", out)
	}
	regdesk(t, data, "", "users", "reset-2fa", "hedy", "--as", "alice").fails(t, "hedy has no two-step login to reset")

	ctx := context.Background()
	db, err := store.OpenExisting(ctx, filepath.Join(data, store.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	trail, err := db.Read().AuditTrail(ctx, store.EntityUser, "hedy")
	if err != nil {
		t.Fatal(err)
	}
	var resets int
	for _, e := range trail {
		if e.Action == "two_factor_reset" && e.Actor == "alice" {
			resets++
		}
	}
	if resets != 1 {
		t.Fatalf("%d audited resets, want 1: %+v", resets, trail)
	}
}
