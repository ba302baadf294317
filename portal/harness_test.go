package portal

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
)

// testHashParams keep argon2id cheap in handler tests (-race makes it slow).
var testHashParams = Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// Passwords of the fixture users.
const (
	adaPassword   = "correct horse battery staple ada"
	bobPassword   = "purple elephants dance at midnight"
	otherPassword = "another company keeps its own secrets"
)

// testPortal is the real router on a real temp database with a fake clock.
type testPortal struct {
	t      *testing.T
	h      http.Handler
	db     *store.DB
	svc    *workflow.Service
	clock  *storetest.Clock
	hasher *Hasher
	ph     *Hasher // the portal's own

	mu     sync.Mutex
	sleeps []time.Duration

	cust        store.Customer
	ada, bob    store.User // ada administers Analytical Engines; bob is a customer user there
	other       store.User // a user of another company
	baseURL     string
	secureHTTPS bool
}

func newTestPortal(t *testing.T) *testPortal { return newTestPortalURL(t, "http://127.0.0.1:8080") }

func newTestPortalURL(t *testing.T, baseURL string) *testPortal {
	t.Helper()
	return newTestPortalWith(t, baseURL, nil)
}

// newTestPortalWith lets a test change the portal's Deps before New.
func newTestPortalWith(t *testing.T, baseURL string, mod func(*Deps)) *testPortal {
	t.Helper()
	clock := storetest.NewClock()
	db := storetest.NewWithClock(t, clock.Now)
	sec, err := workflow.LoadSecrets(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	svc := workflow.New(workflow.Config{DB: db, BaseURL: baseURL, Secrets: sec})
	tp := &testPortal{t: t, db: db, svc: svc, clock: clock, baseURL: baseURL,
		hasher: NewHasher(HasherConfig{Params: testHashParams})}
	tp.ph = NewHasher(HasherConfig{Params: testHashParams})
	d := Deps{DB: db, Service: svc, BaseURL: baseURL, Now: clock.Now, hashParams: testHashParams, hasher: tp.ph,
		sleep: func(_ context.Context, d time.Duration) error {
			tp.mu.Lock()
			defer tp.mu.Unlock()
			tp.sleeps = append(tp.sleeps, d)
			return nil
		}}
	if mod != nil {
		mod(&d)
	}
	h, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	tp.h = h
	tp.cust, tp.ada = tp.addCustomer("C00042", "Analytical Engines Ltd", "ada", "ada@engines.example", adaPassword, store.RoleCustomerAdmin)
	tp.bob = tp.addUser(tp.cust, "bob", "bob@engines.example", bobPassword, store.RoleCustomerUser)
	_, tp.other = tp.addCustomer("C00043", "Difference Co", "grace", "grace@difference.example", otherPassword, store.RoleCustomerAdmin)
	return tp
}

func (tp *testPortal) addCustomer(account, name, username, email, pw, role string) (store.Customer, store.User) {
	tp.t.Helper()
	c := store.Customer{Account: account, Name: name, Street: "12 Marylebone Road", City: "London",
		PostalCode: "NW1 5LR", Country: "GB", Template: "STANDARD", CustomerGroup: "DOM", Currency: "GBP",
		Language: "en-GB", PaymentTerms: "Net 30", CreatedBy: "test"}
	ctx := context.Background()
	if err := tp.db.WithTx(ctx, func(tx *store.Tx) error { return tx.InsertCustomer(ctx, &c) }); err != nil {
		tp.t.Fatal(err)
	}
	return c, tp.addUser(c, username, email, pw, role)
}

func (tp *testPortal) addUser(c store.Customer, username, email, pw, role string) store.User {
	tp.t.Helper()
	ctx := context.Background()
	hash := ""
	if pw != "" {
		var err error
		if hash, err = tp.hasher.Hash(ctx, pw); err != nil {
			tp.t.Fatal(err)
		}
	}
	u := store.User{Username: username, Email: email, PasswordHash: hash, Role: role, CustomerID: c.ID}
	err := tp.db.WithTx(ctx, func(tx *store.Tx) error {
		contact := store.Contact{CustomerID: c.ID, FirstName: strings.ToUpper(username[:1]) + username[1:],
			LastName: "Tester", Email: email, Phone: "+44 20 7946 0000"}
		if err := tx.InsertContact(ctx, &contact); err != nil {
			return err
		}
		u.ContactID = contact.ID
		return tx.InsertUser(ctx, &u)
	})
	if err != nil {
		tp.t.Fatal(err)
	}
	return u
}

// sessionCount is how many sessions a user has.
func (tp *testPortal) sessionCount(userID int64) int {
	tp.t.Helper()
	var n int
	if err := tp.db.WriteDB().QueryRow(`SELECT count(*) FROM sessions WHERE user_id = $1`, userID).Scan(&n); err != nil {
		tp.t.Fatal(err)
	}
	return n
}

// portalHasher is the hasher the portal uses.
func (tp *testPortal) portalHasher() *Hasher { return tp.ph }

func (tp *testPortal) user(id int64) store.User {
	tp.t.Helper()
	u, err := tp.db.Read().UserByID(context.Background(), id)
	if err != nil {
		tp.t.Fatal(err)
	}
	return u
}

// mails returns the outbox rows of a kind.
func (tp *testPortal) mails(kind string) []store.Mail {
	tp.t.Helper()
	ms, err := tp.db.Read().Mails(context.Background(), store.ListMail{})
	if err != nil {
		tp.t.Fatal(err)
	}
	ms = storetest.AsSent(tp.t, tp.db, ms)
	var out []store.Mail
	for _, m := range ms {
		if m.Kind == kind {
			out = append(out, m)
		}
	}
	return out
}

var linkRE = regexp.MustCompile(`https?://\S+/password/reset\?token=([A-Za-z0-9_-]+)`)

// linkToken extracts the token of the password link in a mail.
func linkToken(t *testing.T, m store.Mail) (link, token string) {
	t.Helper()
	match := linkRE.FindStringSubmatch(m.Text)
	if match == nil {
		t.Fatalf("no password link in mail:\n%s", m.Text)
	}
	return match[0], match[1]
}

// browser is one client: its own cookies and client address.
type browser struct {
	tp      *testPortal
	ip      string
	cookies map[string]*http.Cookie
	last    *httptest.ResponseRecorder
}

func (tp *testPortal) browser(ip string) *browser {
	return &browser{tp: tp, ip: ip, cookies: map[string]*http.Cookie{}}
}

// do sends a request with the browser's cookies and keeps the ones set.
func (b *browser) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	b.tp.t.Helper()
	return b.doWith(method, path, form, nil)
}

