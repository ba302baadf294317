package portal

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
	"github.com/regdesk/regdesk/workflow/domain"
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

// Attack 1: the attacker signed up first with the victim's address and the
// attacker's user name and password; the victim, told "already registered",
// activated the attacker's request, and the attacker later logged in as a
// user with the victim's address.
func TestAccountTakeoverBeforeItExists(t *testing.T) {
	e := newSignupEnv(t, nil)
	const victim = "victim@acme.example"
	attacker := validSignup()
	attacker.Set(FieldEmail, victim)
	attacker.Set(FieldUsername, "mallory")
	attacker.Set(FieldCompanyName, "Mallory Trading")
	wantStatus(t, e.post("/signup", attacker, fromIP("198.51.100.66")), http.StatusSeeOther)
	attackerToken := e.token(victim)

	// The victim signs up: a new request, not a note saying "already registered".
	victimToken := e.signedUp(victim, "victim")
	if victimToken == attackerToken {
		t.Fatal("no new activation link for the victim")
	}
	for _, m := range e.mails(victim) {
		if m.Kind == "already_registered" {
			t.Fatal("the victim was told the address is registered")
		}
	}
	// The attacker's request is replaced: its link is dead, with an audit row.
	wantStatus(t, e.get("/activate?token="+attackerToken), http.StatusGone)
	wantStatus(t, e.post("/activate", url.Values{FieldToken: {attackerToken}}), http.StatusGone)
	var old, cur store.Request
	for _, r := range e.requests() {
		switch r.Username {
		case "mallory":
			old = r
		case "victim":
			cur = r
		}
	}
	if old.Status != domain.Expired || cur.Status != domain.Requested {
		t.Fatalf("attacker's request %s, victim's %s; want expired and requested", old.Status, cur.Status)
	}
	trail, err := e.db.Read().AuditTrail(t.Context(), store.EntityRequest, old.Number)
	if err != nil {
		t.Fatal(err)
	}
	if last := trail[len(trail)-1]; !strings.Contains(last.Detail, "replaced by "+cur.Number) {
		t.Fatalf("audit: %+v", last)
	}
	// The activation page says what it activates.
	rec := e.get("/activate?token=" + victimToken)
	wantStatus(t, rec, http.StatusOK)
	wantBody(t, rec, cur.Number, "Acme Tools GmbH", "victim")
	wantStatus(t, e.post("/activate", url.Values{FieldToken: {victimToken}}), http.StatusOK)
	if r, _ := e.db.Read().RequestByNumber(t.Context(), cur.Number); r.Status != domain.Verified || r.Username != "victim" {
		t.Fatalf("activated %+v", r)
	}
}

// A user name held only by a request nobody confirmed is not "taken" (the
// answer would reveal it and let anyone squat names); the first to confirm
// gets it. Taken or not, the check costs the same one hash.
func TestAccountTakeoverBeforeItExists_usernameOfUnconfirmed(t *testing.T) {
	e := newSignupEnv(t, nil)
	squatter := e.signedUp("squatter@evil.example", "jana")
	owner := e.signedUp("jana@acme.example", "jana") // not "already taken"
	wantStatus(t, e.post("/activate", url.Values{FieldToken: {owner}}), http.StatusOK)
	rec := e.post("/activate", url.Values{FieldToken: {squatter}})
	wantStatus(t, rec, http.StatusConflict)
	wantBody(t, rec, "That user name has been taken")

	// Confirmed now, the name is taken, and saying so costs the hash a free
	// name costs.
	h := NewHasher(HasherConfig{Params: cheapHash})
	e2 := newSignupEnv(t, func(d *Deps) { d.hasher = h })
	tok := e2.signedUp("jana@acme.example", "jana")
	wantStatus(t, e2.post("/activate", url.Values{FieldToken: {tok}}), http.StatusOK)
	for name, want := range map[string]int{"jana": http.StatusUnprocessableEntity, "freename": http.StatusSeeOther} {
		v := validSignup()
		v.Set(FieldEmail, name+"@other.example")
		v.Set(FieldUsername, name)
		before := h.derived.Load()
		wantStatus(t, e2.post("/signup", v, fromIP("192.0.2.77")), want)
		if n := h.derived.Load() - before; n != 1 {
			t.Errorf("sign-up with user name %s: %d hashes, want 1", name, n)
		}
	}
}

