package portal

import (
	"errors"
	"net/http"

	"github.com/regdesk/regdesk/workflow"
)

// activateForm shows the Activate button for a working link. Mail scanners
// fetch links, so a GET only looks at the token and never uses it.
func (s *server) activateForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get(FieldToken)
	st, err := s.svc.CheckActivation(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if st.Err != nil {
		s.linkProblem(w, r, st.Err)
		return
	}
	s.render(w, r, http.StatusOK, PageActivate, ActivatePage{Token: token, Number: st.Number,
		Company: st.Company, Username: st.Username})
}

// activate uses the posted token: the request becomes verified. The page is
// rendered in the POST's answer; reloading it shows "already used".
func (s *server) activate(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	token := r.PostForm.Get(FieldToken)
	// Look first on the read pool, so posted garbage never waits for the
	// single writer.
	st, err := s.svc.CheckActivation(r.Context(), token)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if st.Err != nil {
		s.linkProblem(w, r, st.Err)
		return
	}
	req, err := s.svc.Activate(r.Context(), token)
	switch {
	case workflow.IsLinkProblem(err), errors.Is(err, workflow.ErrUsernameGone):
		s.linkProblem(w, r, err)
	case err != nil:
		s.fail(w, r, err)
	default:
		s.render(w, r, http.StatusOK, PageActivated, ActivatedPage{Number: req.Number})
	}
}

// linkProblem shows the friendly page for a link that does not work, with a
// resend form: 404 for an unknown link, 410 for one that expired, was used
// or was replaced.
func (s *server) linkProblem(w http.ResponseWriter, r *http.Request, cause error) {
	p, ok := s.params(w, r)
	if !ok {
		return
	}
	page := ActivateInvalidPage{Problem: LinkInvalid, LinkLifetime: LinkLifetime(p.Duration(workflow.ParamActivationTTL)),
		RequestLifetime: LinkLifetime(p.Duration(workflow.ParamUnverifiedTTL))}
	status := http.StatusNotFound
	switch {
	case errors.Is(cause, workflow.ErrTokenExpired):
		page.Problem, status = LinkExpired, http.StatusGone
	case errors.Is(cause, workflow.ErrTokenUsed):
		page.Problem, status = LinkUsed, http.StatusGone
	case errors.Is(cause, workflow.ErrTokenReplaced):
		page.Problem, status = LinkReplaced, http.StatusGone
	case errors.Is(cause, workflow.ErrSignupReplaced):
		page.Problem, status = LinkSignupReplaced, http.StatusGone
	case errors.Is(cause, workflow.ErrSignupExpired):
		page.Problem, status = LinkSignupExpired, http.StatusGone
	case errors.Is(cause, workflow.ErrUsernameGone):
		page.Problem, status = LinkUsernameGone, http.StatusConflict
	}
	s.render(w, r, status, PageActivateInvalid, page)
}
