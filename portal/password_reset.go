package portal

import (
	"errors"
	"net/http"
	"time"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

func (s *server) forgotPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, PageForgot, ForgotPage{})
}

// forgot mails a reset link when the login exists and is active, and
// answers the same page either way.
func (s *server) forgot(w http.ResponseWriter, r *http.Request) {
	if ok, wait := s.limits.forgotIP.Allow(s.clientKey(r)); !ok {
		s.rd.TooManyRequests(w, r, wait)
		return
	}
	if !s.rd.ParseForm(w, r) {
		return
	}
	f := ParseForgotForm(r.PostForm)
	if errs := f.Validate(); errs != nil {
		s.render(w, r, http.StatusUnprocessableEntity, PageForgot, ForgotPage{Form: f, Errors: errs})
		return
	}
	p, ok := s.params(w, r)
	if !ok {
		return
	}
	if !s.requestLink(w, r, store.TokenPasswordReset, f.Login) {
		return
	}
	s.render(w, r, http.StatusOK, PageForgotSent, ForgotSentPage{LinkLifetime: LinkLifetime(p.Duration(workflow.ParamResetTTL))})
}

// requestLink records a forgot-password or resend post: the same work
// whether an account exists or not, with the per-address and per-client
// limits counted in the database. It answers 429 itself when over a limit.
func (s *server) requestLink(w http.ResponseWriter, r *http.Request, kind, login string) bool {
	err := s.svc.RequestLink(r.Context(), workflow.LinkRequest{Kind: kind, Login: login, Client: s.clientKey(r)})
	switch {
	case errors.Is(err, workflow.ErrTooMany):
		s.rd.TooManyRequests(w, r, time.Hour)
		return false
	case err != nil:
		s.fail(w, r, err)
		return false
	}
	return true
}

// linkProblem maps a token error to what the page says.
func linkProblem(err error) LinkProblem {
	switch {
	case errors.Is(err, workflow.ErrTokenExpired):
		return LinkExpired
	case errors.Is(err, workflow.ErrTokenUsed):
		return LinkUsed
	}
	return LinkInvalid
}

// resetPage shows the new-password form for a valid reset or set-password
// link; looking does not use the link.
func (s *server) resetPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get(FieldToken)
	st, err := s.svc.CheckPasswordToken(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if st.Err != nil {
		s.render(w, r, http.StatusGone, PageResetInvalid, ResetInvalidPage{Problem: linkProblem(st.Err)})
		return
	}
	s.render(w, r, http.StatusOK, PageReset, ResetPage{Token: token, Username: st.Username,
		SetPassword: st.Kind == store.TokenSetPassword})
}

// reset sets the new password with a link, once; every session of the
// login ends and the person logs in again.
func (s *server) reset(w http.ResponseWriter, r *http.Request) {
	if !s.rd.ParseForm(w, r) {
		return
	}
	ctx := r.Context()
	token := r.PostForm.Get(FieldToken)
	st, err := s.svc.CheckPasswordToken(ctx, token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if st.Err != nil {
		s.render(w, r, http.StatusGone, PageResetInvalid, ResetInvalidPage{Problem: linkProblem(st.Err)})
		return
	}
	f := ParsePasswordForm(r.PostForm)
	page := ResetPage{Token: token, Username: st.Username, SetPassword: st.Kind == store.TokenSetPassword}
	if errs := f.Validate(st.Username, st.Email); errs != nil {
		page.Errors = errs
		s.render(w, r, http.StatusUnprocessableEntity, PageReset, page)
		return
	}
	hash, err := s.hasher.Hash(ctx, f.Password)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.svc.ResetPassword(ctx, token, hash); err != nil {
		if errors.Is(err, workflow.ErrTokenUsed) || errors.Is(err, workflow.ErrTokenExpired) ||
			errors.Is(err, workflow.ErrTokenInvalid) {
			s.render(w, r, http.StatusGone, PageResetInvalid, ResetInvalidPage{Problem: linkProblem(err)})
			return
		}
		s.fail(w, r, err)
		return
	}
	// The browser's own session, if any, ended with the others.
	if in, ok := currentUser(r); ok && in.user.ID == st.UserID {
		s.clearSessionCookie(w, r)
	}
	http.Redirect(w, r, "/login?done=reset", http.StatusSeeOther)
}
