package portal

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// Attack 7: --trusted-origin, meant for a sign-up form on the marketing
// site, also let that origin post /account/contact and /logout with the
// customer's session.
func TestTrustedOriginTrustsTooMuch(t *testing.T) {
	const site = "https://www.engines.example"
	tp := newTestPortalWith(t, "http://127.0.0.1:8080", func(d *Deps) { d.TrustedOrigins = []string{site} })
	b := tp.browser("192.0.2.1")
	b.login("bob", bobPassword)
	from := map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": site}

	rec := b.doWith("POST", "/account/contact", url.Values{FieldFirstName: {"Mallory"}, FieldLastName: {"X"}}, from)
	wantStatus(t, rec, http.StatusForbidden)
	if c, _ := tp.db.Read().ContactByID(t.Context(), tp.bob.ContactID); c.FirstName != "Bob" {
		t.Fatalf("the trusted origin changed the contact: %+v", c)
	}
	wantStatus(t, b.doWith("POST", "/logout", url.Values{}, from), http.StatusForbidden)
	if !b.signedIn() {
		t.Fatal("the trusted origin logged the customer out")
	}
	// What it is trusted for still works.
	rec = b.doWith("POST", "/signup", validSignup(), from)
	wantStatus(t, rec, http.StatusSeeOther)

	// Only https origins can be trusted: a page served over http can be
	// rewritten by anyone on the network path.
	for _, o := range []string{"http://www.engines.example", "https://www.engines.example/signup", "www.engines.example"} {
		if _, err := New(Deps{DB: tp.db, Service: tp.svc, TrustedOrigins: []string{o}}); err == nil {
			t.Errorf("trusted origin %q accepted", o)
		}
	}
}

// hashesFor counts the password hashes one POST costs.
func (tp *testPortal) hashesFor(b *browser, path string, form url.Values) (int64, *httptest.ResponseRecorder) {
	tp.t.Helper()
	h := tp.portalHasher()
	before := h.derived.Load()
	rec := b.post(path, form)
	return h.derived.Load() - before, rec
}

// Attack 4: a 5,000-byte password at /login took about 1 ms for an existing
// user and 30 ms for an unknown one (the length check returned before the
// hash for one and not the other). Work is compared, not time: every
// outcome must cost the same number of hashes.
func TestTimingTellsWhoHasAnAccount(t *testing.T) {
	tp := newTestPortal(t)
	long := strings.Repeat("x", 5000)
	cases := []struct{ name, login, pw string }{
		{"known user, wrong password", "bob", "not bob's password at all"},
		{"unknown user", "nobody-here", "not bob's password at all"},
		{"known user, over-long password", "bob", long},
		{"unknown user, over-long password", "nobody-here", long},
		{"known email, over-long password", "bob@engines.example", long},
		{"unknown email, over-long password", "nobody@engines.example", long},
	}
	for i, c := range cases {
		b := tp.browser(fmt.Sprintf("192.0.2.%d", 10+i))
		n, rec := tp.hashesFor(b, "/login", url.Values{FieldUsername: {c.login}, FieldPassword: {c.pw}})
		wantStatus(t, rec, http.StatusUnprocessableEntity)
		wantBody(t, rec, MsgLoginFailed)
		if n != 1 {
			t.Errorf("%s: %d password hashes, want 1 like every other login", c.name, n)
		}
	}
}

// The wait for a hashing slot had no deadline: with every slot taken, a
// login queued for as long as the client kept the connection open.
func TestHashingSlotWaitHasDeadline(t *testing.T) {
	tp := newTestPortal(t)
	h := tp.portalHasher()
	h.maxWait = 20 * time.Millisecond
	for range cap(h.sem) {
		if err := h.acquire(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	defer func() {
		for range cap(h.sem) {
			h.release()
		}
	}()
	rec := tp.browser("192.0.2.1").post("/login", url.Values{FieldUsername: {"bob"}, FieldPassword: {bobPassword}})
	wantStatus(t, rec, http.StatusServiceUnavailable)
	if rec.Header().Get("Retry-After") == "" {
		t.Fatal("503 without Retry-After")
	}
}
