package portal

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// Deps are the portal's dependencies.
type Deps struct {
	DB      *store.DB
	Service *workflow.Service
	Logger  *slog.Logger
	// BaseURL is the public URL of the portal (serve --base-url). Links in
	// mail are built from it, never from a request's Host header; an https
	// URL also marks cookies Secure.
	BaseURL string
	// TrustedProxies are CIDRs whose X-Forwarded-For is believed.
	TrustedProxies []string
	// TrustedOrigins ("https://www.example.com") may post forms here, such
	// as a sign-up form on the company's own site; every other cross-origin
	// browser POST is refused with 403 (serve --trusted-origin).
	TrustedOrigins []string
	// MaxConcurrentHashes caps argon2id hashes at once (0: one per CPU).
	MaxConcurrentHashes int
	// Wrap, when set, wraps the whole handler (metrics middleware).
	Wrap func(http.Handler) http.Handler
	// Now is the clock for rate limits and sessions.
	Now func() time.Time
	// APIRequestsPerMinute is each API token's allowance; 0 means
	// DefaultAPIRequestsPerMinute.
	APIRequestsPerMinute int

	// sleep waits out the login slow-down; tests record it instead.
	sleep func(ctx context.Context, d time.Duration) error
	// hashParams, when set, replace the OWASP parameters (cheap hashes in tests).
	hashParams Argon2Params
	// hasher, when set, is used instead of a new one (tests count its work).
	hasher *Hasher
}

// server holds what every handler needs.
type server struct {
	deps   Deps
	db     *store.DB
	svc    *workflow.Service
	log    *slog.Logger
	rd     *Renderer
	hasher *Hasher
	ips    *ClientIPResolver
	now    func() time.Time
	secure bool // the portal is served over TLS
	limits limits
	sleep  func(ctx context.Context, d time.Duration) error
	api    *apiServer
}

// limits are the per-key rate limits of the state-changing routes, counted
// in the database (sharedLimiter), so that they hold across every serve
// process on it and across restarts.
type limits struct {
	signupIP, signupEmail limiter
	resendIP              limiter
	loginIP, loginAccount limiter
	loginPair             limiter // per (account, client address)
	forgotIP              limiter
	// Per address, forgot-password and resend are limited in the database
	// too, by counting the link requests (workflow.RequestLink).
}

// New returns the portal's handler: every route behind the hardening
// middleware (security headers, request id, panic recovery, body limit,
// cross-origin protection).
func New(d Deps) (http.Handler, error) {
	_, h, err := build(d)
	return h, err
}

// build is New, also returning the server for tests.
func build(d Deps) (*server, http.Handler, error) {
	if d.DB == nil || d.Service == nil {
		return nil, nil, errors.New("portal: DB and Service are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	rd, err := NewRenderer()
	if err != nil {
		return nil, nil, err
	}
	ips, err := NewClientIPResolver(d.TrustedProxies)
	if err != nil {
		return nil, nil, fmt.Errorf("portal: trusted proxies: %w", err)
	}
	s := &server{deps: d, db: d.DB, svc: d.Service, log: d.Logger.With("component", "portal"),
		rd: rd, hasher: d.hasher, ips: ips,
		now: d.Now, secure: strings.HasPrefix(strings.ToLower(d.BaseURL), "https://")}
	if s.hasher == nil {
		s.hasher = NewHasher(HasherConfig{MaxConcurrent: d.MaxConcurrentHashes, Params: d.hashParams})
	}
	s.sleep = d.sleep
	if s.sleep == nil {
		s.sleep = sleepContext
	}
	s.limits = newLimits(d.DB, d.Now, s.log)
	cop, err := CrossOriginProtection(rd, d.TrustedOrigins)
	if err != nil {
		return nil, nil, err
	}
	var h http.Handler = s.routes()
	h = cop(h)
	h = LimitBody(DefaultMaxFormBytes, rd)(h)
	h = Recover(s.log, rd)(h)
	hsts := time.Duration(0)
	if s.secure {
		hsts = 365 * 24 * time.Hour
	}
	if s.api, err = s.newAPI(); err != nil {
		return nil, nil, err
	}
	h = splitAPI(s.api.handler, h)
	h = RequestID(h)
	h = SecureHeaders(HeadersConfig{HSTS: hsts})(h)
	if d.Wrap != nil {
		h = d.Wrap(h)
	}
	return s, h, nil
}

// splitAPI sends /api/... to the API and everything else to the pages. The
// API is outside the pages' cross-origin protection and session cookies:
// bearer tokens, which browsers never send by themselves, authenticate it.
func splitAPI(api, pages http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api" || strings.HasPrefix(r.URL.Path, "/api/") {
			api.ServeHTTP(w, r)
			return
		}
		pages.ServeHTTP(w, r)
	})
}

