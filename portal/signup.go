package portal

import (
	"errors"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/regdesk/regdesk/workflow"
)

// pausedRetryAfter is the Retry-After of the sign-up paused page: the cap
// on unverified requests frees up as links are used or expire.
const pausedRetryAfter = time.Hour

// signupForm shows the empty sign-up form, or the paused page when the cap
// on unverified requests is reached. Query parameters are ignored: a link
// must not be able to pre-fill someone's form.
func (s *server) signupForm(w http.ResponseWriter, r *http.Request) {
	_, paused, ok := s.signupPaused(w, r)
	if !ok || paused {
		return
	}
	// The empty form is the same for everyone: built once, then copied out.
	page, err := s.rd.prebuilt(PageSignup, PageSignup, SignupPage{})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := page.serve(w, r, http.StatusOK); err != nil {
		s.log.Debug("writing the sign-up page", "err", err)
	}
}

// signup handles a posted sign-up: validate (422 with the values kept),
// rate-limit (429), hash, store, then Post/Redirect/Get to /signup/sent. A
// known address takes the same path to the same redirect; the workflow
// mails its owner instead of creating a request.
func (s *server) signup(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	p, paused, ok := s.signupPaused(w, r)
	if !ok || paused {
		return
	}
	f := ParseSignupForm(r.PostForm)
	if errs := f.Validate(); errs != nil {
		s.render(w, r, http.StatusUnprocessableEntity, PageSignup, SignupPage{Form: f, Errors: errs})
		return
	}
	// Only valid forms count: a person fixing typos is not an attack, and
	// the cost worth limiting (hash, write) comes after this point.
	// The allowances follow the parameters, so an operator can change them live.
	s.limits.signupIP.SetRate(p.Int(workflow.ParamSignupPerIP), time.Hour)
	s.limits.signupEmail.SetRate(p.Int(workflow.ParamSignupPerAddress), time.Hour)
	if ok, wait := s.limits.signupIP.Allow(s.clientKey(r)); !ok {
		s.rd.TooManyRequests(w, r, wait)
		return
	}
	if ok, wait := s.limits.signupEmail.Allow("email:" + strings.ToLower(f.Email)); !ok {
		s.rd.TooManyRequests(w, r, wait)
		return
	}
	// Always hash, known address or not, so the time taken does not tell.
	// ParseSignupForm has put the password through NormalizePassword.
	hash, err := s.hasher.Hash(r.Context(), f.Password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	_, err = s.svc.SignUp(r.Context(), workflow.SignupInput{
		CompanyName: f.CompanyName, TaxID: f.TaxID, Street: f.Street, City: f.City, State: f.State,
		PostalCode: f.PostalCode, Country: f.Country, FirstName: f.FirstName, LastName: f.LastName,
		JobTitle: f.JobTitle, Email: f.Email, Phone: f.Phone, Language: f.Language,
		Username: f.Username, PasswordHash: hash, SourceIP: s.ips.ClientIP(r).String(),
	})
	var fe *workflow.FieldError
	switch {
	case errors.As(err, &fe) && fe.Field == FieldUsername:
		errs := AddSignupError(nil, FieldUsername, MsgUsernameTaken)
		s.render(w, r, http.StatusUnprocessableEntity, PageSignup, SignupPage{Form: f, Errors: errs})
	case errors.Is(err, workflow.ErrSignupPaused):
		s.renderPaused(w, r)
	case errors.Is(err, workflow.ErrTooMany):
		s.rd.TooManyRequests(w, r, time.Hour)
	case err != nil:
		s.fail(w, r, err)
	default:
		http.Redirect(w, r, "/signup/sent", http.StatusSeeOther)
	}
}

// signupSent is where a sign-up lands. It names no address, so the URL
// carries nothing personal and reads the same for every sign-up.
func (s *server) signupSent(w http.ResponseWriter, r *http.Request) {
	p, ok := s.params(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, PageSignupSent, SignupSentPage{
		LinkLifetime: LinkLifetime(p.Duration(workflow.ParamActivationTTL))})
}

// signupPaused returns the parameters and writes the paused page, reporting
// true, when too many requests await activation; ok is false when it could
// not tell (the error page is written). One row read: the parameters come
// from the cache at the version read with the count.
func (s *server) signupPaused(w http.ResponseWriter, r *http.Request) (p workflow.Params, paused, ok bool) {
	q := s.db.Read()
	st, err := q.SignupState(r.Context())
	if err == nil {
		p, err = s.svc.ParamsAt(r.Context(), q, st.ParamVersion)
	}
	if err != nil {
		s.fail(w, r, err)
		return p, false, false
	}
	if st.Unverified < int64(p.Int(workflow.ParamMaxUnverified)) {
		return p, false, true
	}
	s.renderPaused(w, r)
	return p, true, true
}

// renderPaused answers 503 with Retry-After: sign-up is unavailable for a
// while, and crawlers and scripts should come back rather than index it.
func (s *server) renderPaused(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Retry-After", strconv.Itoa(int(pausedRetryAfter/time.Second)))
	s.render(w, r, http.StatusServiceUnavailable, PageSignupPaused, SignupPausedPage{})
}

// parseForm reads a posted form, urlencoded or (from another site's form)
// multipart; bodies are already capped by LimitBody. Any other content type
// reads as an empty form, which validation then explains.
func (s *server) parseForm(w http.ResponseWriter, r *http.Request) bool {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		return s.rd.ParseForm(w, r)
	}
	err := r.ParseMultipartForm(DefaultMaxFormBytes)
	if r.MultipartForm != nil {
		// Files are never wanted; drop any spilled to disk. The values stay
		// in r.PostForm.
		if rerr := r.MultipartForm.RemoveAll(); rerr != nil {
			s.log.Warn("removing multipart temp files", "err", rerr)
		}
	}
	if err == nil {
		return true
	}
	status := http.StatusBadRequest
	if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
		w.Header().Set("Connection", "close")
		status = http.StatusRequestEntityTooLarge
	}
	s.rd.Error(w, r, status)
	return false
}
