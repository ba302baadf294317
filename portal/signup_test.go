package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
)

func TestSignup_GET(t *testing.T) {
	e := newSignupEnv(t, nil)
	// Query parameters never pre-fill the form.
	w := e.get("/signup?company_name=Evil+Corp&email=x@evil.example")
	wantStatus(t, w, http.StatusOK)
	wantBody(t, w, `action="/signup"`, `name="company_name"`, `name="password_confirm"`, `<option value="DE">`)
	if strings.Contains(w.Body.String(), "Evil Corp") {
		t.Fatal("a query parameter was shown in the form")
	}
	if got := w.Header().Get("Content-Security-Policy"); !strings.Contains(got, "object-src 'none'") {
		t.Fatalf("CSP = %q", got)
	}
	if got := w.Header().Get("Cache-Control"); got != "no-store" {
		t.Fatalf("Cache-Control = %q", got)
	}
}

func TestSignup_POST(t *testing.T) {
	e := newSignupEnv(t, nil)
	w := e.post("/signup", validSignup(), fromIP("198.51.100.7"))
	wantStatus(t, w, http.StatusSeeOther)
	if loc := w.Header().Get("Location"); loc != "/signup/sent" {
		t.Fatalf("Location = %q", loc)
	}
	rs := e.requests()
	if len(rs) != 1 {
		t.Fatalf("%d requests stored, want 1", len(rs))
	}
	r := rs[0]
	if r.Status != domain.Requested || r.Email != "jana.schmidt@acme.example" || r.Username != "jana.schmidt" ||
		r.Country != "DE" || r.Street != "Hauptstraße 1" || r.SourceIP != "198.51.100.7" {
		t.Fatalf("stored %+v", r)
	}
	h := NewHasher(HasherConfig{Params: cheapHash})
	if ok, err := h.Verify(context.Background(), "correct horse battery staple", r.PasswordHash); !ok || err != nil {
		t.Fatalf("stored hash %q does not verify the password: %v", r.PasswordHash, err)
	}
	if e.token(r.Email) == "" {
		t.Fatal("no activation token")
	}

	sent := e.get("/signup/sent")
	wantStatus(t, sent, http.StatusOK)
	wantBody(t, sent, "Check your email", "The link works for 48 hours")
}

// TestSignup_POST_invalid checks that each kind of bad input re-renders the
// form with 422, says what is wrong next to the field and in the summary,
// keeps every other value (never the password) and stores nothing.
func TestSignup_POST_invalid(t *testing.T) {
	long := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		field, value, want string
	}{
		{FieldCompanyName, "", "Enter your company’s name"},
		{FieldCompanyName, long(201), "200 characters or fewer"},
		{FieldCompanyName, "Acme\x00Tools", "control characters"},
		{FieldCompanyName, "Acme\xffTools", "could not be read"},
		{FieldTaxID, long(41), "40 characters or fewer"},
		{FieldTaxID, "DE#1", "can only contain"},
		{FieldStreet, "", "Enter the street address"},
		{FieldStreet, long(201), "200 characters or fewer"},
		{FieldCity, "", "Enter the town or city"},
		{FieldCity, long(101), "100 characters or fewer"},
		{FieldState, long(101), "100 characters or fewer"},
		{FieldPostalCode, "", "Enter the postal code"},
		{FieldPostalCode, long(21), "20 characters or fewer"},
		{FieldPostalCode, "10115!", "can only contain"},
		{FieldCountry, "", "Select the country"},
		{FieldCountry, "XX", "Select a country from the list"},
		{FieldFirstName, "", "Enter your first name"},
		{FieldFirstName, long(101), "100 characters or fewer"},
		{FieldLastName, "", "Enter your last name"},
		{FieldLastName, long(101), "100 characters or fewer"},
		{FieldJobTitle, long(101), "100 characters or fewer"},
		{FieldEmail, "", "Enter your email address"},
		{FieldEmail, "jana.example.com", "correct format"},
		{FieldEmail, "Jana <jana@example.com>", "without a name"},
		{FieldEmail, "a@example.com, b@example.com", "one email address"},
		{FieldEmail, "jana@localhost", "full domain name"},
		{FieldEmail, long(65) + "@example.com", "64 characters"},
		{FieldPhone, "", "Enter your phone number"},
		{FieldPhone, "555-CALL-NOW", "can only contain"},
		{FieldPhone, "1234", "5 to 20 digits"},
		{FieldLanguage, "not a language", "BCP 47"},
		{FieldUsername, "", "Enter a user name"},
		{FieldUsername, "ab", "at least 3"},
		{FieldUsername, long(33), "32 characters or fewer"},
		{FieldUsername, "jana s", "can only contain"},
		{FieldUsername, ".jana", "start with a letter or a digit"},
		{FieldPassword, "", "Enter a password"},
		{FieldPassword, "short pass", "at least 15 characters"},
		{FieldPassword, long(129), "128 characters or fewer"},
		{FieldPassword, "1qaz2wsx3edc4rfv", "commonly used"},
		{FieldPassword, "my name is jana.schmidt ok", "must not contain your user name"},
		{FieldPassword, "correct horse\x00battery", "control characters"},
		{FieldPasswordConfirm, "", "Type your password again"},
		{FieldPasswordConfirm, "correct horse battery stapler", "do not match"},
	}
	e := newSignupEnv(t, nil) // shared: none of these may store anything
	for _, tt := range tests {
		t.Run(tt.field+" "+tt.want, func(t *testing.T) {
			v := validSignup()
			v.Set(tt.field, tt.value)
			if tt.field == FieldPassword && tt.value != "" {
				v.Set(FieldPasswordConfirm, tt.value)
			}
			w := e.post("/signup", v)
			wantStatus(t, w, http.StatusUnprocessableEntity)
			body := w.Body.String()
			wantBody(t, w, "There is a problem", `href="#`+tt.field+`"`, `id="`+tt.field+`-error"`,
				`aria-invalid="true"`, htmlEscape(tt.want))
			if tt.field != FieldCompanyName {
				wantBody(t, w, `value="Acme Tools GmbH"`)
			}
			if tt.field != FieldCity {
				wantBody(t, w, `value="Berlin"`)
			}
			if tt.field != FieldEmail {
				wantBody(t, w, `value="jana.schmidt@`)
			}
			if strings.Contains(body, "correct horse") {
				t.Fatal("the password was sent back")
			}
			if n := len(e.requests()); n != 0 {
				t.Fatalf("%d requests stored", n)
			}
			if ms := e.mails(v.Get(FieldEmail)); len(ms) != 0 {
				t.Fatalf("%d mails queued", len(ms))
			}
		})
	}
}