// A reset link mailed before a password change still set the password
// afterwards: whoever had read the old mail undid the change.
func TestResetLinkSurvivesPasswordChange(t *testing.T) {
	tp := newTestPortal(t)
	token := resetToken(t, tp)
	b := tp.browser("192.0.2.1")
	b.login("ada", adaPassword)
	const next = "a fresh passphrase nobody knows"
	wantRedirect(t, b.post("/account/password", url.Values{FieldCurrentPassword: {adaPassword},
		FieldPassword: {next}, FieldPasswordConfirm: {next}}), "/account?done=password")
	rec := tp.browser("192.0.2.2").post("/password/reset", url.Values{FieldToken: {token},
		FieldPassword: {"the attacker's own passphrase"}, FieldPasswordConfirm: {"the attacker's own passphrase"}})
	wantStatus(t, rec, http.StatusGone)
	tp.browser("192.0.2.3").login("ada", next)
}

// Reset and set-password links of an inactivated login came back to life
// when the login was activated again.
func TestResetLinkSurvivesInactivation(t *testing.T) {
	tp := newTestPortal(t)
	token := resetToken(t, tp)
	ctx := t.Context()
	if _, err := tp.svc.InactivateUser(ctx, tp.ada.ID, "alice"); err != nil {
		t.Fatal(err)
	}
	wantStatus(t, tp.browser("192.0.2.1").get("/password/reset?token="+token), http.StatusGone)
	if err := tp.db.WithTx(ctx, func(tx *store.Tx) error { return tx.SetUserActive(ctx, tp.ada.ID, true, "alice") }); err != nil {
		t.Fatal(err)
	}
	rec := tp.browser("192.0.2.1").get("/password/reset?token=" + token)
	wantStatus(t, rec, http.StatusGone)
	wantBody(t, rec, "already been used")
	tp.browser("192.0.2.2").login("ada", adaPassword)
}

// recordingJobs is the job queue's side of the workflow, recorded: what a
// request handler hands on, known account or not.
type recordingJobs struct{ links []int64 }

func (j *recordingJobs) MailQueued(context.Context, *store.Tx, int64) error { return nil }
func (j *recordingJobs) UserRequestSubmitted(context.Context, *store.Tx, int64) error {
	return nil
}
func (j *recordingJobs) WebhookQueued(context.Context, *store.Tx, int64) error { return nil }
func (j *recordingJobs) LinkRequested(_ context.Context, _ *store.Tx, id int64) error {
	j.links = append(j.links, id)
	return nil
}

// Attack 4 (forgot password, resend): known and unknown addresses took
// different paths (a token and a mail for one, nothing for the other). Now
// both record one link request and hand it to the job queue; nothing else
// happens while the client waits.
func TestTimingTellsWhoHasAnAccount_forgotAndResend(t *testing.T) {
	tp := newTestPortal(t)
	jobs := &recordingJobs{}
	tp.svc.SetJobs(jobs)
	// bob exists; an unconfirmed request waits for pending@acme.example.
	if _, err := tp.svc.SignUp(t.Context(), workflow.SignupInput{CompanyName: "Acme", Street: "s", City: "c",
		PostalCode: "1", Country: "DE", FirstName: "P", LastName: "Q", Email: "pending@acme.example",
		Phone: "+49 30 1234567", Username: "pending", PasswordHash: "$argon2id$x"}); err != nil {
		t.Fatal(err)
	}
	mailsBefore := len(tp.mails("password_reset")) + len(tp.mails("activation"))
	for i, c := range []struct{ path, field, login string }{
		{"/password/forgot", FieldLogin, "bob"},
		{"/password/forgot", FieldLogin, "nobody"},
		{"/activate/resend", FieldEmail, "pending@acme.example"},
		{"/activate/resend", FieldEmail, "nobody@acme.example"},
	} {
		b := tp.browser(fmt.Sprintf("192.0.2.%d", 30+i))
		before := len(jobs.links)
		h := tp.portalHasher().derived.Load()
		rec := b.post(c.path, url.Values{c.field: {c.login}})
		if rec.Code != http.StatusOK && rec.Code != http.StatusSeeOther {
			t.Fatalf("%s %s: %d", c.path, c.login, rec.Code)
		}
		if len(jobs.links) != before+1 || tp.portalHasher().derived.Load() != h {
			t.Errorf("%s %s: %d jobs, %d hashes; want 1 job and no hash, like every other address",
				c.path, c.login, len(jobs.links)-before, tp.portalHasher().derived.Load()-h)
		}
	}
	if n := len(tp.mails("password_reset")) + len(tp.mails("activation")); n != mailsBefore {
		t.Fatalf("%d mails queued while the client waited", n-mailsBefore)
	}
	// The job sends the links that are due, and only those.
	for _, id := range jobs.links {
		if err := tp.svc.SendRequestedLink(t.Context(), id); err != nil {
			t.Fatal(err)
		}
	}
	if len(tp.mails("password_reset")) != 1 || len(tp.mails("activation")) != 2 {
		t.Fatalf("after the jobs: %d reset, %d activation mails; want 1 and 2",
			len(tp.mails("password_reset")), len(tp.mails("activation")))
	}
}

