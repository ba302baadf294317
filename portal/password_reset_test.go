package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

const newPassword = "quiet rivers follow the old moon"

// forgot asks for a reset link for login and returns the response.
func (b *browser) forgot(login string) *http.Response {
	b.tp.t.Helper()
	rec := b.post("/password/forgot", url.Values{FieldLogin: {login}})
	return rec.Result()
}

func TestPasswordForgot_sameAnswer(t *testing.T) {
	tp := newTestPortalURL(t, "https://portal.example.com")
	ctx := context.Background()
	if err := tp.db.WithTx(ctx, func(tx *store.Tx) error { return tx.SetUserActive(ctx, tp.bob.ID, false, "test") }); err != nil {
		t.Fatal(err)
	}
	var pages []string
	for i, login := range []string{"ada@engines.example", "nobody@engines.example", "bob", "ada"} {
		b := tp.browser("192.0.2." + string(rune('1'+i)))
		req, _ := http.NewRequest("POST", "/password/forgot", strings.NewReader(url.Values{FieldLogin: {login}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Host = "evil.example" // links must not come from the Host header
		req.RemoteAddr = b.ip + ":1"
		rec := newRecorder()
		tp.h.ServeHTTP(rec, req)
		wantStatus(t, rec, 200)
		wantBody(t, rec, "If that email address or user name belongs to an active login", "for 1 hour")
		pages = append(pages, stripRequestID(rec.Body.String()))
	}
	for _, p := range pages[1:] {
		if p != pages[0] {
			t.Fatal("the answer differs between known and unknown logins")
		}
	}
	mails := tp.mails("password_reset")
	if len(mails) != 2 {
		t.Fatalf("%d reset mails, want 2 (ada twice; nobody and inactive bob none)", len(mails))
	}
	for _, m := range mails {
		link, _ := linkToken(t, m)
		if m.To != "ada@engines.example" || !strings.HasPrefix(link, "https://portal.example.com/password/reset?token=") {
			t.Fatalf("mail to %s with link %s", m.To, link)
		}
	}
	// Only the newest link works.
	_, older := linkToken(t, mails[1])
	_, newer := linkToken(t, mails[0])
	b := tp.browser("192.0.2.50")
	wantStatus(t, b.get("/password/reset?token="+older), http.StatusGone)
	wantStatus(t, b.get("/password/reset?token="+newer), http.StatusOK)
}

func TestPasswordForm_Validate(t *testing.T) {
	for _, tt := range []struct{ pw, confirm, want string }{
		{"my lovelace@engines.example", "my lovelace@engines.example", "must not contain your email"},
		{"the lovelace family secret", "the lovelace family secret", "must not contain your email"},
		{"mary had a little lamb ok", "mary had a little lamb ok", "must not contain your user name"},
		{"   ", "   ", "at least 15 characters"},
		{"tab\u0007inside the password", "tab\u0007inside the password", "control characters"},
		{newPassword, newPassword, ""},
	} {
		pw := strings.NewReplacer(`\t`, "\t", `\u0007`, "\a").Replace(tt.pw)
		errs := PasswordForm{Password: pw, Confirm: pw}.Validate("mary", "lovelace@engines.example")
		got := ""
		if len(errs) > 0 {
			got = errs[0].Message
		}
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("%q: %q, want %q", tt.pw, got, tt.want)
		}
	}
}

func stripRequestID(s string) string {
	i := strings.Index(s, "<code>")
	if i < 0 {
		return s
	}
	return s[:i]
}

func TestPasswordForgot_badInputAndLimits(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	rec := b.post("/password/forgot", url.Values{FieldLogin: {""}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	wantBody(t, rec, "Enter the email address or user name of your login")
	rec = b.post("/password/forgot", url.Values{FieldLogin: {strings.Repeat("a", 300)}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	for range 3 {
		wantStatus(t, tp.browser("192.0.2.2").post("/password/forgot", url.Values{FieldLogin: {"ada"}}), 200)
	}
	// Per address (login): a fourth request in the hour is refused.
	wantStatus(t, tp.browser("192.0.2.3").post("/password/forgot", url.Values{FieldLogin: {"ADA"}}), http.StatusTooManyRequests)
	if n := len(tp.mails("password_reset")); n != 3 {
		t.Fatalf("%d mails, want 3", n)
	}
	// Per client address.
	c := tp.browser("192.0.2.4")
	for i := range 20 {
		wantStatus(t, c.post("/password/forgot", url.Values{FieldLogin: {"nobody" + strings.Repeat("x", i)}}), 200)
	}
	wantStatus(t, c.post("/password/forgot", url.Values{FieldLogin: {"bob"}}), http.StatusTooManyRequests)
}

// resetToken asks for a reset link for ada and returns its token.
func resetToken(t *testing.T, tp *testPortal) string {
	t.Helper()
	if err := tp.svc.RequestPasswordReset(context.Background(), "ada"); err != nil {
		t.Fatal(err)
	}
	_, token := linkToken(t, tp.mails("password_reset")[0])
	return token
}

func TestPasswordReset(t *testing.T) {
	tp := newTestPortal(t)
	elsewhere := tp.browser("192.0.2.9")
	elsewhere.login("ada", adaPassword)
	token := resetToken(t, tp)
	b := tp.browser("192.0.2.1")
	rec := b.get("/password/reset?token=" + token)
	wantStatus(t, rec, 200)
	wantBody(t, rec, "Choose a new password", "<strong class=\"break\">ada</strong>", `name="token" value="`+token+`"`)

	before := tp.user(tp.ada.ID).PasswordHash
	for _, tt := range []struct {
		name, pw, confirm, want string
	}{
		{"empty", "", "", "Enter a new password"},
		{"short", "short one", "short one", "at least 15 characters"},
		{"common", "passwordpassword", "passwordpassword", "commonly used"},
		{"user name", "ada is my name forever", "ada is my name forever", "must not contain your user name"},
		{"mismatch", newPassword, newPassword + "x", "do not match"},
		{"no confirmation", newPassword, "", "Type your new password again"},
		{"too long", strings.Repeat("long words ", 13), strings.Repeat("long words ", 13), "128 characters or fewer"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := b.post("/password/reset", url.Values{FieldToken: {token}, FieldPassword: {tt.pw}, FieldPasswordConfirm: {tt.confirm}})
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			wantBody(t, rec, tt.want, "There is a problem")
			if strings.Contains(rec.Body.String(), `value="`+tt.pw+`"`) && tt.pw != "" {
				t.Fatal("password echoed back")
			}
		})
	}
	if tp.user(tp.ada.ID).PasswordHash != before {
		t.Fatal("a refused reset changed the password")
	}

	rec = b.post("/password/reset", url.Values{FieldToken: {token}, FieldPassword: {newPassword}, FieldPasswordConfirm: {newPassword}})
	wantRedirect(t, rec, "/login?done=reset")
	wantBody(t, b.get("/login?done=reset"), "Your password has been changed")
	if elsewhere.signedIn() {
		t.Fatal("a reset left another session alive")
	}
	rec = b.post("/login", url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}})
	wantStatus(t, rec, http.StatusUnprocessableEntity)
	b.login("ada", newPassword)

	// Single use: the link is spent, on GET and on POST.
	wantStatus(t, b.get("/password/reset?token="+token), http.StatusGone)
	rec = tp.browser("192.0.2.2").post("/password/reset", url.Values{FieldToken: {token}, FieldPassword: {"yet another long passphrase"}, FieldPasswordConfirm: {"yet another long passphrase"}})
	wantStatus(t, rec, http.StatusGone)
	wantBody(t, rec, "already been used", `href="/password/forgot"`)
	tp.browser("192.0.2.3").login("ada", newPassword)

	trail, err := tp.db.Read().AuditTrail(context.Background(), store.EntityUser, "ada")
	if err != nil || len(trail) < 2 || trail[len(trail)-1].Action != "password_reset" {
		t.Fatalf("audit: %+v %v", trail, err)
	}
}

func TestPasswordReset_invalidLinks(t *testing.T) {
	tp := newTestPortal(t)
	token := resetToken(t, tp)
	b := tp.browser("192.0.2.1")
	for _, bad := range []string{"", "short", strings.Repeat("x", 43), strings.Repeat("y", 500)} {
		rec := b.get("/password/reset?token=" + url.QueryEscape(bad))
		wantStatus(t, rec, http.StatusGone)
		wantBody(t, rec, "This link does not work")
	}
	tp.clock.Advance(61 * time.Minute)
	rec := b.get("/password/reset?token=" + token)
	wantStatus(t, rec, http.StatusGone)
	wantBody(t, rec, "This link has expired", `href="/password/forgot"`)
	rec = b.post("/password/reset", url.Values{FieldToken: {token}, FieldPassword: {newPassword}, FieldPasswordConfirm: {newPassword}})
	wantStatus(t, rec, http.StatusGone)
	tp.browser("192.0.2.2").login("ada", adaPassword)
}

func TestPasswordReset_inactiveUser(t *testing.T) {
	tp := newTestPortal(t)
	token := resetToken(t, tp)
	ctx := context.Background()
	if err := tp.db.WithTx(ctx, func(tx *store.Tx) error { return tx.SetUserActive(ctx, tp.ada.ID, false, "test") }); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, tp.browser("192.0.2.1").get("/password/reset?token="+token), http.StatusGone)
}

// TestSetPassword follows a user added by an administrator: the workflow
// provisions the login and mails a set-password link, served by the reset page.
func TestSetPassword(t *testing.T) {
	tp := newTestPortal(t)
	ctx := context.Background()
	ur, err := tp.svc.AddCustomerUser(ctx, workflow.AddUserInput{CustomerID: tp.cust.ID, ByUserID: tp.ada.ID,
		FirstName: "Mary", LastName: "Somerville", Email: "mary@engines.example", Username: "mary", Role: store.RoleCustomerUser})
	if err != nil {
		t.Fatal(err)
	}
	// An approver approves the users a customer administrator adds.
	if _, err := tp.svc.RunStep(ctx, ur.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := tp.svc.ApproveUserRequest(ctx, workflow.Action{Number: ur.Number, Actor: "alice"}); err != nil {
		t.Fatal(err)
	}
	for range 2 { // provision, notify
		if _, err := tp.svc.RunStep(ctx, ur.ID, 1); err != nil {
			t.Fatal(err)
		}
	}
	ms := tp.mails("set_password")
	if len(ms) != 1 {
		t.Fatalf("%d set-password mails", len(ms))
	}
	_, token := linkToken(t, ms[0])
	b := tp.browser("192.0.2.1")
	wantStatus(t, b.post("/login", url.Values{FieldUsername: {"mary"}, FieldPassword: {"no password yet at all"}}), http.StatusUnprocessableEntity)
	wantBody(t, b.get("/password/reset?token="+token), "Choose your password", "mary")
	pw := "somerville mechanism of the heavens"
	wantRedirect(t, b.post("/password/reset", url.Values{FieldToken: {token}, FieldPassword: {pw}, FieldPasswordConfirm: {pw}}), "/login?done=reset")
	b.login("mary", pw)
	wantBody(t, b.get("/account"), "Analytical Engines Ltd", "Mary Somerville")
	wantStatus(t, b.get("/account/users"), http.StatusForbidden)
}