// doWith is do with extra request headers (Origin, Sec-Fetch-Site…).
func (b *browser) doWith(method, path string, form url.Values, hdr map[string]string) *httptest.ResponseRecorder {
	b.tp.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, path, nil)
	}
	req.RemoteAddr = b.ip + ":40000"
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	for _, c := range b.cookies {
		req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	}
	rec := httptest.NewRecorder()
	b.tp.h.ServeHTTP(rec, req)
	for _, c := range rec.Result().Cookies() {
		if c.MaxAge < 0 {
			delete(b.cookies, c.Name)
		} else {
			b.cookies[c.Name] = c
		}
	}
	b.last = rec
	return rec
}

func (b *browser) get(path string) *httptest.ResponseRecorder { return b.do("GET", path, nil) }

func (b *browser) post(path string, form url.Values) *httptest.ResponseRecorder {
	return b.do("POST", path, form)
}

// login posts the login form and fails the test unless it worked.
func (b *browser) login(user, pw string) {
	b.tp.t.Helper()
	rec := b.post("/login", url.Values{FieldUsername: {user}, FieldPassword: {pw}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/account" {
		b.tp.t.Fatalf("login %s: %d %s\n%s", user, rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
}

// session returns the session cookie's value, or "".
func (b *browser) session() string {
	for _, name := range []string{SessionCookiePlain, SessionCookieSecure} {
		if c, ok := b.cookies[name]; ok {
			return c.Value
		}
	}
	return ""
}

// signedIn reports whether GET /account shows the account.
func (b *browser) signedIn() bool {
	b.tp.t.Helper()
	rec := b.get("/account")
	switch rec.Code {
	case http.StatusOK:
		return true
	case http.StatusSeeOther:
		return false
	}
	b.tp.t.Fatalf("GET /account: %d", rec.Code)
	return false
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, code int) {
	t.Helper()
	if rec.Code != code {
		t.Fatalf("status %d, want %d; Location %q\n%s", rec.Code, code, rec.Header().Get("Location"), rec.Body.String())
	}
}

func wantBody(t *testing.T, rec *httptest.ResponseRecorder, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(rec.Body.String(), p) {
			t.Fatalf("body lacks %q:\n%s", p, rec.Body.String())
		}
	}
}

func wantRedirect(t *testing.T, rec *httptest.ResponseRecorder, loc string) {
	t.Helper()
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != loc {
		t.Fatalf("got %d %q, want 303 to %q\n%s", rec.Code, rec.Header().Get("Location"), loc, rec.Body.String())
	}
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