// The limits on forgot-password and resend mails lived in memory and reset
// on restart: a new portal process let the same address be mailed again.
func TestLinkLimitsResetOnRestart(t *testing.T) {
	tp := newTestPortal(t)
	for i := range workflow.LinkRequestsPerLogin {
		wantStatus(t, tp.browser(fmt.Sprintf("192.0.2.%d", i+1)).post("/password/forgot",
			url.Values{FieldLogin: {"bob"}}), http.StatusOK)
	}
	// A new process on the same database: the count holds.
	h, err := New(Deps{DB: tp.db, Service: tp.svc, Now: tp.clock.Now, hashParams: testHashParams})
	if err != nil {
		t.Fatal(err)
	}
	tp.h = h
	rec := tp.browser("198.51.100.7").post("/password/forgot", url.Values{FieldLogin: {"BOB"}})
	wantStatus(t, rec, http.StatusTooManyRequests)
	if n := len(tp.mails("password_reset")); n != workflow.LinkRequestsPerLogin {
		t.Fatalf("%d reset mails, want %d", n, workflow.LinkRequestsPerLogin)
	}
}

// The Secure flag and the __Host- prefix followed only --base-url: a desk
// whose public https address was set as the portal.base_url parameter, or
// that sat behind a TLS proxy, handed out session cookies a browser would
// also send over plain http.
func TestSessionCookieNotSecureBehindTLS(t *testing.T) {
	sessionCookie := func(rec *httptest.ResponseRecorder) *http.Cookie {
		for _, c := range rec.Result().Cookies() {
			if c.Name == SessionCookieSecure || c.Name == SessionCookiePlain {
				return c
			}
		}
		t.Fatal("no session cookie set")
		return nil
	}
	login := url.Values{FieldUsername: {"bob"}, FieldPassword: {bobPassword}}
	t.Run("portal.base_url parameter", func(t *testing.T) {
		tp := newTestPortal(t) // --base-url http://127.0.0.1:8080
		if err := tp.svc.SetParam(t.Context(), workflow.ParamBaseURL, "https://portal.engines.example", "op"); err != nil {
			t.Fatal(err)
		}
		c := sessionCookie(tp.browser("192.0.2.1").post("/login", login))
		if c.Name != SessionCookieSecure || !c.Secure {
			t.Fatalf("cookie %s secure=%v, want __Host- and Secure", c.Name, c.Secure)
		}
		// The browser sends it back under that name, and it works.
		b := tp.browser("192.0.2.2")
		b.login("bob", bobPassword)
		if !b.signedIn() {
			t.Fatal("the __Host- cookie is not read back")
		}
	})
	t.Run("X-Forwarded-Proto from a trusted proxy", func(t *testing.T) {
		tp := newTestPortalWith(t, "http://127.0.0.1:8080", func(d *Deps) { d.TrustedProxies = []string{"10.0.0.0/8"} })
		c := sessionCookie(tp.browser("10.1.2.3").doWith("POST", "/login", login, map[string]string{"X-Forwarded-Proto": "https"}))
		if c.Name != SessionCookieSecure || !c.Secure {
			t.Fatalf("behind a TLS proxy: cookie %s secure=%v", c.Name, c.Secure)
		}
		// A client cannot claim https itself.
		c = sessionCookie(tp.browser("192.0.2.9").doWith("POST", "/login", login, map[string]string{"X-Forwarded-Proto": "https"}))
		if c.Name != SessionCookiePlain || c.Secure {
			t.Fatalf("untrusted X-Forwarded-Proto believed: %s secure=%v", c.Name, c.Secure)
		}
	})
}