func newLimits(db *store.DB, now func() time.Time, log *slog.Logger) limits {
	mk := func(name string, events int, per time.Duration) limiter {
		return newSharedLimiter(name, db, events, per, now, log)
	}
	return limits{
		signupIP: mk("signup_ip", 20, time.Hour), signupEmail: mk("signup_email", 5, time.Hour),
		resendIP: mk("resend_ip", 20, time.Hour),
		loginIP:  mk("login_ip", 60, 10*time.Minute), loginAccount: mk("login_account", 10, 15*time.Minute),
		loginPair: mk("login_pair", 5, 15*time.Minute),
		forgotIP:  mk("forgot_ip", 20, time.Hour),
	}
}

// routes lists every route of the portal.
func (s *server) routes() http.Handler {
	r := chi.NewRouter()
	r.NotFound(s.rd.NotFound)
	r.MethodNotAllowed(func(w http.ResponseWriter, r *http.Request) {
		s.rd.Error(w, r, http.StatusMethodNotAllowed)
	})
	r.Handle(StaticPrefix+"*", s.rd.StaticHandler())
	r.Get("/healthz", s.healthz)
	r.Get("/", s.home)
	r.Post("/language", s.setLanguage)
	r.Get("/signup", s.signupForm)
	r.Post("/signup", s.signup)
	r.Get("/signup/sent", s.signupSent)
	r.Get("/activate", s.activateForm)
	r.Post("/activate", s.activate)
	r.Get("/activate/resend", s.resendForm)
	r.Post("/activate/resend", s.resend)
	r.Group(func(r chi.Router) {
		r.Use(s.withSession)
		r.Get("/login", s.loginPage)
		r.Post("/login", s.login)
		r.Get("/login/code", s.codePage)
		r.Post("/login/code", s.loginCode)
		r.Post("/logout", s.logout)
		r.Get("/password/forgot", s.forgotPage)
		r.Post("/password/forgot", s.forgot)
		r.Get("/password/reset", s.resetPage)
		r.Post("/password/reset", s.reset)
		r.Group(func(r chi.Router) {
			r.Use(s.requireUser)
			r.Use(s.requireTwoFactor)
			r.Get("/account/security", s.securityPage)
			r.Post("/account/security/enable", s.enableTwoFactor)
			r.Post("/account/security/disable", s.disableTwoFactor)
			r.Get("/account", s.account)
			r.Get("/account/contact", s.contactPage)
			r.Post("/account/contact", s.saveContact)
			r.Get("/account/password", s.passwordPage)
			r.Post("/account/password", s.changePassword)
			r.Group(func(r chi.Router) {
				r.Use(s.requireAdmin)
				r.Get("/account/users", s.users)
				r.Get("/account/users/new", s.addUserPage)
				r.Post("/account/users/new", s.addUser)
				r.Post("/account/users/{id}/inactivate", s.inactivateUser)
				r.Post("/account/users/{id}/activate", s.activateUser)
				r.Post("/account/users/requests/{number}/withdraw", s.withdrawUserRequest)
			})
		})
	})
	return r
}

// clientKey is the rate-limit key of the request's client address.
func (s *server) clientKey(r *http.Request) string { return IPKey(s.ips.ClientIP(r)) }

func (s *server) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := s.db.Ping(ctx); err != nil {
		s.log.Error("health check failed", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintln(w, "database unavailable")
		return
	}
	fmt.Fprintln(w, "ok")
}

// params reads the parameters, logging and answering 500 when it cannot.
func (s *server) params(w http.ResponseWriter, r *http.Request) (workflow.Params, bool) {
	p, err := s.svc.Params(r.Context(), s.db.Read())
	if err != nil {
		s.fail(w, r, err)
		return p, false
	}
	return p, true
}

// fail logs an unexpected error once, with the request id, and shows the
// generic error page; the person sees the id, never the error.
func (s *server) fail(w http.ResponseWriter, r *http.Request, err error) {
	s.log.Error("request failed", "err", err, "method", r.Method, "path", r.URL.Path,
		"request_id", RequestIDFrom(r.Context()))
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, ErrHasherBusy):
		// Every hashing slot stayed busy: say when to come back rather
		// than hold the connection without end.
		w.Header().Set("Retry-After", "5")
		status = http.StatusServiceUnavailable
	case errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded):
		status = http.StatusServiceUnavailable
	}
	s.rd.Error(w, r, status)
}

// render writes a page, logging a failure (the renderer wrote nothing then).
func (s *server) render(w http.ResponseWriter, r *http.Request, status int, name string, page any) {
	if err := s.rd.Render(w, r, status, name, page); err != nil {
		s.fail(w, r, err)
	}
}

func (s *server) home(w http.ResponseWriter, r *http.Request) {
	p, ok := s.params(w, r)
	if !ok {
		return
	}
	n, err := s.db.Read().CountLiveUnverified(r.Context(), s.now())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, PageHome, HomePage{
		SignupPaused: n >= 2*int64(p.Int(workflow.ParamMaxUnverified)), // see workflow.Pressure
		LinkLifetime: LinkLifetime(p.Duration(workflow.ParamActivationTTL))})
}
