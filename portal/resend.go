package portal

import (
	"net/http"

	"github.com/regdesk/regdesk/store"
	"github.com/regdesk/regdesk/workflow"
)

// resendForm asks for the address to send a new activation link to; after
// a POST (?sent=1) it shows the neutral confirmation.
func (s *server) resendForm(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("sent") == "" {
		s.render(w, r, http.StatusOK, PageResend, ResendPage{})
		return
	}
	p, ok := s.params(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, PageResendSent, ResendSentPage{
		LinkLifetime: LinkLifetime(p.Duration(workflow.ParamActivationTTL))})
}

// resend mails a fresh link if the address has a request waiting for
// activation. Known or not, the answer is the same redirect.
func (s *server) resend(w http.ResponseWriter, r *http.Request) {
	if !s.parseForm(w, r) {
		return
	}
	f := ParseResendForm(r.PostForm)
	if errs := f.Validate(); errs != nil {
		s.render(w, r, http.StatusUnprocessableEntity, PageResend, ResendPage{Resend: f, Errors: errs})
		return
	}
	if ok, wait := s.limits.resendIP.Allow(s.clientKey(r)); !ok {
		s.rd.TooManyRequests(w, r, wait)
		return
	}
	if !s.requestLink(w, r, store.TokenActivation, f.Email) {
		return
	}
	http.Redirect(w, r, "/activate/resend?sent=1", http.StatusSeeOther)
}
