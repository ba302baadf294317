package workflow

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow/domain"
)

// provisioned makes a created request's user (ada1, a customer admin when
// role says so) and returns it.
func (f *fixture) provisioned(role string) store.User {
	f.t.Helper()
	ctx := context.Background()
	r := f.request(domain.Approved)
	res, err := f.svc.Create(ctx, CreateInput{Action: Action{Number: r.Number, Actor: "alice"}, Role: role})
	if err != nil {
		f.t.Fatal(err)
	}
	for range 2 {
		if _, err := f.svc.RunStep(ctx, res.UserRequest.ID, 1); err != nil {
			f.t.Fatal(err)
		}
	}
	u, err := f.db.Read().UserByUserRequest(ctx, res.UserRequest.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return u
}

func (f *fixture) mailsOf(kind string) []store.Mail {
	f.t.Helper()
	ms, err := f.db.Read().Mails(context.Background(), store.ListMail{})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []store.Mail
	for _, m := range ms {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

func tokenOf(t *testing.T, m store.Mail) string {
	t.Helper()
	_, rest, ok := strings.Cut(m.Text, "/password/reset?token=")
	if !ok {
		t.Fatalf("no link in %q", m.Text)
	}
	return strings.Fields(rest)[0]
}

func TestService_RequestPasswordReset(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	u := f.provisioned(store.RoleCustomerUser)
	for _, login := range []string{"", "nobody", "nobody@contoso1.test"} {
		if err := f.svc.RequestPasswordReset(ctx, login); err != nil {
			t.Fatalf("%q: %v", login, err)
		}
	}
	if n := len(f.mailsOf("password_reset")); n != 0 {
		t.Fatalf("%d mails for unknown logins", n)
	}
	if err := f.svc.RequestPasswordReset(ctx, strings.ToUpper(u.Email)); err != nil {
		t.Fatal(err)
	}
	ms := f.mailsOf("password_reset")
	if len(ms) != 1 || ms[0].To != u.Email || !strings.Contains(ms[0].Text, "https://portal.test/password/reset?token=") ||
		!strings.Contains(ms[0].Text, "1 hour") || !strings.Contains(ms[0].Text, u.Username) {
		t.Fatalf("mail: %+v", ms)
	}
	token := tokenOf(t, ms[0])
	st, err := f.svc.CheckPasswordToken(ctx, token)
	if err != nil || st.Err != nil || st.UserID != u.ID || st.Kind != store.TokenPasswordReset {
		t.Fatalf("check: %+v %v", st, err)
	}
	// Inactive logins get nothing.
	if err := f.db.WithTx(ctx, func(tx *store.Tx) error { return tx.SetUserActive(ctx, u.ID, false, "t") }); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestPasswordReset(ctx, u.Username); err != nil {
		t.Fatal(err)
	}
	if n := len(f.mailsOf("password_reset")); n != 1 {
		t.Fatalf("%d mails, want 1", n)
	}
	if st, _ := f.svc.CheckPasswordToken(ctx, token); !errors.Is(st.Err, ErrTokenInvalid) {
		t.Fatalf("an inactive user's link: %v", st.Err)
	}
}

func TestService_ResetPassword(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	u := f.provisioned(store.RoleCustomerUser)
	if err := f.db.WithTx(ctx, func(tx *store.Tx) error {
		return tx.InsertSession(ctx, &store.Session{Hash: []byte("h"), UserID: u.ID, ExpiresAt: f.clock.Now().Add(time.Hour)})
	}); err != nil {
		t.Fatal(err)
	}
	if err := f.svc.RequestPasswordReset(ctx, u.Username); err != nil {
		t.Fatal(err)
	}
	token := tokenOf(t, f.mailsOf("password_reset")[0])
	if _, err := f.svc.ResetPassword(ctx, token, ""); !errors.Is(err, ErrInvalid) {
		t.Fatalf("empty hash: %v", err)
	}
	got, err := f.svc.ResetPassword(ctx, token, "$argon2id$new")
	if err != nil || got.PasswordHash != "$argon2id$new" {
		t.Fatalf("reset: %+v %v", got, err)
	}
	if _, err := f.db.Read().SessionByHash(ctx, []byte("h")); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session survived: %v", err)
	}
	if _, err := f.svc.ResetPassword(ctx, token, "$argon2id$again"); !errors.Is(err, ErrTokenUsed) {
		t.Fatalf("second use: %v", err)
	}
	// Expiry.
	if err := f.svc.RequestPasswordReset(ctx, u.Username); err != nil {
		t.Fatal(err)
	}
	token = tokenOf(t, f.mailsOf("password_reset")[0])
	f.clock.Advance(time.Hour)
	if _, err := f.svc.ResetPassword(ctx, token, "$argon2id$late"); !errors.Is(err, ErrTokenExpired) {
		t.Fatalf("expired: %v", err)
	}
	if u2, _ := f.db.Read().UserByID(ctx, u.ID); u2.PasswordHash != "$argon2id$new" {
		t.Fatal("a refused reset changed the hash")
	}
}

func TestService_AddCustomerUser(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := f.provisioned(store.RoleCustomerAdmin)
	plain := f.provisioned(store.RoleCustomerUser) // another company
	in := AddUserInput{CustomerID: admin.CustomerID, ByUserID: admin.ID, FirstName: "Mary", LastName: "Somerville",
		Email: "mary@contoso1.test", Username: "mary", Role: store.RoleCustomerUser}

	for name, tt := range map[string]struct {
		mod  func(*AddUserInput)
		want error
	}{
		"not an admin":    {func(i *AddUserInput) { i.ByUserID, i.CustomerID = plain.ID, plain.CustomerID }, ErrNotAllowed},
		"other company":   {func(i *AddUserInput) { i.CustomerID = plain.CustomerID }, ErrNotAllowed},
		"bad role":        {func(i *AddUserInput) { i.Role = "root" }, ErrInvalid},
		"user name taken": {func(i *AddUserInput) { i.Username = strings.ToUpper(plain.Username) }, ErrInvalid},
		"email has login": {func(i *AddUserInput) { i.Email = plain.Email }, ErrInvalid},
	} {
		bad := in
		tt.mod(&bad)
		if _, err := f.svc.AddCustomerUser(ctx, bad); !errors.Is(err, tt.want) {
			t.Errorf("%s: %v, want %v", name, err, tt.want)
		}
	}
	urs, _ := f.db.Read().UserRequests(ctx, store.ListUserRequests{})
	if len(urs) != 2 {
		t.Fatalf("refused adds made user requests: %d", len(urs))
	}

	ur, err := f.svc.AddCustomerUser(ctx, in)
	if err != nil {
		t.Fatal(err)
	}
	if ur.Status != domain.URSubmitted || ur.Step != StepProvision || ur.CreatedBy != admin.Username || ur.PasswordHash != "" {
		t.Fatalf("user request %+v", ur)
	}
	if _, err := f.svc.AddCustomerUser(ctx, in); !errors.Is(err, ErrInvalid) {
		t.Fatalf("the same user name twice: %v", err)
	}
	for range 2 {
		if _, err := f.svc.RunStep(ctx, ur.ID, 1); err != nil {
			t.Fatal(err)
		}
	}
	ms := f.mailsOf("set_password")
	if len(ms) != 1 || ms[0].To != "mary@contoso1.test" {
		t.Fatalf("set-password mail: %+v", ms)
	}
	st, err := f.svc.CheckPasswordToken(ctx, tokenOf(t, ms[0]))
	if err != nil || st.Err != nil || st.Kind != store.TokenSetPassword || st.Username != "mary" {
		t.Fatalf("set-password link: %+v %v", st, err)
	}
}

func TestService_InactivateCustomerUser(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	admin := f.provisioned(store.RoleCustomerAdmin)
	other := f.provisioned(store.RoleCustomerUser)
	if _, err := f.svc.InactivateCustomerUser(ctx, admin.ID, admin.ID); !errors.Is(err, ErrInvalid) {
		t.Fatalf("self: %v", err)
	}
	if _, err := f.svc.InactivateCustomerUser(ctx, admin.ID, other.ID); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("other company: %v", err)
	}
	if _, err := f.svc.InactivateCustomerUser(ctx, other.ID, admin.ID); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("by a customer user: %v", err)
	}
	if _, err := f.svc.InactivateCustomerUser(ctx, admin.ID, 9999); !errors.Is(err, ErrNotAllowed) {
		t.Fatalf("missing user: %v", err)
	}
}
