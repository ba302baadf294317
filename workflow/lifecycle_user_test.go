package workflow

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// pendingUser has an administrator add a user, which waits for an approver.
func (f *fixture) pendingUser(admin store.User, username string) store.UserRequest {
	f.t.Helper()
	ctx := context.Background()
	ur, err := f.svc.AddCustomerUser(ctx, AddUserInput{CustomerID: admin.CustomerID, ByUserID: admin.ID,
		FirstName: "Mary", LastName: "Somerville", Email: username + "@contoso.test", Username: username,
		Role: store.RoleCustomerUser})
	if err != nil {
		f.t.Fatal(err)
	}
	if sr, err := f.svc.RunStep(ctx, ur.ID, 1); err != nil || sr.Status != domain.URPendingApproval {
		f.t.Fatalf("RunStep = %+v, %v", sr, err)
	}
	ur, err = f.db.Read().UserRequestByID(ctx, ur.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return ur
}

func TestService_UserRequestLifecycle(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := f.provisioned(store.RoleCustomerAdmin)

	t.Run("reject emails the contact with the reason", func(t *testing.T) {
		ur := f.pendingUser(admin, "mary")
		out, err := f.svc.RejectUserRequest(ctx, Action{Number: ur.Number, Actor: "alice"}, "not an employee")
		if err != nil || out.Status != domain.URRejected {
			t.Fatalf("reject = %+v, %v", out, err)
		}
		ms := f.mailsOf("user_request_rejected")
		if len(ms) != 1 || ms[0].To != "mary@contoso.test" || !strings.Contains(ms[0].Text, "not an employee") {
			t.Fatalf("rejection mail: %+v", ms)
		}
		// Closed: neither approve, reject nor cancel applies any more.
		for _, act := range []func() error{
			func() error {
				_, err := f.svc.ApproveUserRequest(ctx, Action{Number: ur.Number, Actor: "bob"})
				return err
			},
			func() error {
				_, err := f.svc.CancelUserRequest(ctx, Action{Number: ur.Number, Actor: "bob"}, "")
				return err
			},
		} {
			var ce *ChangedError
			if err := act(); !errors.As(err, &ce) || ce.By != "alice" {
				t.Fatalf("acting on a rejected request: %v", err)
			}
		}
		if len(f.mailsOf("user_request_rejected")) != 1 {
			t.Fatal("a refused action sent mail")
		}
	})
	t.Run("cancel from pending, failed or submitted; not once provisioned", func(t *testing.T) {
		ur := f.pendingUser(admin, "carl")
		out, err := f.svc.CancelUserRequest(ctx, Action{Number: ur.Number, Actor: "alice"}, "duplicate")
		if err != nil || out.Status != domain.URCanceled {
			t.Fatalf("cancel = %+v, %v", out, err)
		}
		if _, err := f.svc.CancelUserRequest(ctx, Action{Number: ur.Number, Actor: "alice"}, "\x1b[2J"); !errors.Is(err, ErrInvalid) {
			t.Fatalf("a reason with control characters: %v", err)
		}
		// The user name is free again.
		again := f.pendingUser(admin, "carl")
		if _, err := f.svc.ApproveUserRequest(ctx, Action{Number: again.Number, Actor: "alice"}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.RunStep(ctx, again.ID, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.CancelUserRequest(ctx, Action{Number: again.Number, Actor: "alice"}, ""); !errors.Is(err, ErrConflict) {
			t.Fatalf("cancel a provisioned request: %v", err)
		}
	})
	t.Run("a customer administrator withdraws a pending request of their company only", func(t *testing.T) {
		ur := f.pendingUser(admin, "wendy")
		other := f.provisioned(store.RoleCustomerAdmin)
		if _, err := f.svc.WithdrawUserRequest(ctx, other.ID, ur.Number); !errors.Is(err, ErrNotAllowed) {
			t.Fatalf("another company's administrator: %v", err)
		}
		out, err := f.svc.WithdrawUserRequest(ctx, admin.ID, ur.Number)
		if err != nil || out.Status != domain.URCanceled {
			t.Fatalf("withdraw = %+v, %v", out, err)
		}
	})
}

func TestService_ActivateUser(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	u := f.provisioned(store.RoleCustomerUser)
	if _, err := f.svc.ActivateUser(ctx, u.ID, "alice"); !errors.Is(err, ErrConflict) {
		t.Fatalf("activating an active user: %v", err)
	}
	if _, err := f.svc.InactivateUser(ctx, u.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ActivateUser(ctx, u.ID, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("no actor: %v", err)
	}
	before := len(f.mailsOf("set_password"))
	out, err := f.svc.ActivateUser(ctx, u.ID, "alice")
	if err != nil || !out.Active {
		t.Fatalf("activate = %+v, %v", out, err)
	}
	ms := f.mailsOf("set_password")
	if len(ms) != before+1 || ms[len(ms)-1].To != u.Email {
		t.Fatalf("set-password mail: %+v", ms)
	}
	st, err := f.svc.CheckPasswordToken(ctx, tokenOf(t, ms[len(ms)-1]))
	if err != nil || st.Err != nil || st.Kind != store.TokenSetPassword {
		t.Fatalf("the fresh link: %+v, %v", st, err)
	}
	trail, _ := f.db.Read().AuditTrail(ctx, store.EntityUser, u.Username)
	if last := trail[len(trail)-1]; last.Action != "activate" || last.Actor != "alice" {
		t.Fatalf("audit: %+v", last)
	}
}
