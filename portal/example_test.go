package portal_test

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"time"

	"github.com/regdesk/regdesk/portal"
)

// Example shows how the routes fit the pieces together: middleware around
// everything, per-IP and per-email limits on the sign-up POST, and the form's
// Parse → Validate → re-render with 422 cycle.
func Example() {
	rd, err := portal.NewRenderer()
	if err != nil {
		panic(err)
	}
	log := slog.New(slog.DiscardHandler)
	ips, _ := portal.NewClientIPResolver(nil) // e.g. []string{"10.0.0.0/8"} behind a proxy
	perIP, _ := portal.NewKeyedLimiter(portal.LimiterConfig{Events: 10, Per: time.Hour})
	perEmail, _ := portal.NewKeyedLimiter(portal.LimiterConfig{Events: 3, Per: time.Hour})
	cop, _ := portal.CrossOriginProtection(rd, nil)

	mux := http.NewServeMux()
	mux.Handle("GET /static/", rd.StaticHandler())
	mux.HandleFunc("GET /signup", func(w http.ResponseWriter, r *http.Request) {
		_ = rd.Render(w, r, http.StatusOK, portal.PageSignup, portal.SignupPage{})
	})
	byIP := func(r *http.Request) string { return portal.IPKey(ips.ClientIP(r)) }
	mux.Handle("POST /signup", portal.RateLimit(perIP, byIP, rd)(http.HandlerFunc(
		func(w http.ResponseWriter, r *http.Request) {
			if !rd.ParseForm(w, r) {
				return
			}
			f := portal.ParseSignupForm(r.PostForm)
			errs := f.Validate()
			// The store's uniqueness check would add:
			// errs = portal.AddSignupError(errs, portal.FieldUsername, portal.MsgUsernameTaken)
			if errs != nil {
				_ = rd.Render(w, r, http.StatusUnprocessableEntity, portal.PageSignup, portal.SignupPage{Form: f, Errors: errs})
				return
			}
			if ok, wait := perEmail.Allow(strings.ToLower(f.Email)); !ok {
				rd.TooManyRequests(w, r, wait)
				return
			}
			// Hash with Hasher.Hash, store the request, then Post/Redirect/Get.
			http.Redirect(w, r, "/signup/sent", http.StatusSeeOther)
		})))
	mux.HandleFunc("/", rd.NotFound)

	var h http.Handler = mux
	h = cop(h)
	h = portal.LimitBody(portal.DefaultMaxFormBytes, rd)(h)
	h = portal.Recover(log, rd)(h)
	h = portal.RequestID(h)
	h = portal.SecureHeaders(portal.HeadersConfig{})(h)

	form := url.Values{"company_name": {"Acme"}, "email": {"Jana <jana@acme.example>"}}
	req := httptest.NewRequest("POST", "/signup", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	fmt.Println(rec.Code, strings.Contains(rec.Body.String(), "There is a problem"))
	// Output: 422 true
}
