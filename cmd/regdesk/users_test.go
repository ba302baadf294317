package main

import (
	"context"
	"strings"
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
	db, err := store.Open(ctx, dataDB(data), store.Options{})
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
	t.Parallel()
	data := newData(t)
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
	db, err := store.OpenExisting(ctx, dataDB(data), store.Options{})
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

// TestCLI_UserRequestsAndUsers drives user-requests approve|reject|cancel and
// users list|inactivate|activate in process, with the workflow steps run by
// hand; refused commands change nothing.
func TestCLI_UserRequestsAndUsers(t *testing.T) {
	t.Parallel()
	data := newData(t)
	cli(t, data, "seed", "--requests", "1")
	d := openDesk(t, data)
	ctx := context.Background()
	svc := d.svc
	res, err := svc.SignUp(ctx, workflow.SignupInput{CompanyName: "Lighthouse Supplies Ltd", Street: "1 Pier Road",
		City: "Whitby", PostalCode: "YO21 3PU", Country: "GB", FirstName: "Grace", LastName: "Darling",
		Email: "grace@lighthouse.example", Phone: "+44 1947 555 0100", Username: "grace", PasswordHash: "$argon2id$x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Activate(ctx, res.Token); err != nil {
		t.Fatal(err)
	}
	cli(t, data, "requests", "approve", res.Number, "--as", "alice")
	cli(t, data, "requests", "create", res.Number, "--as", "alice", "--role", "customer_admin")
	run := func(id int64) {
		t.Helper()
		for {
			sr, err := svc.RunStep(ctx, id, 1)
			if err != nil {
				t.Fatal(err)
			}
			if !sr.More {
				return
			}
		}
	}
	urs, _ := d.db.Read().UserRequests(ctx, store.ListUserRequests{})
	run(urs[0].ID)
	run(urs[0].ID)
	admin, err := svc.UserByName(ctx, "grace")
	if err != nil {
		t.Fatal(err)
	}
	add := func(name string) store.UserRequest {
		t.Helper()
		ur, err := svc.AddCustomerUser(ctx, workflow.AddUserInput{CustomerID: admin.CustomerID, ByUserID: admin.ID,
			FirstName: "Ida", LastName: "Lewis", Email: name + "@lighthouse.example", Username: name, Role: store.RoleCustomerUser})
		if err != nil {
			t.Fatal(err)
		}
		run(ur.ID)
		return ur
	}
	ida, kim, lou := add("ida"), add("kim"), add("lou")
	fails := func(want string, args ...string) {
		t.Helper()
		before := cli(t, data, "user-requests", "list", "--json") + cli(t, data, "users", "list", "--json")
		_, err := inproc(t, append(args, "--data", data)...)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Fatalf("regdesk %s: %v, want an error saying %q", strings.Join(args, " "), err, want)
		}
		if after := cli(t, data, "user-requests", "list", "--json") + cli(t, data, "users", "list", "--json"); after != before {
			t.Fatalf("regdesk %s refused but changed something", strings.Join(args, " "))
		}
	}

	if out := cli(t, data, "user-requests", "approve", ida.Number, "--as", "alice"); !strings.Contains(out, ida.Number+" approved") {
		t.Fatalf("approve: %q", out)
	}
	run(ida.ID)
	if out := cli(t, data, "user-requests", "reject", kim.Number, "--as", "alice", "--reason", "not staff"); !strings.Contains(out, kim.Number+" rejected; the contact is emailed") {
		t.Fatalf("reject: %q", out)
	}
	if !strings.Contains(cli(t, data, "mail", "list"), "kim@lighthouse.example") {
		t.Fatal("no mail to the rejected contact")
	}
	if out := cli(t, data, "user-requests", "cancel", lou.Number, "--as", "alice"); !strings.Contains(out, lou.Number+" canceled") {
		t.Fatalf("cancel: %q", out)
	}
	fails("cannot approve", "user-requests", "approve", kim.Number, "--as", "bob")
	fails("cannot cancel", "user-requests", "cancel", ida.Number, "--as", "bob")
	fails("cannot reject", "user-requests", "reject", lou.Number, "--as", "bob")
	fails("--as", "user-requests", "approve", kim.Number)
	fails("not found", "user-requests", "cancel", "UR-999999", "--as", "bob")

	list := cli(t, data, "users", "list", "--account", urs[0].CustomerAccount)
	if !strings.Contains(list, "grace") || !strings.Contains(list, "ida") || strings.Contains(list, "kim") {
		t.Fatalf("users list:\n%s", list)
	}
	fails("not found", "users", "list", "--account", "C99999")
	if out := cli(t, data, "users", "inactivate", "ida", "--as", "alice"); !strings.Contains(out, "User ida inactivated") {
		t.Fatalf("inactivate: %q", out)
	}
	fails("inactive", "users", "inactivate", "ida", "--as", "alice")
	if !strings.Contains(cli(t, data, "users", "list"), "inactive (by alice)") {
		t.Fatal("users list does not show the inactivation")
	}
	if out := cli(t, data, "users", "activate", "ida", "--as", "alice"); !strings.Contains(out, "User ida activated; a set-password link is emailed") {
		t.Fatalf("activate: %q", out)
	}
	fails("active", "users", "activate", "ida", "--as", "alice")
	fails("not found", "users", "activate", "nobody", "--as", "alice")
}