// Attack 5: the cap on unverified requests counted requests for 14 days
// though their links died after 48 h, and sign-ups were limited per single
// address in memory: from one IPv6 /64 (a fresh address per sign-up) the
// cap was reached in minutes and /signup answered 503 to everyone for days.
func TestSignupPausedForEveryone(t *testing.T) {
	t.Run("dead links do not count", func(t *testing.T) {
		e := newSignupEnv(t, nil)
		for i := range 6 {
			e.signedUp(fmt.Sprintf("fake%d@junk%d.example", i, i), fmt.Sprintf("fake%d", i))
		}
		if err := e.svc.SetParam(t.Context(), workflow.ParamMaxUnverified, "3", "op"); err != nil {
			t.Fatal(err)
		}
		// Twice the cap: paused (below it, a challenge; see TestSignupPausedForEveryone_challenge).
		wantStatus(t, e.post("/signup", validSignup(), fromIP("192.0.2.50")), http.StatusServiceUnavailable)
		// 48 hours on, their links are dead: sign-up is open again, long
		// before the 14-day expiry pass.
		e.clock.Advance(48*time.Hour + time.Minute)
		wantStatus(t, e.post("/signup", validSignup(), fromIP("192.0.2.50")), http.StatusSeeOther)
	})
	t.Run("one network, many addresses", func(t *testing.T) {
		e := newSignupEnv(t, nil)
		per := 20 // signup.per_ip_per_hour
		for i := range per {
			v := validSignup()
			v.Set(FieldEmail, fmt.Sprintf("p%d@junk%d.example", i, i))
			v.Set(FieldUsername, fmt.Sprintf("bot%d", i))
			wantStatus(t, e.post("/signup", v, fromIP(fmt.Sprintf("[2001:db8:0:1::%x]", i+1))), http.StatusSeeOther)
		}
		// A new process (the limit lives in the database), a new address in
		// the same /64: refused. Another site still signs up.
		e2 := &signupEnv{t: t, db: e.db, svc: e.svc, clock: e.clock}
		h, err := New(Deps{DB: e.db, Service: e.svc, Now: e.clock.Now, BaseURL: "http://portal.test", hashParams: cheapHash})
		if err != nil {
			t.Fatal(err)
		}
		e2.h = h
		v := validSignup()
		v.Set(FieldEmail, "next@junk.example")
		v.Set(FieldUsername, "botnext")
		wantStatus(t, e2.post("/signup", v, fromIP("[2001:db8:0:1::ffff]")), http.StatusTooManyRequests)
		wantStatus(t, e2.post("/signup", validSignup(), fromIP("[2001:db8:99::1]")), http.StatusSeeOther)
	})
}

// The login and sign-up limits lived in each process's memory: behind a
// load balancer, two serve processes on one database gave a guesser twice
// the budget. They are counted in the database now.
func TestRateLimitsHoldAcrossProcesses(t *testing.T) {
	tp := newTestPortal(t)
	// A second process: its own connections to the same database, its own
	// service and portal.
	db2, err := store.Open(t.Context(), tp.db.Path(), store.Options{Now: tp.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db2.Close() })
	h2, err := New(Deps{DB: db2, Service: workflow.New(workflow.Config{DB: db2, BaseURL: tp.baseURL}),
		BaseURL: tp.baseURL, Now: tp.clock.Now, hashParams: testHashParams,
		sleep: func(context.Context, time.Duration) error { return nil }})
	if err != nil {
		t.Fatal(err)
	}
	h1 := tp.h
	via := func(i int) { tp.h = [2]http.Handler{h1, h2}[i%2] }

	// Five wrong passwords for one account from one address, alternating
	// between the processes: the sixth is refused by either.
	attacker := tp.browser("203.0.113.66")
	wrong := url.Values{FieldUsername: {"ada"}, FieldPassword: {"a wrong guess of some length"}}
	for i := range 5 {
		via(i)
		wantStatus(t, attacker.post("/login", wrong), http.StatusUnprocessableEntity)
	}
	for i := range 2 {
		via(i)
		wantStatus(t, attacker.post("/login", url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}}),
			http.StatusTooManyRequests)
	}
	if n := tp.sessionCount(tp.ada.ID); n != 0 {
		t.Fatalf("%d sessions after refused logins", n)
	}

	// Sixty logins from one address (unknown accounts, so only the
	// per-address limit applies), thirty through each process.
	b := tp.browser("203.0.113.7")
	for i := range 60 {
		via(i)
		wantStatus(t, b.post("/login", url.Values{FieldUsername: {fmt.Sprintf("nobody%02d", i)}, FieldPassword: {"x"}}),
			http.StatusUnprocessableEntity)
	}
	for i := range 2 {
		via(i)
		wantStatus(t, b.post("/login", url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}}),
			http.StatusTooManyRequests)
	}

	// A restart (a new portal on the same database) keeps the count too.
	h3, err := New(Deps{DB: tp.db, Service: tp.svc, BaseURL: tp.baseURL, Now: tp.clock.Now, hashParams: testHashParams})
	if err != nil {
		t.Fatal(err)
	}
	tp.h = h3
	wantStatus(t, b.post("/login", url.Values{FieldUsername: {"ada"}, FieldPassword: {adaPassword}}),
		http.StatusTooManyRequests)
	// The budget refills with time, in both processes.
	tp.clock.Advance(15 * time.Minute)
	for i := range 2 {
		via(i)
		wantStatus(t, tp.browser("203.0.113.7").post("/login", url.Values{FieldUsername: {fmt.Sprintf("later%d", i)}, FieldPassword: {"x"}}),
			http.StatusUnprocessableEntity)
	}
	attacker.login("ada", adaPassword)
}
