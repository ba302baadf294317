package tui

import (
	"context"
	"testing"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// TestApp_ResetTwoFactor: a customer lost the phone; the approver picks the
// user on the Customers screen and resets the second factor with f.
func TestApp_ResetTwoFactor(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	r := f.signUp("Adatum GmbH", "Ada", "ada@adatum.test", true)
	if _, err := f.svc.Approve(ctx, workflow.Action{Number: r.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.SetParam(ctx, workflow.ParamWorkflowEnabled, "false", "alice"); err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Create(ctx, workflow.CreateInput{Action: workflow.Action{Number: r.Number, Actor: "alice"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ProvisionUser(ctx, workflow.Action{Number: res.UserRequest.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	users, err := f.db.Read().Users(ctx, res.Customer.ID)
	if err != nil || len(users) != 1 {
		t.Fatalf("users %v %v", users, err)
	}
	u := users[0]

	// The customer enrols on the portal (the portal's service holds the key).
	sec, err := workflow.LoadSecrets(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	portal := workflow.New(workflow.Config{DB: f.db, Secrets: sec})
	en, err := portal.StartTwoFactor(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	code, err := totp.GenerateCodeCustom(en.Secret, f.clock.Now(), totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := portal.ConfirmTwoFactor(ctx, u.ID, code); err != nil {
		t.Fatal(err)
	}

	a := f.app(110, 30)
	press(t, a, "3")
	mustContain(t, a, "Adatum GmbH", "2-step login")
	press(t, a, "f")
	mustContain(t, a, "Press enter to pick a user first.")
	press(t, a, "enter", "f")
	mustContain(t, a, "Reset two-step login of "+u.Username+"?", "lost the phone")
	press(t, a, "n")
	if st, _ := portal.TwoFactor(ctx, u.ID); !st.Enabled {
		t.Fatal("canceling the dialog reset it")
	}
	press(t, a, "f", "y")
	mustContain(t, a, "Two-step login of "+u.Username+" reset")
	if st, _ := portal.TwoFactor(ctx, u.ID); st.Enabled {
		t.Fatal("still on after the reset")
	}
	trail, _ := f.db.Read().AuditTrail(ctx, store.EntityUser, u.Username)
	if len(trail) == 0 || trail[len(trail)-1].Action != "two_factor_reset" || trail[len(trail)-1].Actor != "alice" {
		t.Fatalf("audit = %+v", trail)
	}
	// Nothing left to reset: the screen says so and changes nothing.
	press(t, a, "f")
	mustContain(t, a, "has no two-step login to reset")
}
