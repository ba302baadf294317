package workflow

import (
	"context"
	"errors"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
)

func provisionedUser(t *testing.T, svc *Service) store.User {
	t.Helper()
	ctx := context.Background()
	res, err := svc.SignUp(ctx, SignupInput{CompanyName: "Adatum", Street: "1 Main", City: "Lyon",
		PostalCode: "69001", Country: "FR", FirstName: "Ada", LastName: "Lovelace",
		Email: "ada@adatum.test", Phone: "+33 4 00 00 00", Username: "ada", PasswordHash: "$argon2id$x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Activate(ctx, res.Token); err != nil {
		t.Fatal(err)
	}
	a := Action{Number: res.Number, Actor: "alice"}
	if _, err := svc.Approve(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := svc.SetParam(ctx, ParamWorkflowEnabled, "false", "alice"); err != nil {
		t.Fatal(err)
	}
	cr, err := svc.Create(ctx, CreateInput{Action: a})
	if err != nil {
		t.Fatal(err)
	}
	ur, err := svc.ProvisionUser(ctx, Action{Number: cr.UserRequest.Number, Actor: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	u, err := svc.DB().Read().UserByUserRequest(ctx, ur.ID)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestService_InactivateUser(t *testing.T) {
	ctx := context.Background()
	db := storetest.New(t)
	svc := New(Config{DB: db})
	u := provisionedUser(t, svc)

	t.Run("no actor is refused", func(t *testing.T) {
		if _, err := svc.InactivateUser(ctx, u.ID, " "); !errors.Is(err, ErrInvalid) {
			t.Fatalf("err = %v, want ErrInvalid", err)
		}
		if got, _ := db.Read().UserByID(ctx, u.ID); !got.Active {
			t.Fatal("user inactivated without an actor")
		}
	})
	t.Run("inactivates with an audit row", func(t *testing.T) {
		got, err := svc.InactivateUser(ctx, u.ID, "alice")
		if err != nil || got.Active || got.InactivatedBy != "alice" {
			t.Fatalf("user = %+v, %v", got, err)
		}
		last, err := db.Read().LastAudit(ctx, store.EntityUser, u.Username)
		if err != nil || last.Action != "inactivate" || last.Actor != "alice" {
			t.Fatalf("audit = %+v, %v", last, err)
		}
	})
	t.Run("twice says who did it", func(t *testing.T) {
		_, err := svc.InactivateUser(ctx, u.ID, "bob")
		var ce *ChangedError
		if !errors.As(err, &ce) || ce.By != "alice" {
			t.Fatalf("err = %v, want a ChangedError by alice", err)
		}
	})
	t.Run("unknown user", func(t *testing.T) {
		if _, err := svc.InactivateUser(ctx, 9999, "alice"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("err = %v, want ErrNotFound", err)
		}
	})
}
