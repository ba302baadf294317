package portal

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/store/storetest"
	"github.com/regdesk/regdesk/workflow"
)

// cheapHash keeps tests fast (argon2id at OWASP cost takes ~0.5 s under
// -race); the benchmark and the end-to-end tests use the real parameters.
var cheapHash = Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

// signupEnv is the real portal on a temporary database with a fake clock
// shared by the store, the workflow and the rate limiters.
type signupEnv struct {
	t     testing.TB
	db    *store.DB
	svc   *workflow.Service
	clock *storetest.Clock
	h     http.Handler
}

func newSignupEnv(t testing.TB, mod func(*Deps)) *signupEnv {
	t.Helper()
	clock := storetest.NewClock()
	return newSignupEnvOn(t, storetest.NewWithClock(t, clock.Now), clock, mod)
}

// newSignupEnvOn is newSignupEnv on a database opened with clock.
func newSignupEnvOn(t testing.TB, db *store.DB, clock *storetest.Clock, mod func(*Deps)) *signupEnv {
	t.Helper()
	e := &signupEnv{t: t, clock: clock, db: db}
	e.svc = workflow.New(workflow.Config{DB: e.db, BaseURL: "http://portal.test"})
	d := Deps{DB: e.db, Service: e.svc, Now: e.clock.Now, BaseURL: "http://portal.test", hashParams: cheapHash}
	if mod != nil {
		mod(&d)
	}
	h, err := New(d)
	if err != nil {
		t.Fatal(err)
	}
	e.h = h
	return e
}

// reqOpt changes a request before it is sent.
type reqOpt func(*http.Request)

func fromIP(ip string) reqOpt { return func(r *http.Request) { r.RemoteAddr = ip + ":40000" } }

func header(k, v string) reqOpt { return func(r *http.Request) { r.Header.Set(k, v) } }

func (e *signupEnv) do(method, target string, body io.Reader, opts ...reqOpt) *httptest.ResponseRecorder {
	e.t.Helper()
	r := httptest.NewRequest(method, target, body)
	for _, o := range opts {
		o(r)
	}
	w := httptest.NewRecorder()
	e.h.ServeHTTP(w, r)
	return w
}

func (e *signupEnv) get(target string, opts ...reqOpt) *httptest.ResponseRecorder {
	e.t.Helper()
	return e.do(http.MethodGet, target, nil, opts...)
}

func (e *signupEnv) post(path string, v url.Values, opts ...reqOpt) *httptest.ResponseRecorder {
	e.t.Helper()
	opts = append([]reqOpt{header("Content-Type", "application/x-www-form-urlencoded")}, opts...)
	return e.do(http.MethodPost, path, strings.NewReader(v.Encode()), opts...)
}

// requests returns every stored customer request.
func (e *signupEnv) requests() []store.Request {
	e.t.Helper()
	rs, err := e.db.Read().Requests(context.Background(), store.ListRequests{})
	if err != nil {
		e.t.Fatal(err)
	}
	return rs
}

// mails returns the outbox rows to an address, newest first.
func (e *signupEnv) mails(to string) []store.Mail {
	e.t.Helper()
	ms, err := e.db.Read().Mails(context.Background(), store.ListMail{})
	if err != nil {
		e.t.Fatal(err)
	}
	ms = storetest.AsSent(e.t, e.db, ms)
	var out []store.Mail
	for _, m := range ms {
		if strings.EqualFold(m.To, to) {
			out = append(out, m)
		}
	}
	return out
}

var tokenRE = regexp.MustCompile(`/activate\?token=([A-Za-z0-9_-]+)`)

// token returns the activation token from the newest activation mail to an
// address.
func (e *signupEnv) token(to string) string {
	e.t.Helper()
	for _, m := range e.mails(to) {
		if m.Kind != "activation" {
			continue
		}
		if sm := tokenRE.FindStringSubmatch(m.Text); sm != nil {
			return sm[1]
		}
	}
	e.t.Fatalf("no activation mail to %s", to)
	return ""
}

// signedUp posts a valid sign-up with a given email and user name and
// returns the activation token.
func (e *signupEnv) signedUp(email, username string) string {
	e.t.Helper()
	v := validSignup()
	v.Set(FieldEmail, email)
	v.Set(FieldUsername, username)
	w := e.post("/signup", v)
	if w.Code != http.StatusSeeOther {
		e.t.Fatalf("sign-up: %d\n%s", w.Code, w.Body)
	}
	return e.token(email)
}