func htmlEscape(s string) string {
	return strings.NewReplacer("’", "’", "&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func TestSignup_POST_usernameTaken(t *testing.T) {
	e := newSignupEnv(t, nil)
	// Only a confirmed request holds its user name.
	tok := e.signedUp("first@example.com", "jana")
	wantStatus(t, e.post("/activate", url.Values{FieldToken: {tok}}), http.StatusOK)
	v := validSignup()
	v.Set(FieldUsername, "JANA")
	w := e.post("/signup", v)
	wantStatus(t, w, http.StatusUnprocessableEntity)
	wantBody(t, w, MsgUsernameTaken, `href="#username"`, `value="jana"`, `value="Acme Tools GmbH"`)
	if n := len(e.requests()); n != 1 {
		t.Fatalf("%d requests, want only the first", n)
	}
}

// TestSignup_POST_knownAddress checks there is no account enumeration: a
// second sign-up with a registered address gets the same status, redirect
// and page as a new one, creates nothing, and mails the owner a note.
func TestSignup_POST_knownAddress(t *testing.T) {
	e := newSignupEnv(t, nil)
	fresh := e.post("/signup", validSignup())
	// The address is registered once its owner confirmed it.
	wantStatus(t, e.post("/activate", url.Values{FieldToken: {e.token("jana.schmidt@acme.example")}}), http.StatusOK)
	v := validSignup()
	v.Set(FieldUsername, "someone.else")
	v.Set(FieldEmail, "JANA.SCHMIDT@acme.example")
	known := e.post("/signup", v)
	if fresh.Code != known.Code || fresh.Header().Get("Location") != known.Header().Get("Location") ||
		fresh.Body.String() != known.Body.String() {
		t.Fatalf("responses differ: %d %q %q vs %d %q %q", fresh.Code, fresh.Header().Get("Location"), fresh.Body,
			known.Code, known.Header().Get("Location"), known.Body)
	}
	for k := range fresh.Header() {
		if k != "X-Request-Id" && fresh.Header().Get(k) != known.Header().Get(k) {
			t.Fatalf("header %s: %q vs %q", k, fresh.Header().Get(k), known.Header().Get(k))
		}
	}
	if n := len(e.requests()); n != 1 {
		t.Fatalf("%d requests, want 1", n)
	}
	kinds := map[string]int{}
	for _, m := range e.mails("jana.schmidt@acme.example") {
		kinds[m.Kind]++
	}
	if kinds["activation"] != 1 || kinds["already_registered"] != 1 {
		t.Fatalf("mails: %v", kinds)
	}
}

func TestSignup_paused(t *testing.T) {
	e := newSignupEnv(t, nil)
	wantStatus(t, e.get("/signup"), http.StatusOK)
	e.signedUp("first@example.com", "first")
	e.signedUp("second@example.com", "second")
	// Sign-up pauses at twice the cap (below it, a challenge).
	if err := e.svc.SetParam(context.Background(), workflow.ParamMaxUnverified, "1", "op"); err != nil {
		t.Fatal(err)
	}
	for method, w := range map[string]*httptest.ResponseRecorder{
		"GET": e.get("/signup"), "POST": e.post("/signup", validSignup()),
	} {
		wantStatus(t, w, http.StatusServiceUnavailable)
		wantBody(t, w, "Sign-up is paused for now")
		if w.Header().Get("Retry-After") != "3600" {
			t.Fatalf("%s: Retry-After = %q", method, w.Header().Get("Retry-After"))
		}
	}
	wantBody(t, e.get("/"), "New sign-ups are paused")
	if n := len(e.requests()); n != 2 {
		t.Fatalf("%d requests, want 2", n)
	}
}

func TestSignup_rateLimits(t *testing.T) {
	t.Run("per client address", func(t *testing.T) {
		e := newSignupEnv(t, nil)
		for i := range 20 {
			v := validSignup()
			v.Set(FieldEmail, "p"+string(rune('a'+i))+"@example.com")
			v.Set(FieldUsername, "user"+string(rune('a'+i)))
			wantStatus(t, e.post("/signup", v, fromIP("203.0.113.9")), http.StatusSeeOther)
		}
		// A typo does not count, and is still explained.
		bad := validSignup()
		bad.Set(FieldCity, "")
		wantStatus(t, e.post("/signup", bad, fromIP("203.0.113.9")), http.StatusUnprocessableEntity)
		w := e.post("/signup", validSignup(), fromIP("203.0.113.9"))
		wantStatus(t, w, http.StatusTooManyRequests)
		wantBody(t, w, "Too many attempts")
		if w.Header().Get("Retry-After") == "" {
			t.Fatal("no Retry-After")
		}
		// X-Forwarded-For is not believed without a trusted proxy.
		w = e.post("/signup", validSignup(), fromIP("203.0.113.9"), header("X-Forwarded-For", "192.0.2.55"))
		wantStatus(t, w, http.StatusTooManyRequests)
		// The limit is per /24: a neighbour is refused, another network not.
		wantStatus(t, e.post("/signup", validSignup(), fromIP("203.0.113.10")), http.StatusTooManyRequests)
		wantStatus(t, e.post("/signup", validSignup(), fromIP("198.51.100.10")), http.StatusSeeOther)
		if n := len(e.requests()); n != 21 {
			t.Fatalf("%d requests, want 21", n)
		}
	})
	t.Run("per email address", func(t *testing.T) {
		e := newSignupEnv(t, nil)
		// signup.per_address_per_hour (3 by default) sign-ups an hour: each
		// replaces the one before while nobody has confirmed the address.
		for i := range 3 {
			v := validSignup()
			v.Set(FieldUsername, "jana"+string(rune('a'+i)))
			wantStatus(t, e.post("/signup", v, fromIP("203.0.113."+string(rune('1'+i)))), http.StatusSeeOther)
		}
		v := validSignup()
		v.Set(FieldUsername, "jana.other")
		v.Set(FieldEmail, "Jana.Schmidt@ACME.example") // the same address
		wantStatus(t, e.post("/signup", v, fromIP("192.0.2.200")), http.StatusTooManyRequests)
		e.clock.Advance(time.Hour + time.Second)
		wantStatus(t, e.post("/signup", v, fromIP("192.0.2.200")), http.StatusSeeOther)
		// The allowance follows the parameter, live.
		if err := e.svc.SetParam(context.Background(), workflow.ParamSignupPerAddress, "6", "op"); err != nil {
			t.Fatal(err)
		}
		for range 2 {
			wantStatus(t, e.post("/signup", v, fromIP("192.0.2.200")), http.StatusSeeOther)
		}
	})
}

func TestSignup_crossOrigin(t *testing.T) {
	e := newSignupEnv(t, func(d *Deps) { d.TrustedOrigins = []string{"https://www.acme.example"} })
	for _, path := range []string{"/signup", "/activate", "/activate/resend"} {
		t.Run(path, func(t *testing.T) {
			w := e.post(path, validSignup(), header("Sec-Fetch-Site", "cross-site"),
				header("Origin", "https://evil.example"))
			wantStatus(t, w, http.StatusForbidden)
			wantBody(t, w, "That form was sent from another site")
			// An old browser without Sec-Fetch-Site: Origin against Host.
			w = e.post(path, validSignup(), header("Origin", "https://evil.example"))
			wantStatus(t, w, http.StatusForbidden)
		})
	}
	if n := len(e.requests()); n != 0 {
		t.Fatalf("%d requests stored by refused posts", n)
	}
	// The company's own site may post the sign-up form.
	w := e.post("/signup", validSignup(), header("Sec-Fetch-Site", "cross-site"),
		header("Origin", "https://www.acme.example"))
	wantStatus(t, w, http.StatusSeeOther)
	// Same-origin posts from the portal's own pages pass.
	w = e.post("/activate/resend", url.Values{FieldEmail: {"x@example.com"}},
		header("Sec-Fetch-Site", "same-origin"), header("Origin", "http://example.com"))
	wantStatus(t, w, http.StatusSeeOther)
}
