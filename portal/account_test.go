package portal

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
)

func TestAccount_requiresLogin(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	for _, path := range []string{"/account", "/account/contact", "/account/password", "/account/users", "/account/users/new"} {
		rec := b.get(path)
		if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/login") {
			t.Errorf("GET %s: %d %s", path, rec.Code, rec.Header().Get("Location"))
		}
	}
	for _, path := range []string{"/account/contact", "/account/password", "/account/users/new", "/account/users/2/inactivate"} {
		wantRedirect(t, b.post(path, url.Values{}), "/login")
	}
	// A made-up cookie is no session.
	b.cookies[SessionCookiePlain] = &http.Cookie{Name: SessionCookiePlain, Value: "forged"}
	wantRedirect(t, b.get("/account"), "/login?done=ended")
}

func TestAccount_overview(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	b.login("bob", bobPassword)
	rec := b.get("/account")
	wantStatus(t, rec, 200)
	wantBody(t, rec, "Analytical Engines Ltd", "C00042", "12 Marylebone Road", "NW1 5LR London", "United Kingdom",
		"GBP", "Net 30", "Ada Tester", "Bob Tester", "bob@engines.example", "Customer user", `action="/logout"`)
	if strings.Contains(rec.Body.String(), "Difference Co") || strings.Contains(rec.Body.String(), `href="/account/users"`) {
		t.Fatal("overview shows another company or the admin link")
	}
	if rec.Header().Get("Cache-Control") != "no-store" {
		t.Fatal("account page may be cached")
	}
}

func TestAccount_contact(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	b.login("bob", bobPassword)
	rec := b.get("/account/contact")
	wantStatus(t, rec, 200)
	wantBody(t, rec, `value="Bob"`, "bob@engines.example", `name="language"`)

	contact := func() store.Contact {
		c, err := tp.db.Read().ContactByID(context.Background(), tp.bob.ContactID)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := contact()
	for _, tt := range []struct {
		name  string
		form  url.Values
		field string
		want  string
	}{
		{"no first name", url.Values{FieldFirstName: {" "}, FieldLastName: {"Tester"}}, FieldFirstName, "Enter your first name"},
		{"bad phone", url.Values{FieldFirstName: {"Bob"}, FieldLastName: {"Tester"}, FieldPhone: {"call me"}}, FieldPhone, "Phone number can only contain"},
		{"bad language", url.Values{FieldFirstName: {"Bob"}, FieldLastName: {"Tester"}, FieldLanguage: {"not a language!"}}, FieldLanguage, "Select a language"},
		{"too long", url.Values{FieldFirstName: {strings.Repeat("B", 101)}, FieldLastName: {"Tester"}}, FieldFirstName, "100 characters or fewer"},
		{"control", url.Values{FieldFirstName: {"Bob\x1b[2J"}, FieldLastName: {"Tester"}}, FieldFirstName, "control characters"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := b.post("/account/contact", tt.form)
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			wantBody(t, rec, tt.want, `href="#`+tt.field+`"`)
		})
	}
	if contact() != before {
		t.Fatal("a refused edit changed the contact")
	}
	rec = b.post("/account/contact", url.Values{FieldFirstName: {"Robert"}, FieldLastName: {"Tester-Smith"},
		FieldJobTitle: {"Buyer"}, FieldPhone: {"+44 20 1234 5678"}, FieldLanguage: {"de"},
		FieldEmail: {"stolen@evil.example"}})
	wantRedirect(t, rec, "/account?done=contact")
	got := contact()
	if got.FirstName != "Robert" || got.LastName != "Tester-Smith" || got.JobTitle != "Buyer" ||
		got.Phone != "+44 20 1234 5678" || got.Language != "de" || got.Email != "bob@engines.example" {
		t.Fatalf("contact = %+v", got)
	}
	wantBody(t, b.get("/account?done=contact"), "Your contact details have been saved.", "Robert Tester-Smith", "German")
	trail, _ := tp.db.Read().AuditTrail(context.Background(), store.EntityUser, "bob")
	if len(trail) == 0 || trail[len(trail)-1].Action != "update_contact" || trail[len(trail)-1].Actor != "bob" {
		t.Fatalf("audit: %+v", trail)
	}
	// Phone may be emptied.
	wantRedirect(t, b.post("/account/contact", url.Values{FieldFirstName: {"Robert"}, FieldLastName: {"Tester"}}), "/account?done=contact")
}

func TestAccount_changePassword(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	b.login("bob", bobPassword)
	other := tp.browser("192.0.2.2")
	other.login("bob", bobPassword)
	wantStatus(t, b.get("/account/password"), 200)

	before := tp.user(tp.bob.ID).PasswordHash
	const next = "seven green bottles standing"
	for _, tt := range []struct {
		name, current, pw, confirm, want string
	}{
		{"no current", "", next, next, "Enter your current password"},
		{"wrong current", "not my password at all", next, next, "Your current password is wrong"},
		{"weak new", bobPassword, "tooshort", "tooshort", "at least 15 characters"},
		{"mismatch", bobPassword, next, next + "!", "do not match"},
		{"contains user name", bobPassword, "bob builds bridges daily", "bob builds bridges daily", "must not contain your user name"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := b.post("/account/password", url.Values{FieldCurrentPassword: {tt.current}, FieldPassword: {tt.pw}, FieldPasswordConfirm: {tt.confirm}})
			wantStatus(t, rec, http.StatusUnprocessableEntity)
			wantBody(t, rec, tt.want)
		})
	}
	if tp.user(tp.bob.ID).PasswordHash != before || !other.signedIn() {
		t.Fatal("a refused change changed something")
	}
	old := b.session()
	rec := b.post("/account/password", url.Values{FieldCurrentPassword: {bobPassword}, FieldPassword: {next}, FieldPasswordConfirm: {next}})
	wantRedirect(t, rec, "/account?done=password")
	if b.session() == old || b.session() == "" {
		t.Fatal("the current session was not rotated")
	}
	if !b.signedIn() {
		t.Fatal("changing the password logged this browser out")
	}
	if other.signedIn() {
		t.Fatal("another session survived the password change")
	}
	if tp.sessionCount(tp.bob.ID) != 1 {
		t.Fatalf("%d sessions", tp.sessionCount(tp.bob.ID))
	}
	tp.browser("192.0.2.3").login("bob", next)
	wantStatus(t, tp.browser("192.0.2.4").post("/login", url.Values{FieldUsername: {"bob"}, FieldPassword: {bobPassword}}), http.StatusUnprocessableEntity)
}

func TestAccount_changePasswordLimited(t *testing.T) {
	tp := newTestPortal(t)
	b := tp.browser("192.0.2.1")
	b.login("bob", bobPassword)
	guess := url.Values{FieldCurrentPassword: {"guess"}, FieldPassword: {"seven green bottles standing"}, FieldPasswordConfirm: {"seven green bottles standing"}}
	for range 5 {
		wantStatus(t, b.post("/account/password", guess), http.StatusUnprocessableEntity)
	}
	wantStatus(t, b.post("/account/password", guess), http.StatusTooManyRequests)
}
