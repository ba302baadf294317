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
	p, pr, ok := s.signupPressure(w, r)
	if !ok || pr.Paused {
		return
	}
	if pr.Challenge {
		// Each reader gets a challenge of their own: no prebuilt page.
		s.render(w, r, http.StatusOK, PageSignup, SignupPage{Form: SignupForm{Language: LanguageOf(r).String()},
			Terms: termsOf(p), Challenge: s.signupChallenge(p, pr, "")})
		return
	}
	// The empty form is the same for everyone who reads it in one language
	// under the same terms: built once per language and terms, then copied
	// out. The mails follow the language chosen in it; it starts as the page's.
	terms := termsOf(p)
	key := PageSignup
	if terms != nil {
		key += "|terms:" + terms.Version + "|" + terms.URL
	}
	page, err := s.rd.prebuilt(r, key, PageSignup, SignupPage{Form: SignupForm{Language: LanguageOf(r).String()}, Terms: terms})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := page.serve(w, r, http.StatusOK); err != nil {
		s.log.Debug("writing the sign-up page", "err", err)
	}
}

// termsOf returns the terms a sign-up must accept, or nil.
func termsOf(p workflow.Params) *Terms {
	if v, u, ok := p.Terms(); ok {
		return &Terms{Version: v, URL: u}
	}
	return nil
}

// checkTerms adds the terms checkbox's problem to errs: unticked, or ticked
// for a version that is no longer current (the page was open across a change).
func checkTerms(errs FieldErrors, terms *Terms, f SignupForm) FieldErrors {
	switch {
	case terms == nil:
		return errs
	case f.TermsVersion == "":
		return AddSignupError(errs, FieldTerms, workflow.MsgTermsMissing)
	case f.TermsVersion != terms.Version:
		return AddSignupError(errs, FieldTerms, workflow.MsgTermsChanged)
	}
	return errs
}

// signup handles a posted sign-up: validate (422 with the values kept),
// rate-limit (429), hash, store, then Post/Redirect/Get to /signup/sent. A
// known address takes the same path to the same redirect; the workflow
// mails its owner instead of creating a request.
func (s *server) signup(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	p, pr, ok := s.signupPressure(w, r)
	if !ok || pr.Paused {
		return
	}
	f := ParseSignupForm(r.PostForm)
	terms := termsOf(p)
	// Near the cap, the challenge first: refusing an unpaid sign-up costs
	// no password hash. The workflow checks it again and uses it up.
	var challengeErr error
	if pr.Challenge {
		challengeErr = s.svc.CheckChallenge(p, f.Challenge, f.ChallengeAnswer)
	}
	errs := checkTerms(f.Validate(), terms, f)
	if challengeErr != nil {
		errs = AddSignupError(errs, FieldChallenge, MsgChallenge)
	}
	if errs != nil {
		// A challenge that still holds is kept (a person without JavaScript
		// who fixes a typo does not wait again); any other is replaced.
		keep := ""
		if challengeErr == nil || errors.Is(challengeErr, workflow.ErrChallengeTooSoon) {
			keep = f.Challenge
		}
		var c *SignupChallenge
		if pr.Challenge {
			c = s.signupChallenge(p, pr, keep)
		}
		s.render(w, r, http.StatusUnprocessableEntity, PageSignup, SignupPage{Form: f, Errors: errs, Terms: terms, Challenge: c})
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
		TermsVersion: f.TermsVersion, Challenge: f.Challenge, ChallengeAnswer: f.ChallengeAnswer,
	})
	var fe *workflow.FieldError
	switch {
	case errors.As(err, &fe) && fe.Field == FieldUsername:
		errs := AddSignupError(nil, FieldUsername, MsgUsernameTaken)
		s.render(w, r, http.StatusUnprocessableEntity, PageSignup, SignupPage{Form: f, Errors: errs, Terms: terms})
	case errors.As(err, &fe) && fe.Field == FieldTerms:
		// The terms changed between the check above and the write.
		s.render(w, r, http.StatusUnprocessableEntity, PageSignup, SignupPage{Form: f,
			Errors: AddSignupError(nil, FieldTerms, fe.Message), Terms: terms})
	case errors.Is(err, workflow.ErrSignupPaused):
		s.renderPaused(w, r)
	case isChallengeError(err):
		// Used already, or the pressure rose since the form was read.
		s.render(w, r, http.StatusUnprocessableEntity, PageSignup, SignupPage{Form: f,
			Errors: AddSignupError(nil, FieldChallenge, MsgChallenge), Terms: terms,
			Challenge: s.signupChallenge(p, workflow.SignupPressure{Challenge: true, Bits: max(pr.Bits, p.Int(workflow.ParamChallengeBits))}, "")})
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

// MsgChallenge asks for the form again when its challenge did not pass.
const MsgChallenge = "Please send the form again: the check that protects sign-up did not pass or has expired"

// signupPressure returns the parameters and how close sign-up is to its
// cap, writing the paused page when it is paused; ok is false when it could
// not tell (the error page is written). Far from the cap it is one
// statement (see workflow.Service.SignupPressure).
// Approvers hear about the pressure (at most once an hour).
func (s *server) signupPressure(w http.ResponseWriter, r *http.Request) (p workflow.Params, pr workflow.SignupPressure, ok bool) {
	p, pr, err := s.svc.SignupPressure(r.Context(), s.db.Read())
	if err != nil {
		s.fail(w, r, err)
		return p, pr, false
	}
	s.svc.AlertPressure(r.Context(), p, pr)
	if pr.Paused {
		s.renderPaused(w, r)
	}
	return p, pr, true
}

// signupChallenge is the form's challenge: keep when it is still good, else a new one.
func (s *server) signupChallenge(p workflow.Params, pr workflow.SignupPressure, keep string) *SignupChallenge {
	c := s.svc.NewChallenge(p, pr.Bits)
	if keep != "" {
		c.Token = keep
	}
	return &SignupChallenge{Token: c.Token, Bits: c.Bits, WaitSeconds: int(c.Wait / time.Second)}
}

func isChallengeError(err error) bool {
	for _, e := range []error{workflow.ErrChallengeMissing, workflow.ErrChallengeInvalid, workflow.ErrChallengeExpired,
		workflow.ErrChallengeWrong, workflow.ErrChallengeTooSoon, workflow.ErrChallengeUsed} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
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
